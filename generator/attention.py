"""Attention over time: how many articles name an entity or come from a source, month by
month, and every passage where an entity is named.

- `monthly` counts an entity's or a source's articles per month, and how many have no
  month (undated, or dated by year only): the chart (`site.month_chart`, the one chart of
  the site) leaves those out and `chart_lines` says how many.
- The comparison page (`COMPARE_PAGE`) draws the five most named entities by month as
  inline SVG, with the numbers in a table; ``postilla-attention.js`` lets a reader choose
  other entities or sources, from the monthly counts in `COMPARE_DATA` (no server).
- `mention_items` lists, on an entity's pages, every passage of every article naming it
  (keyword in context), at most `PASSAGES_PER_ITEM` passages to a list item, so that a
  page of `site.SNIPPETS_PER_PAGE` items holds a bounded number of passages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from html import escape as html_escape

from . import i18n, site
from .entities import EntityIndex, Mention
from .model import Archive, Article

COMPARE_PAGE = "attention/index.md"
COMPARE_DATA = "attention/series.json"
DEFAULT_SERIES = 5  # the entities drawn on the comparison page before a reader chooses
MAX_SERIES = 8  # at most this many lines on one chart (the script keeps the first ones)
PASSAGES_PER_ITEM = 5  # passages of one article in one list item of an entity's pages
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 200, 24


@dataclass(frozen=True)
class Monthly:
    """Articles per month (``YYYY-MM`` → count) and the number without a month."""

    counts: dict[str, int]
    undated: int


@dataclass(frozen=True)
class Series:
    """One line a reader may draw on the comparison page: an entity or a source."""

    key: str  # "entity:<id>" or "source:<domain>"
    name: str
    group: str  # the kind, as shown to readers (an entity type, or "Sources")
    monthly: Monthly

    @property
    def total(self) -> int:
        return sum(self.monthly.counts.values()) + self.monthly.undated


def monthly(articles: Iterable[Article]) -> Monthly:
    """`articles` counted by month; those without a month (no date, or a year only) apart."""
    counts: dict[str, int] = {}
    undated = 0
    for article in articles:
        if article.month:
            counts[article.month] = counts.get(article.month, 0) + 1
        else:
            undated += 1
    return Monthly(dict(sorted(counts.items())), undated)


def undated_note(undated: int, language: str) -> str:
    """The sentence under a chart saying how many articles it leaves out ("" for none)."""
    t = i18n.strings(language)
    if not undated:
        return ""
    return (
        t["undated_not_charted_one"] if undated == 1 else t["undated_not_charted"].format(n=undated)
    )


def chart_lines(articles: Iterable[Article], language: str) -> list[str]:
    """Markdown lines for an entity's or a source's page: a heading, the chart of its
    articles by month, and how many articles are not in it. None when it has no article."""
    t = i18n.strings(language)
    counts = monthly(articles)
    if not counts.counts and not counts.undated:
        return []
    lines = [f"## {t['mentions_over_time']}", ""]
    if counts.counts:
        lines += [site.month_chart(counts.counts, t["mentions_over_time"]), ""]
    if counts.undated:
        lines += [
            f'<p class="postilla-undated-note">{undated_note(counts.undated, language)}</p>',
            "",
        ]
    return lines


def month_span(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (``YYYY-MM``), both included."""
    year, month = map(int, first.split("-"))
    last_year, last_month = map(int, last.split("-"))
    span = []
    while (year, month) <= (last_year, last_month):
        span.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return span


def all_series(archive: Archive, index: EntityIndex, language: str) -> list[Series]:
    """Every entity named in an article and every source with articles, each most
    articles first (entities before sources), ties by name."""
    t = i18n.strings(language)
    by_id = {a.id: a for a in archive.articles}
    entities = [
        Series(
            f"entity:{e.id}",
            e.name,
            t["types_" + e.type],
            monthly(by_id[i] for i in index.articles_of.get(e.id, ()) if i in by_id),
        )
        for e in archive.entities
        if index.articles_of.get(e.id)
    ]
    by_source: dict[str, list[Article]] = {}
    for article in archive.articles:
        if article.source:
            by_source.setdefault(article.source, []).append(article)
    names = {s.domain: s.name for s in archive.sources}
    sources = [
        Series(f"source:{domain}", names.get(domain) or domain, t["sources"], monthly(articles))
        for domain, articles in by_source.items()
    ]

    def order(series: Series) -> tuple[int, str]:
        return (-series.total, series.name.casefold())

    return sorted(entities, key=order) + sorted(sources, key=order)


