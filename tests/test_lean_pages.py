"""The lean article page (issue 15): byte budgets of built pages, and the chrome a reader
still gets (one <h1>, tabs, drawer navigation, search box, light/dark toggle).

"Chrome" is `benchmarks.pages.chrome_bytes`: an article page's bytes outside its
``<article class="postilla-article">`` element (head, header, tabs, drawer, footer,
scripts). Byte sizes of built pages are deterministic, so they are asserted here; times
are not (``python -m benchmarks.pages SITE`` prints the figures).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import material
import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from benchmarks.pages import article_pages, article_span, chrome_bytes
from conftest import ROOT

# Measured on the corpus site: 15.4 KB before the lean templates, 11.0-11.3 KB after, then
# 11.6-12.1 KB with the language switch and its two hreflang links (issue 14, F9). Issue
# 15's target, 6 KB, is not met: see BENCHMARKS.md. A budget a regression fails. The
# largest chrome had grown to 12,337 bytes (over the first pass's 12,300); the language
# switch and the sidebars without whitespace (round 2) bring it to 12,306.
CHROME_BUDGET = 12_310
# The median article page of the corpus site: 20.5 KB, then 19.3 KB once the Cite block's
# BibTeX and CSL-JSON were loaded from cite.bib and cite.json when it is opened (issue 15,
# round 2). Issue 15's target, 12 KB, is not met: see BENCHMARKS.md.
MEDIAN_PAGE_BUDGET = 19_400
PAGE_BUDGET = 500_000  # no page of the site over this (issue 15)
SPRITE = ROOT / "theme" / "assets" / "postilla-icons.svg"
MATERIAL_ICONS = Path(material.__file__).parent / "templates" / ".icons" / "material"
SVG_NS = "{http://www.w3.org/2000/svg}"
DRAWER = "//nav[contains(@class, 'md-nav--primary')]"
PALETTE = "//header//form[@data-md-component='palette']"


def nav_titles() -> list[str]:
    """The top-level titles of mkdocs.yml's nav, as tabs and drawer show them."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    return [next(iter(item)) for item in config["nav"]]


@pytest.fixture(scope="module")
def pages(corpus_site: Path) -> dict[str, bytes]:
    """Every article page of the corpus site, by its path in the site."""
    found = {str(p.relative_to(corpus_site)): p.read_bytes() for p in article_pages(corpus_site)}
    assert len(found) > 10
    return found


def test_chrome_of_every_article_page_is_within_budget(pages: dict[str, bytes]) -> None:
    over = {path: chrome_bytes(page) for path, page in pages.items()}
    over = {path: size for path, size in over.items() if size > CHROME_BUDGET}
    assert over == {}


def test_the_median_article_page_is_within_budget(pages: dict[str, bytes]) -> None:
    sizes = sorted(len(page) for page in pages.values())
    assert statistics.median(sizes) <= MEDIAN_PAGE_BUDGET, sizes


def test_article_pages_do_not_carry_the_cite_files_texts(
    corpus_site: Path, pages: dict[str, bytes]
) -> None:
    """The Cite block's BibTeX and CSL-JSON are files beside the page, loaded when the
    reader opens the block: the page holds their links and empty code blocks only."""
    for path, page in pages.items():
        folder = corpus_site / path.rsplit("/", 1)[0]
        bib = (folder / "cite.bib").read_bytes()
        assert bib.startswith(b"@") and bib.split(b"\n")[0] not in page, path
        assert b'"archive_location"' not in page, path
        assert page.count(b'data-src="cite.') == 2, path


def test_no_page_of_the_site_is_over_500_kb(corpus_site: Path) -> None:
    large = {
        str(p.relative_to(corpus_site)): p.stat().st_size
        for p in corpus_site.rglob("*.html")
        if p.stat().st_size > PAGE_BUDGET
    }
    assert large == {}


def test_chrome_is_measured_around_the_whole_article_with_its_nested_articles() -> None:
    page = (
        b"<html><head></head><body><header>h</header>"
        b'<article class="postilla-article"><h1>T</h1><article class="postilla-note">n</article>'
        b"<p>tail</p></article><footer>f</footer></body></html>"
    )
    start, end = article_span(page) or (0, 0)
    assert page[start:end].endswith(b"<p>tail</p></article>")
    assert chrome_bytes(page) == len(
        b"<html><head></head><body><header>h</header><footer>f</footer></body></html>"
    )
    assert chrome_bytes(b"<p>no article</p>") == len(b"<p>no article</p>")


def test_every_article_page_keeps_materials_chrome(pages: dict[str, bytes]) -> None:
    titles = nav_titles()
    problems = []
    for path, page in pages.items():
        tree = lxml_html.fromstring(page)
        checks = {
            "one <h1>": len(tree.findall(".//h1")) == 1,
            "the tabs": [
                a.text_content().strip()
                for a in tree.xpath("//nav[@class='md-tabs']//a[@class='md-tabs__link']")
            ]
            == titles,
            "the drawer navigation": [
                a.text_content().strip()
                for a in tree.xpath(f"{DRAWER}/ul/li/a[@class='md-nav__link']")
            ]
            == titles,
            "the drawer's toggle": bool(tree.xpath("//header//label[@for='__drawer']")),
            "the search box": bool(tree.xpath("//header//input[@class='md-search__input']")),
            "the search button": bool(tree.xpath("//header//label[@for='__search']")),
            "the palette toggle": len(tree.xpath(f"{PALETTE}/input[@name='__palette']")) == 2
            and len(tree.xpath(f"{PALETTE}/label")) == 2,
            "Material's config": bool(tree.xpath("//script[@id='__config']")),
        }
        problems += [f"{path}: no {name}" for name, ok in checks.items() if not ok]
    assert problems == []


def test_chrome_icons_come_from_the_sprite_and_exist_in_it(
    corpus_site: Path, pages: dict[str, bytes]
) -> None:
    sprite = etree.parse(str(corpus_site / "assets" / "postilla-icons.svg")).getroot()
    symbols = {s.get("id") for s in sprite.iter(f"{SVG_NS}symbol")}
    for path, page in pages.items():
        span = article_span(page) or (0, 0)
        chrome = page[: span[0]] + page[span[1] :]
        assert b"<path" not in chrome, f"{path}: an icon inlined in the chrome"
        used = re.findall(rb'<use href="([^"#]*)#([^"]+)"', chrome)
        assert used, path
        for file, name in used:
            assert file.endswith(b"assets/postilla-icons.svg"), (path, file)
            assert name.decode() in symbols, (path, name)


def test_sprite_symbols_are_materials_icons() -> None:
    """The sprite holds Material's own drawings, so the icons look as Material's do."""
    for symbol in etree.parse(str(SPRITE)).getroot().iter(f"{SVG_NS}symbol"):
        icon = etree.parse(str(MATERIAL_ICONS / f"{symbol.get('id')}.svg")).getroot()
        assert symbol.get("viewBox") == icon.get("viewBox")
        assert [p.get("d") for p in symbol] == [p.get("d") for p in icon], symbol.get("id")


def test_pages_load_materials_scripts_from_one_cached_file(pages: dict[str, bytes]) -> None:
    """Material's inline head and palette scripts are in assets/postilla-head.js."""
    for path, page in pages.items():
        head = page[: page.index(b"</head>")]
        assert re.search(rb'<script src="[./]*assets/postilla-head\.js"></script>', head), path
        assert b"__md_scope=" not in page, path
        assert b"<script>__md_palette()</script>" in page, path
        config = re.search(rb'<script id="__config" type="application/json">(.*?)</script>', page)
        assert config and b"search.result" not in config[1], path
