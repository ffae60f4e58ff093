"""Select to annotate: a passage selected in an article's body offers an "Annota" link that
opens GitHub's new-file page with an annotation file prefilled for that passage.

An archive is built from the repository's ``content/`` plus one article written for these
cases (a passage repeated three times, typographic quotes and apostrophes, entity links,
YAML's special characters), served on 127.0.0.1 and read in Debian's Chromium with
``test_browser.py``'s fixtures (nothing leaves the machine: github.com is never opened,
the link's address is read, or the navigation to it is caught and aborted).

Each case selects a passage (a DOM Range set by script, or the keyboard), decodes the file
from the link, writes it into a copy of the content folder, runs ``postilla check
--strict`` on it and anchors it with generator/annotations.py: the anchored passage must
be the one selected, at the same place of the body. Set ``POSTILLA_SCREENSHOTS=DIR`` to keep
the screenshots of the link (desktop and phone, light and dark).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import test_browser  # skips this module (or, in CI, fails it) when Playwright is missing
import yaml
from test_browser import Browser, Page, Reader, expect

from conftest import IMPORT_DAY, ROOT
from generator import importer
from generator.annotations import load_annotations
from generator.archive import load_archive
from generator.build import build_site

pytestmark = pytest.mark.browser

base_url = test_browser.base_url  # serves this module's `site`
browser = test_browser.browser

ARTICLE_URL = "https://example.org/2021/06/smentita"
# The article written for these cases; the importer makes its first line the title.
RAW = """Il governo smentisce: “non è vero” che l’esercito si è ritirato

Il portavoce ha detto: “Non è vero che l’esercito si è ritirato da Kandahar”. La notizia è stata smentita dal governo di Kabul il giorno seguente, secondo fonti locali citate dai giornali.

La notizia è stata smentita anche dai talebani, che hanno parlato di propaganda. Secondo l’analista, i comandi dell’ISIS sono stati spostati verso Raqqa già da mesi, lontano dalla Siria orientale.

Un’altra fonte conferma che la notizia è stata smentita più volte nel corso dell’anno, ma nessuno ha fornito prove: il governo parla di “voci infondate” e l’opposizione di silenzio.

Nel documento si legge: percorso C:\\archivio\\note, valore "50%": # non è un commento, poi {chiave: valore} & [elenco] - fine.
"""
REPEATED = "notizia è stata smentita"
SELECTION = "a.postilla-annotate-selection"
SHORTCUT = "Alt+Shift+A"
GITHUB_NEW = "https://github.com/example/postilla/new/main/content/annotations/"


@dataclass(frozen=True)
class Archive:
    content: Path
    site: Path
    bodies: dict[str, str]  # article id -> Article.body_text
    new_id: str  # the article written for these cases


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    folder = tmp_path_factory.mktemp("select")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    raw = folder / "smentita.txt"
    raw.write_text(RAW, encoding="utf-8")
    (outcome,) = importer.import_files([raw], content, url=ARTICLE_URL, today=IMPORT_DAY)
    assert outcome.status == "imported", outcome
    assert outcome.article_id
    build_site(ROOT / "mkdocs.yml", content, folder / "site", progress=False)
    loaded, _ = load_archive(content)
    bodies = {a.id: a.body_text for a in loaded.articles}
    assert bodies[outcome.article_id].count(REPEATED) == 3, bodies[outcome.article_id]
    return Archive(content, folder / "site", bodies, outcome.article_id)


@pytest.fixture(scope="module")
def site(archive: Archive) -> Path:
    return archive.site


@pytest.fixture
def reader(browser: Browser, base_url: str) -> Iterator[Reader]:
    context = browser.new_context(
        viewport=test_browser.VIEWPORT, locale="it-IT", service_workers="block"
    )
    context.set_default_timeout(test_browser.TIMEOUT_MS)
    try:
        yield Reader(context, base_url)
    finally:
        context.close()


# --- helpers ---------------------------------------------------------------------------


def units(text: str) -> int:
    """The length of `text` in UTF-16 code units, as a DOM offset counts."""
    return len(text.encode("utf-16-le")) // 2


def find(body: str, passage: str, occurrence: int = 0) -> tuple[int, int]:
    """The offsets (of characters, in the body text) of the `occurrence`-th `passage`."""
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(passage, start + 1)
    return start, start + len(passage)


# Set the selection to body-text offsets start:end (paragraphs joined by a blank line, as
# Article.body_text joins them), mapped onto the text nodes of the rendered paragraphs.
SELECT = """([start, end]) => {
    const point = (wanted) => {
        let base = 0;
        for (const p of document.querySelectorAll(".postilla-body > p")) {
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (wanted <= base + node.data.length) return [node, wanted - base];
                base += node.data.length;
            }
            base += 2;
        }
        throw new Error("offset " + wanted + " is past the body");
    };
    const range = document.createRange();
    range.setStart(...point(start));
    range.setEnd(...point(end));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return range.cloneContents().querySelectorAll("a, mark").length;
}"""


def open_article(reader: Reader, article_id: str) -> Page:
    page = reader.open(f"articles/{article_id}/")
    expect(page.locator("a.postilla-annotate")).to_have_attribute("data-filled", "")
    return page


def select(page: Page, body: str, start: int, end: int) -> int:
    """Select body[start:end] in the page; the number of links and highlights it crosses."""
    count: int = page.evaluate(SELECT, [units(body[:start]), units(body[:end])])
    return count


def prefilled(page: Page) -> tuple[str, str]:
    """The file name and the file the selection's link opens GitHub with."""
    link = page.locator(SELECTION)
    expect(link).to_be_visible()
    return decode(link.get_attribute("href") or "")


