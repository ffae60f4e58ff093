"""End to end: import the seed articles into a temporary content folder, build the site
into a temporary folder with MkDocs + Material, and check what the HTML says."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CASES, ROOT, empty_content, import_seeds, one_language
from generator import archive, importer
from generator.build import build_site
from generator.markdown_text import normalise_text

SPUTNIK_ID = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
SPUTNIK_TITLE = "WP: Pakistan aiuta i talebani nella lotta contro l'ISIS"


class _Text(HTMLParser):
    """Visible text of an HTML fragment, per element with a given class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")


BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "section", "aside", "dt", "dd", "br", "q"}


def visible_text(html: str) -> str:
    """The text a reader sees: inline markup (links, marks) adds no space, blocks do."""
    parser = _Text()
    parser.feed(html)
    return normalise_text("".join(parser.parts))


def between(html: str, start: str, end: str) -> str:
    """The HTML from the first `start` to the next `end`."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) + len(end)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(content folder, site folder) of the seed archive, plus a case full of Markdown syntax."""
    folder = tmp_path_factory.mktemp("e2e")
    content = empty_content(folder)
    import_seeds(content)
    outcome = importer.import_files([CASES / "markdown_and_html_in_text.txt"], content)
    assert outcome[0].status == "imported", outcome
    site = folder / "site"
    result = build_site(ROOT / "mkdocs.yml", content, site, strict=True, progress=False)
    assert result.warnings == 0
    return content, site


def page(site: Path, article_id: str) -> str:
    return (site / "articles" / article_id / "index.html").read_text("utf-8")


def test_sputnik_seed_front_matter(built: tuple[Path, Path]) -> None:
    content, _ = built
    article = archive.read_article(content / "articles" / f"{SPUTNIK_ID}.md")
    assert article.title == SPUTNIK_TITLE
    assert article.title_source == "headline"
    assert article.date == "2021-10-24"
    assert article.published == "2021-10-24T22:48:00+02:00"
    assert article.url.startswith("https://it.sputniknews.com/20211024/")
    assert article.source == "it.sputniknews.com"
    assert article.publisher == "Sputnik Italia"
    assert article.language == "it"
    assert article.description.startswith("Il Pakistan fornisce assistenza")
    assert "24.10.2021" not in article.description
    assert article.paragraphs[0].startswith("Secondo quanto riferito dal giornale")
    assert article.paragraphs[1].startswith("A quanto si apprende")
    assert article.paragraphs[2].startswith("Tuttavia, secondo un portavoce")
    assert article.footnotes == (
        "*Organizzazioni terroristiche estremiste illegali in Russia e altri paesi",
    )
    assert article.raw_name == "001_17cb9ab2f47cb014.txt"
    assert (content / article.raw).read_bytes() == (
        ROOT / "tests/fixtures/seeds/001_17cb9ab2f47cb014.txt"
    ).read_bytes()
    rules = [r.rule for r in article.removed]
    assert rules.count("repeated") == 1 and rules.count("repeated-timestamp") == 2
    assert "teaser" in rules and "timestamp" in rules


