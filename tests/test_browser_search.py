"""Search that reads Italian text, in a browser: the shipped archive and the corpus site.

Every apostrophe is one (``dell’Isis``, ``dell'Isis``), an elided article or preposition
is not part of the word (``Isis`` finds ``dell’Isis``; ``dell'Isis`` does not find every
``della``), an entity's aliases find the articles that mention it, and the page opened
from a result marks the words searched in its text.

The counts expected are worked out here from the articles themselves (their words, and
the entities the linker found in them), never from what the search answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_browser import (
    CHROMIUM_ARGS,  # noqa: F401  (used by the imported fixture)
    ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    Reader,
    browser,  # noqa: F401  (a fixture)
)
from test_browser import (
    search as type_query,
)

from benchmarks.scale import serve
from generator.archive import load_archive
from generator.entities import index_archive

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # pragma: no cover - test_browser skips the module first
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

# A word as the search documents give it to Pagefind: split at every apostrophe (of any
# kind), hyphen and other non-word character.
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Archive:
    """A built site, served, and what its articles say."""

    url: str
    titles: dict[str, str]  # article id -> its title
    texts: dict[str, str]  # article id -> its title, text and footnotes
    names: dict[str, set[str]]  # article id -> every word of its entities' names and aliases

    def words(self, article: str) -> set[str]:
        return set(_WORD.findall(self.texts[article].lower()))

    def with_word(self, word: str, *, names: bool = True) -> set[str]:
        """The articles with a word that starts with `word` (Pagefind matches the words
        that start with a query's stem) in their text or, with `names`, in the names and
        aliases of the entities they mention."""
        prefix = word.lower()
        return {
            article
            for article in self.texts
            if any(
                w.startswith(prefix)
                for w in self.words(article) | (self.names[article] if names else set())
            )
        }


def archive_of(content: Path, url: str) -> Archive:
    archive, _ = load_archive(content)
    index = index_archive(archive)  # the entities each article's page lists
    entities = {e.id: e for e in archive.entities}
    titles, texts, names = {}, {}, {}
    for article in archive.articles:
        titles[article.id] = article.title
        texts[article.id] = " ".join((article.title, *article.paragraphs, *article.footnotes))
        names[article.id] = {
            w
            for e in index.entities_in(article.id)
            for name in (entities[e].name, *entities[e].aliases)
            for w in _WORD.findall(name.lower())
        }
    return Archive(url, titles, texts, names)


@pytest.fixture(scope="module")
def corpus(corpus_site: Path) -> Iterator[Archive]:
    with serve(corpus_site) as url:
        yield archive_of(corpus_site.parent / "content", url)


@pytest.fixture(scope="module")
def shipped(shipped_site: Path) -> Iterator[Archive]:
    with serve(shipped_site) as url:
        yield archive_of(ROOT / "content", url)


@contextmanager
def reading(browser: Browser, url: str, scheme: str = "light") -> Iterator[Reader]:  # noqa: F811
    context = browser.new_context(
        viewport=VIEWPORT, locale="it-IT", color_scheme=scheme, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield Reader(context, url)
    finally:
        context.close()


def search(page: Page, query: str) -> tuple[int, list[str]]:
    """Type `query` into the search box (`test_browser.search`); the count it shows and the
    articles listed."""
    hrefs = type_query(page, query)
    shown = page.locator(".md-search-result__meta").inner_text()
    count = 0 if shown.startswith("Nessun") else int(re.findall(r"\d+", shown)[0])
    return count, [urlsplit(h).path.split("/articles/")[1].strip("/") for h in hrefs]


def expect_found(page: Page, query: str, expected: set[str]) -> None:
    """The search box finds exactly `expected` (one page of results: all of them listed)."""
    assert len(expected) <= 20, "more than a page of results: the list would be cut"
    count, articles = search(page, query)
    assert (count, sorted(articles)) == (len(expected), sorted(expected)), query


def excerpt(page: Page, article: str) -> str:
    item = page.locator(f".md-search-result__item:has(a[href*='/articles/{article}/'])")
    return item.locator("article > p").last.inner_text()


# --- what a search finds -----------------------------------------------------------------


def test_an_elided_article_is_not_part_of_the_word(browser: Browser, corpus: Archive) -> None:  # noqa: F811
    """``Isis``, ``dell’Isis``, ``dell'Isis`` and ``l’Isis`` find the same articles: those
    that write Isis however it is glued (``dell’Isis``, ``l'ISIS``…), and those that
    mention the Islamic State (Isis is one of its aliases). Not those that only say
    ``della``, which ``dell'`` alone would find."""
    isis = corpus.with_word("isis")
    curly = {a for a, t in corpus.texts.items() if re.search(r"(?i)\b(dell|l)’isis\b", t)}
    assert curly, "the corpus has no article that writes dell’Isis or l’Isis"
    della = {a for a in corpus.texts if "della" in corpus.words(a)} - isis
    assert della, "the corpus has no article with della and without Isis"
    with reading(browser, corpus.url) as reader:
        page = reader.open()
        for query in ("Isis", "dell’Isis", "dell'Isis", "DELL‘ISIS", "l’Isis"):
            expect_found(page, query, isis)
        reader.assert_clean()


def test_an_alias_finds_the_articles_of_its_entity(browser: Browser, corpus: Archive) -> None:  # noqa: F811
    """``Zawahiri`` is an alias of Ayman al-Zawahiri: it finds the article that writes
    ``al-Zawahri``, whose page links to him, and shows why (his names) in the excerpt."""
    written = corpus.with_word("zawahiri", names=False)
    linked = corpus.with_word("zawahiri")
    assert linked - written, "the corpus has no article that spells Zawahiri another way"
    daesh = corpus.with_word("daesh")
    assert daesh - corpus.with_word("daesh", names=False)
    with reading(browser, corpus.url) as reader:
        page = reader.open()
        expect_found(page, "Zawahiri", linked)
        (only_alias,) = linked - written
        assert "◉ Ayman al-Zawahiri" in excerpt(page, only_alias)
        expect_found(page, "Daesh", daesh)
        # Where the text has the word, the excerpt is the text's, not the list of names.
        expect_found(page, "Isis", corpus.with_word("isis"))
        for article in corpus.with_word("isis", names=False):
            assert "◉" not in excerpt(page, article), article
        reader.assert_clean()


def test_the_shipped_archive(browser: Browser, shipped: Archive) -> None:  # noqa: F811
    with reading(browser, shipped.url) as reader:
        page = reader.open()
        for query in ("Isis", "dell’Isis", "dell'Isis"):
            expect_found(page, query, shipped.with_word("isis"))
        expect_found(page, "Daesh", shipped.with_word("daesh"))
        expect_found(page, "Taliban", shipped.with_word("taliban"))
        reader.assert_clean()


# --- the page a result opens -------------------------------------------------------------


def test_the_page_opened_from_a_result_marks_the_words_searched(
    browser: Browser,  # noqa: F811
    corpus: Archive,
) -> None:
    """In the article's text only (its title says Isis too), with the site's own script,
    fetched only on a page opened from a result."""
    [article] = [i for i in corpus.titles if "l-affiliato-afghano-dell-isis" in i]
    assert "dell'Isis" in corpus.titles[article]
    body = corpus.texts[article][len(corpus.titles[article]) :]
    assert re.search(r"\b(?:dell|L)'Isis\b", body)
    with reading(browser, corpus.url) as reader:
        page = reader.open(f"articles/{article}/")
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.reload(wait_until="networkidle")
        assert not [u for u in fetched if "highlight" in u], "the highlighter loaded unasked"
        expect(page.locator("mark")).to_have_count(0)

        search(page, "dell’Isis")
        page.locator(f".md-search-result__item a[href*='/articles/{article}/']").click()
        expect(page).to_have_url(re.compile(re.escape(f"/articles/{article}/?highlight=isis")))
        marks = page.locator(".postilla-body mark.postilla-highlight")
        expect(marks.first).to_be_visible()
        assert {m.lower() for m in marks.all_inner_texts()} == {"isis"}
        expect(page.locator("mark.postilla-highlight")).to_have_count(marks.count())
        expect(page.locator("article h1 mark")).to_have_count(0)
        assert [u for u in fetched if u.endswith("/pagefind/pagefind-highlight.js")]
        reader.assert_clean()


def test_the_filter_menus_are_named_in_the_site_language(
    browser: Browser,  # noqa: F811
    corpus: Archive,
) -> None:
    with reading(browser, corpus.url) as reader:
        page = reader.open()
        search(page, "Isis")
        page.locator("[data-postilla-search-filters] summary").click()
        for name, label in (("source", "Fonte"), ("year", "Anno")):
            menu = page.locator(f"select[data-filter={name}]")
            expect(menu).to_have_attribute("aria-label", label)
            expect(page.get_by_role("combobox", name=label, exact=True)).to_have_count(1)
        reader.assert_clean()
