"""What a reader sees is accessible: axe-core on one page of every kind, light and dark.

The shipped archive (``shipped_site``, the repository's ``content/``) is served on 127.0.0.1
under the path of its ``site_url`` (``/postilla/``: the 404 page's links are absolute) and
opened in Debian's Chromium as in ``test_browser.py``, whose Chromium fixture and reader this
module reuses (nothing leaves the machine). On each page axe-core (npm's ``axe-core``,
installed by ``scripts/test``) runs with all its rules, in Material's light palette
(``default``) and its dark one (``slate``, chosen by Material from the reader's
``prefers-color-scheme``). A critical or serious violation fails the test when any of its
elements is Postilla's (``POSTILLA``: the page's content and anything with a ``postilla-``
class), and also when it is in Material's chrome but not in ``MATERIAL``, the commented list
of Material's own known violations, which are each checked to appear on a plain Material site
(``material_site`` of ``test_site_validator.py``) so that the list cannot hide Postilla's.

``test_postilla_colours`` measures the colours ``theme/assets/postilla.css`` adds that no
page of the shipped archive shows (every annotation kind and verdict, the highlights' edges)
against WCAG AA in both palettes.

Without Chromium or ``node_modules/axe-core`` these tests are skipped, except in CI (``CI``
set), where they fail instead.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import test_browser  # skips this module (or, in CI, fails it) when Playwright is missing
import test_site_validator
import yaml
from test_browser import ROOT, SPUTNIK_PATH, Browser, Page, Reader, _cannot_run

from benchmarks.scale import serve

pytestmark = pytest.mark.browser

browser = test_browser.browser  # Debian's Chromium, launched once for the module
material_site = test_site_validator.material_site  # the plain Material site (the baseline)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme → Material's palette
FAILING = ("critical", "serious")

# One page of every kind, in the shipped archive.
PAGES = {
    "home": "",
    "archive year": "archive/2021/",
    "source": "sources/it.sputniknews.com/",
    "article with annotations": SPUTNIK_PATH,
    "article, a note open": SPUTNIK_PATH,  # the popover a highlight opens (NOTE_OPEN)
    "entity": "entities/raqqa/",
    "map": "map/",
    "attention comparison": "attention/",
    "entities index": "entities/",
    "annotations index": "annotations/",
    "tag": "annotations/tags/raqqa/",
    "orphaned annotations": "annotations/orphaned/",
    "about": "pages/about/",
    "404": "404.html",
    "search, results and filters open": "",  # the header's search box in use (SEARCH_OPEN)
}

NOTE_OPEN = "article, a note open"
SEARCH_OPEN = "search, results and filters open"

# What Postilla puts on a page: the page's content (every generated page and the 404 page are
# Postilla's), anything with a postilla- class, the search box's filters and results.
POSTILLA = (
    ".md-content, [class*='postilla-'], [data-postilla-search-filters],"
    " [data-postilla-search-result]"
)

# Material's own violations: (axe rule, the chrome it is in, why). Each is on a plain Material
# site too (test_the_allowed_violations_are_materials_own).
MATERIAL = (
    # The tabs under the header: Material draws their links at 70% opacity (#c6cbe9) on the
    # primary colour (indigo, #4051b5), 4.28:1 where 4.5:1 is needed, in both palettes.
    ("color-contrast", ".md-tabs__link", "Material's navigation tabs (70% white on indigo)"),
    # The footer's "Made with Material for MkDocs" line: #7f7f7f on #171717, 4.47:1.
    ("color-contrast", ".md-copyright", "Material's footer credit (grey on near-black)"),
    # Material's search box (its partials/search.html) is a div with role="dialog" and no
    # accessible name. Postilla's copy of the partial names it; the plain site still has it.
    ("aria-dialog-name", ".md-search", "Material's search box: role=dialog without a name"),
)

CLASSIFY = """
async ([allowed, ours]) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const found = [];
  for (const violation of result.violations) {
    for (const node of violation.nodes) {
      const element = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
      found.push({
        rule: violation.id,
        impact: node.impact || violation.impact,
        target: node.target.join(" "),
        html: node.html.slice(0, 200),
        summary: (node.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
        postilla: Boolean(element && element.closest(ours)),
        allowed: element
          ? allowed.findIndex(([rule, chrome]) => rule === violation.id && element.closest(chrome))
          : -1,
      });
    }
  }
  return found;
}
"""


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.is_file():
        _cannot_run(f"{AXE.relative_to(ROOT)} not found (npm ci)")
    return AXE


def _served(site: Path, config: Path) -> Iterator[str]:
    """`site` served under the path of its site_url, as on GitHub Pages; the page's base."""
    site_url = yaml.safe_load(config.read_text("utf-8")).get("site_url") or "/"
    prefix = urlsplit(site_url).path.strip("/")
    if not prefix:
        with serve(site) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / prefix).parent.mkdir(parents=True, exist_ok=True)
        (Path(root) / prefix).symlink_to(site.resolve(), target_is_directory=True)
        with serve(Path(root)) as url:
            yield urljoin(url, prefix + "/")


