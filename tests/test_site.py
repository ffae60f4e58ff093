"""Generated pages: listings as HTML blocks in place of markers, pagination, escaping."""

from __future__ import annotations

import gzip
import io
from csv import DictReader

import markdown
import pytest

from conftest import make_article
from generator import export, site
from generator.model import Archive


def _archive(*articles: object) -> Archive:
    return Archive(articles=tuple(articles), sources=(), entities=())  # type: ignore[arg-type]


def test_a_listing_is_a_marker_in_the_markdown_and_html_in_its_block() -> None:
    hostile = make_article("a", title="ISIS* <script>alert(1)</script> [x](y)", date="2021-10-24")
    (year,) = site.year_page("2021", "2021", [hostile], _archive(hostile), "it")
    assert year.path == "archive/2021.md"
    assert site.BLOCK.format(n=0) in str(year.content)
    assert "<script>" not in str(year.content) and "ISIS" not in str(year.content)
    (block,) = year.blocks
    assert "ISIS* &lt;script&gt;alert(1)&lt;/script&gt; [x](y)" in block
    assert '<a href="../../articles/a/">' in block  # archive/2021/ is two levels down
    # The marker survives MkDocs' Markdown as it is, and the block takes its place.
    html = markdown.Markdown(extensions=["toc", "attr_list"]).convert(str(year.content))
    filled = site.fill_blocks(html, year.blocks)
    assert site.BLOCK.format(n=0) not in filled and block in filled
    assert filled.index("<h2") < filled.index(block)  # the month's heading, then its articles


def test_months_are_headings_between_the_blocks_of_a_year() -> None:
    articles = [
        make_article(f"a{day}", date=f"2021-{month:02d}-{day:02d}")
        for month, day in ((3, 1), (3, 2), (1, 5))
    ]
    (page,) = site.year_page("2021", "2021", articles, _archive(*articles), "en")
    markdown_lines = str(page.content).splitlines()
    headings = [line for line in markdown_lines if line.startswith("## ")]
    assert len(headings) == 2 and len(page.blocks) == 2  # March, then January
    assert markdown_lines.index(headings[0]) < markdown_lines.index(site.BLOCK.format(n=0))
    assert markdown_lines.index(site.BLOCK.format(n=0)) < markdown_lines.index(headings[1])
    assert page.blocks[0].count("<li>") == 2 and page.blocks[1].count("<li>") == 1


def test_pages_of_a_long_listing_link_to_each_other_and_use_their_own_depth() -> None:
    count = 2 * site.PER_PAGE + 1
    articles = [make_article(f"a{n:03d}", date="2020-01-01") for n in range(count)]
    first, second = site.source_page("x.it", None, articles, _archive(*articles), "en")
    assert (first.path, second.path) == ("sources/x.it.md", "sources/x.it/1.md")
    # Anchored at the oldest: the older page is full, the first holds the newest rest.
    assert first.blocks[0].count("<li>") == site.PER_PAGE + 1
    assert second.blocks[0].count("<li>") == site.PER_PAGE
    assert '<a href="../../articles/' in first.blocks[0]  # sources/x.it/ is two levels down
    assert '<a href="../../../articles/' in second.blocks[0]  # sources/x.it/1/ is three
    assert "(x.it/1.md)" in str(first.content) and "(../x.it.md)" in str(second.content)


def test_page_sizes_fill_every_page_but_the_first_counting_from_the_oldest() -> None:
    assert site.page_sizes(0, 3) == [0] and site.page_sizes(3, 3) == [3]
    assert site.page_sizes(4, 3) == [4] and site.page_sizes(5, 3) == [5]
    assert site.page_sizes(6, 3) == [3, 3] and site.page_sizes(7, 3) == [4, 3]
    assert site.page_sizes(9, 3) == [3, 3, 3] and site.page_sizes(11, 3) == [5, 3, 3]
    for count in range(3, 40):  # the first page is never short once there are two
        sizes = site.page_sizes(count, 3)
        assert sum(sizes) == count and 3 <= sizes[0] < 6 and set(sizes[1:]) <= {3}


