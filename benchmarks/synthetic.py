"""A realistic synthetic archive, made deterministically from the labelled corpus.

    make_raw_articles(folder, count, seed=7)   raw .txt files in the scraper's format
    add_sources(content)                       registry entries for some invented sites
    add_annotations(content, share=0.02)       annotation files, after `postilla import`

Article bodies recombine the ~70 whole sentences of the corpus' gold body lines
(``tests/fixtures/corpus/*.yml``, label ``B``). The registry was made from that corpus,
so its names are first taken out of the sentences (slots by entity type); each
article then fills them from its own cast: 3–10 entities of ``content/entities.yml``
drawn by popularity (about 5 distinct per article, as in the shipped articles) and
invented people, places, organisations and events. Numbers vary too, and so do 40 % of
the lower-case words (`vary_words`, with the words of real Italian articles): so few
sentences, left as they are, would make any two articles share many five-word runs,
when two unrelated real articles share almost none. ``python -m benchmarks.synthetic
--overlap`` prints how alike pairs of real and of synthetic articles are. Each invented
site has its own habits (header or none, byline, timestamp style, share buttons,
"Leggi anche", a footer of its own, copyright, comment form, cookie banner) so that
cleaning has its usual work to do.

The vocabulary is that of the corpus and of about 60 real Italian articles (some 4,400
distinct words) plus the registry's and the invented names: a real archive of the same
size has more distinct words, so the search index measured on this one is somewhat
smaller than a real one would be.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from slugify import slugify

from generator import annotations, archive, evaluate, importer, ingest, yamlio
from generator.entities import Linker
from generator.model import Entity, Source

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests/fixtures/corpus"
# Real articles whose words (with their frequencies) the sentences' words are varied with.
VOCABULARY_TEXTS = tuple(ROOT / "tests/fixtures" / name for name in ("outlets", "heldout", "extra"))
ENTITIES = ROOT / "content/entities.yml"

FIRST_DAY = date(2015, 1, 1)
DAYS = 3652  # about ten years
SUBJECTS = (3, 10)  # registered entities an article is about (drawn by popularity)
SUBJECT_RATE = 0.5  # chance that a name slot gets one of them rather than an invented name
ENTITY_SENTENCE_RATE = 0.3  # chance that a paragraph gets a sentence about a subject
ALIAS_RATE = 0.3  # chance that an entity is named by one of its aliases
INVENTED_PERSON_RATE = 0.2  # chance that a paragraph quotes an invented person
NUMBER_CHANGE_RATE = 0.6  # chance that each small number of a sentence is changed
WORD_CHANGE_RATE = 0.4  # chance that each lower-case word of a sentence is another word
SHORT_PARAGRAPH_WORDS = 40  # below this a repeat would look like site boilerplate

# Splits "…confine. L'azione…", "…confine.L'azione…" (glued) and "…guerra». Il…".
_SENTENCE_SPLIT = re.compile(
    r"(?<=[^\W\d_][.!?])[\"»”]?\s*(?=[«\"“]?[A-ZÀ-Ý])"
    r"|(?<=[.!?][\"»”])\s+(?=[«\"“]?[A-ZÀ-Ý])"
    r"|(?<=[0-9%)][.!?])\s+(?=[«\"“]?[A-ZÀ-Ý])"
)
_SLOT = re.compile(r"⟦(\w+)⟧")
# A slot (kept), or a lower-case word of three letters or more (group 1: may be varied).
_VARIABLE_WORD = re.compile(r"⟦\w+⟧|(?<![\w'’])([a-zà-öø-ÿ]{3,})(?![\w'’])")
SLOT_KINDS = ("place", "organization", "person", "event")
_MONTH_AFTER = "|".join(
    ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")
)
# Small numbers to vary; not days of a date ("11 settembre"), nor "5+1", nor "15.00".
_SMALL_NUMBER = re.compile(
    rf"(?<![\d.,/+])\b\d{{1,3}}\b(?![\d.,/+])(?!\s+(?:{_MONTH_AFTER}))", re.IGNORECASE
)


@dataclass(frozen=True)
class Site:
    """An invented publisher and the way its pages come out of the scraper."""

    domain: str
    name: str
    kind: str
    registered: bool  # has an entry in sources.yml
    weight: int  # relative share of the archive's articles
    url_style: int  # 0: /section/yyyy/mm/dd/slug-n/, 1: /yyyymmdd/slug-n.html, 2: ?id=n
    header_rate: float  # share of its files with the ` date … URL` header line
    blank_lines: bool  # paragraphs separated by a blank line (else by a line break)
    byline_rate: float
    timestamp_style: int  # 0: none, 1: "12 marzo 2019, 14:30", 2: ISO, 3: "12/03/2019 - 14:30"
    share: bool  # share buttons under the headline
    related_rate: float  # chance of a "Leggi anche" line between paragraphs
    footer: str  # a line of its own under every article (site boilerplate)
    comments: bool  # comment form at the end
    cookie: bool  # cookie banner at the very end


SITES: tuple[Site, ...] = (
    Site("notiziemondo.it", "Notizie dal Mondo", "newspaper", True, 14, 0, 0.95, True, 0.5, 1,
         True, 0.3, "Segui Notizie dal Mondo anche sui canali social per restare aggiornato",
         True, True),
    Site("lagazzettaestera.it", "La Gazzetta Estera", "newspaper", True, 11, 0, 0.9, True, 0.7,
         1, True, 0.25, "La Gazzetta Estera è una testata registrata presso il tribunale",
         False, True),
    Site("cronacheinternazionali.net", "Cronache Internazionali", "magazine", True, 9, 1, 0.85,
         True, 0.3, 3, False, 0.2, "Ricevi ogni mattina le notizie della redazione esteri",
         True, False),
    Site("osservatoriomedioriente.org", "Osservatorio Medio Oriente", "blog", True, 7, 0, 0.8,
         False, 0.8, 0, True, 0.1, "Questo blog vive grazie al sostegno dei suoi lettori",
         True, True),
    Site("agenzianova24.it", "Agenzia Nova 24", "agency", True, 12, 2, 1.0, True, 0.0, 2,
         False, 0.0, "Agenzia Nova 24 — notiziario quotidiano di politica estera", False, False),
    Site("difesaesicurezza.it", "Difesa e Sicurezza", "magazine", True, 6, 1, 0.9, True, 0.6, 1,
         True, 0.35, "Difesa e Sicurezza: analisi e approfondimenti ogni settimana", False, True),
    Site("quotidianolevante.com", "Quotidiano del Levante", "newspaper", False, 8, 0, 0.9, True,
         0.4, 3, True, 0.3, "Il Quotidiano del Levante è anche in edicola ogni mattina", True,
         True),
    Site("rassegnaglobale.info", "Rassegna Globale", "aggregator", False, 10, 2, 0.7, False,
         0.1, 0, False, 0.0, "Rassegna Globale raccoglie articoli dalle testate di tutto il mondo",
         False, True),
    Site("corrieremediterraneo.it", "Corriere del Mediterraneo", "newspaper", False, 6, 0, 0.95,
         True, 0.5, 1, True, 0.2, "Corriere del Mediterraneo, il giornale delle due sponde",
         True, True),
    Site("vocedalsahel.org", "Voce dal Sahel", "blog", False, 3, 1, 0.8, True, 0.9, 0, False,
         0.1, "Voce dal Sahel racconta l'Africa occidentale dal 2012", True, False),
    Site("europanotizie.eu", "Europa Notizie", "newspaper", False, 5, 1, 0.9, True, 0.3, 2,
         True, 0.25, "Europa Notizie è pubblicata in sei lingue dell'Unione", False, True),
    Site("ilpuntogeopolitico.it", "Il Punto Geopolitico", "blog", False, 4, 0, 0.75, True, 0.9,
         1, True, 0.15, "Il Punto Geopolitico non riceve finanziamenti pubblici", True, True),
    Site("mondoarabo.news", "Mondo Arabo News", "magazine", False, 2, 2, 0.9, True, 0.2, 3,
         False, 0.2, "Mondo Arabo News traduce ogni giorno la stampa araba", False, False),
    Site("radiosudest.fm", "Radio Sud Est", "broadcaster", False, 2, 1, 0.85, True, 0.1, 2,
         True, 0.3, "Ascolta Radio Sud Est in diretta ogni giorno dalle 7 alle 24", False, True),
    Site("sentinellaglobale.blog", "La Sentinella Globale", "blog", False, 1, 0, 0.6, False,
         0.7, 0, True, 0.0, "La Sentinella Globale è scritta da volontari", True, False),
)  # fmt: skip

SECTIONS = ("esteri", "mondo", "medio-oriente", "africa", "asia", "politica", "difesa")
KICKERS = ("ESTERI", "L'ANALISI", "Medio Oriente", "Mondo", "Live", "Terrorismo", "Africa")
MONTHS_IT = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre")  # fmt: skip
FIRST_NAMES = (
    "Marco", "Giulia", "Ahmed", "Fatima", "Luca", "Sara", "Omar", "Leila", "Paolo", "Elena",
    "Karim", "Nadia", "Andrea", "Chiara", "Youssef", "Amira", "Davide", "Francesca", "Hassan",
    "Rania", "Stefano", "Valentina", "Tariq", "Samira", "Matteo", "Alessia", "Jamal", "Dalia",
    "Roberto", "Ilaria", "Mehmet", "Ayşe", "Giorgio", "Silvia", "Rashid", "Noura",
)  # fmt: skip
SURNAMES = (
    "Bianchi", "Rossi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Al-Hashimi", "Haddad", "Khalil", "Mansour", "Nasser",
    "Saleh", "Yilmaz", "Demir", "Kaya", "Benali", "Toure", "Diallo", "Keita", "Traoré",
    "Rahimi", "Karimi", "Ahmadi", "Hosseini", "Qureshi", "Farouk", "Aziz", "Abboud",
)  # fmt: skip
SYLLABLES = ("ka", "ra", "sha", "mi", "ta", "lu", "dor", "zan", "bel", "qa", "fa", "nur",
             "tel", "sar", "mo", "ha", "ri", "ban", "kir", "dal", "zu", "ya", "mar", "sul",
             "ab", "en", "ol", "ir", "ve", "no", "gra", "tos")  # fmt: skip
PLACE_PREFIXES = ("", "", "", "", "Al-", "Tell ", "Kafr ", "Ain ", "Deir ", "Bir ", "San ",
                  "Monte ", "Porto ")  # fmt: skip
ORG_KINDS = ("Fronte", "Brigata", "Movimento", "Esercito", "Consiglio", "Comitato",
             "Coalizione", "Unione", "Lega", "Partito")  # fmt: skip
ORG_ADJECTIVES = ("Popolare", "Islamico", "Democratico", "Nazionale", "Rivoluzionario",
                  "Unito", "Libero", "Patriottico")  # fmt: skip
EVENT_KINDS = ("Battaglia di", "Assedio di", "Strage di", "Offensiva di", "Accordo di")
ROLES = ("il portavoce", "l'analista", "il ricercatore", "il deputato", "il generale",
         "la giornalista", "il ministro", "l'attivista", "il docente", "la diplomatica")  # fmt: skip

PLACE_TEMPLATES = (
    "Nella zona di {x} la situazione resta tesa, secondo fonti locali.",
    "Fonti diplomatiche a {x} hanno confermato la notizia nelle ultime ore.",
    "La delegazione è attesa a {x} nei prossimi giorni per nuovi colloqui.",
    "Secondo testimoni, a {x} sono state udite esplosioni per tutta la notte.",
    "Le autorità di {x} non hanno ancora commentato l'accaduto.",
    "Centinaia di persone hanno lasciato {x} dopo gli scontri dei giorni scorsi.",
)
ORGANIZATION_TEMPLATES = (
    "Un portavoce di {x} ha smentito ogni coinvolgimento nell'accaduto.",
    "Secondo {x}, il bilancio delle vittime potrebbe salire ancora.",
    "Le accuse sono state respinte da {x} in un comunicato diffuso in serata.",
    "Anche {x} è intervenuto sulla vicenda, chiedendo un'indagine indipendente.",
    "Gli analisti ritengono che {x} abbia ormai cambiato strategia.",
)
PERSON_TEMPLATES = (
    "{x} ha dichiarato che la risposta sarà ferma e proporzionata.",
    "In un'intervista televisiva, {x} ha parlato di una fase molto delicata.",
    "Le parole di {x} sono state accolte con cautela dagli osservatori.",
    "Secondo persone vicine a {x}, una decisione arriverà entro la settimana.",
)
EVENT_TEMPLATES = (
    "Il ricordo degli eventi noti come {x} è tornato al centro del dibattito.",
    "Molti commentatori hanno fatto un paragone con {x}.",
)
INVENTED_TEMPLATES = (
    "«La situazione è più complessa di quanto sembri», ha spiegato {role} {x}.",
    "Per {role} {x} si tratta di un segnale che non va sottovalutato.",
    "{role_cap} {x} ha invitato tutte le parti alla moderazione.",
    "Come ha ricordato {role} {x}, non è la prima volta che accade.",
)
TEMPLATES = {
    "place": PLACE_TEMPLATES,
    "organization": ORGANIZATION_TEMPLATES,
    "person": PERSON_TEMPLATES,
    "event": EVENT_TEMPLATES,
    "other": ORGANIZATION_TEMPLATES,
}

COOKIE_LINES = (
    "Questo sito utilizza cookie tecnici e di profilazione, anche di terze parti.",
    "Usiamo i cookie per migliorare la tua esperienza di navigazione.",
    "Chiudendo questo banner acconsenti all'uso dei cookie.",
)
COOKIE_BUTTONS = ("Accetta", "Accetta tutti", "Rifiuta", "Personalizza", "Ok, ho capito")
SHARE_LINES = ("Condividi", "Facebook | Twitter | WhatsApp", "Condividi su Facebook",
               "Telegram", "Copia link")  # fmt: skip
COMMENT_LINES = (
    "Lascia un commento",
    "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *",
)
MIDDLE_JUNK = ("Pubblicità", "Iscriviti alla nostra newsletter", "Advertisement")


# --- the corpus, the registry and invented names -----------------------------------


@cache
def registry() -> tuple[Entity, ...]:
    """The shipped entity registry."""
    entities, problems = archive.load_entities(ENTITIES)
    if problems:
        raise RuntimeError(f"{ENTITIES}: {problems[0]}")
    return entities


@cache
def linker() -> Linker:
    return Linker(registry())


@cache
def popularity() -> tuple[float, ...]:
    """Zipf-like weights in registry order (the registry lists the main subjects first)."""
    return tuple(1 / (rank + 1) ** 0.8 for rank in range(len(registry())))


def with_slots(sentence: str) -> str:
    """The sentence with each registered name replaced by a slot, ``⟦place⟧`` and so on."""
    kinds = {entity.id: entity.type for entity in registry()}
    pieces, last = [], 0
    for start, end, entity_id in linker().find(sentence):
        pieces += [sentence[last:start], f"⟦{kinds[entity_id]}⟧"]
        last = end
    return "".join(pieces) + sentence[last:]


@cache
def corpus_sentences() -> tuple[str, ...]:
    """Whole sentences of the gold body lines (fragments and very long ones left out),
    their registered names turned into slots: the corpus is where the registry came from,
    so left as they are its sentences would name a registered entity every few words."""
    sentences = []
    for case in evaluate.load_gold(CORPUS):
        for line in case.body_lines:
            for sentence in _SENTENCE_SPLIT.split(line):
                sentence = sentence.strip()
                words = len(sentence.split())
                if (
                    6 <= words <= 70
                    and (sentence[0].isupper() or sentence[0] in '«"“')
                    and sentence[-1] in '.!?"»”'
                ):
                    sentences.append(with_slots(sentence))
    return tuple(dict.fromkeys(sentences))


def invented_person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def invented_place(rng: random.Random) -> str:
    """A made-up place name from 2–3 syllables, sometimes with an Arabic or Italian prefix."""
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
    return rng.choice(PLACE_PREFIXES) + stem.capitalize()


def invent(kind: str, rng: random.Random) -> str:
    """A name of the given kind that the registry does not know."""
    for _ in range(20):
        if kind == "person":
            name = invented_person(rng)
        elif kind == "event":
            name = f"{rng.choice(EVENT_KINDS)} {invented_place(rng)}"
        elif kind == "place":
            name = invented_place(rng)
        else:
            name = f"{rng.choice(ORG_KINDS)} {rng.choice(ORG_ADJECTIVES)} di {invented_place(rng)}"
        if not linker().find(name):
            break
    return name


# --- one article -------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """The names one article uses: a few registered entities (its subjects, chosen by
    popularity) and a few invented people, places, organisations and events."""

    subjects: tuple[Entity, ...]
    invented: dict[str, tuple[str, ...]]

    def name(self, kind: str, rng: random.Random) -> str:
        """A name to fill a slot of this kind: a subject of that kind, or an invented one."""
        kind = kind if kind in SLOT_KINDS else "organization"
        fitting = [e for e in self.subjects if e.type == kind]
        if fitting and rng.random() < SUBJECT_RATE:
            return surface(rng.choice(fitting), rng)
        return rng.choice(self.invented[kind])


def cast_for(rng: random.Random) -> Cast:
    picks = rng.choices(registry(), popularity(), k=rng.randint(*SUBJECTS))
    return Cast(
        tuple(dict.fromkeys(picks)),
        {kind: tuple(invent(kind, rng) for _ in range(rng.randint(2, 5))) for kind in SLOT_KINDS},
    )


def surface(entity: Entity, rng: random.Random) -> str:
    """How the text names an entity: its name, or now and then one of its aliases."""
    if entity.aliases and rng.random() < ALIAS_RATE:
        return rng.choice(entity.aliases)
    return entity.name


def fill(sentence: str, cast: Cast, rng: random.Random) -> str:
    """A corpus sentence with its slots filled from the cast and some numbers and words
    changed."""
    varied = vary_words(vary_numbers(sentence, rng), rng)
    text = _SLOT.sub(lambda m: cast.name(m.group(1), rng), varied)
    return text[0].upper() + text[1:]


@cache
def vocabulary() -> tuple[str, ...]:
    """The lower-case words of real Italian articles' bodies (``VOCABULARY_TEXTS``, as
    `postilla import` cleans them and detects their language), each as often as it
    occurs there: drawn from, common words come up often and rare ones rarely."""
    from generator.importer import clean_and_extract
    from generator.ingest import read_raw

    found: list[str] = []
    for folder in VOCABULARY_TEXTS:
        for path in sorted(folder.glob("*.txt")):
            cleaned, metadata = clean_and_extract((read_raw(path), frozenset(), None))
            if metadata.language == "it":
                for paragraph in cleaned.paragraphs:
                    found += [m[1] for m in _VARIABLE_WORD.finditer(paragraph) if m[1]]
    return tuple(found)


def vary_words(sentence: str, rng: random.Random) -> str:
    """Replace some of the sentence's lower-case words with words of real articles.

    The bodies recombine a few dozen sentences: left as they are, any two articles would
    share many five-word runs, when two unrelated real articles share almost none
    (``python -m benchmarks.synthetic --overlap``). The republication check, the search
    index and the import's repeat check all depend on that overlap.
    """
    words = vocabulary()

    def change(match: re.Match[str]) -> str:
        if match.group(1) is None or rng.random() >= WORD_CHANGE_RATE:
            return match.group()
        return rng.choice(words)

    return _VARIABLE_WORD.sub(change, sentence)


def vary_numbers(sentence: str, rng: random.Random) -> str:
    """Change some of the sentence's small numbers (1–3 digits), keeping their width."""

    def change(match: re.Match[str]) -> str:
        if rng.random() > NUMBER_CHANGE_RATE:
            return match.group()
        width = len(match.group())
        return str(rng.randint(10 ** (width - 1) if width > 1 else 2, 10**width - 1))

    return _SMALL_NUMBER.sub(change, sentence)


