"""How to cite an article: CSL-JSON, BibTeX, a formatted reference, paragraph anchors.

Pure functions: an `Article` (with its registered `Source`, the site's name and the page's
permalink) in, text out. Everything is made at build time; the page offers it in a
collapsed "Cite" block (`cite_block`) and the site publishes ``articles/<id>/cite.json`` and
``articles/<id>/cite.bib`` (the plugin writes `citation`'s texts there).

The access date of every citation is the day the archive took the article in (its
``imported`` date): the day someone accessed the original, the same on every rebuild. The
original address is the citation's URL; the archive's permalink stands beside it (CSL's
``archive`` and ``archive_location``, BibTeX's ``note``, and at the end of the reference).

The formatted reference is made by citeproc-py with the "Cite Them Right" Harvard style
that citeproc-py ships (``citeproc/data/styles``, CC BY-SA 3.0, its licence inside the
file), in the site's language (citeproc-py's locales). It is rendered as plain text and
escaped here: citeproc-py's HTML output passes some values (a title) through unescaped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from . import i18n
from .model import Article, Source
from .parallel import parallel_map

STYLE = "harvard-cite-them-right"  # a style citeproc-py ships, by its file name
LOCALES = {"it": "it-IT", "en": "en-US"}  # the site's language -> a citeproc-py locale
CITE_JSON = "articles/{id}/cite.json"
CITE_BIB = "articles/{id}/cite.bib"
PARAGRAPH_ID = "p-{hash}"
PARAGRAPH_HASH_LENGTH = 8  # hex digits of the paragraph's SHA-256

# Words that make a byline a desk or an outlet, not a person: cited as written.
DESK_WORDS = frozenset(
    [
        "redazione",
        "redattore",
        "staff",
        "desk",
        "agenzia",
        "agenzie",
        "agency",
        "news",
        "notizie",
        "magazine",
        "editorial",
        "editoriale",
        "online",
        "web",
        "press",
        "ufficio",
        "servizio",
        "team",
    ]
)
# Lower-case words that belong to a family name: "Maria De Luca", "Ludwig van Beethoven".
NAME_PARTICLES = frozenset(
    ["de", "di", "da", "del", "della", "dei", "degli", "van", "von", "der", "la", "le", "lo"]
)
_PERSON_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’.-]*[a-zß-öø-ÿ]")
_AUTHOR_SEPARATORS = re.compile(r"\s+(?:e|and|&|und|et)\s+|\s*;\s*")
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


@dataclass(frozen=True)
class Citation:
    """An article's citation in every form the site offers."""

    csl_json: str  # a CSL-JSON array holding the one item, as published in cite.json
    bibtex: str  # one BibTeX entry, as published in cite.bib
    reference: str  # the formatted reference, plain text


# --- paragraph anchors --------------------------------------------------------------


def paragraph_ids(paragraphs: Sequence[str]) -> list[str]:
    """A stable ``id`` for each paragraph: ``p-`` and the first hex digits of the SHA-256 of
    its text (a second identical paragraph gets ``-2``, and so on).

    From the text, not the position: a link to a paragraph then lands on the same words
    after a re-clean or an edit removes a line above it, and when that paragraph itself
    changes, the link finds no anchor (the page's top) instead of other words."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for paragraph in paragraphs:
        digest = hashlib.sha256(paragraph.encode("utf-8")).hexdigest()[:PARAGRAPH_HASH_LENGTH]
        base = PARAGRAPH_ID.format(hash=digest)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def paragraph_link(paragraph_id: str, label: str) -> str:
    """The permalink of a paragraph: a link with no text of its own (the "¶" is drawn by
    CSS), so the paragraph's text, which annotation selectors count, does not change."""
    return (
        f'<a class="postilla-paragraph-link" href="#{escape(paragraph_id)}"'
        f' aria-label="{escape(label)}" title="{escape(label)}"></a>'
    )


# --- the citation record --------------------------------------------------------------


def permalink(article_id: str, site_url: str | None, directory_urls: bool = True) -> str:
    """The address of the article's page in the archive (absolute when the site's address
    is known, else relative to the site's root)."""
    path = f"articles/{article_id}/" if directory_urls else f"articles/{article_id}.html"
    return (site_url.rstrip("/") + "/" + path) if site_url else path


def person_name(byline: str) -> dict[str, str]:
    """One byline's name as CSL: ``family`` and ``given`` for a person's name (two to four
    capitalised words, particles such as "De" going with the family name), else ``literal``
    as written (initials "L.M.", a desk "Redazione Esteri", an outlet)."""
    words = byline.split()
    lowered = {w.lower().strip(".") for w in words}
    if not 2 <= len(words) <= 4 or lowered & DESK_WORDS:
        return {"literal": byline}
    if not all(_PERSON_WORD.fullmatch(w) or w.lower() in NAME_PARTICLES for w in words):
        return {"literal": byline}
    split = len(words) - 1
    while split > 1 and words[split - 1].lower() in NAME_PARTICLES:
        split -= 1
    return {"family": " ".join(words[split:]), "given": " ".join(words[:split])}


