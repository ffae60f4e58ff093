"""Citations: CSL-JSON (valid under the CSL schema), BibTeX (parsed back), the formatted
reference, paragraph anchors, and what a built site offers (the "Cite" block, cite.json and
cite.bib, the citation tags), stable across rebuilds."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, make_article
from generator import citations, render
from generator.build import build_site
from generator.model import Source

SCHEMA = json.loads((FIXTURES / "csl" / "csl-data.json").read_text("utf-8"))
LINK = "https://example.org/archivio/articles/a/"
SOURCE = Source("esempio.it", "Il Giornale d'Esempio")


def article(**fields: object):
    values: dict[str, object] = dict(
        title="L'ISIS & i {talebani}: 100% $ #1_x ~^\\",
        date="2021-10-24",
        url="https://esempio.it/a?b=1&c=%20{x}",
        source="esempio.it",
        author="Maria De Luca e Jane Doe",
        language="it",
    )
    values.update(fields)
    return make_article("a", "Primo paragrafo.", "Secondo paragrafo.", **values)


# --- CSL-JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"date": "2021-10", "author": None},
        {"date": "2021", "author": "L.M.", "url": None},
        {"date": None, "source": None, "language": None, "author": "Redazione Esteri"},
    ],
    ids=["full", "month-no-author", "year-initials-no-url", "undated-no-source"],
)
def test_csl_json_is_valid_under_the_csl_schema(fields: dict[str, object]) -> None:
    item = citations.csl_item(article(**fields), SOURCE, "Archivio", LINK)
    jsonschema.validate(json.loads(citations.csl_json(item)), SCHEMA)


def test_the_schema_rejects_what_is_not_csl() -> None:
    item = citations.csl_item(article(), SOURCE, "Archivio", LINK)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**item, "permalink": LINK}], SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**item, "type": "newspaper"}], SCHEMA)


def test_csl_item_carries_every_field_at_its_precision() -> None:
    item = citations.csl_item(article(), SOURCE, "Archivio", LINK)
    assert item["type"] == "article-newspaper"
    assert item["title"] == article().title
    assert item["author"] == [
        {"family": "De Luca", "given": "Maria"},
        {"family": "Doe", "given": "Jane"},
    ]
    assert item["container-title"] == "Il Giornale d'Esempio"
    assert item["issued"] == {"date-parts": [[2021, 10, 24]]}
    assert item["URL"] == "https://esempio.it/a?b=1&c=%20{x}"
    assert item["accessed"] == {"date-parts": [[2026, 11, 21]]}  # the day it was archived
    assert item["archive_location"] == LINK
    month = citations.csl_item(article(date="2021-10"), SOURCE, "Archivio", LINK)
    assert month["issued"] == {"date-parts": [[2021, 10]]}
    undated = citations.csl_item(article(date=None, url=None), None, "Archivio", LINK)
    assert "issued" not in undated and undated["URL"] == LINK
    assert undated["container-title"] == "esempio.it"  # the domain when nothing better


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Francesca Mannocchi", [{"family": "Mannocchi", "given": "Francesca"}]),
        ("Ludwig van Beethoven", [{"family": "van Beethoven", "given": "Ludwig"}]),
        ("L.M.", [{"literal": "L.M."}]),
        ("Redazione", [{"literal": "Redazione"}]),
        ("Redazione Esteri", [{"literal": "Redazione Esteri"}]),
        ("Napoli Magazine", [{"literal": "Napoli Magazine"}]),
        ("FR", [{"literal": "FR"}]),
        (
            "Jane Doe and John Smith",
            [{"family": "Doe", "given": "Jane"}, {"family": "Smith", "given": "John"}],
        ),
        ("", []),
    ],
)
def test_bylines_become_people_or_literal_names(byline: str, names: list[dict]) -> None:
    assert citations.authors(byline) == names


# --- BibTeX -------------------------------------------------------------------------------


def parse_bibtex(text: str) -> dict[str, str]:
    """A small BibTeX reader: one entry, each field ``name = {balanced}`` or a macro; the
    entry's type and key as ``@type`` and ``@key``. Fails on unbalanced braces."""
    head = re.match(r"@(\w+)\{([^,\s]+),\n", text)
    assert head, text
    fields = {"@type": head[1], "@key": head[2]}
    rest, i = text[head.end() :], 0
    while True:
        field = re.compile(r"\s*(\w+) = ").match(rest, i)
        if not field:
            break
        i = field.end()
        if rest[i] == "{":
            depth, j = 0, i
            while True:
                if rest[j] == "\\":
                    j += 2
                    continue
                depth += {"{": 1, "}": -1}.get(rest[j], 0)
                j += 1
                if depth == 0:
                    break
            fields[field[1]], i = rest[i + 1 : j - 1], j
        else:
            macro = re.compile(r"\w+").match(rest, i)
            assert macro, rest[i:]
            fields[field[1]], i = macro[0], macro.end()
        i += rest[i] == ","
    assert rest[i:].strip() == "}", rest[i:]
    return fields


