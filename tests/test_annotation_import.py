"""`postilla annotations import`: Hypothesis and W3C annotations in, annotation files out,
checked, built and exported again."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, empty_content, import_seeds, snapshot
from generator import annotation_import as ai
from generator import archive, export
from generator.annotations import load_annotations
from generator.cli import main

HYPOTHESIS = FIXTURES / "hypothesis" / "hypothesis-export.json"
W3C = FIXTURES / "hypothesis" / "w3c-page.jsonld"
BLOG = "2017-06-18-isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali"
SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
SITE_URL = "https://example.github.io/postilla/"


def run(content: Path, *args: str) -> int:
    return main(["annotations", "import", *args, "--content", str(content)])


def report(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def loaded(content: Path):  # type: ignore[no-untyped-def]
    articles = {a.id: a for a in archive.load_archive(content)[0].articles}
    return articles, load_annotations(content, articles)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The seed archive after importing both fixtures, checked and built once."""
    from generator.build import build_site

    folder = tmp_path_factory.mktemp("imported")
    content = empty_content(folder)
    import_seeds(content)
    before = snapshot(content)
    status = run(content, str(HYPOTHESIS), str(W3C), "--report", str(folder / "report.jsonl"))
    check = main(["check", "--strict", "--content", str(content)])
    site = folder / "site"
    build_site(ROOT / "mkdocs.yml", content, site, strict=True, progress=False)
    return {
        "content": content,
        "status": status,
        "check": check,
        "report": report(folder / "report.jsonl"),
        "before": before,
        "site": site,
    }


def by_row(records: list[dict], source: Path) -> dict[int, dict]:
    return {r["index"]: r for r in records if r["input"].endswith(source.name)}


# --- the Hypothesis round trip ----------------------------------------------------------------


def test_hypothesis_import_writes_files_that_pass_the_strict_check(imported: dict) -> None:
    assert imported["status"] == 0
    assert imported["check"] == 0
    rows = by_row(imported["report"], HYPOTHESIS)
    assert len(rows) == 12  # every row of the input is accounted for
    assert {i for i, r in rows.items() if r["status"] == "imported"} == {0, 2, 3, 10}
    assert {i for i, r in rows.items() if r["status"] == "reply"} == {1, 4, 5}
    assert {i for i, r in rows.items() if r["status"] == "skipped"} == {6, 7, 8, 9, 11}


def test_hypothesis_fields_become_postilla_fields(imported: dict) -> None:
    _, notes = loaded(imported["content"])
    by_quote = {a.annotation.quote: a.annotation for a in notes.anchored}
    fact = by_quote["il Pakistan utilizza canali di intelligence non ufficiali"]
    assert (fact.kind, fact.verdict, fact.tags) == ("fact-check", "false", ("Pakistan",))
    assert (fact.author, fact.date) == ("felicity-nunsun", "2023-10-17")
    assert fact.article == SPUTNIK  # matched through http, utm_* parameters
    # The curly apostrophe of the article, not the straight one of the selection.
    question = by_quote["Si stima che l’ISIS conti 10.000 combattenti"]
    assert (question.kind, question.tags) == ("question", ("fonti",))
    # 2023-10-19T23:30-02:00 is the 20th in UTC.
    repeated = by_quote["ad Al-Mayadeen"]
    assert (repeated.kind, repeated.date, repeated.article) == ("context", "2023-10-20", BLOG)
    # The re-anchored quote is written as the article reads it: no warning at check.
    assert "diversi comandanti ISIS sono fuggiti dalle città assediate di Mosul e Raqqa" in by_quote
    assert all(a.anchor is not None and a.problem is None for a in notes.anchored)


def test_a_repeated_quote_anchors_where_hypothesis_prefix_and_suffix_say(imported: dict) -> None:
    articles, notes = loaded(imported["content"])
    body = articles[BLOG].body_text
    (note,) = [a for a in notes.anchored if a.annotation.quote == "ad Al-Mayadeen"]
    assert note.anchor is not None
    assert body.count("ad Al-Mayadeen") == 2
    assert body[: note.anchor.start].endswith("sulle posizioni ISIS ")


