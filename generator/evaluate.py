"""``postilla eval DIR``: cleaning and metadata measured against hand-made gold labels.

A gold file ``NNN.yml`` labels every non-empty line of its raw file (H header, T title,
M metadata, B body, X boilerplate) and gives the title, date and author (see
tests/fixtures/corpus/README.md). Postilla and, when installed, jusText and trafilatura
get the same text, one paragraph per line, and are scored on:

- body tokens: precision, recall and F1 of the words kept (macro over articles and micro
  over all words), with the gold's inline junk (``(Segue)``, datelines) neutral;
- the share of articles whose body F1 is at least 0.99;
- title exact (a derived title counts as "no headline"), date exact at the gold's
  precision, dates invented (a date the file does not state), author exact.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from .clean import clean
from .ingest import parse_raw
from .markdown_text import normalise_text
from .metadata import detect_language, extract
from .model import Entity, EntityType

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class GoldCase:
    """One labelled raw file."""

    name: str
    data: bytes
    lines: tuple[tuple[str, str], ...]  # (label, stripped text) for every non-empty line
    title: str | None
    date: str | None
    author: str | None
    url: str | None
    inline_junk: tuple[str, ...]
    entities: tuple[dict[str, Any], ...] = ()

    @property
    def body_lines(self) -> list[str]:
        return [text for label, text in self.lines if label == "B"]


@dataclass(frozen=True)
class Prediction:
    """What one extractor says about one raw file."""

    body: str  # the kept text
    title: str | None  # None: "there is no headline"
    date: str | None = None
    author: str | None = None
    kept_lines: tuple[str, ...] | None = None  # per-line decisions, when the tool has them


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


def load_gold(folder: Path) -> list[GoldCase]:
    """Every ``*.yml`` gold file in `folder` whose raw file can be found.

    A gold file's ``file:`` key names its raw file, next to it or in a sibling ``seeds/``
    folder (the layout of the labelled corpus).
    """
    cases = []
    for path in sorted(folder.glob("*.yml")):
        gold = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(gold, dict) or "lines" not in gold:
            continue
        candidates = [path.parent / gold["file"], path.parent.parent / "seeds" / gold["file"]]
        raw = next((c for c in candidates if c.is_file()), None)
        if raw is None:
            continue
        cases.append(
            GoldCase(
                name=path.stem,
                data=raw.read_bytes(),
                lines=tuple((label, str(text)) for label, text in gold["lines"]),
                title=gold.get("title"),
                date=None if gold.get("date") is None else str(gold["date"]),
                author=gold.get("author"),
                url=gold.get("url"),
                inline_junk=tuple(gold.get("inline_junk") or ()),
                entities=tuple(gold.get("entities") or ()),
            )
        )
    return cases


def paragraphs_of(case: GoldCase) -> list[str]:
    """The raw text as the peers get it: one paragraph per non-empty line."""
    text = case.data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def postilla(case: GoldCase) -> Prediction:
    raw = parse_raw(case.name + ".txt", case.data)
    cleaned = clean(raw)
    metadata = extract(raw, cleaned)
    kept = tuple(d.text for d in cleaned.decisions if d.label == "body")
    return Prediction(
        body="\n".join(cleaned.paragraphs),
        title=metadata.title if metadata.title_source == "headline" else None,
        date=metadata.date,
        author=metadata.author,
        kept_lines=kept,
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
    heading = next(
        (
            p.text
            for p in justext.justext(_as_html(paragraphs), justext.get_stoplist(stoplist))
            if p.heading
        ),
        None,
    )
    return Prediction(body="\n".join(kept), title=heading, kept_lines=tuple(kept))


def trafilatura_extractor(case: GoldCase) -> Prediction:
    import trafilatura

    result = trafilatura.bare_extraction(
        _as_html(paragraphs_of(case)), with_metadata=True, include_comments=False
    )
    if result is None:
        return Prediction(body="", title=None)
    get = result.get if isinstance(result, dict) else lambda key: getattr(result, key, None)
    date = get("date")
    return Prediction(
        body=get("text") or "",
        title=get("title"),
        date=str(date)[:10] if date else None,
        author=get("author"),
    )


def available(name: str) -> bool:
    """Whether a peer extractor's package is installed (they are dev-only dependencies)."""
    import importlib.util

    module = {"postilla": "generator", "justext": "justext", "trafilatura": "trafilatura"}[name]
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:
        return False


EXTRACTORS: dict[str, Callable[[GoldCase], Prediction]] = {
    "postilla": postilla,
    "justext": justext_extractor,
    "trafilatura": trafilatura_extractor,
}


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
    gold_date, date = case.date, prediction.date
    invented = date is not None and date != gold_date and not (gold_date or "").startswith(date)
    wrong: list[str] = []
    if prediction.kept_lines is not None:
        kept = {normalise_text(line) for line in prediction.kept_lines}
        for label, text in case.lines:
            line = normalise_text(text)
            if label == "B" and line not in kept:
                wrong.append(f"dropped {label}: {line[:100]}")
            elif label != "B" and line in kept:
                wrong.append(f"kept {label}: {line[:100]}")
    return Score(
        case=case.name,
        precision=precision,
        recall=recall,
        f1=f1,
        overlap=overlap,
        predicted_tokens=p_total,
        gold_tokens=g_total,
        title_ok=_same(prediction.title, case.title),
        date_ok=date == gold_date,
        date_invented=invented,
        author_ok=_same(prediction.author, case.author),
        wrong_lines=wrong,
    )