def authors(byline: str | None) -> list[dict[str, str]]:
    """The people (or desks) of a byline: "Jane Doe and John Smith" is two."""
    if not byline or not byline.strip():
        return []
    return [person_name(part.strip()) for part in _AUTHOR_SEPARATORS.split(byline) if part.strip()]


def date_parts(value: str | None) -> dict[str, list[list[int]]] | None:
    """A ``YYYY[-MM[-DD]]`` date as CSL ``date-parts``, only as precise as it is."""
    if not value:
        return None
    return {"date-parts": [[int(part) for part in value[:10].split("-")]]}


def csl_item(article: Article, source: Source | None, site_name: str, link: str) -> dict[str, Any]:
    """The article as one CSL-JSON item: a newspaper article by its byline, in its
    publisher, issued at the precision of its date, at its original URL (the archive's
    permalink when it has none), accessed on the day it was archived."""
    publisher = source.name if source else (article.publisher or article.source)
    item: dict[str, Any] = {
        "id": article.id,
        "type": "article-newspaper",
        "title": article.title,
    }
    names = authors(article.author)
    if names:
        item["author"] = names
    if publisher:
        item["container-title"] = publisher
    issued = date_parts(article.date)
    if issued:
        item["issued"] = issued
    item["URL"] = article.url or link
    item["accessed"] = date_parts(article.imported)
    item["archive"] = site_name
    item["archive_location"] = link
    if article.language:
        item["language"] = article.language
    return item


def csl_json(item: dict[str, Any]) -> str:
    """CSL-JSON as reference managers import it: an array of items."""
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# --- BibTeX ---------------------------------------------------------------------------


def bibtex_text(value: str) -> str:
    """Text with BibTeX's special characters escaped (letters stay UTF-8)."""
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in " ".join(value.split()))


def bibtex_url(url: str) -> str:
    """An address for a BibTeX ``url`` field, which is read verbatim: braces and
    backslashes, which would end or break the field, percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibtex_name(name: dict[str, str]) -> str:
    """A CSL name as BibTeX: "Family, Given", or a literal name in braces (one name)."""
    if "literal" in name:
        return "{" + bibtex_text(name["literal"]) + "}"
    return f"{bibtex_text(name['family'])}, {bibtex_text(name['given'])}"


def bibtex(item: dict[str, Any], site_name: str) -> str:
    """One BibTeX entry from a CSL item: ``@article`` in its newspaper (``@misc`` when the
    publisher is unknown), with ``date`` at its precision (biblatex) and ``year``/``month``
    (BibTeX), ``url``, ``urldate`` and the archive's permalink in ``note``."""
    fields: list[tuple[str, str]] = []  # (name, value already written as BibTeX)
    if item.get("author"):
        names = " and ".join(bibtex_name(n) for n in item["author"])
        fields.append(("author", f"{{{names}}}"))
    fields.append(("title", "{{" + bibtex_text(item["title"]) + "}}"))  # keep its capitals
    if item.get("container-title"):
        fields.append(("journal", f"{{{bibtex_text(item['container-title'])}}}"))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        shown = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
        fields.append(("date", f"{{{shown}}}"))
        fields.append(("year", f"{{{parts[0]}}}"))
    if len(parts) >= 2:  # a month macro, unbraced, as BibTeX styles expect
        fields.append(("month", BIBTEX_MONTHS[parts[1] - 1]))
    fields.append(("url", f"{{{bibtex_url(item['URL'])}}}"))
    accessed = "{:04d}-{:02d}-{:02d}".format(*item["accessed"]["date-parts"][0])
    fields.append(("urldate", f"{{{accessed}}}"))
    if item.get("language"):
        fields.append(("langid", f"{{{bibtex_text(item['language'])}}}"))
    archived = bibtex_url(item["archive_location"])
    fields.append(("note", f"{{{bibtex_text(site_name)}: \\url{{{archived}}}}}"))
    kind = "article" if item.get("container-title") else "misc"
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{item['id']},\n{body}\n}}\n"


# --- the formatted reference ----------------------------------------------------------


@lru_cache(maxsize=4)
def _style(locale: str) -> Any:
    from citeproc import CitationStylesStyle

    _remember_style_queries()
    return CitationStylesStyle(STYLE, locale=locale, validate=False)


