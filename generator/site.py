"""The generated pages of the site (home, archive by date, sources) and downloads.

Generated pages are Markdown, handed to MkDocs as virtual files: nothing is
written into ``content/``. Every piece of archive text in their Markdown goes through
`markdown_text.escape`, and its links point at ``.md`` sources so that MkDocs checks
them. Their listings are HTML (escaped with `html.escape`, links made by `page_url`),
put in place after MkDocs' Markdown (`BLOCK`, `fill_blocks`). No page lists the whole
archive: listings are paginated and the archive is split by year.
"""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from html import escape as html_escape
from html import unescape

from . import datapackage, export, geo, i18n
from .annotations import Anchored, AnnotationSet, tag_slug
from .entities import EntityIndex
from .markdown_text import escape
from .model import ENTITY_TYPES, Archive, Article, Entity, Source

SNIPPET_CONTEXT = 80  # characters of text on each side of a mention in an entity page

LATEST_ON_HOME = 10
# The archive as data. Compressed: at 50,000 articles plain JSON Lines and CSV would take
# more than half of what GitHub Pages allows a site.
DOWNLOADS = (
    "downloads/archive.jsonl.gz",
    "downloads/archive.csv.gz",
    "downloads/annotations.jsonld",
    # the registries as tables, and the Frictionless description of every table
    *(t.path for t in datapackage.TABLES if not t.path.startswith("downloads/archive.")),
    datapackage.PATH,
    geo.PLACES_DOWNLOAD,
)


# Long listings are written as HTML and stand in a page's Markdown as this marker, which
# the plugin replaces after MkDocs' Markdown: Python-Markdown takes about 13 ms to parse
# a listing of 50 links, the marker 0.6 ms.
BLOCK = "<!-- postilla:block:{n} -->"


@dataclass(frozen=True)
class GeneratedFile:
    """A file of the site that does not exist under ``content/``."""

    path: str  # path in the site's source tree, e.g. ``archive/2021.md``
    content: str | bytes
    blocks: tuple[str, ...] = ()  # HTML for the markers BLOCK.format(n=0), n=1… of `content`


@dataclass(frozen=True)
class Listed:
    """One item of a listing page: its HTML (an ``<li>``), and the Markdown text of the
    heading it starts, if any (a month in the archive of a year)."""

    html: str
    heading: str | None = None


def fill_blocks(html: str, blocks: Sequence[str]) -> str:
    """The HTML of a generated page with its listings in place of their markers."""
    for number, block in enumerate(blocks):
        html = html.replace(BLOCK.format(n=number), block, 1)
    return html


