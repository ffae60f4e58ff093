"""Provenance and hand edits: where each value came from, and what --reclean keeps.

A maintainer corrects an author, a date or a source in an article's front matter; the
digests written at import (``generated:``) show which fields no longer hold the generated
value, and ``postilla import --reclean`` keeps those and says so. A saved web page keeps
what it declares about itself (``article:published_time``, its author, its language).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CASES, ROOT, snapshot
from generator import archive, importer
from generator.build import build_site
from generator.cli import main
from generator.ingest import page_meta
from generator.model import ContentError


def article_paths(content: Path) -> list[Path]:
    return sorted(archive.article_paths(content))


def edit(path: Path, **fields: object) -> None:
    """Change front-matter fields as a maintainer would: the digests stay as imported."""
    article = archive.read_article(path)
    archive.write_text_atomic(path, archive.article_to_text(replace(article, **fields)))  # type: ignore[arg-type]


def test_import_records_sources_and_digests(content: Path) -> None:
    for path in article_paths(content):
        article = archive.read_article(path)
        assert article.language_source == "detected"
        assert dict(article.generated).keys() == set(importer.TRACKED_FIELDS)
        assert importer.edited_fields(article) == ()


def test_reclean_keeps_hand_edited_author_date_and_source(content: Path) -> None:
    path = article_paths(content)[0]
    before = archive.read_article(path)
    edit(path, author="Anna Verdi", date="1999-01-02", source="example.org")
    outcomes = importer.reclean(content)
    mine = next(o for o in outcomes if o.article_id == before.id)
    assert mine.status == "recleaned"
    assert "kept edited by hand: date, source, author" in mine.message
    after = archive.read_article(path)
    assert (after.author, after.date, after.source) == ("Anna Verdi", "1999-01-02", "example.org")
    assert (after.author_source, after.date_source) == ("edited", "edited")
    assert after.title == before.title  # not edited: regenerated, the same
    # The next reclean changes nothing and still names what it keeps.
    again = next(o for o in importer.reclean(content) if o.article_id == before.id)
    assert again.status == "unchanged"
    assert "kept edited by hand: date, date_source, source, author, author_source" in again.message


def test_reclean_regenerates_what_was_not_edited(content: Path) -> None:
    path = article_paths(content)[0]
    before = archive.read_article(path)
    # An older generator's value: the field and its digest agree, so it is not a hand edit.
    stale = dict(before.generated) | {"place": importer.field_digest("Atlantide")}
    edit(path, place="Atlantide", generated=tuple(sorted(stale.items())))
    importer.reclean(content)
    after = archive.read_article(path)
    assert after.place == before.place
    assert after.generated == before.generated


def test_reclean_via_the_command_line_lists_what_it_kept(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = article_paths(content)[1]
    edit(path, author="Redazione Esteri")
    assert main(["import", "--reclean", "--content", str(content)]) == 0
    out = capsys.readouterr()
    assert "kept edited by hand: author" in out.out + out.err
    assert archive.read_article(path).author == "Redazione Esteri"


def test_legacy_article_keeps_fields_marked_edited(content: Path) -> None:
    path = article_paths(content)[0]
    edit(path, author="Anna Verdi", author_source="edited", generated=())
    text = path.read_text("utf-8")
    assert "generated:" not in text or "generated: {}" in text
    outcome = next(o for o in importer.reclean(content) if o.article_id == path.stem)
    assert "kept edited by hand: author" in outcome.message
    after = archive.read_article(path)
    assert after.author == "Anna Verdi" and after.generated  # digests written now


def test_bad_digest_is_a_located_error(content: Path) -> None:
    path = article_paths(content)[0]
    text = path.read_text("utf-8")
    broken = text.replace("generated:\n  agency: ", "generated:\n  agency: zz", 1)
    assert broken != text
    path.write_text(broken, "utf-8")
    before = snapshot(content)
    with pytest.raises(ContentError) as raised:
        archive.read_article(path)
    (problem,) = raised.value.problems
    assert problem.path.endswith(path.name) and problem.line is not None
    assert "\n" not in str(problem)
    outcomes = importer.reclean(content)
    assert [o.status for o in outcomes if o.article_id is None] == ["error"]
    assert snapshot(content) == before


def test_html_import_keeps_published_time_and_author(tmp_path: Path, content: Path) -> None:
    outcomes = importer.import_files([CASES / "saved_web_page.html"], content)
    assert outcomes[0].status == "imported", outcomes
    article = archive.read_article(content / "articles" / f"{outcomes[0].article_id}.md")
    assert article.published == "2022-10-27T21:30:00+02:00"
    assert article.date == "2022-10-27"
    assert article.author == "Giulia Bianchi"
    site = tmp_path / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    html = (site / "articles" / article.id / "index.html").read_text("utf-8")
    assert 'datetime="2022-10-27T21:30:00+02:00"' in html


PAGE = """<!doctype html><html lang="en_GB"><head>
<meta property="article:published_time" content="2023-03-04T08:15:00Z">
<meta property="article:author" content="https://example.org/people/jane">
<meta name="author" content="Jane Doe">
<meta name="description" content="What the page says it is about.">
<title>A headline that is long enough to be one</title></head><body><article>
<h1>A headline that is long enough to be one</h1>
{body}
</article></body></html>"""
BODY = "".join(
    f"<p>Paragraph {n} of an article about the harbour and its ships, which the town has"
    " argued about for years and will argue about again next spring.</p>"
    for n in range(6)
)


def test_page_meta_reads_what_the_page_declares() -> None:
    declared = page_meta(PAGE.format(body=BODY).encode())
    assert declared == {
        "published": "2023-03-04T08:15:00Z",
        "author": "Jane Doe",
        "description": "What the page says it is about.",
        "language": "en-GB",
    }


@pytest.mark.parametrize(
    "value", ["2023-03-04", "yesterday", "2023-02-30T10:00:00+01:00", "2023-03-04T10:00:00"]
)
def test_page_meta_leaves_out_a_time_that_is_not_one(value: str) -> None:
    page = PAGE.replace("2023-03-04T08:15:00Z", value).format(body=BODY)
    assert "published" not in page_meta(page.encode())


def test_html_without_dated_text_takes_the_page_time(tmp_path: Path, content: Path) -> None:
    saved = tmp_path / "harbour.html"
    saved.write_text(PAGE.format(body=BODY), "utf-8")
    outcomes = importer.import_files([saved], content, url="https://example.org/harbour")
    assert outcomes[0].status == "imported", outcomes
    article = archive.read_article(content / "articles" / f"{outcomes[0].article_id}.md")
    assert article.published == "2023-03-04T08:15:00Z"
    assert (article.date, article.date_source) in {
        ("2023-03-04", "page metadata"),
        ("2023-03-04", "header"),
    }
    assert (article.author, article.author_source) == ("Jane Doe", "page metadata")
    assert article.description == "What the page says it is about."
    assert article.language == "en"  # detected from the text; the page agrees
