"""Annotations: what `postilla check` tells a contributor (golden output), anchoring, the
build's tolerance of bad files, orphans, `postilla annotate`, and the export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT
from generator import archive
from generator.annotations import (
    Annotation,
    anchor,
    annotation_paths,
    context_for,
    load_annotations,
    parse_file,
)
from generator.build import build_site
from generator.cli import main

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
BLOG = "isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali-dalla-loro"
CASES = FIXTURES / "annotations"


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped content folder, in a project folder that is the working directory."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def test_check_tells_a_contributor_what_is_wrong(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every validation message, file:LINE:COL: what is wrong — what to do (golden file)."""
    cases = shipped / "annotations" / "cases"
    cases.mkdir()
    for case in CASES.glob("*.yml"):
        shutil.copy(case, cases / case.name)
    assert main(["check", "--content", "content"]) == 1
    got = capsys.readouterr().err.replace("content/annotations/cases/", "CASES/")
    expected = (CASES / "expected-check.txt").read_text("utf-8")
    assert got == expected


def test_strict_check_fails_on_a_warning_only(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(CASES / "reanchored.yml", shipped / "annotations" / "reanchored.yml")
    assert main(["check", "--content", "content"]) == 0
    assert main(["check", "--strict", "--content", "content"]) == 1
    assert "warning: re-anchored (95% similar)" in capsys.readouterr().err


def note(quote: str, prefix: str | None = None, suffix: str | None = None) -> Annotation:
    return Annotation(
        id="n",
        article="a",
        quote=quote,
        note="x",
        kind="comment",
        author="me",
        date="2024-01-01",
        prefix=prefix,
        suffix=suffix,
        path="n.yml",
        line=3,
        column=5,
    )


BODY = (
    "Il Pakistan aiuta i talebani.\n\n"
    "Tuttavia i talebani non considerano l’ISIS   una “seria” minaccia, dicono i talebani stessi."
)


def test_exact_with_quotes_and_whitespace_made_alike() -> None:
    found = anchor(note('l\'ISIS una "seria" minaccia'), BODY)
    assert not isinstance(found, Exception) and found.exact
    assert BODY[found.start : found.end] == "l’ISIS   una “seria” minaccia"


def test_prefix_and_suffix_choose_among_occurrences() -> None:
    second = anchor(note("i talebani", prefix="Tuttavia"), BODY)
    third = anchor(note("i talebani", suffix="stessi"), BODY)
    assert BODY[second.start - 9 : second.start] == "Tuttavia " and third.start > second.start
    ambiguous = anchor(note("i talebani"), BODY)
    assert "the quote occurs 3 times" in ambiguous.message and ambiguous.column == 5


def test_whole_words_only() -> None:
    text = "Il governo dei talebani e i talebani stessi."
    found = anchor(note("i talebani"), text)
    assert found.exact and found.start == text.index("e i talebani") + 2  # not inside "dei"


def test_fuzzy_reanchoring_and_orphans() -> None:
    moved = anchor(note("Tuttavia i talebani non considerano l'ISIS una seria minacia"), BODY)
    assert not moved.exact and moved.score >= 85 and moved.text.startswith("Tuttavia i talebani")
    lost = anchor(note("Il governo di Islamabad smentisce ogni coinvolgimento"), BODY)
    assert "quote not found in a; the closest passage" in lost.message


def test_context_for_writes_the_shortest_unambiguous_context() -> None:
    start = BODY.index("i talebani non")
    assert context_for(BODY, start, start + len("i talebani")) == ("Tuttavia", "non")
    only = BODY.index("Pakistan")
    assert context_for(BODY, only, only + len("Pakistan")) == (None, None)


def test_yaml_is_strict_for_contributors() -> None:
    text = "article: a\nannotations:\n  - quote: una citazione\n    kind: no\n    note: x\n    author: me\n    date: '2024-01-01'\n"
    _, problems = parse_file(text, "x.yml", {"a"})
    assert [str(p) for p in problems] == [
        "x.yml:4:11: annotations[0].kind is 'no', which is not one of: comment, context, fact-check, correction, question"
    ]


def test_build_skips_a_broken_file_and_lists_orphans(shipped: Path, tmp_path: Path) -> None:
    shutil.copy(CASES / "yaml_syntax.yml", shipped / "annotations" / "broken.yml")
    article = shipped / "articles" / f"{BLOG}.md"
    article.write_text(
        article.read_text("utf-8").replace(
            "Si stima che l’ISIS conti 10.000", "Secondo alcuni l’ISIS avrebbe 10.000"
        ),
        "utf-8",
    )
    result = build_site(ROOT / "mkdocs.yml", shipped, tmp_path / "site", progress=False)
    assert result.warnings >= 2  # the broken file and the orphan, said; the build goes on
    orphaned = (tmp_path / "site" / "annotations" / "orphaned" / "index.html").read_text("utf-8")
    assert (
        "Si stima che l’ISIS conti 10.000 combattenti" in orphaned
        and "@postilla-archive" in orphaned
    )
    page = (tmp_path / "site" / "articles" / BLOG / "index.html").read_text("utf-8")
    assert "Annotazioni (1)" in page and "Chi ha fatto questa stima" not in page
    with pytest.raises(Exception, match="Aborted"):
        build_site(ROOT / "mkdocs.yml", shipped, tmp_path / "strict", strict=True, progress=False)


def test_annotate_writes_a_file_that_checks(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "annotate",
        SPUTNIK,
        "i talebani nella lotta",
        "--kind",
        "question",
        "--note",
        "Quali?",
        "--author",
        "mario-rossi",
        "--date",
        "2024-05-01",
        "--content",
        "content",
    ]
    assert main(args) == 0
    written = Path(capsys.readouterr().out.split("wrote ", 1)[1].strip())
    data = yaml.safe_load(written.read_text("utf-8"))
    item = data["annotations"][0]
    assert data["article"] == SPUTNIK and item["prefix"] == "aiutare" and "suffix" in item
    assert written.read_text("utf-8").startswith("# yaml-language-server: $schema=")
    assert main(["check", "--strict", "--content", "content"]) == 0
    assert main(args) == 1  # the same file again: nothing overwritten
    bad = [
        "annotate",
        SPUTNIK,
        "parole che non ci sono affatto qui",
        "--kind",
        "comment",
        "--note",
        "x",
        "--author",
        "mario-rossi",
        "--content",
        "content",
    ]
    assert main(bad) == 1 and "quote not found" in capsys.readouterr().err
    assert (
        main(
            [
                "annotate",
                "nessun-articolo",
                "x y z",
                "--kind",
                "comment",
                "--note",
                "x",
                "--author",
                "m",
                "--content",
                "content",
            ]
        )
        == 1
    )


def test_export_and_web_annotations(
    shipped: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--content", "content"]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    [fact_check] = rows[SPUTNIK]["annotations"]
    assert (
        fact_check["kind"] == "fact-check"
        and fact_check["verdict"] == "unverified"
        and not fact_check["orphaned"]
    )
    body = archive.read_article(shipped / "articles" / f"{SPUTNIK}.md").body_text
    assert body[fact_check["start"] : fact_check["end"]] == fact_check["quote"]
    build_site(ROOT / "mkdocs.yml", shipped, tmp_path / "site", progress=False)
    collection = json.loads(
        (tmp_path / "site" / "downloads" / "annotations.jsonld").read_text("utf-8")
    )
    assert (
        collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
        and collection["type"] == "AnnotationCollection"
    )
    items = collection["first"]["items"]
    assert {i["motivation"] for i in items} == {
        "assessing",
        "describing",
        "questioning",
        "replying",
    }
    item = next(i for i in items if i["motivation"] == "assessing")
    by_type = {s["refinedBy"]["type"]: s["refinedBy"] for s in item["target"]["selector"]}
    quote, position = by_type["TextQuoteSelector"], by_type["TextPositionSelector"]
    assert {s["value"] for s in item["target"]["selector"]} == {".postilla-body"}
    assert item["created"].endswith("T00:00:00Z")
    element = "\n" + body.replace("\n\n", "\n") + "\n"  # the body element's textContent
    assert element[position["start"] : position["end"]] == quote["exact"]
    assert item["creator"]["id"] == "https://github.com/postilla-archive"
    reply = next(i for i in items if i["motivation"] == "replying")
    annotations = {i["id"] for i in items if i["motivation"] != "replying"}
    assert reply["target"] in annotations  # a reply targets the annotation it answers


def test_shipped_annotations() -> None:
    notes = load_annotations(
        ROOT / "content",
        {p.stem: archive.read_article(p) for p in archive.article_paths(ROOT / "content")},
    )
    kinds = sorted(a.annotation.kind for a in notes.anchored)
    assert kinds == ["context", "fact-check", "question"] and not notes.problems
    assert any(a.annotation.replies for a in notes.anchored)


def test_the_archive_is_listed_once_not_once_per_annotation_file() -> None:
    """A build at 200,000 articles spent minutes making the set of article ids again for
    each of its 4,000 annotation files."""

    class Counted(dict):
        listed = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            Counted.listed += 1
            return super().__iter__()

    articles = Counted(
        {p.stem: archive.read_article(p) for p in archive.article_paths(ROOT / "content")}
    )
    assert len(annotation_paths(ROOT / "content")) > 1
    notes = load_annotations(ROOT / "content", articles)
    assert notes.anchored and not notes.problems
    assert Counted.listed <= 1
