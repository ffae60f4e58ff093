"""Cleaning: decide for every line of a raw article whether it is body, and repair the body.

Lines are read top to bottom with a little state (have we seen the title? the
body? the end of the article?), because position is the strongest signal in a
scraped page: a short line above the body is a headline or a kicker, a name
after the body is a byline and what follows it is page furniture. The phrases
that identify boilerplate are data, in `patterns`. The result lists every
line's decision with the rule that made it, so nothing is removed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import patterns
from .markdown_text import normalise_text
from .model import CleanedText, LineDecision, LineLabel, RawArticle

REASONS: dict[str, str] = {
    "header": "scraper header line (date and URL)",
    "headline": "the headline",
    "repeated": "repeats an earlier line",
    "timestamp": "publication timestamp",
    "repeated-timestamp": "repeats the publication timestamp",
    "byline": "byline",
    "after-byline": "after the closing byline: author bio or page furniture",
    "after-end": "after the end of the article (comments, cookie banner, paywall)",
    "kicker": "section label above the headline",
    "teaser": "teaser that repeats the article's opening",
    "short-line": "too short to be body text: a label or menu item",
    "body": "article text",
    **{rule.id: rule.reason for rule in patterns.BOILERPLATE},
}

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]$")
# A full stop glued to the next sentence: "terroristi.A quanto", "operativi.Tuttavia".
_GLUED = re.compile(
    r"(?P<word>[\w'’-]*\w)(?P<stop>[.!?]+[\"”»]?)(?P<next>\*?[A-ZÀ-ÖØ-Þ])(?=[\w\s'’])"
)
_FOOTNOTE = re.compile(r"^(\*{1,3}|\(\*\)|†|¹)\s*\S")


@dataclass
class _State:
    seen_title: bool = False
    seen_body: bool = False
    seen_timestamp: bool = False
    ended: bool = False
    closing_byline: bool = False


def clean(raw: RawArticle) -> CleanedText:
    """Every line's decision and the repaired body of one raw article."""
    lines = [
        (number, normalise_text(text))
        for number, text in enumerate(raw.text.split("\n"), start=1)
        if text.strip()
    ]
    header_number = raw.body_start if raw.header else None
    decisions: list[LineDecision] = []
    state = _State()
    seen: dict[str, int] = {}
    for index, (number, text) in enumerate(lines):
        if number == header_number:
            decisions.append(_decide(number, text, "header", "header"))
            continue
        following = [t for n, t in lines[index + 1 : index + 3]]
        label, rule = classify_line(text, following, state, seen)
        key = _line_key(text)
        seen.setdefault(key, number)
        if rule == "repeated":
            decisions.append(LineDecision(number, text, label, rule, f"repeats line {seen[key]}"))
        else:
            decisions.append(_decide(number, text, label, rule))
    body_lines = [d.text for d in decisions if d.label == "body"]
    paragraphs, footnotes, repairs = repair_body(body_lines)
    return CleanedText(tuple(decisions), paragraphs, footnotes, tuple(repairs))


def _decide(number: int, text: str, label: LineLabel, rule: str) -> LineDecision:
    return LineDecision(number, text, label, rule, REASONS[rule])


def _line_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def classify_line(
    text: str, following: list[str], state: _State, seen: dict[str, int]
) -> tuple[LineLabel, str]:
    """Label and rule id for one line, given what came before (`state`, `seen`) and the
    next lines. Updates `state`."""
    words = len(_WORD.findall(text))
    rule = boilerplate_rule(text, words)
    if state.ended:
        return "junk", rule.id if rule else "after-end"
    if _line_key(text) in seen and words > 0:
        return "junk", "repeated"
    if is_timestamp(text):
        if state.seen_timestamp:
            return "junk", "repeated-timestamp"
        state.seen_timestamp = True
        return "meta", "timestamp"
    if rule:
        if rule.ends_article and state.seen_body:
            state.ended = True
        return "junk", rule.id
    if patterns.BYLINE.match(text) or (
        not state.seen_body and state.seen_title and patterns.NAME_LINE.match(text)
    ):
        if state.seen_body:
            state.closing_byline = True
        return "meta", "byline"
    if state.closing_byline:
        return "junk", "after-byline"
    if not state.seen_body and not state.seen_title:
        if is_kicker(text, following):
            return "junk", "kicker"
        if looks_like_headline(text):
            state.seen_title = True
            return "title", "headline"
    if not state.seen_body and is_teaser(text):
        return "junk", "teaser"
    if words < 3 and not _SENTENCE_END.search(text):
        return "junk", "short-line"
    state.seen_body = True
    return "body", "body"