def test_replies_join_the_root_of_their_thread(imported: dict) -> None:
    _, notes = loaded(imported["content"])
    by_quote = {a.annotation.quote: a.annotation for a in notes.anchored}
    fact = by_quote["il Pakistan utilizza canali di intelligence non ufficiali"]
    assert [(r.author, r.date) for r in fact.replies] == [("mario-rossi", "2023-10-18")]
    question = by_quote["Si stima che l’ISIS conti 10.000 combattenti"]
    # A reply to a reply joins the root too, in the order they were written.
    assert [r.note for r in question.replies] == [
        "Associated Press, secondo l'inizio dell'articolo.",
        "Grazie: ma la cifra non ha una fonte propria.",
    ]


def test_what_is_not_imported_is_listed_with_its_reason_and_kept_whole(imported: dict) -> None:
    rows = by_row(imported["report"], HYPOTHESIS)
    assert "page note" in rows[6]["reason"]
    assert (
        "no archived article has the address https://www.example.com/altro-articolo.html"
        in (rows[7]["reason"])
    )
    assert "quote not found" in rows[8]["reason"]
    assert "highlight without a note" in rows[9]["reason"]
    assert rows[11]["reason"].startswith("malformed row:")
    original = json.loads(HYPOTHESIS.read_text("utf-8"))["annotations"]
    for index in (6, 7, 8, 9, 11):
        assert rows[index]["row"] == original[index]  # nothing lost


def test_the_built_site_highlights_every_imported_quote(imported: dict) -> None:
    articles, notes = loaded(imported["content"])
    rendered = 0
    for item in notes.anchored:
        page = (imported["site"] / "articles" / item.annotation.article / "index.html").read_text()
        marks = re.findall(
            rf'<mark class="postilla-annotation[^"]*" data-annotation="{item.annotation.id}"'
            r"[^>]*>(.*?)</mark>",
            page,
            flags=re.S,
        )
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", m)) for m in marks)
        assert " ".join(text.split()) == " ".join(item.annotation.quote.split()), item.annotation
        rendered += 1
    assert rendered == len(notes.anchored) == 6


# --- W3C ---------------------------------------------------------------------------------------


def test_w3c_annotations_are_imported(imported: dict) -> None:
    rows = by_row(imported["report"], W3C)
    assert [rows[i]["status"] for i in range(4)] == ["imported", "imported", "reply", "skipped"]
    _, notes = loaded(imported["content"])
    by_quote = {a.annotation.quote: a.annotation for a in notes.anchored}
    described = by_quote["città di Al-Mayadeen nella campagna Deir Ezzor"]
    assert described.article == BLOG  # by its page on the site, through a CssSelector
    assert (described.kind, described.author, described.date) == (
        "context",
        "mbianchi",
        "2024-03-06",
    )
    assert described.tags == ("geografia",)
    assert described.links == ("https://it.wikipedia.org/wiki/Al-Mayadin",)
    assert [(r.author, r.note) for r in described.replies] == [
        ("luca-neri", "Confermo: si trova sull'Eufrate.")
    ]
    assessed = by_quote["Il Washington Post sottolinea"]
    assert (assessed.kind, assessed.verdict, assessed.author) == (
        "fact-check",
        "misleading",
        "fact-checker-1",
    )


# --- Postilla's own export --------------------------------------------------------------------


def _comparable(content: Path) -> list[tuple]:
    _, notes = loaded(content)
    return sorted(
        (
            a.annotation.id,
            a.annotation.article,
            a.annotation.quote,
            a.annotation.note,
            a.annotation.kind,
            a.annotation.verdict,
            a.annotation.author,
            a.annotation.date,
            a.annotation.tags,
            a.annotation.links,
            a.annotation.replies,
            (a.anchor.start, a.anchor.end) if a.anchor else None,
        )
        for a in notes.anchored
    )


def test_postilla_export_round_trips(imported: dict, tmp_path: Path) -> None:
    exported = imported["site"] / "downloads" / "annotations.jsonld"
    content = tmp_path / "content"
    shutil.copytree(imported["content"], content)
    shutil.rmtree(content / "annotations")
    assert run(content, str(exported)) == 0
    assert main(["check", "--strict", "--content", str(content)]) == 0
    assert _comparable(content) == _comparable(imported["content"])