def gzip_lines(lines: Iterable[str]) -> bytes:
    """`lines` joined and gzip-compressed (level 6, gzip's default: a third of level 9's
    time, and 2 % larger; no timestamp inside, so the same text gives the same bytes), a
    line at a time: the whole text (a download of the archive) is never in memory."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as out:
        for line in lines:
            out.write(line.encode("utf-8"))
    return buffer.getvalue()


def published_raw(raw: str) -> str:
    """Where a raw file is offered on the site. Saved web pages are served as text
    (``raw/x.html.txt``): scraped HTML must never run as a page of the archive."""
    return raw + ".txt" if raw.lower().endswith((".html", ".htm")) else raw


def newest_first(articles: tuple[Article, ...] | list[Article]) -> list[Article]:
    """Articles by date, newest first; undated ones last; ties by title."""
    ordered = sorted(articles, key=lambda a: (a.title.casefold(), a.id))
    return sorted(ordered, key=lambda a: a.date or "", reverse=True)


def _article_link(article: Article, page: str, directory_urls: bool) -> str:
    """A link to `article` from the generated page `page`, as HTML."""
    href = page_url(f"articles/{article.id}.md", page, directory_urls)
    return f'<a href="{html_escape(href)}">{html_escape(article.title)}</a>'


def _item(
    article: Article, archive: Archive, page: str, language: str, directory_urls: bool
) -> str:
    """One article in a listing on the generated page `page`: link, date, publisher."""
    source = archive.source_for(article.source)
    publisher = source.name if source else (article.publisher or article.source)
    bits = [i18n.format_date(article.date, language) if article.date else None, publisher]
    extra = " · ".join(html_escape(b) for b in bits if b)
    return (
        f"<li>{_article_link(article, page, directory_urls)}"
        + (f" — {extra}" if extra else "")
        + "</li>"
    )


PER_PAGE = 100  # articles on one listing page: no page grows with the archive
SNIPPETS_PER_PAGE = 50  # list items (an article's passages, at most attention.PASSAGES_PER_ITEM each) on an entity's pages


def page_url(target: str, from_page: str, directory_urls: bool = True) -> str:
    """The relative URL from generated page `from_page` to the page `target` (both paths
    of ``.md`` sources), for links written as HTML, which MkDocs does not rewrite."""

    def url(path: str) -> str:
        stem = path[:-3]
        if not directory_urls:
            return stem + ".html"
        return stem[: -len("index")] if stem.endswith("index") else stem + "/"

    here = url(from_page)
    depth = here.count("/") if directory_urls else from_page.count("/")
    return "../" * depth + url(target)


LIST = ("<ul>", "</ul>")


def page_sizes(count: int, per_page: int) -> list[int]:
    """How many of `count` items (newest first) each page of a listing holds, the first
    page first: every page but the first holds `per_page`, counted from the oldest item,
    so that an item added at the top (the newest) changes the first page only; the first
    holds `per_page` to twice that less one (never a page of one item), and gives its
    oldest `per_page` to a new page when it would reach twice `per_page`."""
    if count < 2 * per_page:
        return [count]
    first = per_page + count % per_page
    return [first] + [per_page] * ((count - first) // per_page)


def paginated(
    stem: str,
    head: list[str],
    items: Sequence[Callable[[str], Listed]],
    language: str,
    per_page: int = PER_PAGE,
    wrap: tuple[str, str] = LIST,
) -> list[GeneratedFile]:
    """A listing (newest first) split into pages anchored at its oldest item: ``<stem>.md``
    holds the newest items (`page_sizes`), then ``<stem>/<n>.md`` the older ones, `per_page`
    to a page, ``<stem>/1.md`` the oldest. A page's number and items do not change when
    newer items are added, so an update changes the first page (and, when a page fills,
    adds one and relinks the next newest). Each item renders itself given the path of the
    page it stands on; `head` (title, facts) stands on the first page only, its first line
    (the title) on every page; `wrap` opens and closes each run of items between headings."""
    sizes = page_sizes(len(items), per_page)
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    numbers = [0] + list(range(len(sizes) - 1, 0, -1))  # 0: the first page, <stem>.md
    name = stem.rsplit("/", 1)[-1]
    t = i18n.strings(language)
    pages = []
    for number, start, size in zip(numbers, starts, sizes):
        path = f"{stem}.md" if number == 0 else f"{stem}/{number}.md"
        lines = list(head) if number == 0 else [head[0], ""]
        blocks: list[str] = []
        run: list[str] = []
        for listed in (item(path) for item in items[start : start + size]):
            if listed.heading is not None:
                _close_run(run, wrap, lines, blocks)
                lines += ["", f"## {listed.heading}", ""]
            run.append(listed.html)
        _close_run(run, wrap, lines, blocks)
        if len(sizes) > 1:
            lines += ["", " · ".join(_page_links(name, number, len(sizes), t)), ""]
        pages.append(GeneratedFile(path, "\n".join(lines) + "\n", tuple(blocks)))
    return pages


def _page_links(name: str, number: int, count: int, t: Mapping[str, str]) -> list[str]:
    """The links of page `number` (0: the first page, else counted from the oldest) of a
    listing of `count` pages to the newer and the older page. Only the first page says
    how many pages there are: an older page's text stays the same as the listing grows."""
    if number == 0:
        return [t["page"].format(n=1, total=count), f"[{t['next']} →]({name}/{count - 1}.md)"]
    newer = f"../{name}.md" if number == count - 1 else f"{number + 1}.md"
    links = [f"[← {t['previous']}]({newer})"]
    if number > 1:
        links.append(f"[{t['next']} →]({number - 1}.md)")
    return links


