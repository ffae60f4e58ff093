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
    # One alternation per rule: a single regex search per line and rule.
    combined = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return BoilerplateRule(id, reason, (combined,), ends_article, max_words)


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
        r"contenuto (è )?riservato agli abbonati|riservat[oa] (agli|ai) (abbonati|iscritti)",
        r"to continue reading",
        r"already a subscriber",
        r"^sign in to",
        r"\b\d+ (centesimi|cents?|euro|dollari|dollars?) (al giorno|a settimana|al mese|a day|a week|a month)",
        r"^sostieni (il nostro|la nostra|l'informazione|il giornalismo)",
        r"\b(hai letto|you have read|you've read) \d+ (articoli|free articles|articles)",
        r"(abbonati|subscribe) (per|to) continuare|continu\w+ a leggere senza limiti|to keep reading",
        r"^(accedi|login|log in|sign in|registrati|register|abbonati|subscribe)$",
        r"^support (our|independent) journalism",
        r"^(fai una donazione|dona ora|donate( now)?)\b",
        r"per continuare a leggere|crea un account|hai già un account|leggi senza limiti",
        r"^sostieni l[’']informazione",
        ends_article=True,
        max_words=30,
    ),
    _rule(
        "newsletter",
        "newsletter sign-up",
        r"\b(iscriviti|registrati|sign up|subscribe)\b.{0,30}\bnewsletter",
        r"^newsletter$",
        max_words=30,
    ),
    _rule(
        "share",
        "share buttons",
        r"^(condividi|share)( (su|on|this|l'articolo|questo articolo))?\b.{0,40}$",
        r"^(facebook|twitter|whatsapp|telegram|linkedin|email|e-mail|x)( ?[|/,] ?(facebook|twitter|whatsapp|telegram|linkedin|email|e-mail|x))*$",
        r"\b(codice embed|embed code|copia (il )?link|copy link)\b",
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
        "live-service",
        "a live blog's service line (start, end, how to follow it)",
        r"grazie per (averci|aver|avermi) seguit|thanks? (you )?for following",
        r"\b(segui|seguirà|seguite|seguiremo)\b.{0,40}\b(in diretta|live|aggiornamenti in tempo reale)\b",
        r"^quest[oa] (live|liveblog|live blog|diretta) (finisce|termina|si chiude|è terminat)",
        r"^(termina|finisce|inizia|comincia) la (conferenza|diretta)\b.{0,30}$",
        r"\b(fare refresh|aggiorna la pagina|refresh the page)\b",
        max_words=30,
    ),
    _rule(
        "media-player",
        "an audio or video player's label",
        r"trinity audio|audio player|^ascolta (l[’']articolo|questo articolo)|^listen to (this )?article",
        r"^guarda (l[’']intervista|il video|la gallery|le foto|la fotogallery)\b",
        r"^(watch|play) (the )?video\b",
        max_words=15,
    ),
    _rule(
        "masthead",
        "the masthead's legal lines (registration, publisher, editor)",
        r"\bregistr(\.|azione)\s+(trib|presso il tribunale)",
        r"\b(direttore responsabile|editore|iscrizione al roc|partita iva|p\.\s?iva)\b.{0,60}$",
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
        r"\([^()]{0,40}\b(afp|ansa|reuters|getty images|lapresse|epa|ipa|imagoeconomica|shutterstock)\b[^()]{0,40}\)$",
        r"^[\w .]{0,30}\b(getty images|afp|ansa|reuters|lapresse|epa|imagoeconomica|shutterstock)\b[\w .,/|-]{0,30}$",
        r"^[A-Z][\w.]+(\s[A-Z][\w.]+)?\s*/\s*[A-Z][\w]+(\s[A-Z][\w]+)?$",
        max_words=12,
    ),
    _rule(
        "navigation",
        "navigation or site menu",
        r"^(home|menu|cerca|search|servizi|sezioni|torna su|back to top|skip to content|vai al contenuto|tags?:.*|argomenti:.*|categorie:.*|topics?:.*)$",
        r"^[^»›]{1,40}(\s*[»›]\s*[^»›]{1,40}){1,6}$",  # breadcrumb: Home » Esteri » Medio Oriente
        r"^home\s*[>/|]\s*\S",
        r"^(most read|i più letti|più letti|più visti|trending|popular)$",
        r"^(oggi )?in primo piano$|^(le )?ultime notizie:?$|^in evidenza$",
        r"\bclicca qui\b|\bclick here\b|ruota il dispositivo|\bfare refresh\b",
        max_words=12,
    ),
)

