"""HTML for an article page. Pure functions: an `Article` and a link maker in, a string out.

Article text is never passed through Markdown: it is plain text, escaped here
once, so ``ISIS*`` keeps its asterisk and ``<script>`` stays words whatever
Markdown extensions the site enables. Later stages (entity links, annotation
highlights) insert spans at character offsets of this same plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from . import i18n
from .model import Article, Source
from .site import published_raw

Href = Callable[
    [str], str
]  # a source path (``sources/x.com.md``, ``raw/a.txt``) -> a relative link

READING_WORDS_PER_MINUTE = 200


def text(value: str) -> str:
    """Escape plain text for HTML element content."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """Escape plain text for a double-quoted HTML attribute."""
    return escape(value, quote=True)


def article_page(article: Article, source: Source | None, href: Href, language: str) -> str:
    """The content of an article's page: title, metadata panel, body, footnotes, removed lines."""
    t = i18n.strings(language)
    lang = f' lang="{attr(article.language)}"' if article.language else ""
    parts = [
        f'<article class="postilla-article" data-pagefind-body{lang}>',
        f'<h1 data-pagefind-meta="title">{text(article.title)}</h1>',
        search_fields(article, source, language),
    ]
    if article.title_source == "derived":
        parts.append(
            f'<p class="postilla-derived-title" data-pagefind-ignore>{text(t["derived_title"])}</p>'
        )
    parts.append(metadata_panel(article, source, href, language))
    parts.append(body_html(article.paragraphs))
    if article.footnotes:
        parts.append(
            f'<aside class="postilla-footnotes" aria-label="{attr(t["footnotes"])}">'
            + "".join(f"<p>{text(note)}</p>" for note in article.footnotes)
            + "</aside>"
        )
    if article.removed:
        parts.append(removed_lines(article, language))
    parts.append("</article>")
    return "\n".join(parts)


def search_fields(article: Article, source: Source | None, language: str) -> str:
    """Hidden fields for the search index: result details and filters (source, year, language)."""
    publisher = source.name if source else (article.publisher or article.source)
    fields = [
        ("meta", "publisher", publisher),
        ("meta", "date", i18n.format_date(article.date, language) if article.date else None),
        ("filter", "source", publisher),
        ("filter", "year", article.year),
        ("filter", "language", article.language),
    ]
    spans = "".join(
        f'<span data-pagefind-{kind}="{name}">{text(value)}</span>'
        for kind, name, value in fields
        if value
    )
    return f'<div hidden data-pagefind-ignore="index">{spans}</div>'


def body_html(paragraphs: tuple[str, ...] | list[str]) -> str:
    """The article body: one ``<p>`` per paragraph, text escaped."""
    return (
        '<div class="postilla-body">\n'
        + "\n".join(f"<p>{text(p)}</p>" for p in paragraphs)
        + "\n</div>"
    )


def metadata_panel(article: Article, source: Source | None, href: Href, language: str) -> str:
    """The panel under the title: where the article comes from and what it is."""
    t = i18n.strings(language)
    rows: list[tuple[str, str]] = []
    if article.source:
        name = source.name if source else (article.publisher or article.source)
        rows.append(
            (
                t["publisher"],
                f'<a href="{attr(href(f"sources/{article.source}.md"))}">{text(name)}</a>',
            )
        )
    rows.append((t["date"], date_html(article.date, language)))
    if article.published:
        shown = i18n.format_datetime(article.published, language)
        rows.append(
            (t["published"], f'<time datetime="{attr(article.published)}">{text(shown)}</time>')
        )
    if article.author:
        rows.append((t["author"], text(article.author)))
    if article.place:
        rows.append((t["place"], text(article.place)))
    if article.agency:
        rows.append((t["agency"], text(article.agency)))
    if article.url:
        rows.append(
            (
                t["original"],
                f'<a href="{attr(article.url)}" rel="noopener nofollow">{text(article.url)}</a>',
            )
        )
    if article.language:
        rows.append((t["language"], f"<code>{text(article.language)}</code>"))
    minutes = max(1, round(article.words / READING_WORDS_PER_MINUTE))
    rows.append((t["length"], text(t["words"].format(n=article.words, minutes=minutes))))
    rows.append(
        (
            t["sha256"],
            f'<code class="postilla-hash">{text(article.raw_sha256)}</code>'
            f' · <a href="{attr(href(published_raw(article.raw)))}">{text(t["raw"])}</a>',
        )
    )
    body = "".join(f"<dt>{text(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="postilla-meta" data-pagefind-ignore>{body}</dl>'


def date_html(value: str | None, language: str) -> str:
    """A date as precise as it is known, with a note when it is only a month or a year."""
    t = i18n.strings(language)
    if not value:
        return f'<span class="postilla-nodate">{text(t["unknown_date"])}</span>'
    shown = text(i18n.format_date(value, language))
    note = {1: t["date_precision_year"], 2: t["date_precision_month"]}.get(len(value.split("-")))
    suffix = f" <small>({text(note)})</small>" if note else ""
    return f'<time datetime="{attr(value)}">{shown}</time>{suffix}'


def removed_lines(article: Article, language: str) -> str:
    """The collapsed list of lines cleaning removed, each with its rule and reason."""
    t = i18n.strings(language)
    items = "".join(
        f'<li value="{r.line}"><span class="postilla-rule">'
        f"{text(i18n.rule_reason(r.rule, r.reason, language))}</span> <code>{text(r.rule)}</code><br>"
        f"<q>{text(r.text)}</q></li>"
        for r in article.removed
    )
    return (
        f'<details class="note postilla-removed" data-pagefind-ignore>'
        f"<summary>{text(t['removed'].format(n=len(article.removed)))}</summary>"
        f"<ol>{items}</ol></details>"
    )


def page_meta(article: Article) -> Mapping[str, str]:
    """Values for the theme's ``page.meta``. Material prints these unescaped, so they are
    escaped here: a scraped title ``</title><script>`` must stay text."""
    meta = {"title": text(article.title)}
    if article.description:
        meta["description"] = attr(article.description)
    if article.author:
        meta["author"] = attr(article.author)
    return meta
