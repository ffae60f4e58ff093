"""A reader's view: the shipped archive, built and opened in headless Chromium.

The site is built from the repository's own ``content/`` into a temporary folder, served
on 127.0.0.1 and read with Debian's Chromium (``/usr/bin/chromium``; no browser is ever
downloaded). Nothing leaves the machine: requests to any other host are stubbed
(``api.github.com``, which Material asks for the repository's facts) or aborted, and
every one of them is recorded.

Run only these with ``python -m pytest -m browser``; skip them with ``-m "not browser"``.
Without Chromium they are skipped, except in CI (``CI`` set), where they fail instead.
Set ``POSTILLA_SCREENSHOTS=DIR`` to keep the screenshots (``home.png``, ``article.png``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from benchmarks.scale import serve
from generator.build import build_site

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Locator,
        Page,
        Route,
        expect,
        sync_playwright,
    )
    from playwright.sync_api import Error as PlaywrightError
except ImportError as exc:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise ImportError(
            "the browser tests need the playwright package (pip install -e '.[test]');"
            " CI is set, so they may not be skipped"
        ) from exc
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
# Hosts the site may ask for, answered with a stub; any other outside host is aborted.
STUBBED_HOSTS = {"api.github.com": "{}"}
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

SITE_NAME = "Archivio Postilla"
SPUTNIK_TITLE = "WP: Pakistan aiuta i talebani nella lotta contro l'ISIS"
SPUTNIK_PATH = "articles/2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis/"
SPUTNIK_URL = "https://it.sputniknews.com/20211024/wp-pakistan-aiuta-i-talebani-nella-lotta-contro-lisis-13446269.html"
BLOG_TITLE = "ISIS ha iniziato il trasferimento dei suoi quartier generali dalla loro capitale…"
BLOG_PATH = "articles/isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali-dalla-loro/"


def _cannot_run(reason: str) -> None:
    """Skip on a developer's machine; in CI the browser tests must run, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} — CI is set, so the browser tests may not be skipped", pytrace=False)
    pytest.skip(reason)


# --- the site, built and served ------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped archive (the repository's content/), built into a temporary folder."""
    target = tmp_path_factory.mktemp("browser") / "site"
    build_site(ROOT / "mkdocs.yml", ROOT / "content", target, progress=False)
    assert (target / "index.html").is_file()
    return target


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The built site, served on 127.0.0.1 from a background thread."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        _cannot_run(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as exc:
            _cannot_run(f"Chromium at {CHROMIUM} would not start: {exc}")
        try:
            yield launched
        finally:
            launched.close()


# --- a reader: one page, with every outside request and every error recorded ----------


class Reader:
    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.base_url = base_url
        self.outside: list[str] = []  # requests to a host other than 127.0.0.1
        self.errors: list[str] = []  # console errors and uncaught page errors
        self.visited: list[str] = []
        context.route(lambda url: urlsplit(url).hostname != LOCAL_HOST, self._outside)
        self.page: Page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on(
            "framenavigated",
            lambda frame: self.visited.append(frame.url) if frame.parent_frame is None else None,
        )

    def _outside(self, route: Route) -> None:
        url = route.request.url
        self.outside.append(url)
        body = STUBBED_HOSTS.get(urlsplit(url).hostname or "")
        if body is None:
            route.abort()
        else:
            route.fulfill(
                status=200,
                content_type="application/json",
                headers={"Access-Control-Allow-Origin": "*"},
                body=body,
            )

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"console error on {self.page.url} ({where}): {message.text}")

    def open(self, path: str = "") -> Page:
        self.page.goto(urljoin(self.base_url, path), wait_until="load")
        return self.page

    def assert_clean(self) -> None:
        """No errors on any page visited, and no outside request but the stubbed ones."""
        self.page.wait_for_load_state("networkidle")
        assert self.errors == [], f"errors while visiting {self.visited}:\n" + "\n".join(
            self.errors
        )
        unexpected = [u for u in self.outside if urlsplit(u).hostname not in STUBBED_HOSTS]
        assert unexpected == [], f"the site asked for outside addresses: {unexpected}"


