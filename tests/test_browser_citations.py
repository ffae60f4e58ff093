"""A reader citing an article (issue 14, F4), in headless Chromium: the ¶ permalink of a
paragraph appears on hover and on keyboard focus, following it marks the paragraph, an
address with a paragraph's anchor opens on that paragraph, the Cite block's BibTeX and
CSL-JSON (not in the page: loaded from cite.bib and cite.json when the block is opened,
with the mouse or the keyboard) are shown, and its copy buttons put them on the clipboard
exactly as shown.

The shipped archive is built and served by the fixtures of `test_browser` (Debian's
Chromium, no outside request).
"""

from __future__ import annotations

import json
import re

import pytest
from test_browser import SPUTNIK_PATH, Reader, base_url, browser, reader, site  # noqa: F401

# ruff: noqa: F811  (the fixtures above are used as parameters)

pytestmark = pytest.mark.browser


def opacity(page, selector: str) -> float:  # type: ignore[no-untyped-def]
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).opacity"))


def test_a_paragraphs_permalink_shows_on_hover_and_focus_and_marks_the_paragraph(
    reader: Reader,
) -> None:
    page = reader.open(SPUTNIK_PATH)
    first = page.locator(".postilla-body p[id^='p-']").first
    paragraph_id = first.get_attribute("id")
    assert paragraph_id and re.fullmatch(r"p-[0-9a-f]{8}(-\d+)?", paragraph_id)
    link = f".postilla-body p#{paragraph_id} > a.postilla-paragraph-link"
    page.mouse.move(0, 0)
    page.wait_for_timeout(100)
    assert opacity(page, link) == 0  # hidden until wanted
    first.hover()
    page.wait_for_function(
        "s => getComputedStyle(document.querySelector(s)).opacity === '1'", arg=link
    )
    page.mouse.move(0, 0)
    page.locator(link).focus()  # from the keyboard: the link is focusable and shown
    page.wait_for_function(
        "s => getComputedStyle(document.querySelector(s)).opacity === '1'", arg=link
    )
    assert page.locator(link).get_attribute("aria-label")  # named for screen readers
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"#{paragraph_id}$"))
    marked = page.eval_on_selector(f"p#{paragraph_id}", "p => getComputedStyle(p).backgroundColor")
    assert marked not in ("rgba(0, 0, 0, 0)", "transparent")
    reader.assert_clean()


def test_an_address_with_a_paragraph_anchor_opens_on_that_paragraph(reader: Reader) -> None:
    page = reader.open(SPUTNIK_PATH)
    ids = page.locator(".postilla-body p[id^='p-']").evaluate_all("ps => ps.map(p => p.id)")
    last = ids[-1]
    page = reader.open(f"{SPUTNIK_PATH}#{last}")
    page.wait_for_function("id => document.querySelector(':target')?.id === id", arg=last)
    top = page.eval_on_selector(f"p#{last}", "p => p.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"]  # type: ignore[index]
    reader.assert_clean()


def test_the_cite_blocks_copy_buttons_copy_what_they_show(reader: Reader) -> None:
    page = reader.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = reader.open(SPUTNIK_PATH)
    page.locator("details.postilla-cite > summary").click()
    reference = page.locator(".postilla-cite-reference")
    assert "Sputnik" in reference.inner_text()
    blocks = page.locator("details.postilla-cite pre")
    assert blocks.count() == 2
    copied = []
    for index in range(2):
        block = blocks.nth(index)
        block.hover()
        # Material's copy button (content.code.copy): md-clipboard, or md-code__button in 9.6+.
        block.locator("button[data-clipboard-target]").click()
        shown = block.locator("code").inner_text().strip()
        for _ in range(50):  # the copy lands a moment after the click
            text = page.evaluate("navigator.clipboard.readText()")
            if text.strip() == shown:
                break
            page.wait_for_timeout(100)
        copied.append(text)
        assert copied[-1].strip() == block.locator("code").inner_text().strip()
    assert copied[0].startswith("@article{")
    record = json.loads(copied[1])
    assert record[0]["type"] == "article-newspaper" and record[0]["URL"].startswith("https://")
    reader.assert_clean()


def cite_codes(page):  # type: ignore[no-untyped-def]
    """The text of the Cite block's two code blocks, as the page holds them now."""
    return page.locator("details.postilla-cite pre code").evaluate_all(
        "codes => codes.map(c => c.textContent)"
    )


def test_the_cite_blocks_code_is_loaded_when_opened_with_the_mouse(reader: Reader) -> None:
    page = reader.open(SPUTNIK_PATH)
    assert cite_codes(page) == ["", ""]  # not in the page: nothing loaded before asked
    assert page.evaluate(
        "() => [...document.querySelectorAll('details.postilla-cite pre')]"
        ".map(p => getComputedStyle(p).display)"
    ) == ["none", "none"]  # and, empty, they take no room
    page.locator("details.postilla-cite > summary").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('details.postilla-cite pre code')]"
        ".every(c => c.textContent)"
    )
    files = [
        page.evaluate(f"fetch('{name}').then(r => r.text())") for name in ("cite.bib", "cite.json")
    ]
    assert cite_codes(page) == files  # exactly the files beside the page
    assert files[0].startswith("@article{") and "Sputnik" in files[0]
    assert json.loads(files[1])[0]["type"] == "article-newspaper"
    assert page.locator("details.postilla-cite pre").nth(1).is_visible()
    reader.assert_clean()  # no request to any other host


def test_the_cite_blocks_code_is_loaded_when_opened_from_the_keyboard(reader: Reader) -> None:
    page = reader.open(SPUTNIK_PATH)
    summary = page.locator("details.postilla-cite > summary")
    blocks = page.locator("details.postilla-cite pre")
    summary.focus()
    page.keyboard.press("Enter")
    page.locator(".postilla-cite-reference").wait_for(state="visible")
    blocks.nth(1).wait_for(state="visible")  # shown once filled
    page.wait_for_function(
        "() => [...document.querySelectorAll('details.postilla-cite pre code')]"
        ".every(c => c.textContent)"
    )
    assert cite_codes(page)[0].startswith("@article{")
    # Without the script a reader still gets both files: each has its download link.
    links = page.locator("details.postilla-cite a[download]")
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        "cite.bib",
        "cite.json",
    ]
    reader.assert_clean()
