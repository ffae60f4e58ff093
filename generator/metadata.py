"""Metadata: what the evidence in one raw file says, each value only as precise as that evidence.

The date is the most precise publication date the text or its header states:
``date 2021-10`` in the header and a ``2021-10-24T22:48+0200`` timestamp give
``2021-10-24``; a header month and a dateline day (``ISTANBUL, 29 NOV``) give a
day; nothing gives ``None``. A date is never taken from outside the file.
"""

from __future__ import annotations

import re
from datetime import date as Date
from functools import lru_cache

from . import dates, patterns, titles
from .clean import dated_byline_name
from .ingest import url_domain
from .model import CleanedText, Metadata, RawArticle

_WORD = re.compile(r"\w+")
DERIVED_TITLE_MAX = 80
LANGUAGE_SAMPLE = 400  # characters py3langid reads: plenty to tell, and its cost is linear
OBVIOUS_SAMPLE = 1500  # characters whose function words are counted (cheap: a set lookup each)
OBVIOUS_MIN_WORDS = 8  # function words of one language before it is taken without py3langid…
OBVIOUS_SHARE = 0.10  # …making at least this share of the words, the others ten times fewer


def extract(raw: RawArticle, cleaned: CleanedText, url: str | None = None) -> Metadata:
    """Metadata of one article from its raw text and cleaning decisions.

    `url` is the address given on the command line when the file has none in its header.
    """
    article_url = (raw.header.url if raw.header else None) or url
    title_line = next((d.text for d in cleaned.decisions if d.label == "title"), None)
    glued = glued_headline(cleaned.paragraphs)
    if title_line:
        title, title_source = titles.tidy(title_line, article_url), "headline"
    elif glued:
        title, title_source = glued[0], "headline"
    else:
        title, title_source = derive_title(cleaned.paragraphs), "derived"
    found_date, date_source, published = find_date(raw, cleaned, article_url)
    if glued and glued[1] and (found_date is None or glued[1].startswith(found_date)):
        found_date, date_source = glued[1], "headline date"
    place, agency = dateline_parts(cleaned.paragraphs)
    author, author_source = find_author(cleaned), "byline"
    if author is None:
        author, author_source = raw.hint("author"), "page metadata"
    return Metadata(
        title=title,
        title_source=title_source,  # type: ignore[arg-type]
        date=found_date,
        date_source=date_source,
        published=published,
        url=article_url,
        source=url_domain(article_url),
        author=author,
        description=find_description(cleaned),
        language=detect_language(cleaned.paragraphs),
        place=place,
        agency=agency,
        author_source=author_source if author else None,
    )


def derive_title(paragraphs: tuple[str, ...]) -> str:
    """A short title from the first sentence, cut at a word boundary with an ellipsis.

    At most ``DERIVED_TITLE_MAX + 1`` characters; leading ellipses and dashes of an
    excerpt that starts mid-text (``... Il giorno dopo``) are skipped.
    """
    opening = next((p.lstrip(" .…-–—*•") for p in paragraphs if p.lstrip(" .…-–—*•")), "")
    if not opening:
        return "Untitled"
    first = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])", opening, maxsplit=1)[0].strip()
    first = first.rstrip(".") or opening
    if len(first) <= DERIVED_TITLE_MAX:
        return first
    head = first[: DERIVED_TITLE_MAX + 1]  # a word ending exactly at the limit is kept
    cut = head.rsplit(" ", 1)[0] if " " in head else first[:DERIVED_TITLE_MAX]
    return (cut.rstrip(" ,;:–—-") or head.strip(" ,;:–—-") or head) + "…"


def glued_headline(paragraphs: tuple[str, ...]) -> tuple[str, str | None] | None:
    """(headline, its date) when an aggregator glued them to the start of the text:
    ``Titolo (Di lunedì 27 gennaio 2020) Testo…``."""
    if not paragraphs:
        return None
    match = patterns.GLUED_HEADLINE.match(paragraphs[0])
    if not match:
        return None
    parsed = parse_timestamp(match["date"].strip())
    if parsed is None:
        return None
    return match["title"].strip(), parsed[0]


def find_author(cleaned: CleanedText) -> str | None:
    """The name in the first byline that names someone: "di Name", "By Name", "Scritto da
    Name …", "Name, Outlet, date", "Redazione X", initials, a bare name. Only bylines count:
    never a tag list, a caption or a section label."""
    for decision in cleaned.decisions:
        if decision.rule == "byline":
            name = author_of(decision.text)
            if name:
                return name
    return None


def author_of(byline: str) -> str | None:
    """The name a byline gives, as written."""
    match = patterns.BYLINE.match(byline)
    if match:
        return match["name"]
    text = byline.strip(" -–—•·")
    if patterns.NEWSROOM_BYLINE.match(text) or patterns.INITIALS.match(text):
        return text
    dated = dated_byline_name(text)
    if dated:
        return dated
    return text if patterns.NAME_LINE.match(text) else None


def find_description(cleaned: CleanedText) -> str | None:
    """The teaser line above the body, without the date glued to its end."""
    for decision in cleaned.decisions:
        if decision.rule == "teaser":
            match = patterns.TEASER_END.search(decision.text)
            if match and match["date"]:
                return decision.text[: match.start("date")].rstrip()
            return decision.text
    return None


