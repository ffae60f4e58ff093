"""The bytes of a built site's pages: what an article page carries besides its article.

    python -m benchmarks.pages SITE [SITE ...] [--breakdown]

For each built site folder: the median and largest article page, the median and largest
*chrome* of an article page (`chrome_bytes`: everything but the article's own
``<article class="postilla-article">`` element), the largest page of the whole site, and
with ``--breakdown`` one article page cut into its parts (`breakdown`). Figures, not
assertions; `chrome_bytes` is also what tests/test_lean_pages.py budgets.
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

# The article Postilla renders (`render.article_page`) opens with this tag; it may hold
# other <article> elements (annotation cards), so its end is found by counting them.
ARTICLE_START = b'<article class="postilla-article"'
ARTICLE_TAG = re.compile(rb"<article\b|</article\s*>")


def article_span(page: bytes) -> tuple[int, int] | None:
    """(start, end) of the page's ``<article class="postilla-article">`` element, nested
    articles included; None when the page has none."""
    start = page.find(ARTICLE_START)
    if start < 0:
        return None
    depth = 0
    for tag in ARTICLE_TAG.finditer(page, start):
        depth += -1 if tag[0].startswith(b"</") else 1
        if depth == 0:
            return start, tag.end()
    return start, len(page)


# The parts of Material's page, in the order they come, each from a start marker to the
# start of the next: bytes are attributed to the first part whose marker precedes them.
PARTS = (
    ("head", b"<head>"),
    ("body start (toggles)", b"<body"),
    ("header", b"<header"),
    ("tabs", b'<nav class="md-tabs"'),
    ("drawer navigation", b'<div class="md-sidebar md-sidebar--primary"'),
    ("table of contents", b'<div class="md-sidebar md-sidebar--secondary"'),
    ("content", b'<div class="md-content"'),
    ("back to top", b'<button type="button" class="md-top'),
    ("footer", b'<footer class="md-footer"'),
    ("dialog, config, scripts", b'<div class="md-dialog"'),
)
SVG = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)


def article_pages(site: Path) -> list[Path]:
    """The article pages of a built site (``articles/<id>/index.html``), sorted."""
    return sorted(site.glob("articles/*/index.html"))


def chrome_bytes(page: bytes) -> int:
    """The bytes of an article page outside its article: the page's length less the
    ``<article class="postilla-article">`` element's (the whole page when it has none)."""
    span = article_span(page)
    return len(page) - (span[1] - span[0] if span else 0)


def breakdown(page: bytes) -> list[tuple[str, int]]:
    """(part, bytes) of one page: Material's parts (`PARTS`, the article apart), then,
    across them, the inline SVG icons and the palette form."""
    article = len(page) - chrome_bytes(page)
    starts = sorted((page.find(marker), name) for name, marker in PARTS if page.find(marker) >= 0)
    rows = [("doctype, <html>", starts[0][0] if starts else len(page))]
    for (start, name), (end, _) in zip(starts, [*starts[1:], (len(page), "")]):
        size = end - start
        if name == "content":
            rows.append(("content: Material's wrapper", size - article))
            rows.append(("content: Postilla's article", article))
        else:
            rows.append((name, size))
    rows.append(("  of which inline SVG icons", sum(len(m[0]) for m in SVG.finditer(page))))
    palette = re.search(rb'<form class="md-header__option".*?</form>', page, re.DOTALL)
    rows.append(("  of which the palette form", len(palette[0]) if palette else 0))
    rows.append(
        (
            "  of which <script> elements",
            sum(len(m[0]) for m in re.finditer(rb"<script\b.*?</script>", page, re.DOTALL)),
        )
    )
    return rows


def site_figures(site: Path) -> dict[str, float]:
    """Median and largest article page and chrome, and the largest HTML page, in bytes."""
    pages = [p.read_bytes() for p in article_pages(site)]
    sizes = [len(p) for p in pages]
    chrome = [chrome_bytes(p) for p in pages]
    largest = max((p.stat().st_size for p in site.rglob("*.html")), default=0)
    return {
        "article pages": len(pages),
        "median article page": statistics.median(sizes) if sizes else 0,
        "largest article page": max(sizes, default=0),
        "median chrome": statistics.median(chrome) if chrome else 0,
        "largest chrome": max(chrome, default=0),
        "largest HTML page": largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", type=Path, nargs="+", metavar="SITE")
    parser.add_argument("--breakdown", action="store_true", help="one median page's parts")
    args = parser.parse_args()
    for site in args.sites:
        print(f"== {site}")
        for name, value in site_figures(site).items():
            print(f"{name:<24} {value:>10,.0f}")
        pages = article_pages(site)
        if args.breakdown and pages:
            by_size = sorted(pages, key=lambda p: p.stat().st_size)
            median = by_size[len(by_size) // 2]
            print(f"-- {median.relative_to(site)}")
            for name, size in breakdown(median.read_bytes()):
                print(f"{name:<32} {size:>7,}")


if __name__ == "__main__":
    main()
