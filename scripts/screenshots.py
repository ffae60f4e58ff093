#!/usr/bin/env python3
"""Screenshots of a built site as readers see it: each kind of page, on a desktop and a
phone, in the light and the dark palette, taken with Debian's Chromium (never a
downloaded browser). Look at them after any change to pages; the README's screenshot is
``article-desktop-light.png``.

    python3 scripts/screenshots.py [--site DIR] [--out DIR] [--readme]

Without --site the shipped archive is built into a temporary folder first. --readme
copies the article's desktop light screenshot to docs/screenshot.png.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scale import serve  # noqa: E402
from generator.build import build_site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PAGES = {
    "home": "",
    "article": "articles/2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis/",
    "entity": "entities/stato-islamico/",
    "map": "map/",
    "annotations": "annotations/",
}
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "mobile": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def take(site: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    taken = []
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for device, options in DEVICES.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    **options, color_scheme=scheme, locale="it-IT", service_workers="block"
                )
                context.route(lambda url: not url.startswith(base), lambda route: route.abort())
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path, wait_until="networkidle")
                    page.wait_for_timeout(300)  # the header's transitions
                    shot = out / f"{name}-{device}-{scheme}.png"
                    page.screenshot(path=shot)
                    taken.append(shot)
                context.close()
        browser.close()
    return taken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the shipped one)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output folder")
    parser.add_argument("--readme", action="store_true", help="update docs/screenshot.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = args.site
        if site is None:
            site = Path(folder) / "site"
            build_site(ROOT / "mkdocs.yml", ROOT / "content", site, progress=False)
        for shot in take(site, args.out):
            print(shot)
    if args.readme:
        shutil.copy(args.out / "article-desktop-light.png", ROOT / "docs" / "screenshot.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