def _close_run(run: list[str], wrap: tuple[str, str], lines: list[str], blocks: list[str]) -> None:
    """Move the items of `run` into a new block of the page, and its marker into `lines`."""
    if run:
        lines += ["", BLOCK.format(n=len(blocks)), ""]
        blocks.append(wrap[0] + "".join(run) + wrap[1])
        run.clear()


def _listed(
    article: Article,
    archive: Archive,
    language: str,
    directory_urls: bool,
    heading: str | None,
    page: str,
) -> Listed:
    """An article in a listing page, under a new heading (a month) where one starts."""
    return Listed(_item(article, archive, page, language, directory_urls), heading)


def _count(n: int, language: str) -> str:
    t = i18n.strings(language)
    return t["article_count_one"] if n == 1 else t["article_count"].format(n=n)


def home_page(
    archive: Archive,
    site_name: str,
    description: str | None,
    language: str,
    directory_urls: bool = True,
) -> GeneratedFile:
    t = i18n.strings(language)
    dated = sorted(a.date for a in archive.articles if a.date)
    sources = {a.source for a in archive.articles if a.source}
    lines = [f"# {escape(site_name)}", "", escape(description or t["about"]), ""]
    first, last = (dated[0][:4], dated[-1][:4]) if dated else ("", "")
    span = "" if not dated else f" · {first}" if first == last else f" · {first}–{last}"
    lines += [
        f"**{_count(len(archive.articles), language)}** · "
        f"**{t['source_count'].format(n=len(sources))}**{span}",
        "",
        f"[{t['all_articles']}](archive/index.md) · [{t['sources']}](sources/index.md)"
        f" · [{t['authors']}](authors/index.md)",
        "",
        f"## {t['latest']}",
        "",
    ]
    latest = newest_first(archive.articles)[:LATEST_ON_HOME]
    items = "".join(_item(a, archive, "index.md", language, directory_urls) for a in latest)
    lines += [BLOCK.format(n=0) if latest else t["no_articles"]]
    lines += ["", f"## {t['downloads']}", ""]
    lines += [f"- [{path.rsplit('/', 1)[1]}]({path})" for path in DOWNLOADS]
    blocks = (LIST[0] + items + LIST[1],) if latest else ()
    return GeneratedFile("index.md", "\n".join(lines) + "\n", blocks)


def archive_pages(
    archive: Archive, language: str, directory_urls: bool = True
) -> list[GeneratedFile]:
    """The archive index (years with counts) and one page per year, grouped by month."""
    t = i18n.strings(language)
    by_year: dict[str, list[Article]] = defaultdict(list)
    for article in archive.articles:
        by_year[article.year or "undated"].append(article)
    years = sorted((y for y in by_year if y != "undated"), reverse=True)
    index = [f"# {t['archive']}", "", _count(len(archive.articles), language), ""]
    pages = []
    for year in [*years, "undated"] if "undated" in by_year else years:
        label = t["undated"] if year == "undated" else year
        index.append(f"- [{label}]({year}.md) — {_count(len(by_year[year]), language)}")
        pages += year_page(year, label, by_year[year], archive, language, directory_urls)
    return [GeneratedFile("archive/index.md", "\n".join(index) + "\n"), *pages]


def year_page(
    year: str,
    label: str,
    articles: list[Article],
    archive: Archive,
    language: str,
    directory_urls: bool = True,
) -> list[GeneratedFile]:
    """A year's articles by month, newest first, in pages of `PER_PAGE`."""
    t = i18n.strings(language)
    head = [f"# {t['archive']}: {label}", "", _count(len(articles), language), ""]
    items: list[Callable[[str], Listed]] = []
    previous_month: object = object()
    for article in newest_first(articles):
        month = article.month
        heading = None
        if year != "undated" and month != previous_month:
            text = (
                i18n.format_date(month, language)
                if month
                else f"{year} ({t['date_precision_year']})"
            )
            heading = escape(text)
        previous_month = month
        items.append(partial(_listed, article, archive, language, directory_urls, heading))
    return paginated(f"archive/{year}", head, items, language)


