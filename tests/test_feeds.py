"""The archive's feeds (generator/feeds.py), as a feed reader and a browser get them.

Two built sites: a small one made here (the two seeds, plus articles dated to the month
and to the year, an undated one, and a title full of markup), built strictly; and the
corpus site of tests/conftest.py (the shipped archive with the development corpus).
Every feed is parsed with feedparser (no error, every entry with link, title and date)
and checked against JSON Feed 1.1; every address in a feed leads to a built file; the
home, source and entity pages advertise their feeds in <head> and show a link.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import ROOT, empty_content, import_seeds, make_article
from generator import feeds, importer
from generator.build import build_site
from generator.entities import index_archive
from generator.model import Archive, Entity, Source

SITE_URL = "https://example.github.io/postilla/"  # mkdocs.yml's site_url
ATOM_NS = "{http://www.w3.org/2005/Atom}"

BODY = (
    "Le forze democratiche siriane hanno annunciato nuovi combattimenti a {place} contro "
    "lo Stato Islamico, secondo {who} citati dalle agenzie che seguono il conflitto. "
)
RAW = {
    # Dated to the month; a title a feed must carry as text, never as markup.
    "month.txt": " date 2020-03 https://www.example-news.it/2020/03/raqqa\n"
    "Raqqa, nuovi scontri: l'ISIS & <script>alert(1)</script> «resiste»\n\n"
    + BODY.format(place="Raqqa", who="testimoni locali")
    * 3,
    # Dated to the year, another outlet.
    "year.txt": " date 2019 https://altra-testata.example.org/2019/anno\n"
    "Un anno di guerra in Siria raccontato dai testimoni\n\n"
    + BODY.format(place="Aleppo", who="medici volontari")
    * 3,
    # Undated, and with no address: no source either.
    "undated.txt": "Senza data: Mosul e le macerie della guerra\n\n"
    + BODY.format(place="Mosul", who="operatori umanitari") * 3,
}
MONTH_ID = "2020-03-raqqa-nuovi-scontri-l-isis-script-alert-1-script-resiste"


def small_content(folder: Path) -> Path:
    content = empty_content(folder)
    import_seeds(content)
    raw_folder = folder / "incoming"
    raw_folder.mkdir()
    for name, text in RAW.items():
        (raw_folder / name).write_text(text, "utf-8")
    outcomes = importer.import_files(
        sorted(raw_folder.iterdir()), content, today=date(2026, 11, 21)
    )
    assert all(o.status == "imported" for o in outcomes), outcomes
    return content


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feeds")
    content = small_content(folder)
    target = folder / "site"
    result = build_site(ROOT / "mkdocs.yml", content, target, strict=True, progress=False)
    assert result.warnings == 0
    return target


# --- what a feed must be, as lists of problems (empty when right) -----------------------


def site_file(site: Path, address: str) -> Path | None:
    """The built file an absolute address of the site leads to, or None when it leads
    outside the site or to nothing."""
    own = urlsplit(SITE_URL)
    parts = urlsplit(address)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    if not parts.path.startswith(own.path):
        return None
    path = site / parts.path[len(own.path) :]
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def atom_problems(site: Path, feed: Path) -> list[str]:
    """What is wrong with an Atom feed of `site`: feedparser's error, entries without
    link, title or date, addresses that lead nowhere, Atom's rule on alternate links."""
    parsed = feedparser.parse(feed.read_bytes())
    problems = []
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.bozo_exception}")
    if parsed.version != "atom10":
        problems.append(f"not Atom 1.0 but {parsed.version!r}")
    self_links = [link.href for link in parsed.feed.get("links", []) if link.rel == "self"]
    if [site_file(site, link) for link in self_links] != [feed]:
        problems.append(f"self link {self_links} is not this file")
    if site_file(site, parsed.feed.get("link", "")) is None:
        problems.append(f"the feed's page {parsed.feed.get('link')!r} is not built")
    if not parsed.feed.get("updated"):
        problems.append("no updated date")
    if not parsed.entries:
        problems.append("no entries")
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"entry {number}"
        if not entry.get("title"):
            problems.append(f"{where}: no title")
        if not (entry.get("published_parsed") or entry.get("updated_parsed")):
            problems.append(f"{where}: no date")
        alternates = [link for link in entry.get("links", []) if link.rel == "alternate"]
        if len(alternates) != 1:
            problems.append(f"{where}: {len(alternates)} alternate links, not 1")
        elif site_file(site, alternates[0].href) is None:
            problems.append(f"{where}: {alternates[0].href} is not a page of the site")
        if not entry.get("id") or not entry.get("link"):
            problems.append(f"{where}: no id or link")
    return problems


