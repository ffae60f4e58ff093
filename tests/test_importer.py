"""Importing what scrapers really produce: saved web pages, sites that repeat their own
furniture in every article, huge files, other scripts, partial headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASES, ROOT, empty_content, snapshot
from generator import archive, importer
from generator.build import build_site
from generator.cli import main

BODY = (
    "Il parlamento ha approvato ieri sera la nuova legge sul bilancio dello Stato, dopo una"
    " lunga discussione che ha diviso la maggioranza e l'opposizione per settimane."
)


def only_article(content: Path) -> archive.Article:
    [path] = (content / "articles").glob("*.md")
    return archive.read_article(path)


def test_saved_web_page_is_extracted_then_cleaned(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    assert main(["import", str(CASES / "saved_web_page.html"), "--content", str(content)]) == 0
    article = only_article(content)
    assert article.title == "Iraq, il parlamento approva il nuovo governo"
    assert article.author == "Giulia Bianchi"
    assert article.date == "2022-10-27"
    assert article.url == "https://www.notiziedalmondo.example/esteri/iraq-governo"
    assert article.paragraphs[0].startswith("Il parlamento iracheno ha approvato")
    assert len(article.paragraphs) == 3
    assert not any("cookie" in p or "diritti riservati" in p for p in article.paragraphs)
    assert article.raw.endswith(".html")
    assert (content / article.raw).read_bytes() == (CASES / "saved_web_page.html").read_bytes()
    # the site offers the saved page as text, never as an HTML page of the archive
    site = tmp_path / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    assert (site / f"{article.raw}.txt").exists()
    assert not (site / article.raw).exists()
    page = (site / "articles" / article.id / "index.html").read_text("utf-8")
    assert f'href="../../{article.raw}.txt"' in page and "window.tracker" not in page


def test_lines_repeated_across_a_source_are_boilerplate(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    footer = "Seguici anche sul canale del Giornale del Mattino per restare sempre aggiornato"
    raws = []
    for n, topic in enumerate(["bilancio", "scuola", "sanità", "trasporti"]):
        raw = tmp_path / f"site-{n}.txt"
        raw.write_text(
            f" date 2023-0{n + 1} https://www.giornaledelmattino.example/{topic}\n\n"
            f"Notizie sulla {topic} dal parlamento\n\n{BODY.replace('bilancio', topic)}\n\n{footer}\n",
            "utf-8",
        )
        raws.append(raw)
    outcomes = importer.import_files(raws[:3], content)
    assert [o.status for o in outcomes] == ["imported"] * 3
    articles = [archive.read_article(p) for p in sorted((content / "articles").glob("*.md"))]
    for article in articles:
        assert footer not in article.paragraphs
        assert any(r.rule == "site-boilerplate" and r.text == footer for r in article.removed)
    # a later import learns from the archive too
    importer.import_files([raws[3]], content)
    newest = archive.read_article(next((content / "articles").glob("2023-04-*.md")))
    assert footer not in newest.paragraphs


def test_a_line_in_two_articles_is_not_enough(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    quote = "Il ministro ha detto che la situazione resta grave ma sotto controllo"
    raws = []
    for n in range(2):
        raw = tmp_path / f"q-{n}.txt"
        raw.write_text(
            f" date 2023-01 https://a.example/{n}\n\nTitolo numero {n} del giornale\n\n{BODY}{n}\n\n{quote}\n",
            "utf-8",
        )
        raws.append(raw)
    importer.import_files(raws, content)
    for path in (content / "articles").glob("*.md"):
        assert quote in archive.read_article(path).paragraphs


def test_five_megabytes_and_one_huge_line(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    big = tmp_path / "big.txt"
    count = 5_000_000 // (len(BODY) + 10)
    paragraphs = "".join(f"{BODY} ({n})\n\n" for n in range(count))  # 5 MB, every paragraph new
    big.write_text("Un titolo per un testo molto lungo\n\n" + paragraphs, "utf-8")
    one_line = tmp_path / "one-line.txt"
    one_line.write_text(" ".join([BODY] * 20_000), "utf-8")
    assert main(["import", str(big), str(one_line), "--content", str(content)]) == 0
    articles = [archive.read_article(p) for p in (content / "articles").glob("*.md")]
    assert sorted(a.words > 100_000 for a in articles) == [True, True]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Сирийская армия заявила в понедельник, что взяла под контроль город после нескольких"
            " недель боёв с боевиками, которые удерживали его с прошлого года.",
            "ru",
        ),
        (
            "قال الجيش السوري يوم الاثنين إنه سيطر على المدينة بعد أسابيع من القتال مع المسلحين"
            " الذين كانوا يسيطرون عليها منذ العام الماضي.",
            "ar",
        ),
    ],
)
def test_other_scripts(tmp_path: Path, text: str, language: str) -> None:
    content = empty_content(tmp_path)
    raw = tmp_path / "other.txt"
    raw.write_text(f"{text}\n\n{text[::-1]}\n", "utf-8")
    assert main(["import", str(raw), "--content", str(content)]) == 0
    article = only_article(content)
    assert article.language == language
    assert article.id.isascii() and 0 < len(article.id) <= 80
    assert article.paragraphs[0] == text


def test_mixed_languages_keep_every_paragraph(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    english = (
        "The army said on Monday that it had taken control of the city after several weeks"
        " of fighting with the militants who had held it since last year."
    )
    raw = tmp_path / "mixed.txt"
    raw.write_text(f"Titolo di un articolo bilingue\n\n{BODY}\n\n{english}\n", "utf-8")
    assert main(["import", str(raw), "--content", str(content)]) == 0
    article = only_article(content)
    assert article.paragraphs == (BODY, english)
    assert article.language in ("it", "en")


@pytest.mark.parametrize(
    ("header", "date", "source", "url"),
    [
        (" date 2021-10-24", "2021-10-24", "header", None),
        # The text states no date: the address's path does, and the article says so.
        (
            " date https://www.example.org/2021/10/24/a",
            "2021-10-24",
            "url",
            "https://www.example.org/2021/10/24/a",
        ),
        (" date 2021 https://www.example.org/b", "2021", "header", "https://www.example.org/b"),
        # The header's year wins over the address (the text's evidence comes first).
        (" date 2020 https://www.example.org/2021/10/24/c", "2020", "header", None),
    ],
)
def test_partial_headers(
    tmp_path: Path, header: str, date: str | None, source: str | None, url: str | None
) -> None:
    content = empty_content(tmp_path)
    raw = tmp_path / "partial.txt"
    raw.write_text(f"{header}\n\nTitolo di prova del giornale\n\n{BODY}\n", "utf-8")
    assert main(["import", str(raw), "--content", str(content)]) == 0
    article = only_article(content)
    assert (article.date, article.date_source) == (date, source)
    if url:
        assert article.url == url
    assert article.paragraphs == (BODY,)


def test_mojibake_is_repaired_and_the_bytes_kept(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    raw = tmp_path / "mojibake.txt"
    data = (
        "Titolo con la cittÃ  sbagliata\n\n" + BODY.replace("Il parlamento", "La cittÃ ") + "\n"
    ).encode("utf-8")
    raw.write_bytes(data)
    assert main(["import", str(raw), "--content", str(content)]) == 0
    article = only_article(content)
    assert article.title == "Titolo con la città sbagliata"
    assert article.paragraphs[0].startswith("La città ha approvato")
    assert (content / article.raw).read_bytes() == data


def test_all_boilerplate_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = empty_content(tmp_path)
    before = snapshot(content)
    assert main(["import", str(CASES / "all_boilerplate.txt"), "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "no article text left after cleaning" in err and "cookie-banner" in err
    assert snapshot(content) == before


def test_explain_prints_every_decision_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = empty_content(tmp_path)
    before = snapshot(content)
    seed = ROOT / "tests" / "fixtures" / "seeds" / "000_dc37bb17c7ea2900.txt"
    assert main(["import", "--explain", str(seed), "--content", str(content)]) == 0
    out = capsys.readouterr().out
    assert "  14 junk   cookie-banner        My Agile Privacy" in out
    assert "   6 meta   byline               Di L.M." in out
    assert "     author: L.M." in out and "     title_source: derived" in out
    assert snapshot(content) == before