def source_pages(
    archive: Archive, language: str, directory_urls: bool = True
) -> list[GeneratedFile]:
    """The sources index and one page per source that has articles or is registered."""
    t = i18n.strings(language)
    counts = Counter(a.source for a in archive.articles if a.source)
    registered = {s.domain: s for s in archive.sources}
    domains = sorted(counts)  # registered sources without articles get a page when they have one

    def cell(value: str | None) -> str:
        return one_line(value).replace("|", "\\|")  # a pipe would end the table cell

    rows = [
        f"| [{cell(registered[d].name if d in registered else d)}]({d}.md) "
        f"| {cell(registered[d].kind if d in registered else None)} "
        f"| {cell(registered[d].country if d in registered else None)} | {counts[d]} |"
        for d in domains
    ]
    index = [
        f"# {t['sources']}",
        "",
        f"| {t['source']} | {t['kind']} | {t['country']} | {t['articles']} |",
        "|---|---|---|---:|",
        *rows,
        "",
    ]
    pages = [GeneratedFile("sources/index.md", "\n".join(index))]
    for domain in domains:
        articles = [a for a in archive.articles if a.source == domain]
        pages += source_page(
            domain, registered.get(domain), articles, archive, language, directory_urls
        )
    return pages


def source_page(
    domain: str,
    source: Source | None,
    articles: list[Article],
    archive: Archive,
    language: str,
    directory_urls: bool = True,
) -> list[GeneratedFile]:
    t = i18n.strings(language)
    lines = [f"# {one_line(source.name if source else domain)}", ""]
    facts = [(t["domain"], f"`{domain}`")]
    if source:
        facts += [
            (t["kind"], one_line(source.kind)),
            (t["country"], one_line(source.country)),
            (t["website"], web_link(source.url) if source.url else ""),
        ]
    lines += [f"- **{k}:** {v}" for k, v in facts if v] + [""]
    if source and source.notes:
        lines += [f'!!! note "{t["notes"]}"', "", f"    {one_line(source.notes)}", ""]
    from . import attention  # its chart by month, with the undated count (attention.py)

    lines += attention.chart_lines(articles, language)
    lines += [f"## {t['articles']}", "", _count(len(articles), language), ""]
    items = [
        partial(_listed, a, archive, language, directory_urls, None) for a in newest_first(articles)
    ]
    return paginated(f"sources/{domain}", lines, items, language)


def one_line(value: str | None) -> str:
    """Markdown for a registry value shown on one line (a heading, a table cell, a list
    item): its whitespace, line breaks included, made single spaces, then escaped; so a
    line break cannot start a heading or end an indented block."""
    return escape(" ".join((value or "").split()))


def web_link(url: str) -> str:
    """A link to a web address, as inline HTML in a generated page's Markdown: the
    address escaped for the attribute and the text (not an autolink ``<url>``, which an
    address holding ``>`` would end early, leaving the rest as raw HTML)."""
    shown = html_escape(url).replace("\\", "&#92;").translate(_MARKDOWN_IN_TEXT)
    return f'<a href="{html_escape(url)}" rel="noopener nofollow">{shown}</a>'


# Characters Markdown would read as emphasis or code inside a link's text.
_MARKDOWN_IN_TEXT = str.maketrans({c: f"&#{ord(c)};" for c in "*_`[]!{}"})


def snippet(article: Article, paragraph: int, start: int, end: int) -> str:
    """HTML of the text around a mention, the mention highlighted, cut at words."""
    text = article.paragraphs[paragraph]
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT)
    if left > 0:
        left = text.find(" ", left) + 1 or left
    if right < len(text):
        right = text.rfind(" ", end, right) if text.rfind(" ", end, right) > end else right
    before, mention, after = text[left:start], text[start:end], text[end:right]
    return (
        ("…" if left > 0 else "")
        + html_escape(before)
        + f"<mark>{html_escape(mention)}</mark>"
        + html_escape(after)
        + ("…" if right < len(text) else "")
    )


