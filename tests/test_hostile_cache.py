"""The build cache is data, not code, and heals itself: a catalogue of hostile caches.

A small archive (the shipped content/) is built once; its cache database is then damaged
in every way the catalogue names (flipped bytes, truncation, garbage, random JSON, a
pickle whose loading would run code, swapped entries, another version's stamp, foreign
tables, a file that is no database…), over seeded iterations. After each, loading the
archive with that cache gives exactly what it gives without a cache, nothing runs, at
most one warning names the file, the cache is saved sound again and nothing else is left
in its folder. Then: round trips of every cached type, refused types, a locked, unwritable
or full cache, two processes saving at once, kill -9 while saving, and whole builds.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
import pickle
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any

import pytest

from conftest import ROOT, make_article, snapshot
from generator import cache as cache_module
from generator.archive import load_archive
from generator.build import build_site
from generator.cache import (
    CACHE_DIR,
    DATABASE,
    PLAIN,
    STAMP,
    Cache,
    Malformed,
    decode,
    decoder,
    encode,
    entry_hash,
    table_types,
)
from generator.cli import main
from generator.entities import Mention, index_archive
from generator.model import Archive, Article, Entity, Problem, RemovedLine
from generator.site import GeneratedFile

SEED = 20261121
FUZZ_ITERATIONS = 210  # seeded; every corruption kind gets ten
KILL_ITERATIONS = 24
CONCURRENT_ROUNDS = 4
LOGGER = "postilla.cache"


# --- the small archive, built once, and what it gives without a cache ----------------------


@dataclass(frozen=True)
class Pristine:
    """The small archive's project, its sound cache, and the results without a cache."""

    project: Path
    content: Path
    site: Path
    database: bytes  # the cache file a cold build left
    entries: dict[str, dict[str, Any]]  # every table's values, as stored
    archive: Archive
    problems: list[Problem]
    mentions: dict[str, tuple[Mention, ...]]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    project = tmp_path_factory.mktemp("hostile-cache") / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "theme", project / "theme")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    site = project / "site"
    build_site(project / "mkdocs.yml", project / "content", site, progress=False)
    database = (project / CACHE_DIR / DATABASE).read_bytes()
    entries: dict[str, dict[str, Any]] = {}
    for table, key, data in rows_of(project / CACHE_DIR / DATABASE):
        entries.setdefault(table, {})[key] = decode(table_types()[table], data)
    assert set(entries) == set(table_types()), "a build fills every table"
    archive, problems = load_archive(project / "content")
    index = index_archive(archive)
    return Pristine(
        project, project / "content", site, database, entries, archive, problems, index.mentions
    )