def entity_sentence(cast: Cast, rng: random.Random) -> str:
    """A sentence about one of the article's subjects, by its name or an alias."""
    entity = rng.choice(cast.subjects)
    template = rng.choice(TEMPLATES.get(entity.type, ORGANIZATION_TEMPLATES))
    sentence = template.format(x=surface(entity, rng))
    return sentence[0].upper() + sentence[1:]


def invented_sentence(cast: Cast, rng: random.Random) -> str:
    """A sentence quoting one of the article's invented people."""
    role = rng.choice(ROLES)
    return rng.choice(INVENTED_TEMPLATES).format(
        role=role, role_cap=role[0].upper() + role[1:], x=rng.choice(cast.invented["person"])
    )


def paragraph(cast: Cast, rng: random.Random, used_short: set[str]) -> str:
    """A body paragraph of about 25–160 words. A short one (which, repeated in three
    articles of a site, would be taken for site boilerplate) is never used twice:
    `used_short` holds the short paragraphs the site has printed so far."""
    target = rng.choice((25, 35, 45, 55, 65, 80, 100, 130))
    pool = corpus_sentences()
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < target:
        sentences.append(fill(rng.choice(pool), cast, rng))
    if rng.random() < ENTITY_SENTENCE_RATE:
        sentences.insert(rng.randrange(len(sentences) + 1), entity_sentence(cast, rng))
    if rng.random() < INVENTED_PERSON_RATE:
        sentences.insert(rng.randrange(len(sentences) + 1), invented_sentence(cast, rng))
    text = " ".join(sentences)
    while len(text.split()) < SHORT_PARAGRAPH_WORDS and text in used_short:
        text += " " + fill(rng.choice(pool), cast, rng)
    if len(text.split()) < SHORT_PARAGRAPH_WORDS:
        used_short.add(text)
    return text