BOILERPLATE_MAX_WORDS = max(rule.max_words for rule in BOILERPLATE)

# Short all-caps or title-like labels that stand above a headline ("L'ANALISI", "Estero", "Live").
KICKER = re.compile(r"^[^\s.!?]+(?: [^\s.!?]+){0,2}$")

# Datelines at the start of agency copy: "ISTANBUL, 29 NOV -", "Roma, 9 ott. (askanews) -".
DATELINE = re.compile(
    r"^(?:\((?P<lead_agency>[^)]{2,30})\)\s*[-–—]\s*)?(?P<place>[A-ZÀ-Ý][\wÀ-ÿ'’ .-]{1,40}?),\s*(?P<day>\d{1,2})\s+(?P<month>[A-Za-zà-ù]{3,10})\.?"
    r"(?:\s+(?P<year>\d{4}))?(?:\s*\((?P<agency>[^)]{2,30})\))?\s*[-–—]\s*"
)

# A headline and its date glued at the start of an aggregator's text:
# "Il Mali continua … terroristici (Di lunedì 27 gennaio 2020) Un nuovo attacco …".
GLUED_HEADLINE = re.compile(
    r"^(?P<title>[^()]{10,200}?)\s*\((?:di|del|by|de|on)\s+(?P<date>[^()]{6,40})\)\s+\S",
    re.IGNORECASE,
)

# Bylines: "Di L.M.", "di Bruna Sironi", "By Jane Doe", "A cura di …", "- di Name", "Scritto
# da Name in data …", "Autore: Name", "Estratto dell'articolo di Name per “la Stampa”".
_ONE_NAME = (
    r"(?:[A-ZÀ-Ý][\wÀ-ÿ'’.-]*\.?)"
    r"(?:\s+(?:[A-ZÀ-Ý][\wÀ-ÿ'’.-]*\.?|de|di|da|del|della|van|von|la|le|dos|al|el|bin)){0,4}"
)
_NAME = (  # capitalised words (names joined by "and", "e", "&", a comma), whatever the flags
    rf"(?P<name>(?-i:{_ONE_NAME}(?:(?:\s+(?:and|e|&)|,)\s+{_ONE_NAME}){{0,3}}))"
)
BYLINE = re.compile(
    r"^[-–—•·]?\s*(?:di|da(?=\s+\S+\s+[A-ZÀ-Ý])|by|a cura di|testo di|articolo di|scritto da|written by|"
    r"estratto dell[’']articolo di|autore\s*:|author\s*:)\s+"
    + _NAME
    + r"(?:\s+(?:per|for|in data|on|\||[-–—])\s.*)?$",
    re.IGNORECASE,
)
# A newsroom or staff byline: "Redazione IL POPOLANO", "Redazione Esteri".
NEWSROOM_BYLINE = re.compile(r"^(?:redazione|la redazione|staff)\b[\w\s'’.-]{0,40}$", re.IGNORECASE)
# A line that is only a person's name (two to four capitalised words) next to the headline.
_NAME_WORD = r"(?:[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý]?[a-zà-ÿ'’]+)*|[A-Z]\.)"  # Rossi, De-Stefani, L.
NAME_LINE = re.compile(rf"^{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|di|da|del|della)){{1,3}}$")

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

# --- headlines as evidence (generator/titles.py) -------------------------------------

