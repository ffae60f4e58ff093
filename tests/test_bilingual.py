"""The site in two interface languages (issue 14, F9): the shipped mkdocs.yml lists Italian
at the root and English in ``en/`` (``extra.alternate``); ``postilla build`` builds both in
one staging folder and publishes them together.

A reader's checks on the built site: every page has its counterpart in the other language,
each in its own interface language, the articles as written in both; the switch and the
head's ``hreflang`` links go to the same page; each language has its own search index,
feeds and sitemap; no page carries the exact ``rel="alternate"`` that makes Material's
script fetch every language's sitemap. A maintainer's checks: a bad entry is refused with
``mkdocs.yml:LINE``, a failed language leaves the old site, rebuilds are incremental in
both languages, and a language removed from the list leaves the site. In Chromium: a
reader switches language on an article and back, and searches the English interface.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import ROOT, one_language, snapshot
from generator import build as build_module
from generator import i18n, languages
from generator.build import build_site
from generator.model import ContentError

SITE_URL = "https://example.github.io/postilla/"  # the shipped mkdocs.yml's


def parse(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.parse(str(path)).getroot()


def text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def pages_of(site: Path, *, subsite: str | None = None) -> dict[str, Path]:
    """The HTML pages of the root (without the subsites' folders), or of one subsite."""
    root = site / subsite if subsite else site
    found = {}
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if subsite is None and relative.split("/", 1)[0] == "en":
            continue
        found[relative] = path
    return found


def write_config(folder: Path, alternate: str | None) -> Path:
    """The repository's mkdocs.yml (theme found from `folder`), with `alternate` as its
    ``extra:`` block instead of the shipped one (None: no language switch)."""
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    config = config.replace("\n  custom_dir: theme\n", f"\n  custom_dir: {ROOT / 'theme'}\n")
    config = one_language(config)
    if alternate is not None:
        config = config.replace("\nplugins:\n", f"\n{alternate}\nplugins:\n", 1)
    path = folder / "mkdocs.yml"
    path.write_text(config, "utf-8")
    return path


BILINGUAL = """extra:
  alternate:
    - name: Italiano
      link: ./
      lang: it
    - name: English
      link: en/
      lang: en
"""


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped archive, built with the shipped mkdocs.yml (Italian and English)."""
    folder = tmp_path_factory.mktemp("bilingual")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    result = build_site(ROOT / "mkdocs.yml", content, folder / "site", strict=True, progress=False)
    assert result.warnings == 0
    return folder / "site"


# --- pure functions -----------------------------------------------------------------------


def test_read_alternates_sorts_the_root_subsites_and_other_sites(tmp_path: Path) -> None:
    value = [
        {"name": "Italiano", "link": "./", "lang": "it"},
        {"name": "English", "link": "en/", "lang": "en"},
        {"name": "Português", "link": "/pt-br/", "lang": "pt-BR"},
        {"name": "Deutsch", "link": "https://example.org/de/", "lang": "de"},
    ]
    found = languages.read_alternates(value, "it", tmp_path / "mkdocs.yml")
    assert found is not None
    assert [(a.lang, a.folder) for a in found] == [
        ("it", ""),
        ("en", "en"),
        ("pt-BR", "pt-br"),
        ("de", None),
    ]
    assert [a.folder for a in languages.subsites(found)] == ["en", "pt-br"]
    assert languages.read_alternates(None, "it", tmp_path / "mkdocs.yml") is None
    # A list without the root gets it, in theme.language, first.
    only = languages.read_alternates([value[1]], "it", tmp_path / "mkdocs.yml")
    assert only is not None and [(a.folder, a.lang) for a in only] == [("", "it"), ("en", "en")]


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"name": "X", "link": "javascript:alert(1)", "lang": "en"}, "neither the site's root"),
        ({"name": "X", "link": "../en/", "lang": "en"}, "neither the site's root"),
        ({"name": "X", "link": "en/fr/", "lang": "en"}, "neither the site's root"),
        ({"name": "X", "link": "EN/", "lang": "en"}, "neither the site's root"),
        ({"name": "X", "link": "./", "lang": "en"}, "is built in theme.language 'it'"),
        ({"name": "X", "link": "en/"}, "needs a name, a link and a lang"),
        ({"name": "", "link": "en/", "lang": "en"}, "needs a name, a link and a lang"),
        ("en/", "needs a name, a link and a lang"),
    ],
)
def test_read_alternates_refuses_what_it_cannot_build_naming_the_line(
    tmp_path: Path, entry: object, says: str
) -> None:
    link = entry.get("link", "en/") if isinstance(entry, dict) else entry
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: x\n\nextra:\n  alternate:\n    - link: {link}\n", "utf-8")
    with pytest.raises(ContentError) as raised:
        languages.read_alternates([entry], "it", config)
    message = str(raised.value)
    assert says in message
    assert f"{config}:" in message and re.search(r"mkdocs\.yml:[45]\b", message), message


def test_read_alternates_refuses_a_folder_listed_twice(tmp_path: Path) -> None:
    twice = [{"name": "A", "link": "en/", "lang": "en"}, {"name": "B", "link": "en/", "lang": "en"}]
    with pytest.raises(ContentError, match="twice"):
        languages.read_alternates(twice, "it", tmp_path / "mkdocs.yml")
    with pytest.raises(ContentError, match="must be a list"):
        languages.read_alternates({"en": "en/"}, "it", tmp_path / "mkdocs.yml")


@pytest.mark.parametrize(
    ("base_url", "root", "page_url", "link"),
    [
        (".", "en/", "", "en/"),
        ("..", "en/", "archive/", "../en/archive/"),
        ("..", "../", "archive/", "../../archive/"),
        (".", "../", "", "../"),
        ("../..", "../", "articles/x/", "../../../articles/x/"),
        ("/postilla/en/", "../", "", "/postilla/"),  # the 404 page: absolute
        ("..", "en/", "pages/about.html", "../en/pages/about.html"),  # no directory URLs
        ("..", "", "archive/", "../archive/"),
    ],
)
def test_page_link_is_the_same_page_under_the_other_root(
    base_url: str, root: str, page_url: str, link: str
) -> None:
    assert languages.page_link(base_url, root, page_url) == link


def test_switch_and_root_url() -> None:
    alternates = [
        languages.Alternate("Italiano", "it", "", "./"),
        languages.Alternate("English", "en", "en", "en/"),
        languages.Alternate("Deutsch", "de", None, "https://example.org/de/"),
    ]
    english = alternates[1]
    assert languages.root_url(SITE_URL + "en/", english) == SITE_URL
    assert languages.root_url(SITE_URL, alternates[0]) == SITE_URL
    assert languages.root_url("https://elsewhere.org/", english) is None
    assert languages.subsite_url(SITE_URL, "en") == SITE_URL + "en/"
    entries = languages.switch(alternates, english, SITE_URL)
    assert [(e["root"], e["base"], e["current"], e["external"]) for e in entries] == [
        ("../", SITE_URL, False, False),
        ("../en/", SITE_URL + "en/", True, False),
        ("https://example.org/de/", "https://example.org/de/", False, True),
    ]


# --- the built site, as readers get it -------------------------------------------------------


def test_every_page_has_its_counterpart_in_the_other_language(bilingual: Path) -> None:
    italian, english = pages_of(bilingual), pages_of(bilingual, subsite="en")
    assert len(italian) > 50
    assert set(italian) == set(english)


def test_each_folder_is_in_its_interface_language(bilingual: Path) -> None:
    for language, pages in (("it", pages_of(bilingual)), ("en", pages_of(bilingual, subsite="en"))):
        words = i18n.strings(language)
        expected = [words[key] for key in i18n.NAV_KEYS.values() if key != "about_page"]
        for relative, path in pages.items():
            page = parse(path)
            assert page.get("lang") == language, relative
            tabs = [text(a) for a in page.xpath("//a[contains(@class, 'md-tabs__link')]")]
            assert [t for t in tabs if t in expected] == expected, (relative, tabs)
            search = page.xpath("//input[contains(@class, 'md-search__input')]")
            assert (
                search and search[0].get("placeholder") == {"it": "Cerca", "en": "Search"}[language]
            ), relative


def test_articles_stay_as_written_in_both(bilingual: Path) -> None:
    italian = {k: v for k, v in pages_of(bilingual).items() if k.startswith("articles/")}
    assert italian
    for relative, path in italian.items():
        if not relative.endswith("/index.html") or relative.count("/") != 2:
            continue
        body_it = parse(path).xpath("//*[contains(@class, 'postilla-body')]")
        body_en = parse(bilingual / "en" / relative).xpath("//*[contains(@class, 'postilla-body')]")
        assert body_it and body_en, relative
        assert text(body_it[0]) == text(body_en[0]), relative
        article_en = parse(bilingual / "en" / relative).xpath("//article[@lang]")
        assert [a.get("lang") for a in article_en] == ["it"], relative  # read aloud as Italian
        h1_it = parse(path).xpath("//h1")
        h1_en = parse(bilingual / "en" / relative).xpath("//h1")
        assert [text(h) for h in h1_it] == [text(h) for h in h1_en]


def test_the_switch_and_hreflang_go_to_the_same_page(bilingual: Path) -> None:
    for folder, pages in (("", pages_of(bilingual)), ("en", pages_of(bilingual, subsite="en"))):
        for relative, path in pages.items():
            if relative == "404.html":
                continue
            page = parse(path)
            here = posixpath.join(folder, relative)
            links = page.xpath("//a[contains(@class, 'md-select__link')]")
            assert [a.get("hreflang") for a in links] == ["it", "en"], here
            assert [a.get("aria-current") for a in links].count("true") == 1, here
            current = links[0 if folder == "" else 1]
            assert current.get("aria-current") == "true", here
            for link, root in zip(links, ("", "en/"), strict=True):
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(here), link.get("href"))
                )
                expected = posixpath.normpath(root + relative)
                folder_of = posixpath.dirname(expected) or "."
                assert target in (expected, folder_of), (here, target)
                file = bilingual / target
                assert (file / "index.html").is_file() or file.is_file(), (here, target)
            heads = page.xpath("//head/link[@hreflang]")
            page_url = re.sub(r"(^|/)index\.html$", r"\1", relative)
            assert {h.get("hreflang"): h.get("href") for h in heads} == {
                "it": SITE_URL + page_url,
                "en": SITE_URL + "en/" + page_url,
            }, here
            # Never the exact rel="alternate" (Material's script would fetch a sitemap
            # beside each such link on every page); feeds and languages use " alternate".
            assert page.xpath("//link[@rel='alternate']") == [], here


def test_the_404_pages_switch_to_each_languages_home(bilingual: Path) -> None:
    for folder in ("", "en/"):
        page = parse(bilingual / folder / "404.html")
        hrefs = [a.get("href") for a in page.xpath("//a[contains(@class, 'md-select__link')]")]
        assert hrefs == ["/postilla/", "/postilla/en/"]


def test_each_language_has_its_own_search_feeds_and_sitemap(bilingual: Path) -> None:
    for folder in ("", "en/"):
        root = bilingual / folder
        assert (root / "pagefind" / "shards.json").is_file(), folder
        entries = list((root / "pagefind").glob("*/pagefind-entry.json"))
        assert entries, folder
        # The texts are Italian in both: Pagefind stems them as Italian.
        assert all('"it"' in e.read_text("utf-8") for e in entries), folder
        sitemap = etree.parse(str(root / "sitemap.xml"))
        locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert locs and all(loc.startswith(SITE_URL + folder) for loc in locs), folder
        if folder == "":
            assert not any(loc.startswith(SITE_URL + "en/") for loc in locs)
        feed = feedparser.parse((root / "feed.xml").read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert feed.entries
        assert all(e.link.startswith(SITE_URL + folder + "articles/") for e in feed.entries)
    it_feed = (bilingual / "feed.xml").read_text("utf-8")
    en_feed = (bilingual / "en" / "feed.xml").read_text("utf-8")
    assert 'xml:lang="it"' in it_feed or "<language>it" in it_feed or it_feed != en_feed


# --- a maintainer's builds -------------------------------------------------------------------


def test_a_bad_entry_is_refused_naming_the_line_and_the_site_is_kept(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    config = write_config(tmp_path, BILINGUAL)
    site = tmp_path / "site"
    build_site(config, content, site, progress=False)
    before, content_before = snapshot(site), snapshot(content)
    bad = BILINGUAL.replace("link: en/", "link: javascript:alert(1)")
    config = write_config(tmp_path, bad)
    line = config.read_text("utf-8").splitlines().index("      link: javascript:alert(1)") + 1
    with pytest.raises(ContentError) as raised:
        build_site(config, content, site, progress=False)
    assert f"mkdocs.yml:{line}:" in str(raised.value)
    assert snapshot(site) == before and snapshot(content) == content_before
    assert list(tmp_path.glob(".site.building-*")) == []


def test_a_language_folder_the_site_already_has_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    clash = BILINGUAL.replace("link: en/", "link: map/")
    with pytest.raises(ContentError, match="already has a folder 'map'"):
        build_site(write_config(tmp_path, clash), content, tmp_path / "site", progress=False)
    assert not (tmp_path / "site").exists()
    assert list(tmp_path.glob(".site.building-*")) == []


def test_a_failed_language_leaves_the_old_site_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    config = write_config(tmp_path, BILINGUAL)
    site = tmp_path / "site"
    build_site(config, content, site, progress=False)
    before = snapshot(site)
    article = next((content / "articles").glob("2021-*.md"))
    text_before = article.read_text("utf-8")
    assert "Secondo quanto riferito" in text_before
    article.write_text(text_before.replace("Secondo quanto riferito", "Secondo quanto scritto"))
    real = build_module._build_one

    def failing(*args: object, **kwargs: object) -> object:
        if args[5] is not None:  # the English subsite
            raise OSError(28, "No space left on device", str(args[2]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_build_one", failing)
    with pytest.raises(ContentError, match="no space left"):
        build_site(config, content, site, progress=False)
    assert snapshot(site) == before
    assert list(tmp_path.glob(".site.building-*")) == []


def test_rebuilds_are_incremental_in_both_languages_and_a_removed_language_goes(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    config = write_config(tmp_path, BILINGUAL)
    site = tmp_path / "site"
    first = build_site(config, content, site, progress=False)
    again = build_site(config, content, site, progress=False)
    assert again.pages == 0 < first.pages
    article = next((content / "articles").glob("*.md"))
    source = article.read_text("utf-8")
    title = re.search(r"^title: (.*)$", source, re.M)
    assert title is not None
    article.write_text(source.replace(title[0], "title: Un titolo cambiato", 1), "utf-8")
    edited = build_site(config, content, site, progress=False)
    assert 2 <= edited.pages < first.pages / 2
    for folder in ("", "en/"):
        page = parse(site / folder / "articles" / article.stem / "index.html")
        assert [text(h) for h in page.xpath("//h1")] == ["Un titolo cambiato"], folder
    single = build_site(write_config(tmp_path, None), content, site, progress=False)
    assert single.pages > 0 and not (site / "en").exists()
    assert parse(site / "index.html").xpath("//a[contains(@class, 'md-select__link')]") == []


# --- in Chromium --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(bilingual: Path) -> Iterator[str]:
    """The bilingual site served at /postilla/, as on GitHub Pages (its 404 links are
    absolute from there)."""
    from benchmarks.scale import serve

    holder = bilingual.parent / "served"
    holder.mkdir(exist_ok=True)
    if not (holder / "postilla").exists():
        (holder / "postilla").symlink_to(bilingual, target_is_directory=True)
    with serve(holder) as url:
        yield urljoin(url, "postilla/")


@pytest.mark.browser
def test_a_reader_switches_language_on_an_article_and_searches_in_english(served: str) -> None:
    from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT, Reader, search

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    article = "articles/2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis/"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport=VIEWPORT, locale="it-IT", service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        reader = Reader(context, served)
        page = reader.open(article)
        assert page.locator("html").get_attribute("lang") == "it"
        page.locator(".md-select button").first.hover()
        page.get_by_role("link", name="English").click()
        page.wait_for_url(urljoin(served, "en/" + article))
        assert page.locator("html").get_attribute("lang") == "en"
        playwright_api.expect(page.locator(".md-tabs__link").nth(1)).to_have_text("Archive")
        # The texts stay Italian, and Pagefind stems them so: "talebano" finds "talebani".
        found = search(page, "talebano")
        assert urljoin(served, "en/" + article) in found, found
        page.keyboard.press("Escape")  # the search dialog closed
        page.locator(".md-select button").first.hover()
        page.get_by_role("link", name="Italiano").click()
        page.wait_for_url(urljoin(served, article))
        assert page.locator("html").get_attribute("lang") == "it"
        reader.assert_clean()
        sitemaps = [u for u in requested if urlsplit(u).path.endswith("sitemap.xml")]
        assert sitemaps == [], "the switch needs no sitemap"
        browser.close()


@pytest.mark.parametrize(("command", "switch"), [("build", True), ("serve", False)])
def test_the_server_shows_no_switch_to_a_language_it_does_not_build(
    command: str, switch: bool
) -> None:
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(ROOT / "content"))
    plugin = config.plugins["postilla"]
    plugin.on_startup(command=command, dirty=False)
    config = plugin.on_config(config)
    assert config.extra["alternate"] is None  # Material's own switch: never
    languages_shown = config.extra["postilla_languages"]
    assert bool(languages_shown) is switch
    if switch:
        assert [entry["lang"] for entry in languages_shown] == ["it", "en"]
