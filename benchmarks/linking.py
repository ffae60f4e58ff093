"""Entity linking throughput: MB of article text per second, with a small and a large registry.

    python -m benchmarks.linking [--repeat 20]

The text is the labelled fixtures' bodies (as cleaning keeps them); the registries are the
gold entities of the development corpus, then the same plus 10,000 synthetic aliases (the
automaton's pass over the text should not slow down with the registry's size).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from generator import evaluate
from generator.clean import clean
from generator.entities import Linker
from generator.ingest import parse_raw
from generator.model import Entity

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    cases = evaluate.load_gold(ROOT / "tests/fixtures/corpus")
    paragraphs = [p for c in cases for p in clean(parse_raw(c.name, c.data)).paragraphs]
    size = sum(len(p.encode("utf-8")) for p in paragraphs) * args.repeat
    gold = evaluate.gold_registry(cases)
    synthetic = tuple(
        Entity(f"synthetic-{i}", f"Nome Sintetico {i}", "other", (f"Sintetico{i}", f"SNT{i}"))
        for i in range(5000)
    )
    for label, registry in (("gold registry", gold), ("gold + 10,000 aliases", gold + synthetic)):
        started = time.perf_counter()
        linker = Linker(registry)
        built = time.perf_counter() - started
        started = time.perf_counter()
        mentions = 0
        for _ in range(args.repeat):
            for paragraph in paragraphs:
                mentions += len(linker.find(paragraph))
        seconds = time.perf_counter() - started
        aliases = sum(1 + len(e.aliases) for e in registry)
        print(
            f"{label:<24} {aliases:>6} aliases: automaton {built * 1000:.0f} ms; "
            f"{size / seconds / 1e6:.2f} MB/s ({mentions // args.repeat} mentions per pass)"
        )


if __name__ == "__main__":
    main()
