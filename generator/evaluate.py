"""``postilla eval DIR…``: cleaning and metadata measured against hand-made gold labels.

A gold file ``NNN.yml`` labels every non-empty line of its raw file (H header, T title,
M metadata, B body, X boilerplate) and gives the page address, title, date, author and the
entities of the body (see tests/fixtures/corpus/README.md). Each folder given is one
labelled set; the figures are per set, so a held-out set shows how well the rules tuned on
the others generalise. Postilla gets each raw file as an import does, with the page address
(the header's, else the label's ``url:``, as ``postilla import FILE --url URL``). The peers,
when asked for, get the same text as HTML, one paragraph per line, and the same address:
jusText (body), trafilatura (body, title, date, author) and htmldate (date). They are scored on:

- body tokens: precision, recall and F1 of the words kept (macro over articles and micro
  over all words), with the gold's inline junk (``(Segue)``, datelines) neutral; the share
  of articles whose body F1 is at least 0.99; articles lost (no body kept, gold has one);
- title exact (a derived title counts as "no headline"); author exact;
- date right at the gold's precision, or, when the gold has none because the text states
  none, a date said to come from the URL (``date_source: url``) equal to the date in the
  URL's path; dates invented: a date the file does not state (not the gold date or a less
  precise form of it, nor for source ``url`` the URL path's date or a less precise form);
- entities: precision and recall of the entities a registry made of the set's gold
  entities finds in the body kept (macro over articles).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from .clean import clean
from .ingest import parse_raw
from .markdown_text import normalise_text
from .metadata import detect_language, extract
from .model import ContentError, Entity, EntityType

_TOKEN = re.compile(r"\w+", re.UNICODE)
GOOD_F1 = 0.99  # an article whose body F1 reaches this counts as right


@dataclass(frozen=True)
class GoldCase:
    """One labelled raw file."""

    name: str
    data: bytes
    lines: tuple[tuple[str, str], ...]  # (label, stripped text) for every non-empty line
    title: str | None
    date: str | None
    author: str | None
    url: str | None  # the label's ``url:``
    inline_junk: tuple[str, ...]
    entities: tuple[dict[str, Any], ...] = ()
    header_url: str | None = None  # the address in the raw file's `` date … URL`` header

    @property
    def body_lines(self) -> list[str]:
        return [text for label, text in self.lines if label == "B"]

    @property
    def page_url(self) -> str | None:
        """The address an import gives Postilla: the header's, else the label's."""
        return self.header_url or self.url


@dataclass(frozen=True)
class Prediction:
    """What one extractor says about one raw file."""

    body: str  # the kept text
    title: str | None  # None: "there is no headline"
    date: str | None = None
    author: str | None = None
    kept_lines: tuple[str, ...] | None = None  # per-line decisions, when the tool has them
    date_source: str | None = None  # "url" when the date was taken from the page address
    derived_title: str | None = None  # a title made from the text, shown in the error list
    error: str | None = None  # why the tool gave nothing (a file it refused)


@dataclass(frozen=True)
class EntityScore:
    case: str
    precision: float
    recall: float
    missed: tuple[str, ...]  # gold entities not found
    extra: tuple[str, ...]  # entities found that the gold does not list


@dataclass
class Score:
    """Scores of one extractor on one case."""

    case: str
    precision: float
    recall: float
    f1: float
    overlap: int
    predicted_tokens: int
    gold_tokens: int
    title_ok: bool
    date_ok: bool
    date_invented: bool
    author_ok: bool
    wrong_lines: list[str] = field(default_factory=list)
    lost: bool = False  # nothing kept although the gold has a body
    gold: GoldCase | None = None
    found: Prediction | None = None
    entities: EntityScore | None = None


# ---------------------------------------------------------------------------- gold sets


def load_gold(folder: Path) -> list[GoldCase]:
    """Every ``*.yml`` gold file in `folder` whose raw file can be found.

    A gold file's ``file:`` key names its raw file, next to it or in a sibling ``seeds/``
    folder (the layout of the labelled corpus). A missing folder has no cases.
    """
    cases = []
    for path in sorted(folder.glob("*.yml")):
        try:
            gold = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML: {error}") from None
        if not isinstance(gold, dict) or "lines" not in gold or not gold.get("file"):
            continue
        candidates = [path.parent / gold["file"], path.parent.parent / "seeds" / gold["file"]]
        raw = next((c for c in candidates if c.is_file()), None)
        if raw is None:
            continue
        data = raw.read_bytes()
        try:
            header = parse_raw(raw.name, data).header
        except ContentError:
            header = None
        cases.append(
            GoldCase(
                name=path.stem,
                data=data,
                lines=tuple((label, str(text)) for label, text in gold["lines"] or ()),
                title=gold.get("title"),
                date=None if gold.get("date") is None else str(gold["date"]),
                author=gold.get("author"),
                url=gold.get("url"),
                inline_junk=tuple(gold.get("inline_junk") or ()),
                entities=tuple(gold.get("entities") or ()),
                header_url=header.url if header else None,
            )
        )
    return cases


def paragraphs_of(case: GoldCase) -> list[str]:
    """The raw text as the peers get it: one paragraph per non-empty line."""
    text = case.data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


# ---------------------------------------------------------------------------- URL dates

_URL_DATES = (
    # /2019/09/01/, /2020-01-27/, /2020/1/7/, _2019_09_01
    (re.compile(r"(?<!\d)((?:19|20)\d\d)[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)"), "ymd"),
    # -05-10-2024 at the end of a slug
    (re.compile(r"(?<!\d)(\d{1,2})[/_-](\d{1,2})[/_-]((?:19|20)\d\d)(?!\d)"), "dmy"),
    # /20211024/, /202011189796718- (a day glued to an id, at the start of a segment)
    (re.compile(r"(?:^|/)((?:19|20)\d\d)(\d\d)(\d\d)"), "ymd"),
    # /2019/09/
    (re.compile(r"(?<!\d)((?:19|20)\d\d)/(\d{1,2})(?=/|$)"), "ym"),
)


def url_dates(url: str | None) -> tuple[str, ...]:
    """The dates a page address states in its path, each as precise as it is there
    (``…/esteri/2019/09/01/news/…`` gives ``2019-09-01``, ``…/2019/09/`` gives ``2019-09``)."""
    if not url:
        return ()
    path = urlsplit(url).path
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern, order in _URL_DATES:
        for match in pattern.finditer(path):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            parts = match.groups()
            if order == "dmy":
                parts = (parts[2], parts[1], parts[0])
            year, month = int(parts[0]), int(parts[1])
            day = int(parts[2]) if len(parts) > 2 else 1
            try:
                Date(year, month, day)
            except ValueError:
                continue
            taken.append(span)
            value = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if len(parts) > 2 else "")
            found.append(value)
    return tuple(dict.fromkeys(found))


def _states(stated: str | None, value: str) -> bool:
    """Whether a date `stated` by the evidence says `value` (it, or a more precise form)."""
    return stated is not None and (stated == value or stated.startswith(value + "-"))


def date_verdict(case: GoldCase, date: str | None, source: str | None) -> tuple[bool, bool]:
    """(right, invented) for a date found in the case's file.

    Right: the gold date at its precision; or, when the gold has none, a date said to come
    from the URL (source ``url``) that is the date in the URL's path. Invented: a date the
    file does not state: neither the gold date nor a less precise form of it, nor for
    source ``url`` a date the URL's path states.
    """
    from_url = source == "url" and date is not None
    in_url = from_url and any(_states(d, date or "") for d in url_dates(case.page_url))
    right = date == case.date or (
        case.date is None and from_url and date in url_dates(case.page_url)
    )
    invented = date is not None and not _states(case.date, date) and not in_url
    return right, invented


# ---------------------------------------------------------------------------- extractors


def postilla(case: GoldCase) -> Prediction:
    """Postilla as an import runs it: the raw file and its page address (no archive, so no
    site-wide repeated lines)."""
    try:
        raw = parse_raw(case.name + ".txt", case.data)
    except ContentError as error:
        return Prediction(body="", title=None, kept_lines=(), error=str(error))
    cleaned = clean(raw, url=case.page_url)
    metadata = extract(raw, cleaned, url=case.page_url)
    kept = tuple(d.text for d in cleaned.decisions if d.label == "body")
    headline = metadata.title_source == "headline"
    return Prediction(
        body="\n".join(cleaned.paragraphs),
        title=metadata.title if headline else None,
        date=metadata.date,
        author=metadata.author,
        kept_lines=kept,
        date_source=metadata.date_source,
        derived_title=None if headline else metadata.title,
    )


def _as_html(paragraphs: list[str]) -> str:
    from html import escape

    return "<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</body></html>"


def justext_extractor(case: GoldCase) -> Prediction:
    import justext

    paragraphs = paragraphs_of(case)
    stoplist = {"it": "Italian", "en": "English"}.get(
        detect_language(tuple(paragraphs)) or "", "Italian"
    )
    kept = [
        p.text
        for p in justext.justext(_as_html(paragraphs), justext.get_stoplist(stoplist))
        if not p.is_boilerplate
    ]
    return Prediction(body="\n".join(kept), title=None, kept_lines=tuple(kept))


def _peer_date(date: object, url: str | None) -> tuple[str | None, str | None]:
    """A peer's date as YYYY-MM-DD, with source ``url`` when it is the URL path's date:
    htmldate (and trafilatura through it) returns that date before looking at the page."""
    if not date:
        return None, None
    value = str(date)[:10]
    return value, "url" if value in url_dates(url) else None


def trafilatura_extractor(case: GoldCase) -> Prediction:
    import trafilatura

    result = trafilatura.bare_extraction(
        _as_html(paragraphs_of(case)),
        url=case.page_url,
        with_metadata=True,
        include_comments=False,
    )
    if result is None:
        return Prediction(body="", title=None)
    get = result.get if isinstance(result, dict) else lambda key: getattr(result, key, None)
    date, source = _peer_date(get("date"), case.page_url)
    return Prediction(
        body=get("text") or "",
        title=get("title"),
        date=date,
        author=get("author"),
        date_source=source,
    )


def htmldate_extractor(case: GoldCase) -> Prediction:
    from htmldate import find_date

    found = find_date(
        _as_html(paragraphs_of(case)),
        extensive_search=True,
        original_date=True,
        url=case.page_url,
    )
    date, source = _peer_date(found, case.page_url)
    return Prediction(body="", title=None, date=date, date_source=source)


EXTRACTORS: dict[str, Callable[[GoldCase], Prediction]] = {
    "postilla": postilla,
    "justext": justext_extractor,
    "trafilatura": trafilatura_extractor,
    "htmldate": htmldate_extractor,
}
PEERS = ("justext", "trafilatura", "htmldate")

# What each extractor is scored on (the others show "–" in the table).
ALL_FIELDS = frozenset({"body", "title", "date", "author", "entities"})
FIELDS: dict[str, frozenset[str]] = {
    "postilla": ALL_FIELDS,
    "justext": frozenset({"body", "entities"}),
    "trafilatura": ALL_FIELDS,
    "htmldate": frozenset({"date"}),
}
_MODULES = {
    "postilla": "generator",
    "justext": "justext",
    "trafilatura": "trafilatura",
    "htmldate": "htmldate",
}


def available(name: str) -> bool:
    """Whether a peer extractor's package is installed (jusText is a dev-only dependency)."""
    import importlib.util

    try:
        return importlib.util.find_spec(_MODULES[name]) is not None
    except ValueError:
        return False


