"""Dates as evidence: the expressions a page writes, the role of their lines, the address."""

from __future__ import annotations

import pytest

from generator import dates
from generator.clean import clean
from generator.ingest import parse_raw
from generator.metadata import extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-24T22:48:00+02:00", ["2021-10-24"]),
        ("Questo contenuto è stato pubblicato il 3 marzo 2018 - 09:15", ["2018-03-03"]),
        ("Pubblicato il 2 Dicembre 2017 - 16:40 OLTRE 6 MESI FA", ["2017-12-02"]),
        ("7 giugno 2022 • 18:30", ["2022-06-07"]),
        ("Edizione del 9 gennaio 2020", ["2020-01-09"]),
        ("Mario Rossi, La Stampa, 4 settembre 2020", ["2020-09-04"]),
        ("lunedì 27 gennaio 2020", ["2020-01-27"]),
        ("1° giugno 2020", ["2020-06-01"]),
        ("October 24, 2021 at 9:15 AM", ["2021-10-24"]),
        ("Published: Nov. 10, 2020 at 2:21 PM CST", ["2020-11-10"]),
        ("24/10/2021 alle 10:30", ["2021-10-24"]),
        ("24.10.2021", ["2021-10-24"]),
        ("2018/03/03", ["2018-03-03"]),
        ("Edizione di marzo 2020", ["2020-03"]),
        ("31 febbraio 2020", []),  # not a real day
        ("martedì 3 alle 10", []),
        ("3 ore fa", []),
        ("Lug 1, 2025", ["2025-07-01"]),
    ],
)
def test_date_expressions(text: str, expected: list[str]) -> None:
    assert [e.value for e in dates.find_expressions(text)] == expected


def test_a_time_and_zone_give_the_full_timestamp() -> None:
    [expression] = dates.find_expressions("2021-10-24T22:48:00+0200")
    assert expression.published == "2021-10-24T22:48:00+02:00"


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("Aggiornato il 4 marzo 2018 alle 10:00", True),
        ("Last updated: March 4, 2018", True),
        ("Pubblicato il 3 marzo 2018 | Aggiornato il 4 marzo 2018", False),
        ("24 dicembre 2021 • 07:00Aggiornato, 24 dicembre 2021 • 14:46", False),
        ("3 marzo 2018", False),
    ],
)
def test_an_update_stamp_is_told_from_a_publication(text: str, update: bool) -> None:
    assert dates.is_update(text) is update
    if update:
        assert dates.candidates_in_line(1, text, "timestamp") == []


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Torino, 2 maggio 2018 – La polizia ha arrestato", "2018-05-02"),
        ("Kabul, 12 maggio 2021 - Un attentato ha colpito", "2021-05-12"),
        ("(ANSA) - ROMA, 9 ottobre 2019 - La Turchia ha avviato", "2019-10-09"),
        ("Il 2 maggio 2018 la polizia ha arrestato un uomo", None),  # an event in the story
        ("Secondo il rapporto del 3 marzo 2020, i casi sono saliti", None),
    ],
)
def test_a_dateline_opens_the_body(paragraph: str, expected: str | None) -> None:
    found = dates.dateline_candidate(1, paragraph)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.it/2019/04/27/un-titolo/", "2019-04-27"),
        ("https://it.sputniknews.com/20211024/wp-13446269.html", "2021-10-24"),
        ("https://x.it/news/2019-04-27-un-titolo", "2019-04-27"),
        ("https://x.it/2019/04/un-titolo", "2019-04"),
        ("https://x.it/archivio/2019/un-titolo", None),  # a year alone says too little
        ("https://x.it/notizia/12345678", None),
        ("https://x.it/2019/13/40/x", None),
        (None, None),
    ],
)
def test_the_date_in_an_address(url: str | None, expected: str | None) -> None:
    assert dates.url_date(url) == expected


def test_the_most_trusted_role_wins_and_the_header_must_agree() -> None:
    stamp = dates.Candidate("2020-01-09", None, "timestamp", 5, "9 gennaio 2020")
    byline = dates.Candidate("2020-01-08", None, "byline", 3, "Mario Rossi 8 gennaio 2020")
    assert dates.best([byline, stamp], None) is stamp
    assert dates.best([byline, stamp], "2020-01") is stamp
    assert dates.best([byline, stamp], "2019") is None


