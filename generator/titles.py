"""The headline, chosen by evidence among the lines that could be it.

Reading a page top to bottom, cleaning takes the first short line above the body as the
headline. On pages from outlets it has never seen, that line is often something else: a
navigation or site phrase ("Esclusive per gli abbonati", "Altre sezioni", "Agenzia di
Stampa …"), a widget's heading, a section label. So once every line has a label, the
headline is chosen again among the candidates, the lines above the body and the first
lines of the body that are shaped like a headline, by evidence:

- **the page address**: the words of its slug (``/la-serie-a-del-mondo-parallelo-vol-5``)
  are usually the headline's words; the share of them a candidate has is the strongest
  signal there is;
- **site and navigation phrases** (data: `patterns.SITE_PHRASES`, Italian and English) and
  short lines naming the outlet are never a headline;
- **shape**: a headline has a few words to a couple of dozen, is not a bullet, a byline or
  a date, and does not end like a sentence;
- **repetition**: pages often print the headline twice;
- **position**: the first line shaped like a headline above the text gets a small advantage,
  so without other evidence the top-to-bottom reading stands.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import dates, patterns

SLUG_MIN_WORDS = 2  # a slug with fewer words ("/notizia/12345") says nothing
CANDIDATE_MAX_WORDS = 40
CANDIDATE_MAX_CHARS = 300
BODY_REACH = 8  # blocks past the body's start that may still be the headline (after a widget)
MIN_SCORE = 0.5  # below this, the page has no headline
RICH_SLUG = 4  # an address with this many words or more spells out its headline…
RICH_SLUG_MIN_SHARE = 0.2  # …so the headline has at least this share of them
OUTLET_TAGGED_MIN_SHARE = 0.5  # "Headline | Outlet" elsewhere on the page: this page's?

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Scored:
    """A candidate line and why it scored what it did (for ``import --explain``)."""

    index: int
    text: str
    score: float
    evidence: tuple[str, ...]


def slug_words(url: str | None) -> frozenset[str]:
    """The words of the last meaningful segment of the address's path, ASCII, lowercase:
    no ids, no words with digits, no extensions (``…/ucciso-un-45enne-ooztrte4`` → ucciso, un)."""
    if not url:
        return frozenset()
    segments = [s for s in urlsplit(url).path.split("/") if s]
    for segment in reversed(segments):
        segment = re.sub(r"\.(s?html?|php|aspx?|cms)$", "", segment, flags=re.IGNORECASE)
        words = [w for w in re.split(r"[-_+.]+", segment.lower()) if w]
        words = [w for w in words if not w.isdigit() and not patterns.SLUG_NOISE.fullmatch(w)]
        if len(words) >= SLUG_MIN_WORDS:
            return frozenset(words)
    return frozenset()


def ascii_words(text: str) -> list[str]:
    """The words of `text` as a slug spells them: ASCII, lowercase (``Città`` → citta)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _ASCII_WORD.findall(folded)


def outlet_names(url: str | None) -> frozenset[str]:
    """The outlet's name as its address spells it (``www.lagazzettadelmezzogiorno.it`` →
    lagazzettadelmezzogiorno; ``tg24.sky.it`` → sky, tg24)."""
    if not url:
        return frozenset()
    host = (urlsplit(url).hostname or "").lower()
    labels = [p for p in host.split(".")[:-1] if p not in ("www", "m", "amp", "it", "com", "co")]
    return frozenset(labels)


def tidy(headline: str, url: str | None) -> str:
    """The headline without what pages glue to it: a section label before it
    ("CronacaOttobre: …"), the outlet's name after it ("Titolo | Il Giornale")."""
    label = patterns.SECTION_LABEL.match(headline)
    if label and len(headline) - label.end() >= 10:
        headline = headline[label.end() :]
    return outlet_tagged(headline, outlet_names(url)) or headline


def outlet_tagged(line: str, outlet: frozenset[str]) -> str | None:
    """The headline of a line that names it with the outlet: "Headline | Outlet", "Headline
    - Outlet", "© Outlet – Headline | section" (a page's own link or copyright line)."""
    if not outlet:
        return None
    for pattern in patterns.OUTLET_TAGGED:
        match = pattern.match(line)
        if match and _names_outlet(match["outlet"], outlet):
            return match["headline"].strip()
    return None


def _names_outlet(text: str, outlet: frozenset[str]) -> bool:
    """``Il Giornale`` names ``ilgiornale.it``: its words, run together, are a label of the
    address's host."""
    return "".join(ascii_words(text)) in outlet


