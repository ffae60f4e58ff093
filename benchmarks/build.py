"""Build the shipped archive's site and print how long it took and how big the pages are.

    python -m benchmarks.build [--content content] [--runs 3]

Figures, not assertions: this machine is shared and noisy. Prints the median of
the runs' build times, the site's size and the HTML size of each article page.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from generator.build import build_site

ROOT = Path(__file__).resolve().parents[1]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        for _ in range(args.runs):
            result = build_site(
                ROOT / "mkdocs.yml", args.content, site, progress=False, incremental=False
            )
            times.append(result.seconds)
        articles = sorted((site / "articles").glob("*/index.html"))
        print(
            f"build: median {statistics.median(times):.2f} s over {args.runs} runs "
            f"(min {min(times):.2f}, max {max(times):.2f}); {result.pages} pages"
        )
        print(
            f"site: {folder_size(site) / 1024:.0f} KiB in {sum(1 for _ in site.rglob('*'))} files"
        )
        for page in articles:
            print(f"article page: {page.stat().st_size / 1024:.1f} KiB  {page.parent.name}")


if __name__ == "__main__":
    main()