def boilerplate_rule(text: str, words: int | None = None) -> patterns.BoilerplateRule | None:
    """The first boilerplate rule whose pattern matches the line, if the line is short
    enough for that rule (a long paragraph that mentions cookies is still text)."""
    if words is None:
        words = len(_WORD.findall(text))
    for rule in patterns.BOILERPLATE:
        if words <= rule.max_words and any(p.search(text) for p in rule.patterns):
            return rule
    return None


def is_timestamp(text: str) -> bool:
    """True if the whole line is a date or date and time."""
    return any(p.match(text) for p in patterns.TIMESTAMPS)


def looks_like_headline(text: str) -> bool:
    """A headline: one line of 2 to 30 words that does not end like a sentence."""
    words = len(_WORD.findall(text))
    return 2 <= words <= 30 and len(text) <= 250 and not re.search(r"[.:;,]$", text)


def is_kicker(text: str, following: list[str]) -> bool:
    """A section label above the headline: a few words, all capitals or followed by a headline."""
    if not patterns.KICKER.match(text) or text.endswith(("?", "!")):
        return False
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    return shouting or (bool(following) and looks_like_headline(following[0]) and len(text) < 20)


def is_teaser(text: str) -> bool:
    """A teaser above the body: text cut off with an ellipsis, possibly with its date."""
    return bool(patterns.TEASER_END.search(text)) and len(_WORD.findall(text)) >= 8


def repair_body(lines: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """Paragraphs, publisher footnotes and a list of repairs, from the body lines.

    Sentences glued across paragraphs (``terroristi.A quanto``) are split back into
    paragraphs; a trailing ``*Note…`` paragraph is the publisher's footnote.
    """
    paragraphs: list[str] = []
    repairs: list[str] = []
    for line in lines:
        parts = split_glued_sentences(line)
        if len(parts) > 1:
            repairs.extend(
                f"split glued sentences: …{a[-20:]}|{b[:20]}…" for a, b in zip(parts, parts[1:])
            )
        paragraphs.extend(parts)
    footnotes: list[str] = []
    while paragraphs and _FOOTNOTE.match(paragraphs[-1]):
        footnotes.insert(0, paragraphs.pop())
    return tuple(paragraphs), tuple(footnotes), repairs


def split_glued_sentences(text: str) -> list[str]:
    """Split a paragraph where one sentence runs into the next with no space.

    Not at abbreviations (``ecc.``), initials (``L.M.``), numbers (``10.000``),
    or web addresses (``sito.it``), because the next character must be a capital
    letter and the word before the stop must be a real word of two letters or more.
    """
    cuts: list[int] = []
    for match in _GLUED.finditer(text):
        word = match["word"]
        if (
            len(word) < 2
            or not word[-1].islower()
            or word.lower() in patterns.ABBREVIATIONS
            or _is_part_of_address(text, match.start("word"))
        ):
            continue
        cuts.append(match.start("next"))
    if not cuts:
        return [text]
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return [p for p in pieces if p]


def _is_part_of_address(text: str, word_start: int) -> bool:
    token_start = text.rfind(" ", 0, word_start) + 1
    token = text[token_start:word_start]
    return "/" in token or "@" in token or token.lower().startswith("www")
