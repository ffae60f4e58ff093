"""The `postilla` command as a maintainer uses it, bad input included: every failure names
the file (and line), exits non-zero and leaves content/ as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BLOG_URL, CASES, ROOT, SEEDS, SPUTNIK_SEED, empty_content, snapshot
from generator import archive
from generator.cli import main

SPUTNIK_ID = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def test_import_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = empty_content(tmp_path)
    assert run("import", SEEDS / SPUTNIK_SEED, "--content", content) == 0
    before = snapshot(content)
    assert run("import", SEEDS, "--content", content) == 0
    out = capsys.readouterr().out
    assert f"already imported as {SPUTNIK_ID}" in out
    assert "000_dc37bb17c7ea2900.txt: imported as isis-ha-iniziato" in out
    # same URL, different bytes: recognised too
    copy = tmp_path / "same-url.txt"
    copy.write_bytes((SEEDS / SPUTNIK_SEED).read_bytes() + b"\nUna riga in piu.\n")
    assert run("import", copy, "--content", content) == 0
    assert f"already imported as {SPUTNIK_ID} (same URL)" in capsys.readouterr().out
    assert {k: v for k, v in snapshot(content).items() if k in before} == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty_file.txt", "empty_file.txt: the file is empty"),
        ("binary_file.bin", "binary_file.bin: this is a binary file"),
        ("undecodable_bytes.txt", "undecodable_bytes.txt:1: undecodable byte 0x81"),
        ("header_with_bad_date.txt", "header_with_bad_date.txt:1: header date '2021-13'"),
        ("header_with_bad_url.txt", "header_with_bad_url.txt:1: header URL 'notaurl'"),
        ("all_boilerplate.txt", "all_boilerplate.txt: no article text left after cleaning"),
    ],
)
def test_bad_raw_files_are_refused(
    case: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = empty_content(tmp_path)
    before = snapshot(content)
    assert run("import", CASES / case, "--content", content) == 1
    err = capsys.readouterr().err
    assert message in err
    assert snapshot(content) == before


def test_one_bad_file_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = empty_content(tmp_path)
    assert run("import", CASES / "empty_file.txt", SEEDS / SPUTNIK_SEED, "--content", content) == 1
    assert (content / "articles" / f"{SPUTNIK_ID}.md").exists()


def test_cp1252_and_crlf_are_decoded_and_kept_verbatim(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    assert run("import", CASES / "cp1252_crlf.txt", "--content", content) == 0
    [path] = (content / "articles").glob("*.md")
    article = archive.read_article(path)
    assert article.title == "Titolo in Windows-1252"
    assert article.paragraphs[0].startswith("La città è stata raggiunta “ieri” dalle forze")
    assert (content / article.raw).read_bytes() == (CASES / "cp1252_crlf.txt").read_bytes()


def test_colliding_ids_get_a_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = empty_content(tmp_path)
    assert run("import", CASES / "same_title_one.txt", "--content", content) == 0
    assert run("import", CASES / "same_title_two.txt", "--content", content) == 0
    out = capsys.readouterr().out
    assert "(id titolo-uguale-per-due-articoli-diversi is taken by another article)" in out
    ids = sorted(p.stem for p in (content / "articles").glob("*.md"))
    assert ids[0] == "titolo-uguale-per-due-articoli-diversi"
    assert ids[1].startswith("titolo-uguale-per-due-articoli-diversi-") and len(ids[1]) <= 80


def test_url_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = empty_content(tmp_path)
    assert (
        run("import", SEEDS / "000_dc37bb17c7ea2900.txt", "--url", BLOG_URL, "--content", content)
        == 0
    )
    [path] = (content / "articles").glob("*.md")
    article = archive.read_article(path)
    assert article.url == BLOG_URL and article.source == "ancorafischiailvento.org"
    assert article.publisher == "Ancora fischia il vento"
    assert run("import", SEEDS, "--url", BLOG_URL, "--content", content) == 2
    assert (
        run("import", SEEDS / SPUTNIK_SEED, "--url", "javascript:alert(1)", "--content", content)
        == 2
    )


def test_check_reports_hand_broken_front_matter(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = content / "articles" / f"{SPUTNIK_ID}.md"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("title: 'WP: Pakistan", "title: no\nx_title: 'WP: Pakistan").replace(
            "date: '2021-10-24'", "date: 2021-10-32"
        ),
        "utf-8",
    )
    assert run("check", "--content", content) == 1
    err = capsys.readouterr().err
    shown = archive.display_path(path)
    assert f"{shown}:4:1: unknown key 'x_title' — did you mean 'title'?" in err
    assert f"{shown}:7: date '2021-10-32' is not a real date" not in err  # schema error comes first
    path.write_text(
        text.replace(
            "title: 'WP: Pakistan aiuta i talebani nella lotta contro l''ISIS'", "title: no"
        ),
        "utf-8",
    )
    assert run("check", "--content", content) == 0
    assert archive.read_article(path).title == "no"
    path.write_text(text.replace("date: '2021-10-24'", "date: 2021-10-32"), "utf-8")
    assert run("check", "--content", content) == 1
    assert f"{shown}:5: date '2021-10-32' is not a real date" in capsys.readouterr().err


def test_check_reports_two_articles_with_one_url(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = content / "articles" / f"{SPUTNIK_ID}.md"
    second = content / "articles" / "copia.md"
    second.write_text(first.read_text("utf-8").replace(f"id: {SPUTNIK_ID}", "id: copia"), "utf-8")
    assert run("check", "--content", content) == 1
    err = capsys.readouterr().err
    assert f"{archive.display_path(second)}: same URL as {archive.display_path(first)}" in err
    assert run("build", "--content", content, "--site", content.parent / "site") == 1
    assert not (content.parent / "site").exists()


def test_check_reports_changed_raw_file(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = content / "raw" / f"{SPUTNIK_ID}.txt"
    raw.write_bytes(raw.read_bytes() + b"x")
    assert run("check", "--content", content) == 1
    assert "has changed since import" in capsys.readouterr().err


def test_reclean_leaves_hand_edits_alone(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = content / "articles" / f"{SPUTNIK_ID}.md"
    edited.write_text(
        edited.read_text("utf-8").replace("Secondo quanto riferito", "Secondo quanto scritto"),
        "utf-8",
    )
    [other] = [p for p in (content / "articles").glob("*.md") if p != edited]
    other.write_text(
        other.read_text("utf-8").replace("imported: '2026-11-21'", "imported: '2026-11-20'"),
        "utf-8",
    )
    assert run("import", "--reclean", "--content", content) == 0
    out = capsys.readouterr().out
    assert "body edited by hand since import — left alone" in out
    assert f"1 hand-edited article(s) left alone: {SPUTNIK_ID}" in out
    assert "Secondo quanto scritto" in edited.read_text("utf-8")
    assert "imported: '2026-11-20'" in other.read_text("utf-8")  # kept from the existing article


def test_export_formats(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("export", "--content", content) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {
        "id",
        "title",
        "date",
        "published",
        "url",
        "source",
        "publisher",
        "author",
        "language",
        "description",
        "body",
        "raw_name",
        "entities",
        "annotations",
    } <= set(rows[0])
    assert (
        run("export", "--content", content, "--format", "csv", "--output", tmp_path / "a.csv") == 0
    )
    assert (tmp_path / "a.csv").read_text("utf-8").count("\n") >= 3


def test_python_m_generator_and_plain_mkdocs_build(tmp_path: Path) -> None:
    """`python -m generator` is the same command, and plain `mkdocs build` builds the archive."""
    version = subprocess.run(
        [sys.executable, "-m", "generator", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("postilla ")
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "theme", project / "theme")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "out")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "articles" / SPUTNIK_ID / "index.html").exists()


# --- the site's addresses, without editing mkdocs.yml -------------------------------------

FORK_SITE, FORK_REPO = "https://alice.github.io/fork/", "https://github.com/alice/fork"
PLACEHOLDERS = ("example.github.io", "github.com/example")


def addressed_content(tmp_path: Path) -> Path:
    """The shipped archive (articles and annotations) with an about page of its own (the
    shipped one links to Postilla's repository, which is not a placeholder)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "about.md").write_text("# Informazioni\n\nUn archivio.\n", "utf-8")
    return content


def site_text(site: Path) -> dict[str, str]:
    """Every page, sitemap and data file the build wrote (not Material's own assets)."""
    import gzip

    texts = {}
    for path in site.rglob("*"):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("assets/", "pagefind/")) or not path.is_file():
            continue
        if path.suffix in (".html", ".xml", ".jsonld"):
            texts[relative] = path.read_text("utf-8")
        elif path.suffix == ".gz":
            texts[relative] = gzip.decompress(path.read_bytes()).decode("utf-8")
    return texts


