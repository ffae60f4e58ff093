"""The interface language of a built site (issue 14, F9): an English build is English and
an Italian build Italian, everywhere a reader sees Postilla's or Material's words.

The shipped archive is built twice, from temporary copies of mkdocs.yml that differ only
in ``theme.language``; every page of each site is parsed (lxml) and its interface checked:
``<html lang>``, navigation tabs and sidebar, the theme toggle, the search box and its
filters, the 404 page, the Annotate button (its file name, its select-to-annotate labels)
and the annotation template it fills. The archive's own words (the articles, the
hand-written About page) stay as written in both.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from lxml import html as lxml_html

from conftest import ROOT, one_language, snapshot
from generator import i18n
from generator.annotations import ARTICLE_PLACEHOLDER, TEMPLATE_FILE, template
from generator.build import build_site

LANGUAGES = ("en", "it")
OTHER = {"en": "it", "it": "en"}
# What Material itself says in the search box (its own translations, by theme.language).
SEARCH_PLACEHOLDER = {"en": "Search", "it": "Cerca"}
# Keys of i18n.STRINGS that make up the interface around the pages.
INTERFACE_KEYS = (
    *i18n.NAV_KEYS.values(),
    *i18n.TOGGLE_KEYS,
    "not_found",
    "not_found_text",
    "not_found_home",
    "filters",
    "filter_source",
    "filter_year",
    "filter_entity",
    "filter_annotation",
    "annotate_selection",
    "annotate_selection_title",
)
TEMPLATE_KEYS = tuple(k for k in i18n.STRINGS["en"] if k.startswith("template_"))


def words(language: str, keys: tuple[str, ...] = INTERFACE_KEYS) -> set[str]:
    """The interface strings of `language` that the other language says differently."""
    mine, theirs = i18n.STRINGS[language], i18n.STRINGS[OTHER[language]]
    return {mine[k] for k in keys if mine[k] != theirs[k]}


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@dataclass
class Built:
    language: str
    site: Path
    content: Path
    content_before: dict[str, bytes]

    @cached_property
    def pages(self) -> dict[str, lxml_html.HtmlElement]:
        return {
            p.relative_to(self.site).as_posix(): lxml_html.parse(str(p)).getroot()
            for p in sorted(self.site.rglob("*.html"))
        }

    def article_pages(self) -> dict[str, lxml_html.HtmlElement]:
        return {k: v for k, v in self.pages.items() if k.startswith("articles/")}

    def chrome(self, page: lxml_html.HtmlElement) -> list[str]:
        """Every interface string of a page outside its content: tabs, sidebar, header
        buttons, palette, search box and filters, footer."""
        found: list[str] = []
        for xpath in (
            f"//a[{has_class('md-tabs__link')}]",
            f"//nav[{has_class('md-nav')}]//*[{has_class('md-nav__link')}]",
            "//footer",
        ):
            found += [text(e) for e in page.xpath(xpath)]
        for element in page.xpath("//header//*[@title or @aria-label or @placeholder]"):
            if "md-logo" in element.get("class", ""):
                continue  # the logo is named after the site (the maintainer's own words)
            found += [
                element.get(a) for a in ("title", "aria-label", "placeholder") if element.get(a)
            ]
        for element in page.xpath("//details[@data-postilla-search-filters]"):
            found += [v for k, v in element.attrib.items() if k.startswith("data-label-")]
            found += [text(s) for s in element.xpath("./summary")]
        return found


def make_config(folder: Path, language: str) -> Path:
    """The repository's mkdocs.yml with `theme.language` set (and the theme found from
    `folder`), in that one language (no language switch): the one change between the two
    builds."""
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    assert "\n  language: it\n" in config and "\n  custom_dir: theme\n" in config
    config = config.replace("\n  language: it\n", f"\n  language: {language}\n")
    config = config.replace("\n  custom_dir: theme\n", f"\n  custom_dir: {ROOT / 'theme'}\n")
    config = one_language(config)
    path = folder / "mkdocs.yml"
    path.write_text(config, "utf-8")
    return path


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The shipped archive built in each language, each from its own copy of content/."""
    found = {}
    for language in LANGUAGES:
        folder = tmp_path_factory.mktemp(f"language-{language}")
        content = folder / "content"
        shutil.copytree(ROOT / "content", content)
        before = snapshot(content)
        build_site(make_config(folder, language), content, folder / "site", progress=False)
        found[language] = Built(language, folder / "site", content, before)
    return found


@pytest.fixture(params=LANGUAGES)
def built(request: pytest.FixtureRequest, sites: dict[str, Built]) -> Built:
    return sites[request.param]


# --- pure functions -----------------------------------------------------------------------


def test_every_interface_key_is_translated_and_differs_where_the_words_do() -> None:
    for key in (*INTERFACE_KEYS, *TEMPLATE_KEYS, "annotation_file"):
        assert i18n.STRINGS["en"][key] and i18n.STRINGS["it"][key], key
    assert "Archivio" in words("it") and "Archive" in words("en")
    assert "Home" not in words("it")  # the same in both: not a sign of the wrong language


def test_nav_titles_renames_postilla_pages_and_keeps_a_maintainers_titles() -> None:
    nav = [
        {"Home": "index.md"},
        {"Archivio": "archive/index.md"},
        {"Le nostre fonti": "sources/index.md"},  # a maintainer's own title
        {"Sezione": [{"Mappa": "map/index.md"}, {"Altro": "pages/other.md"}]},
        "entities/index.md",  # no title: MkDocs takes the page's
        {"Informazioni": "pages/about.md"},
    ]
    assert i18n.nav_titles(nav, "en") == [
        {"Home": "index.md"},
        {"Archive": "archive/index.md"},
        {"Le nostre fonti": "sources/index.md"},
        {"Sezione": [{"Map": "map/index.md"}, {"Altro": "pages/other.md"}]},
        "entities/index.md",
        {"About": "pages/about.md"},
    ]
    assert i18n.nav_titles(i18n.nav_titles(nav, "en"), "it") == nav
    assert i18n.nav_titles(None, "en") is None
    assert nav[1] == {"Archivio": "archive/index.md"}  # the input is not changed