def headline(cast: Cast, rng: random.Random) -> str:
    """A headline: the start of a sentence up to a comma or 6–13 words, ending on a word
    that can end a phrase; sometimes led by the name of one of the article's subjects."""
    words = fill(rng.choice(corpus_sentences()), cast, rng).split()[: rng.randint(6, 13)]
    for index, word in enumerate(words[3:], start=4):
        if word.endswith((",", ":", ";")):
            words = words[:index]
            break
    while len(words) > 4 and (len(words[-1]) <= 3 or words[-1].endswith(("'", "’"))):
        words.pop()
    cut = " ".join(words).rstrip(',;:.–-—«“"')
    if rng.random() < 0.4:
        cut = f"{rng.choice(cast.subjects).name}: {cut[0].lower() + cut[1:]}"
    return cut


def article_url(site: Site, day: date, title: str, number: int) -> str:
    """A unique address in the site's own style (`number` makes it unique)."""
    slug = slugify(title, max_length=60, word_boundary=True) or "articolo"
    if site.url_style == 0:
        section = SECTIONS[number % len(SECTIONS)]
        return f"https://www.{site.domain}/{section}/{day:%Y/%m/%d}/{slug}-{number}/"
    if site.url_style == 1:
        return f"https://{site.domain}/{day:%Y%m%d}/{slug}-{1000000 + number}.html"
    return f"https://www.{site.domain}/articolo.php?id={number}&titolo={slug}"


