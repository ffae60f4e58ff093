"""Heuristics as data: the patterns cleaning and metadata extraction use.

Add a pattern here, not an `if` in the algorithm. Each boilerplate rule has a
stable id (shown to readers in "removed by cleaning" and by ``--explain``), a
reason in plain words, the regular expressions (matched case-insensitively
against a whitespace-normalised line), and whether it marks the end of the
article (everything after a comment form or a cookie banner is page furniture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BoilerplateRule:
    id: str
    reason: str
    patterns: tuple[re.Pattern[str], ...]
    ends_article: bool = False
    max_words: int = 80  # a long line that merely contains the phrase is not boilerplate


def _rule(id: str, reason: str, *patterns: str, ends_article: bool = False, max_words: int = 80):
    return BoilerplateRule(
        id, reason, tuple(re.compile(p, re.IGNORECASE) for p in patterns), ends_article, max_words
    )


BOILERPLATE: tuple[BoilerplateRule, ...] = (
    _rule(
        "cookie-banner",
        "cookie or privacy banner",
        r"\bcookie",
        r"\bprivacy\b.*\b(policy|scelte|choices|settings|impostazioni|informativa)",
        r"^my agile privacy$",
        r"^(accetta|accetto|rifiuta|personalizza|accept( all)?|reject( all)?|manage (cookies|preferences)|ok,? ho capito)\b",
        r"chiudendo (questa|il) (informativa|banner)",
        r"funzionalit[àa] di questa pagina potrebbero essere bloccate",
        ends_article=True,
        max_words=60,
    ),
    _rule(
        "comment-form",
        "comment form or comment section",
        r"^(lascia|scrivi|aggiungi) (un|il tuo) commento",
        r"^leave a (reply|comment)",
        r"indirizzo (e-?mail|di posta) non (sar[àa]|verr[àa]) pubblicato",
        r"your email address will not be published",
        r"campi obbligatori sono contrassegnati",
        r"required fields are marked",
        r"^commenti all'articolo$",
        r"^(i )?commenti( dei lettori)?$",
        r"^\d+ comment[io]?s?$",
        r"^caratteri rimanenti",
        r"^condividi le tue opinioni",
        r"^(comments?|discussione|discussion)$",
        ends_article=True,
        max_words=30,
    ),
    _rule(
        "comment-controls",
        "reader comment controls",
        r"^(rispondi|reply|report|segnala|mi piace|like)$",
        max_words=3,
    ),
    _rule(
        "paywall",
        "paywall or login prompt",
        r"^accedi per continuare",
        r"se hai (già )?un abbonamento",
        r"scopri l'abbonamento",
        r"^(abbonati|subscribe)( ora| now)?\b",
        r"contenuto riservato agli abbonati",
        r"to continue reading",
        r"already a subscriber",
        r"^sign in to",
        ends_article=True,
        max_words=30,
    ),
    _rule(
        "newsletter",
        "newsletter sign-up",
        r"iscriviti (alla|alle) (nostra )?newsletter",
        r"sign up for (our|the) newsletter",
        r"^newsletter$",
        max_words=30,
    ),
    _rule(
        "share",
        "share buttons",
        r"^(condividi|share)( (su|on|this|l'articolo|questo articolo))?\b.{0,40}$",
        r"^(facebook|twitter|whatsapp|telegram|linkedin|email|e-mail|x)( ?[|/,] ?(facebook|twitter|whatsapp|telegram|linkedin|email|e-mail|x))*$",
        max_words=8,
    ),
    _rule(
        "related",
        "related-article links",
        r"^(leggi|vedi) (anche|pure|tutto|di più)\b",
        r"^(potrebbe interessarti|ti potrebbe interessare|articoli correlati|correlati|related( articles| stories)?|read (more|also|next)|more on this)\b",
        max_words=25,
    ),
    _rule(
        "reading-time",
        "reading time",
        r"^\d+\s*(min(uti)?|minutes?)\s*(di lettura|read|reading)?$",
        r"^(tempo di lettura|reading time)\b.{0,20}$",
        max_words=6,
    ),
    _rule(
        "copyright",
        "copyright line",
        r"(©|\(c\)|copyright)",
        r"riproduzione riservata",
        r"all rights reserved",
        r"tutti i diritti riservati",
        max_words=25,
    ),
    _rule(
        "advertising",
        "advertising slot",
        r"^(pubblicit[àa]|advertisement|advertising|sponsored|contenuto sponsorizzato|annuncio)$",
        max_words=3,
    ),
    _rule(
        "photo-credit",
        "photo caption or credit",
        r"^(foto|photo|immagine|image|credit|crediti|ph\.?)\s*[:©]?\s*\S.{0,60}$",
        r"\((afp|ap|ansa|reuters|getty images|lapresse|epa)(\s*/\s*[^)]{1,40})?\)$",
        r"^[A-Z][\w.]+(\s[A-Z][\w.]+)?\s*/\s*[A-Z][\w]+(\s[A-Z][\w]+)?$",
        max_words=12,
    ),
    _rule(
        "navigation",
        "navigation or site menu",
        r"^(home|menu|cerca|search|servizi|sezioni|torna su|back to top|skip to content|vai al contenuto|tags?:.*|argomenti:.*|categorie:.*)$",
        max_words=12,
    ),
)

# Short all-caps or title-like labels that stand above a headline ("L'ANALISI", "Estero", "Live").
KICKER = re.compile(r"^[^\s.!?]+(?: [^\s.!?]+){0,2}$")

# Datelines at the start of agency copy: "ISTANBUL, 29 NOV -", "Roma, 9 ott. (askanews) -".
DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-Ý][\wÀ-ÿ'’ .-]{1,40}?),\s*(?P<day>\d{1,2})\s+(?P<month>[A-Za-zà-ù]{3,10})\.?"
    r"(?:\s+(?P<year>\d{4}))?(?:\s*\((?P<agency>[^)]{2,30})\))?\s*[-–—]\s*"
)

# Bylines: "Di L.M.", "di Bruna Sironi", "By Jane Doe", "A cura di …".
BYLINE = re.compile(
    r"^(?:di|by|a cura di|testo di|articolo di)\s+"
    r"(?P<name>(?:[A-ZÀ-Ý][\wÀ-ÿ'’.-]*\.?)(?:\s+(?:[A-ZÀ-Ý][\wÀ-ÿ'’.-]*\.?|de|di|da|del|della|van|von|la|le)){0,4})$",
    re.IGNORECASE,
)
# A line that is only a person's name (two to four capitalised words) next to the headline.
NAME_LINE = re.compile(
    r"^(?:[A-ZÀ-Ý][a-zà-ÿ'’-]+|[A-Z]\.)(?:\s+(?:[A-ZÀ-Ý][a-zà-ÿ'’-]+|[A-Z]\.|de|di|da|del|della)){1,3}$"
)

MONTHS: dict[str, int] = {
    # Italian, full and abbreviated
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    "gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6,
    "lug": 7, "ago": 8, "set": 9, "sett": 9, "ott": 10, "nov": 11, "dic": 12,
    # English, full and abbreviated
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "dec": 12,
}  # fmt: skip

WEEKDAYS = (
    "lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|"
    "lunedi|martedi|mercoledi|giovedi|venerdi|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# Whole-line timestamps, most specific first. Named groups: y, m (number or name), d, H, M, tz.
TIMESTAMPS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:pubblicato|published|aggiornato|updated)?:?\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?$",
        rf"^(?:pubblicato|published|aggiornato|updated)?:?\s*(?:(?:{WEEKDAYS}),?\s+)?(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_NAMES})\.?\s+(?P<y>\d{{4}})(?:,?\s*(?:alle|ore|at|-|,)?\s*(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}}))?$",
        r"^(?:pubblicato|published|aggiornato|updated)?:?\s*(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})(?:,?\s*(?:alle|ore|at|-)?\s*(?P<H>\d{1,2})[:.](?P<M>\d{2}))?$",
    )
)
# Words that mark a timestamp as an update rather than the publication.
UPDATE_WORDS = re.compile(r"^(aggiornato|updated|ultima modifica|last updated)", re.IGNORECASE)

# A teaser ends in an ellipsis, optionally followed by its date ("riporta il... 24.10.2021").
TEASER_END = re.compile(r"(?:\.\.\.|…)\s*(?P<date>\d{1,2}[./]\d{1,2}[./]\d{4})?\s*$")

# Abbreviations after which a full stop does not end a sentence (lowercase, without the dot).
ABBREVIATIONS = frozenset(
    [
        "ecc",
        "etc",
        "sig",
        "sigg",
        "sig.ra",
        "dott",
        "dott.ssa",
        "prof",
        "avv",
        "ing",
        "on",
        "sen",
        "art",
        "artt",
        "pag",
        "pagg",
        "vol",
        "n",
        "nr",
        "cap",
        "fig",
        "tab",
        "es",
        "p",
        "pp",
        "ca",
        "cfr",
        "vs",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
    ]
)
