"""Incremental builds: only what changed is rendered again, and the live site is never
written in place (the new site starts as hard links to it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ROOT
from generator.build import build_site

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
BLOG = "isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali-dalla-loro"


def test_incremental_builds(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    config, content, site = folder / "mkdocs.yml", folder / "content", folder / "site"

    def build() -> int:
        return build_site(config, content, site, progress=False).pages

    full = build()
    assert full > 50
    assert build() == 0  # nothing changed: nothing rendered

    page = site / "articles" / SPUTNIK / "index.html"
    before = page.read_text("utf-8")
    os.link(page, tmp_path / "old-page.html")  # the live site's file, as a reader has it
    article = content / "articles" / f"{SPUTNIK}.md"
    article.write_text(
        article.read_text("utf-8").replace("Secondo quanto riferito", "Secondo quanto scritto"),
        "utf-8",
    )
    rendered = build()
    assert 0 < rendered < full / 4
    assert "Secondo quanto scritto" in page.read_text("utf-8")
    assert (tmp_path / "old-page.html").read_text("utf-8") == before  # not written in place

    note = next((content / "annotations" / BLOG).glob("*si-stima*.yml"))
    note.write_text(
        note.read_text("utf-8").replace(
            "Chi ha fatto questa stima?", "Chi ha fatto davvero questa stima?"
        ),
        "utf-8",
    )
    assert 0 < build() < full / 4
    assert "Chi ha fatto davvero questa stima?" in (
        site / "articles" / BLOG / "index.html"
    ).read_text("utf-8")

    shutil.rmtree(content / "annotations" / BLOG)
    (content / "articles" / f"{BLOG}.md").unlink()
    (content / "raw" / f"{BLOG}.txt").unlink()
    build()
    assert not (site / "articles" / BLOG / "index.html").exists()  # a removed article's page goes
    assert BLOG not in (site / "index.html").read_text("utf-8")

    strict = build_site(config, content, site, strict=True, progress=False)
    pages = sum(1 for _ in site.rglob("index.html"))
    assert strict.pages == pages > full / 2  # a strict build is always a full one