def rfc3339(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def json_feed_problems(site: Path, feed: Path) -> list[str]:
    """What is wrong with a JSON Feed of `site` under JSON Feed 1.1: its required fields
    (version, title, items; each item's id and content), dates in RFC 3339, and
    addresses that lead to built files."""
    try:
        document = json.loads(feed.read_text("utf-8"))
    except ValueError as error:
        return [f"not JSON: {error}"]
    problems = []
    if document.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {document.get('version')!r}")
    if not isinstance(document.get("title"), str) or not document["title"]:
        problems.append("no title")
    if site_file(site, document.get("feed_url", "")) != feed:
        problems.append(f"feed_url {document.get('feed_url')!r} is not this file")
    if site_file(site, document.get("home_page_url", "")) is None:
        problems.append(f"home_page_url {document.get('home_page_url')!r} is not built")
    items = document.get("items")
    if not isinstance(items, list) or not items:
        return [*problems, "no items"]
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: no id")
        if not item.get("content_text") and not item.get("content_html"):
            problems.append(f"{where}: neither content_text nor content_html")
        if site_file(site, item.get("url", "")) is None:
            problems.append(f"{where}: url {item.get('url')!r} is not a page of the site")
        for key in ("date_published", "date_modified"):
            if key in item and not rfc3339(item[key]):
                problems.append(f"{where}: {key} {item[key]!r} is not RFC 3339")
        if not item.get("date_modified"):
            problems.append(f"{where}: no date")
    return problems


def feeds_of(site: Path, name: str) -> list[Path]:
    return sorted(site.rglob(name))


def head_feeds(page: Path) -> list[tuple[str, str]]:
    """(type, href) of the page's ``<link rel="alternate">`` to feeds (rel read as tokens,
    as feed readers and browsers read it)."""
    tree = lxml_html.document_fromstring(page.read_bytes())
    return [
        (link.get("type"), link.get("href"))
        for link in tree.iterfind(".//head/link[@rel]")
        if "alternate" in link.get("rel", "").split()
        and link.get("type") in (feeds.ATOM_TYPE, feeds.JSON_FEED_TYPE)
    ]


def visible_feeds(page: Path) -> list[str]:
    tree = lxml_html.document_fromstring(page.read_bytes())
    return [a.get("href") for a in tree.iterfind(".//article//p[@class='postilla-feeds']/a")]


def resolves(page: Path, href: str) -> Path:
    return Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), href)))


# --- every feed of both sites -------------------------------------------------------------


@pytest.mark.parametrize("which", ["small_site", "corpus_site"])
def test_every_atom_feed_parses_and_leads_to_built_pages(
    which: str, request: pytest.FixtureRequest
) -> None:
    site: Path = request.getfixturevalue(which)
    found = feeds_of(site, feeds.ATOM)
    assert site / "feed.xml" in found and len(found) > 5
    problems = [f"{f.relative_to(site)}: {p}" for f in found for p in atom_problems(site, f)]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("which", ["small_site", "corpus_site"])
def test_every_json_feed_is_json_feed_1_1(which: str, request: pytest.FixtureRequest) -> None:
    site: Path = request.getfixturevalue(which)
    found = feeds_of(site, feeds.JSON_FEED)
    assert [f.with_suffix(".xml") for f in found] == feeds_of(site, feeds.ATOM)
    problems = [f"{f.relative_to(site)}: {p}" for f in found for p in json_feed_problems(site, f)]
    assert not problems, "\n".join(problems[:40])


def test_atom_and_json_feed_list_the_same_articles(corpus_site: Path) -> None:
    for atom in feeds_of(corpus_site, feeds.ATOM):
        ids = [e.id for e in feedparser.parse(atom.read_bytes()).entries]
        items = json.loads(atom.with_suffix(".json").read_text("utf-8"))["items"]
        assert ids == [item["id"] for item in items], atom


