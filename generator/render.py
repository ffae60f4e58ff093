"""HTML for an article page. Pure functions: an `Article` and a link maker in, a string out.

Article text is never passed through Markdown: it is plain text, escaped here
once, so ``ISIS*`` keeps its asterisk and ``<script>`` stays words whatever
Markdown extensions the site enables. Later stages (entity links, annotation
highlights) insert spans at character offsets of this same plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import markdown
import nh3

from . import authors, citations, clusters, i18n
from .annotations import TEMPLATE_FILE as ANNOTATION_TEMPLATE
from .annotations import Anchored, tag_slug
from .entities import Mention
from .ingest import is_web_url
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
    republished: list[Article] = field(default_factory=list)  # same text elsewhere (F6)
    annotations: list[Anchored] = field(default_factory=list)  # in text order
    annotate_url: str | None = None  # the "Annotate" button: GitHub's new-file page
    article_id: str | None = None  # fills the template of that button
    cite: str = ""  # the "Cite" block (citations.cite_block)


# Annotation notes are untrusted Markdown: no raw HTML (escaped before Markdown reads it),
# then the HTML goes through nh3 with this allowlist.
NOTE_TAGS = {
    "p",
    "em",
    "strong",
    "a",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "br",
    "hr",
    "del",
}
NOTE_ATTRIBUTES = {"a": {"href", "title"}}
NOTE_SCHEMES = {"http", "https", "mailto"}
UGC_REL = "nofollow ugc noopener"


def _note_markdown() -> markdown.Markdown:
    """Python-Markdown without raw HTML: the block and inline HTML readers are removed, so
    ``<script>`` is text (and code spans still show ``<`` as written)."""
    global _NOTE_MARKDOWN
    if _NOTE_MARKDOWN is None:
        md = markdown.Markdown(output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _NOTE_MARKDOWN = md
    return _NOTE_MARKDOWN


_NOTE_MARKDOWN: markdown.Markdown | None = None


def note_html(markdown_source: str) -> str:
    """A contributor's Markdown as safe HTML: raw HTML shows as text, links are http(s) or
    mailto only and carry rel="nofollow ugc noopener", nothing else survives."""
    html = _note_markdown().reset().convert(markdown_source)
    return sanitise(html, NOTE_TAGS, NOTE_ATTRIBUTES, UGC_REL)


# What a note's Markdown may make that cleaning then drops, in words a contributor knows.
NOTE_DROPPED_TAGS = {
    "img": "an image is removed (notes show none) — link to it instead: [what it shows](https://…)",
    **{
        f"h{n}": "a heading is shown as plain text (notes have none) — remove the leading #"
        for n in range(1, 7)
    },
}
_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")


class _Elements(HTMLParser):
    """The start tags of a piece of HTML with their attributes, and its text outside
    ``<code>`` (where raw HTML written by a contributor ends up, escaped)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._in_code = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_code += tag in ("code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self._in_code -= tag in ("code", "pre") and self._in_code > 0

    def handle_data(self, data: str) -> None:
        if not self._in_code:
            self.text.append(data)


def note_cleaning(markdown_source: str) -> list[tuple[str | None, str]]:
    """What `note_html` leaves out of a note, or shows otherwise than its author meant:
    (the words as written, when they can be pointed at; what happens — what to do).
    Empty for a note that renders as written."""
    html = _note_markdown().reset().convert(markdown_source)
    made = _Elements(html)
    kept = _Elements(sanitise(html, NOTE_TAGS, NOTE_ATTRIBUTES, UGC_REL))
    found: list[tuple[str | None, str]] = []
    for raw in dict.fromkeys(m.group() for t in made.text for m in _RAW_HTML.finditer(t)):
        found.append(
            (
                raw,
                f"raw HTML {raw!r} is shown as text, not as HTML"
                " — write Markdown instead (*emphasis*, **strong**, [text](https://…))",
            )
        )
    links = [a.get("href", "") for tag, a in kept.tags if tag == "a"]
    for tag, attributes in made.tags:
        if tag == "a" and attributes.get("href") is not None:
            href = attributes["href"]
            if href in links:
                links.remove(href)
            else:
                found.append(
                    (
                        href or None,
                        f"the link to {href!r} is removed (only http://, https:// and mailto:"
                        " links are kept) — link to a web address",
                    )
                )
        elif tag in NOTE_DROPPED_TAGS:
            found.append((attributes.get("src") or None, NOTE_DROPPED_TAGS[tag]))
    return found


def sanitise(
    html: str, tags: set[str], attributes: dict[str, set[str]], link_rel: str | None
) -> str:
    """`html` with only `tags` and their `attributes` (nh3, an allowlist): no script, no
    ``on*`` handler, no style; links and images http(s), mailto or relative; no comments."""
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=NOTE_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
    )