def assert_addressed(site: Path, site_url: str, repo_url: str, branch: str = "main") -> None:
    texts = site_text(site)
    for relative, text in texts.items():
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, (relative, placeholder)
    sitemap = texts["sitemap.xml"]
    assert f"<loc>{site_url}articles/{SPUTNIK_ID}/</loc>" in sitemap
    pages = {k: v for k, v in texts.items() if k.endswith("index.html")}
    assert len(pages) > 10
    for relative, html in pages.items():
        folder = relative.removesuffix("index.html")
        assert f'<link rel="canonical" href="{site_url}{folder}">' in html, relative
    collection = json.loads(texts["downloads/annotations.jsonld"])
    ids = [item["id"] for item in collection["first"]["items"]]
    assert ids and all(i.startswith(f"{site_url}articles/") for i in ids), ids
    article = texts[f"articles/{SPUTNIK_ID}/index.html"]
    assert (
        f'postilla-annotate" href="{repo_url}/new/{branch}/content/annotations/{SPUTNIK_ID}?'
        in article
    )


def test_build_takes_the_site_and_repository_addresses(tmp_path: Path) -> None:
    """A fork's build: sitemap, canonical links, annotation ids and the Annotate button
    point at the fork, given on the command line, with mkdocs.yml untouched."""
    content, site = addressed_content(tmp_path), tmp_path / "site"
    args = ("build", "--content", content, "--site", site)
    assert run(*args, "--site-url", FORK_SITE.rstrip("/"), "--repo-url", FORK_REPO + "/") == 0
    assert_addressed(site, FORK_SITE, FORK_REPO)
    # Built again for other addresses into the same folder, then for the first ones
    # again: no page is reused with addresses it was not built for.
    other_site, other_repo = "https://bob.example.org/archivio/", "https://github.com/bob/archivio"
    assert run(*args, "--site-url", other_site, "--repo-url", other_repo, "--branch", "trunk") == 0
    assert not [k for k, v in site_text(site).items() if "alice" in v]
    assert_addressed(site, other_site, other_repo, branch="trunk")
    assert run(*args, "--site-url", FORK_SITE, "--repo-url", FORK_REPO) == 0  # and back
    assert not [k for k, v in site_text(site).items() if "bob" in v]
    assert_addressed(site, FORK_SITE, FORK_REPO)


