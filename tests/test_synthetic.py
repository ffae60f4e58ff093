"""The benchmarks' synthetic archive is only as useful as it is like a real one: two
unrelated real articles share almost no five-word run, and the republication check's cost
grows with how many pairs of bodies look alike (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import synthetic


@pytest.fixture(scope="module")
def synthetic_bodies(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, ...]]:
    folder = tmp_path_factory.mktemp("raw")
    return synthetic.cleaned_bodies(synthetic.make_raw_articles(folder, 150))


def test_pairs_of_synthetic_articles_look_as_unrelated_as_real_ones(
    synthetic_bodies: list[tuple[str, ...]],
) -> None:
    figures = synthetic.overlap(synthetic_bodies)
    assert figures["pairs"] == 150 * 149 // 2
    assert figures["at least 0.1"] == 0
    assert figures["mean"] < 0.02  # real articles: about 0.00002; unvaried sentences: 0.06


def test_real_articles_of_the_fixtures_share_almost_nothing() -> None:
    """The measurement the synthetic archive is held to, on the real articles it draws words
    from."""
    paths = sorted(Path(synthetic.CORPUS).glob("*.txt"))
    for folder in synthetic.VOCABULARY_TEXTS:
        paths += sorted(folder.glob("*.txt"))
    figures = synthetic.overlap(synthetic.cleaned_bodies(paths))
    assert figures["bodies"] > 100
    assert figures["at least 0.05"] == 0


def test_words_are_varied_but_slots_and_names_are_kept() -> None:
    import random

    sentence = "Il ⟦person⟧ ha detto che la situazione nel ⟦place⟧ resta molto difficile."
    varied = {synthetic.vary_words(sentence, random.Random(seed)) for seed in range(20)}
    assert len(varied) > 10
    for text in varied:
        assert text.startswith("Il ⟦person⟧ ") and "⟦place⟧" in text and text.endswith(".")
    assert set(synthetic.vocabulary()) >= {"talebani"}


def test_the_same_seed_makes_the_same_files(tmp_path: Path) -> None:
    first = synthetic.make_raw_articles(tmp_path / "a", 5, seed=3)
    second = synthetic.make_raw_articles(tmp_path / "b", 5, seed=3)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_the_bulk_writer_writes_what_an_import_writes(tmp_path: Path) -> None:
    """`write_archive` (for 200,000 articles) and `postilla import` make the same files."""
    import shutil

    from benchmarks.scale import fresh_content
    from generator.importer import import_files

    raws = synthetic.make_raw_articles(tmp_path / "raw", 40, seed=5)
    imported, written = tmp_path / "imported", tmp_path / "written"
    fresh_content(imported)
    shutil.copytree(imported, written)
    outcomes = import_files(raws, imported)
    assert sum(o.status == "imported" for o in outcomes) == 40
    assert synthetic.write_archive(written, raws, chunk=100) == 40

    def files(content: Path) -> dict[str, bytes]:
        return {
            p.relative_to(content).as_posix(): p.read_bytes()
            for folder in ("articles", "raw")
            for p in sorted((content / folder).iterdir())
        }

    assert files(written) == files(imported)