# Hand-written pages (``content/pages/*.md``) are Markdown rendered by MkDocs with the
# site's extensions (headings with permalinks, tables, admonitions, attribute lists);
# their HTML, raw HTML included, goes through `sanitise` with this allowlist, wider than
# notes' by what those extensions make and by images.
PAGE_TAGS = NOTE_TAGS | {
    "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "img", "table", "thead", "tbody",
    "tr", "th", "td", "details", "summary", "dl", "dt", "dd", "sup", "sub", "abbr", "q",
    "figure", "figcaption", "kbd", "mark", "small", "s",
}  # fmt: skip
_CLASS_AND_ID = {"class", "id"}
PAGE_ATTRIBUTES = {
    **{tag: set(_CLASS_AND_ID) for tag in PAGE_TAGS},
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height", "class", "id"},
    "th": {"align", "class", "id"},
    "td": {"align", "class", "id"},
    "ol": {"start", "class", "id"},
    "abbr": {"title", "class", "id"},
}
# Front matter of a hand-written page that Material prints as it is.
PAGE_TEXT_KEYS = ("title", "description", "author")


def page_html(html: str) -> str:
    """The HTML of a hand-written page, sanitised (`PAGE_TAGS`, `PAGE_ATTRIBUTES`)."""
    return sanitise(html, PAGE_TAGS, PAGE_ATTRIBUTES, None)


def page_front_matter(meta: Mapping[str, object]) -> dict[str, object]:
    """A hand-written page's front matter as the theme may print it: its texts escaped
    (Material prints ``title``, ``description`` and ``author`` unescaped)."""
    return {
        key: attr(str(value)) if key in PAGE_TEXT_KEYS and value is not None else value
        for key, value in meta.items()
    }


def paragraph_ranges(
    paragraphs: tuple[str, ...], start: int, end: int
) -> list[tuple[int, int, int]]:
    """(paragraph index, start, end) pieces of a ``start:end`` range of the body text,
    where paragraphs are joined by a blank line (``Article.body_text``)."""
    pieces = []
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        a, b = max(start, offset), min(end, offset + len(paragraph))
        if a < b:
            pieces.append((index, a - offset, b - offset))
        offset += len(paragraph) + 2
    return pieces


def annotation_spans(anchored: Anchored, paragraphs: tuple[str, ...]) -> dict[int, list[Span]]:
    """The highlight of one annotation (one ``<mark>`` per paragraph it covers) and an
    anchor at its start that the Annotations section links back to."""
    assert anchored.anchor is not None
    note = anchored.annotation
    spans: dict[int, list[Span]] = {}
    pieces = paragraph_ranges(paragraphs, anchored.anchor.start, anchored.anchor.end)
    for n, (index, a, b) in enumerate(pieces):
        spans.setdefault(index, []).append(
            Span(
                a,
                b,
                f'<mark class="postilla-annotation postilla-annotation--{attr(note.kind)}" '
                f'data-annotation="{attr(note.id)}" tabindex="0">',
                "</mark>",
                rank=0,
            )
        )
        if n == 0:
            spans[index].append(
                Span(
                    a,
                    a,
                    f'<span class="postilla-quote-anchor" id="quote-{attr(note.id)}">',
                    "</span>",
                )
            )
    return spans