def describe(text: str, url: str | None = None):
    raw = parse_raw("a.txt", text.encode("utf-8"))
    cleaned = clean(raw, url=url)
    return extract(raw, cleaned, url=url)


BODY = (
    "Il consiglio comunale ha approvato ieri sera il bilancio con i voti della maggioranza, "
    "mentre l'opposizione ha lasciato l'aula per protesta contro i tagli ai servizi sociali."
)


def test_a_date_in_words_inside_a_stamp_line_is_the_publication() -> None:
    meta = describe(
        f"Il bilancio approvato in consiglio\n\n"
        f"Questo contenuto è stato pubblicato il 3 marzo 2018 - 09:15\n\n{BODY}\n"
    )
    assert (meta.date, meta.date_source) == ("2018-03-03", "published")


def test_an_update_is_never_the_publication_date() -> None:
    meta = describe(
        f"Il bilancio approvato in consiglio\n\nAggiornato il 4 marzo 2018 alle 10:00\n\n{BODY}\n"
    )
    assert meta.date is None


def test_a_date_in_the_story_is_never_the_publication_date() -> None:
    meta = describe(f"Il bilancio approvato\n\n{BODY} Il 3 marzo 2018 si voterà di nuovo.\n")
    assert meta.date is None


def test_the_header_month_and_a_stamp_in_words_give_the_day() -> None:
    meta = describe(
        f" date 2018-03 https://x.it/a\n\nIl bilancio approvato\n\n"
        f"Pubblicato il 2 marzo 2018 alle 16:40\n\n{BODY}\n"
    )
    assert meta.date == "2018-03-02"


def test_the_address_gives_the_date_only_when_the_text_states_none() -> None:
    url = "https://www.example.it/2019/04/27/bilancio-approvato-in-consiglio/"
    meta = describe(f"Il bilancio approvato in consiglio\n\n{BODY}\n", url)
    assert (meta.date, meta.date_source) == ("2019-04-27", "url")
    stated = describe(f"Il bilancio approvato in consiglio\n\n3 marzo 2018\n\n{BODY}\n", url)
    assert (stated.date, stated.date_source) == ("2018-03-03", "timestamp")


# A date in the headline is the story's subject as often as its day (the anniversary pages
# of tests/fixtures/outlets o242, o247, o250, o251): it dates the page only when the
# scraper's header confirms its year and month.


def test_a_date_in_the_headline_alone_dates_nothing() -> None:
    meta = describe(f"2 agosto 1980: la strage di Bologna\n\n{BODY}\n")
    assert meta.title == "2 agosto 1980: la strage di Bologna"
    assert meta.date is None


def test_a_date_in_the_headline_refines_a_header_that_agrees() -> None:
    agreeing = describe(
        f" date 2022-06 https://x.it/a\n\nLotto, oggi 2 giugno 2022 niente estrazione\n\n{BODY}\n"
    )
    assert (agreeing.date, agreeing.date_source) == ("2022-06-02", "headline")
    other = describe(
        f" date 2021-09 https://x.it/a\n\n11 settembre 2001: vent'anni dopo\n\n{BODY}\n"
    )
    assert (other.date, other.date_source) == ("2021-09", "header")


def test_a_stamp_below_a_dated_headline_is_the_publication() -> None:
    url = "https://x.it/a"
    meta = describe(f"23/5/1992: la strage di Capaci\n\n{BODY}\n\n", url)
    assert meta.date is None
    # The stamp starts in lowercase, as a wrapped line would: it stays a line of its own.
    stamped = describe(
        f"23 maggio 1992, 30 anni fa la strage di Capaci – ViDEO\nlunedì 23 Maggio 2022 - 11:45\n\n{BODY}\n"
    )
    assert (stamped.date, stamped.date_source) == ("2022-05-23", "timestamp")
    assert stamped.title == "23 maggio 1992, 30 anni fa la strage di Capaci – ViDEO"


def test_a_dateline_outranks_a_date_in_the_headline() -> None:
    meta = describe(
        f" date 2021-09 https://x.it/a\n\n11 settembre 2021, vent'anni dopo\n\n"
        f"NEW YORK, 12 settembre 2021 – {BODY}\n"
    )
    assert (meta.date, meta.date_source) == ("2021-09-12", "dateline")