def test_sputnik_seed_page(built: tuple[Path, Path]) -> None:
    _, site = built
    html = page(site, SPUTNIK_ID)
    article = between(html, '<article class="postilla-article"', "</article>")
    body = between(article, '<div class="postilla-body">', "</div>")
    # each paragraph with its stable anchor (and an empty permalink: no text of its own)
    paragraphs = [visible_text(p) for p in re.findall(r'<p id="p-[0-9a-f-]+">(.*?)</p>', body)]
    assert paragraphs[0].startswith("Secondo quanto riferito dal giornale")
    assert paragraphs[1].startswith("A quanto si apprende")
    assert paragraphs[2].startswith("Tuttavia, secondo un portavoce")
    assert paragraphs[-1].endswith("non sapevano come utilizzarle.")
    # the title once, as the page heading; no header, second headline or timestamps in the text
    # (the collapsed "Cita" block cites it too, in its reference; its BibTeX and CSL-JSON
    # are loaded from cite.bib and cite.json when it is opened)
    cite = between(article, '<details class="postilla-cite" id="cite"', "</details>")
    assert visible_text(cite).count(SPUTNIK_TITLE) == 1
    outside_cite = article.replace(cite, "")
    assert visible_text(outside_cite).count(SPUTNIK_TITLE) == 1 + 2  # heading + 2 in "removed"
    assert SPUTNIK_TITLE not in visible_text(body)
    assert "date 2021-10" not in visible_text(body) and "22:48" not in visible_text(body)
    assert "24.10.2021" not in visible_text(body)
    footnotes = between(article, '<aside class="postilla-footnotes"', "</aside>")
    assert (
        "*Organizzazioni terroristiche estremiste illegali in Russia e altri paesi"
        in visible_text(footnotes)
    )
    # the metadata panel
    panel = between(article, '<dl class="postilla-meta"', "</dl>")
    assert ">Sputnik Italia</a>" in panel and 'href="../../sources/it.sputniknews.com/"' in panel
    assert '<time datetime="2021-10-24">24 ottobre 2021</time>' in panel
    assert 'rel="noopener nofollow"' in panel
    assert 'href="../../raw/' + SPUTNIK_ID + '.txt"' in panel
    assert "4a550859dcfda2ebec2931316a220043ce855ca9cd3e801992992d5c7029a8ee" in panel
    # the removed lines, collapsed, with their rules; asterisks stay asterisks
    removed = between(article, '<details class="note postilla-removed"', "</details>")
    assert "<details" in removed and " open" not in removed.split(">")[0]
    assert "Talebani* salito al potere" in visible_text(removed)
    assert "<em>" not in article
    # <title> and description meta are the article's own
    assert "<title>WP: Pakistan aiuta i talebani nella lotta contro l&#x27;ISIS - " in html or (
        "<title>WP: Pakistan aiuta i talebani nella lotta contro l'ISIS - " in html
    )
    description = re.search(r'<meta name="description" content="([^"]*)"', html)[1]
    assert description.startswith("Il Pakistan fornisce") and "24.10.2021" not in description


def test_blog_seed_without_headline(built: tuple[Path, Path]) -> None:
    content, site = built
    [path] = [p for p in (content / "articles").glob("*isis-ha-iniziato-*.md")]
    article = archive.read_article(path)
    assert article.title_source == "derived"
    assert (
        article.title.startswith("ISIS ha iniziato il trasferimento") and len(article.title) <= 81
    )
    # The text states no date; the page's address does (…/2017/06/18/…), and says so.
    assert article.date == "2017-06-18" and article.date_source == "url"
    assert article.author == "L.M."
    assert len(article.paragraphs) == 4
    assert article.paragraphs[3].endswith("combattenti nella provincia di Deir Ezzor.")
    removed = {r.text: r.rule for r in article.removed}
    assert removed["Lascia un commento"] == "comment-form"
    assert removed["Questo sito utilizza cookie tecnici e di profilazione."] == "cookie-banner"
    assert removed["Di L.M."] == "byline"
    assert any(text.startswith("Appassionato sin da giovanissimo") for text in removed)
    assert any(text.startswith("Il tuo indirizzo email non sarà pubblicato") for text in removed)
    assert len(article.removed) == 9
    html = page(site, article.id)
    body = between(html, '<div class="postilla-body">', "</div>")
    assert "Appassionato" not in body and "cookie" not in body and "Lascia un commento" not in body
    assert "18 giugno 2017" in html and "dall'indirizzo della pagina" in html
    assert "L.M." in html