def month_chart(counts: dict[str, int], label: str) -> str:
    """A small bar chart (inline SVG, no script) of articles per month, first to last month."""
    if not counts:
        return ""
    months = sorted(counts)
    first_year, first_month = map(int, months[0].split("-"))
    last_year, last_month = map(int, months[-1].split("-"))
    span = []
    year, month = first_year, first_month
    while (year, month) <= (last_year, last_month):
        span.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    span = span[-120:]  # ten years at most: a chart, not a table
    peak = max(counts.values())
    width, height, bar = max(120, 8 * len(span)), 60, 8
    bars = "".join(
        f'<rect x="{i * bar}" y="{height - 50 * counts.get(m, 0) / peak:.1f}" width="{bar - 2}" '
        f'height="{50 * counts.get(m, 0) / peak:.1f}"><title>{m}: {counts.get(m, 0)}</title></rect>'
        for i, m in enumerate(span)
    )
    return (
        f'<div class="postilla-chart"><svg role="img" aria-label="{html_escape(label)}" '
        f'viewBox="0 0 {width} {height + 12}" width="{width}" height="{height + 12}">{bars}'
        f'<text x="0" y="{height + 11}">{span[0]}</text>'
        + (
            f'<text x="{width}" y="{height + 11}" text-anchor="end">{span[-1]}</text>'
            if len(span) > 1
            else ""
        )
        + "</svg></div>"
    )


# Where an entity's pages may come from instead of being made again: given the entity
# and how to make its pages, its pages (the plugin's takes them from its cache).
EntityPages = Callable[[Entity, Callable[[], list[GeneratedFile]]], list[GeneratedFile]]


def entity_pages(
    archive: Archive,
    index: EntityIndex,
    language: str,
    directory_urls: bool = True,
    cached: EntityPages | None = None,
) -> list[GeneratedFile]:
    """The entities index (grouped by type, sortable) and one page per registered entity."""
    t = i18n.strings(language)
    by_id = {a.id: a for a in archive.articles}
    lines = [
        f"# {t['entities']}",
        "",
        t["entity_count"].format(n=len(archive.entities)),
        "",
        t["sort_hint"],
        "",
    ]
    if geo.places_of(archive.entities, {}):  # the map of places (geo.py)
        lines[4:4] = [f"[{t['map']}](../{geo.MAP_PAGE})", ""]
    lines[4:4] = [f"[{t['compare']}](../attention/index.md)", ""]  # attention.py
    for entity_type in ENTITY_TYPES:
        group = [e for e in archive.entities if e.type == entity_type]
        if not group:
            continue
        group.sort(key=lambda e: (-len(index.articles_of.get(e.id, ())), e.name.casefold()))
        rows = "".join(
            f'<tr><td><a href="{page_url(f"entities/{e.id}.md", "entities/index.md", directory_urls)}">'
            f"{html_escape(e.name)}</a></td>"
            f"<td>{len(index.articles_of.get(e.id, ()))}</td></tr>"
            for e in group
        )
        lines += [
            f"## {t['types_' + entity_type]}",
            "",
            f'<table class="postilla-sortable"><thead><tr><th>{t["name"]}</th>'
            f'<th data-sort="number">{t["articles"]}</th></tr></thead><tbody>{rows}</tbody></table>',
            "",
        ]
    pages = [GeneratedFile("entities/index.md", "\n".join(lines))]
    for entity in archive.entities:
        make = partial(entity_page, entity, index, by_id, language, directory_urls)
        pages += cached(entity, make) if cached else make()
    return pages


