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