# ---------------------------------------------------------------------------- scoring


def _tokens(text: str, junk: tuple[str, ...]) -> Counter[str]:
    for piece in junk:
        text = text.replace(piece, " ")
    return Counter(t.casefold() for t in _TOKEN.findall(text))


def score(case: GoldCase, prediction: Prediction) -> Score:
    """How well one prediction matches the gold labels of one case."""
    gold = _tokens("\n".join(case.body_lines), case.inline_junk)
    predicted = _tokens(prediction.body, case.inline_junk)
    overlap = sum((gold & predicted).values())
    p_total, g_total = sum(predicted.values()), sum(gold.values())
    precision = overlap / p_total if p_total else (1.0 if not g_total else 0.0)
    recall = overlap / g_total if g_total else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    date_ok, invented = date_verdict(case, prediction.date, prediction.date_source)
    wrong: list[str] = []
    if prediction.kept_lines is not None:
        # Counted, not a set: a repeated paragraph's first copy is B and each repeat X.
        kept = Counter(normalise_text(line) for line in prediction.kept_lines)
        lines = [(label, normalise_text(text)) for label, text in case.lines]
        verdicts: dict[int, str] = {}
        for body in (True, False):
            for i, (label, line) in enumerate(lines):
                if (label == "B") != body:
                    continue
                if kept[line]:
                    kept[line] -= 1
                    if not body:
                        verdicts[i] = f"kept {label}: {line[:100]}"
                elif body:
                    verdicts[i] = f"dropped {label}: {line[:100]}"
        wrong = [verdicts[i] for i in sorted(verdicts)]
    return Score(
        case=case.name,
        precision=precision,
        recall=recall,
        f1=f1,
        overlap=overlap,
        predicted_tokens=p_total,
        gold_tokens=g_total,
        title_ok=_same(prediction.title, case.title),
        date_ok=date_ok,
        date_invented=invented,
        author_ok=_same(prediction.author, case.author),
        wrong_lines=wrong,
        lost=bool(g_total) and not p_total,
        gold=case,
        found=prediction,
    )