def decode(href: str) -> tuple[str, str]:
    assert href.startswith(GITHUB_NEW), href
    query = parse_qs(urlsplit(href).query, strict_parsing=True)
    (name,) = query["filename"]
    (value,) = query["value"]
    return name, value


def check_and_anchor(archive: Archive, tmp_path: Path, name: str, file: str) -> tuple[dict, tuple]:
    """Write `file` into a copy of the content folder, require `postilla check --strict` to
    pass, and anchor it: the annotation as written and its anchor (start, end, text)."""
    content = tmp_path / "content"
    shutil.copytree(archive.content, content)
    data = yaml.safe_load(file)
    target = content / "annotations" / data["article"] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(file, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--strict", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, f"postilla check --strict failed on\n{file}\n{run.stderr}"
    loaded, _ = load_archive(content)
    notes = load_annotations(content, {a.id: a for a in loaded.articles})
    (mine,) = [a for a in notes.anchored if a.annotation.path.endswith(name)]
    assert mine.anchor is not None and mine.anchor.exact, mine
    return data["annotations"][0], (mine.anchor.start, mine.anchor.end, mine.anchor.text)


def assert_annotates(
    archive: Archive,
    tmp_path: Path,
    page: Page,
    article_id: str,
    start: int,
    end: int,
) -> dict:
    """The link opens a file that passes the check and anchors at body[start:end]."""
    body = archive.bodies[article_id]
    name, file = prefilled(page)
    assert name.startswith(date.today().isoformat() + "-") and name.endswith(".yml"), name
    note, anchored = check_and_anchor(archive, tmp_path, name, file)
    assert anchored == (start, end, body[start:end]), (anchored, body[start:end])
    assert note["quote"] == body[start:end]
    assert note["date"] == date.today().isoformat()
    assert note["kind"] == "comment"
    assert note["author"] and note["note"]  # the template's placeholders
    return note


# --- cases ----------------------------------------------------------------------------


def test_a_unique_passage(reader: Reader, archive: Archive, tmp_path: Path) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    expect(page.locator(SELECTION)).to_have_count(0)  # nothing selected, no link
    start, end = find(body, "fonti locali citate dai giornali")
    select(page, body, start, end)
    link = page.locator(SELECTION)
    # "Annota" (i18n's annotate_selection), or the article button's words until i18n has it.
    expect(link).to_have_text(re.compile(r"^Annota\b"))
    expect(link).to_have_attribute("aria-keyshortcuts", SHORTCUT)
    assert SHORTCUT in (link.get_attribute("title") or "")
    assert {"nofollow", "noopener"} <= set((link.get_attribute("rel") or "").split())
    note = assert_annotates(archive, tmp_path, page, archive.new_id, start, end)
    assert "prefix" not in note and "suffix" not in note  # unique: no context needed
    reader.assert_clean()


@pytest.mark.parametrize("occurrence", [0, 1, 2])
def test_a_repeated_passage_gets_the_context_that_chooses_it(
    reader: Reader, archive: Archive, tmp_path: Path, occurrence: int
) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, REPEATED, occurrence)
    select(page, body, start, end)
    note = assert_annotates(archive, tmp_path, page, archive.new_id, start, end)
    assert note.get("prefix") or note.get("suffix"), note
    # As `postilla annotate` writes it: whole words just before or after, a few at most.
    context = f"{note.get('prefix', '')} {note.get('suffix', '')}"
    assert 0 < len(context.split()) <= 4, note