def find_date(
    raw: RawArticle, cleaned: CleanedText, url: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """(date, where it came from, full published timestamp) for one article: the most
    trusted date the page states (`dates`), else a dateline day in the header's month,
    else the header's date, else the date in the page address's path (``url``)."""
    header_date = raw.header.date if raw.header else None
    chosen = dates.best(date_candidates(cleaned), header_date)
    if chosen is not None:
        return chosen.value, chosen.role, chosen.published
    if cleaned.paragraphs:
        dateline = parse_dateline(cleaned.paragraphs[0], header_date)
        if dateline:
            return dateline, "dateline", None
    if header_date:
        return header_date, "header", None
    from_url = dates.url_date(url)
    if from_url:
        return from_url, "url", None
    return None, None, None


def date_candidates(cleaned: CleanedText) -> list[dates.Candidate]:
    """Every date the page may state as its publication date, in the role of its line:
    stamps and bylines wherever cleaning found them; other short lines above the body;
    below the body, only lines that say they give the publication; in the body, only a
    dateline at its start (a date in the story is an event, not the publication)."""
    body = [i for i, d in enumerate(cleaned.decisions) if d.label == "body"]
    first_body, last_body = (body[0], body[-1]) if body else (len(cleaned.decisions), -1)
    found: list[dates.Candidate] = []
    for index, decision in enumerate(cleaned.decisions):
        role = DATE_ROLES.get(decision.rule)
        if role is None and decision.rule in UNNAMED_RULES:
            if index < first_body and len(decision.text) <= patterns.DATE_LINE_MAX_CHARS:
                role = "byline"
            elif index > last_body and patterns.PUBLISHED_CUES.search(decision.text):
                role = "published"
        if role is not None:
            found += dates.candidates_in_line(decision.number, decision.text, role)
        elif index == first_body:
            dateline = dates.dateline_candidate(decision.number, decision.text)
            if dateline is not None:
                found.append(dateline)
    return found


# Rules that say where a line stands, not what it is: a date in such a line above the body
# may be the page's (one a pattern named, a masthead's or a caption's, is not).
UNNAMED_RULES = {"short-line", "kicker", "not-headline", "above-headline", "after-end"}
# The role of a date in a line, by the cleaning rule that recognised the line. A date in the
# headline is the story's subject as often as its day (`dates.CONFIRMED_ONLY`).
DATE_ROLES = {
    "timestamp": "timestamp",
    "byline": "byline",
    "repeated-timestamp": "timestamp",
    "headline": "headline",
}


def parse_timestamp(text: str) -> tuple[str, str | None] | None:
    """(YYYY-MM-DD, ISO datetime with offset or None) for a stamp line (`dates.is_date_line`),
    read with the same grammar as every other date; None for an update or a line that is no
    stamp or gives no day."""
    if dates.is_update(text) or not dates.is_date_line(text):
        return None
    day = next((e for e in dates.find_expressions(text) if len(e.value) == 10), None)
    return (day.value, day.published) if day else None


def dateline_parts(paragraphs: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(place, agency) of the dateline opening the body, if there is one:
    ``Roma, 9 ott. (askanews) -`` gives ("Roma", "askanews")."""
    match = patterns.DATELINE.match(paragraphs[0]) if paragraphs else None
    if not match or patterns.MONTHS.get(match["month"].lower().rstrip(".")) is None:
        return None, None
    agency = match["agency"] or match["lead_agency"]
    return match["place"].strip(), agency.strip() if agency else None


def parse_dateline(paragraph: str, header_date: str | None) -> str | None:
    """A day from a dateline (``ISTANBUL, 29 NOV -``), combined with the header's year and
    month; None without a year from either, or when the month disagrees with the header."""
    match = patterns.DATELINE.match(paragraph)
    if not match:
        return None
    month = patterns.MONTHS.get(match["month"].lower().rstrip("."))
    if month is None:
        return None
    year = int(match["year"]) if match["year"] else None
    if year is None:
        if not header_date or len(header_date) < 7 or int(header_date[5:7]) != month:
            return None
        year = int(header_date[:4])
    try:
        return Date(year, month, int(match["day"])).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _identifier():
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def detect_language(paragraphs: tuple[str, ...]) -> str | None:
    """ISO 639-1 code of the body's language, None when the body is too short to tell.

    A cascade: where function words leave no doubt (plenty of them, nearly all of one of
    the languages in `patterns.STOPWORDS`), they decide; anything else (another language,
    another script, a mixed or short text) goes to the kept detector, py3langid. Both
    read the body's opening (`OBVIOUS_SAMPLE` and `LANGUAGE_SAMPLE` characters).
    """
    text = " ".join(paragraphs)[:OBVIOUS_SAMPLE]
    words = _WORD.findall(text.casefold())
    if len(words) < 3:
        return None
    sure = obvious_language(words)
    if sure:
        return sure
    language, probability = _identifier().classify(text[:LANGUAGE_SAMPLE])
    return language if probability >= 0.5 else None


def obvious_language(words: list[str]) -> str | None:
    """The language whose distinctive function words (`patterns.DISTINCTIVE`) make up a
    large share of `words` while the others' barely occur; None when in doubt."""
    hits = {lang: sum(w in marks for w in words) for lang, marks in patterns.DISTINCTIVE.items()}
    best = max(hits, key=lambda lang: hits[lang])
    rest = sum(v for lang, v in hits.items() if lang != best)
    if (
        hits[best] >= OBVIOUS_MIN_WORDS
        and hits[best] >= OBVIOUS_SHARE * len(words)
        and rest * 10 <= hits[best]
    ):
        return best
    return None