def archive_span(series: Sequence[Series]) -> list[str]:
    """The months from the first to the last any series has an article in."""
    months = sorted({m for s in series for m in s.monthly.counts})
    return month_span(months[0], months[-1]) if months else []


def series_json(series: Sequence[Series], months: Sequence[str]) -> str:
    """The comparison page's data: the months, and each series' counts aligned with them."""
    data = {
        "months": list(months),
        "series": [
            {
                "key": s.key,
                "name": s.name,
                "group": s.group,
                "counts": [s.monthly.counts.get(m, 0) for m in months],
                "undated": s.monthly.undated,
            }
            for s in series
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def compare_svg(series: Sequence[Series], months: Sequence[str], label: str) -> str:
    """A line per series over `months` (inline SVG, one line of HTML). The script draws the
    same markup (``postilla-attention.js``, `draw`): keep the two alike."""
    width, height, pad = CHART_WIDTH, CHART_HEIGHT, CHART_PAD
    peak = max([1, *(max(s.monthly.counts.values(), default=0) for s in series)])
    step = (width - 2 * pad) / max(1, len(months) - 1)

    def point(i: int, n: int) -> str:
        return f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * n / peak:.1f}"

    lines = "".join(
        f'<polyline class="postilla-series postilla-series-{number}" fill="none" points="'
        + " ".join(point(i, s.monthly.counts.get(m, 0)) for i, m in enumerate(months))
        + f'"><title>{html_escape(s.name)}</title></polyline>'
        for number, s in enumerate(series)
    )
    axis = (
        f'<line class="postilla-axis" x1="{pad}" y1="{height - pad}" x2="{width - pad}" '
        f'y2="{height - pad}"/>'
        f'<text x="{pad}" y="{height - 6}">{months[0] if months else ""}</text>'
        f'<text x="{width - pad}" y="{height - 6}" text-anchor="end">'
        f"{months[-1] if months else ''}</text>"
        f'<text x="{pad}" y="14">{peak}</text>'
    )
    return (
        f'<svg class="postilla-compare-svg" role="img" aria-label="{html_escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">{axis}{lines}</svg>'
    )


def compare_legend(series: Sequence[Series], language: str) -> str:
    """Which line is which: the series' names, each with its line's swatch, its number of
    articles and how many of them the chart leaves out (without a month)."""
    t = i18n.strings(language)
    return (
        '<ul class="postilla-legend">'
        + "".join(
            f'<li><span class="postilla-swatch postilla-series-{n}" aria-hidden="true"></span>'
            + html_escape(
                t["compare_legend"].format(name=s.name, n=s.total, undated=s.monthly.undated)
            )
            + "</li>"
            for n, s in enumerate(series)
        )
        + "</ul>"
    )


def compare_table(series: Sequence[Series], months: Sequence[str], language: str) -> str:
    """The numbers the chart draws: a row per month, a column per series, and a last row
    of the articles without a month."""
    t = i18n.strings(language)
    head = "".join(f'<th scope="col">{html_escape(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{m}</th>'
        + "".join(f"<td>{s.monthly.counts.get(m, 0)}</td>" for s in series)
        + "</tr>"
        for m in months
    )
    undated = (
        f'<tr><th scope="row">{html_escape(t["compare_undated"])}</th>'
        + "".join(f"<td>{s.monthly.undated}</td>" for s in series)
        + "</tr>"
    )
    return (
        f'<table class="postilla-compare-table"><thead><tr><th scope="col">{t["month"]}</th>'
        f"{head}</tr></thead><tbody>{rows}{undated}</tbody></table>"
    )


def compare_figure(series: Sequence[Series], months: Sequence[str], language: str) -> str:
    """The chart, its legend, the undated count and the table, as drawn before a choice."""
    t = i18n.strings(language)
    label = t["compare_chart_label"].format(names=", ".join(s.name for s in series))
    return (
        f'<div class="postilla-compare-figure">'
        f"{compare_svg(series, months, label)}{compare_legend(series, language)}"
        f'<details class="postilla-compare-numbers"><summary>{t["compare_table"]}</summary>'
        f"{compare_table(series, months, language)}</details></div>"
    )


def compare_form(series: Sequence[Series], chosen: Sequence[Series], language: str) -> str:
    """The reader's choice: a labelled multiple select grouped by kind, hidden until the
    script has loaded the data (without script the default comparison stands)."""
    t = i18n.strings(language)
    groups: dict[str, list[Series]] = {}
    for s in series:
        groups.setdefault(s.group, []).append(s)
    keys = {s.key for s in chosen}
    options = "".join(
        f'<optgroup label="{html_escape(group)}">'
        + "".join(
            f'<option value="{html_escape(s.key)}"{" selected" if s.key in keys else ""}>'
            f"{html_escape(s.name)} ({s.total})</option>"
            for s in members
        )
        + "</optgroup>"
        for group, members in groups.items()
    )
    return (
        f'<form class="postilla-compare-form" hidden>'
        f'<label for="postilla-compare-choice">{t["compare_choose"]}</label>'
        f'<p id="postilla-compare-hint">{t["compare_hint"].format(n=MAX_SERIES)}</p>'
        f'<select id="postilla-compare-choice" multiple size="10" '
        f'aria-describedby="postilla-compare-hint">{options}</select></form>'
    )


def compare_page(series: Sequence[Series], language: str) -> tuple[str, tuple[str, ...]]:
    """The comparison page's Markdown and its blocks (`site.BLOCK`): the intro, the
    form, and the top `DEFAULT_SERIES` entities drawn (the sources when there is none)."""
    t = i18n.strings(language)
    months = archive_span(series)
    entities = [s for s in series if s.key.startswith("entity:")]
    chosen = list((entities or list(series))[:DEFAULT_SERIES])
    lines = [f"# {t['compare']}", "", t["compare_intro"], ""]
    if not chosen:
        return "\n".join([*lines, t["no_articles"], ""]), ()
    data = COMPARE_DATA.rsplit("/", 1)[1]  # beside the page, whatever its URL style
    blocks = (
        f'<div class="postilla-compare" data-src="{data}" data-max="{MAX_SERIES}"'
        + "".join(  # the words the script writes (postilla-attention.js)
            f' data-{name}="{html_escape(t[key])}"'
            for name, key in (
                ("label", "compare_chart_label"),
                ("legend", "compare_legend"),
                ("without-month", "compare_undated"),
                ("table", "compare_table"),
                ("month", "month"),
            )
        )
        + ">"
        + compare_form(series, chosen, language)
        + compare_figure(chosen, months, language)
        + "</div>",
    )
    lines += [f"## {t['compare_default'].format(n=len(chosen))}", "", site.BLOCK.format(n=0), ""]
    return "\n".join(lines), blocks


def compare_files(
    archive: Archive, index: EntityIndex, language: str
) -> list[tuple[str, str, tuple[str, ...]]]:
    """The comparison page and its data, as (path, content, blocks)."""
    series = all_series(archive, index, language)
    markdown, blocks = compare_page(series, language)
    return [
        (COMPARE_PAGE, markdown, blocks),
        (COMPARE_DATA, series_json(series, archive_span(series)), ()),
    ]


# --- every mention in context, on an entity's pages ------------------------------------


def passages_of(mentions: Iterable[Mention], entity_id: str) -> list[Mention]:
    """The mentions of `entity_id`, in text order."""
    return [m for m in mentions if m.entity_id == entity_id]


def mention_items(
    articles: Sequence[Article],
    entity_id: str,
    index: EntityIndex,
    language: str,
    directory_urls: bool,
) -> list[Callable[[str], site.Listed]]:
    """The listing of an entity's pages: for each article (in the given order), its
    passages naming the entity, `PASSAGES_PER_ITEM` to an item."""
    items: list[Callable[[str], site.Listed]] = []
    for article in articles:
        passages = passages_of(index.mentions.get(article.id, ()), entity_id)
        for first in range(0, len(passages), PASSAGES_PER_ITEM) or [0]:
            chunk = passages[first : first + PASSAGES_PER_ITEM]
            items.append(
                partial(_mentioned, article, chunk, first, len(passages), language, directory_urls)
            )
    return items


def _mentioned(
    article: Article,
    passages: Sequence[Mention],
    first: int,
    total: int,
    language: str,
    directory_urls: bool,
    page: str,
) -> site.Listed:
    """An article in an entity's list: its link, date, how many passages name the entity,
    and these passages (the `first`-th onwards), the mention highlighted in each."""
    t = i18n.strings(language)
    when = f" — {html_escape(i18n.format_date(article.date, language))}" if article.date else ""
    if total <= len(passages):  # every passage in this item
        said = t["kwic_total"].format(n=total) if total > 1 else ""
    else:
        said = t["kwic_count"].format(first=first + 1, last=first + len(passages), n=total)
    count = f' <span class="postilla-kwic-count">({html_escape(said)})</span>' if said else ""
    quotes = "".join(
        f"<li>{site.snippet(article, m.paragraph, m.start, m.end)}</li>" for m in passages
    )
    link = site._article_link(article, page, directory_urls)
    return site.Listed(
        f"<li>{link}{when}{count}"
        + (f'<ol class="postilla-kwic" start="{first + 1}">{quotes}</ol>' if quotes else "")
        + "</li>"
    )
