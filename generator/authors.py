"""Authors: bylines normalised into people and desks, and the pages that list their articles.

A byline is stored as written (``author:`` in the front matter); the site reads it through
`bylines`, which undoes what scraping leaves and what typography varies, without guessing:

- ``di``/``by``/``a cura di`` left in front of the name are dropped, as are trailing dashes;
- a name written all in capitals (``ETTORE SALADINI``) is given ordinary case; a name
  written in mixed case is kept (``Michele di Branco``);
- initials (``M.C.``, ``Al.Za.``, ``FR``) stay initials, as written: who they stand for
  is not known;
- a newsroom (``Redazione X``, ``La redazione``, ``Red.``, ``WVUE Staff``, or the name of
  the publisher itself) is a *desk*, not a person; a bare ``Redazione`` or ``Red.`` is the
  desk of the article's publisher, so two papers' desks are two authors;
- several names (``A e B``, ``A and B``, ``A, B``, ``A & B``) are several authors.

Each author has one page, ``authors/<slug>.md``: every article under that byline (title,
source, date), its sources and the span of its dates; ``authors/index.md`` lists them all.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape as html_escape
from typing import Literal

from slugify import slugify

from . import i18n
from .markdown_text import escape
from .model import Archive, Article
from .site import GeneratedFile, Listed, newest_first, page_url, paginated

AuthorKind = Literal["person", "desk", "initials"]

# Heuristics as data: what a byline may still carry in front of the name…
LEADING_WORDS = re.compile(
    r"^(?:[-–—•·]\s*)?(?:di|by|da|a cura di|testo di|articolo di|scritto da|written by"
    r"|autore\s*:|author\s*:)\s+",
    re.IGNORECASE,
)
# …the words that join several names…
SEPARATORS = re.compile(r"\s*(?:,|;|&|\s(?:e|ed|and|und|y|et)\s)\s*", re.IGNORECASE)
# …what names a newsroom rather than a person (the whole byline, or its first word)…
DESK = re.compile(
    r"^(?:(?:la\s+)?redazione|red\.?|staff|newsroom|editorial staff|desk)(?:\s+(?P<of>.+))?$"
    r"|^(?P<owner>.+?)\s+(?:staff|newsroom|desk|redazione)$",
    re.IGNORECASE,
)
DESK_WORD = {"red": "Redazione", "red.": "Redazione"}  # abbreviations, spelt out
# …initials: ``M.C.``, ``Al.Za.``, ``FR`` (two or three capitals), never a word.
INITIALS = re.compile(r"^(?:(?:[A-ZÀ-Ý][a-zà-ÿ]?\.\s?){1,3}|[A-Z]{2,3})$")
# …and the particles of a surname that stay in lower case when capitals are undone.
PARTICLES = frozenset({"di", "de", "da", "del", "della", "dei", "van", "von", "der", "le", "la"})


@dataclass(frozen=True)
class Author:
    """One author as the site shows it: a person, a desk or initials."""

    slug: str  # authors/<slug>.md
    name: str
    kind: AuthorKind


def ordinary_case(name: str) -> str:
    """`name` with capitals undone when it is written all in capitals or all in lower case
    (``ETTORE SALADINI`` → ``Ettore Saladini``); a name in mixed case is kept as written."""
    letters = [c for c in name if c.isalpha()]
    if not letters or not (name.isupper() or name.islower()):
        return name
    words = name.lower().split(" ")
    return " ".join(
        word
        if index and word in PARTICLES
        else "-".join(p[:1].upper() + p[1:] for p in word.split("-"))
        for index, word in enumerate(words)
    )


def author_slug(name: str) -> str:
    """The page name of an author: an ASCII slug of the name, or a short hash of it when
    the name has no letter slugify can spell."""
    slug = slugify(name, max_length=80) or "author-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return slug + "-author" if slug == "index" else slug  # the index page keeps its name


def _desk(text: str, publisher: str | None) -> str | None:
    """The name of the desk `text` names, or None when it names no desk."""
    if publisher and text.casefold() == publisher.casefold():
        return text
    match = DESK.match(text)
    if not match:
        return None
    if match["owner"]:
        return text
    word = text.split()[0]
    spelt = DESK_WORD.get(word.casefold(), ordinary_case(word) if word.isupper() else word)
    if text.casefold().startswith("la redazione"):
        spelt, of = "Redazione", text[len("la redazione") :].strip()
    else:
        of = (match["of"] or "").strip()
    of = ordinary_case(of) if of else (publisher or "")  # a registered name is kept as is
    return f"{spelt[:1].upper()}{spelt[1:]} {of}".strip()


def bylines(author: str | None, publisher: str | None = None) -> tuple[Author, ...]:
    """The authors a stored byline names, normalised (see the module's docstring).
    `publisher` (the source's name) names the desk of a bare ``Redazione``. Pure."""
    text = " ".join((author or "").split())
    text = LEADING_WORDS.sub("", text).strip(" -–—•·|")
    if not text:
        return ()
    desk = _desk(text, publisher)
    if desk:
        return (Author(author_slug(desk), desk, "desk"),)
    found: list[Author] = []
    for part in SEPARATORS.split(text):
        part = (
            LEADING_WORDS.sub("", part).strip(" -–—•·|.")
            if not INITIALS.match(part.strip())
            else part.strip()
        )
        if not part:
            continue
        desk = _desk(part, publisher)
        if desk:
            author_ = Author(author_slug(desk), desk, "desk")
        elif INITIALS.match(part):
            author_ = Author(author_slug(part), part, "initials")
        else:
            name = ordinary_case(part)
            author_ = Author(author_slug(name), name, "person")
        if author_.slug not in {a.slug for a in found}:
            found.append(author_)
    return tuple(found)


def article_authors(article: Article, archive: Archive) -> tuple[Author, ...]:
    """The authors of `article`, its publisher naming a bare desk."""
    source = archive.source_for(article.source)
    return bylines(article.author, source.name if source else article.publisher)


def authors_of(archive: Archive) -> dict[str, tuple[Author, list[Article]]]:
    """Every author of the archive by slug, with their articles; the name shown is the
    spelling most of their articles use (ties: the first in alphabetical order)."""
    articles: dict[str, list[Article]] = defaultdict(list)
    names: dict[str, Counter[tuple[str, AuthorKind]]] = defaultdict(Counter)
    for article in archive.articles:
        for author in article_authors(article, archive):
            articles[author.slug].append(article)
            names[author.slug][(author.name, author.kind)] += 1
    result = {}
    for slug, counts in names.items():
        (name, kind), _ = min(counts.items(), key=lambda item: (-item[1], item[0][0]))
        result[slug] = (Author(slug, name, kind), articles[slug])
    return result


def date_span(articles: list[Article], language: str) -> str:
    """``first – last`` of the dated articles, or one date, or empty when none is dated."""
    dated = sorted(a.date for a in articles if a.date)
    if not dated:
        return ""
    first, last = (i18n.format_date(d, language) for d in (dated[0], dated[-1]))
    return first if first == last else f"{first} – {last}"


def _listed(
    article: Article, archive: Archive, language: str, directory_urls: bool, page: str
) -> Listed:
    """An article on an author's page: link, date, publisher."""
    source = archive.source_for(article.source)
    publisher = source.name if source else (article.publisher or article.source)
    href = page_url(f"articles/{article.id}.md", page, directory_urls)
    bits = [i18n.format_date(article.date, language) if article.date else None, publisher]
    extra = " · ".join(html_escape(b) for b in bits if b)
    link = f'<a href="{html_escape(href)}">{html_escape(article.title)}</a>'
    return Listed(f"<li>{link}" + (f" — {extra}" if extra else "") + "</li>")


def _kind_label(kind: AuthorKind, language: str) -> str:
    return i18n.strings(language)[f"author_kind_{kind}"]


def author_page(
    author: Author,
    articles: list[Article],
    archive: Archive,
    language: str,
    directory_urls: bool = True,
) -> list[GeneratedFile]:
    """One author's pages: kind, sources (linked), date span, then every article, newest first."""
    t = i18n.strings(language)
    sources = Counter(a.source for a in articles if a.source)
    source_links = []
    for domain, times in sorted(sources.items(), key=lambda item: (-item[1], item[0])):
        registered = archive.source_for(domain)
        name = registered.name if registered else domain
        source_links.append(f"[{escape(name)}](../sources/{domain}.md) ({times})")
    lines = [f"# {escape(author.name)}", ""]
    facts = [
        (t["author_kind"], escape(_kind_label(author.kind, language))),
        (t["sources"], ", ".join(source_links)),
        (t["author_dates"], escape(date_span(articles, language))),
    ]
    lines += [f"- **{k}:** {v}" for k, v in facts if v] + [""]
    count = (
        t["article_count_one"] if len(articles) == 1 else t["article_count"].format(n=len(articles))
    )
    lines += [f"## {t['articles']}", "", count, ""]
    items: list[Callable[[str], Listed]] = [
        partial(_listed, a, archive, language, directory_urls) for a in newest_first(articles)
    ]
    return paginated(f"authors/{author.slug}", lines, items, language)


AUTHORS_PER_PAGE = 500  # table rows a page of the authors index holds at most
BY_LETTER = "authors/by-letter"  # where the index's pages by initial are, past that


def author_pages(
    archive: Archive, language: str, directory_urls: bool = True
) -> list[GeneratedFile]:
    """The authors index (name, kind, articles, sources) and one page per author. Past
    `AUTHORS_PER_PAGE` authors the index lists the initials, each leading to its authors'
    table (in pages of `AUTHORS_PER_PAGE`): no page of the index grows with the archive."""
    t = i18n.strings(language)
    found = authors_of(archive)
    ordered = sorted(found.values(), key=lambda item: (item[0].name.casefold(), item[0].slug))
    if len(ordered) <= AUTHORS_PER_PAGE:
        index = [f"# {t['authors']}", ""] + (
            _author_table(ordered, "", language) if ordered else [t["no_authors"]]
        )
        pages = [GeneratedFile("authors/index.md", "\n".join(index) + "\n")]
    else:
        pages = _pages_by_initial(ordered, language)
    for author, articles in ordered:
        pages += author_page(author, articles, archive, language, directory_urls)
    return pages


Authored = tuple[Author, list[Article]]  # an author and their articles


def initial_of(author: Author) -> str:
    """The initial an author is filed under in the index: the first letter of the name's
    slug (accents dropped), or ``#`` for a name that starts with a digit or a sign."""
    first = author.slug[:1]
    return first.upper() if first.isalpha() else "#"


def _letter_stem(initial: str) -> str:
    return "0" if initial == "#" else initial.lower()


def _author_table(authors: list[Authored], up: str, language: str) -> list[str]:
    """A table of authors; `up` leads from the page it stands on to ``authors/``."""
    t = i18n.strings(language)

    def cell(value: str) -> str:
        return escape(" ".join(value.split())).replace("|", "\\|")

    return [
        f"| {t['author']} | {t['author_kind']} | {t['articles']} | {t['sources']} |",
        "|---|---|---:|---:|",
        *(
            f"| [{cell(author.name)}]({up}{author.slug}.md) "
            f"| {cell(_kind_label(author.kind, language))} "
            f"| {len(articles)} | {len({a.source for a in articles if a.source})} |"
            for author, articles in authors
        ),
    ]


def _pages_by_initial(ordered: list[Authored], language: str) -> list[GeneratedFile]:
    """The authors index as a list of initials, and each initial's table in pages."""
    t = i18n.strings(language)
    by_initial: dict[str, list[Authored]] = defaultdict(list)
    for item in ordered:
        by_initial[initial_of(item[0])].append(item)
    initials = sorted(by_initial, key=lambda i: (i == "#", i))

    def letters(prefix: str, current: str | None = None) -> str:
        """The initials as a line of links (each a target large enough to tap)."""
        return (
            " · ".join(
                f"**{initial}**"
                if initial == current
                else f"[{initial} ({len(by_initial[initial])})]({prefix}{_letter_stem(initial)}.md)"
                for initial in initials
            )
            + "\n{ .postilla-initials }"
        )

    index = [f"# {t['authors']}", "", f"{len(ordered)} {t['authors'].lower()}", ""]
    index += [letters("by-letter/"), ""]
    pages = [GeneratedFile("authors/index.md", "\n".join(index) + "\n")]
    for initial in initials:
        chunks = [
            by_initial[initial][start : start + AUTHORS_PER_PAGE]
            for start in range(0, len(by_initial[initial]), AUTHORS_PER_PAGE)
        ]
        stem = _letter_stem(initial)
        for number, chunk in enumerate(chunks, start=1):
            name = stem if number == 1 else f"{stem}-{number}"
            lines = [f"# {t['authors']}: {initial}", "", letters("", initial), ""]
            if len(chunks) > 1:
                lines += [
                    " · ".join(
                        f"**{n}**"
                        if n == number
                        else f"[{n}]({stem if n == 1 else f'{stem}-{n}'}.md)"
                        for n in range(1, len(chunks) + 1)
                    )
                    + "\n{ .postilla-initials }",
                    "",
                ]
            lines += _author_table(chunk, "../", language)
            pages.append(GeneratedFile(f"{BY_LETTER}/{name}.md", "\n".join(lines) + "\n"))
    return pages


def author_links_html(authors: tuple[Author, ...], href: Callable[[str], str]) -> str:
    """The authors of an article as links to their pages, for the article's metadata panel;
    `href` turns a page's ``.md`` path into a URL from the article."""
    return ", ".join(
        f'<a href="{html_escape(href(f"authors/{a.slug}.md"))}">{html_escape(a.name)}</a>'
        for a in authors
    )