def annotation_card(anchored: Anchored, href: Href, language: str) -> str:
    """One annotation as readers see it: kind, verdict, quote, note, author, date, tags,
    links, replies, and a permalink."""
    t = i18n.strings(language)
    note = anchored.annotation
    quoted = anchored.anchor.text if anchored.anchor else note.quote
    verdict = (
        f' <span class="postilla-verdict postilla-verdict--{attr(note.verdict)}">'
        f"{text(t.get('verdict_' + note.verdict, note.verdict))}</span>"
        if note.verdict
        else ""
    )
    tags = ", ".join(
        f'<a href="{attr(href(f"annotations/tags/{tag_slug(tag)}.md"))}">{text(tag)}</a>'
        for tag in note.tags
    )
    links = "".join(
        f'<li><a href="{attr(link)}" rel="{UGC_REL}">{text(link)}</a></li>'
        for link in note.links
        if is_web_url(link)
    )
    replies = "".join(
        f'<li><p class="postilla-note-meta">{_person(reply.author)} · <time datetime="{attr(reply.date)}">'
        f"{text(i18n.format_date(reply.date, language))}</time></p>{note_html(reply.note)}</li>"
        for reply in note.replies
    )
    back = (
        f'<a href="#quote-{attr(note.id)}">«{text(quoted)}»</a>'
        if anchored.anchor
        else f"«{text(quoted)}»"
    )
    return (
        f'<article class="postilla-note postilla-note--{attr(note.kind)}" id="annotation-{attr(note.id)}" '
        f'data-annotation="{attr(note.id)}">'
        f'<p class="postilla-note-head"><span class="postilla-kind postilla-kind--{attr(note.kind)}">'
        f"{text(t.get('kind_' + note.kind, note.kind))}</span>{verdict}"
        f' <a class="postilla-permalink" href="#annotation-{attr(note.id)}" title="{attr(t["permalink"])}">#</a></p>'
        f'<blockquote class="postilla-quoted">{back}</blockquote>'
        f'<div class="postilla-note-body">{note_html(note.note)}</div>'
        f'<p class="postilla-note-meta">{_person(note.author)} · <time datetime="{attr(note.date)}">'
        f"{text(i18n.format_date(note.date, language))}</time>"
        + (f" · {text(t['tags'])}: {tags}" if tags else "")
        + "</p>"
        + (f'<ul class="postilla-note-links">{links}</ul>' if links else "")
        + (
            f'<ol class="postilla-replies" aria-label="{attr(t["replies"])}">{replies}</ol>'
            if replies
            else ""
        )
        + "</article>"
    )


def _person(handle: str) -> str:
    return f'<a href="https://github.com/{attr(handle)}" rel="{UGC_REL}">@{text(handle)}</a>'