def test_the_latest_feed_is_the_newest_articles_newest_first(corpus_site: Path) -> None:
    entries = feedparser.parse((corpus_site / "feed.xml").read_bytes()).entries
    articles = list((corpus_site / "articles").iterdir())
    assert len(entries) == min(feeds.FEED_SIZE, len(articles))
    dated = [e.published_parsed for e in entries if e.get("published_parsed")]
    assert dated == sorted(dated, reverse=True) and len(dated) >= 2


def test_a_source_feed_holds_that_source_only(small_site: Path) -> None:
    parsed = feedparser.parse((small_site / "sources/example-news.it/feed.xml").read_bytes())
    assert [e.link for e in parsed.entries] == [f"{SITE_URL}articles/{MONTH_ID}/"]
    entry = parsed.entries[0]
    assert {t.term for t in entry.tags} >= {"example-news.it", "raqqa", "stato-islamico"}
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == ["https://www.example-news.it/2020/03/raqqa"]


def test_an_entity_feed_lists_every_article_naming_it(small_site: Path) -> None:
    parsed = feedparser.parse((small_site / "entities/raqqa/feed.xml").read_bytes())
    assert parsed.feed.title == "Archivio Postilla — Raqqa"
    links = {e.link.removeprefix(SITE_URL + "articles/").strip("/") for e in parsed.entries}
    assert MONTH_ID in links
    assert "2017-06-18-isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali" in links


# --- dates, titles, text ----------------------------------------------------------------


def _item(site: Path, feed: str, article_id: str) -> dict[str, object]:
    items = json.loads((site / feed).read_text("utf-8"))["items"]
    return next(i for i in items if i["id"] == f"{SITE_URL}articles/{article_id}/")


def test_dates_say_what_the_archive_knows(small_site: Path) -> None:
    month = _item(small_site, "feed.json", MONTH_ID)
    assert month["date_published"] == "2020-03-01T00:00:00Z"
    assert month["_postilla"] == {"date": "2020-03", "source": "example-news.it"}
    year = _item(
        small_site, "feed.json", "2019-un-anno-di-guerra-in-siria-raccontato-dai-testimoni"
    )
    assert year["date_published"] == "2019-01-01T00:00:00Z"
    undated = _item(small_site, "feed.json", "senza-data-mosul-e-le-macerie-della-guerra")
    assert "date_published" not in undated
    assert undated["date_modified"] == "2026-11-21T00:00:00Z"  # the day it was imported
    sputnik = _item(
        small_site, "feed.json", "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
    )
    assert sputnik["date_published"] == "2021-10-24T22:48:00+02:00"  # its published time
    entries = feedparser.parse((small_site / "feed.xml").read_bytes()).entries
    assert entries[-1].link.endswith("/senza-data-mosul-e-le-macerie-della-guerra/")
    assert "published" not in entries[-1] and entries[-1].updated.startswith("2026-11-21")


def test_a_title_with_markup_stays_text(small_site: Path) -> None:
    atom = (small_site / "feed.xml").read_bytes()
    assert b"<script>" not in atom
    entry = next(e for e in feedparser.parse(atom).entries if e.link.endswith(f"/{MONTH_ID}/"))
    assert entry.title == "Raqqa, nuovi scontri: l'ISIS & <script>alert(1)</script> «resiste»"
    assert entry.title_detail.type == "text/plain"
    item = _item(small_site, "feed.json", MONTH_ID)
    assert item["title"] == entry.title


def test_summary_is_the_description_or_the_opening(small_site: Path) -> None:
    sputnik = _item(
        small_site, "feed.json", "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
    )
    assert str(sputnik["summary"]).startswith("Il Pakistan fornisce assistenza")
    month = _item(small_site, "feed.json", MONTH_ID)
    assert "summary" not in month  # no description: the opening stands as the content
    assert str(month["content_text"]).startswith("Le forze democratiche siriane")
    assert len(str(month["content_text"])) <= feeds.SUMMARY_LIMIT + 1


