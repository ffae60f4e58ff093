"""Dates as evidence: every date expression of a page, ranked by the role of the line it is in.

A page states its publication date in many ways: a whole-line timestamp
(``2021-10-24T22:48+0200``), words inside a longer line ("Questo contenuto è stato
pubblicato il 3 marzo 2018 - 09:15", "Edizione del 9 gennaio 2020", "Mario Rossi, La
Stampa, 4 settembre 2020"), an agency dateline ("Torino, 2 maggio 2018 –"), the
scraper's header (``date 2019-10``), or only the page address (``/2019/04/27/``).
It also holds dates that are not its publication: an update stamp ("Aggiornato il …"),
events in the story, related articles below it, "3 ore fa".

So the date is chosen by evidence, not by the first pattern that matches: each
expression found (`find_expressions`, a grammar of numbers, month and weekday names in
Italian and English, kept as data in `patterns`) gets the role of its line
(`Candidate.role`, ranked by `ROLE_RANK`), update stamps are never candidates, dates in
the body count only as a dateline at its very start, and a candidate must agree with the
scraper's header when there is one. Precision is never invented: a header month and a
day found in the text give a day, a header alone gives what it says, the address's path
only what it holds (``date_source: url``).

Why not dateparser: it reads Italian well, but costs 4 ms a string (16 ms to search a
line) on this machine, twenty times the whole budget of cleaning one article; the
expressions a news page uses for its own date are few and regular, and every one is
checked by `datetime.date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from urllib.parse import urlsplit

from . import patterns

_DIGIT = re.compile(r"\d")

# Roles of the line a date is in, most trusted first. A date in a line that says it is
# the publication ("Pubblicato il …") beats a bare timestamp line, which beats a date in
# a byline or another short line above the body, which beats an agency dateline.
ROLE_RANK = {
    "published": 0,  # a line that says "published"/"pubblicato"/"edizione del"
    "timestamp": 1,  # a line that is a date (and time), nothing else
    "byline": 2,  # "Name, Outlet, 4 settembre 2020" and other short lines near the top
    "dateline": 3,  # "Torino, 2 maggio 2018 –" at the start of the body
    "headline": 4,  # "2 agosto 1980: la strage di Bologna": only with a header that agrees
}
# Roles whose date names the story's subject as often as its day ("23/5/1992: la strage di
# Capaci", "Oroscopo del 3 marzo 2023"): a candidate only when the scraper's header
# confirms its year and month, never alone.
CONFIRMED_ONLY = frozenset({"headline"})


@dataclass(frozen=True)
class Expression:
    """A date written in a line: its value at the precision written, and where it is."""

    value: str  # YYYY-MM-DD or YYYY-MM
    published: str | None  # ISO datetime with offset, when the line gives time and zone
    start: int
    end: int
    timed: bool = False  # the expression gives a time of day too


@dataclass(frozen=True)
class Candidate:
    """A date that may be the publication date, with the evidence for it."""

    value: str
    published: str | None
    role: str  # a key of ROLE_RANK
    line: int  # raw line number (0 for the header or the address)
    text: str  # the line


def _month(text: str) -> int | None:
    text = text.lower().rstrip(".")
    return int(text) if text.isdigit() else patterns.MONTHS.get(text)


def _iso_day(year: int, month: int | None, day: int | None) -> str | None:
    if month is None or not 1900 <= year <= 2100:
        return None
    try:
        if day is None:
            return Date(year, month, 1).isoformat()[:7]
        return Date(year, month, day).isoformat()
    except ValueError:
        return None


def find_expressions(text: str) -> tuple[Expression, ...]:
    """Every date expression in `text`, in order, without overlaps (the most precise
    grammar rule wins where two would read the same words)."""
    if not _DIGIT.search(text):
        return ()  # every date expression has a digit
    return _find_expressions(text)


@lru_cache(maxsize=4096)  # cleaning and metadata ask about the same lines
def _find_expressions(text: str) -> tuple[Expression, ...]:
    found: list[Expression] = []
    taken: list[tuple[int, int]] = []
    for pattern in patterns.DATE_EXPRESSIONS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            taken.append((match.start(), match.end()))  # an impossible day is no month either
            groups = match.groupdict()
            day_text = groups.get("d")
            value = _iso_day(
                int(match["y"]), _month(match["m"]), int(day_text) if day_text else None
            )
            if value is None:
                continue
            timed = bool(groups.get("H"))
            found.append(
                Expression(value, _published(value, groups), match.start(), match.end(), timed)
            )
    return tuple(sorted(found, key=lambda e: e.start))


def _published(day: str, groups: dict[str, str | None]) -> str | None:
    """The full timestamp, only when the text gives a day, a time and a zone."""
    if len(day) != 10 or not groups.get("H") or not groups.get("tz"):
        return None
    tz = groups["tz"] or ""
    offset = "+00:00" if tz == "Z" else f"{tz[:3]}:{tz[-2:]}"
    return f"{day}T{int(groups['H'] or 0):02d}:{groups['M']}:{groups.get('S') or '00'}{offset}"


def is_update(text: str) -> bool:
    """A line that gives an update, not the publication: an update cue ("Aggiornato il",
    "Last updated") before its first date, and no publication cue. ("24 dicembre 2021 •
    07:00 Aggiornato, 24 dicembre 2021 • 14:46" gives the publication first.)"""
    if patterns.PUBLISHED_CUES.search(text):
        return False
    cue = patterns.UPDATE_CUES.search(text)
    if cue is None:
        return False
    expressions = find_expressions(text)
    return not expressions or cue.start() < expressions[0].start


def date_line_rest(text: str, expressions: tuple[Expression, ...]) -> list[str]:
    """The words of a line besides its dates, times and the words that go with a date
    ("pubblicato il", "ore", weekdays, "6 mesi fa"): what tells a date line from prose."""
    for expression in reversed(expressions):
        text = text[: expression.start] + " " + text[expression.end :]
    text = patterns.DATE_LINE_FILLER.sub(" ", text)
    return re.findall(r"[^\W\d_]+", text)


def is_date_line(text: str) -> bool:
    """A line that is a publication or update stamp: a date and little else (at most
    `DATE_LINE_MAX_OTHER_WORDS` other words, or a few more after a date with a time or
    after a publication cue that opens the line: "Pubblicato il 26 dicembre 2017 alle 6:01
    in Afghanistan", "2024-12-08 09:00:04 - From: The Guardian"); never a caption."""
    if len(text) > patterns.DATE_LINE_MAX_CHARS or patterns.CAPTION_CUES.search(text):
        return False
    expressions = find_expressions(text)
    if not expressions:
        return False
    rest = date_line_rest(text, expressions)
    if len(rest) <= patterns.DATE_LINE_MAX_OTHER_WORDS:
        return True
    opens = patterns.PUBLISHED_CUES.match(text) or patterns.UPDATE_CUES.match(text)
    timed = any(e.timed for e in expressions) and expressions[0].start == 0
    return bool(opens or timed) and len(rest) <= patterns.DATE_LINE_MAX_WORDS_WITH_CUE


def candidates_in_line(number: int, text: str, role: str) -> list[Candidate]:
    """The publication-date candidates of one line in the role its place gives it; a line
    that says it is published is promoted, an update stamp gives none."""
    if is_update(text):
        return []
    expressions = find_expressions(text)
    if not expressions:
        return []
    if patterns.PUBLISHED_CUES.search(text):
        role = "published"
    first = expressions[0]
    return [Candidate(first.value, first.published, role, number, text)]


def dateline_candidate(number: int, paragraph: str) -> Candidate | None:
    """A full date at the very start of the body, after a place and before a dash or an
    agency ("Torino, 2 maggio 2018 – …", "Kabul, 12 maggio 2021 (ANSA) -"): an event
    date in the story ("Il 2 maggio 2018 la polizia…") is not one."""
    head = paragraph[: patterns.DATELINE_REACH]
    for expression in find_expressions(head):
        place = patterns.DATELINE_PLACE.match(_without_weekday(head[: expression.start]))
        if place and patterns.DATELINE_AFTER.match(paragraph[expression.end :]):
            return Candidate(expression.value, expression.published, "dateline", number, paragraph)
    return None


def _without_weekday(text: str) -> str:
    return re.sub(rf"(?:{patterns.WEEKDAYS}),?\s*$", "", text, flags=re.IGNORECASE)


def agrees(value: str, header_date: str | None) -> bool:
    """A date agrees with the header when one is a more precise form of the other."""
    return header_date is None or value.startswith(header_date) or header_date.startswith(value)


def best(candidates: list[Candidate], header_date: str | None) -> Candidate | None:
    """The most trusted candidate that agrees with the header; earlier lines win ties,
    and so does the more precise of two that agree with each other. A `CONFIRMED_ONLY`
    role needs a header to agree with."""
    fitting = [
        c
        for c in candidates
        if agrees(c.value, header_date) and (header_date or c.role not in CONFIRMED_ONLY)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (ROLE_RANK[c.role], -len(c.value), c.line))


def url_date(url: str | None) -> str | None:
    """The date in a page address's path: ``/2019/04/27/``, ``/2019/04/``, ``/20211024/``,
    ``/2019-04-27-``; None when the path holds none (a year alone says too little)."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in patterns.URL_DATES:
        match = pattern.search(path)
        if match:
            day = match.groupdict().get("d")
            value = _iso_day(int(match["y"]), int(match["m"]), int(day) if day else None)
            if value:
                return value
    return None
