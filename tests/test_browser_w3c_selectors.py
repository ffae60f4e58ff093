"""Every exported W3C annotation, resolved in Chromium the way an annotation tool does:
open the page its target names, ``querySelector`` the CssSelector, walk the element's
text to the TextPositionSelector's offsets (code points, as the model counts them) to
make a Range, and get the TextQuoteSelector's exact words back.

The shipped archive is built and served as in ``test_browser.py``, whose fixtures this
module reuses (Debian's Chromium, nothing leaves the machine).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_browser  # skips this module (or, in CI, fails it) when Playwright is missing
from test_browser import Reader

pytestmark = pytest.mark.browser

site = test_browser.site
base_url = test_browser.base_url
browser = test_browser.browser
reader = test_browser.reader

SITE_URL = "https://example.github.io/postilla/"  # mkdocs.yml's site_url

# The selector chain applied in the page: the element, then a Range over its text nodes
# at the offsets, which count code points (a string's UTF-16 units are not characters).
RESOLVE = """([css, start, end]) => {
  const found = document.querySelectorAll(css);
  if (found.length !== 1) return {error: `${found.length} elements match ${css}`};
  const units = (text, points) => Array.from(text).slice(0, points).join("").length;
  const walker = document.createTreeWalker(found[0], NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, started = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = Array.from(node.data).length;
    if (!started && start <= seen + length) {
      range.setStart(node, units(node.data, start - seen));
      started = true;
    }
    if (started && end <= seen + length) {
      range.setEnd(node, units(node.data, end - seen));
      return {text: range.toString()};
    }
    seen += length;
  }
  return {error: `offsets ${start}-${end} beyond the element's ${seen} characters`};
}"""


def exported(site: Path) -> list[dict]:
    """Every annotation document of the site whose target is a passage of a page."""
    documents = [
        json.loads(p.read_text("utf-8"))
        for p in sorted((site / "articles").glob("*/annotations/**/*.jsonld"))
    ]
    return [d for d in documents if isinstance(d["target"], dict)]


def test_every_selector_chain_gives_the_quote_back(reader: Reader, site: Path) -> None:
    annotations = exported(site)
    assert len(annotations) == 3  # the shipped fact-check, context and question
    for annotation in annotations:
        target = annotation["target"]
        by_type = {s["refinedBy"]["type"]: s for s in target["selector"]}
        quote, position = by_type["TextQuoteSelector"], by_type["TextPositionSelector"]
        page = reader.open(target["source"].removeprefix(SITE_URL))
        result = page.evaluate(
            RESOLVE,
            [position["value"], position["refinedBy"]["start"], position["refinedBy"]["end"]],
        )
        assert result == {"text": quote["refinedBy"]["exact"]}, annotation["id"]
        text = page.evaluate("css => document.querySelector(css).textContent", quote["value"])
        exact = quote["refinedBy"]
        assert (exact["prefix"] + exact["exact"] + exact["suffix"]) in text, annotation["id"]
    reader.assert_clean()
