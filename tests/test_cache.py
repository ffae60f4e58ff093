"""The build cache: reused when content is unchanged, never when it is not."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT
from generator.build import build_site
from generator.cache import STAMP, Cache, digest

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"


def project(tmp_path: Path) -> Path:
    """A project folder of its own (mkdocs.yml, theme, content), so its cache is too."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder


def test_cache_is_used_and_invalidated_by_content(tmp_path: Path) -> None:
    folder = project(tmp_path)
    build_site(folder / "mkdocs.yml", folder / "content", folder / "site", progress=False)
    assert (folder / ".postilla-cache" / "cache.sqlite").exists()
    assert (folder / ".postilla-cache" / ".gitignore").read_text() == "*\n"
    article = folder / "content" / "articles" / f"{SPUTNIK}.md"
    article.write_text(
        article.read_text("utf-8").replace("Secondo quanto riferito", "Secondo quanto scritto"),
        "utf-8",
    )
    build_site(folder / "mkdocs.yml", folder / "content", folder / "site", progress=False)
    page = (folder / "site" / "articles" / SPUTNIK / "index.html").read_text("utf-8")
    assert "Secondo quanto scritto" in page and "Secondo quanto riferito" not in page


def test_cache_tables(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("t", "a", 1)
    cache.put("t", "b", 2)
    cache.save()
    again = Cache(tmp_path)
    assert again.get("t", "a") == 1 and again.hits == 1
    again.save()  # "b" was not used in this build: dropped
    assert Cache(tmp_path).get("t", "b") is None
    (tmp_path / "cache.sqlite").write_bytes(b"not a database")
    assert Cache(tmp_path).get("t", "a") is None
    assert STAMP.startswith("postilla ") and digest("a", b"b") != digest("ab")


def test_an_entry_kept_unread_outlives_the_build(tmp_path: Path) -> None:
    """`keep` carries an entry to the next build without reading it; an entry neither
    read nor kept is dropped when the cache is saved."""
    first = Cache(tmp_path)
    first.put("export", "kept", ("line", "row"))
    first.put("export", "dropped", ("old", "old"))
    first.save()
    second = Cache(tmp_path)
    second.keep("export", "kept")
    second.keep("export", "never stored")  # nothing to keep: no entry made
    second.put("export", "new", ("new", "new"))
    second.save()
    third = Cache(tmp_path)
    assert third.get("export", "kept") == ("line", "row")
    assert third.get("export", "dropped") is None
    assert third.get("export", "never stored") is None
    assert third.get("export", "new") == ("new", "new")