def timestamp_line(site: Site, day: date, rng: random.Random) -> str | None:
    """The publication timestamp the site prints under its headline, if any."""
    hour, minute = rng.randint(6, 23), rng.randrange(60)
    if site.timestamp_style == 1:
        return f"{day.day} {MONTHS_IT[day.month - 1]} {day.year}, {hour:02d}:{minute:02d}"
    if site.timestamp_style == 2:
        offset = "+0200" if 4 <= day.month <= 10 else "+0100"
        return f"{day.isoformat()}T{hour:02d}:{minute:02d}{offset}"
    if site.timestamp_style == 3:
        return f"{day:%d/%m/%Y} - {hour:02d}:{minute:02d}"
    return None


def raw_article(site: Site, number: int, rng: random.Random, used_short: set[str]) -> str:
    """The text of one raw file, as the scraper saved the site's page (`used_short`: the
    site's short paragraphs so far)."""
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    cast = cast_for(rng)
    title = headline(cast, rng)
    lines: list[str] = []
    if rng.random() < site.header_rate:
        stamp = day.isoformat() if rng.random() < 0.2 else f"{day:%Y-%m}"
        lines += [f" date {stamp} {article_url(site, day, title, number)}", ""]
    if rng.random() < 0.15:
        lines.append(rng.choice(KICKERS))
    lines.append(title)
    if site.share:
        lines += rng.sample(SHARE_LINES, rng.randint(1, 2))
    if rng.random() < site.byline_rate:
        lines.append(f"di {invented_person(rng)}")
    stamp_line = timestamp_line(site, day, rng)
    if stamp_line and rng.random() < 0.8:
        lines.append(stamp_line)
    count = rng.randint(4, 12)
    for index in range(count):
        lines.append(paragraph(cast, rng, used_short))
        if 0 < index < count - 1 and rng.random() < site.related_rate / 2:
            lines.append(f"Leggi anche: {headline(cast, rng)}")
        elif 0 < index < count - 1 and rng.random() < 0.05:
            lines.append(rng.choice(MIDDLE_JUNK))
    lines.append(site.footer)
    lines.append(f"© {day.year} {site.name} - Riproduzione riservata")
    if site.comments:
        lines += COMMENT_LINES
    if site.cookie:
        lines += [rng.choice(COOKIE_LINES), rng.choice(COOKIE_BUTTONS)]
    separator = "\n\n" if site.blank_lines else "\n"
    header, body = (lines[:2], lines[2:]) if lines[0].startswith(" date ") else ([], lines)
    return "\n".join(header) + ("\n" if header else "") + separator.join(body) + "\n"