def test_export_with_explicit_and_colliding_ids_round_trips(tmp_path: Path) -> None:
    """Two authors on the same quote (the derived ids would collide) and an explicit id."""
    content = empty_content(tmp_path)
    import_seeds(content)
    folder = content / "annotations" / SPUTNIK
    folder.mkdir(parents=True)
    (folder / "a.yml").write_text(
        f"article: {SPUTNIK}\nannotations:\n"
        "  - quote: Bilal Karimi\n    kind: comment\n    note: Chi è?\n"
        "    author: alice\n    date: '2026-01-02'\n    id: chi-e-karimi\n"
        "  - quote: Bilal Karimi\n    kind: question\n    note: Portavoce di chi?\n"
        "    author: bob\n    date: '2026-01-03'\n",
        "utf-8",
    )
    articles, notes = loaded(content)
    text = export.web_annotations(archive.load_archive(content)[0], notes, SITE_URL)
    (tmp_path / "export.jsonld").write_text(text, "utf-8")
    shutil.rmtree(content / "annotations")
    assert run(content, str(tmp_path / "export.jsonld")) == 0
    ids = [row[0] for row in _comparable(content)]
    assert "chi-e-karimi" in ids and len(set(ids)) == 2
    assert main(["check", "--strict", "--content", str(content)]) == 0


# --- twice, and bad input -----------------------------------------------------------------------