# Phrases of a site's chrome, never a headline (Italian and English): navigation,
# subscription and account prompts, the masthead's legal lines, widgets' headings.
SITE_PHRASES = re.compile(
    r"\b(?:skip to (?:main )?content|vai al contenuto|salta al contenuto|torna (?:alla|all[’'])?\s*home|"
    r"back to (?:the )?home|home ?page|menu|altre sezioni|in evidenza|ultime notizie|ultim'ora|"
    r"più lett[ie]|most read|trending|esclusive per gli abbonati|abbonati|subscribe|sign in|"
    r"log ?in|accedi|registrati|newsletter|seguici|follow us|cookie|privacy|"
    r"direttore responsabile|registrazione (?:del )?tribunale|testata giornalistica|"
    r"partita iva|p\.? ?iva|agenzia di stampa|audience|audiweb|sommario|logo|"
    r"leggi anche|read more|related|correlati|video del giorno|edizione digitale|"
    r"sfoglia il giornale|la tv per|la televisione svizzera|tutti i diritti|all rights reserved)\b",
    re.IGNORECASE,
)
# Lines that start like a list item, a credit or a caption: not a headline.
NOT_HEADLINE_START = re.compile(
    r"^(?:[•·▪►*>]|[-–—]\s|\(?(?:foto|photo|credit|©)\b)", re.IGNORECASE
)
# Lines with an address, an e-mail or a phone number: contacts and links, not a headline.
NOT_HEADLINE_ANYWHERE = re.compile(r"https?://|www\.|\S@\S|\+?\d[\d ]{8,}")
# Section labels that pages glue to the headline ("CronacaOttobre: …", "Esteri | Titolo").
SECTION_LABEL = re.compile(
    r"^(?:cronaca|politica|esteri|economia|sport|cultura|spettacoli?|attualità|mondo|italia|"
    r"interni|tecnologia|scienza|salute|motori|calcio|opinioni|editoriale|news|world|business|"
    r"politics|opinion|ultim[’']ora|primo piano|in evidenza|live)"
    r"(?:(?=[A-ZÀ-Ý][a-zà-ÿ])|\s*[|:›»/]\s+)",
    re.IGNORECASE,
)
# A headline named with its outlet: "Headline | Outlet", "© Outlet – Headline | section".
OUTLET_TAGGED: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?P<outlet>[^–—|]{2,40}?)\s+[–—-]\s+"
        r"(?P<headline>.{10,200}?)(?:\s+\|\s+[^|]{2,30})?$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<headline>.{10,200}?)\s+[|–—-]\s+(?P<outlet>[^|–—-]{2,40})$"),
)
# Words of an address's slug that are not the headline's: ids, page kinds, formats.
SLUG_NOISE = re.compile(
    r"[a-z]*\d+[a-z\d]*|amp|index|news|notizie|articolo|article|story|pagina|html?"
)

# --- dates as evidence (generator/dates.py) -----------------------------------------