def test_bibtex_parses_with_every_field(tmp_path: Path) -> None:
    item = citations.csl_item(article(), SOURCE, "Archivio", LINK)
    text = citations.bibtex(item, "Archivio")
    assert text.startswith("@article{a,\n")
    assert text.count("{") == text.count("}") + text.count(r"\{") - text.count(r"\}")
    entry = parse_bibtex(text)
    assert entry["@type"] == "article" and entry["@key"] == "a"
    assert entry["journal"] == "Il Giornale d'Esempio"
    assert entry["author"] == "De Luca, Maria and Doe, Jane"
    assert entry["year"] == "2021" and entry["month"] == "oct"
    assert "month = oct," in text and "date = {2021-10-24}" in text
    assert "urldate = {2026-11-21}" in text
    assert r"url = {https://esempio.it/a?b=1&c=%20%7Bx%7D}" in text
    assert r"\url{" + LINK + "}" in text
    assert (
        r"L'ISIS \& i \{talebani\}: 100\% \$ \#1\_x \textasciitilde{}\textasciicircum{}\textbackslash{}"
        in text
    )


def test_bibtex_without_publisher_or_date_is_misc(tmp_path: Path) -> None:
    item = citations.csl_item(article(source=None, date=None, author=None), None, "Archivio", LINK)
    text = citations.bibtex(item, "Archivio")
    assert text.startswith("@misc{a,") and "year" not in text and "month" not in text
    assert "author" not in text
    assert parse_bibtex(text)["@type"] == "misc"


# --- the formatted reference ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "accessed", "archived"),
    [("it", "21 novembre 2026", "Archiviato in"), ("en", "November 21, 2026", "Archived in")],
)
def test_formatted_reference_names_title_author_date_and_both_addresses(
    language: str, accessed: str, archived: str
) -> None:
    cited = citations.citation(article(title="Titolo"), SOURCE, "Archivio", LINK, language)
    reference = cited.reference
    for part in ("Titolo", "De Luca", "2021", "Il Giornale d'Esempio", accessed):
        assert part in reference, (part, reference)
    assert "https://esempio.it/a?b=1&c=%20{x}" in reference
    assert reference.endswith(f"{archived} Archivio: {LINK}")


def test_remembered_style_queries_change_no_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """citeproc-py's XPath answers on the style are remembered (half its time): every
    reference, in both languages and for every shape of item, is the one citeproc-py makes
    without remembering."""
    from citeproc import model

    shapes = [
        {},
        {"date": "2021-10", "author": None},
        {"date": "2021", "author": "L.M.", "url": None},
        {"date": None, "source": None, "language": None, "author": "Redazione Esteri"},
        {"author": "Anna Bianchi, Luca Verdi e Jane Doe", "title": "Un «titolo» & altro"},
    ]
    items = [
        citations.csl_item(
            article(**fields), SOURCE if fields.get("source", 1) else None, "A", LINK
        )
        for fields in shapes
    ]
    remembered = [
        citations.formatted_reference(i, lang, "A") for i in items for lang in ("it", "en")
    ]
    wrapper = model.CitationStylesElement.xpath_search
    assert getattr(wrapper, "remembers", False)
    monkeypatch.setattr(model.CitationStylesElement, "xpath_search", wrapper.original)
    plain = [citations.formatted_reference(i, lang, "A") for i in items for lang in ("it", "en")]
    assert remembered == plain