def score_candidate(
    text: str, slug: frozenset[str], outlet: frozenset[str], repeated: bool
) -> tuple[float, tuple[str, ...]]:
    """How much a line looks like this page's headline, with the evidence (its position
    aside: `choose` adds that)."""
    evidence = []
    score = 0.0
    words = _WORD.findall(text)
    if slug:
        found = set(ascii_words(text))
        share = len(found & slug) / len(slug)
        if share:
            score += 4 * share
            evidence.append(f"{share:.0%} of the address's words (+{4 * share:.1f})")
        if len(slug) >= RICH_SLUG and share < RICH_SLUG_MIN_SHARE:
            # A slug of many words is the headline's: a line with hardly any of them is not.
            score -= 2
            evidence.append(f"under {RICH_SLUG_MIN_SHARE:.0%} of a long address's words (-2)")
        elif not share and len(words) >= 3:
            score -= 0.5
            evidence.append("none of the address's words (-0.5)")
    if len(words) <= 3 and score < 3:  # short, and not the address's words
        score -= 1.0
        evidence.append("three words or fewer (-1)")
    elif len(words) <= 25:
        score += 0.5
        evidence.append("headline length (+0.5)")
    if patterns.SITE_PHRASES.search(text):
        score -= 4
        evidence.append("a site or navigation phrase (-4)")
    lowered = {w.lower() for w in words}
    if outlet & lowered and len(words) <= 6:
        score -= 3
        evidence.append("names the outlet (-3)")
    if repeated:
        score += 0.5
        evidence.append("printed again further down (+0.5)")
    return score, tuple(evidence)


def is_candidate(text: str) -> bool:
    """A line that could be a headline at all."""
    words = len(_WORD.findall(text))
    return (
        2 <= words <= CANDIDATE_MAX_WORDS
        and len(text) <= CANDIDATE_MAX_CHARS
        and not patterns.NOT_HEADLINE_START.match(text)
        and not patterns.NOT_HEADLINE_ANYWHERE.search(text)
        and not re.search(r"[.:;,]$", text.rstrip("”\"»’'"))
        and not dates.is_date_line(text)
        and not patterns.BYLINE.match(text)
    )


def choose(
    texts: list[str],
    labels: list[tuple[str, str]],
    keys: list[str],
    is_prose: Callable[[str], bool],
    url: str | None,
) -> tuple[int | None, list[Scored]]:
    """The index of the headline among `texts` (the page's blocks, with their labels
    (label, rule), `line_key`s, and a test for a paragraph of prose), or None; and every
    candidate's score."""
    # Where the article's text starts: its first paragraph of prose (a menu or a widget
    # above it may have been taken for body text).
    body = [i for i, (label, _) in enumerate(labels) if label == "body"]
    first_body = next((i for i in body if is_prose(texts[i])), body[0] if body else len(texts))
    slug, outlet = slug_words(url), outlet_names(url)
    last = {key: index for index, key in enumerate(keys)}  # where each line last stands
    scored = []
    first_seen = False
    for index, text in enumerate(texts[: first_body + BODY_REACH]):
        label, rule = labels[index]
        if rule not in CANDIDATE_RULES or not is_candidate(text):
            continue
        repeated = last.get(keys[index], index) > index
        score, evidence = score_candidate(text, slug, outlet, repeated)
        if not first_seen and index < first_body and score > -2:  # not a site phrase
            first_seen = True
            score += 1.0
            evidence = ("the first line shaped like a headline (+1)", *evidence)
        if index > first_body:
            penalty = 0.5 if index - first_body <= 2 else 1.0
            score -= penalty
            evidence += (f"below the body's first paragraph (-{penalty})",)
        elif index == first_body:
            score -= 0.5
            evidence += ("the body's first paragraph (-0.5)",)
        scored.append(Scored(index, text, score, evidence))
    # Anywhere on the page, a line naming this page's headline with the outlet (a link to
    # it, a copyright line): a candidate when it holds most of the address's words.
    for index, text in enumerate(texts if slug and outlet else ()):
        if "|" not in text and "–" not in text and "-" not in text:
            continue
        headline = outlet_tagged(text, outlet)
        if headline is None or index in {s.index for s in scored} or not is_candidate(headline):
            continue
        share = len(set(ascii_words(headline)) & slug) / len(slug) if slug else 0.0
        if share >= OUTLET_TAGGED_MIN_SHARE:
            score, evidence = score_candidate(headline, slug, outlet, False)
            evidence += ("the headline with the outlet's name, as a link or credit gives it",)
            scored.append(Scored(index, headline, score, evidence))
    if not scored:
        return None, []
    best = max(scored, key=lambda s: (s.score, -s.index))
    return (best.index if best.score >= MIN_SCORE else None), scored


# Rules of lines above the body that may have been a headline taken for something else.
CANDIDATE_RULES = {
    "headline",
    "kicker",
    "short-line",
    "body",
    "repeated",
    "not-headline",
    "after-end",
}