_MONTH_WORD = rf"(?P<m>{_MONTH_NAMES})\.?(?![^\W\d_])"
_FULL_MONTHS = "|".join(
    sorted(
        (name for name in MONTHS if len(name) > 4 or name in ("may", "mai")), key=len, reverse=True
    )
)
_TIME = r"(?:,?\s*(?:alle|ore|at|h|-|–|—|•|\||,)?\s*(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2}))?)?"
_WEEKDAY = rf"(?:(?:{WEEKDAYS}),?\s+)?"
# A date written anywhere in a line, most precise form first: the grammar every date of a
# page is read with. Named groups: y, m (number or name), d (absent: a month), H, M, S, tz.
DATE_EXPRESSIONS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # 2021-10-24, 2021-10-24T22:48:00+02:00
        r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?!\d)",
        # lunedì 3 marzo 2018, 3 mar. 2018 - 09:15, 1° giugno 2020
        rf"(?<![\w]){_WEEKDAY}(?P<d>\d{{1,2}})(?:°|º|st|nd|rd|th)?\s+(?:de\s+)?{_MONTH_WORD},?\s+(?P<y>\d{{4}})(?!\d){_TIME}",
        # March 3, 2018 (at 9:15 AM)
        rf"(?<![\w]){_WEEKDAY}{_MONTH_WORD}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d){_TIME}",
        # 03/03/2018, 3.3.2018 - 09:15
        rf"(?<![\d./-])(?P<d>\d{{1,2}})[./-](?P<m>\d{{1,2}})[./-](?P<y>\d{{4}})(?![\d./-]){_TIME}",
        # 2018/03/03
        r"(?<![\d/])(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])",
        # marzo 2018: a month, full names only ("mar 2018" could be anything)
        rf"(?<![\w])(?P<m>{_FULL_MONTHS})\s+(?P<y>\d{{4}})(?!\d)",
    )
)
# A line that says it gives the publication date, and one that gives an update.
PUBLISHED_CUES = re.compile(
    r"\b(?:pubblicat[oa]|published|posted|edizione del|data di pubblicazione|"
    r"first published|uscit[oa] il|in edicola|scritto da|data\s*:|date\s*:)",
    re.IGNORECASE,
)
UPDATE_CUES = re.compile(
    r"\b(?:aggiornat[oa]|aggiornamento|updated|ultima modifica|modificat[oa]|last modified|"
    r"rev\.)",
    re.IGNORECASE,
)
# What may stand in a date line besides the date: cue words, weekdays, time words, an age
# ("6 mesi fa"), reading time, separators. A line with more other words is not a stamp.
DATE_LINE_FILLER = re.compile(
    rf"\b(?:questo contenuto è stato|pubblicat[oa]|aggiornat[oa]|published|updated|posted|"
    rf"data di pubblicazione|ultima modifica|last updated|edizione|del|dell|il|on|at|alle|"
    rf"ore|h|am|pm|a\.m|p\.m|utc|gmt|cet|cest|ora|oltre|più|di|mesi|mese|anni|anno|giorni|"
    rf"fa|ago|min|minuti|lettura|read|tempo|circa|est|edt|cst|cdt|pst|pdt|bst|{WEEKDAYS})\b",
    re.IGNORECASE,
)
DATE_LINE_MAX_CHARS = 100
DATE_LINE_MAX_OTHER_WORDS = 1
DATE_LINE_MAX_WORDS_WITH_CUE = 4  # after "Pubblicato il …" or a date with a time
# A date in a caption or a file name is a picture's, not the article's.
CAPTION_CUES = re.compile(
    r"\b(?:foto|photo|schermata|screenshot|immagine|image|img|credit)\b|©", re.I
)
# A dateline's date: within this many characters of the body's start, after a place of at
# most this many words and a comma ("Torino, 2 maggio 2018 –", "(ANSA) - ROMA, 9 OTT").
DATELINE_REACH = 70
DATELINE_PLACE = re.compile(r"^(?:\([^)]{2,30}\)\s*[-–—]\s*)?[A-ZÀ-Ý][\w'’ .-]{1,40},\s*$")
DATELINE_AFTER = re.compile(r"^\s*(?:\([^)]{2,30}\)\s*)?[-–—:,(]")
# Dates in a page address's path, most precise first (a year alone says too little).
URL_DATES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"/(?P<y>(?:19|20)\d{2})/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?:/|$)",
        r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?:[/_-]|$)",
        r"[/_-](?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?:[/_.-]|$)",
        r"/(?P<y>(?:19|20)\d{2})/(?P<m>0?[1-9]|1[0-2])(?:/|$)",
    )
)


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

# An editor's code or initials on a line of their own: "FR", "Ihr", "L.M.", "red." (checked
# against STOPWORDS, so a lone "Il" or "The" is not a byline).
INITIALS = re.compile(r"^(?:[A-Z]{2,3}|[A-Z][a-z]{1,2}|(?:[A-Z][a-z]?\.){1,3}|[Rr]ed\.)$")