def annotations_section(links: ArticleLinks, href: Href, language: str) -> str:
    """The "Annotations" section at the end of an article, in text order."""
    t = i18n.strings(language)
    # GitHub's new-file page in the article's annotations folder; the annotations script
    # adds the template to it (one file for the whole site, not 2 KB in every page).
    # The words of the "Annotate" link it shows next to a passage selected in the body.
    template = (
        f' data-template="{attr(href(ANNOTATION_TEMPLATE))}" data-article="{attr(links.article_id)}"'
        f' data-select-label="{attr(t["annotate_selection"])}"'
        f' data-select-title="{attr(t["annotate_selection_title"])}"'
        if links.article_id
        else ""
    )
    button = (
        f'<a class="md-button postilla-annotate" href="{attr(links.annotate_url)}"{template}'
        f' rel="nofollow noopener">{text(t["annotate"])}</a>'
        if links.annotate_url
        else ""
    )
    if not links.annotations and not button:
        return ""
    cards = "".join(annotation_card(a, href, language) for a in links.annotations)
    heading = (
        f"{t['annotations']} ({len(links.annotations)})" if links.annotations else t["annotations"]
    )
    return (
        f'<section class="postilla-annotations">'
        f'<h2 id="annotations">{text(heading)}</h2>{cards}{button}</section>'
    )


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
        f'<article class="postilla-article"{lang}>',
        f"<h1>{text(article.title)}</h1>",
    ]
    if article.title_source == "derived":
        parts.append(f'<p class="postilla-derived-title">{text(t["derived_title"])}</p>')
    parts.append(metadata_panel(article, source, href, language))
    parts.append(links.cite)
    anchors = citations.paragraph_ids(article.paragraphs)
    parts.append(body_html(article.paragraphs, links.spans, anchors, t["paragraph_link"]))
    if article.footnotes:
        parts.append(
            f'<aside class="postilla-footnotes" aria-label="{attr(t["footnotes"])}">'
            + "".join(f"<p>{text(note)}</p>" for note in article.footnotes)
            + "</aside>"
        )
    parts.append(annotations_section(links, href, language))
    parts.append(entities_section(links.entities, href, language))
    parts.append(clusters.also_published_section(article, links.republished, href, language))
    parts.append(related_section(links.related, href, language))
    if article.removed:
        parts.append(removed_lines(article, language))
    parts.append("</article>")
    return "\n".join(parts)


def search_document(
    article: Article,
    source: Source | None,
    language: str,
    site_language: str,
    links: ArticleLinks | None = None,
) -> str:
    """The page Pagefind indexes for an article (never published): in the site's language
    (``<html lang>``, the index a page's search box opens), the title, text and footnotes,
    the entities it mentions, and the fields results show and filters use.

    Every apostrophe is written ``'`` (`search_text`), so that Pagefind indexes
    ``dell’Isis`` as ``dell'Isis``, whole and in parts: ``Isis`` finds it. The title a
    result shows keeps the article's own (``data-title``). Each entity's name and aliases
    follow the text with a tenth of its weight: any of them finds the article, but where
    the text matches too, it ranks higher and gives the excerpt."""
    from .search_text import apostrophes, entity_text

    title = text(article.title)
    paragraphs = "".join(
        f"<p>{text(apostrophes(p))}</p>" for p in (*article.paragraphs, *article.footnotes)
    )
    entities = "".join(
        f'<p data-pagefind-weight="0.1">{text(entity_text(entity.name, entity.aliases))}</p>'
        for entity, _ in (links.entities if links else [])
    )
    return (
        f'<!doctype html><html lang="{attr(site_language)}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body data-pagefind-body>"
        f'<h1 data-pagefind-meta="title[data-title]" data-title="{attr(article.title)}">'
        f"{text(apostrophes(article.title))}</h1>"
        f"{search_fields(article, source, language, links)}{paragraphs}{entities}</body></html>\n"
    )