def test_a_passage_across_an_entity_link(reader: Reader, archive: Archive, tmp_path: Path) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, "smentita anche dai talebani, che hanno parlato")
    assert select(page, body, start, end) >= 1, "the passage crosses no entity link"
    assert_annotates(archive, tmp_path, page, archive.new_id, start, end)


def test_a_passage_across_a_highlight_and_a_link(
    reader: Reader, archive: Archive, tmp_path: Path
) -> None:
    """In a shipped article: a passage that overlaps an annotation's highlight and the
    entity links inside it."""
    article_id = next(i for i in archive.bodies if i.startswith("isis-ha-iniziato"))
    page = open_article(reader, article_id)
    body = archive.bodies[article_id]
    mark = page.locator("mark.postilla-annotation").first
    marked = " ".join((mark.text_content() or "").split()[:3])
    at = body.index(marked)
    start = body.rfind(" ", 0, at - 12) + 1
    end = body.index(" ", at + len(marked) + 2)
    assert select(page, body, start, end) >= 2, "the passage crosses no highlight and link"
    assert_annotates(archive, tmp_path, page, article_id, start, end)


def test_a_passage_across_two_paragraphs(reader: Reader, archive: Archive, tmp_path: Path) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, "citate dai giornali.\n\nLa notizia è stata smentita anche")
    select(page, body, start, end)
    note = assert_annotates(archive, tmp_path, page, archive.new_id, start, end)
    assert "\n\n" in note["quote"]


def test_typographic_quotes_and_apostrophes_are_kept(
    reader: Reader, archive: Archive, tmp_path: Path
) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, "“Non è vero che l’esercito si è ritirato da Kandahar”")
    select(page, body, start, end)
    note = assert_annotates(archive, tmp_path, page, archive.new_id, start, end)
    assert "“" in note["quote"] and "’" in note["quote"] and "”" in note["quote"]


def test_yaml_special_characters_in_the_quote(
    reader: Reader, archive: Archive, tmp_path: Path
) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, 'C:\\archivio\\note, valore "50%": # non è un commento, poi {chiave')
    select(page, body, start, end)
    _, file = prefilled(page)
    assert "\\\\archivio\\\\note" in file, file  # escaped in a double-quoted scalar
    assert_annotates(archive, tmp_path, page, archive.new_id, start, end)


def test_a_selection_is_trimmed_and_widened_to_whole_words(
    reader: Reader, archive: Archive, tmp_path: Path
) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, end = find(body, "tra fonte conferma che la not")  # cuts "altra", "notizia"
    select(page, body, start, end)
    # "altra" is a whole word after the apostrophe of "Un’altra", as anchoring sees words.
    whole_start, whole_end = find(body, "altra fonte conferma che la notizia")
    assert_annotates(archive, tmp_path, page, archive.new_id, whole_start, whole_end)
    start, end = find(body, " il giorno seguente, ")  # spaces either side
    select(page, body, start, end)
    assert_annotates(archive, tmp_path / "2", page, archive.new_id, start + 1, end - 1)


def test_no_link_outside_the_body_or_for_too_little(reader: Reader, archive: Archive) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector(".postilla-article h1"));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    expect(page.locator(SELECTION)).to_be_hidden()
    start, end = find(body, "il giorno")
    select(page, body, start, end)
    expect(page.locator(SELECTION)).to_be_visible()
    select(page, body, start, start + 2)  # "il": shorter than a quote may be
    expect(page.locator(SELECTION)).to_be_hidden()
    select(page, body, start, end)
    expect(page.locator(SELECTION)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(SELECTION)).to_be_hidden()
    select(page, body, start, end)
    page.evaluate("getSelection().removeAllRanges()")
    expect(page.locator(SELECTION)).to_be_hidden()