def _same(a: str | None, b: str | None) -> bool:
    return (normalise_text(a) if a else None) == (normalise_text(b) if b else None)


@dataclass(frozen=True)
class Summary:
    """An extractor's figures over a whole gold set."""

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


def summarise(name: str, scores: list[Score], seconds: float) -> Summary:
    n = len(scores) or 1
    overlap = sum(s.overlap for s in scores)
    predicted = sum(s.predicted_tokens for s in scores)
    gold = sum(s.gold_tokens for s in scores)
    micro_p = overlap / predicted if predicted else 0.0
    micro_r = overlap / gold if gold else 0.0
    return Summary(
        name=name,
        articles=len(scores),
        macro_precision=sum(s.precision for s in scores) / n,
        macro_recall=sum(s.recall for s in scores) / n,
        macro_f1=sum(s.f1 for s in scores) / n,
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
        share_f1_099=sum(s.f1 >= 0.99 for s in scores) / n,
        title_exact=sum(s.title_ok for s in scores) / n,
        date_correct=sum(s.date_ok for s in scores) / n,
        dates_invented=sum(s.date_invented for s in scores),
        author_exact=sum(s.author_ok for s in scores) / n,
        seconds=seconds,
        scores=tuple(scores),
    )


def evaluate(cases: list[GoldCase], name: str = "postilla") -> Summary:
    """Run one extractor over the gold cases and summarise its scores."""
    extractor = EXTRACTORS[name]
    started = time.perf_counter()
    predictions = [extractor(case) for case in cases]
    seconds = time.perf_counter() - started
    return summarise(name, [score(c, p) for c, p in zip(cases, predictions)], seconds)


ROWS = (
    ("body F1 (macro)", "macro_f1", "{:.3f}"),
    ("body precision (macro)", "macro_precision", "{:.3f}"),
    ("body recall (macro)", "macro_recall", "{:.3f}"),
    ("body F1 (micro)", "micro_f1", "{:.3f}"),
    ("articles with F1 ≥ 0.99", "share_f1_099", "{:.0%}"),
    ("title exact", "title_exact", "{:.0%}"),
    ("date correct", "date_correct", "{:.0%}"),
    ("dates invented", "dates_invented", "{}"),
    ("author exact", "author_exact", "{:.0%}"),
    ("seconds", "seconds", "{:.2f}"),
)


def table(summaries: list[Summary]) -> str:
    """The figures side by side, one column per extractor."""
    width = max(len(label) for label, _, _ in ROWS) + 2
    head = "".ljust(width) + "".join(s.name.rjust(13) for s in summaries)
    lines = [f"{summaries[0].articles} articles", head]
    for label, attr, fmt in ROWS:
        lines.append(
            label.ljust(width) + "".join(fmt.format(getattr(s, attr)).rjust(13) for s in summaries)
        )
    return "\n".join(lines)


def worst(summary: Summary, count: int) -> str:
    """The `count` articles with the lowest body F1, with their wrong lines."""
    out = []
    ordered = sorted(summary.scores, key=lambda s: (s.f1, s.case))
    for s in ordered[:count]:
        flags = [
            name
            for name, ok in (("title", s.title_ok), ("date", s.date_ok), ("author", s.author_ok))
            if not ok
        ]
        out.append(
            f"{s.case}: F1 {s.f1:.3f} (P {s.precision:.3f} R {s.recall:.3f})"
            + (f"; wrong: {', '.join(flags)}" if flags else "")
        )
        out += [f"    {line}" for line in s.wrong_lines[:8]]
    return "\n".join(out)


@dataclass(frozen=True)
class EntityScore:
    case: str
    precision: float
    recall: float
    missed: tuple[str, ...]  # gold entities not found
    extra: tuple[str, ...]  # entities found that the gold does not list


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


def entity_scores(cases: list[GoldCase]) -> list[EntityScore]:
    """Entity-level precision and recall per article: the gold registry, linked into the
    body Postilla keeps of each raw file."""
    from slugify import slugify

    from .entities import Linker

    # The gold lists every string that counts as a mention; a name is one only if listed
    # ("Attentati dell'11 marzo 2004 a Madrid" is found as "11 marzo 2004", next to "Madrid").
    linker = Linker(gold_registry(cases), names_are_aliases=False)
    scores = []
    for case in cases:
        cleaned = clean(parse_raw(case.name + ".txt", case.data))
        found = {entity_id for p in cleaned.paragraphs for _, _, entity_id in linker.find(p)}
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
