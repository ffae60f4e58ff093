"""Work on every core: the same results, in the same order, as one core gives."""

from __future__ import annotations

from pathlib import Path

from conftest import make_article
from generator import archive, parallel
from generator.cache import Cache
from generator.entities import Linker, index_archive
from generator.model import Archive, Entity

MANY = parallel.PARALLEL_FROM + 50


def square(n: int) -> int:
    return n * n


def test_parallel_map_keeps_the_order_of_the_items() -> None:
    items = list(range(MANY))
    assert parallel.parallel_map(square, items) == [n * n for n in items]
    assert parallel.parallel_map(square, items[:3]) == [0, 1, 4]  # few: here, no pool


def test_many_article_files_parse_on_every_core_with_the_problems_in_file_order(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    paths = []
    for n in range(MANY):
        article = make_article(f"a{n:04d}", f"Paragrafo numero {n} su Kabul.", title=f"T {n}")
        path = folder / f"{article.id}.md"
        path.write_text(archive.article_to_text(article), "utf-8")
        paths.append(path)
    paths[7].write_text("no front matter\n", "utf-8")
    paths[9].write_text(paths[9].read_text("utf-8").replace("title: T 9", "title: ''"), "utf-8")
    cache = Cache(tmp_path / "cache")
    articles, problems = archive.read_articles(paths, cache)
    assert [a.id for a in articles] == [p.stem for i, p in enumerate(paths) if i not in (7, 9)]
    assert all(a.path == folder / f"{a.id}.md" for a in articles)
    named = [problem.path for problem in problems]
    assert named == sorted(named) and set(named) == {
        archive.display_path(paths[7]),
        archive.display_path(paths[9]),
    }
    assert cache.misses == MANY and cache.hits == 0
    again, _ = archive.read_articles(paths, cache)  # now from the cache: nothing parsed
    assert again == articles and cache.hits == MANY - 2


def test_linking_on_every_core_finds_what_one_linker_finds() -> None:
    entities = (
        Entity(id="kabul", name="Kabul", type="place"),
        Entity(id="isis", name="Stato Islamico", type="organization", aliases=("ISIS",)),
    )
    articles = tuple(
        make_article(f"a{n:04d}", f"Da Kabul, {n}: l'ISIS e lo Stato Islamico.", "Poi Kabul.")
        for n in range(MANY)
    )
    corpus = Archive(articles=articles, sources=(), entities=entities)
    in_parallel = index_archive(corpus)
    one_linker = Linker(entities)
    assert in_parallel.mentions == {a.id: tuple(one_linker.mentions(a)) for a in articles}
    assert len(in_parallel.mentions["a0000"]) == 4
    assert list(in_parallel.mentions) == [a.id for a in articles]


def test_citations_on_every_core_are_the_ones_made_one_at_a_time() -> None:
    """citeproc's references, made in the pool for many articles, in order."""
    from generator import citations

    articles = [
        make_article(
            f"a{n:04d}",
            "Testo.",
            title=f"Titolo {n}",
            date=f"20{10 + n % 10}-0{1 + n % 9}-1{n % 10}",
            author=f"Autore{n} Cognome{n}",
            url=f"https://example.org/{n}",
        )
        for n in range(MANY)
    ]
    jobs = [(a, None, f"https://archivio.example/articles/{a.id}/") for a in articles]
    many = citations.citations(jobs, "Archivio", "it")
    assert len(many) == MANY
    for n in (0, 1, MANY // 2, MANY - 1):
        assert many[n] == citations.citation(articles[n], None, "Archivio", jobs[n][2], "it")
    assert "Titolo 7" in many[7].reference and "Cognome7" in many[7].reference