# --- the archive -------------------------------------------------------------


def make_raw_articles(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write `count` unique raw articles (``NNNNNN_<hash>.txt``) into `folder`; their paths.

    The same `count` and `seed` give the same files, byte for byte.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    weights = [site.weight for site in SITES]
    seen: set[str] = set()
    short: dict[str, set[str]] = {site.domain: set() for site in SITES}
    paths: list[Path] = []
    number = 0
    while len(paths) < count:
        number += 1
        site = rng.choices(SITES, weights)[0]
        text = raw_article(site, number, rng, short[site.domain])
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:  # never in practice; kept so that uniqueness is a guarantee
            continue
        seen.add(digest)
        path = folder / f"{len(paths):06d}_{digest[:16]}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# Set in each worker of `write_archive`'s pool (`_start_writer`).
_WRITER: dict[str, Any] = {}


def _start_writer(sources: tuple[Source, ...], imported: str) -> None:
    _WRITER.update(sources=sources, imported=imported)


def _written_article(job: importer.Job) -> tuple[str, str] | None:
    """The id an import would give one raw file (were it free) and its article file's
    text; None if cleaning leaves no body."""
    raw = job[0]
    cleaned, metadata = importer.clean_and_extract(job)
    if not cleaned.paragraphs:
        return None
    wanted = importer.make_article_id(metadata, set(), raw.sha256)
    article = importer.build_article(
        raw, cleaned, metadata, wanted, _WRITER["sources"], _WRITER["imported"]
    )
    return wanted, archive.article_to_text(article)


def write_archive(content: Path, raws: list[Path], chunk: int = 4000) -> int:
    """Write the raw files into `content` as `postilla import` would write them (same
    cleaning, boilerplate lines of each site, metadata, ids, files), the work of each
    article done on every core; how many were written.

    For archives too large to import in a benchmark's time (200,000 articles): an import
    also compares each new file with the whole archive (repeats, URLs, raw hashes), which
    these files, unique by construction, do not need. Each site's boilerplate lines are
    those of the first `chunk` files."""
    from generator import parallel

    sources, problems = archive.load_sources(content / archive.SOURCES)
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    imported = date.today().isoformat()
    boilerplate: dict[str | None, frozenset[str]] = {}
    taken: set[str] = set()
    written = 0
    for start in range(0, len(raws), chunk):
        batch = [ingest.read_raw(path) for path in raws[start : start + chunk]]
        if not boilerplate:
            boilerplate = importer.site_boilerplate(content, [], batch)
        jobs = [
            (raw, boilerplate.get(importer.raw_domain(raw), frozenset()), None) for raw in batch
        ]
        made = parallel.parallel_map(
            _written_article, jobs, initializer=_start_writer, initargs=(sources, imported)
        )
        for job, result in zip(jobs, made):
            if result is None:
                continue
            raw, (article_id, text) = job[0], result
            if article_id in taken:  # as an import does: the raw bytes' hash tells it apart
                cleaned, metadata = importer.clean_and_extract(job)
                article_id = importer.make_article_id(metadata, taken, raw.sha256)
                article = importer.build_article(
                    raw, cleaned, metadata, article_id, sources, imported
                )
                text = archive.article_to_text(article)
            taken.add(article_id)
            archive.write_text_atomic(content / archive.RAW / f"{article_id}.txt", raw.data)
            archive.write_text_atomic(content / archive.ARTICLES / f"{article_id}.md", text)
            written += 1
    return written


def add_sources(content: Path) -> int:
    """Append the registered invented sites to ``content/sources.yml``; how many."""
    entries = [
        {
            "domain": site.domain,
            "name": site.name,
            "country": "IT",
            "kind": site.kind,
            "url": f"https://www.{site.domain}/",
            "notes": f"Testata inventata per i benchmark ({site.kind}).",
        }
        for site in SITES
        if site.registered
    ]
    path = content / archive.SOURCES
    existing = path.read_text("utf-8") if path.is_file() else ""
    path.write_text(existing.rstrip("\n") + "\n\n" + yamlio.dump(entries), encoding="utf-8")
    return len(entries)


# --- annotations, after import -----------------------------------------------

NOTES = (
    ("context", "Il passaggio va letto alla luce degli eventi delle settimane precedenti."),
    ("question", "Da dove viene questa informazione? Il testo non cita una fonte."),
    ("comment", "Formulazione ripresa quasi alla lettera da un'agenzia di stampa."),
    ("fact-check", "La cifra non trova riscontro nei rapporti pubblicati in quel periodo."),
    ("correction", "Il nome corretto è riportato nel registro delle entità."),
)
VERDICTS = ("true", "false", "misleading", "unverified")


def pick_quote(paragraphs: tuple[str, ...], rng: random.Random) -> str | None:
    """5–10 consecutive words of a paragraph of at least 12 words, or None."""
    long_enough = [p for p in paragraphs if len(p.split()) >= 12]
    if not long_enough:
        return None
    words = rng.choice(long_enough).split()
    size = rng.randint(5, 10)
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start : start + size])