def rows_of(database: Path) -> list[tuple[str, str, bytes]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT tbl, key, value FROM entries ORDER BY tbl, key")
        return list(rows)


def execute(database: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    connection = sqlite3.connect(database)
    try:
        for statement, parameters in statements:
            connection.execute(statement, parameters)
        connection.commit()
    finally:
        connection.close()


class RunsCode:
    """A pickle whose loading makes a folder: proof that something ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (os.mkdir, (self.marker,))


def random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(9 if depth < 4 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.randint(-(2**70), 2**70)
    if choice == 3:
        return rng.uniform(-1e9, 1e9)
    if choice == 4:
        return "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randrange(12)))
    if choice in (5, 6):
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(6))]
    if choice == 7:
        return {"base64": rng.choice(["!!", "AAEC", "", "x"])}
    return {str(rng.random()): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


# --- the corruptions: each damages the database at `path`; it returns the entries it
# replaced by a correctly signed value (a writer who knows the format), whose values may
# legitimately come back (only typed, never code) ----------------------------------------

Signed = set[tuple[str, str]]


def pick_entry(path: Path, rng: random.Random) -> tuple[str, str, bytes]:
    return rng.choice(rows_of(path))


def flip_bytes(path: Path, rng: random.Random, marker: Path) -> Signed:
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 16)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return set()


def flip_a_byte_in_a_value(path: Path, rng: random.Random, marker: Path) -> Signed:
    _, _, value = pick_entry(path, rng)
    data = bytearray(path.read_bytes())
    start = data.find(value[:64])
    data[start + rng.randrange(min(64, len(value)))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return set()


def truncate(path: Path, rng: random.Random, marker: Path) -> Signed:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data))])
    return set()


def append_garbage(path: Path, rng: random.Random, marker: Path) -> Signed:
    with path.open("ab") as handle:
        handle.write(rng.randbytes(rng.randint(1, 9000)))
    return set()


def overwrite_a_page(path: Path, rng: random.Random, marker: Path) -> Signed:
    data = bytearray(path.read_bytes())
    page = rng.randrange(len(data) // 4096)
    data[page * 4096 : (page + 1) * 4096] = rng.choice([bytes(4096), rng.randbytes(4096)])
    path.write_bytes(bytes(data))
    return set()


def store_signed(path: Path, table: str, key: str, value: bytes) -> None:
    """Put `value` in an entry with a hash that matches it: what only someone who can
    write the cache (and knows the format) could do."""
    execute(
        path,
        (
            "UPDATE entries SET value = ?, hash = ? WHERE tbl = ? AND key = ?",
            (value, entry_hash(table, key, value), table, key),
        ),
    )


def random_json_value(path: Path, rng: random.Random, marker: Path) -> Signed:
    table, key, _ = pick_entry(path, rng)
    value = json.dumps(random_json(rng)).encode()
    execute(path, ("UPDATE entries SET value = ? WHERE tbl = ? AND key = ?", (value, table, key)))
    return set()


def random_json_value_signed(path: Path, rng: random.Random, marker: Path) -> Signed:
    table, key, _ = pick_entry(path, rng)
    value = json.dumps(random_json(rng)).encode()
    store_signed(path, table, key, value)
    return {(table, key)}


def pickle_value(path: Path, rng: random.Random, marker: Path) -> Signed:
    table, key, _ = pick_entry(path, rng)
    value = pickle.dumps(RunsCode(marker), protocol=rng.randrange(pickle.HIGHEST_PROTOCOL + 1))
    execute(path, ("UPDATE entries SET value = ? WHERE tbl = ? AND key = ?", (value, table, key)))
    return set()


def pickle_value_signed(path: Path, rng: random.Random, marker: Path) -> Signed:
    table, key, _ = pick_entry(path, rng)
    value = pickle.dumps(RunsCode(marker), protocol=rng.randrange(pickle.HIGHEST_PROTOCOL + 1))
    store_signed(path, table, key, value)
    return set()


def pickle_file_instead(path: Path, rng: random.Random, marker: Path) -> Signed:
    path.write_bytes(pickle.dumps((STAMP, {"k": RunsCode(marker)})))
    return set()


def legacy_pickles_beside(path: Path, rng: random.Random, marker: Path) -> Signed:
    for table in table_types():
        (path.parent / f"{table}.pickle").write_bytes(pickle.dumps((STAMP, RunsCode(marker))))
    return set()


def swap_values(path: Path, rng: random.Random, marker: Path) -> Signed:
    with sqlite3.connect(path) as connection:
        rows = list(connection.execute("SELECT tbl, key, hash, value FROM entries"))
    first, second = rng.sample(rows, 2)
    execute(
        path,
        *(
            ("UPDATE entries SET hash = ?, value = ? WHERE tbl = ? AND key = ?", (h, v, t, k))
            for (t, k, _, _), (_, _, h, v) in ((first, second), (second, first))
        ),
    )
    return set()


def wrong_stamp(path: Path, rng: random.Random, marker: Path) -> Signed:
    stamp = rng.choice(["postilla 0.0 format 1 python (3, 9)", "", STAMP + " "])
    execute(path, ("UPDATE meta SET value = ? WHERE name = 'stamp'", (stamp,)))
    return set()


def signed_by_another_version(path: Path, rng: random.Random, marker: Path) -> Signed:
    other = "postilla 0.0 format 1 python (3, 9)"
    with sqlite3.connect(path) as connection:
        rows = list(connection.execute("SELECT tbl, key, value FROM entries"))
    execute(
        path,
        ("UPDATE meta SET value = ? WHERE name = 'stamp'", (other,)),
        *(
            (
                "UPDATE entries SET hash = ? WHERE tbl = ? AND key = ?",
                (cache_module.digest(other, t, k, v), t, k),
            )
            for t, k, v in rows
        ),
    )
    return set()


def foreign_schema(path: Path, rng: random.Random, marker: Path) -> Signed:
    statement = rng.choice(
        [
            "CREATE TRIGGER wipe AFTER INSERT ON entries BEGIN DELETE FROM meta; END",
            "CREATE VIEW everything AS SELECT * FROM entries",
            "CREATE TABLE extra (x)",
            "CREATE INDEX by_hash ON entries (hash)",
        ]
    )
    execute(path, (statement, ()))
    return set()


def wrong_layout_version(path: Path, rng: random.Random, marker: Path) -> Signed:
    execute(path, (f"PRAGMA user_version = {rng.choice([0, 2, 99, -1])}", ()))
    return set()


def not_a_database(path: Path, rng: random.Random, marker: Path) -> Signed:
    path.write_bytes(
        rng.choice([b"", b"SQLite format 3\0" + rng.randbytes(200), rng.randbytes(5000), b"{}"])
    )
    return set()


def values_as_text(path: Path, rng: random.Random, marker: Path) -> Signed:
    execute(path, ("UPDATE entries SET value = CAST(value AS TEXT), hash = 7", ()))
    return set()


def deeply_nested_value_signed(path: Path, rng: random.Random, marker: Path) -> Signed:
    table, key, _ = pick_entry(path, rng)
    depth = rng.randint(10_000, 200_000)
    value = b"[" * depth + b"]" * depth
    store_signed(path, table, key, value)
    return set()


def rows_deleted(path: Path, rng: random.Random, marker: Path) -> Signed:
    execute(path, ("DELETE FROM entries WHERE abs(random()) % 3 = 0", ()))
    return set()


def garbage_journal(path: Path, rng: random.Random, marker: Path) -> Signed:
    Path(f"{path}-journal").write_bytes(rng.randbytes(rng.randint(1, 3000)))
    return set()


CORRUPTIONS: list[Callable[[Path, random.Random, Path], Signed]] = [
    flip_bytes,
    flip_a_byte_in_a_value,
    truncate,
    append_garbage,
    overwrite_a_page,
    random_json_value,
    random_json_value_signed,
    pickle_value,
    pickle_value_signed,
    pickle_file_instead,
    legacy_pickles_beside,
    swap_values,
    wrong_stamp,
    signed_by_another_version,
    foreign_schema,
    wrong_layout_version,
    not_a_database,
    values_as_text,
    deeply_nested_value_signed,
    rows_deleted,
    garbage_journal,
]


def fuzz_id(iteration: int) -> str:
    return f"{iteration:03d}-{CORRUPTIONS[iteration % len(CORRUPTIONS)].__name__}"


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


@pytest.mark.parametrize("iteration", range(FUZZ_ITERATIONS), ids=fuzz_id)
def test_a_corrupted_cache_gives_the_results_of_no_cache(
    iteration: int, pristine: Pristine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED + iteration)
    folder = tmp_path / CACHE_DIR
    folder.mkdir()
    database = folder / DATABASE
    database.write_bytes(pristine.database)
    marker = tmp_path / "code-ran"
    signed = CORRUPTIONS[iteration % len(CORRUPTIONS)](database, rng, marker)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(folder)
        archive, problems = load_archive(pristine.content, cache=cache)
        index = index_archive(archive, cache=cache)
        found = {
            table: {key: cache.get(table, key) for key in entries}
            for table, entries in pristine.entries.items()
        }
        cache.save()

    assert not marker.exists(), "a cached value ran code"
    for table, values in found.items():
        for key, value in values.items():
            if (table, key) in signed:  # a typed value of the table's kind, or a miss
                assert value is None or isinstance(value, type(pristine.entries[table][key]))
            else:
                assert value is None or value == pristine.entries[table][key], (table, key)
    if not signed:
        assert archive == pristine.archive and problems == pristine.problems
        assert index.mentions == pristine.mentions
    warnings = cache_warnings(caplog)
    assert len(warnings) <= 1 and all(str(database) in w for w in warnings), warnings
    # Healed: the next build finds every article, and nothing but the database is left.
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", DATABASE]
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = Cache(folder)
    assert load_archive(pristine.content, cache=again)[0] == pristine.archive
    assert again.misses == 0 and again.hits == len(pristine.archive.articles)


# --- every cached type makes the round trip, and nothing else is made -------------------


FULL_ARTICLE = make_article(
    "tutto",
    "Primo paragrafo con *asterischi* e <script>.",
    "Secondo: «virgolette», emoji 🚀, \u200b e \\ barre.",
    title="Un titolo: \"citato\" e 'apici'",
    title_source="edited",
    date="2021-10-24",
    date_source="header",
    published="2021-10-24T09:30:00+02:00",
    url="https://example.org/a?b=1&c=2",
    source="example.org",
    publisher="Example",
    author="Anna Rossi",
    description="Descrizione.",
    footnotes=("*Nota dell'editore",),
    removed=(RemovedLine(1, "Accetta i cookie", "cookie-banner", "a cookie banner"),),
    place="ISTANBUL",
    agency="askanews",
    author_source="byline",
    path=Path("/somewhere/tutto.md"),
)

ROUND_TRIPS: dict[str, tuple[Any, Any]] = {
    "article-every-field": (table_types()["articles"], FULL_ARTICLE),
    "article-fewest-fields": (table_types()["articles"], make_article("poco")),
    "mentions": (table_types()["mentions"], (Mention("isis", 0, 3, 7), Mention("roma", 1, 0, 4))),
    "mentions-none": (table_types()["mentions"], ()),
    "related": (table_types()["related"], ["uno", "due"]),
    "export-lines": (table_types()["export"], ('{"id": "x"}', 'x,"y"\r\n')),
    "entity-pages": (
        table_types()["entity-pages"],
        [
            GeneratedFile("entities/isis.md", "# ISIS\n", ("<li>uno</li>", "<li>due</li>")),
            GeneratedFile("downloads/x.gz", b"\x1f\x8b\x00\xff"),
        ],
    ),
    "problem-every-field": (Problem, Problem("a.md", 3, "bad", column=7, severity="warning")),
    "problem-fewest-fields": (Problem, Problem("a.md", None, "bad")),
    "removed-line": (RemovedLine, RemovedLine(2, "x", "rule", "why")),
    "plain-int": (PLAIN, 1),
    "plain-float": (PLAIN, 0.25),
    "plain-bool": (PLAIN, True),
    "plain-str": (PLAIN, "testo"),
}


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a tuple stays a tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dataclass_fields__"):
        return a == b and all(same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b)


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=str)
def test_every_cached_type_makes_the_round_trip(case: str, tmp_path: Path) -> None:
    hint, value = ROUND_TRIPS[case]
    assert same(decode(hint, encode(value)), value)
    table = next((name for name, kind in table_types().items() if kind == hint), "plain")
    if hint in (*table_types().values(), PLAIN):
        written = Cache(tmp_path)
        written.put(table, "key", value)
        written.save()
        read = Cache(tmp_path)
        assert same(read.get(table, "key"), value) and read.hits == 1


REFUSED_TYPES: dict[str, Any] = {
    "dict": dict[str, int],
    "set": set[str],
    "object": object,
    "entity-not-cached": Entity,
    "function": Callable[[], None],
    "any": Any,
}


@pytest.mark.parametrize("case", REFUSED_TYPES, ids=str)
def test_a_type_outside_the_allow_list_is_refused(case: str) -> None:
    with pytest.raises(TypeError, match="does not keep"):
        decoder(REFUSED_TYPES[case])


@pytest.mark.parametrize(
    "value",
    [Entity("x", "X", "person"), {1, 2}, object(), RunsCode(Path("/nonexistent/never"))],
    ids=["entity", "set", "object", "pickle-reducer"],
)
def test_a_value_outside_the_allow_list_is_not_kept(value: Any, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        encode(value)
    cache = Cache(tmp_path)
    cache.put("articles", "key", value)
    cache.put("articles", "other", FULL_ARTICLE)
    cache.save()  # the bad value is skipped, the good one kept
    read = Cache(tmp_path)
    assert read.get("articles", "key") is None and read.get("articles", "other") == FULL_ARTICLE


WRONG_SHAPES: dict[str, tuple[str, Any]] = {
    "problem-as-article": ("articles", json.loads(encode(Problem("a", 1, "m")))),
    "article-missing-a-field": ("articles", json.loads(encode(FULL_ARTICLE))[:-1]),
    "article-title-source-not-allowed": (
        "articles",
        [*json.loads(encode(FULL_ARTICLE))[:2], "evil", *json.loads(encode(FULL_ARTICLE))[3:]],
    ),
    "article-words-as-bool": (
        "articles",
        [True if i == 12 else v for i, v in enumerate(json.loads(encode(FULL_ARTICLE)))],
    ),
    "mention-of-three": ("mentions", [["isis", 0, 3]]),
    "mention-offset-as-float": ("mentions", [["isis", 0, 3.0, 7]]),
    "related-of-numbers": ("related", [1, 2]),
    "related-as-object": ("related", {"a": 1}),
    "export-of-one": ("export", ["only one"]),
    "page-bytes-not-base64": ("entity-pages", [["a.md", {"base64": "!!"}, []]]),
    "page-bytes-with-extra-key": ("entity-pages", [["a.md", {"base64": "", "x": 1}, []]]),
    "plain-list": ("plain", [1]),
    "plain-null": ("plain", None),
}


@pytest.mark.parametrize("case", WRONG_SHAPES, ids=str)
def test_a_correctly_signed_value_of_the_wrong_shape_is_a_miss(case: str, tmp_path: Path) -> None:
    table, value = WRONG_SHAPES[case]
    with pytest.raises(Malformed):
        decode(table_types().get(table, PLAIN), json.dumps(value).encode())
    written = Cache(tmp_path)
    written.put(table, "key", "placeholder")
    written.save()
    data = json.dumps(value).encode()
    execute(
        tmp_path / DATABASE,
        ("UPDATE entries SET value = ?, hash = ?", (data, entry_hash(table, "key", data))),
    )
    read = Cache(tmp_path)
    assert read.get(table, "key") is None and read.misses == 1


def test_the_pickle_payload_is_live(tmp_path: Path) -> None:
    """The proof behind every 'nothing ran': loading the payload with pickle does run it."""
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(RunsCode(marker)))
    assert marker.is_dir()


def test_legacy_pickle_files_are_never_loaded_and_are_removed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for table in table_types():
        (tmp_path / f"{table}.pickle").write_bytes(pickle.dumps((STAMP, RunsCode(marker))))
    cache = Cache(tmp_path)
    assert cache.get("articles", "key") is None
    cache.put("articles", "key", FULL_ARTICLE)
    cache.save()
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", DATABASE]


def test_another_versions_cache_is_emptied_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After an upgrade: every entry a miss, no warning (nothing is wrong), old rows gone."""
    written = Cache(tmp_path)
    written.put("articles", "old", FULL_ARTICLE)
    written.save()
    execute(tmp_path / DATABASE, ("UPDATE meta SET value = 'postilla 0.1 format 1'", ()))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(tmp_path)
        assert cache.get("articles", "old") is None
        cache.put("articles", "new", FULL_ARTICLE)
        cache.save()
    assert not cache_warnings(caplog)
    assert [key for _, key, _ in rows_of(tmp_path / DATABASE)] == ["new"]


def test_saving_twice_keeps_what_the_second_build_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("related", "a", ["x"])
    cache.save()
    cache.put("related", "b", ["y"])
    cache.save()
    read = Cache(tmp_path)
    assert read.get("related", "a") == ["x"] and read.get("related", "b") == ["y"]


def test_a_folder_name_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "a ?b#c%20d&mode=ro"
    cache = Cache(folder)
    cache.put("export", "k", ("line", "row"))
    cache.save()
    assert Cache(folder).get("export", "k") == ("line", "row")
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", DATABASE]


# --- the machine's faults: locked, unwritable, full; never a traceback --------------------


def saved_cache(folder: Path) -> bytes:
    cache = Cache(folder)
    cache.put("articles", "key", FULL_ARTICLE)
    cache.save()
    return (folder / DATABASE).read_bytes()


def test_a_locked_database_means_a_build_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    before = saved_cache(tmp_path)
    monkeypatch.setattr(cache_module, "BUSY_SECONDS", 0.05)
    holder = sqlite3.connect(tmp_path / DATABASE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            cache = Cache(tmp_path)
            assert cache.get("articles", "key") is None
            cache.put("articles", "key", FULL_ARTICLE)
            cache.save()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and str(tmp_path / DATABASE) in warnings[0], warnings
    assert "locked" in warnings[0]
    assert (tmp_path / DATABASE).read_bytes() == before  # not replaced: it was sound
    assert Cache(tmp_path).get("articles", "key") == FULL_ARTICLE


def test_a_cache_folder_that_is_a_file_means_no_cache_saved(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / CACHE_DIR
    folder.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(folder)
        assert cache.get("articles", "key") is None
        cache.put("articles", "key", FULL_ARTICLE)
        cache.save()
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and str(folder) in warnings[0] and "not saved" in warnings[0]
    assert folder.read_text() == "not a folder"


def test_a_database_path_that_is_a_folder_means_no_cache_saved(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / DATABASE).mkdir()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(tmp_path)
        cache.put("articles", "key", FULL_ARTICLE)
        cache.save()
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and str(tmp_path / DATABASE) in warnings[0], warnings
    assert (tmp_path / DATABASE).is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_read_and_not_saved(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = saved_cache(tmp_path)
    tmp_path.chmod(0o555)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            cache = Cache(tmp_path)
            assert cache.get("articles", "key") == FULL_ARTICLE
            cache.put("articles", "other", FULL_ARTICLE)
            cache.save()
    finally:
        tmp_path.chmod(0o755)
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and "not saved" in warnings[0], warnings
    assert (tmp_path / DATABASE).read_bytes() == before


def test_a_read_only_database_is_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """What SQLite says of a read-only file (simulated: the tests may run as root)."""
    before = saved_cache(tmp_path)

    def read_only(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(cache_module, "_fill", read_only)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(tmp_path)
        cache.put("articles", "other", FULL_ARTICLE)
        cache.save()
    warnings = cache_warnings(caplog)
    assert (
        len(warnings) == 1 and "readonly" in warnings[0] and str(tmp_path / DATABASE) in warnings[0]
    )
    assert (tmp_path / DATABASE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", DATABASE]


def test_a_full_disk_while_saving_leaves_the_old_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk fills after the rows are written, before the commit: all rolled back."""
    before = saved_cache(tmp_path)
    fill = cache_module._fill

    def fill_then_full(*args: Any, **kwargs: Any) -> None:
        fill(*args, **kwargs)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(cache_module, "_fill", fill_then_full)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache = Cache(tmp_path)
        cache.put("articles", "other", make_article("altro", "testo " * 5000))
        cache.save()
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and "disk is full" in warnings[0], warnings
    assert (tmp_path / DATABASE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", DATABASE]


CHILD = """
import logging, resource, signal, sys
from pathlib import Path
from generator.cache import Cache
from generator.model import Article
"""


def run_child(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = CHILD + inspect.getsource(saved_value) + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_a_file_size_limit_while_saving_leaves_the_old_database(tmp_path: Path) -> None:
    """A real write failure (RLIMIT_FSIZE, as a full disk): one warning, exit 0."""
    before = saved_cache(tmp_path)
    done = run_child(
        """
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = Path(sys.argv[1]).stat().st_size + 8192
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        cache = Cache(Path(sys.argv[1]).parent)
        for n in range(200):
            cache.put("articles", f"k{n}", saved_value("big", n, 0))
        cache.save()
        print("saved", cache.misses)
        """,
        str(tmp_path / DATABASE),
    )
    assert done.returncode == 0 and "saved" in done.stdout, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and str(tmp_path / DATABASE) in warnings[0], done.stderr
    assert "not saved" in warnings[0]
    assert (tmp_path / DATABASE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", DATABASE]


# --- two processes at once; kill -9 while saving -------------------------------------------

SAVER = """
folder, name, count, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
print("ready", flush=True)
sys.stdin.readline()
saves = 0
while not rounds or saves < rounds:  # 0 rounds: until killed
    cache = Cache(folder)
    for n in range(count):
        cache.get("articles", f"{name}{n}")
        cache.put("articles", f"{name}{n}", saved_value(name, n, saves % 2))
    cache.save()
    saves += 1
    if saves == 1:
        print("saved once", flush=True)
print("saved", flush=True)
"""


def saved_value(name: str, n: int, version: int) -> Article:
    """What a saver process writes for its `n`th key in its even (0) or odd (1) saves
    (an article of about 2 KB; the child processes run this function's source)."""
    words = f"{name}{version} " * 300
    return Article(
        id=f"{name}{n}",
        title=f"{name}{n}",
        title_source="headline",
        date="2021-10-24",
        date_source="header",
        published=None,
        url=f"https://example.org/{name}/{n}",
        source="example.org",
        publisher=None,
        author=None,
        language="it",
        description=None,
        words=300,
        raw=f"raw/{name}{n}.txt",
        raw_name=f"{name}{n}.txt",
        raw_sha256="0" * 64,
        body_sha256="0" * 64,
        imported="2026-11-21",
        paragraphs=(words, words),
    )


def start_savers(folder: Path, names: list[str], count: int, rounds: int) -> list[Popen[str]]:
    """Processes that save `count` articles `rounds` times (0: until killed), all started
    at once when every one is ready."""
    code = CHILD + inspect.getsource(saved_value) + SAVER
    savers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(folder), name, str(count), str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for saver in savers:
        assert saver.stdout is not None and saver.stdout.readline().strip() == "ready"
    for saver in savers:
        assert saver.stdin is not None
        saver.stdin.write("go\n")
        saver.stdin.flush()
    return savers


@pytest.mark.parametrize("round_", range(CONCURRENT_ROUNDS), ids=lambda r: f"round-{r}")
def test_two_processes_saving_at_once(round_: int, tmp_path: Path) -> None:
    savers = start_savers(tmp_path, ["a", "b"], 150, rounds=3)
    for saver in savers:
        out, err = saver.communicate(timeout=120)
        assert saver.returncode == 0 and "saved" in out and not err.strip(), err
    with sqlite3.connect(tmp_path / DATABASE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Each save drops the entries its build did not use (here: the other's, as far as it
    # saw them), so an entry may be gone; one that is there is the last one saved, and the
    # process that committed last finds all of its own.
    cache = Cache(tmp_path)
    found = {name: [cache.get("articles", f"{name}{n}") for n in range(150)] for name in ("a", "b")}
    for name, values in found.items():
        assert all(v in (None, saved_value(name, n, 0)) for n, v in enumerate(values))
    assert any(None not in values for values in found.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", DATABASE]


@pytest.mark.parametrize("iteration", range(KILL_ITERATIONS), ids=lambda i: f"kill-{i:02d}")
def test_kill_9_while_saving_leaves_a_sound_cache(iteration: int, tmp_path: Path) -> None:
    """A process saving in a loop is killed at a seeded moment; whatever it left reads
    as correct entries or misses, and the next save makes it whole."""
    rng = random.Random(SEED * 7 + iteration)
    (saver,) = start_savers(tmp_path, ["k"], 200, rounds=0)
    assert saver.stdout is not None and saver.stdout.readline().strip() == "saved once"
    with contextlib.suppress(subprocess.TimeoutExpired):  # it saves until it is killed
        saver.wait(timeout=rng.uniform(0.0, 0.5))
    saver.send_signal(signal.SIGKILL)
    saver.communicate()
    cache = Cache(tmp_path)
    for n in range(200):
        value = cache.get("articles", f"k{n}")
        assert value in (None, saved_value("k", n, 0), saved_value("k", n, 1))
        if value is None:
            cache.put("articles", f"k{n}", saved_value("k", n, 0))
    cache.save()
    again = Cache(tmp_path)
    assert all(again.get("articles", f"k{n}") is not None for n in range(200))
    assert again.misses == 0
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob("*-journal"))


# --- whole builds with a hostile cache: exit 0 and the site a cold build makes ------------


def pages(site: Path) -> dict[str, bytes]:
    """The site's pages and downloads (Pagefind's index and the sitemap are left out: the
    first is not byte-stable, the second holds the build's date)."""
    return {
        name: data
        for name, data in snapshot(site).items()
        if not name.startswith("pagefind") and not name.startswith("sitemap")
    }


BUILD_CASES = {
    "flipped-bytes": flip_bytes,
    "not-a-database": not_a_database,
    "pickle-values-and-legacy-pickles": pickle_value,
}


@pytest.mark.parametrize("case", BUILD_CASES, ids=str)
def test_a_build_with_a_hostile_cache_exits_0_with_the_cold_site(
    case: str, pristine: Pristine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(pristine.project, project, ignore=shutil.ignore_patterns("site"))
    content_before = snapshot(project / "content")
    database = project / CACHE_DIR / DATABASE
    database.write_bytes(pristine.database)
    marker = tmp_path / "code-ran"
    rng = random.Random(SEED + len(case))
    BUILD_CASES[case](database, rng, marker)
    if case.startswith("pickle"):
        legacy_pickles_beside(database, rng, marker)
    code = main(
        [
            "build",
            "--config",
            str(project / "mkdocs.yml"),
            "--content",
            str(project / "content"),
            "--site",
            str(project / "site"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert not marker.exists()
    assert snapshot(project / "content") == content_before
    assert pages(project / "site") == pages(pristine.site)
    assert not list((project / CACHE_DIR).glob("*.pickle"))
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
