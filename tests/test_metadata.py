"""Metadata: each value only as precise as the evidence in the raw file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import clean, ingest, metadata
from generator.markdown_text import normalise_text
from generator.model import CleanedText, Metadata

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_000 = "000_dc37bb17c7ea2900.txt"
SEED_001 = "001_17cb9ab2f47cb014.txt"

BODY = (
    "Secondo quanto riferito dal giornale, il governo ha annunciato nuove misure"
    " per la sicurezza della regione."
)


def extract_seed(name: str) -> Metadata:
    raw = ingest.parse_raw(name, (SEEDS / name).read_bytes())
    return metadata.extract(raw, clean.clean(raw))


def extract_text(text: str, url: str | None = None) -> Metadata:
    raw = ingest.parse_raw("inline.txt", text.encode("utf-8"))
    return metadata.extract(raw, clean.clean(raw), url=url)


def cleaned_of(text: str) -> CleanedText:
    return clean.clean(ingest.parse_raw("inline.txt", text.encode("utf-8")))


# --- seed 001 -------------------------------------------------------------------


def test_seed_001_date_and_published_from_timestamp():
    meta = extract_seed(SEED_001)
    assert meta.date == "2021-10-24"
    assert meta.date_source == "timestamp"
    assert meta.published == "2021-10-24T22:48:00+02:00"


def test_seed_001_title_is_the_headline():
    meta = extract_seed(SEED_001)
    assert meta.title == "WP: Pakistan aiuta i talebani nella lotta contro l'ISIS"
    assert meta.title_source == "headline"


def test_seed_001_description_is_the_teaser_without_its_date():
    meta = extract_seed(SEED_001)
    assert meta.description is not None
    assert "24.10.2021" not in meta.description
    assert meta.description.startswith("Il Pakistan fornisce assistenza al movimento radicale")
    assert meta.description.endswith("riporta il...")


def test_seed_001_language_url_and_source():
    meta = extract_seed(SEED_001)
    assert meta.language == "it"
    assert meta.url == (
        "https://it.sputniknews.com/20211024/"
        "wp-pakistan-aiuta-i-talebani-nella-lotta-contro-lisis-13446269.html"
    )
    assert meta.source == "it.sputniknews.com"
    assert meta.author is None


# --- seed 000 -------------------------------------------------------------------


def test_seed_000_author_from_byline():
    assert extract_seed(SEED_000).author == "L.M."


def test_seed_000_title_is_derived_and_short():
    meta = extract_seed(SEED_000)
    assert meta.title_source == "derived"
    assert len(meta.title) <= metadata.DERIVED_TITLE_MAX + 1
    assert meta.title.startswith("ISIS ha iniziato il trasferimento")
    assert meta.title.endswith("…")


def test_seed_000_has_no_date_url_or_description():
    meta = extract_seed(SEED_000)
    assert (meta.date, meta.date_source, meta.published) == (None, None, None)
    assert (meta.url, meta.source, meta.description) == (None, None, None)
    assert meta.language == "it"


# --- dates ----------------------------------------------------------------------


def test_header_date_alone():
    meta = extract_text(f" date 2021-10 https://x.it/a\n{BODY}\n")
    assert (meta.date, meta.date_source, meta.published) == ("2021-10", "header", None)


def test_timestamp_refines_header_month():
    meta = extract_text(f" date 2021-10\n24 ottobre 2021\n{BODY}\n")
    assert (meta.date, meta.date_source, meta.published) == ("2021-10-24", "timestamp", None)


def test_timestamp_disagreeing_with_header_is_ignored():
    meta = extract_text(f" date 2021-11\n24 ottobre 2021\n{BODY}\n")
    assert (meta.date, meta.date_source) == ("2021-11", "header")


def test_update_timestamp_is_not_a_publication_date():
    meta = extract_text(f"Aggiornato: 24 ottobre 2021\n{BODY}\n")
    assert meta.date is None


def test_dateline_with_header_month_gives_a_day():
    meta = extract_text(f" date 2022-11\nISTANBUL, 29 NOV - {BODY}\n")
    assert (meta.date, meta.date_source) == ("2022-11-29", "dateline")


def test_dateline_without_header_gives_no_date():
    meta = extract_text(f"ISTANBUL, 29 NOV - {BODY}\n")
    assert meta.date is None


def test_no_date_evidence_gives_none():
    meta = extract_text(f"{BODY}\n")
    assert (meta.date, meta.date_source, meta.published) == (None, None, None)


# --- url, author, description, language -----------------------------------------


def test_url_argument_used_when_header_has_none():
    meta = extract_text(f"{BODY}\n", url="https://www.example.com/a")
    assert meta.url == "https://www.example.com/a"
    assert meta.source == "example.com"


def test_header_url_wins_over_url_argument():
    meta = extract_text(f" date 2021 https://www.a.it/x\n{BODY}\n", url="https://b.it/y")
    assert (meta.url, meta.source) == ("https://www.a.it/x", "a.it")


def test_author_from_byline_without_prefix():
    meta = extract_text(f"Il governo annuncia misure\nDi Mario Rossi\n{BODY}\n")
    assert meta.author == "Mario Rossi"


def test_author_from_name_line_under_headline():
    meta = extract_text(f"Il governo annuncia misure\nMario Rossi\n{BODY}\n")
    assert meta.author == "Mario Rossi"


def test_teaser_without_date_is_the_description():
    teaser = "Il governo fornisce assistenza al movimento radicale salito al potere in città…"
    meta = extract_text(f"Il governo annuncia misure\n{teaser}\n{BODY}\n")
    assert meta.description == teaser


def test_language_english():
    text = (
        "The government announced new security measures for the region on Monday, officials said."
    )
    assert extract_text(text).language == "en"


def test_language_unknown_for_too_short_body():
    assert metadata.detect_language(("Due parole",)) is None
    assert metadata.detect_language(()) is None


# --- parse_timestamp ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-24T22:48+0200", ("2021-10-24", "2021-10-24T22:48:00+02:00")),
        ("2021-10-24T22:48+02:00", ("2021-10-24", "2021-10-24T22:48:00+02:00")),
        ("2021-10-24T22:48Z", ("2021-10-24", "2021-10-24T22:48:00+00:00")),
        ("2021-10-24T07:05-0530", ("2021-10-24", "2021-10-24T07:05:00-05:30")),
        ("2021-10-24 22:48", ("2021-10-24", None)),
        ("24 ottobre 2021", ("2021-10-24", None)),
        ("24 ottobre 2021 alle 22:48", ("2021-10-24", None)),
        ("Domenica, 24 ottobre 2021", ("2021-10-24", None)),
        ("Pubblicato: 3 nov. 2022", ("2022-11-03", None)),
        ("Published: 24 October 2021", ("2021-10-24", None)),
        ("24.10.2021", ("2021-10-24", None)),
        ("5/3/2021", ("2021-03-05", None)),
        ("Aggiornato: 24 ottobre 2021", None),
        ("Updated: 2021-10-24T22:48Z", None),
        ("31 febbraio 2021", None),
        ("2021-13-01T10:00Z", None),
        ("24.13.2021", None),
        ("Il 24 ottobre 2021 la polizia ha arrestato un uomo", None),  # a sentence, not a stamp
        ("testo qualsiasi", None),
    ],
)
def test_parse_timestamp(text, expected):
    assert metadata.parse_timestamp(text) == expected


def test_published_is_valid_iso_datetime():
    from datetime import datetime

    _, published = metadata.parse_timestamp("2021-10-24T22:48+0200")
    parsed = datetime.fromisoformat(published)
    assert parsed.utcoffset().total_seconds() == 2 * 3600


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("2021-10-24T22:48:15+02:00", "2021-10-24T22:48:15+02:00"),
        ("2021-10-24T22:48:15+0200", "2021-10-24T22:48:15+02:00"),
        ("2021-10-24T22:48:05Z", "2021-10-24T22:48:05+00:00"),
        ("2021-10-24T07:05:59-0530", "2021-10-24T07:05:59-05:30"),
        ("2021-10-24T22:48:15.123+02:00", "2021-10-24T22:48:15+02:00"),
    ],
)
def test_parse_timestamp_keeps_seconds(text, published):
    assert metadata.parse_timestamp(text) == ("2021-10-24", published)


def test_parse_timestamp_with_seconds_but_no_offset_has_no_published():
    assert metadata.parse_timestamp("2021-10-24 22:48:15") == ("2021-10-24", None)


# --- parse_dateline -------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "header", "expected"),
    [
        ("ISTANBUL, 29 NOV - Testo", "2022-11", "2022-11-29"),
        ("ISTANBUL, 29 NOV - Testo", "2022-11-15", "2022-11-29"),
        ("ISTANBUL, 29 NOV - Testo", None, None),
        ("ISTANBUL, 29 NOV - Testo", "2022", None),
        ("ISTANBUL, 29 NOV - Testo", "2022-10", None),
        ("ISTANBUL, 31 NOV - Testo", "2022-11", None),
        ("Roma, 9 ott. (askanews) - Testo", "2021-10", "2021-10-09"),
        ("Roma, 9 ottobre 2021 (askanews) – Testo", None, "2021-10-09"),
        ("New York, 3 March 2020 — Text", None, "2020-03-03"),
        ("ISTANBUL, 29 XYZ - Testo", "2022-11", None),
        ("Testo normale senza dateline, 29 novembre.", "2022-11", None),
        ("BEIRUT - Dopo giorni di tensione", "2019-09", None),
    ],
)
def test_parse_dateline(paragraph, header, expected):
    assert metadata.parse_dateline(paragraph, header) == expected


# --- derive_title -----------------------------------------------------------------


def test_derive_title_of_nothing_is_untitled():
    assert metadata.derive_title(()) == "Untitled"


def test_derive_title_takes_the_first_sentence_without_its_full_stop():
    assert metadata.derive_title(("Breve frase. Altra frase.", "Altro paragrafo.")) == "Breve frase"


def test_derive_title_keeps_question_mark():
    assert metadata.derive_title(("Chi ha vinto? Nessuno.",)) == "Chi ha vinto?"


def test_derive_title_does_not_split_at_lowercase_after_stop():
    assert metadata.derive_title(("Il sig. rossi parte. Poi torna.",)) == "Il sig. rossi parte"


def test_derive_title_of_exactly_80_characters_is_kept_whole():
    sentence = ("parola " * 12 + "finee")[:80]
    assert len(sentence) == 80
    assert metadata.derive_title((sentence,)) == sentence


def test_derive_title_cuts_long_sentence_at_word_boundary():
    sentence = "Il governo ha annunciato, nel corso di una lunga conferenza stampa, nuove misure per la sicurezza"
    title = metadata.derive_title((sentence,))
    assert title.endswith("…")
    assert len(title) <= metadata.DERIVED_TITLE_MAX + 1
    stem = title[:-1]
    assert sentence.startswith(stem)
    assert sentence[len(stem)] in " ,"
    assert not stem.endswith((" ", ","))


WORD = st.text(alphabet="abcdefghilmnoprstuvzàèéìòùABCDEFGILMNOPRSTUVZ'", min_size=1, max_size=15)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=40), st.sampled_from(["", ".", "!", "?"]))
def test_derive_title_property_for_ordinary_text(words, end):
    paragraph = " ".join(words) + end
    title = metadata.derive_title((paragraph,))
    assert title
    assert len(title) <= metadata.DERIVED_TITLE_MAX + 1
    stem = title.removesuffix("…")
    assert paragraph.startswith(stem)
    if title.endswith("…"):
        assert paragraph[len(stem)] == " "


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            ("... Il giorno dopo la polizia ha arrestato tre persone.",),
            "Il giorno dopo la polizia ha arrestato tre persone",
        ),
        ((". Frase.",), "Frase"),
        (("…Il giorno dopo.",), "Il giorno dopo"),
        (("— Frase detta.",), "Frase detta"),
        (("• punto elenco. Poi.",), "punto elenco"),
        (("...",), "Untitled"),
        (("…", " - ", "*"), "Untitled"),
        (("...", "Secondo paragrafo. Altro."), "Secondo paragrafo"),
    ],
)
def test_derive_title_skips_leading_ellipses_and_dashes(paragraphs, expected):
    assert metadata.derive_title(paragraphs) == expected


@pytest.mark.parametrize(
    "paragraph",
    ["... Il giorno dopo la polizia ha arrestato tre persone.", ". Frase.", "...", "—", "•"],
)
def test_derive_title_is_never_empty(paragraph):
    assert metadata.derive_title((paragraph,)) != ""


def test_derive_title_of_long_unbroken_text_is_at_most_81_characters():
    title = metadata.derive_title(("a" * 100,))
    assert len(title) <= metadata.DERIVED_TITLE_MAX + 1
    assert title == "a" * metadata.DERIVED_TITLE_MAX + "…"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text().map(normalise_text), max_size=3).map(tuple))
def test_derive_title_is_never_empty_nor_too_long(paragraphs):
    title = metadata.derive_title(paragraphs)
    assert title.strip()
    assert len(title) <= metadata.DERIVED_TITLE_MAX + 1


# --- find_* helpers ---------------------------------------------------------------


def test_find_author_none_without_byline():
    assert metadata.find_author(cleaned_of(f"{BODY}\n")) is None


def test_find_description_none_without_teaser():
    assert metadata.find_description(cleaned_of(f"{BODY}\n")) is None


def test_find_date_returns_the_three_values():
    raw = ingest.parse_raw("x.txt", f"2021-10-24T22:48Z\n{BODY}\n".encode())
    assert metadata.find_date(raw, clean.clean(raw)) == (
        "2021-10-24",
        "timestamp",
        "2021-10-24T22:48:00+00:00",
    )


@pytest.mark.parametrize(
    ("text", "obvious", "detected"),
    [
        (
            "Il governo ha detto che la situazione della città è grave, secondo le fonti locali che"
            " sono state sentite dai giornalisti della stampa estera nel corso della giornata.",
            "it",
            "it",
        ),
        (
            "The army said that the situation in the city was serious, according to local sources who"
            " have been heard by the journalists of the foreign press during the day.",
            "en",
            "en",
        ),
        (
            "El ejército sirio dijo el lunes que había tomado el control de la ciudad después de"
            " varias semanas de combates con los militantes que la tenían desde el año pasado.",
            None,
            "es",
        ),
        (
            "L'armée syrienne a déclaré lundi qu'elle avait pris le contrôle de la ville après"
            " plusieurs semaines de combats avec les militants qui la tenaient depuis l'an dernier.",
            None,
            "fr",
        ),
        (
            "O exército sírio disse na segunda-feira que tinha assumido o controle da cidade depois"
            " de várias semanas de combates com os militantes que a mantinham desde o ano passado.",
            None,
            "pt",
        ),
    ],
)
def test_language_cascade(text: str, obvious: str | None, detected: str) -> None:
    """Distinctive function words settle Italian and English; anything else goes to py3langid."""
    words = re.findall(r"\w+", text.casefold())
    assert metadata.obvious_language(words) == obvious
    assert metadata.detect_language((text,)) == detected