# --- pages offer their feeds --------------------------------------------------------------


def test_pages_advertise_their_feeds_in_head_and_show_a_link(small_site: Path) -> None:
    pages = {
        small_site / "index.html": small_site / "feed.xml",
        small_site / "sources/example-news.it/index.html": (
            small_site / "sources/example-news.it/feed.xml"
        ),
        small_site / "entities/raqqa/index.html": small_site / "entities/raqqa/feed.xml",
    }
    for page, atom in pages.items():
        offered = head_feeds(page)
        assert [kind for kind, _ in offered] == [feeds.ATOM_TYPE, feeds.JSON_FEED_TYPE], page
        assert [resolves(page, href) for _, href in offered] == [atom, atom.with_suffix(".json")]
        shown = visible_feeds(page)
        assert [resolves(page, href) for href in shown] == [atom, atom.with_suffix(".json")]


def test_every_advertised_feed_exists_and_every_feed_is_advertised(corpus_site: Path) -> None:
    advertised = set()
    for page in corpus_site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        for _, href in head_feeds(page):
            target = resolves(page, href)
            assert target.is_file(), f"{page}: {href}"
            advertised.add(target)
    assert advertised == set(feeds_of(corpus_site, "feed.*"))


def test_pages_without_a_feed_offer_none(small_site: Path) -> None:
    entities = feeds_of(small_site, "feed.xml")
    without = [
        page
        for page in (small_site / "entities").glob("*/index.html")
        if page.parent / "feed.xml" not in entities
    ]
    assert without, "the registry has entities no article names"
    for page in [*without, small_site / "archive/index.html", small_site / "404.html"]:
        assert head_feeds(page) == [] and visible_feeds(page) == [], page


def test_feed_links_speak_the_site_language(tmp_path: Path) -> None:
    labels = {language: feeds.template_links({}, language)["label"] for language in ("it", "en")}
    assert labels == {"it": "Segui con un lettore di feed", "en": "Follow in a feed reader"}


# --- without a site address; determinism; the pure functions ------------------------------


def test_without_site_url_no_feed_is_made_and_the_build_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = empty_content(tmp_path)
    import_seeds(content)
    config = tmp_path / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("site_url:"))
    config.write_text(text.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}"), "utf-8")
    with caplog.at_level("WARNING"):
        build_site(config, content, tmp_path / "site", progress=False)
    assert feeds.NO_SITE_URL in caplog.text
    assert feeds_of(tmp_path / "site", "feed.*") == []
    assert head_feeds(tmp_path / "site" / "index.html") == []


def _archive() -> Archive:
    dated = [
        make_article(
            f"a{n:02d}",
            "Raqqa è stata liberata dallo Stato Islamico.",
            title=f"Articolo {n}",
            date=f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}",
            source="x.example.org",
            url=f"https://x.example.org/{n}",
        )
        for n in range(60)
    ]
    odd = make_article(
        "odd",
        "Testo\x07 con un carattere di controllo.",
        title="Titolo\x00 con\x1b controllo",
        author="A\x0bB",
        description="Sommario\x0c",
        date="2021-05",
    )
    entity = Entity("raqqa", "Raqqa", "place", ("Raqqa",))
    return Archive((*dated, odd), (Source("x.example.org", "X News"),), (entity,))


