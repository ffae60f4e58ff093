"""HTML for an article page. Pure functions: an `Article` and a link maker in, a string out.

Article text is never passed through Markdown: it is plain text, escaped here
once, so ``ISIS*`` keeps its asterisk and ``<script>`` stays words whatever
Markdown extensions the site enables. Later stages (entity links, annotation
highlights) insert spans at character offsets of this same plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape

from . import i18n
from .entities import Mention
from .model import Article, Entity, Source
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


@dataclass(frozen=True)
class ArticleLinks:
    """What the rest of the archive adds to an article's page."""

    spans: dict[int, list[Span]] = field(default_factory=dict)  # by paragraph index
    entities: list[tuple[Entity, int]] = field(default_factory=list)  # with mention counts
    related: list[Article] = field(default_factory=list)


def article_page(
    article: Article,
    source: Source | None,
    href: Href,
    language: str,
    links: ArticleLinks | None = None,
) -> str:
    """The content of an article's page: title, metadata panel, body (with its links),
    footnotes, entities, related articles, removed lines."""
    links = links or ArticleLinks()
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
    parts.append(body_html(article.paragraphs, links.spans))
    if article.footnotes:
        parts.append(
            f'<aside class="postilla-footnotes" aria-label="{attr(t["footnotes"])}">'
            + "".join(f"<p>{text(note)}</p>" for note in article.footnotes)
            + "</aside>"
        )
    parts.append(entities_section(links.entities, href, language))
    parts.append(related_section(links.related, href, language))
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


@dataclass(frozen=True)
class Span:
    """Markup around characters ``start:end`` of one paragraph's plain text."""

    start: int
    end: int
    open_tag: str  # e.g. '<a class="postilla-entity" href="…">', attributes already escaped
    close_tag: str  # e.g. '</a>'
    rank: int = 0  # lower ranks nest outside higher ones where spans cover the same text


def spans_html(plain: str, spans: list[Span] | tuple[Span, ...] = ()) -> str:
    """`plain` escaped, with `spans` as properly nested markup.

    Spans may overlap (an annotation quote that covers half an entity link): the text is
    cut at every span boundary, and each piece is wrapped in the spans that cover it,
    closing and reopening a span only where another one starts or ends inside it.
    """
    valid = [sp for sp in spans if 0 <= sp.start < sp.end <= len(plain)]
    if not valid:
        return text(plain)
    cuts = sorted({0, len(plain), *(sp.start for sp in valid), *(sp.end for sp in valid)})
    order = sorted(valid, key=lambda sp: (sp.rank, sp.start, -sp.end))
    out: list[str] = []
    stack: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [sp for sp in order if sp.start <= a and b <= sp.end]
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        out += [sp.close_tag for sp in reversed(stack[keep:])]
        out += [sp.open_tag for sp in active[keep:]]
        stack = active
        out.append(text(plain[a:b]))
    out += [sp.close_tag for sp in reversed(stack)]
    return "".join(out)


def body_html(
    paragraphs: tuple[str, ...] | list[str], spans: dict[int, list[Span]] | None = None
) -> str:
    """The article body: one ``<p>`` per paragraph, text escaped, `spans` (by paragraph
    index) as markup: entity links, annotation highlights."""
    spans = spans or {}
    return (
        '<div class="postilla-body">\n'
        + "\n".join(f"<p>{spans_html(p, spans.get(i, []))}</p>" for i, p in enumerate(paragraphs))
        + "\n</div>"
    )


def entity_link_span(mention: Mention, entity: Entity, href: Href, language: str) -> Span:
    """The link on an entity's first mention, with its type and description as tooltip."""
    kind = i18n.strings(language).get(f"type_{entity.type}", entity.type)
    tip = f"{kind} — {entity.description}" if entity.description else kind
    return Span(
        mention.start,
        mention.end,
        f'<a class="postilla-entity postilla-entity--{attr(entity.type)}" '
        f'href="{attr(href(f"entities/{entity.id}.md"))}" title="{attr(tip)}" '
        f'data-entity="{attr(entity.id)}">',
        "</a>",
        rank=1,
    )


def entities_section(entities: list[tuple[Entity, int]], href: Href, language: str) -> str:
    """ "Entities in this article": each entity with its type and number of mentions."""
    t = i18n.strings(language)
    if not entities:
        return ""
    items = "".join(
        f'<li><a href="{attr(href(f"entities/{e.id}.md"))}">{text(e.name)}</a> '
        f'<span class="postilla-entity-type">{text(t.get(f"type_{e.type}", e.type))}</span>'
        f"{f' · {count}×' if count > 1 else ''}</li>"
        for e, count in entities
    )
    return (
        f'<section class="postilla-entities" data-pagefind-ignore>'
        f'<h2 id="entities">{text(t["entities_here"])}</h2><ul>{items}</ul></section>'
    )


def related_section(related: list[Article], href: Href, language: str) -> str:
    """ "Related articles": the articles sharing the most (and rarest) entities."""
    t = i18n.strings(language)
    if not related:
        return ""
    items = "".join(
        f'<li><a href="{attr(href(f"articles/{a.id}.md"))}">{text(a.title)}</a>'
        f"{' — ' + text(i18n.format_date(a.date, language)) if a.date else ''}</li>"
        for a in related
    )
    return (
        f'<section class="postilla-related" data-pagefind-ignore>'
        f'<h2 id="related">{text(t["related"])}</h2><ul>{items}</ul></section>'
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