def entity_page(
    entity: Entity,
    index: EntityIndex,
    by_id: dict[str, Article],
    language: str,
    directory_urls: bool = True,
) -> list[GeneratedFile]:
    t = i18n.strings(language)
    articles = newest_first([by_id[i] for i in index.articles_of.get(entity.id, ()) if i in by_id])
    lines = [f"# {one_line(entity.name)}", "", f"*{t['type_' + entity.type]}*", ""]
    if entity.description:
        lines += [one_line(entity.description), ""]
    facts = []
    if entity.wikidata:
        facts.append(
            f"- **Wikidata:** [{entity.wikidata}](https://www.wikidata.org/wiki/{entity.wikidata})"
        )
    if entity.aliases:
        facts.append(f"- **{t['aliases']}:** " + ", ".join(one_line(a) for a in entity.aliases))
    facts.append(f"- **{t['articles']}:** {len(articles)}")
    lines += facts + [""]
    if entity.type == "place" and entity.coordinates:  # its small map (geo.py)
        place = geo.Place(entity.id, entity.name, *entity.coordinates, len(articles))
        lines += [geo.small_map(place, language), "", f"[{t['map_all']}](../{geo.MAP_PAGE})", ""]
    if not articles:
        lines += [t["no_mentions"], ""]
        return [GeneratedFile(f"entities/{entity.id}.md", "\n".join(lines))]
    from . import attention  # attention.py builds on this module

    lines += attention.chart_lines(articles, language)  # with the undated count
    co = index.co_mentioned(entity.id)[:10]
    if co:
        lines += [f"## {t['co_mentioned']}", ""]
        lines += [
            f"- [{one_line(index.entities[e].name)}]({e}.md) ({n})"
            for e, n in co
            if e in index.entities
        ]
        lines.append("")
    lines += [f"## {t['articles']}", ""]

    # every passage naming the entity, a bounded number to a page (attention.py)
    items = attention.mention_items(articles, entity.id, index, language, directory_urls)
    return paginated(f"entities/{entity.id}", lines, items, language, SNIPPETS_PER_PAGE)


def _plain(markdown_source: str, limit: int = 160) -> str:
    """A note's first words as plain text, for a listing."""
    flat = " ".join(markdown_source.split())
    return flat if len(flat) <= limit else flat[: flat.rfind(" ", 0, limit)] + "…"


def note_text(markdown_source: str) -> str:
    """A note's text without its Markdown marks, as readers see it (for excerpts)."""
    from .render import note_html

    return unescape(re.sub(r"<[^>]+>", " ", note_html(markdown_source)))