def _same(a: str | None, b: str | None) -> bool:
    return (normalise_text(a) if a else None) == (normalise_text(b) if b else None)


def gold_registry(cases: list[GoldCase]) -> tuple[Entity, ...]:
    """A registry made of the gold entities: one entry per name, every mention an alias."""
    from slugify import slugify

    merged: dict[str, tuple[str, set[str]]] = {}
    for case in cases:
        for item in case.entities:
            entity_type, aliases = merged.setdefault(item["name"], (item["type"], set()))
            aliases.update(str(m) for m in item.get("mentions") or ())
    return tuple(
        Entity(
            id=slugify(name) or name,
            name=name,
            type=cast(EntityType, entity_type),
            aliases=tuple(sorted(aliases)),
        )
        for name, (entity_type, aliases) in sorted(merged.items())
    )


def entity_scores(cases: list[GoldCase], bodies: list[str] | None = None) -> list[EntityScore]:
    """Entity-level precision and recall per article: the gold registry of `cases`, linked
    into each body (one paragraph a line; by default the body Postilla keeps)."""
    from slugify import slugify

    from .entities import Linker

    # The gold lists every string that counts as a mention; a name is one only if listed
    # ("Attentati dell'11 marzo 2004 a Madrid" is found as "11 marzo 2004", next to "Madrid").
    linker = Linker(gold_registry(cases), names_are_aliases=False)
    if bodies is None:
        bodies = [postilla(case).body for case in cases]
    scores = []
    for case, body in zip(cases, bodies):
        found = {entity_id for p in body.split("\n") for _, _, entity_id in linker.find(p)}
        gold = {slugify(item["name"]) or item["name"] for item in case.entities}
        hits = found & gold
        scores.append(
            EntityScore(
                case=case.name,
                precision=len(hits) / len(found) if found else 1.0,
                recall=len(hits) / len(gold) if gold else 1.0,
                missed=tuple(sorted(gold - found)),
                extra=tuple(sorted(found - gold)),
            )
        )
    return scores