def annotation_for(article_id: str, quote: str, rng: random.Random) -> annotations.NewAnnotation:
    kind, note = rng.choice(NOTES)
    day = FIRST_DAY + timedelta(days=DAYS + rng.randrange(365))
    return annotations.NewAnnotation(
        article=article_id,
        quote=quote,
        kind=kind,
        note=note,
        author=rng.choice(("lettore-attento", "postilla-archive", "redazione-bench")),
        date=day.isoformat(),
        verdict=rng.choice(VERDICTS) if kind == "fact-check" else None,
        tags=tuple(rng.sample(("fonti", "numeri", "contesto", "nomi"), rng.randint(0, 2))),
    )


def add_annotations(content: Path, share: float = 0.02, seed: int = 7) -> int:
    """Write one annotation file for `share` of the imported articles (at least one), each
    quoting 5–10 words of the cleaned body, exactly as ``postilla annotate`` would (with
    a prefix or suffix when the words occur more than once); how many were written."""
    rng = random.Random(seed)
    paths = archive.article_paths(content)
    if not paths:
        return 0
    chosen = rng.sample(paths, max(1, round(len(paths) * share)))
    written = 0
    for path in sorted(chosen):
        article = archive.read_article(path)
        quote = pick_quote(article.paragraphs, rng)
        if quote is None:
            continue
        new = annotation_for(article.id, quote, rng)
        body = article.body_text
        start = body.find(quote)
        prefix, suffix = annotations.context_for(body, start, start + len(quote))
        target = annotations.new_file_path(content, new)
        if target.exists():
            continue
        archive.write_text_atomic(target, annotations.render_file(new, prefix, suffix))
        written += 1
    return written


