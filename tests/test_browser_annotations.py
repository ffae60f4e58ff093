"""A reader's view of the annotations: highlights, popovers, cards, the index, the button.

The shipped archive (the repository's ``content/``, with its three annotations in
``content/annotations/``) is built, served and read in Debian's Chromium exactly as in
``test_browser.py``, whose fixtures and helpers this module reuses: no browser is ever
downloaded and nothing leaves the machine. In CI (``CI`` set) these tests must run.
Set ``POSTILLA_SCREENSHOTS=DIR`` to keep the screenshot of an open popover.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import test_browser  # skips this module (or, in CI, fails it) when Playwright is missing
import yaml
from test_browser import (
    BLOG_PATH,
    ROOT,
    SPUTNIK_PATH,
    Locator,
    Page,
    PlaywrightError,
    Reader,
    expect,
)

pytestmark = pytest.mark.browser

# test_browser.py's fixtures, used here by name: the built site, its server, Chromium, and
# a reader (one page, every console error and outside request recorded).
site = test_browser.site
base_url = test_browser.base_url
browser = test_browser.browser
reader = test_browser.reader

BLOG_ID = BLOG_PATH.split("/")[1]
SPUTNIK_ID = SPUTNIK_PATH.split("/")[1]
GITHUB_USER = "https://github.com/postilla-archive"
NEW_FILE = f"https://github.com/example/postilla/new/main/content/annotations/{BLOG_ID}?"
ITALIAN_MONTHS = [
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
]


def shipped(article_id: str, kind: str) -> dict:
    """The one shipped annotation of `kind` on `article_id`, as its YAML file says it."""
    found = [
        note
        for path in sorted((ROOT / "content" / "annotations" / article_id).glob("*.yml"))
        for note in yaml.safe_load(path.read_text(encoding="utf-8"))["annotations"]
        if note["kind"] == kind
    ]
    assert len(found) == 1, f"expected one {kind} annotation on {article_id}, found {found}"
    return found[0]


CONTEXT = shipped(BLOG_ID, "context")
QUESTION = shipped(BLOG_ID, "question")
FACT_CHECK = shipped(SPUTNIK_ID, "fact-check")


# --- helpers ---------------------------------------------------------------------------


def squash(value: str) -> str:
    return " ".join(value.split())


def highlight(page: Page, kind: str) -> Locator:
    mark = page.locator(f"mark.postilla-annotation.postilla-annotation--{kind}")
    expect(mark).to_have_count(1)
    return mark


def card_of(page: Page, mark: Locator) -> Locator:
    """The card in the Annotations section that `mark` highlights the quote of."""
    return page.locator(f"section.postilla-annotations #annotation-{mark_id(mark)}")


def mark_id(mark: Locator) -> str:
    value = mark.get_attribute("data-annotation")
    assert value, "a highlight without data-annotation"
    return value


def point_on(mark: Locator, words: str) -> tuple[float, float]:
    """The middle of `words` in the highlight's own text (not in a link inside it), in
    viewport coordinates, checked to be what a pointer there would touch."""
    mark.scroll_into_view_if_needed()
    point = mark.evaluate(
        """(mark, words) => {
            const walker = document.createTreeWalker(mark, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at < 0 || node.parentElement.closest("a")) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                const r = range.getClientRects()[0];
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                return {x, y, hit: hit === mark || mark.contains(hit)};
            }
            return null;
        }""",
        words,
    )
    assert point, f"{words!r} is not in the highlight's own text"
    assert point["hit"], f"something covers {words!r} in the highlight"
    return point["x"], point["y"]


def wait_until_seen(page: Page, locator: Locator, what: str) -> None:
    """Wait until `locator`'s first box is in the viewport, below Material's fixed header."""
    handle = locator.element_handle()
    try:
        page.wait_for_function(
            """(el) => {
                const header = document.querySelector(".md-header").getBoundingClientRect();
                const r = el.getClientRects()[0] || el.getBoundingClientRect();
                return r.top >= header.bottom - 1 && r.bottom <= window.innerHeight + 1;
            }""",
            arg=handle,
            timeout=3_000,
        )
    except PlaywrightError:  # the wait timed out
        where = page.evaluate(
            """(el) => ({box: el.getBoundingClientRect().toJSON(),
                header: document.querySelector(".md-header").getBoundingClientRect().bottom,
                height: window.innerHeight, scrollY: window.scrollY})""",
            handle,
        )
        pytest.fail(f"{what} is not in view (below the header) after following the link: {where}")


def popover_screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """The viewport with the popover open, in tmp_path and in $POSTILLA_SCREENSHOTS."""
    page.wait_for_timeout(200)  # the header's transitions
    shot = tmp_path / name
    data = page.screenshot(path=shot)
    folder = os.environ.get("POSTILLA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)
    return shot


def italian_date(value: str) -> tuple[int, int, int]:
    day, month, year = value.split()
    return int(year), ITALIAN_MONTHS.index(month) + 1, int(day)


# --- the tests -----------------------------------------------------------------------


def test_highlights_in_the_text(reader: Reader) -> None:
    page = reader.open(BLOG_PATH)
    marks = page.locator(".postilla-body mark.postilla-annotation")
    expect(marks).to_have_count(2)
    context, question = highlight(page, "context"), highlight(page, "question")
    for mark, note in ((context, CONTEXT), (question, QUESTION)):
        expect(mark).to_be_visible()
        # The whole quote is highlighted, and only the quote.
        assert squash(mark.text_content() or "") == squash(note["quote"])
        background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
        assert background not in ("transparent", "rgba(0, 0, 0, 0)"), background

    # The quote runs across two entity links: they stay links, inside the one highlight.
    entity = context.locator("a.postilla-entity[data-entity='forze-democratiche-siriane']")
    expect(entity).to_have_text("forze democratiche siriane")
    expect(context.locator("a.postilla-entity[data-entity='raqqa']")).to_have_text("Raqqa")
    expect(entity).to_be_visible()
    # The link does not paint over the highlight with a background of its own.
    link_background = entity.evaluate("a => getComputedStyle(a).backgroundColor")
    assert link_background in ("transparent", "rgba(0, 0, 0, 0)"), link_background
    entity.click()  # Playwright checks that the link itself receives the click
    expect(page).to_have_url(urljoin(reader.base_url, "entities/forze-democratiche-siriane/"))
    expect(page.locator("article h1")).to_contain_text("Forze Democratiche Siriane")
    reader.assert_clean()


def test_the_popover(reader: Reader, tmp_path: Path) -> None:
    page = reader.open(BLOG_PATH)
    context = highlight(page, "context")
    popover = page.locator(".postilla-popover")
    expect(popover).to_have_count(0)

    # A click on the highlight's own words (not on a link inside it) opens the note.
    x, y = point_on(context, "capitale autoproclamata")
    page.mouse.click(x, y)
    expect(popover).to_have_count(1)
    expect(popover).to_be_visible()
    expect(popover).to_have_attribute("role", "dialog")
    expect(popover).to_have_attribute("data-annotation", mark_id(context))
    expect(popover.locator(".postilla-kind")).to_have_text("Contesto")
    expect(popover.locator(".postilla-note-body")).to_contain_text(CONTEXT["note"][:60])
    author = popover.locator(".postilla-note-meta a", has_text="@postilla-archive")
    expect(author).to_have_attribute("href", GITHUB_USER)
    rel = set((author.get_attribute("rel") or "").split())
    assert {"nofollow", "ugc", "noopener"} <= rel, rel
    # Next to the highlight: just below it (6px, plus the card's own 1rem margin),
    # starting near it, inside the window.
    mark_box, box = context.bounding_box(), popover.bounding_box()
    assert mark_box and box
    gap = box["y"] - (mark_box["y"] + mark_box["height"])
    assert 0 <= gap <= 40, f"the popover is {gap}px below the highlight"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    assert mark_box["x"] - 20 <= box["x"] <= mark_box["x"] + mark_box["width"], (mark_box, box)
    popover_screenshot(page, tmp_path, "annotation-popover.png")

    # A click inside the popover keeps it; Escape closes it.
    popover.locator(".postilla-note-body").click()
    expect(popover).to_be_visible()
    page.keyboard.press("Escape")
    expect(popover).to_have_count(0)

    # Hovering opens it too; leaving closes it (it was not pinned by a click).
    x, y = point_on(context, "capitale autoproclamata")
    page.mouse.move(x, y)
    expect(popover).to_be_visible()
    expect(popover.locator(".postilla-kind")).to_have_text("Contesto")
    page.mouse.move(x, 5)  # up, onto the header: away from mark and popover
    expect(popover).to_have_count(0)

    # The keyboard: the highlight takes the focus, Enter opens its note.
    question = highlight(page, "question")
    question.focus()
    page.keyboard.press("Enter")
    expect(popover).to_have_attribute("data-annotation", mark_id(question))
    expect(popover.locator(".postilla-kind")).to_have_text("Domanda")
    # A click elsewhere closes it.
    page.locator("article.postilla-article h1").click()
    expect(popover).to_have_count(0)
    reader.assert_clean()


def test_the_popover_looks_like_the_card(reader: Reader) -> None:
    page = reader.open(BLOG_PATH)
    context = highlight(page, "context")
    card = card_of(page, context)
    page.mouse.click(*point_on(context, "capitale autoproclamata"))
    popover = page.locator(".postilla-popover")
    expect(popover).to_be_visible()

    def colour(where: Locator, selector: str) -> str:
        return where.locator(selector).first.evaluate("a => getComputedStyle(a).color")

    for link in (".postilla-note-meta a", ".postilla-quoted a", ".postilla-note-links a"):
        assert colour(popover, link) == colour(card, link), link
    width = popover.evaluate("p => [p.scrollWidth, p.clientWidth]")
    assert width[0] <= width[1], f"the popover scrolls sideways: {width}"


def test_a_hovered_popover_closes_when_the_pointer_leaves_it(reader: Reader) -> None:
    page = reader.open(BLOG_PATH)
    question = highlight(page, "question")
    page.mouse.move(*point_on(question, "Si stima"))
    popover = page.locator(".postilla-popover")
    expect(popover).to_be_visible()
    box = popover.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=3)
    page.wait_for_timeout(500)  # longer than the script's 300 ms grace
    expect(popover).to_be_visible()  # right: the pointer is on it
    # Straight out to the right, onto the empty margin: not over the highlight.
    page.mouse.move(page.viewport_size["width"] - 20, box["y"] + box["height"] / 2)
    expect(popover).to_have_count(0, timeout=2_000)


def test_question_card_reply_and_links(reader: Reader) -> None:
    page = reader.open(BLOG_PATH)
    question = highlight(page, "question")
    note_id = mark_id(question)
    card = card_of(page, question)
    expect(card).to_have_count(1)
    section = page.locator("section.postilla-annotations")
    expect(section.locator("h2#annotations")).to_have_text("Annotazioni (2)")
    expect(card.locator(".postilla-kind")).to_have_text("Domanda")
    expect(card.locator(".postilla-note-body")).to_have_text(QUESTION["note"])

    # The reply: author, date, text.
    replies = card.locator("ol.postilla-replies > li")
    expect(replies).to_have_count(1)
    reply = replies.first
    (expected,) = QUESTION["replies"]
    expect(reply.locator("a[href='https://github.com/postilla-archive']")).to_have_text(
        "@postilla-archive"
    )
    expect(reply.locator("time")).to_have_attribute("datetime", expected["date"])
    expect(reply.locator("time")).to_have_text("21 novembre 2026")
    expect(reply).to_contain_text(expected["note"])
    expect(reply).to_be_visible()

    # The permalink, opened as a shared link: the card is in view.
    permalink = urljoin(reader.base_url, f"{BLOG_PATH}#annotation-{note_id}")
    expect(card.locator("a.postilla-permalink")).to_have_attribute("href", f"#annotation-{note_id}")
    page.goto(urljoin(reader.base_url, "index.html"))  # away, so the permalink reloads
    page.goto(permalink, wait_until="load")
    card = card_of(page, highlight(page, "question"))
    assert urlsplit(page.url).fragment == f"annotation-{note_id}"
    expect(card).to_be_in_viewport()
    wait_until_seen(page, card, "the card")

    # The card's quote links back to the highlight in the text.
    back = card.locator("blockquote.postilla-quoted a")
    expect(back).to_have_attribute("href", f"#quote-{note_id}")
    expect(back).to_have_text(f"«{QUESTION['quote']}»")
    back.click()
    assert urlsplit(page.url).fragment == f"quote-{note_id}"
    question = highlight(page, "question")
    expect(page.locator(f"#quote-{note_id}")).to_have_count(1)
    expect(question).to_be_in_viewport()
    wait_until_seen(page, question, "the highlight")
    expect(page.locator(".postilla-popover")).to_have_count(0)  # a link, not a click on it

    # The permalink link in the card itself leads back to the card.
    card.locator("a.postilla-permalink").click()
    assert urlsplit(page.url).fragment == f"annotation-{note_id}"
    wait_until_seen(page, card, "the card")
    reader.assert_clean()


def test_the_fact_check(reader: Reader) -> None:
    page = reader.open(SPUTNIK_PATH)
    mark = highlight(page, "fact-check")
    assert squash(mark.text_content() or "") == squash(FACT_CHECK["quote"])
    card = card_of(page, mark)
    expect(card.locator(".postilla-kind")).to_have_text("Verifica")
    expect(card.locator(".postilla-verdict")).to_have_text("Non verificato")
    expect(card.locator(".postilla-verdict")).to_be_visible()
    # The note is Markdown, shown formatted.
    expect(card.locator(".postilla-note-body em")).to_have_text("Washington Post")
    expect(card.locator(".postilla-note-body strong")).to_have_text("non identificati")
    assert "*" not in (card.locator(".postilla-note-body").text_content() or "")

    # Its popover says the same.
    mark.click()
    popover = page.locator(".postilla-popover")
    expect(popover.locator(".postilla-kind")).to_have_text("Verifica")
    expect(popover.locator(".postilla-verdict")).to_have_text("Non verificato")
    page.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    reader.assert_clean()


def test_the_annotations_index_and_a_tag_page(reader: Reader) -> None:
    page = reader.open("annotations/")
    expect(page.locator("article h1")).to_have_text(re.compile(r"^Annotazioni\W*$"))
    items = page.locator("ol.postilla-annotation-list[data-filterable] > li")
    expect(items).to_have_count(3)
    expect(items.locator(".postilla-kind")).to_have_text(
        ["Domanda", "Verifica", "Contesto"], ignore_case=True
    )
    # Newest first. (The shipped three share one date, so this only checks the order of
    # dates, not which of the three comes first.)
    dates = [
        italian_date(re.search(r"— @[\w-]+, (\d+ \w+ \d{4})", text).group(1))
        for text in items.all_text_contents()
    ]
    assert dates == sorted(dates, reverse=True), dates
    kind = page.locator("select[data-filter=kind]")
    tags = page.locator("select[data-filter=tags]")
    kind.select_option("question")
    expect(items.locator("visible=true")).to_have_count(1)
    expect(items.locator("visible=true")).to_contain_text(QUESTION["quote"])
    kind.select_option("")
    expect(items.locator("visible=true")).to_have_count(3)
    tags.select_option("raqqa")
    expect(items.locator("visible=true")).to_have_count(1)
    expect(items.locator("visible=true")).to_contain_text("forze democratiche siriane")
    tags.select_option("pakistan")
    expect(items.locator("visible=true")).to_have_count(1)
    expect(items.locator("visible=true").locator(".postilla-kind")).to_have_text("Verifica")
    kind.select_option("question")  # both filters at once: nothing passes
    expect(items.locator("visible=true")).to_have_count(0)
    kind.select_option("")
    tags.select_option("")
    expect(items.locator("visible=true")).to_have_count(3)

    # Each item leads to its card.
    items.filter(has_text="Verifica").locator("a").click()
    expect(page).to_have_url(re.compile("^" + re.escape(urljoin(reader.base_url, SPUTNIK_PATH))))
    card = card_of(page, highlight(page, "fact-check"))
    assert card.evaluate("c => c.matches(':target')"), page.url
    wait_until_seen(page, card, "the fact-check's card")

    # A tag page, reached as a reader would: from a card's tags.
    page = reader.open(BLOG_PATH)
    card = card_of(page, highlight(page, "context"))
    card.locator(".postilla-note-meta a", has_text="Raqqa").click()
    expect(page).to_have_url(urljoin(reader.base_url, "annotations/tags/raqqa/"))
    expect(page.locator("article h1")).to_contain_text("Raqqa")
    listed = page.locator("ol.postilla-annotation-list > li")
    expect(listed).to_have_count(1)
    expect(listed.locator(".postilla-kind")).to_have_text("Contesto")
    expect(listed).to_contain_text("forze democratiche siriane")
    expect(listed).to_contain_text(CONTEXT["note"][:40])
    reader.assert_clean()


def test_a_tag_page_leads_to_the_card(reader: Reader) -> None:
    page = reader.open("annotations/tags/raqqa/")
    link = page.locator("ol.postilla-annotation-list > li a")
    expect(link).to_have_count(1)
    article = urljoin(reader.base_url, BLOG_PATH)
    assert link.evaluate("a => a.href").startswith(article + "#annotation-"), link.evaluate(
        "a => a.href"
    )
    link.click()
    card = card_of(page, highlight(page, "context"))
    wait_until_seen(page, card, "the context card")


def test_the_index_shows_notes_without_markdown_marks(reader: Reader) -> None:
    page = reader.open("annotations/")
    item = page.locator("ol.postilla-annotation-list > li[data-kind='fact-check']")
    expect(item).to_contain_text("Washington Post")
    text = item.text_content() or ""
    assert "*" not in text, text


def test_the_annotate_button(reader: Reader) -> None:
    page = reader.open(BLOG_PATH)
    button = page.locator("section.postilla-annotations a.postilla-annotate")
    expect(button).to_have_count(1)
    expect(button).to_have_text("Annota questo articolo")
    expect(button).to_be_visible()
    # The page carries the folder; the script adds the site's template to the link.
    expect(button).to_have_attribute("data-filled", "")
    href = button.get_attribute("href") or ""
    assert href.startswith(NEW_FILE), href
    rel = set((button.get_attribute("rel") or "").split())
    assert {"nofollow", "noopener"} <= rel, rel
    query = parse_qs(urlsplit(href).query, strict_parsing=True)
    assert query["filename"] == ["nuova-annotazione.yml"], query
    (template,) = query["value"]
    lines = template.splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema="), lines[0]
    assert f"article: {BLOG_ID}" in lines, template
    # The template is YAML a contributor only has to fill in.
    data = yaml.safe_load(template)
    assert data["article"] == BLOG_ID
    assert isinstance(data["annotations"], list) and data["annotations"][0]["quote"]
    assert str(data["annotations"][0]["date"]) == date.today().isoformat()
    # It opens GitHub: not followed here (no network), but no error on the way.
    reader.assert_clean()