def _listing_pages(count: int, per_page: int = 3) -> dict[str, str]:
    """A listing of `count` items (item n is the n-th oldest), newest first: path -> page."""
    items = [lambda page, n=n: site.Listed(f"<li>item {n}</li>", None) for n in range(count, 0, -1)]
    pages = site.paginated("stem/x", ["# X", "", f"{count} items", ""], items, "en", per_page)
    return {p.path: str(p.content) + "".join(p.blocks) for p in pages}


def test_adding_the_newest_item_changes_only_the_first_page_or_adds_one() -> None:
    for count in range(1, 14):
        before, after = _listing_pages(count), _listing_pages(count + 1)
        changed = {p for p in before if before[p] != after.get(p)}
        added = set(after) - set(before)
        # the first page, and when it was full the page it becomes and the one it links to
        assert changed <= {"stem/x.md", f"stem/x/{len(before) - 1}.md"}, count
        # a new page when the first would reach twice a page
        assert len(added) == (count >= 5 and count % 3 == 2), count
    # every item is on exactly one page, the oldest on page 1
    pages = _listing_pages(10)
    assert "item 1<" in pages["stem/x/1.md"] and "item 10<" in pages["stem/x.md"]
    assert sum(page.count("<li>") for page in pages.values()) == 10


def test_links_follow_use_directory_urls() -> None:
    article = make_article("a", date="2020-01-01")
    home = site.home_page(_archive(article), "Site", None, "en", directory_urls=False)
    assert '<a href="articles/a.html">' in home.blocks[0]


def test_downloads_in_runs_are_the_records_and_a_new_article_changes_one_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs of articles are gzip members counted from the oldest: the downloads read as the
    export command's records, and adding the newest article compresses only the first run
    again (the others come from `compressed`, as from the plugin's cache)."""
    monkeypatch.setattr(site, "EXPORT_RUN", 3)
    articles = [
        make_article(f"a{n:02d}", f"Testo {n}.", date=f"20{n + 10:02d}-01-01") for n in range(7)
    ]
    made: dict[tuple[str, ...], tuple[bytes, bytes]] = {}
    compressed_again: list[tuple[str, ...]] = []

    def remembered(run, make):  # type: ignore[no-untyped-def]
        ids = tuple(a.id for a in run)
        if ids not in made:
            compressed_again.append(ids)
            made[ids] = make()
        return made[ids]

    def downloads(archive: Archive) -> tuple[str, str]:
        jsonl, csv, *_ = site.download_files(archive, compressed=remembered)
        return (
            gzip.decompress(bytes(jsonl.content)).decode("utf-8"),
            gzip.decompress(bytes(csv.content)).decode("utf-8"),
        )

    archive = _archive(*articles)
    rows = export.records(archive)
    assert downloads(archive) == (export.to_jsonl(rows), export.to_csv(rows))
    assert compressed_again == [("a06",), ("a05", "a04", "a03"), ("a02", "a01", "a00")]
    compressed_again.clear()
    newest = make_article("a07", "Testo 7.", date="2030-01-01")
    grown = _archive(*articles, newest)
    rows = export.records(grown)
    assert downloads(grown) == (export.to_jsonl(rows), export.to_csv(rows))
    assert compressed_again == [("a07", "a06")]  # the older runs as they were
    empty = downloads(_archive())
    assert empty == (export.to_jsonl([]), export.to_csv([]))


def test_fill_blocks_leaves_a_page_without_markers_alone() -> None:
    assert site.fill_blocks("<p>text</p>", ()) == "<p>text</p>"


def test_the_downloads_are_the_export_command_s_records() -> None:
    articles = [
        make_article(f"a{n}", f'Testo {n}, con "virgolette".', date=f"202{n}-01-01")
        for n in range(3)
    ]
    archive = _archive(*articles)
    jsonl, csv, *_ = site.download_files(archive)  # then the W3C annotations
    rows = export.records(archive)
    assert gzip.decompress(bytes(jsonl.content)).decode("utf-8") == export.to_jsonl(rows)
    text = gzip.decompress(bytes(csv.content)).decode("utf-8")
    assert text == export.to_csv(rows)
    parsed = list(DictReader(io.StringIO(text)))
    assert [r["id"] for r in parsed] == ["a2", "a1", "a0"]  # newest first
    assert parsed[0]["body"] == 'Testo 2, con "virgolette".'