# --- how alike two articles are: the synthetic archive beside real articles ------------


def cleaned_bodies(paths: list[Path]) -> list[tuple[str, ...]]:
    """The body paragraphs `postilla import` would keep of each raw file (those with any)."""
    from generator.importer import clean_and_extract
    from generator.ingest import read_raw

    bodies = [
        clean_and_extract((read_raw(path), frozenset(), None))[0].paragraphs for path in paths
    ]
    return [body for body in bodies if body]


def overlap(bodies: list[tuple[str, ...]]) -> dict[str, float]:
    """Over every pair of `bodies`: the share whose estimated shingle similarity (MinHash,
    as the republication check estimates it) reaches 0.05, 0.1 and the check's exact-test
    floor, and the mean estimate."""
    import numpy as np

    from generator import clusters

    matrix = np.array([clusters.body_signature(body) for body in bodies], dtype=np.uint64)
    estimates = np.concatenate(
        [
            (matrix[i + 1 :] == matrix[i]).sum(axis=1) / clusters.PERMUTATIONS
            for i in range(len(bodies))
        ]
    )
    floor = clusters.THRESHOLD - clusters.ESTIMATE_MARGIN
    return {
        "bodies": len(bodies),
        "pairs": len(estimates),
        "at least 0.05": float((estimates >= 0.05).mean()),
        "at least 0.1": float((estimates >= 0.1).mean()),
        f"at least {floor:.2f} (checked exactly)": float((estimates >= floor).mean()),
        "mean": float(estimates.mean()),
    }


def main() -> None:
    """``python -m benchmarks.synthetic --overlap``: how alike pairs of real articles (the
    test fixtures' raw files, republications left out) and of synthetic ones are."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--overlap", action="store_true", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    real = cleaned_bodies(
        [path for folder in (CORPUS, *VOCABULARY_TEXTS) for path in sorted(folder.glob("*.txt"))]
    )
    with tempfile.TemporaryDirectory() as folder:
        made = cleaned_bodies(make_raw_articles(Path(folder), len(real), args.seed))
    for label, bodies in (("real articles", real), ("synthetic articles", made)):
        figures = overlap(bodies)
        print(f"{label}: " + ", ".join(f"{k} {v:.4g}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