def test_addresses_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """POSTILLA_SITE_URL, POSTILLA_REPO_URL and POSTILLA_BRANCH (what the Pages workflow
    sets) stand for the options; an option wins; a bad address is a usage error."""
    from generator.cli import address_overrides, make_parser

    def overrides(*argv: str) -> dict[str, str]:
        args = make_parser().parse_args(["build", *argv])
        return address_overrides(args, ROOT / "mkdocs.yml", ROOT / "content")

    assert overrides() == {}
    monkeypatch.setenv("POSTILLA_SITE_URL", "https://alice.github.io/fork")
    monkeypatch.setenv("POSTILLA_REPO_URL", "https://github.com/alice/fork")
    monkeypatch.setenv("POSTILLA_BRANCH", "")  # empty: unset (no default branch known)
    assert overrides() == {"site_url": FORK_SITE, "repo_url": FORK_REPO}
    monkeypatch.setenv("POSTILLA_BRANCH", "trunk")
    assert overrides("--site-url", "http://localhost:8000/x/")["site_url"] == (
        "http://localhost:8000/x/"
    )
    assert overrides()["edit_uri"] == "edit/trunk/content/"
    for argv, message in [
        (["--site-url", "alice.github.io/fork"], "--site-url 'alice.github.io/fork' is not"),
        (["--repo-url", "javascript:alert(1)"], "--repo-url 'javascript:alert(1)' is not"),
        (["--branch", "a b"], "--branch 'a b' is not a branch name"),
    ]:
        assert run("build", *argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {message}") and err.count("\n") == 1, err
    monkeypatch.setenv("POSTILLA_SITE_URL", "ftp://example.org/")
    assert run("build") == 2
    assert "error: $POSTILLA_SITE_URL 'ftp://example.org/' is not an http(s)" in (
        capsys.readouterr().err
    )


# --- where commands run ------------------------------------------------------------------------

OUTSIDE = [
    ["build"],
    ["serve"],
    ["check"],
    ["export"],
    ["import", str(SEEDS / SPUTNIK_SEED)],
    ["import", "--reclean"],
    ["annotate", SPUTNIK_ID, "i talebani", "--kind", "question", "--note", "n", "--author", "a"],
    ["entities", "suggest"],
]


@pytest.mark.parametrize("argv", OUTSIDE, ids=lambda a: " ".join(a[:2]))
def test_commands_outside_a_project_say_so(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No mkdocs.yml here or above: one line naming the folder, exit 2, nothing written
    (import used to make ./content/articles and ./content/raw wherever it ran)."""
    from generator.cli import find_project

    assert find_project(tmp_path) is None
    monkeypatch.chdir(tmp_path)
    assert run(*argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(
        f"error: not in a Postilla project: no mkdocs.yml in {tmp_path.resolve()} or any folder"
    )
    assert "postilla init" in captured.err and not captured.out
    assert list(tmp_path.iterdir()) == []


def test_commands_that_read_only_their_arguments_work_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("import", "--explain", SEEDS / SPUTNIK_SEED) == 0
    assert "WP: Pakistan aiuta i talebani" in capsys.readouterr().out
    assert run("eval", ROOT / "tests" / "fixtures" / "extra", "--worst", "0") == 0
    assert list(tmp_path.iterdir()) == []


def test_a_content_folder_is_never_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--content naming a missing folder is an error for every command, import included;
    inside a project without content/, the same."""
    monkeypatch.chdir(tmp_path)
    assert run("import", SEEDS / SPUTNIK_SEED, "--content", "contnet") == 2
    assert capsys.readouterr().err == (
        "error: contnet: no such content folder (--content) — nothing written;"
        " `postilla init DIR` makes a new project\n"
    )
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    assert run("import", SEEDS / SPUTNIK_SEED) == 2
    assert f"no content/ folder in the project {tmp_path.resolve()}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mkdocs.yml"]


def test_commands_find_the_project_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As git does: the nearest folder above holding mkdocs.yml is the project."""
    content = empty_content(tmp_path)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (content / "pages" / "deeper").mkdir()
    monkeypatch.chdir(content / "pages" / "deeper")
    assert run("import", SEEDS / SPUTNIK_SEED) == 0
    assert (content / "articles" / f"{SPUTNIK_ID}.md").is_file()
    assert run("check") == 0
    assert "ok: 1 articles" in capsys.readouterr().out