def test_feeds_are_capped_ordered_and_deterministic() -> None:
    archive = _archive()
    index = index_archive(archive)
    first = feeds.site_feeds(archive, index, "Archivio", SITE_URL, "it")
    second = feeds.site_feeds(archive, index, "Archivio", SITE_URL, "it")
    assert first == second
    paths = [f.path for f in first.files]
    assert paths == [
        "feed.xml",
        "feed.json",
        "sources/x.example.org/feed.xml",
        "sources/x.example.org/feed.json",
        "entities/raqqa/feed.xml",
        "entities/raqqa/feed.json",
    ]
    root = etree.fromstring(first.files[0].content)
    entries = root.findall(f"{ATOM_NS}entry")
    assert len(entries) == feeds.FEED_SIZE
    updated = [e.findtext(f"{ATOM_NS}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.findtext(f"{ATOM_NS}updated") == updated[0]
    assert set(first.links) == {"index.md", "sources/x.example.org.md", "entities/raqqa.md"}


def test_control_characters_never_reach_a_feed() -> None:
    archive = _archive()
    index = index_archive(archive)
    made = feeds.site_feeds(archive, index, "Archivio\x01", SITE_URL, "it")
    atom = made.files[0].content
    assert isinstance(atom, bytes)
    parsed = feedparser.parse(atom)
    assert not parsed.bozo
    odd = next(e for e in parsed.entries if e.id.endswith("/odd/"))
    assert (odd.title, odd.author, odd.summary) == ("Titolo con controllo", "AB", "Sommario")
    assert parsed.feed.title == "Archivio"


def test_addresses_follow_use_directory_urls() -> None:
    archive = _archive()
    made = feeds.site_feeds(
        archive, index_archive(archive), "Archivio", SITE_URL, "it", directory_urls=False
    )
    document = json.loads(made.files[3].content)
    assert document["home_page_url"] == SITE_URL + "sources/x.example.org.html"
    page = re.compile(re.escape(SITE_URL) + r"articles/a\d\d\.html")
    assert all(page.fullmatch(item["url"]) for item in document["items"]), document["items"]
    assert document["feed_url"] == SITE_URL + "sources/x.example.org/feed.json"


@pytest.mark.parametrize(
    ("fields", "published", "updated"),
    [
        ({"date": "2020-03"}, "2020-03-01T00:00:00+00:00", "2020-03-01T00:00:00+00:00"),
        ({"date": "2019"}, "2019-01-01T00:00:00+00:00", "2019-01-01T00:00:00+00:00"),
        ({"date": "2019-12-31"}, "2019-12-31T00:00:00+00:00", "2019-12-31T00:00:00+00:00"),
        (
            {"date": "2021-10-24", "published": "2021-10-24T22:48:00+02:00"},
            "2021-10-24T22:48:00+02:00",
            "2021-10-24T22:48:00+02:00",
        ),
        (
            {"date": "2021-10-24", "published": "not a time"},
            "2021-10-24T00:00:00+00:00",
            "2021-10-24T00:00:00+00:00",
        ),
        ({"date": None}, None, "2026-11-21T00:00:00+00:00"),
    ],
)
def test_dates_at_the_precision_known(
    fields: dict[str, str | None], published: str | None, updated: str
) -> None:
    article = make_article("a", "Testo.", **fields)
    found = feeds.published_at(article)
    assert (found.isoformat() if found else None) == published
    assert feeds.updated_at(article).isoformat() == updated
    assert feeds.updated_at(article).tzinfo is not None
    assert feeds.updated_at(article) <= datetime(2100, 1, 1, tzinfo=timezone.utc)


def test_the_checks_find_what_is_wrong(small_site: Path, tmp_path: Path) -> None:
    """The checks above can fail: a feed with two alternate links per entry (what
    feedgen writes unaided), an address off the site, and JSON without its fields."""
    site = tmp_path / "site"
    shutil.copytree(small_site, site)
    atom = site / "feed.xml"
    text = atom.read_text("utf-8").replace(' rel="related"', "", 1)
    # The first entry: two alternate links; the second: its page off the site.
    first_link = text.index('<link href="' + SITE_URL + "articles/")
    second_link = text.index('<link href="' + SITE_URL + "articles/", first_link + 1)
    text = text[:second_link] + text[second_link:].replace("/articles/", "/nowhere/", 1)
    atom.write_text(text, "utf-8")
    problems = atom_problems(site, atom)
    assert any("2 alternate links" in p for p in problems), problems
    assert any("not a page of the site" in p for p in problems), problems
    atom.write_text("<feed><entry>", "utf-8")
    assert any(p.startswith("feedparser") for p in atom_problems(site, atom))
    feed_json = site / "feed.json"
    document = json.loads(feed_json.read_text("utf-8"))
    del document["items"][0]["content_text"]
    document["items"][1]["date_modified"] = "2021-10-24"
    document["version"] = "https://jsonfeed.org/version/1"
    feed_json.write_text(json.dumps(document), "utf-8")
    problems = json_feed_problems(site, feed_json)
    assert len(problems) == 3, problems