def test_palette_names_translates_postilla_toggles_only() -> None:
    palette = [
        {"scheme": "default", "toggle": {"icon": "x", "name": "Passa al tema scuro"}},
        {"scheme": "slate", "toggle": {"icon": "y", "name": "Notte!"}},
        {"scheme": "slate"},
    ]
    assert i18n.palette_names(palette, "en") == [
        {"scheme": "default", "toggle": {"icon": "x", "name": "Switch to dark mode"}},
        {"scheme": "slate", "toggle": {"icon": "y", "name": "Notte!"}},
        {"scheme": "slate"},
    ]
    single = {"toggle": {"name": "Switch to light mode"}}
    assert i18n.palette_names(single, "it") == {"toggle": {"name": "Passa al tema chiaro"}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_annotation_template_is_in_the_language_and_still_a_valid_file(language: str) -> None:
    made = template("un-articolo", language=language)
    data = yaml.safe_load(made)
    assert data["article"] == "un-articolo"
    item = data["annotations"][0]
    assert item["kind"] == "comment"  # what the schema takes, in every language
    assert item["quote"] == i18n.STRINGS[language]["template_quote"]
    for word in words(OTHER[language], TEMPLATE_KEYS):
        assert word not in made, (language, word)
    for word in words(language, TEMPLATE_KEYS):
        assert word in made, (language, word)


# --- built sites --------------------------------------------------------------------------


def test_every_page_declares_the_build_language(built: Built) -> None:
    wrong = [p for p, page in built.pages.items() if page.get("lang") != built.language]
    assert len(built.pages) > 20
    assert not wrong, wrong


def test_navigation_tabs_and_sidebar_are_in_the_build_language(built: Built) -> None:
    expected = [
        i18n.STRINGS[built.language][key] for key in i18n.NAV_KEYS.values() if key != "home"
    ]
    for path, page in built.pages.items():
        tabs = [text(a) for a in page.xpath(f"//a[{has_class('md-tabs__link')}]")]
        assert tabs == ["Home", *expected], path


def test_no_interface_string_of_the_other_language_on_any_page(built: Built) -> None:
    foreign = words(OTHER[built.language]) | {SEARCH_PLACEHOLDER[OTHER[built.language]]}
    mine = words(built.language) | {SEARCH_PLACEHOLDER[built.language]}
    seen: set[str] = set()
    problems = []
    for path, page in built.pages.items():
        chrome = built.chrome(page)
        seen.update(chrome)
        problems += [(path, s) for s in chrome if s in foreign]
    assert not problems, problems[:10]
    # The check sees the interface: the toggle, the search box and its filters are there.
    toggles = {i18n.STRINGS[built.language][k] for k in i18n.TOGGLE_KEYS}
    filters = {i18n.STRINGS[built.language][f"filter_{n}"] for n in ("source", "year")}
    assert toggles | filters | {SEARCH_PLACEHOLDER[built.language]} <= seen & mine


def test_the_404_page_is_in_the_build_language(built: Built) -> None:
    page = built.pages["404.html"]
    strings = i18n.STRINGS[built.language]
    assert [text(h) for h in page.xpath("//h1")] == [strings["not_found"]]
    body = text(page.xpath("//article")[0])
    assert strings["not_found_text"] in body and strings["not_found_home"] in body
    for word in words(OTHER[built.language], ("not_found", "not_found_text", "not_found_home")):
        assert word not in text(page), word
    assert page.xpath("//title")[0].text.startswith(strings["not_found"])


def test_annotate_button_and_template_are_in_the_build_language(built: Built) -> None:
    strings = i18n.STRINGS[built.language]
    served = (built.site / TEMPLATE_FILE).read_text("utf-8")
    assert served == template(ARTICLE_PLACEHOLDER, language=built.language)
    buttons = [
        button
        for page in built.article_pages().values()
        for button in page.xpath(f"//a[{has_class('postilla-annotate')}]")
    ]
    assert buttons
    for button in buttons:
        assert parse_qs(urlsplit(button.get("href")).query)["filename"] == [
            strings["annotation_file"]
        ]
        assert button.get("data-select-label") == strings["annotate_selection"]
        assert button.get("data-select-title") == strings["annotate_selection_title"]


def test_building_changes_no_content(built: Built) -> None:
    assert snapshot(built.content) == built.content_before


def test_the_archives_own_words_are_the_same_in_both_builds(sites: dict[str, Built]) -> None:
    """Articles and the hand-written About page are content: the language of the
    interface does not translate them."""
    both = {language: built.site for language, built in sites.items()}
    articles = sorted(p.parent.name for p in (both["it"] / "articles").glob("*/index.html"))
    assert articles
    for name in articles:
        bodies = []
        for language in LANGUAGES:
            page = lxml_html.parse(str(both[language] / "articles" / name / "index.html"))
            body = page.getroot().xpath(f"//div[{has_class('postilla-body')}]//p")
            bodies.append([text(p) for p in body])
        assert bodies[0] == bodies[1] and bodies[0], name
    for language in LANGUAGES:
        about = lxml_html.parse(str(both[language] / "pages" / "about" / "index.html")).getroot()
        assert [text(h).rstrip("¶") for h in about.xpath("//article//h1")] == ["Informazioni"]