def search_fields(
    article: Article, source: Source | None, language: str, links: ArticleLinks | None = None
) -> str:
    """Hidden fields for the search index: result details, and filters by source, year,
    language, entity and kind of annotation (one span per value)."""
    publisher = source.name if source else (article.publisher or article.source)
    links = links or ArticleLinks()
    fields = [
        ("meta", "publisher", publisher),
        ("meta", "date", i18n.format_date(article.date, language) if article.date else None),
        ("filter", "source", publisher),
        ("filter", "year", article.year),
        ("filter", "language", article.language),
        *(("filter", "entity", entity.name) for entity, _ in links.entities),
        *(
            ("filter", "annotation", kind)
            for kind in sorted({a.annotation.kind for a in links.annotations})
        ),
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
    points: dict[int, str] = {}
    for sp in spans:  # zero-length spans: a marker at one place (an anchor to link to)
        if sp.start == sp.end and 0 <= sp.start <= len(plain):
            points[sp.start] = points.get(sp.start, "") + sp.open_tag + sp.close_tag
    if not valid and not points:
        return text(plain)
    cuts = sorted({0, len(plain), *points, *(sp.start for sp in valid), *(sp.end for sp in valid)})
    order = sorted(valid, key=lambda sp: (sp.rank, sp.start, -sp.end))
    out: list[str] = []
    stack: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [sp for sp in order if sp.start <= a and b <= sp.end]
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        out += [sp.close_tag for sp in reversed(stack[keep:])]
        out.append(points.pop(a, ""))
        out += [sp.open_tag for sp in active[keep:]]
        stack = active
        out.append(text(plain[a:b]))
    out += [sp.close_tag for sp in reversed(stack)]
    out.append(points.pop(len(plain), ""))
    return "".join(out)


def body_html(
    paragraphs: tuple[str, ...] | list[str],
    spans: dict[int, list[Span]] | None = None,
    anchors: list[str] | tuple[str, ...] = (),
    link_label: str = "",
) -> str:
    """The article body: one ``<p>`` per paragraph, text escaped, `spans` (by paragraph
    index) as markup: entity links, annotation highlights. With `anchors` (one id per
    paragraph, `citations.paragraph_ids`), each paragraph has its id and a permalink that
    adds no text (`citations.paragraph_link`, titled `link_label`)."""
    spans = spans or {}

    def paragraph(i: int, p: str) -> str:
        if i >= len(anchors):
            return f"<p>{spans_html(p, spans.get(i, []))}</p>"
        link = citations.paragraph_link(anchors[i], link_label)
        return f'<p id="{attr(anchors[i])}">{spans_html(p, spans.get(i, []))}{link}</p>'

    return (
        '<div class="postilla-body">\n'
        + "\n".join(paragraph(i, p) for i, p in enumerate(paragraphs))
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
        f'<section class="postilla-entities">'
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
        f'<section class="postilla-related">'
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
    rows.append((t["date"], date_html(article.date, language, article.date_source)))
    if article.published:
        shown = i18n.format_datetime(article.published, language)
        rows.append(
            (t["published"], f'<time datetime="{attr(article.published)}">{text(shown)}</time>')
        )
    if article.author:
        named = authors.bylines(article.author, source.name if source else article.publisher)
        shown = authors.author_links_html(named, href) if named else text(article.author)
        rows.append((t["author"], shown))
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
    return f'<dl class="postilla-meta">{body}</dl>'


def date_html(value: str | None, language: str, source: str | None = None) -> str:
    """A date as precise as it is known, with a note when it is only a month or a year, or
    when only the page's address states it."""
    t = i18n.strings(language)
    if not value:
        return f'<span class="postilla-nodate">{text(t["unknown_date"])}</span>'
    shown = text(i18n.format_date(value, language))
    notes = [{1: t["date_precision_year"], 2: t["date_precision_month"]}.get(len(value.split("-")))]
    notes.append(t["date_from_url"] if source == "url" else None)
    note = ", ".join(n for n in notes if n)
    suffix = f" <small>({text(note)})</small>" if note else ""
    return f'<time datetime="{attr(value)}">{shown}</time>{suffix}'


def removed_lines(article: Article, language: str) -> str:
    """The collapsed list of lines cleaning removed: grouped by rule (its reason and id
    said once, in the order rules first struck), each line with its number in the raw file."""
    t = i18n.strings(language)
    groups: dict[tuple[str, str], list[str]] = {}
    for r in article.removed:
        reason = i18n.rule_reason(r.rule, r.reason, language)
        groups.setdefault((r.rule, reason), []).append(
            f'<li value="{r.line}"><q>{text(r.text)}</q></li>'
        )
    rules = "".join(
        f'<dt><span class="postilla-rule">{text(reason)}</span> <code>{text(rule)}</code></dt>'
        f"<dd><ol>{''.join(lines)}</ol></dd>"
        for (rule, reason), lines in groups.items()
    )
    return (
        f'<details class="note postilla-removed">'
        f"<summary>{text(t['removed'].format(n=len(article.removed)))}</summary>"
        f"<dl>{rules}</dl></details>"
    )


def page_meta(article: Article, source: Source | None = None) -> Mapping[str, object]:
    """Values for the theme's ``page.meta``. Material prints ``title``, ``description`` and
    ``author`` unescaped, so they are escaped here: a scraped title ``</title><script>``
    must stay text. ``postilla_article`` tells the templates that the article brings its
    own ``<h1>``; ``postilla_meta`` holds the sharing and citation tags as plain values,
    which ``theme/main.html`` escapes."""
    meta: dict[str, object] = {
        "title": text(article.title),
        "description": attr(summary(article)),
        "postilla_article": True,
        "postilla_meta": sharing_meta(article, source),
    }
    if article.author:
        meta["author"] = attr(article.author)
    return meta


SUMMARY_MAX = 200  # characters: what search engines and link previews show of a description
_SENTENCE_END = re.compile(r"(?<=[.!?…»”\"])\s+(?=[\"«“A-ZÀ-ÖØ-Ý0-9])")


def summary(article: Article, limit: int = SUMMARY_MAX) -> str:
    """A short description of the article for link previews and search engines: its teaser
    when the page had one, else its first sentences, whole, up to `limit` characters (cut at a
    word, with an ellipsis, when whole sentences would make less than a third of that)."""
    source = article.description or " ".join(article.paragraphs)
    flat = " ".join(source.split())
    if len(flat) <= limit:
        return flat
    taken = ""
    for sentence in _SENTENCE_END.split(flat):
        if len(taken) + len(sentence) + 1 > limit:
            break
        taken = f"{taken} {sentence}".strip()
    if len(taken) >= limit // 3:  # whole sentences, unless they say too little
        return taken
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return cut + "…"


def sharing_meta(article: Article, source: Source | None) -> list[tuple[str, str, str]]:
    """(attribute, name, value) of the ``<meta>`` tags that link previews (Open Graph, which
    X/Twitter cards fall back to for their title and description: the theme adds only
    ``twitter:card``) and reference managers (Highwire Press ``citation_*`` tags, read by
    Zotero and Google Scholar) take from an article page. Values are plain text, escaped by
    the template."""
    publisher = source.name if source else (article.publisher or article.source)
    description = summary(article)
    published = article.published or article.date
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:description", description),
    ]
    if published:
        tags.append(("property", "article:published_time", published))
    if article.author:
        tags.append(("property", "article:author", article.author))
    tags.append(("name", "citation_title", article.title))
    if article.date:
        tags.append(("name", "citation_date", article.date.replace("-", "/")))
        tags.append(("name", "citation_publication_date", article.date.replace("-", "/")))
    if article.author:
        tags.append(("name", "citation_author", article.author))
    if publisher:
        tags.append(("name", "citation_publisher", publisher))
        tags.append(("name", "citation_journal_title", publisher))  # Zotero's publication
    if article.language:
        tags.append(("name", "citation_language", article.language))
    return tags


# Material's templates indent every line; on a 20 KB page that is kilobytes of spaces.
# A newline and the indentation after it collapse to the newline: the same whitespace
# to a browser, except inside the elements that keep it.
_KEPT_OR_INDENT = re.compile(
    r"<(pre|textarea|script|style)\b.*?</\1\s*>|\n[ \t\r\n]+", re.DOTALL | re.IGNORECASE
)


def compact_html(html: str) -> str:
    """`html` without the indentation of its lines (kept in pre, textarea, script, style)."""
    return _KEPT_OR_INDENT.sub(lambda m: m[0] if m[1] else "\n", html)