def test_markdown_and_html_in_a_scraped_text_stay_text(built: tuple[Path, Path]) -> None:
    content, site = built
    [path] = list((content / "articles").glob("*markdown*.md"))
    article = archive.read_article(path)
    html = page(site, article.id)
    body = between(html, '<div class="postilla-body">', "</div>")
    assert visible_text(body) == normalise_text(" ".join(article.paragraphs))
    raw_lines = [
        normalise_text(line)
        for line in (CASES / "markdown_and_html_in_text.txt").read_text("utf-8").splitlines()[3:]
        if line.strip()
    ]
    assert list(article.paragraphs) == raw_lines
    for literal in (
        "1986.",
        "ISIS*",
        "[x](y)",
        "<script>alert(1)</script>",
        "==evidenziato==",
        '{: onclick="alert(1)" }',
        '--8<-- "segreti.txt"',
        "`codice`",
        "**grassetto**",
        "_corsivo_",
        "&amp;",
        '<div onclick="alert(2)">',
    ):
        assert literal in visible_text(body), literal
    for markup in (
        "<script",
        "<strong",
        "<em>",
        "<code>",
        "<mark",
        "<blockquote",
        "<ul",
        "<ol",
        "<div onclick",
    ):
        assert markup not in body, markup
    assert not re.search(r"<[^>]*\son\w+=", body), "an event-handler attribute reached the HTML"
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html)[1]
    assert visible_text(heading) == "# Non è un titolo Markdown"


def test_generated_pages(built: tuple[Path, Path]) -> None:
    _, site = built
    home = (site / "index.html").read_text("utf-8")
    assert "Ultimi articoli" in home and SPUTNIK_ID in home
    assert "3 articoli" in home
    years = (site / "archive" / "index.html").read_text("utf-8")
    assert 'href="2021/"' in years and 'href="2017/"' in years
    year = (site / "archive" / "2021" / "index.html").read_text("utf-8")
    assert "ottobre 2021" in year and SPUTNIK_ID in year
    source = (site / "sources" / "it.sputniknews.com" / "index.html").read_text("utf-8")
    assert "Sputnik Italia" in source and "Rossiya Segodnya" in source and SPUTNIK_ID in source
    assert not (site / "sources" / "sputniknews.com").exists()  # registered, no articles
    assert (site / "sources" / "ancorafischiailvento.org" / "index.html").exists()
    # articles are not in the navigation: no page carries the list of all articles
    assert SPUTNIK_ID not in (site / "pages" / "about" / "index.html").read_text("utf-8")
    assert (site / "raw" / f"{SPUTNIK_ID}.txt").exists()
    assert not (site / "sources.yml").exists() and not (site / "entities.yml").exists()


def test_downloads_offer_the_export(built: tuple[Path, Path]) -> None:
    _, site = built
    rows = [
        json.loads(line)
        for line in gzip.decompress((site / "downloads" / "archive.jsonl.gz").read_bytes())
        .decode("utf-8")
        .splitlines()
    ]
    assert [r["id"] for r in rows][0] == SPUTNIK_ID
    assert rows[0]["publisher"] == "Sputnik Italia" and rows[0]["annotations"] == []
    assert {
        "id": "pakistan",
        "name": "Pakistan",
        "type": "place",
        "mentions": ["Pakistan"],
    } in rows[0]["entities"]
    assert "\n\nA quanto si apprende" in rows[0]["body"]
    csv_text = gzip.decompress((site / "downloads" / "archive.csv.gz").read_bytes()).decode("utf-8")
    assert csv_text.startswith("id,title,date,")