def annotation_pages(
    archive: Archive, notes: AnnotationSet, language: str, directory_urls: bool = True
) -> list[GeneratedFile]:
    """The annotations index (newest first, filterable), one page per tag, and the
    orphaned annotations."""
    t = i18n.strings(language)
    by_id = {a.id: a for a in archive.articles}
    listed = sorted(
        (a for a in notes.anchored if a.anchor),
        key=lambda a: (a.annotation.date, a.annotation.id),
        reverse=True,
    )

    def rows(items: list[Anchored], page: str) -> str:
        out = []
        for item in items:
            note = item.annotation
            article = by_id.get(note.article)
            title = html_escape(article.title if article else note.article)
            link = page_url(f"articles/{note.article}.md", page, directory_urls)
            out.append(
                f'<li data-kind="{html_escape(note.kind)}" data-author="{html_escape(note.author)}" '
                f'data-tags="{html_escape("|".join(tag_slug(tag) for tag in note.tags))}">'
                f'<span class="postilla-kind postilla-kind--{html_escape(note.kind)}">'
                f"{html_escape(t.get('kind_' + note.kind, note.kind))}</span> "
                f'<a href="{html_escape(link)}#annotation-{html_escape(note.id)}">{title}</a>'
                f" — @{html_escape(note.author)}, {html_escape(i18n.format_date(note.date, language))}"
                f"<br><q>{html_escape(_plain(item.anchor.text if item.anchor else note.quote, 120))}</q> "
                f"{html_escape(_plain(note_text(note.note)))}</li>"
            )
        return "".join(out)

    kinds = sorted({a.annotation.kind for a in listed})
    tags = sorted({tag for a in listed for tag in a.annotation.tags}, key=str.casefold)
    authors = sorted({a.annotation.author for a in listed}, key=str.casefold)

    def select(name: str, label: str, everything: str, options: list[tuple[str, str]]) -> str:
        """A filter with its visible name: the <label> around it names it for screen readers."""
        choices = "".join(
            f'<option value="{html_escape(v)}">{html_escape(text)}</option>' for v, text in options
        )
        return (
            f'<label class="postilla-filter">{html_escape(label)} <select data-filter="{name}">'
            f'<option value="">{html_escape(everything)}</option>{choices}</select></label>'
        )

    filters = (
        f'<div class="postilla-filters" role="group" aria-label="{html_escape(t["filters"])}">'
        + select("kind", t["kind"], t["all_kinds"], [(k, t.get("kind_" + k, k)) for k in kinds])
        + select(
            "tags",
            t["tag"],
            t["all_tags"],
            sorted({tag_slug(tag): tag for tag in tags}.items(), key=lambda kv: kv[1].casefold()),
        )
        + select("author", t["author"], t["all_authors"], [(a, "@" + a) for a in authors])
        + "</div>"
    )

    def row(item: Anchored, page: str) -> Listed:
        return Listed(rows([item], page))

    head = [
        f"# {t['annotations']}",
        "",
        t["annotation_count"].format(n=len(listed)),
        "",
        f"[{t['orphaned']} ({len(notes.orphans)})](orphaned.md)",
        "",
        filters,
        "",
    ]
    listing = ('<ol class="postilla-annotation-list" data-filterable>', "</ol>")
    items = [partial(row, item) for item in listed]
    pages = paginated("annotations/index", head, items, language, wrap=listing)
    by_slug: dict[str, list[str]] = {}
    for tag in tags:
        by_slug.setdefault(tag_slug(tag), []).append(tag)
    for slug, forms in by_slug.items():
        tagged = [a for a in listed if any(tag_slug(tag) == slug for tag in a.annotation.tags)]
        pages += paginated(
            f"annotations/tags/{slug}",
            [f"# {t['tag']}: {escape(forms[0])}", ""],
            [partial(row, item) for item in tagged],
            language,
            wrap=('<ol class="postilla-annotation-list">', "</ol>"),
        )
    orphan_lines = [f"# {t['orphaned']}", "", t["orphaned_intro"], ""]
    for item in notes.orphans or []:
        note = item.annotation
        orphan_lines += [
            f"## {escape(note.id)}",
            "",
            f"- **{t['articles']}:** [{escape(by_id[note.article].title if note.article in by_id else note.article)}]"
            + (f"(../articles/{note.article}.md)" if note.article in by_id else "(index.md)"),
            f"- **{t['written_on']}:** «{escape(' '.join(note.quote.split()))}»",
            f"- **@{escape(note.author)}**, {escape(note.date)}, {escape(note.path)}",
            "",
            f"    {escape(_plain(note.note, 400))}",
            "",
        ]
    if not notes.orphans:
        orphan_lines.append(t["no_orphans"])
    pages.append(GeneratedFile("annotations/orphaned.md", "\n".join(orphan_lines) + "\n"))
    return pages


ExportLines = Callable[[Article], tuple[str, str]]  # an article's JSON Lines line and CSV row

EXPORT_RUN = 1_000  # articles per gzip member of the downloads (`export_runs`)

# A run of articles' gzip members of the two downloads (JSON Lines, CSV rows): `make()`, or
# what was made before for the same articles (the plugin's, from its cache).
Compressed = Callable[[Sequence[Article], Callable[[], tuple[bytes, bytes]]], tuple[bytes, bytes]]


def export_runs(ordered: Sequence[Article], size: int | None = None) -> list[Sequence[Article]]:
    """The articles of the downloads (newest first) in runs of `size` (`EXPORT_RUN`),
    counted from the oldest: the first run holds the newest remainder, so articles added
    as the newest change the first run only."""
    size = size or EXPORT_RUN
    cut = len(ordered) % size
    runs = [ordered[start : start + size] for start in range(cut, len(ordered), size)]
    return [ordered[:cut], *runs] if cut else runs


def compressed_run(lines_of: ExportLines, run: Sequence[Article]) -> tuple[bytes, bytes]:
    """The gzip members of a run of articles: its JSON Lines and its CSV rows, compressed
    at once (zlib lets go of the GIL)."""
    lines = [lines_of(article) for article in run]
    with ThreadPoolExecutor(max_workers=2) as pool:
        jsonl = pool.submit(gzip_lines, (line for line, _ in lines))
        csv = pool.submit(gzip_lines, (row for _, row in lines))
        return jsonl.result(), csv.result()