# The most common function words of the languages cleaning knows. A text line is mostly
# made of them; menus, labels and lists of names are not (jusText's stop-word density).
STOPWORDS: dict[str, frozenset[str]] = {
    "it": frozenset(
        [
            "a",
            "ad",
            "al",
            "alla",
            "alle",
            "allo",
            "agli",
            "ai",
            "all",
            "anche",
            "avere",
            "aveva",
            "c",
            "che",
            "chi",
            "ci",
            "col",
            "come",
            "con",
            "contro",
            "cui",
            "da",
            "dal",
            "dalla",
            "dalle",
            "dallo",
            "dagli",
            "dai",
            "dall",
            "de",
            "dei",
            "del",
            "della",
            "delle",
            "dello",
            "degli",
            "dell",
            "di",
            "dove",
            "e",
            "ed",
            "è",
            "era",
            "erano",
            "essere",
            "fa",
            "fra",
            "gli",
            "ha",
            "hanno",
            "i",
            "il",
            "in",
            "io",
            "la",
            "le",
            "lei",
            "li",
            "lo",
            "loro",
            "lui",
            "ma",
            "mi",
            "molto",
            "ne",
            "nei",
            "nel",
            "nella",
            "nelle",
            "nello",
            "negli",
            "nell",
            "no",
            "noi",
            "non",
            "nostro",
            "o",
            "per",
            "perché",
            "più",
            "poi",
            "quale",
            "quando",
            "quanto",
            "quella",
            "quelle",
            "quello",
            "questa",
            "queste",
            "questo",
            "questi",
            "se",
            "sei",
            "si",
            "sia",
            "siamo",
            "sono",
            "sta",
            "stata",
            "stato",
            "su",
            "sua",
            "sue",
            "sui",
            "sul",
            "sulla",
            "sulle",
            "sullo",
            "sull",
            "suo",
            "suoi",
            "tra",
            "tu",
            "tutti",
            "tutto",
            "un",
            "una",
            "uno",
            "vi",
            "voi",
            "già",
            "ancora",
            "dopo",
            "mentre",
            "secondo",
            "senza",
            "sotto",
            "sopra",
            "verso",
            "ogni",
            "altro",
            "altri",
            "altre",
            "stesso",
        ]
    ),
    "en": frozenset(
        [
            "a",
            "about",
            "after",
            "all",
            "also",
            "an",
            "and",
            "any",
            "are",
            "as",
            "at",
            "be",
            "been",
            "but",
            "by",
            "can",
            "could",
            "did",
            "do",
            "does",
            "for",
            "from",
            "had",
            "has",
            "have",
            "he",
            "her",
            "his",
            "how",
            "i",
            "if",
            "in",
            "into",
            "is",
            "it",
            "its",
            "more",
            "most",
            "no",
            "not",
            "of",
            "on",
            "one",
            "or",
            "other",
            "our",
            "out",
            "over",
            "said",
            "she",
            "so",
            "some",
            "than",
            "that",
            "the",
            "their",
            "them",
            "then",
            "there",
            "these",
            "they",
            "this",
            "those",
            "to",
            "up",
            "was",
            "we",
            "were",
            "what",
            "when",
            "which",
            "while",
            "who",
            "will",
            "with",
            "would",
            "you",
        ]
    ),
}
ALL_STOPWORDS: frozenset[str] = frozenset().union(*STOPWORDS.values())

# Capitalised common nouns that are not names by themselves ("il Paese", "lo Stato"): never
# suggested as new entities (they may still be part of a registered name).
NOT_NAMES = frozenset(
    [
        "paese",
        "paesi",
        "stato",
        "stati",
        "governo",
        "presidente",
        "premier",
        "ministro",
        "ministero",
        "parlamento",
        "esercito",
        "polizia",
        "regione",
        "provincia",
        "comune",
        "città",
        "capitale",
        "nord",
        "sud",
        "est",
        "ovest",
        "occidente",
        "oriente",
        "europa",
        "unione",
        "chiesa",
        "papa",
        "procura",
        "tribunale",
        "corte",
        "consiglio",
        "camera",
        "senato",
        "state",
        "government",
        "president",
        "minister",
        "army",
        "police",
        "city",
        "north",
        "south",
        "east",
        "west",
    ]
)

# Function words of one language that the other common European languages do not use
# (Spanish, French, Portuguese, German, Catalan): many of them in a text and nothing else
# settles its language without the statistical detector.
DISTINCTIVE: dict[str, frozenset[str]] = {
    "it": frozenset(
        [
            "il",
            "che",
            "di",
            "della",
            "delle",
            "dei",
            "degli",
            "gli",
            "nel",
            "nella",
            "nelle",
            "negli",
            "sul",
            "sulla",
            "sulle",
            "dal",
            "dalla",
            "dalle",
            "alla",
            "alle",
            "agli",
            "sono",
            "anche",
            "più",
            "questo",
            "questa",
            "questi",
            "quello",
            "quella",
            "è",
            "stato",
            "stata",
            "essere",
            "hanno",
            "aveva",
            "loro",
            "secondo",
            "dopo",
            "ancora",
            "però",
            "già",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "is",
            "was",
            "that",
            "with",
            "for",
            "which",
            "have",
            "has",
            "were",
            "been",
            "their",
            "would",
            "from",
            "this",
            "these",
            "those",
            "they",
            "there",
            "what",
            "when",
            "who",
            "will",
            "said",
            "after",
            "about",
        ]
    ),
}