def test_from_the_title_into_the_body_annotates_the_body_part(
    reader: Reader, archive: Archive, tmp_path: Path
) -> None:
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    _, end = find(body, "Il portavoce ha detto")
    page.evaluate(
        """(end) => {
            const range = document.createRange();
            range.setStart(document.querySelector(".postilla-article h1").firstChild, 3);
            const first = document.querySelector(".postilla-body > p").firstChild;
            range.setEnd(first, end);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        units(body[:end]),
    )
    assert_annotates(archive, tmp_path, page, archive.new_id, 0, end)


def test_the_keyboard_path(reader: Reader, archive: Archive, tmp_path: Path) -> None:
    """Shift+arrows extend a selection, Tab reaches the link, Enter follows it; the
    shortcut follows it too. The navigation to github.com is caught (and aborted)."""
    page = open_article(reader, archive.new_id)
    body = archive.bodies[archive.new_id]
    start, _ = find(body, "La notizia è stata smentita anche")
    words = "La notizia è stata smentita anche"
    select(page, body, start, start + 1)
    for _ in range(len(words) - 1):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == words
    # Tab goes to the link first, before the entity link that follows in the paragraph.
    assert page.locator(".postilla-body > p:nth-child(2) a.postilla-entity").count() >= 1
    page.keyboard.press("Tab")
    expect(page.locator(SELECTION)).to_be_focused()
    with page.expect_request(lambda request: request.url.startswith(GITHUB_NEW)) as opened:
        page.keyboard.press("Enter")
    name, file = decode(opened.value.url)
    note, anchored = check_and_anchor(archive, tmp_path, name, file)
    assert anchored[:2] == (start, start + len(words)), (anchored, note)

    page = open_article(reader, archive.new_id)
    start, end = find(body, "ma nessuno ha fornito prove")
    select(page, body, start, end)
    with page.expect_request(lambda request: request.url.startswith(GITHUB_NEW)) as opened:
        page.keyboard.press(SHORTCUT)
    name, file = decode(opened.value.url)
    _, anchored = check_and_anchor(archive, tmp_path / "2", name, file)
    assert anchored == (start, end, body[start:end])


def test_the_link_is_accessible(browser: Browser, base_url: str, archive: Archive) -> None:
    import test_site_accessibility as a11y

    axe = a11y.AXE
    if not axe.is_file():
        pytest.skip(f"{axe} not found (npm ci)")
    body = archive.bodies[archive.new_id]
    for mode in a11y.SCHEMES:
        _, page = a11y._open(browser, f"{base_url}articles/{archive.new_id}/", mode)
        try:
            expect(page.locator("a.postilla-annotate")).to_have_attribute("data-filled", "")
            select(page, body, *find(body, "fonti locali citate dai giornali"))
            expect(page.locator(SELECTION)).to_be_visible()
            found = a11y._audit(page, axe)
            mine = [
                n
                for n in found
                if "postilla-annotate-selection" in n["html"] and n["impact"] in a11y.FAILING
            ]
            assert mine == [], "\n".join(a11y._describe(n) for n in mine)
            keep_screenshot(page, f"select-annotate-desktop-{mode}.png")
            page.set_viewport_size({"width": 390, "height": 844})
            select(page, body, *find(body, "comandi dell’ISIS sono stati spostati"))
            page.locator(SELECTION).scroll_into_view_if_needed()
            expect(page.locator(SELECTION)).to_be_in_viewport(ratio=1)
            keep_screenshot(page, f"select-annotate-mobile-{mode}.png")
        finally:
            page.context.close()


def keep_screenshot(page: Page, name: str) -> None:
    """The viewport around the link, in $POSTILLA_SCREENSHOTS when that is set."""
    folder = os.environ.get("POSTILLA_SCREENSHOTS")
    if not folder:
        return
    page.locator(SELECTION).scroll_into_view_if_needed()
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=Path(folder) / name)
