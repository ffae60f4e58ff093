"""Cleaning: decide for every line of a raw article whether it is body, and repair the body.

Three steps, each a pure function:

1. `blocks_of` rejoins lines that a scraper or an agency feed hard-wrapped (a line
   that does not end a sentence, followed with no blank line by one that starts in
   lowercase), so that decisions are made about paragraphs, not fragments.
2. `classify` reads the blocks top to bottom with a little state (have we seen the
   title? the body? the end of the article?), because position is the strongest
   signal in a scraped page: a short line above the body is a headline or a kicker,
   a byline followed by a comment form closes the article. The phrases that identify
   boilerplate are data, in `patterns`; lines that recur across many articles of the
   same source (`site_boilerplate`) are boilerplate too.
3. `repair_body` splits sentences glued across paragraphs and separates the
   publisher's footnotes.

Every line's decision is kept with the rule that made it, so nothing is removed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import dates, patterns, titles
from .markdown_text import normalise_text
from .model import CleanedText, LineDecision, LineLabel, RawArticle

REASONS: dict[str, str] = {
    "header": "scraper header line (date and URL)",
    "headline": "the headline",
    "not-headline": "above the headline: a site, section or navigation line",
    "above-headline": "above the headline: the page's chrome, not the article",
    "kept-prose": "kept: the only text of the page (cleaning found nothing else)",
    "repeated": "repeats an earlier line",
    "timestamp": "publication timestamp",
    "repeated-timestamp": "repeats the publication timestamp",
    "byline": "byline",
    "after-byline": "after the closing byline: author bio or page furniture",
    "after-end": "after the end of the article (comments, cookie banner, paywall)",
    "kicker": "section label above the headline",
    "teaser": "teaser that repeats the article's opening",
    "short-line": "too short to be body text: a label or menu item",
    "no-text": "no words: a counter, bullet or separator",
    "list-item": "item of a list of links (related articles, most read)",
    "site-boilerplate": "recurs in many articles of this source",
    "furniture": "among page furniture after the article (not a paragraph of text)",
    "body": "article text",
    **{rule.id: rule.reason for rule in patterns.BOILERPLATE},
}

HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_CHARS = 160
LIST_ITEM_MAX_WORDS = 20
LOOKAHEAD = 3  # blocks a decision may look ahead
BIO_MAX_BLOCKS = 1  # an author bio between a closing byline and the comment form
# After this many boilerplate blocks in a row below the body, what is not a paragraph of
# prose is page furniture too (a "Read more" link, a standards notice, a tag cloud).
FURNITURE_RUN = 2
PROSE_MIN_WORDS = 10
PROSE_MIN_STOPWORDS = 0.15

_WORD = re.compile(r"\w+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)\]]$")
_WRAP_CONTINUES = re.compile(r"^[\"“«'‘(]?[a-zà-öø-ÿ]")
_BULLET = re.compile(r"^[-–—•·*▪►>]+$")
_BULLETED = re.compile(r"^[•·▪►]\s*\S")  # a menu's or a list's item (not a dash: dialogue)
# A full stop glued to the next sentence: "terroristi.A quanto", "operativi.Tuttavia".
_GLUE_POINT = re.compile(r"(?<=[^\W\d_])[.!?]+[\"”»]?(?=\*?[A-ZÀ-ÖØ-Þ][\w\s'’])")
_WORD_BEFORE = re.compile(r"[\w'’-]*\w$")
_FOOTNOTE = re.compile(r"^(\*{1,3}|\(\*\)|†|¹)\s*\S")


@dataclass(frozen=True)
class Block:
    """One paragraph of the raw text: one line, or lines rejoined after a hard wrap."""

    numbers: tuple[int, ...]  # 1-based raw line numbers
    lines: tuple[str, ...]  # the lines, whitespace-normalised
    text: str = field(init=False, repr=False, compare=False)  # the lines joined by spaces

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", " ".join(self.lines))


@dataclass
class _State:
    seen_title: bool = False
    seen_body: bool = False
    seen_timestamp: bool = False
    ended: bool = False
    ended_by: str | None = None  # the rule that ended the article
    since_end: int = 0  # blocks read since then
    closing_byline: bool = False
    after_bullet: bool = False
    body_blocks: int = 0
    furniture_run: int = 0  # consecutive boilerplate blocks since the last body block
    seen: dict[str, int] = field(default_factory=dict)


def clean(
    raw: RawArticle, site_boilerplate: frozenset[str] = frozenset(), url: str | None = None
) -> CleanedText:
    """Every line's decision and the repaired body of one raw article.

    `site_boilerplate` holds `line_key`s of lines that recur across many articles of
    the same source (computed by the importer from the whole archive). `url` is the
    page's address when its header gives none: evidence for the headline (`titles`).
    """
    header_number = raw.body_start if raw.header else None
    blocks = blocks_of(raw.text, skip=header_number)
    decisions: list[LineDecision] = []
    if header_number is not None:
        header_text = normalise_text(raw.text.split("\n")[header_number - 1])
        decisions.append(_decide(header_number, header_text, "header", "header"))
    body_blocks: list[Block] = []
    keys = [line_key(b.text) for b in blocks]
    labels = classify(blocks, site_boilerplate, keys=keys)
    page_url = (raw.header.url if raw.header else None) or url
    labels, candidates = rechoose_headline(blocks, labels, page_url, site_boilerplate, keys)
    labels = keep_something(blocks, labels)
    for block, (label, rule, reason) in zip(blocks, labels):
        decisions += [
            LineDecision(n, line, label, rule, reason)
            for n, line in zip(block.numbers, block.lines)
        ]
        if label == "body":
            body_blocks.append(block)
    decisions.sort(key=lambda d: d.number)
    paragraphs, footnotes, repairs = repair_body([b.text for b in body_blocks])
    joined = [
        f"rejoined lines {b.numbers[0]}–{b.numbers[-1]} (hard-wrapped)"
        for b in body_blocks
        if len(b.numbers) > 1
    ]
    scored = tuple(
        (blocks[c.index].numbers[0], c.text, round(c.score, 2), c.evidence) for c in candidates
    )
    return CleanedText(tuple(decisions), paragraphs, footnotes, tuple(joined + repairs), scored)


def _decide(number: int, text: str, label: LineLabel, rule: str) -> LineDecision:
    return LineDecision(number, text, label, rule, REASONS[rule])


def line_key(text: str) -> str:
    """A line reduced to its words, casefolded: how repeats are recognised."""
    return " ".join(_WORD.findall(text.casefold()))


SITE_BOILERPLATE_MIN_ARTICLES = 3
SITE_BOILERPLATE_MAX_WORDS = 40


def repeated_lines(
    texts: list[str], min_articles: int = SITE_BOILERPLATE_MIN_ARTICLES
) -> frozenset[str]:
    """`line_key`s of the short lines that occur in at least `min_articles` of `texts`
    (the raw texts of one source's articles): a site's footer, its "follow us" line, its
    newsletter prompt in words no pattern knows. A paragraph of an article never recurs
    word for word across different articles; a quotation long enough to matter is
    longer than `SITE_BOILERPLATE_MAX_WORDS`."""
    counts: dict[str, int] = {}
    for text in texts:
        keys = {line_key(line) for line in text.split("\n")}
        for key in keys:
            if key and key.count(" ") < SITE_BOILERPLATE_MAX_WORDS:
                counts[key] = counts.get(key, 0) + 1
    return frozenset(key for key, count in counts.items() if count >= min_articles)


def blocks_of(text: str, skip: int | None = None) -> list[Block]:
    """The non-empty lines of `text` as blocks, rejoining hard-wrapped lines.

    A line joins the one before when no blank line separates them, the one before does
    not end a sentence, and this one starts in lowercase (``…dell'Isis ha`` +
    ``rivendicato l'attacco…``) and is not a stamp (``lunedì 23 maggio 2022 - 11:45``).
    Line `skip` (the header) is left out.
    """
    blocks: list[Block] = []
    blank_before = True
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = normalise_text(raw_line)
        if not line or number == skip:
            blank_before = True
            continue
        previous = blocks[-1] if blocks else None
        if (
            previous is not None
            and not blank_before
            and previous.numbers[-1] == number - 1
            and _WRAP_CONTINUES.match(line)
            and not _SENTENCE_END.search(previous.lines[-1])
            and len(previous.lines[-1]) >= 25
            and not is_timestamp(line)  # "lunedì 23 Maggio 2022 - 11:45" is a stamp of its own
        ):
            blocks[-1] = Block(previous.numbers + (number,), previous.lines + (line,))
        else:
            blocks.append(Block((number,), (line,)))
        blank_before = False
    return blocks


def classify(
    blocks: list[Block],
    site_boilerplate: frozenset[str] = frozenset(),
    state: _State | None = None,
    keys: list[str] | None = None,
) -> list[tuple[LineLabel, str, str]]:
    """(label, rule id, reason) for each block, reading the page top to bottom (from
    `state`: what was seen above the first block; `keys`: the blocks' `line_key`s)."""
    state = state or _State()
    keys = keys if keys is not None else [line_key(b.text) for b in blocks]
    out = []
    texts = [b.text for b in blocks]
    for index, block in enumerate(blocks):
        following = texts[index + 1 : index + 1 + LOOKAHEAD]
        key = keys[index]
        label, rule = classify_block(block.text, following, state, site_boilerplate, key)
        reason = REASONS[rule]
        if rule == "repeated":
            reason = f"repeats line {state.seen[key]}"
        state.seen.setdefault(key, block.numbers[0])
        if label == "body":
            state.furniture_run = 0
        elif state.seen_body and label == "junk":
            state.furniture_run += 1
        out.append((label, rule, reason))
    return out


def rechoose_headline(
    blocks: list[Block],
    labels: list[tuple[LineLabel, str, str]],
    url: str | None,
    site_boilerplate: frozenset[str] = frozenset(),
    keys: list[str] | None = None,
) -> tuple[list[tuple[LineLabel, str, str]], list[titles.Scored]]:
    """`labels` with the headline chosen again by evidence (`titles.choose`): the line
    top-to-bottom reading took for it may be a site phrase, and the real one may have been
    taken for a label, for the body, or for what follows the article's end (a page whose
    chrome looked like text above the headline). The article starts at its headline: when
    the chosen one stands where the first reading thought the article had ended, the page
    is read again from the headline down, and the text above it was the page's chrome
    (its dates and bylines stay evidence). Also every candidate with its score."""
    texts = [b.text for b in blocks]
    keys = keys if keys is not None else [line_key(t) for t in texts]
    chosen, candidates = titles.choose(
        texts,
        [(label, rule) for label, rule, _ in labels],
        keys,
        is_prose,
        url,
    )
    out = list(labels)
    for index, (_, rule, _) in enumerate(labels):
        if rule == "headline" and index != chosen:
            out[index] = ("junk", "not-headline", REASONS["not-headline"])
    if chosen is None or labels[chosen][1] == "headline":
        return out, candidates
    out[chosen] = ("title", "headline", REASONS["headline"])
    if labels[chosen][1] == "after-end":
        for index in range(chosen):
            if out[index][0] == "body":
                out[index] = ("junk", "above-headline", REASONS["above-headline"])
        state = _State(seen_title=True, seen={line_key(texts[chosen]): blocks[chosen].numbers[0]})
        out[chosen + 1 :] = classify(
            blocks[chosen + 1 :], site_boilerplate, state, keys[chosen + 1 :]
        )
    return out, candidates


# Rules that may have removed the only text a short page has: when nothing else is left,
# their paragraphs of prose are the article (a teaser that is all the page kept, a short
# article that looked like a bio or furniture). Boilerplate named by a pattern never is.
SOFT_RULES = {"teaser", "furniture", "after-byline", "after-end", "list-item", "above-headline"}


def keep_something(
    blocks: list[Block], labels: list[tuple[LineLabel, str, str]]
) -> list[tuple[LineLabel, str, str]]:
    """`labels`, or, when they keep no body, the same with the prose that softer rules
    removed kept as body: a real article is imported with what it has, never refused
    while it has a paragraph a reader would call text."""
    if any(label == "body" for label, _, _ in labels):
        return labels
    return [
        ("body", "kept-prose", REASONS["kept-prose"])
        if rule in SOFT_RULES and is_prose(block.text)
        else (label, rule, reason)
        for block, (label, rule, reason) in zip(blocks, labels)
    ]


def classify_block(
    text: str,
    following: list[str],
    state: _State,
    site_boilerplate: frozenset[str] = frozenset(),
    key: str | None = None,
) -> tuple[LineLabel, str]:
    """Label and rule id for one block, given what came before (`state`) and the next
    blocks (`following`). Updates `state`."""
    key = line_key(text) if key is None else key
    words = key.count(" ") + 1 if key else 0
    after_bullet, state.after_bullet = state.after_bullet, False
    rule = boilerplate_rule(text, words)
    if state.ended and not resumes(text, words, rule, state):
        return "junk", rule.id if rule else "after-end"
    if is_timestamp(text):
        if state.seen_timestamp:
            return "junk", "repeated-timestamp"
        state.seen_timestamp = True
        return "meta", "timestamp"
    if not _LETTER.search(text):
        state.after_bullet = bool(_BULLET.match(text))
        return "junk", "no-text"
    if key in state.seen:
        return "junk", "repeated"
    if key in site_boilerplate:
        return "junk", "site-boilerplate"
    if rule:
        if rule.ends_article and state.seen_body:
            state.ended, state.ended_by, state.since_end = True, rule.id, 0
        return "junk", rule.id
    if words <= LIST_ITEM_MAX_WORDS and (
        after_bullet or (_BULLETED.match(text) and not is_prose(text))
    ):
        return "junk", "list-item"
    if is_byline(text, state, following):
        if state.seen_body and any(_ends_article(line) for line in following[: BIO_MAX_BLOCKS + 1]):
            state.closing_byline = True  # what follows, up to the comment form, is a bio
        return "meta", "byline"
    if state.closing_byline:
        return "junk", "after-byline"
    if state.furniture_run >= FURNITURE_RUN and not is_prose(text):
        return "junk", "furniture"
    if not state.seen_body and not state.seen_title:
        if is_kicker(text, following):
            return "junk", "kicker"
        if looks_like_headline(text):
            state.seen_title = True
            return "title", "headline"
    if is_teaser(text) and (not state.seen_body or (state.body_blocks >= 2 and following)):
        return "junk", "teaser"  # above the body, or one of the other stories' below it
    if words < 3 and not _SENTENCE_END.search(text) and not is_subheading(text, following, state):
        return "junk", "short-line"
    state.seen_body = True
    state.body_blocks += 1
    return "body", "body"


# A subscription prompt in the middle of an article ("Subscribe to The Week… Sign up for our
# newsletters") ends it only if no paragraph of the article follows soon after: a long
# paragraph of prose within this many blocks resumes it. Comment forms and cookie banners
# end it for good (readers' comments are prose too).
RESUMABLE = {"paywall"}
RESUME_REACH = 8
RESUME_MIN_WORDS = 25


def resumes(text: str, words: int, rule: patterns.BoilerplateRule | None, state: _State) -> bool:
    """Whether this block takes the article up again after a mid-article prompt."""
    state.since_end += 1
    if (
        state.ended_by in RESUMABLE
        and rule is None
        and state.since_end <= RESUME_REACH
        and words >= RESUME_MIN_WORDS
        and is_prose(text)
    ):
        state.ended, state.ended_by = False, None
        return True
    return False


def is_subheading(text: str, following: list[str], state: _State) -> bool:
    """A short heading inside the article ("IL VERTICE", "LA LINEA"): in capitals, between
    paragraphs of the article's text."""
    letters = [c for c in text if c.isalpha()]
    return (
        state.body_blocks >= 1
        and len(letters) >= 4
        and all(c.isupper() for c in letters)
        and bool(following)
        and is_prose(following[0])
    )


def is_prose(text: str) -> bool:
    """A paragraph of running text: enough words, enough of them function words
    (jusText's stop-word density, over the languages in `patterns.STOPWORDS`)."""
    words = _WORD.findall(text.casefold())
    if len(words) < PROSE_MIN_WORDS:
        return False
    return sum(w in patterns.ALL_STOPWORDS for w in words) / len(words) >= PROSE_MIN_STOPWORDS


def _ends_article(text: str) -> bool:
    rule = boilerplate_rule(text)
    return bool(rule and rule.ends_article)


def is_byline(text: str, state: _State, following: list[str] | None = None) -> bool:
    """A byline: ``di Name``/``By Name``, an editor's initials (``FR``, ``Ihr``, ``L.M.``),
    or a bare name between the headline and the body."""
    if patterns.BYLINE.match(text) or patterns.NEWSROOM_BYLINE.match(text):
        return True
    if patterns.INITIALS.match(text) and text.casefold() not in patterns.ALL_STOPWORDS:
        return True
    if dated_byline_name(text):
        return True
    text = text.lstrip("-–—•· ")
    if not patterns.NAME_LINE.match(text):
        return False
    near_headline = state.seen_title and state.body_blocks <= 1  # after a standfirst too
    # A signature under the text: a bare name whose first word is not a function word
    # ("Omar Costantini"; a subheading reads "Le reazioni", "Il Parlamento").
    signature = (
        state.seen_body
        and text.split()[0].casefold() not in patterns.ALL_STOPWORDS
        and (not following or not looks_like_headline(following[0]))  # not above a story
    )
    return near_headline or signature


def dated_byline_name(text: str) -> str | None:
    """The name of a byline that carries the date: "Antonio Rapisarda 06 giugno 2022",
    "Mario Rossi, La Stampa, 4 settembre 2020" (a name, maybe an outlet, a date)."""
    if len(text) > patterns.DATE_LINE_MAX_CHARS:
        return None
    expressions = dates.find_expressions(text)
    if not expressions:
        return None
    before = text[: expressions[0].start].strip(" ,;-–—|•")
    name = before.split(",")[0].strip()
    return name if patterns.NAME_LINE.match(name) else None


def boilerplate_rule(text: str, words: int | None = None) -> patterns.BoilerplateRule | None:
    """The first boilerplate rule whose pattern matches the line, if the line is short
    enough for that rule (a long paragraph that mentions cookies is still text)."""
    if words is None:
        words = len(_WORD.findall(text))
    if words > patterns.BOILERPLATE_MAX_WORDS:
        return None  # a paragraph this long is text, whatever it mentions
    for rule in patterns.BOILERPLATE:
        if words <= rule.max_words and any(p.search(text) for p in rule.patterns):
            return rule
    return None


def is_timestamp(text: str) -> bool:
    """A publication or update stamp: a date (with a digit) and little else, in any of the
    forms `dates` reads ("Pubblicato il 2 Dicembre 2017 - 16:40", "7 giugno 2022 • 18:30")."""
    return _DIGIT.search(text) is not None and dates.is_date_line(text)


def looks_like_headline(text: str) -> bool:
    """A headline: one line of 2 to 20 words that does not end like a sentence. Longer
    opening lines are standfirsts: the summary under a headline is body text."""
    words = len(_WORD.findall(text))
    return (
        2 <= words <= HEADLINE_MAX_WORDS
        and len(text) <= HEADLINE_MAX_CHARS
        and not re.search(r"[.:;,]$", text)
    )


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
    """Paragraphs, publisher footnotes and a list of repairs, from the body blocks.

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
    for match in _GLUE_POINT.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, match.start() - 60), match.start())
        word = before[0] if before else ""
        if (
            len(word) < 2
            or not word[-1].islower()
            or word.lower() in patterns.ABBREVIATIONS
            or _is_part_of_address(text, match.start() - len(word))
        ):
            continue
        cuts.append(match.end())
    if not cuts:
        return [text]
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return [p for p in pieces if p]


def _is_part_of_address(text: str, word_start: int) -> bool:
    token_start = text.rfind(" ", 0, word_start) + 1
    token = text[token_start:word_start]
    return "/" in token or "@" in token or token.lower().startswith("www")