def test_importing_twice_writes_nothing_the_second_time(
    imported: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(imported["content"], content)
    before = snapshot(content)
    capsys.readouterr()
    assert run(content, str(HYPOTHESIS), str(W3C), "--report", str(tmp_path / "r.jsonl")) == 0
    assert snapshot(content) == before
    out = capsys.readouterr().out
    assert "already there" in out and "0 imported" in out
    statuses = {(r["index"], r["status"]) for r in report(tmp_path / "r.jsonl")}
    assert (0, "already") in statuses and (1, "already") in statuses
    assert not {s for _, s in statuses} & {"imported", "reply"}


def test_the_same_annotation_twice_in_one_input_is_written_once(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    import_seeds(content)
    rows = json.loads(HYPOTHESIS.read_text("utf-8"))["annotations"][:1]
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps([rows[0], {**rows[0], "id": "other"}]), "utf-8")
    assert run(content, str(twice), "--report", str(tmp_path / "r.jsonl")) == 0
    assert [r["status"] for r in report(tmp_path / "r.jsonl")] == ["imported", "already"]
    assert len(list((content / "annotations").rglob("*.yml"))) == 1


def test_an_existing_file_name_is_never_overwritten(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    import_seeds(content)
    assert run(content, str(W3C)) == 0
    first = sorted((content / "annotations").rglob("*.yml"))
    for path in first:  # same names, other annotations: the import must pick new names
        path.write_text(path.read_text("utf-8").replace("author: ", "author: x"), "utf-8")
    kept = snapshot(content)
    assert run(content, str(W3C)) == 0
    after = snapshot(content)
    assert {k: after[k] for k in kept} == kept
    names = sorted(p.name for p in (content / "annotations").rglob("*.yml"))
    assert len(names) == 2 * len(first) and any(n.endswith("-2.yml") for n in names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"annotations": [\n  {"uri": "x",}\n]}', ":2:15: not JSON"),
        ('{"kind": "not annotations"}', ": not a Hypothesis export"),
        ("42", ": not a Hypothesis export"),
        (
            '{"type": "AnnotationCollection", "total": 3, "first": "https://x.org/p1"}',
            "first page is not in the file",
        ),
        ('{"type": "AnnotationPage", "items": {}}', "'items' is not a list"),
    ],
)
def test_bad_input_is_one_error_naming_the_file_and_writes_nothing(
    text: str, expected: str, content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, "utf-8")
    before = snapshot(content)
    # A good file first: nothing is written when any input is bad.
    assert run(content, str(HYPOTHESIS), str(bad)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.json" in err[0] and expected in err[0], err
    assert snapshot(content) == before


def test_undecodable_and_missing_inputs(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "export.json"
    binary.write_bytes(b'{"rows": ["\xff\xfe"]}')
    assert run(content, str(binary)) == 1
    assert "not UTF-8" in capsys.readouterr().err
    assert run(content, str(tmp_path / "missing.json")) == 1
    assert "missing.json: no such file" in capsys.readouterr().err
    assert not (content / "annotations").exists()


def test_rows_none_of_which_can_be_imported_exit_1(content: Path, tmp_path: Path) -> None:
    rows = json.loads(HYPOTHESIS.read_text("utf-8"))["annotations"]
    unusable = tmp_path / "unusable.json"
    unusable.write_text(json.dumps({"total": 2, "rows": [rows[7], rows[8]]}), "utf-8")
    assert run(content, str(unusable)) == 1
    empty = tmp_path / "empty.json"
    empty.write_text('{"total": 0, "rows": []}', "utf-8")
    assert run(content, str(empty)) == 0
    assert not (content / "annotations").exists()


def test_dry_run_writes_nothing(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(content)
    assert run(content, str(HYPOTHESIS), "--dry-run") == 0
    assert "would write" in capsys.readouterr().out
    assert snapshot(content) == before


# --- the pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.org/a/b",
        "http://example.org/a/b/",
        "https://example.org/a/b#section",
        "https://example.org/a/b?utm_source=x&utm_campaign=y",
        "HTTPS://EXAMPLE.org/a/b/#",
    ],
)
def test_url_key_ignores_what_does_not_change_the_page(variant: str) -> None:
    assert ai.url_key(variant) == ai.url_key("https://example.org/a/b")


def test_url_key_keeps_what_does() -> None:
    assert ai.url_key("https://example.org/a/b?id=2") != ai.url_key("https://example.org/a/b?id=3")
    assert ai.url_key("https://example.org/a/c") != ai.url_key("https://example.org/a/b")
    assert ai.url_key("ftp://example.org/a/b") is None


def test_page_urls_match_on_any_copy_of_the_site() -> None:
    ids = {"un-articolo"}
    for uri in (
        "https://alice.github.io/fork/articles/un-articolo/",
        "http://127.0.0.1:8000/articles/un-articolo/index.html",
        "articles/un-articolo/",
    ):
        assert ai.match_article(uri, {}, ids) == "un-articolo", uri
    assert ai.match_article("https://x.org/articles/altro/", {}, ids) is None


@pytest.mark.parametrize(
    ("data", "kind", "count"),
    [
        ([{"uri": "u", "text": "t"}], "hypothesis", 1),
        ({"total": 1, "rows": [{"uri": "u"}]}, "hypothesis", 1),
        ({"type": "Annotation", "target": "u"}, "w3c", 1),
        ([{"type": "Annotation"}, {"type": "oa:Annotation"}], "w3c", 2),
        (
            {
                "type": "AnnotationCollection",
                "first": {"type": "AnnotationPage", "items": [{}], "next": {"items": [{}, {}]}},
            },
            "w3c",
            3,
        ),
    ],
)
def test_input_shapes(data: object, kind: str, count: int) -> None:
    found, rows = ai.input_rows(data, "x.json")
    assert (found, len(rows)) == (kind, count)


def test_kinds_and_verdicts_from_hypothesis_tags() -> None:
    assert ai.kind_from_tags(["Factcheck", "Falso", "Siria"]) == ("fact-check", "false", ("Siria",))
    assert ai.kind_from_tags(["fact-check"]) == ("fact-check", None, ())
    # A verdict word is only a verdict on a fact-check.
    assert ai.kind_from_tags(["false", "domanda"]) == ("question", None, ("false",))
    assert ai.clean_tags(["#covid-19", "  a  b ", "A B", "x" * 50, "!!!"]) == (
        "covid-19",
        "a b",
        "x" * 40,
    )


def test_author_handles() -> None:
    assert ai.author_handle("felicity_nunsun") == "felicity-nunsun"
    assert ai.author_handle("Maria Bianchi") == "maria-bianchi"
    assert ai.author_handle("") == ai.ANONYMOUS
    assert len(ai.author_handle("a" * 60)) == 39