@dataclass(frozen=True)
class Summary:
    """An extractor's figures over one gold set."""

    name: str
    articles: int
    macro_precision: float
    macro_recall: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    micro_f1: float
    share_f1_099: float
    title_exact: float
    date_correct: float
    dates_invented: int
    author_exact: float
    seconds: float
    scores: tuple[Score, ...]
    articles_lost: int = 0
    entity_precision: float = 1.0
    entity_recall: float = 1.0
    set_name: str = ""
    fields: frozenset[str] = ALL_FIELDS


def summarise(
    name: str,
    scores: list[Score],
    seconds: float,
    set_name: str = "",
    fields: frozenset[str] = ALL_FIELDS,
) -> Summary:
    n = len(scores) or 1
    overlap = sum(s.overlap for s in scores)
    predicted = sum(s.predicted_tokens for s in scores)
    gold = sum(s.gold_tokens for s in scores)
    micro_p = overlap / predicted if predicted else 0.0
    micro_r = overlap / gold if gold else 0.0
    linked = [s.entities for s in scores if s.entities is not None]
    return Summary(
        name=name,
        articles=len(scores),
        macro_precision=sum(s.precision for s in scores) / n,
        macro_recall=sum(s.recall for s in scores) / n,
        macro_f1=sum(s.f1 for s in scores) / n,
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
        share_f1_099=sum(s.f1 >= GOOD_F1 for s in scores) / n,
        title_exact=sum(s.title_ok for s in scores) / n,
        date_correct=sum(s.date_ok for s in scores) / n,
        dates_invented=sum(s.date_invented for s in scores),
        author_exact=sum(s.author_ok for s in scores) / n,
        seconds=seconds,
        scores=tuple(scores),
        articles_lost=sum(s.lost for s in scores),
        entity_precision=sum(e.precision for e in linked) / (len(linked) or 1),
        entity_recall=sum(e.recall for e in linked) / (len(linked) or 1),
        set_name=set_name,
        fields=fields,
    )


