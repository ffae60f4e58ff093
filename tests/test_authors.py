"""Authors: bylines normalised into people, desks and initials, and the pages a reader gets.

The unit cases pin each rule of `authors.bylines` with a byline as scraped; the built site
is the seed archive plus corpus articles whose bylines were set as a maintainer would
(a desk, initials twice, two authors in one byline, a name in capitals), built strictly.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import CORPUS, IMPORT_DAY, ROOT, empty_content, import_seeds, make_article
from generator import archive, importer
from generator.authors import AUTHORS_PER_PAGE, author_pages, bylines, ordinary_case
from generator.build import build_site
from generator.model import Archive, Source


@pytest.mark.parametrize(
    ("byline", "publisher", "expected"),
    [
        ("Mario Rossi", None, [("mario-rossi", "Mario Rossi", "person")]),
        ("di Mario Rossi", None, [("mario-rossi", "Mario Rossi", "person")]),
        ("By Jane Doe -", None, [("jane-doe", "Jane Doe", "person")]),
        ("ETTORE SALADINI", None, [("ettore-saladini", "Ettore Saladini", "person")]),
        ("Michele di Branco", None, [("michele-di-branco", "Michele di Branco", "person")]),
        ("JOHN DE LA CRUZ", None, [("john-de-la-cruz", "John de la Cruz", "person")]),
        ("M.C.", None, [("m-c", "M.C.", "initials")]),
        ("Al.Za.", None, [("al-za", "Al.Za.", "initials")]),
        ("FR", None, [("fr", "FR", "initials")]),
        ("Redazione", "ANSA", [("redazione-ansa", "Redazione ANSA", "desk")]),
        ("Red.", "Il Post", [("redazione-il-post", "Redazione Il Post", "desk")]),
        ("Red", None, [("redazione", "Redazione", "desk")]),
        ("La redazione", "ANSA", [("redazione-ansa", "Redazione ANSA", "desk")]),
        (
            "Redazione IL POPOLANO",
            None,
            [("redazione-il-popolano", "Redazione Il Popolano", "desk")],
        ),
        ("WVUE Staff", None, [("wvue-staff", "WVUE Staff", "desk")]),
        ("Napoli Magazine", "Napoli Magazine", [("napoli-magazine", "Napoli Magazine", "desk")]),
        (
            "Mario Rossi e Anna Bianchi",
            None,
            [("mario-rossi", "Mario Rossi", "person"), ("anna-bianchi", "Anna Bianchi", "person")],
        ),
        (
            "Jane Doe and John Smith",
            None,
            [("jane-doe", "Jane Doe", "person"), ("john-smith", "John Smith", "person")],
        ),
        (
            "Mario Rossi, Anna Bianchi",
            None,
            [("mario-rossi", "Mario Rossi", "person"), ("anna-bianchi", "Anna Bianchi", "person")],
        ),
        ("M.C. e L.M.", None, [("m-c", "M.C.", "initials"), ("l-m", "L.M.", "initials")]),
        ("Mario Rossi e MARIO ROSSI", None, [("mario-rossi", "Mario Rossi", "person")]),
        ("index", None, [("index-author", "Index", "person")]),
        ("  ", None, []),
        (None, None, []),
    ],
)
def test_bylines_are_normalised(
    byline: str | None, publisher: str | None, expected: list[tuple[str, str, str]]
) -> None:
    assert [(a.slug, a.name, a.kind) for a in bylines(byline, publisher)] == expected


def test_ordinary_case_keeps_mixed_case() -> None:
    assert ordinary_case("McDonald") == "McDonald"
    assert ordinary_case("anna maria rossi-bianchi") == "Anna Maria Rossi-Bianchi"


def test_two_publishers_desks_are_two_authors() -> None:
    sources = (Source("a.example", "Alpha"), Source("b.example", "Beta"))
    articles = (
        make_article("uno", "testo", author="Redazione", source="a.example"),
        make_article("due", "testo", author="Redazione", source="b.example"),
    )
    pages = author_pages(Archive(articles, sources, ()), "it")
    paths = sorted(p.path for p in pages)
    assert paths == [
        "authors/index.md",
        "authors/redazione-alpha.md",
        "authors/redazione-beta.md",
    ]


def test_a_large_authors_index_goes_by_initial() -> None:
    """Past AUTHORS_PER_PAGE authors the index lists initials with counts; each initial's
    table is in pages of at most AUTHORS_PER_PAGE rows; every author is in exactly one row,
    and every link of the index's pages leads to a page that is made."""
    names = [f"Mario Cognome{n}" for n in range(AUTHORS_PER_PAGE + 100)]
    names += [f"Luca Altro{n}" for n in range(300)] + ["3M Redattore"]
    articles = tuple(
        make_article(f"a{n:04d}", "testo", author=name) for n, name in enumerate(names)
    )
    pages = {p.path: str(p.content) for p in author_pages(Archive(articles, (), ()), "it")}
    index = pages["authors/index.md"]
    assert "|---|" not in index  # initials, not a table of every author
    assert "[L (300)](by-letter/l.md)" in index and "[# (1)](by-letter/0.md)" in index
    assert f"[M ({AUTHORS_PER_PAGE + 100})](by-letter/m.md)" in index
    tables = {path: text for path, text in pages.items() if path.startswith("authors/by-letter/")}
    assert sorted(tables) == sorted(f"authors/by-letter/{n}.md" for n in ("0", "l", "m", "m-2"))
    rows = [
        line for text in tables.values() for line in text.splitlines() if line.startswith("| [")
    ]
    assert len(rows) == len(names) == len(set(rows))
    assert all(text.count("\n| [") <= AUTHORS_PER_PAGE for text in tables.values())
    assert "[2](m-2.md)" in tables["authors/by-letter/m.md"]
    for path, text in [("authors/index.md", index), *tables.items()]:
        for target in re.findall(r"\]\(([^)]+\.md)\)", text):
            made = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            assert made in pages, (path, target)