@pytest.fixture(scope="module")
def shipped_url(shipped_site: Path) -> Iterator[str]:
    yield from _served(shipped_site, ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def material_url(material_site: Path) -> Iterator[str]:
    yield from _served(material_site, material_site.parent / "mkdocs.yml")


def _open(browser: Browser, url: str, mode: str) -> tuple[Reader, Page]:
    """A page in `mode`, checked to be drawn in Material's palette for that mode."""
    context = browser.new_context(
        viewport=test_browser.VIEWPORT,
        locale="it-IT",
        color_scheme=mode,  # type: ignore[arg-type]
        service_workers="block",
    )
    context.set_default_timeout(test_browser.TIMEOUT_MS)
    reader = Reader(context, url)
    page = reader.open(url)
    scheme = SCHEMES[mode]
    page.wait_for_function(f"document.body.dataset.mdColorScheme === '{scheme}'")
    page.wait_for_load_state("networkidle")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark = _luminance(_rgba(background)) < 0.1
    assert dark == (mode == "dark"), f"{url} in {mode} mode has a {background} background"
    return reader, page


def _audit(page: Page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    allowed = [[rule, chrome] for rule, chrome, _ in MATERIAL]
    return page.evaluate(CLASSIFY, [allowed, POSTILLA])


def _describe(node: dict) -> str:
    return f"  {node['impact']} {node['rule']} at {node['target']}: {node['html']}\n    {node['summary']}"


@pytest.mark.parametrize("mode", list(SCHEMES))
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_kind_of_page_is_accessible(
    browser: Browser, shipped_url: str, axe_source: Path, kind: str, mode: str
) -> None:
    reader, page = _open(browser, urljoin(shipped_url, PAGES[kind]), mode)
    try:
        if kind == NOTE_OPEN:  # as a keyboard user opens it: the highlight, then Enter
            page.locator("mark.postilla-annotation").first.focus()
            page.keyboard.press("Enter")
            page.locator(".postilla-popover").wait_for()
        if kind == SEARCH_OPEN:  # a query with results, then the filters' menus
            assert test_browser.search(page, "talebani"), "the search found nothing"
            page.locator("[data-postilla-search-filters] summary").click()
            page.locator(".postilla-search-filter-menus select").first.wait_for()
            page.wait_for_load_state("networkidle")
        found = _audit(page, axe_source)
    finally:
        page.context.close()
    counts = Counter(
        ("Postilla" if n["postilla"] else "Material", n["impact"]) for n in found
    )  # shown with -s or -rA
    below = sorted({f"{n['impact']} {n['rule']}" for n in found if n["postilla"]})
    print(
        f"{kind} ({mode}): "
        + ", ".join(f"{w} {i}: {c}" for (w, i), c in sorted(counts.items()))
        + (f" — Postilla's: {', '.join(below)}" if below else "")
    )
    failing = [n for n in found if n["impact"] in FAILING]
    postilla = [n for n in failing if n["postilla"]]
    unlisted = [n for n in failing if not n["postilla"] and n["allowed"] < 0]
    assert postilla == [], (
        f"{len(postilla)} serious or critical violations in Postilla's parts of the {kind} page"
        f" ({mode}):\n" + "\n".join(map(_describe, postilla))
    )
    assert unlisted == [], (
        f"violations in Material's chrome that MATERIAL does not list ({kind}, {mode}):\n"
        + "\n".join(map(_describe, unlisted))
    )


def test_the_allowed_violations_are_materials_own(
    browser: Browser, material_url: str, axe_source: Path
) -> None:
    """Every entry of MATERIAL is found on a plain Material site, which has no serious or
    critical violation the list does not describe."""
    seen: Counter[int] = Counter()
    unlisted = []
    for mode in SCHEMES:
        for path in ("", "flat/", "outside/", "404.html"):
            _, page = _open(browser, urljoin(material_url, path), mode)
            try:
                found = [n for n in _audit(page, axe_source) if n["impact"] in FAILING]
            finally:
                page.context.close()
            seen.update(n["allowed"] for n in found)
            unlisted += [f"{path} ({mode}): {_describe(n)}" for n in found if n["allowed"] < 0]
    print(f"plain Material: {sum(seen.values())} serious or critical violations")
    assert unlisted == [], "Material's violations MATERIAL does not list:\n" + "\n".join(unlisted)
    missing = [why for index, (_, _, why) in enumerate(MATERIAL) if seen[index] == 0]
    assert missing == [], "listed as Material's, but not on a plain Material site"


# --- the colours postilla.css adds, measured in the browser in both palettes ----------------

# Elements made with Postilla's classes, appended to an article page's content: every kind of
# annotation and verdict, whether or not the shipped archive has one.
KINDS = ("comment", "context", "fact-check", "correction", "question")
VERDICTS = ("true", "false", "misleading", "unverified")
SAMPLES = (
    "".join(
        f'<span class="postilla-kind postilla-kind--{k}" data-sample="kind">{k}</span>'
        for k in KINDS
    )
    + "".join(
        f'<span class="postilla-verdict postilla-verdict--{v}" data-sample="kind">{v}</span>'
        for v in VERDICTS
    )
    + "".join(
        f'<p><mark class="postilla-annotation postilla-annotation--{k}" data-sample="mark">q'
        f' <a href="#x" data-sample="tint-link">link</a></mark></p>'
        for k in KINDS
    )
    + '<dl class="postilla-meta" data-sample="panel"><dt data-sample="muted">Data</dt>'
    '<dd><a href="#x" data-sample="tint-link">link</a></dd></dl>'
    + '<a class="md-button postilla-annotate" href="#x" data-sample="button">Annota</a>'
)
MEASURE = """
(samples) => {
  const box = document.createElement("div");
  box.innerHTML = samples;
  document.querySelector(".md-content .md-typeset").append(box);
  const style = (e) => getComputedStyle(e);
  const backdrop = (e) => {
    // The first opaque background behind `e`, and the translucent ones on top of it.
    const layers = [];
    for (let at = e; at; at = at.parentElement) {
      layers.push(style(at).backgroundColor);
    }
    return layers;
  };
  return Array.from(box.querySelectorAll("[data-sample]")).map((e) => ({
    sample: e.dataset.sample,
    html: e.outerHTML.slice(0, 90),
    color: style(e).color,
    border: style(e).borderBottomColor,
    layers: backdrop(e),
    parentLayers: backdrop(e.parentElement),
  }));
}
"""
_COLOUR = re.compile(r"(rgba?|color)\(\s*(srgb\s+)?([^)]*)\)")


def _rgba(css: str) -> tuple[float, float, float, float]:
    """`rgb(…)`, `rgba(…)` or `color(srgb …)` as red, green, blue, alpha in 0…1."""
    match = _COLOUR.fullmatch(css.strip())
    assert match, f"cannot read the colour {css!r}"
    parts = [p for p in re.split(r"[\s,/]+", match.group(3)) if p]
    values = [float(p) for p in parts]
    if match.group(1) != "color":
        values[:3] = [v / 255 for v in values[:3]]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)  # type: ignore[return-value]


def _over(top: tuple[float, ...], under: tuple[float, ...]) -> tuple[float, float, float, float]:
    a = top[3]
    return (*(t * a + u * (1 - a) for t, u in zip(top[:3], under[:3])), 1.0)  # type: ignore[return-value]


def _flatten(layers: list[str]) -> tuple[float, float, float, float]:
    """The colour a stack of backgrounds (innermost first) shows, over a white canvas."""
    colour: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    for layer in reversed(layers):
        colour = _over(_rgba(layer), colour)
    return colour  # type: ignore[return-value]


def _luminance(colour: tuple[float, ...]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, ...], two: tuple[float, ...]) -> float:
    """WCAG's contrast ratio of two opaque colours."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_wcags() -> None:
    assert round(contrast((0, 0, 0), (1, 1, 1)), 1) == 21.0
    # axe's figure for the metadata labels before they were darkened (it truncates: 4.47).
    assert 4.47 <= contrast(_rgba("rgb(113, 113, 113)"), _rgba("rgb(245, 245, 245)")) < 4.48
    assert _rgba("color(srgb 1 0.5 0 / 0.25)") == (1.0, 0.5, 0.0, 0.25)


@pytest.mark.parametrize("mode", list(SCHEMES))
def test_postilla_colours(browser: Browser, shipped_url: str, mode: str) -> None:
    """4.5:1 for Postilla's text on its background; 3:1 for a highlight's edge against the
    page and against the highlight, and for the button's edge against the page."""
    _, page = _open(browser, urljoin(shipped_url, SPUTNIK_PATH), mode)
    try:
        samples = page.evaluate(MEASURE, SAMPLES)
    finally:
        page.context.close()
    assert len(samples) == len(KINDS) * 3 + len(VERDICTS) + 4
    low: list[str] = []
    table: list[str] = []
    for s in samples:
        ground = _flatten(s["layers"])
        text = _over(_rgba(s["color"]), ground)
        checks = [("text", contrast(text, ground), 4.5)]
        if s["sample"] == "mark":
            edge = _over(_rgba(s["border"]), ground)
            checks += [
                ("edge on the page", contrast(edge, _flatten(s["parentLayers"])), 3.0),
                ("edge on the highlight", contrast(edge, ground), 3.0),
            ]
        if s["sample"] == "button":
            checks.append(("edge", contrast(_over(_rgba(s["border"]), ground), ground), 3.0))
        for what, ratio, need in checks:
            table.append(f"{ratio:5.2f}:1 (≥ {need}) {what}: {s['html'][:70]}")
            if ratio < need:
                low.append(f"{s['html']}: {what} {ratio:.2f}:1 < {need}")
    print(f"{mode}:\n" + "\n".join(table))  # the table, shown with -s or -rA
    assert low == [], f"colours below WCAG AA in the {mode} palette:\n" + "\n".join(low)