def evaluate(cases: list[GoldCase], name: str = "postilla", set_name: str = "") -> Summary:
    """Run one extractor over the gold cases of one set and summarise its scores."""
    extractor = EXTRACTORS[name]
    started = time.perf_counter()
    predictions = [extractor(case) for case in cases]
    seconds = time.perf_counter() - started
    return judge(cases, predictions, name, set_name, seconds)


def judge(
    cases: list[GoldCase],
    predictions: list[Prediction],
    name: str = "postilla",
    set_name: str = "",
    seconds: float = 0.0,
) -> Summary:
    """Score the predictions of one extractor (`name`) on the gold cases of one set, each
    field only where that extractor gives it; entities linked into the bodies kept."""
    fields = FIELDS.get(name, ALL_FIELDS)
    scores = [score(c, p) for c, p in zip(cases, predictions)]
    if "entities" in fields:
        for s, linked in zip(scores, entity_scores(cases, [p.body for p in predictions])):
            s.entities = linked
    return summarise(name, scores, seconds, set_name, fields)


# ---------------------------------------------------------------------------- reports

ROWS = (
    ("articles", "articles", "{}", ""),
    ("body F1 (macro)", "macro_f1", "{:.3f}", "body"),
    ("body precision (macro)", "macro_precision", "{:.3f}", "body"),
    ("body recall (macro)", "macro_recall", "{:.3f}", "body"),
    ("body F1 (micro)", "micro_f1", "{:.3f}", "body"),
    (f"articles with F1 ≥ {GOOD_F1}", "share_f1_099", "{:.0%}", "body"),
    ("articles lost", "articles_lost", "{}", "body"),
    ("title exact", "title_exact", "{:.0%}", "title"),
    ("date right", "date_correct", "{:.0%}", "date"),
    ("dates invented", "dates_invented", "{}", "date"),
    ("author exact", "author_exact", "{:.0%}", "author"),
    ("entities precision", "entity_precision", "{:.3f}", "entities"),
    ("entities recall", "entity_recall", "{:.3f}", "entities"),
    ("seconds", "seconds", "{:.2f}", ""),
)


def table(summaries: list[Summary]) -> str:
    """The figures side by side: one row per field, one column per set and extractor
    (the sets in the order given, each with its extractors); "–" where a tool does not
    give that field."""
    width = max(len(label) for label, _, _, _ in ROWS) + 2
    columns = [max(len(s.name), 8) + 2 for s in summaries]
    sets: list[tuple[str, int]] = []  # (set name, how many columns) in order
    for s in summaries:
        if sets and sets[-1][0] == s.set_name:
            sets[-1] = (s.set_name, sets[-1][1] + 1)
        else:
            sets.append((s.set_name, 1))
    lines = []
    if any(name for name, _ in sets):
        head, at = "".ljust(width), 0
        for name, count in sets:
            span = sum(columns[at : at + count])
            head += (" " + name).rjust(span) if count == 1 else ("  " + name).ljust(span)
            at += count
        lines.append(head.rstrip())
    lines.append("".ljust(width) + "".join(s.name.rjust(w) for s, w in zip(summaries, columns)))
    for label, attr, fmt, needs in ROWS:
        cells = [
            (fmt.format(getattr(s, attr)) if not needs or needs in s.fields else "–").rjust(w)
            for s, w in zip(summaries, columns)
        ]
        lines.append(label.ljust(width) + "".join(cells))
    return "\n".join(lines)