def test_cite_block_escapes_and_links_the_files() -> None:
    cited = citations.citation(article(title="</p><script>x</script>"), SOURCE, "A", LINK, "it")
    block = citations.cite_block(cited, "cite.json", "cite.bib", "it")
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert "<summary>Cita</summary>" in block
    assert 'href="cite.json" download="cite.json"' in block
    # Two code blocks, each with its own id (Material's copy button targets it), empty
    # until the reader opens the block: the script fills each from its file (issue 15).
    assert (
        '<pre class="copy postilla-cite-code" id="cite-cite-bib" data-src="cite.bib">'
        "<code></code></pre>"
    ) in block
    assert (
        '<pre class="copy postilla-cite-code" id="cite-cite-json" data-src="cite.json">'
        "<code></code></pre>"
    ) in block
    assert "@article{" not in block and '"type"' not in block  # in the files only


# --- paragraph anchors --------------------------------------------------------------------


def test_paragraph_ids_follow_the_text_not_the_position() -> None:
    ids = citations.paragraph_ids(["uno", "due", "uno"])
    assert ids[0] != ids[1] and ids[2] == ids[0] + "-2"
    assert all(re.fullmatch(r"p-[0-9a-f]{8}(-\d+)?", i) for i in ids)
    assert citations.paragraph_ids(["zero", "uno", "due"])[1:] == ids[:2]  # a line added above


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def test_paragraph_permalinks_add_no_text_to_the_body() -> None:
    paragraphs = ["Il <b>Pakistan</b> & l'ISIS.", "Secondo."]
    plain, anchored = _Text(), _Text()
    plain.feed(render.body_html(paragraphs))
    ids = citations.paragraph_ids(paragraphs)
    markup = render.body_html(paragraphs, None, ids, "Link a questo paragrafo")
    anchored.feed(markup)
    assert "".join(plain.parts) == "".join(anchored.parts)
    for pid in ids:
        assert f'<p id="{pid}">' in markup and f'href="#{pid}"' in markup


# --- a built site -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped archive built twice into two folders."""
    folder = tmp_path_factory.mktemp("cite")
    sites = folder / "one", folder / "two"
    for target in sites:
        build_site(ROOT / "mkdocs.yml", ROOT / "content", target, progress=False)
    return sites


def _pages(site: Path) -> list[Path]:
    return sorted((site / "articles").glob("*/index.html"))


def test_every_article_page_offers_a_cite_block_and_its_files(built: tuple[Path, Path]) -> None:
    site = built[0]
    pages = _pages(site)
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        assert '<details class="postilla-cite" id="cite"><summary>Cita</summary>' in html, page
        items = json.loads((page.parent / "cite.json").read_text("utf-8"))
        jsonschema.validate(items, SCHEMA)
        assert items[0]["archive_location"].startswith(
            "https://example.github.io/postilla/articles/"
        )
        assert items[0]["archive_location"].endswith(f"/{page.parent.name}/")
        bib = (page.parent / "cite.bib").read_text("utf-8")
        assert bib.startswith(("@article{" + page.parent.name, "@misc{" + page.parent.name))
        assert items[0]["title"] in html.replace("&#x27;", "'")
        assert f'<meta name="citation_public_url" content="{items[0]["archive_location"]}">' in html
        assert '<meta name="citation_title"' in html


def test_sputnik_citation_has_its_date_publisher_and_journal_tag(built: tuple[Path, Path]) -> None:
    folder = (
        built[0] / "articles" / "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
    )
    html = (folder / "index.html").read_text("utf-8")
    assert '<meta name="citation_publication_date" content="2021/10/24">' in html
    assert '<meta name="citation_journal_title" content="Sputnik Italia">' in html
    item = json.loads((folder / "cite.json").read_text("utf-8"))[0]
    assert item["issued"] == {"date-parts": [[2021, 10, 24]]}
    assert item["URL"].startswith("https://it.sputniknews.com/20211024/")


def test_paragraph_anchors_are_unique_and_stable_across_rebuilds(built: tuple[Path, Path]) -> None:
    one, two = built
    for page in _pages(one):
        ids = re.findall(r'<p id="(p-[0-9a-f-]+)">', page.read_text("utf-8"))
        assert ids and len(ids) == len(set(ids)), page
        again = re.findall(
            r'<p id="(p-[0-9a-f-]+)">', (two / page.relative_to(one)).read_text("utf-8")
        )
        assert ids == again, page
        html = page.read_text("utf-8")
        all_ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(all_ids) == len(set(all_ids)), page  # no clash with the page's other ids
        assert (two / page.relative_to(one)).parent.joinpath("cite.bib").read_bytes() == (
            page.parent / "cite.bib"
        ).read_bytes()
