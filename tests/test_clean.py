"""Cleaning: every line's decision with its rule, and the repaired body."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import clean, ingest, patterns
from generator.model import CleanedText, LineDecision

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_000 = "000_dc37bb17c7ea2900.txt"
SEED_001 = "001_17cb9ab2f47cb014.txt"

BODY = (
    "Secondo quanto riferito dal giornale, il governo ha annunciato nuove misure"
    " per la sicurezza della regione."
)
BODY_2 = "Le autorità locali hanno confermato la notizia nel corso di una conferenza stampa."


def clean_seed(name: str) -> CleanedText:
    return clean.clean(ingest.parse_raw(name, (SEEDS / name).read_bytes()))


def clean_text(text: str, name: str = "inline.txt") -> CleanedText:
    return clean.clean(ingest.parse_raw(name, text.encode("utf-8")))


def decision(cleaned: CleanedText, number: int) -> LineDecision:
    return next(d for d in cleaned.decisions if d.number == number)


def decision_for(cleaned: CleanedText, text: str) -> LineDecision:
    return next(d for d in cleaned.decisions if d.text == text)


# --- seed 001: headline, repeated title, teaser, timestamps, glued body ------


def test_seed_001_header_and_title():
    cleaned = clean_seed(SEED_001)
    assert (decision(cleaned, 1).label, decision(cleaned, 1).rule) == ("header", "header")
    title = decision(cleaned, 3)
    assert (title.label, title.rule) == ("title", "headline")
    assert title.text == "WP: Pakistan aiuta i talebani nella lotta contro l'ISIS"


def test_seed_001_repeated_title_removed():
    repeated = decision(clean_seed(SEED_001), 5)
    assert (repeated.label, repeated.rule) == ("junk", "repeated")
    assert repeated.reason == "repeats line 3"


def test_seed_001_teaser_removed():
    teaser = decision(clean_seed(SEED_001), 7)
    assert (teaser.label, teaser.rule) == ("junk", "teaser")
    assert teaser.text.startswith("Il Pakistan fornisce assistenza")
    assert teaser.text.endswith("24.10.2021")


def test_seed_001_first_timestamp_is_meta_and_the_others_removed():
    cleaned = clean_seed(SEED_001)
    first = decision(cleaned, 9)
    assert (first.label, first.rule) == ("meta", "timestamp")
    assert first.text == "2021-10-24T22:48+0200"
    for number in (11, 13):
        later = decision(cleaned, number)
        assert later.text == "2021-10-24T22:48+0200"
        assert later.label == "junk"
        assert later.rule in ("repeated", "repeated-timestamp")


def test_seed_001_body_paragraphs_split_at_glued_sentences():
    cleaned = clean_seed(SEED_001)
    assert len(cleaned.paragraphs) == 3
    assert cleaned.paragraphs[0].startswith("Secondo quanto riferito dal giornale")
    assert cleaned.paragraphs[0].endswith("nella lotta ai terroristi.")
    assert cleaned.paragraphs[1].startswith("A quanto si apprende")
    assert cleaned.paragraphs[1].endswith("centri operativi.")
    assert cleaned.paragraphs[2].startswith("Tuttavia, secondo un portavoce")
    assert cleaned.paragraphs[2].endswith("non sapevano come utilizzarle.")


def test_seed_001_footnote_separated_from_body():
    cleaned = clean_seed(SEED_001)
    assert cleaned.footnotes == (
        "*Organizzazioni terroristiche estremiste illegali in Russia e altri paesi",
    )
    assert not any("Organizzazioni terroristiche" in p for p in cleaned.paragraphs)


def test_seed_001_repairs_are_listed():
    repairs = clean_seed(SEED_001).repairs
    assert len(repairs) == 3
    assert all(r.startswith("split glued sentences: ") for r in repairs)
    assert "terroristi.|A quanto" in repairs[0]


def test_seed_001_only_one_body_line():
    cleaned = clean_seed(SEED_001)
    assert [d.number for d in cleaned.decisions if d.label == "body"] == [15]


def test_seed_001_removed_lists_title_meta_and_junk_but_not_header_or_body():
    cleaned = clean_seed(SEED_001)
    assert [d.number for d in cleaned.removed] == [3, 5, 7, 9, 11, 13]


# --- seed 000: no headline, byline, bio, comment form, cookie banner ---------


def test_seed_000_four_body_paragraphs():
    cleaned = clean_seed(SEED_000)
    assert len(cleaned.paragraphs) == 4
    assert cleaned.paragraphs[0].startswith("ISIS ha iniziato il trasferimento")
    assert cleaned.paragraphs[1].startswith("Secondo le fonti")
    assert cleaned.paragraphs[2].startswith("Secondo i funzionari degli Stati Uniti")
    assert cleaned.paragraphs[3].startswith("La provincia di Deir Ezzor")
    assert "10.000 combattenti" in cleaned.paragraphs[3]
    assert cleaned.footnotes == ()
    assert cleaned.repairs == ()


def test_seed_000_has_no_header_and_no_title():
    cleaned = clean_seed(SEED_000)
    assert not any(d.label in ("header", "title") for d in cleaned.decisions)


def test_seed_000_byline_is_meta():
    byline = decision(clean_seed(SEED_000), 6)
    assert byline.text == "Di L.M."
    assert (byline.label, byline.rule) == ("meta", "byline")


def test_seed_000_bio_comment_form_and_cookie_banner_removed_with_rule_ids():
    cleaned = clean_seed(SEED_000)
    expected = {
        8: "after-byline",
        10: "comment-form",
        12: "comment-form",
        14: "cookie-banner",
        16: "cookie-banner",
        18: "cookie-banner",
        20: "cookie-banner",
        22: "cookie-banner",
    }
    for number, rule in expected.items():
        d = decision(cleaned, number)
        assert (d.label, d.rule) == ("junk", rule), number
        assert d.reason == clean.REASONS[rule]
    assert decision(cleaned, 8).text.startswith("Appassionato sin da giovanissimo")
    assert decision(cleaned, 10).text == "Lascia un commento"
    assert decision(cleaned, 14).text == "My Agile Privacy"


def test_seed_000_decisions_cover_every_non_empty_line():
    text = (SEEDS / SEED_000).read_text("utf-8")
    numbers = [n for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    assert [d.number for d in clean_seed(SEED_000).decisions] == numbers


@pytest.mark.parametrize("seed", [SEED_000, SEED_001])
def test_every_rule_has_a_reason(seed):
    for d in clean_seed(seed).decisions:
        assert d.rule in clean.REASONS
        assert d.reason


# --- inline edge cases ----------------------------------------------------------


def test_kicker_above_headline():
    cleaned = clean_text(f"ESTERI\nIl governo annuncia nuove misure\n{BODY}\n")
    assert (decision(cleaned, 1).label, decision(cleaned, 1).rule) == ("junk", "kicker")
    assert (decision(cleaned, 2).label, decision(cleaned, 2).rule) == ("title", "headline")
    assert cleaned.paragraphs == (BODY,)


def test_short_line_before_body_is_removed():
    cleaned = clean_text(f"Il governo annuncia nuove misure\nRoma\n{BODY}\n")
    assert (decision(cleaned, 2).label, decision(cleaned, 2).rule) == ("junk", "short-line")


def test_name_under_headline_is_a_byline():
    cleaned = clean_text(f"Il governo annuncia nuove misure\nMario Rossi\n{BODY}\n")
    assert (decision(cleaned, 2).label, decision(cleaned, 2).rule) == ("meta", "byline")


def test_closing_byline_then_bio_before_the_comment_form_is_removed():
    bio = "Giornalista, ha lavorato per vent'anni come corrispondente dal Medio Oriente."
    cleaned = clean_text(f"{BODY}\nDi Mario Rossi\n{bio}\nLascia un commento\n")
    assert decision(cleaned, 2).rule == "byline"
    assert (decision(cleaned, 3).label, decision(cleaned, 3).rule) == ("junk", "after-byline")
    assert cleaned.paragraphs == (BODY,)


def test_byline_inside_the_article_does_not_end_it():
    cleaned = clean_text(f"{BODY}\ndi Redazione\n{BODY_2}\n")
    assert decision(cleaned, 2).rule == "byline"
    assert cleaned.paragraphs == (BODY, BODY_2)


def test_text_after_comment_form_is_removed_as_after_end():
    cleaned = clean_text(f"{BODY}\nLascia un commento\n{BODY_2}\n")
    assert decision(cleaned, 2).rule == "comment-form"
    assert (decision(cleaned, 3).label, decision(cleaned, 3).rule) == ("junk", "after-end")
    assert cleaned.paragraphs == (BODY,)


def test_cookie_banner_before_body_does_not_end_the_article():
    cleaned = clean_text(f"Questo sito utilizza cookie tecnici.\n{BODY}\n")
    assert decision(cleaned, 1).rule == "cookie-banner"
    assert cleaned.paragraphs == (BODY,)


def test_long_paragraph_mentioning_cookies_is_body():
    long_text = (
        "Il garante ha spiegato che i cookie di profilazione " + "sono un problema serio " * 20
    ).strip() + "."
    cleaned = clean_text(f"{BODY}\n{long_text}\n")
    assert cleaned.paragraphs == (BODY, long_text)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Leggi anche: la crisi in Siria", "related"),
        ("Condividi su Facebook", "share"),
        ("Facebook | Twitter | WhatsApp", "share"),
        ("© Riproduzione riservata", "copyright"),
        ("3 min di lettura", "reading-time"),
        ("Pubblicità", "advertising"),
        ("Foto: ANSA", "photo-credit"),
        ("Iscriviti alla nostra newsletter", "newsletter"),
        ("Abbonati ora", "paywall"),
        ("Rispondi", "comment-controls"),
        ("Torna su", "navigation"),
        ("Accetta tutti", "cookie-banner"),
    ],
)
def test_boilerplate_rule_ids(line, rule):
    found = clean.boilerplate_rule(line)
    assert found is not None and found.id == rule
    cleaned = clean_text(f"{BODY}\n{line}\n")
    assert (decision(cleaned, 2).label, decision(cleaned, 2).rule) == ("junk", rule)
    assert decision(cleaned, 2).reason == found.reason


def test_boilerplate_rule_none_for_ordinary_text():
    assert clean.boilerplate_rule(BODY) is None


def test_boilerplate_rule_respects_max_words():
    copyright_rule = next(r for r in patterns.BOILERPLATE if r.id == "copyright")
    short = "© 2021 Editore " + "parola " * (copyright_rule.max_words - 4)
    long = "© 2021 Editore " + "parola " * (copyright_rule.max_words + 1)
    assert clean.boilerplate_rule(short.strip()).id == "copyright"
    assert clean.boilerplate_rule(long.strip()) is None


def test_repeated_body_line_is_removed_with_the_first_line_number():
    cleaned = clean_text(f"{BODY}\n{BODY_2}\n{BODY}\n")
    d = decision(cleaned, 3)
    assert (d.label, d.rule, d.reason) == ("junk", "repeated", "repeats line 1")
    assert cleaned.paragraphs == (BODY, BODY_2)


def test_repetition_ignores_case_and_punctuation():
    cleaned = clean_text(
        f"Il governo annuncia nuove misure\nIL GOVERNO ANNUNCIA NUOVE MISURE!\n{BODY}\n"
    )
    assert decision(cleaned, 2).rule == "repeated"


def test_line_text_is_normalised_and_numbers_are_raw_line_numbers():
    cleaned = clean_text(f"\n\n{BODY.replace(' ', chr(0xA0), 1)}\u200b\n\n  \n{BODY_2}\n")
    assert [d.number for d in cleaned.decisions] == [3, 6]
    assert cleaned.paragraphs == (BODY, BODY_2)


def test_crlf_file_cleans_like_lf_file():
    lf = clean_text(f"Il governo annuncia nuove misure\n{BODY}\n{BODY_2}\n")
    crlf = clean.clean(
        ingest.parse_raw(
            "x.txt", f"Il governo annuncia nuove misure\r\n{BODY}\r\n{BODY_2}\r\n".encode()
        )
    )
    assert lf == crlf


def test_update_timestamp_is_meta():
    cleaned = clean_text(f"{BODY}\nAggiornato: 24 ottobre 2021\n")
    assert (decision(cleaned, 2).label, decision(cleaned, 2).rule) == ("meta", "timestamp")


def test_different_second_timestamp_is_repeated_timestamp():
    cleaned = clean_text(f"24 ottobre 2021\n{BODY}\n25 ottobre 2021\n")
    assert decision(cleaned, 1).rule == "timestamp"
    assert (decision(cleaned, 3).label, decision(cleaned, 3).rule) == ("junk", "repeated-timestamp")


def test_file_with_only_boilerplate_has_no_paragraphs():
    cleaned = clean_text("Lascia un commento\nAccetta tutti\n")
    assert cleaned.paragraphs == ()
    assert all(d.label == "junk" for d in cleaned.decisions)


# --- predicates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-24T22:48+0200", True),
        ("2021-10-24 22:48", True),
        ("2021-10-24T22:48:15.123Z", True),
        ("24 ottobre 2021", True),
        ("Domenica, 24 ottobre 2021 alle 22:48", True),
        ("Pubblicato: 3 nov. 2022", True),
        ("24.10.2021", True),
        ("24/10/2021 - 22:48", True),
        ("Published: 24 October 2021 at 10:30", True),
        ("2021-10-24", True),  # a date alone on its line is a stamp
        ("Questo contenuto è stato pubblicato il 3 marzo 2018 - 09:15", True),
        ("Pubblicato il 2 Dicembre 2017 - 16:40 OLTRE 6 MESI FA", True),
        ("7 giugno 2022 • 18:30", True),
        ("Edizione del 9 gennaio 2020", True),
        ("Aggiornato il 4 marzo 2018 alle 10:00", True),  # a stamp (never the publication)
        ("24 ottobre", False),
        ("Il 24 ottobre 2021 è successo qualcosa", False),
        ("Roma, 24 ottobre 2021 - Il governo ha deciso di rinviare il voto", False),
    ],
)
def test_is_timestamp(text, expected):
    assert clean.is_timestamp(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WP: Pakistan aiuta i talebani nella lotta contro l'ISIS", True),
        ("Due parole", True),
        ("Uno", False),
        ("Una frase che finisce con un punto.", False),
        ("Una riga che finisce con i due punti:", False),
        ("Domanda finale?", True),
        (" ".join(["parola"] * 31), False),
    ],
)
def test_looks_like_headline(text, expected):
    assert clean.looks_like_headline(text) is expected


@pytest.mark.parametrize(
    ("text", "following", "expected"),
    [
        ("ESTERI", [], True),
        ("L'ANALISI", [], True),
        ("Estero", ["Il governo annuncia nuove misure"], True),
        ("Estero", [BODY], False),
        ("Estero", [], False),
        ("ATTENZIONE!", [], False),
        ("Quattro parole in fila", ["Il governo annuncia nuove misure"], False),
    ],
)
def test_is_kicker(text, following, expected):
    assert clean.is_kicker(text, following) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il Pakistan fornisce assistenza al movimento radicale, riporta il... 24.10.2021", True),
        ("Il Pakistan fornisce assistenza al movimento radicale talebano…", True),
        ("Troppo corto...", False),
        ("Il Pakistan fornisce assistenza al movimento radicale talebano.", False),
    ],
)
def test_is_teaser(text, expected):
    assert clean.is_teaser(text) is expected


# --- split_glued_sentences ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "nella lotta ai terroristi.A quanto si apprende",
            ["nella lotta ai terroristi.", "A quanto si apprende"],
        ),
        ("lungo il confine.L'azione contro", ["lungo il confine.", "L'azione contro"]),
        ("i centri operativi.Tuttavia, secondo", ["i centri operativi.", "Tuttavia, secondo"]),
        ("come utilizzarle.*Organizzazioni", ["come utilizzarle.", "*Organizzazioni"]),
        ("davvero?Nessuno lo sa", ["davvero?", "Nessuno lo sa"]),
        ("basta!Ora tutti", ["basta!", "Ora tutti"]),
        ("e poi...Niente da fare", ["e poi...", "Niente da fare"]),
        ("uno.Due.Tre volte", ["uno.", "Due.", "Tre volte"]),
    ],
)
def test_split_glued_sentences_splits(text, parts):
    assert clean.split_glued_sentences(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "Di L.M.",
        "Di L.M. per il blog",
        "nella C.M. Alta Valmarecchia",
        "la C.M.Alta Valmarecchia",
        "conti 10.000 combattenti",
        "visita www.sito.It per sapere",
        "scrivi a info@sito.It oggi",
        "vedi https://sito.It/pagina",
        "armi, munizioni ecc.Il governo",
        "il sig.Rossi",
        "il dott.Bianchi",
        "la versione 2.5 del programma",
        "ISIS.Il gruppo",
        "fine del testo.",
        "Sì. Poi andò via.",
        "finale.A",
    ],
)
def test_split_glued_sentences_does_not_split(text):
    assert clean.split_glued_sentences(text) == [text]


def test_repair_body_keeps_inner_footnote_like_paragraphs():
    paragraphs, footnotes, repairs = clean.repair_body(
        ["* non una nota", BODY, "(*) Nota dell'editore"]
    )
    assert paragraphs == ("* non una nota", BODY)
    assert footnotes == ("(*) Nota dell'editore",)
    assert repairs == []


def test_repair_body_collects_several_trailing_footnotes_in_order():
    paragraphs, footnotes, _ = clean.repair_body([BODY, "*Prima nota", "**Seconda nota"])
    assert paragraphs == (BODY,)
    assert footnotes == ("*Prima nota", "**Seconda nota")


def test_repair_body_reports_each_split():
    _, _, repairs = clean.repair_body(["fine del primo.Inizio del secondo.Terzo"])
    assert repairs == [
        "split glued sentences: …fine del primo.|Inizio del secondo.…",
        "split glued sentences: …Inizio del secondo.|Terzo…",
    ]