STYLE_QUERIES_KEPT = 10_000  # answers remembered at most (a style and its locale: about 60)


def _remember_style_queries() -> None:
    """Make citeproc-py remember the answers of its XPath queries on the style.

    citeproc-py asks the parsed style and locale the same XPath questions for every
    reference it formats (which macro, which term, which ancestor); answering them is
    half of its 7 ms a reference. The trees are parsed once (`_style`) and never changed,
    so an element's answer to an expression never changes: it is asked once per process
    (each answer's list is copied out, so no caller can alter what is kept). Applied once,
    and only when citeproc-py still has the method it wraps."""
    from citeproc import model

    element = getattr(model, "CitationStylesElement", None)
    asked = getattr(element, "xpath_search", None)
    if element is None or asked is None or getattr(asked, "remembers", False):
        return
    answers: dict[tuple[Any, str], list[Any]] = {}

    def xpath_search(self: Any, expression: str) -> list[Any]:
        key = (self, expression)
        if key not in answers:
            if len(answers) >= STYLE_QUERIES_KEPT:
                answers.clear()
            answers[key] = asked(self, expression)
        return list(answers[key])

    xpath_search.remembers = True  # type: ignore[attr-defined]
    xpath_search.original = asked  # type: ignore[attr-defined]
    element.xpath_search = xpath_search


def formatted_reference(item: dict[str, Any], language: str, site_name: str) -> str:
    """The item as a reference list entry in `STYLE` (plain text, in `language`), followed
    by where the archive keeps it."""
    from citeproc import Citation as CslCitation
    from citeproc import CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    code = language.split("-")[0].lower()
    style = _style(LOCALES.get(code, LOCALES["en"]))
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(CslCitation([CitationItem(item["id"])]))
    reference = " ".join(str(bibliography.bibliography()[0]).split())
    archived = i18n.strings(language)["cite_archived"].format(
        archive=site_name, url=item["archive_location"]
    )
    return f"{reference} {archived}"


def citation(
    article: Article, source: Source | None, site_name: str, link: str, language: str
) -> Citation:
    """Every form of the article's citation."""
    return citations([(article, source, link)], site_name, language)[0]


# An article to cite: the article, its registered source and its permalink.
ToCite = tuple[Article, Source | None, str]


def _reference(job: tuple[dict[str, Any], str, str]) -> str:
    """`formatted_reference` of one (item, language, site name), for the process pool."""
    return formatted_reference(*job)


def citations(articles: Sequence[ToCite], site_name: str, language: str) -> list[Citation]:
    """Every form of each article's citation, in order. The formatted references (citeproc:
    several milliseconds each) are made on every core when there are many."""
    items = [csl_item(article, source, site_name, link) for article, source, link in articles]
    references = parallel_map(
        _reference, [(item, language, site_name) for item in items], chunksize=16
    )
    return [
        Citation(csl_json=csl_json(item), bibtex=bibtex(item, site_name), reference=reference)
        for item, reference in zip(items, references)
    ]


# --- on the page, and as files ----------------------------------------------------------


def cite_block(cited: Citation, json_href: str, bib_href: str, language: str) -> str:
    """The collapsed "Cite" block of an article page: the formatted reference, then a link
    to download cite.bib and cite.json, each with an empty code block that
    postilla-annotations.js fills from that file when the reader opens the block (about
    2 KB an article page that a reader who never cites does not load; without script the
    links still give the files). Material adds a copy button to each code block at load,
    and copies what the block holds when clicked. Each block has its own id: Material names
    a block's copy target after the closest element with an id, which would otherwise be
    the block's ``#cite`` for both (both buttons copying the first). `cited`'s BibTeX and
    CSL-JSON are the files' texts, not repeated in the page."""
    t = i18n.strings(language)

    def code(label: str, href: str, name: str) -> str:
        block_id = "cite-" + name.replace(".", "-")
        return (
            f'<p class="postilla-cite-format"><strong>{escape(label)}</strong> · '
            f'<a href="{escape(href)}" download="{escape(name)}">{escape(t["cite_download"])}</a></p>'
            f'<pre class="copy postilla-cite-code" id="{escape(block_id)}" '
            f'data-src="{escape(href)}"><code></code></pre>'
        )

    return (
        '<details class="postilla-cite" id="cite">'
        f"<summary>{escape(t['cite'])}</summary>"
        f'<p class="postilla-cite-format"><strong>{escape(t["cite_reference"])}</strong></p>'
        f'<p class="postilla-cite-reference">{escape(cited.reference, quote=False)}</p>'
        + code("BibTeX", bib_href, "cite.bib")
        + code("CSL-JSON", json_href, "cite.json")
        + "</details>"
    )