def test_search_index_is_italian_and_holds_article_text_only(built: tuple[Path, Path]) -> None:
    _, site = built
    shards = json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))["shards"]
    assert shards == ["2021", "2020", "2017"]  # a bundle per year, newest first
    pages = 0
    for shard in shards:
        entry = json.loads((site / "pagefind" / shard / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == ["it"]
        pages += entry["languages"]["it"]["page_count"] - 1  # less the shard's vocabulary
        assert [p.name for p in (site / "pagefind" / shard / "filter").iterdir()]  # source, year…
    assert pages == 3  # the articles, not the listing pages
    # Pagefind reads search documents made from the archive, not the pages: the pages
    # carry no search markup, only the search box.
    html = page(site, SPUTNIK_ID)
    assert "data-pagefind" not in html
    assert "assets/postilla-search.js" in html and 'class="md-search"' in html


def test_failed_build_keeps_the_previous_site(tmp_path: Path, content: Path) -> None:
    site = tmp_path / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    before = (site / "index.html").read_bytes()
    broken = next((content / "articles").glob("2021-10-24-*.md"))
    broken.write_text(
        broken.read_text("utf-8").replace("date: '2021-10-24'", "date: '2021-02-30'"), "utf-8"
    )
    with pytest.raises(Exception, match="not a real date"):
        build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    assert (site / "index.html").read_bytes() == before
    # Nothing of the failed build is left; the site's lock file stays (the lock is free).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]


def test_shipped_content_builds_strict(tmp_path: Path) -> None:
    """The archive that ships with the project: what the README's first command builds."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    result = build_site(
        ROOT / "mkdocs.yml", content, tmp_path / "site", strict=True, progress=False
    )
    assert result.warnings == 0
    assert len(list((tmp_path / "site" / "articles").iterdir())) == 2


def test_interface_language_follows_the_configuration(tmp_path: Path, content: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    text = one_language((ROOT / "mkdocs.yml").read_text("utf-8"))
    text = text.replace("language: it", "language: en")
    config.write_text(text.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}"), "utf-8")
    build_site(config, content, tmp_path / "site", strict=True, progress=False)
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<html lang="en"' in home and "Latest articles" in home
    article = page(tmp_path / "site", SPUTNIK_ID)
    assert (
        "24 October 2021" in article and "Publisher" in article and "Removed by cleaning" in article
    )


def test_entities_are_linked_listed_and_given_pages(built: tuple[Path, Path]) -> None:
    content, site = built
    html = page(site, SPUTNIK_ID)
    body = between(html, '<div class="postilla-body">', "</div>")
    # the first mention of each entity is a link with a tooltip; later mentions are text
    assert body.count('data-entity="stato-islamico"') == 1
    link = re.search(
        r'<a class="postilla-entity[^"]*" href="([^"]+)" title="([^"]+)" data-entity="talebani">talebani</a>',
        body,
    )
    assert link and link[1] == "../../entities/talebani/" and link[2].startswith("Organizzazione")
    assert 'data-entity="bilal-karimi">Bilal Karimi</a>' in body
    assert "Russia" not in visible_text(body)  # only in the publisher's footnote, not linked
    entities = between(html, '<section class="postilla-entities"', "</section>")
    assert "Entità in questo articolo" in entities and ">Bilal Karimi</a>" in entities
    related = between(html, '<section class="postilla-related"', "</section>")
    assert "isis-ha-iniziato" in related
    entity = (site / "entities" / "stato-islamico" / "index.html").read_text("utf-8")
    assert "Q2429253" in entity and "https://www.wikidata.org/wiki/Q2429253" in entity
    assert entity.index(SPUTNIK_ID) < entity.index("isis-ha-iniziato")  # newest first
    assert "<mark>Stato Islamico</mark>" in entity and "<svg" in entity
    assert "Citata spesso con" in entity
    assert "Nessun articolo" in (site / "entities" / "madrid" / "index.html").read_text("utf-8")
    index = (site / "entities" / "index.html").read_text("utf-8")
    assert 'class="postilla-sortable"' in index and "Organizzazioni" in index and "Luoghi" in index
    rows = [
        json.loads(line)
        for line in gzip.decompress((site / "downloads" / "archive.jsonl.gz").read_bytes())
        .decode("utf-8")
        .splitlines()
    ]
    sputnik = next(r for r in rows if r["id"] == SPUTNIK_ID)
    by_id = {e["id"]: e for e in sputnik["entities"]}
    assert by_id["stato-islamico"]["mentions"] == ["Stato Islamico", "ISIS", "IS"]
    assert by_id["talebani"] == {
        "id": "talebani",
        "name": "Talebani",
        "type": "organization",
        "mentions": ["talebani"],
    }