def download_files(
    archive: Archive,
    index: EntityIndex | None = None,
    notes: AnnotationSet | None = None,
    site_url: str | None = None,
    lines_of: ExportLines | None = None,
    site_name: str | None = None,
    description: str | None = None,
    compressed: Compressed | None = None,
) -> list[GeneratedFile]:
    """The archive as JSON Lines and CSV (gzip-compressed), the sources and entities as
    tables, their Frictionless description (`datapackage.PATH`), and the annotations as
    W3C Web Annotations (JSON-LD: the collection, its pages, each annotation at its id).
    `lines_of` gives an article's export lines (the plugin's come from its cache).

    Each download is a series of gzip members (RFC 1952 allows several; gzip, zcat and
    every gzip library read them as one text): the CSV header, then one member per run of
    articles (`export_runs`), so that `compressed` (the plugin's, from its cache) gives the
    runs no article of which changed without compressing them again."""
    if lines_of is None:
        lines_of = export_lines(archive, index, notes)
    members = [
        compressed(run, partial(compressed_run, lines_of, run))
        if compressed
        else compressed_run(lines_of, run)
        for run in export_runs(export.in_order(archive))
    ]
    jsonl_gz = b"".join(jsonl for jsonl, _ in members) or gzip_lines([])
    csv_gz = gzip_lines([export.CSV_HEADER]) + b"".join(csv for _, csv in members)
    tables = {DOWNLOADS[0]: jsonl_gz, DOWNLOADS[1]: csv_gz}
    tables |= datapackage.registry_files(archive, index)
    package = datapackage.descriptor(tables, site_url, site_name, description)
    return [
        *(GeneratedFile(path, data) for path, data in tables.items()),
        GeneratedFile(datapackage.PATH, datapackage.to_json(package)),
        *(
            GeneratedFile(path, text)
            for path, text in export.web_annotation_files(
                archive, notes or AnnotationSet(), site_url
            ).items()
        ),
    ]


def export_lines(
    archive: Archive,
    index: EntityIndex | None,
    notes: AnnotationSet | None,
    cluster_ids: Mapping[str, str] | None = None,
) -> ExportLines:
    """How to make an article's export lines (`cluster_ids`: as `export.records`)."""
    from .entities import index_archive

    entity_index = index or index_archive(archive)
    notes_of = export.annotations_by_article(notes)
    clusters = export.clusters_of(archive) if cluster_ids is None else cluster_ids

    def lines_of(article: Article) -> tuple[str, str]:
        row = export.record(
            article, archive, entity_index, notes_of.get(article.id, ()), clusters.get(article.id)
        )
        return export.jsonl_line(row), export.csv_line(row)

    return lines_of


def generated_files(
    archive: Archive,
    site_name: str,
    description: str | None,
    language: str,
    index: EntityIndex | None = None,
    notes: AnnotationSet | None = None,
    site_url: str | None = None,
    directory_urls: bool = True,
    lines_of: ExportLines | None = None,
    entity_pages_of: EntityPages | None = None,
    compressed: Compressed | None = None,
) -> list[GeneratedFile]:
    """Every generated page and download of the site. `directory_urls` is MkDocs'
    ``use_directory_urls``: links written as HTML follow it."""
    from .attention import compare_files  # attention.py builds on this module
    from .authors import author_pages  # authors.py builds on this module
    from .entities import index_archive

    index = index or index_archive(archive)
    notes = notes or AnnotationSet()
    return [
        home_page(archive, site_name, description, language, directory_urls),
        *archive_pages(archive, language, directory_urls),
        *source_pages(archive, language, directory_urls),
        *author_pages(archive, language, directory_urls),
        *entity_pages(archive, index, language, directory_urls, entity_pages_of),
        *annotation_pages(archive, notes, language, directory_urls),
        *download_files(
            archive,
            index,
            notes,
            site_url,
            lines_of,
            site_name=site_name,
            description=description,
            compressed=compressed,
        ),
        *(
            GeneratedFile(*made)
            for made in geo.map_files(
                archive.entities,
                index.articles_of,
                language,
                partial(page_url, directory_urls=directory_urls),
                site_url,
            )
        ),
        *(GeneratedFile(*made) for made in compare_files(archive, index, language)),
    ]
