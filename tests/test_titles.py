"""Headlines, authors and short articles as evidence says: the page's address, site phrases,
bylines, and nothing lost."""

from __future__ import annotations

import pytest

from generator import titles
from generator.clean import clean
from generator.ingest import parse_raw
from generator.metadata import author_of, extract

BODY = (
    "Il consiglio comunale ha approvato ieri sera il bilancio con i voti della maggioranza, "
    "mentre l'opposizione ha lasciato l'aula per protesta contro i tagli ai servizi sociali."
)
MORE = (
    "Il sindaco ha spiegato che le risorse saranno destinate alle scuole e ai trasporti, "
    "e che il piano sarà presentato ai cittadini nelle prossime settimane."
)


def describe(text: str, url: str | None = None):
    raw = parse_raw("a.txt", text.encode("utf-8"))
    cleaned = clean(raw, url=url)
    return cleaned, extract(raw, cleaned, url=url)


def test_slug_words_leave_out_ids_numbers_and_formats() -> None:
    url = "https://www.x.it/cronaca/omicidio-a-reggio-ucciso-un-uomo-ooztrte4.shtml"
    assert titles.slug_words(url) == {"omicidio", "a", "reggio", "ucciso", "un", "uomo"}
    assert titles.slug_words("https://www.x.it/notizia/12345") == frozenset()


def test_a_site_phrase_above_the_headline_is_never_the_headline() -> None:
    cleaned, meta = describe(f"Esclusive per gli abbonati\n\nIl bilancio del Comune\n\n{BODY}\n")
    assert (meta.title, meta.title_source) == ("Il bilancio del Comune", "headline")
    rules = {d.text: d.rule for d in cleaned.decisions}
    assert rules["Esclusive per gli abbonati"] in ("not-headline", "paywall")


def test_the_address_finds_the_headline_below_a_widget() -> None:
    url = "https://www.x.it/politica/approvato-il-bilancio-del-comune-di-latina/"
    text = (
        f"Le ultime dal territorio\n\nFesta della castagna a Sezze\n\n{MORE}\n\n"
        f"Approvato il bilancio del Comune di Latina\n\n{BODY}\n"
    )
    cleaned, meta = describe(text, url)
    assert meta.title == "Approvato il bilancio del Comune di Latina"
    assert any(score > 3 for _, _, score, _ in cleaned.headline_candidates)


def test_without_an_address_the_first_headline_line_stays() -> None:
    _, meta = describe(f"Il bilancio del Comune\n\n{BODY}\n\n{MORE}\n")
    assert meta.title == "Il bilancio del Comune"


def test_a_two_sentence_headline_is_kept_whole() -> None:
    _, meta = describe(f"Il carcere è un luogo di morte. Ma nessuno vuole riformarlo\n\n{BODY}\n")
    assert meta.title == "Il carcere è un luogo di morte. Ma nessuno vuole riformarlo"


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("di Mario Rossi", "Mario Rossi"),
        ("- di Costanza Ruggeri", "Costanza Ruggeri"),
        ("da Mario Rossi", "Mario Rossi"),
        ("da Milano", None),  # a place, not a byline
        ("Scritto da Elena Pasquini in data Febbraio 16, 2024", "Elena Pasquini"),
        ("Estratto dell’articolo di Niccolò Zancan per “la Stampa”", "Niccolò Zancan"),
        ("By Jane Doe and John Smith", "Jane Doe and John Smith"),
        ("Autore: Fiamma Nirenstein", "Fiamma Nirenstein"),
        ("Redazione Esteri", "Redazione Esteri"),
        ("Al.Za.", "Al.Za."),
        ("Antonio Rapisarda 06 giugno 2022", "Antonio Rapisarda"),
        ("Mario Rossi, La Stampa, 4 settembre 2020", "Mario Rossi"),
        ("di cui parleremo domani", None),
        ("Tags: Politica, Comune, Bilancio", None),
    ],
)
def test_authors_come_from_byline_evidence(byline: str, author: str | None) -> None:
    assert author_of(byline) == author


def test_a_signature_under_the_text_is_the_author() -> None:
    _, meta = describe(f"Il bilancio del Comune\n\n{BODY}\n\n{MORE}\n\nOmar Costantini\n")
    assert (meta.author, meta.author_source) == ("Omar Costantini", "byline")


def test_a_page_that_is_only_a_teaser_is_kept_not_lost() -> None:
    teaser = (
        "Non si alleggerisce la zavorra del cuneo fiscale, anzi cresce: nel 2024, secondo il "
        "rapporto dell'Ocse pubblicato ieri, il peso delle tasse sul lavoro è salito..."
    )
    cleaned, _ = describe(f"{teaser}\n")
    assert cleaned.paragraphs == (teaser,)
    assert [d.rule for d in cleaned.decisions] == ["kept-prose"]


def test_a_page_of_boilerplate_only_is_still_refused() -> None:
    cleaned, _ = describe("Accetta i cookie\n\nCondividi su Facebook\n\nLeggi anche: altro\n")
    assert cleaned.paragraphs == ()


@pytest.mark.parametrize(
    ("headline", "url", "tidied"),
    [
        (
            "CronacaOttobre: caso Bergamini e decessi sospetti",
            None,
            "Ottobre: caso Bergamini e decessi sospetti",
        ),
        ("Esteri | Guerra in Ucraina, le ultime", None, "Guerra in Ucraina, le ultime"),
        (
            "Il bilancio del Comune | Il Giornale",
            "https://www.ilgiornale.it/a/b",
            "Il bilancio del Comune",
        ),
        ("Sport e politica: un binomio", None, "Sport e politica: un binomio"),
        ("Roma - Lazio, il derby", "https://www.ilgiornale.it/a/b", "Roma - Lazio, il derby"),
    ],
)
def test_a_headline_loses_what_pages_glue_to_it(
    headline: str, url: str | None, tidied: str
) -> None:
    assert titles.tidy(headline, url) == tidied


def test_explain_shows_the_candidates_and_why_one_won(tmp_path, capsys) -> None:
    from generator.cli import main

    raw = tmp_path / "a.txt"
    raw.write_text(
        f"Esclusive per gli abbonati\n\nIl bilancio del Comune\n\n3 marzo 2018\n\n{BODY}\n"
    )
    assert main(["import", "--explain", str(raw)]) == 0
    out = capsys.readouterr().out
    assert "headline candidates" in out and "a site or navigation phrase (-4)" in out
    assert "timestamp  line 5: 2018-03-03" in out
    assert "title: Il bilancio del Comune" in out


@pytest.mark.parametrize(
    "line",
    [
        "© Il Giornale – Approvato il bilancio del Comune di Latina | Cronaca",
        "Approvato il bilancio del Comune di Latina | Il Giornale",
    ],
)
def test_a_headline_found_only_in_a_line_naming_the_outlet(line: str) -> None:
    url = "https://www.ilgiornale.it/cronaca/approvato-il-bilancio-del-comune-di-latina.html"
    _, meta = describe(f"{BODY}\n\n{MORE}\n\n{line}\n", url)
    assert (meta.title, meta.title_source) == (
        "Approvato il bilancio del Comune di Latina",
        "headline",
    )


def test_a_line_naming_another_page_of_the_outlet_is_not_the_headline() -> None:
    url = "https://www.ilgiornale.it/cronaca/approvato-il-bilancio-del-comune-di-latina.html"
    _, meta = describe(f"{BODY}\n\n{MORE}\n\nFesta della castagna a Sezze | Il Giornale\n", url)
    assert meta.title_source == "derived"
