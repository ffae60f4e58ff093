"""Throughput of cleaning plus metadata on one core: articles per second and MB per second.

    python -m benchmarks.cleaning [--repeat 100] [DIR ...]

Reads the labelled fixtures (or the given folders of raw .txt files) once, then times
ingest (decoding, header) + cleaning + metadata extraction over them `--repeat` times in
this one process. The language detector's model is loaded before timing. Quality figures
come from `postilla eval DIR`, not from here.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from generator.clean import clean
from generator.ingest import parse_raw
from generator.metadata import detect_language, extract

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    ROOT / "tests/fixtures/corpus",
    ROOT / "tests/fixtures/extra",
    ROOT / "tests/fixtures/seeds",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    files = [(p.name, p.read_bytes()) for d in args.folders for p in sorted(d.glob("*.txt"))]
    size = sum(len(data) for _, data in files)
    detect_language(("load the model before timing",))
    timings = {"ingest": 0.0, "clean": 0.0, "metadata": 0.0}
    started = time.perf_counter()
    for _ in range(args.repeat):
        for name, data in files:
            t0 = time.perf_counter()
            raw = parse_raw(name, data)
            t1 = time.perf_counter()
            cleaned = clean(raw)
            t2 = time.perf_counter()
            extract(raw, cleaned)
            t3 = time.perf_counter()
            timings["ingest"] += t1 - t0
            timings["clean"] += t2 - t1
            timings["metadata"] += t3 - t2
    total = time.perf_counter() - started
    articles = len(files) * args.repeat
    print(f"{len(files)} files ({size / 1024:.0f} KiB) x {args.repeat} runs, one core")
    print(
        f"cleaning + metadata: {articles / total:,.0f} articles/s, {size * args.repeat / total / 1e6:.2f} MB/s"
    )
    for stage, seconds in timings.items():
        print(
            f"  {stage:<9} {seconds / articles * 1e6:7.0f} µs per article ({seconds / total:.0%})"
        )


if __name__ == "__main__":
    main()