@pytest.fixture
def reader(browser: Browser, base_url: str) -> Iterator[Reader]:
    context = browser.new_context(
        viewport=VIEWPORT, locale="it-IT", color_scheme="light", service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield Reader(context, base_url)
    finally:
        context.close()


# --- helpers ---------------------------------------------------------------------------


def meta(page: Page, label: str) -> Locator:
    """The value (dd) of the metadata panel's entry named `label` (dt)."""
    return page.locator(
        f"xpath=//dl[contains(@class, 'postilla-meta')]/dt[normalize-space()='{label}']"
        "/following-sibling::dd[1]"
    )


def save_screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot in tmp_path, and in $POSTILLA_SCREENSHOTS when that is set."""
    page.wait_for_load_state("networkidle")
    # From the top: Material hides its tabs and re-titles its header once a page scrolls.
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.locator(".md-tabs")).to_be_visible()
    expect(page.locator(".md-header__topic").first).to_be_visible()
    page.wait_for_timeout(300)  # the header's transitions
    shot = tmp_path / name
    data = page.screenshot(path=shot, full_page=True)
    folder = os.environ.get("POSTILLA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)
    return shot


def search(page: Page, query: str) -> list[str]:
    """Type `query` into the header's search box as a reader would; the addresses found.

    The box searches at every keystroke; the result list says which query it answers
    (``data-query``), so this waits for the answer to the whole query.
    """
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-header__button[for='__search']").first.click()
    box.click()
    box.fill("")
    box.press_sequentially(query, delay=20)
    page.wait_for_function(  # any query, apostrophes too (a CSS selector could not quote it)
        "q => document.querySelector('[data-postilla-search-result]').dataset.query === q",
        arg=query,
        timeout=TIMEOUT_MS,
    )
    links = page.locator(".md-search-result__item a.md-search-result__link")
    return [h.split("?")[0].split("#")[0] for h in links.evaluate_all("as => as.map(a => a.href)")]


def open_removed_lines(page: Page, count: int) -> Locator:
    """The collapsed "Rimosso dalla pulizia" panel, checked closed, then opened by a click."""
    removed = page.locator("details.postilla-removed")
    expect(removed).to_have_count(1)
    summary = removed.locator("summary")
    expect(summary).to_have_text(f"Rimosso dalla pulizia ({count} righe)")
    lines = removed.locator("ol > li")
    expect(lines).to_have_count(count)
    assert removed.evaluate("d => d.open") is False
    expect(lines.first).to_be_hidden()
    summary.click()
    expect(removed).to_have_attribute("open", "")
    expect(lines.first).to_be_visible()
    return lines


# --- the tests -----------------------------------------------------------------------


def test_home_to_the_sputnik_article(reader: Reader, tmp_path: Path) -> None:
    page = reader.open()
    expect(page).to_have_title(SITE_NAME)
    expect(page.locator(".md-header__title")).to_contain_text(SITE_NAME)
    expect(page.locator("article h1")).to_contain_text(SITE_NAME)
    expect(page.locator("h2#ultimi-articoli")).to_contain_text("Ultimi articoli")
    latest = page.locator("h2#ultimi-articoli + ul > li > a")
    expect(latest).to_have_count(2)
    expect(latest).to_have_text([SPUTNIK_TITLE, BLOG_TITLE])
    save_screenshot(page, tmp_path, "home.png")

    page.get_by_role("link", name=SPUTNIK_TITLE, exact=True).first.click()
    expect(page).to_have_url(urljoin(reader.base_url, SPUTNIK_PATH))
    expect(page.locator("article.postilla-article h1")).to_have_text(SPUTNIK_TITLE)

    # The metadata panel.
    expect(page.locator("dl.postilla-meta")).to_be_visible()
    publisher = meta(page, "Editore").locator("a")
    expect(publisher).to_have_text("Sputnik Italia")
    assert publisher.evaluate("a => a.href") == urljoin(
        reader.base_url, "sources/it.sputniknews.com/"
    )
    expect(meta(page, "Data")).to_have_text("24 ottobre 2021")
    original = meta(page, "Originale").locator("a")
    expect(original).to_have_attribute("href", SPUTNIK_URL)
    rel = (original.get_attribute("rel") or "").split()
    assert "noopener" in rel and "nofollow" in rel, rel
    digest = meta(page, "SHA-256").locator("code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest), digest
    raw_link = meta(page, "SHA-256").get_by_role("link", name="Testo grezzo")
    raw = page.request.get(raw_link.evaluate("a => a.href"))
    assert raw.status == 200
    assert raw.headers["content-type"].startswith("text/plain"), raw.headers["content-type"]
    assert hashlib.sha256(raw.body()).hexdigest() == digest, (
        "the SHA-256 shown is not the raw file's"
    )
    assert SPUTNIK_TITLE in raw.text()

    # The article's text: its own paragraphs, the teaser and the footnote kept out of it.
    body = page.locator(".postilla-body")
    paragraphs = [p.strip() for p in body.locator("p").all_inner_texts()]
    assert any(p.startswith("A quanto si apprende") for p in paragraphs), paragraphs
    body_text = body.inner_text()
    assert "riporta il..." not in body_text, "the teaser came back into the body"
    assert "Organizzazioni terroristiche" not in body_text, "the footnote is glued to the body"
    footnotes = page.locator(".postilla-footnotes")
    expect(footnotes).to_be_visible()
    expect(footnotes).to_have_text(
        re.compile(r"^\s*\*Organizzazioni terroristiche estremiste illegali in Russia")
    )

    # What the cleaning removed: collapsed until the reader opens it.
    lines = open_removed_lines(page, 7)
    expect(lines.nth(0)).to_contain_text(
        "date 2021-10 https://it.sputniknews.com/20211024/wp-pakistan"
    )
    expect(lines.filter(has_text="2021-10-24T22:48+0200")).to_have_count(3)
    expect(lines.filter(has_text="Talebani* salito al potere")).to_have_count(1)
    summary = page.locator("details.postilla-removed summary")
    summary.click()  # close it again for the screenshot
    expect(lines.first).to_be_hidden()
    save_screenshot(page, tmp_path, "article.png")
    reader.assert_clean()


def test_search_finds_the_article(reader: Reader) -> None:
    page = reader.open()
    article = urljoin(reader.base_url, SPUTNIK_PATH)
    found = search(page, "talebani")
    assert article in found, f"searching 'talebani' found {found}"
    hit = page.locator(f".md-search-result__item a[href*='{SPUTNIK_PATH}']").first
    expect(hit).to_contain_text(SPUTNIK_TITLE)
    hit.click()
    expect(page).to_have_url(re.compile("^" + re.escape(article)))
    expect(page.locator("article.postilla-article h1")).to_have_text(SPUTNIK_TITLE)
    reader.assert_clean()


def test_search_finds_another_inflection(reader: Reader, site: Path) -> None:
    """Italian stemming: "talebano" finds the article that only says "talebani"."""

    def indexed_text(path: Path) -> str:
        """The article's body text, as the search index holds it (tags removed)."""
        html = path.read_text(encoding="utf-8")
        body = html[html.index('<div class="postilla-body">') :]
        return re.sub(r"<[^>]+>", "", body[: body.index("</div>")])

    spelled = {
        w.lower()
        for path in (site / "articles").rglob("*.html")
        for w in re.findall(r"taleban\w*", indexed_text(path), re.I)
    }
    assert "talebano" not in spelled, spelled  # so this is a check of inflection, not of spelling
    page = reader.open()
    found = search(page, "talebano")
    article = urljoin(reader.base_url, SPUTNIK_PATH)
    assert article in found, f"searching 'talebano' found {found or 'nothing'}"
    expect(page.locator(".md-search-result__meta")).to_have_text("1 documento trovato")
    expect(page.locator(".md-search-result__item mark").first).to_have_text("talebani")
    reader.assert_clean()


def test_search_filters_narrow_the_results(reader: Reader) -> None:
    """The filters' values are fetched only when the reader opens them; a source then
    narrows a query that both articles answer to the one from that source."""
    page = reader.open()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    both = {urljoin(reader.base_url, SPUTNIK_PATH), urljoin(reader.base_url, BLOG_PATH)}
    assert both <= set(search(page, "ISIS"))
    assert not [u for u in fetched if "/filter/" in u], "filters loaded unasked"

    page.locator("[data-postilla-search-filters] summary").click()
    source = page.locator("select[data-filter=source]")
    expect(source.locator("option")).to_have_count(3)  # every source, and "all"
    expect(source.locator("option").first).to_contain_text("Fonte")
    assert [u for u in fetched if "/filter/" in u], "the filters were not fetched"
    source.select_option("Sputnik Italia")
    expect(page.locator(".md-search-result__meta")).to_have_text("1 documento trovato")
    links = page.locator(".md-search-result__item a.md-search-result__link")
    expect(links).to_have_count(1)
    assert (
        links.first.get_attribute("href", timeout=TIMEOUT_MS)
        .split("?")[0]
        .endswith(  # type: ignore[union-attr]
            SPUTNIK_PATH
        )
    )
    source.select_option("")
    expect(page.locator(".md-search-result__item")).to_have_count(len(both))
    reader.assert_clean()


def test_the_undated_blog_article(reader: Reader) -> None:
    page = reader.open()
    page.get_by_role("link", name=BLOG_TITLE, exact=True).first.click()
    expect(page).to_have_url(urljoin(reader.base_url, BLOG_PATH))
    expect(page.locator("article.postilla-article h1")).to_have_text(BLOG_TITLE)
    expect(page.locator(".postilla-derived-title")).to_contain_text("titolo ricavato dal testo")
    expect(meta(page, "Editore").locator("a")).to_have_text("Ancora fischia il vento")
    expect(meta(page, "Data")).to_have_text("data sconosciuta")
    expect(meta(page, "Autore")).to_have_text("L.M.")
    original = meta(page, "Originale").locator("a")
    expect(original).to_have_attribute(
        "href", re.compile(r"^https://www\.ancorafischiailvento\.org/")
    )
    expect(page.locator(".postilla-footnotes")).to_have_count(0)
    body_text = page.locator(".postilla-body").inner_text()
    assert body_text.startswith("ISIS ha iniziato il trasferimento"), body_text[:80]
    assert "cookie" not in body_text and "Lascia un commento" not in body_text

    lines = open_removed_lines(page, 9)
    banner = page.locator("details.postilla-removed dt", has_text="cookie-banner")
    expect(banner).to_contain_text("banner dei cookie")  # the reason, said once for the group
    expect(
        page.locator("details.postilla-removed dt:has-text('cookie-banner') + dd li")
    ).to_have_count(5)
    expect(
        lines.filter(has_text="Questo sito utilizza cookie tecnici e di profilazione.")
    ).to_have_count(1)
    expect(lines.filter(has_text="Lascia un commento")).to_have_count(1)
    expect(lines.filter(has_text="Di L.M.")).to_have_count(1)
    reader.assert_clean()