def test_no_author_index_says_so() -> None:
    pages = author_pages(Archive((make_article("uno", "testo"),), (), ()), "en")
    assert [p.path for p in pages] == ["authors/index.md"]
    assert "No article names its author yet." in str(pages[0].content)


# --- a built site ------------------------------------------------------------------------

BYLINES = (
    "Redazione",
    "M.C.",
    "M.C.",
    "Mario Rossi e Anna Bianchi",
    "MARIO ROSSI",
    "di Anna Bianchi",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(content, site, article id -> byline set by hand) of a small archive built strictly."""
    folder = tmp_path_factory.mktemp("authors")
    content = empty_content(folder)
    import_seeds(content)
    for number in range(4):
        outcomes = importer.import_files(
            [CORPUS / f"{number:03d}.txt"], content, today=IMPORT_DAY, url=None
        )
        assert outcomes[0].status == "imported", outcomes
    paths = sorted(archive.article_paths(content))
    assert len(paths) == len(BYLINES)
    given = {}
    for path, byline in zip(paths, BYLINES, strict=True):
        article = archive.read_article(path)
        archive.write_text_atomic(
            path, archive.article_to_text(replace(article, author=byline, author_source="edited"))
        )
        given[article.id] = byline
    site = folder / "site"
    result = build_site(ROOT / "mkdocs.yml", content, site, strict=True, progress=False)
    assert result.warnings == 0
    return content, site, given


def page(site: Path, path: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / path / "index.html").read_text("utf-8"))


def listed_ids(tree: lxml_html.HtmlElement) -> list[str]:
    """The article ids the main listing of an author's page links to."""
    hrefs = tree.xpath('//article//li/a[contains(@href, "articles/")]/@href')
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def test_author_pages_list_every_article_of_the_byline(
    built: tuple[Path, Path, dict[str, str]],
) -> None:
    _, site, given = built
    expected = {
        "mario-rossi": {i for i, b in given.items() if "rossi" in b.casefold()},
        "anna-bianchi": {i for i, b in given.items() if "Bianchi" in b},
        "m-c": {i for i, b in given.items() if b == "M.C."},
    }
    for slug, ids in expected.items():
        assert len(ids) == 2, slug
        tree = page(site, f"authors/{slug}")
        assert sorted(listed_ids(tree)) == sorted(ids), slug
        assert "2 articoli" in tree.text_content(), slug


def test_desk_page_is_named_after_the_publisher(built: tuple[Path, Path, dict[str, str]]) -> None:
    content, site, given = built
    desk_id = next(i for i, b in given.items() if b == "Redazione")
    article = archive.read_article(content / "articles" / f"{desk_id}.md")
    registered, _ = archive.load_sources(content / archive.SOURCES)
    source = Archive((), registered, ()).source_for(article.source)
    publisher = source.name if source else article.publisher or article.source
    (author,) = bylines("Redazione", publisher)
    tree = page(site, f"authors/{author.slug}")
    assert author.name != "Redazione"  # the publisher names the desk
    assert tree.xpath("//h1")[0].text_content().strip().rstrip("¶") == author.name
    assert "redazione" in tree.text_content()  # the kind: a desk, not a person
    assert listed_ids(tree) == [desk_id]


def test_authors_index_counts(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, site, _ = built
    tree = page(site, "authors")
    rows = {
        row.xpath("td[1]//a")[0].get("href").rstrip("/"): [
            td.text_content().strip() for td in row.xpath("td")
        ]
        for row in tree.xpath("//table//tr[td]")
    }
    assert len(rows) == 4
    assert rows["mario-rossi"][1:3] == ["persona", "2"]
    assert rows["m-c"][1:3] == ["iniziali", "2"]
    assert rows["anna-bianchi"][2] == "2"
    assert sum(1 for r in rows.values() if r[1] == "redazione") == 1


def test_authors_index_by_initial_as_a_reader_gets_it(
    built: tuple[Path, Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same archive built strictly with one author a page: the index lists the
    initials, every initial's pages have one <h1> and link each author once, and every
    link of those pages resolves to a page of the site."""
    import generator.authors

    content, _, _ = built
    monkeypatch.setattr(generator.authors, "AUTHORS_PER_PAGE", 1)
    site = tmp_path / "site"
    result = build_site(ROOT / "mkdocs.yml", content, site, strict=True, progress=False)
    assert result.warnings == 0
    index = page(site, "authors")
    initials = index.xpath("//p[contains(@class, 'postilla-initials')]//a")
    assert [a.text for a in initials] == ["A (1)", "M (2)", "R (1)"]
    assert not index.xpath("//table")
    letter_pages = sorted((site / "authors" / "by-letter").glob("*/index.html"))
    assert [p.parent.name for p in letter_pages] == ["a", "m", "m-2", "r"]
    linked = []
    for path in letter_pages:
        tree = lxml_html.fromstring(path.read_text("utf-8"))
        assert len(tree.xpath("//h1")) == 1, path
        linked += [a.get("href") for a in tree.xpath("//table//td[1]//a")]
        for href in tree.xpath("//article//a/@href"):
            address, _, fragment = href.partition("#")
            if not address:
                assert tree.xpath(f"//*[@id='{fragment}']"), (path, href)
                continue
            target = posixpath.normpath(posixpath.join(str(path.parent), address))
            assert Path(target, "index.html").is_file() or Path(target).is_file(), (path, href)
    assert len(linked) == len(set(linked)) == 4


def test_article_page_links_each_author(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, site, given = built
    two = next(i for i, b in given.items() if " e " in b)
    tree = page(site, f"articles/{two}")
    hrefs = tree.xpath('//dl//a[contains(@href, "authors/")]/@href')
    assert [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs] == ["mario-rossi", "anna-bianchi"]
    for href in hrefs:  # each resolves to a built page
        target = posixpath.normpath(posixpath.join(f"articles/{two}/", href))
        assert (site / target / "index.html").is_file(), href


def test_author_page_links_resolve(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, site, _ = built
    pages = sorted((site / "authors").rglob("index.html"))
    assert len(pages) == 5  # the index and four authors
    for built_page in pages:
        here = built_page.parent.relative_to(site).as_posix() + "/"
        tree = lxml_html.fromstring(built_page.read_text("utf-8"))
        for href in tree.xpath("//article//a/@href"):
            if href.startswith(("http", "#", "mailto:")):
                continue
            target = site / posixpath.normpath(posixpath.join(here, href.split("#")[0]))
            assert target.is_file() or (target / "index.html").is_file(), (built_page, href)


def test_home_links_the_authors_index(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, site, _ = built
    tree = lxml_html.fromstring((site / "index.html").read_text("utf-8"))
    assert tree.xpath('//article//a[@href="authors/"]')