def _listed(items: tuple[str, ...], most: int = 10) -> str:
    more = f" … and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def _quoted(value: str | None) -> str:
    return "none" if value is None else f"«{value}»"


def wrong_fields(s: Score, fields: frozenset[str] = ALL_FIELDS) -> list[str]:
    """The fields of one case an extractor got wrong, worst first."""
    wrong = []
    if "body" in fields and (s.lost or s.f1 < 1.0 or s.wrong_lines):
        wrong.append("body")
    for name, ok in (("title", s.title_ok), ("date", s.date_ok), ("author", s.author_ok)):
        if name in fields and not ok:
            wrong.append(name)
    if s.date_invented and "date" in fields and "date" not in wrong:
        wrong.append("date")
    if "entities" in fields and s.entities and (s.entities.missed or s.entities.extra):
        wrong.append("entities")
    return wrong


def case_errors(s: Score, fields: frozenset[str] = ALL_FIELDS, lines: int = 8) -> str:
    """Every wrong field of one case, with what the gold expects and what was found."""
    gold, found = s.gold, s.found
    wrong = wrong_fields(s, fields)
    out = [s.case + (f"  {gold.page_url}" if gold and gold.page_url else "")]
    if found and found.error:
        out.append(f"  refused: {found.error}")
    for name in wrong:
        if name == "body":
            note = "LOST: no body kept; " if s.lost else ""
            out.append(f"  body      {note}F1 {s.f1:.3f} (P {s.precision:.3f} R {s.recall:.3f})")
            out += [f"            {line}" for line in s.wrong_lines[:lines]]
            if len(s.wrong_lines) > lines:
                out.append(f"            … {len(s.wrong_lines) - lines} more lines")
        elif name == "title" and gold and found:
            derived = f" (derived {_quoted(found.derived_title)})" if found.derived_title else ""
            out.append(f"  title     expected {_quoted(gold.title)}")
            out.append(f"            found    {_quoted(found.title)}{derived}")
        elif name == "date" and gold and found:
            source = f" (source: {found.date_source or 'not given'})" if found.date else ""
            verdict = "; INVENTED: the file does not state it" if s.date_invented else ""
            from_url = url_dates(gold.page_url)
            path = f"; the URL's path says {', '.join(from_url)}" if from_url else ""
            out.append(
                f"  date      expected {gold.date or 'none'}, found {found.date or 'none'}"
                f"{source}{verdict}{path}"
            )
        elif name == "author" and gold and found:
            out.append(f"  author    expected {_quoted(gold.author)}")
            out.append(f"            found    {_quoted(found.author)}")
        elif name == "entities" and s.entities:
            if s.entities.missed:
                out.append(f"  entities  missed: {_listed(s.entities.missed)}")
            if s.entities.extra:
                out.append(f"  entities  extra:  {_listed(s.entities.extra)}")
    return "\n".join(out)


def _badness(s: Score, fields: frozenset[str]) -> tuple[Any, ...]:
    return (not s.lost, not s.date_invented, s.f1, -len(wrong_fields(s, fields)), s.case)


def errors(summary: Summary, limit: int | None = None) -> str:
    """Each case with a wrong field, worst first (lost, invented date, lowest body F1,
    most wrong fields), at most `limit` of them; every wrong field with expected and found
    values and, for the body, the lines dropped or kept against the gold."""
    faulty = [s for s in summary.scores if wrong_fields(s, summary.fields)]
    faulty.sort(key=lambda s: _badness(s, summary.fields))
    shown = faulty if limit is None else faulty[:limit]
    where = f" on {summary.set_name}" if summary.set_name else ""
    head = f"{summary.name}{where}: {len(faulty)} of {summary.articles} articles with a wrong field"
    if len(shown) < len(faulty):
        head += f" (the worst {len(shown)} shown; --errors for all)"
    return "\n".join(
        [head + (":" if shown else ""), *(case_errors(s, summary.fields) for s in shown)]
    )
