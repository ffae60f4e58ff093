"""A build cache: results that a content hash says are unchanged are not computed again.

Reading and validating tens of thousands of article files, and linking their entities,
is most of the work before MkDocs starts. Each result is stored under a key made of the
hash of everything it depends on (the file's bytes; the body and the registry), in one
SQLite database, ``.postilla-cache/cache.sqlite`` (git-ignored).

The cache is data, never code: each value is stored as JSON and rebuilt by a typed codec
that knows only the type each table holds (`table_types`) and can make nothing but those
types, tuples, lists and plain values; a restored cache (the Pages workflow takes it from
GitHub's Actions cache) therefore cannot run anything when it is read. Every entry is
checked before use (its bytes' hash, bound to Postilla's version stamp, the table and the
key; then its shape): an entry that fails is a miss and is computed again. A damaged,
truncated or foreign database file is replaced, with one warning; a locked or read-only
one means a build without the cache. Nothing here ever stops a build.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
import sys
import types
from collections.abc import Callable, Iterable
from functools import cache
from itertools import product
from math import prod
from pathlib import Path, PurePath
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from . import __version__

CACHE_DIR = ".postilla-cache"
DATABASE = "cache.sqlite"
# Results computed by another version of Postilla (or Python) are never reused.
# Raise FORMAT when a cached type changes shape (Article, Mention): older entries are
# then dropped instead of being decoded into the new classes.
FORMAT = 3
STAMP = f"postilla {__version__} format {FORMAT} python {sys.version_info[:2]}"
# How long a save (or a read) waits for another process that is writing the database.
BUSY_SECONDS = 15.0
# The database's tables, exactly: a file with anything else (a trigger, a view) is foreign.
# (Entries are in a rowid table: values of kilobytes are what SQLite's b-tree holds best.)
SCHEMA = (
    (
        "table",
        "entries",
        "CREATE TABLE entries (tbl TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL, "
        "value BLOB NOT NULL, PRIMARY KEY (tbl, key))",
    ),
    ("index", "sqlite_autoindex_entries_1", None),
    (
        "table",
        "meta",
        "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
    ),
)
LAYOUT = 1  # PRAGMA user_version of a database laid out as SCHEMA says

log = logging.getLogger("postilla.cache")


def digest(*parts: bytes | str) -> str:
    """A short, stable key for some bytes or strings."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


# --- the codec: values as JSON, rebuilt only as the types a table declares ----------------


class Malformed(ValueError):
    """Stored bytes that are not a value of the type their table holds."""


Decoder = Callable[[Any], Any]
JSON_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None), list, dict})
NONE_TYPE: Any = type(None)


@cache
def cacheable_classes() -> tuple[type, ...]:
    """The only classes the codec ever makes: Postilla's own frozen records that are cached."""
    from .entities import Mention
    from .model import Article, Problem, RemovedLine
    from .site import GeneratedFile

    return (Article, RemovedLine, Problem, Mention, GeneratedFile)


@cache
def table_types() -> dict[str, Any]:
    """The type of the values in each table that Postilla keeps (who puts them: the
    article reader, `entities.index_archive` and the plugin's related articles, export
    lines and entity pages). A new table is listed here, or it holds plain values only."""
    from .entities import Mention
    from .model import Article
    from .site import GeneratedFile

    return {
        "articles": Article,
        "mentions": tuple[Mention, ...],
        "related": list[str],
        "export": tuple[str, str],
        "export-gz": tuple[bytes, bytes],  # a run of articles' downloads, gzip members
        "entity-pages": list[GeneratedFile],
        "minhash": tuple[int, ...],  # a body's republication signature (`clusters`)
        "clusters": list[list[str]],  # the archive's republication clusters' members
        # the bodies last compared for republication, and their near-identical pairs
        "near-state": tuple[tuple[str, ...], tuple[tuple[str, str], ...]],
        "citations": tuple[str, str, str],  # CSL-JSON, BibTeX, formatted reference
        "feeds": tuple[bytes, str],  # a feed's Atom and JSON Feed texts
    }


# A table not listed in `table_types` holds plain values only.
PLAIN = Union[str, int, float, bool]  # noqa: UP007 (a runtime value, hashable for `decoder`)


def encode(value: Any) -> bytes:
    """A cacheable value as JSON: a record as the list of its fields in order, a tuple or
    list as a list, bytes as ``{"base64": …}``, a path as its string. Raises TypeError for
    anything else (such a value is simply not kept)."""
    text = json.dumps(value, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def _plain(value: Any) -> Any:
    if type(value) in cacheable_classes() and dataclasses.is_dataclass(value):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"the cache cannot keep a {type(value).__name__}")


def decode(hint: Any, data: bytes) -> Any:
    """The value of type `hint` that `encode` wrote as `data`; Malformed when the bytes
    are not JSON or not of that type's shape."""
    try:
        return decoder(hint)(json.loads(data))
    except (ValueError, TypeError, RecursionError) as exc:  # JSON, UTF-8, base64, arity
        raise Malformed(str(exc)) from None


@cache
def decoder(hint: Any) -> Decoder:
    """How to rebuild a value of type `hint` from its JSON; TypeError for a type the
    cache does not keep (a class outside `cacheable_classes`, a dict, a set…)."""
    if hint in (str, int, float, bool):
        return _scalar(hint)
    if hint is NONE_TYPE or hint is None:
        return _scalar(NONE_TYPE)
    if hint is bytes:
        return _bytes
    if hint is Path:
        return lambda value: Path(_scalar(str)(value))
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return _literal(args)
    if origin in (Union, types.UnionType):
        return _union(tuple(decoder(a) for a in args), NONE_TYPE in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(decoder(args[0]), tuple, args[0] is str)
    if origin is tuple:
        return _fixed(tuple(decoder(a) for a in args))
    if origin is list and len(args) == 1:
        return _sequence(decoder(args[0]), list, args[0] is str)
    if isinstance(hint, type) and hint in cacheable_classes():
        return _record(hint)
    raise TypeError(f"the cache does not keep values of type {hint!r}")


def _scalar(kind: type) -> Decoder:
    def scalar(value: Any) -> Any:
        if type(value) is not kind:  # bool is no int here, int no float
            raise Malformed(f"expected {kind.__name__}, found {type(value).__name__}")
        return value

    return scalar


def _bytes(value: Any) -> bytes:
    if type(value) is not dict or list(value) != ["base64"] or type(value["base64"]) is not str:
        raise Malformed("expected bytes as {'base64': …}")
    return base64.b64decode(value["base64"], validate=True)


def _literal(choices: tuple[Any, ...]) -> Decoder:
    def literal(value: Any) -> Any:
        if not any(type(value) is type(c) and value == c for c in choices):
            raise Malformed(f"expected one of {choices!r}")
        return value

    return literal


def _union(members: tuple[Decoder, ...], optional: bool) -> Decoder:
    if optional and len(members) == 2:  # X | None, the common case: no trying
        inner = members[0] if members[1] is decoder(NONE_TYPE) else members[1]
        return lambda value: None if value is None else inner(value)

    def union(value: Any) -> Any:
        for member in members:
            try:
                return member(value)
            except (Malformed, ValueError, TypeError):
                continue
        raise Malformed("matches no member of the union")

    return union


def _sequence(item: Decoder, kind: type, of_strings: bool) -> Decoder:
    def sequence(value: Any) -> Any:
        if type(value) is not list:
            raise Malformed(f"expected a {kind.__name__}")
        if of_strings:  # paragraphs, ids: checked without a call per item
            if not set(map(type, value)) <= {str}:
                raise Malformed("expected strings")
            return kind(value)
        return kind(map(item, value))

    return sequence


def _fixed(items: tuple[Decoder, ...]) -> Decoder:
    def fixed(value: Any) -> tuple[Any, ...]:
        if type(value) is not list or len(value) != len(items):
            raise Malformed(f"expected a tuple of {len(items)}")
        return tuple(d(v) for d, v in zip(items, value))

    return fixed


def _record(cls: type) -> Decoder:
    """A record's decoder. Fields of plain types (str, int, str | None…) are checked all at
    once, the others converted one by one; a dataclass is then filled the way pickle fills
    one (its ``__dict__``, without a call per field): at 10,000 articles, the difference
    between loading the cache and parsing the files again."""
    hints = get_type_hints(cls)
    is_dataclass = dataclasses.is_dataclass(cls)
    names: tuple[str, ...] = (
        tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else tuple(cls._fields)  # type: ignore[attr-defined]  # a NamedTuple
    )
    plain = [_plain_types(hints[name]) for name in names]
    converted = tuple(
        (position, decoder(hints[name]))
        for position, name in enumerate(names)
        if plain[position] is None
    )
    # Converted fields are checked by their decoder: here, any JSON type.
    allowed: tuple[frozenset[type], ...] = tuple(kinds or JSON_TYPES for kinds in plain)
    count = len(names)
    new, make_tuple = object.__new__, tuple.__new__
    # The field types' every combination, when they are few (Mention, RemovedLine: one).
    signatures = set(product(*allowed)) if prod(len(kinds) for kinds in allowed) <= 64 else None
    contains = frozenset.__contains__

    def record(value: Any) -> Any:
        if type(value) is not list or len(value) != count:
            raise Malformed(f"expected a {cls.__name__} of {count} fields")
        if signatures is not None:
            if tuple(map(type, value)) not in signatures:
                raise Malformed(f"a {cls.__name__} with a field of the wrong type")
        elif not all(map(contains, allowed, map(type, value))):
            raise Malformed(f"a {cls.__name__} with a field of the wrong type")
        for position, convert in converted:
            value[position] = convert(value[position])
        if not is_dataclass:
            return make_tuple(cls, value)
        made: Any = new(cls)
        made.__dict__.update(zip(names, value))
        return made

    return record


def _plain_types(hint: Any) -> frozenset[type] | None:
    """The JSON types a value of `hint` may have when it is stored as is (str, int,
    float, bool, None and their unions); None when it must be converted."""
    if hint in (str, int, float, bool, NONE_TYPE, None):
        return frozenset({NONE_TYPE if hint is None else hint})
    if get_origin(hint) in (Union, types.UnionType):
        members = [_plain_types(a) for a in get_args(hint)]
        if all(m is not None for m in members):
            return frozenset().union(*members)  # type: ignore[arg-type]
    return None


def entry_hash(table: str, key: str, data: bytes) -> str:
    """What an entry's stored hash must be: its bytes bound to this version, table and key
    (so that a value moved to another key, or written by another version, is refused)."""
    return digest(STAMP, table, key, data)


# --- the store ------------------------------------------------------------------------


Row = tuple[str, bytes]  # an entry's hash and bytes


class Cache:
    """Named tables of key -> value, loaded on first use and saved by `save`.

    Entries not used during a build are dropped when it is saved, so the cache holds
    what the archive is now, not everything it ever was. Entries are decoded (and
    checked) when first asked for.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._values: dict[str, dict[str, Any]] = {}  # decoded or put in this build
        self._stored: dict[str, dict[str, Row]] = {}  # as read, not yet refused
        self._on_disk: dict[str, set[str]] = {}  # every key the database held
        self._used: dict[str, set[str]] = {}
        self._fresh: dict[str, set[str]] = {}  # put in this build: to be written
        self._damaged = False  # the file is not a sound cache database: replace it
        self._stale = False  # written by another version: empty it
        self._unreadable = False  # locked or unreadable: not asked again in this build
        self._warned = False
        self.hits = 0
        self.misses = 0

    @property
    def path(self) -> Path | None:
        """The database file."""
        return None if self.folder is None else self.folder / DATABASE

    def _table(self, name: str) -> dict[str, Any]:
        if name not in self._values:
            self._stored[name] = self._read(name)
            self._on_disk[name] = set(self._stored[name])
            self._values[name] = {}
            self._used[name] = set()
            self._fresh[name] = set()
        return self._values[name]

    def _read(self, name: str) -> dict[str, Row]:
        path = self.path
        if path is None or self._damaged or self._stale or self._unreadable:
            return {}
        if not path.is_file():
            return {}
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        uri = f"{path.absolute().as_uri()}?mode={'rw' if writable else 'ro'}"
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None)
            try:
                connection.execute("PRAGMA trusted_schema = OFF")
                if not _sound_layout(connection):
                    self._damaged = True
                    self._warn(path, "not a Postilla cache database; it is replaced")
                    return {}
                if _stamp(connection) != STAMP:
                    self._stale = True
                    return {}
                rows = connection.execute(
                    "SELECT key, hash, value FROM entries WHERE tbl = ?", (name,)
                ).fetchall()
            finally:
                connection.close()
        except sqlite3.Error as exc:
            if _corrupt(exc):
                self._damaged = True
                self._warn(path, f"the build cache is damaged ({exc}); it is replaced")
            else:
                self._unreadable = True
                self._warn(path, f"the build cache cannot be read ({exc}); building without it")
            return {}
        return {
            key: (stored_hash, data)
            for key, stored_hash, data in rows
            if type(key) is str and type(stored_hash) is str and type(data) is bytes
        }

    def get(self, name: str, key: str) -> Any | None:
        values = self._table(name)
        value = values.get(key)
        if value is None and key in self._stored[name]:
            value = self._decode(name, key)
            if value is not None:
                values[key] = value
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used[name].add(key)
        return value

    def _decode(self, name: str, key: str) -> Any | None:
        """The stored value of an entry, or None (and the entry forgotten) when its hash
        or its shape is wrong."""
        stored_hash, data = self._stored[name][key]
        if stored_hash == entry_hash(name, key, data):
            try:
                return decode(table_types().get(name, PLAIN), data)
            except Malformed:
                pass
        del self._stored[name][key]
        return None

    def keep(self, name: str, key: str) -> None:
        """Keep an entry for the next build without reading it (it is not needed in this
        one, but what it depends on is unchanged)."""
        self._table(name)
        if key in self._stored[name] or key in self._values[name]:
            self._used[name].add(key)

    def put(self, name: str, key: str, value: Any) -> None:
        self._table(name)[key] = value
        self._used[name].add(key)
        self._fresh[name].add(key)

    def save(self) -> None:
        """Write every table used in this build, keeping only the entries it used, in one
        transaction. A folder or disk that cannot take it means a build without saving
        the cache (one warning), never a failed build."""
        path = self.path
        if path is None or not self._values:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", "utf-8")
            for legacy in path.parent.glob("*.pickle"):  # the old format: never read
                legacy.unlink()
            rows = self._rows()
            if self._damaged:
                _remove_database(path)
            try:
                _write(path, rows, self._changes(rows), replace=self._damaged or self._stale)
            except sqlite3.DatabaseError as exc:
                if not _corrupt(exc):
                    raise
                self._warn(path, f"the build cache is damaged ({exc}); it is replaced")
                _remove_database(path)
                _write(path, rows, self._changes(rows), replace=True)
            self._saved(rows)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            where = getattr(exc, "filename", None) or path
            self._warn(
                where,
                f"the build cache is not saved ({reason}); the build goes on"
                " (free some space, or make the folder writable, to keep it)",
            )

    def _saved(self, rows: dict[str, dict[str, Row]]) -> None:
        """The file now holds `rows`: a later save starts from there."""
        for name, kept in rows.items():
            self._stored[name] = dict(kept)
            self._on_disk[name] = set(kept)
            self._fresh[name] = set()
            self._values[name] = {k: v for k, v in self._values[name].items() if k in kept}
        self._damaged = self._stale = self._unreadable = False

    def _rows(self) -> dict[str, dict[str, Row]]:
        """Each table's entries used in this build, as stored (those put now encoded)."""
        rows: dict[str, dict[str, Row]] = {}
        for name, used in self._used.items():
            kept = rows[name] = {}
            for key in used:
                if key in self._fresh[name]:
                    try:
                        data = encode(self._values[name][key])
                    except (TypeError, ValueError):  # not a cacheable value: not kept
                        continue
                    kept[key] = (entry_hash(name, key, data), data)
                else:
                    kept[key] = self._stored[name][key]
        return rows

    def _changes(self, rows: dict[str, dict[str, Row]]) -> dict[str, tuple[list[str], list[str]]]:
        """Each table's keys to delete from the file and keys to write into it."""
        return {
            name: (
                sorted(self._on_disk[name] - kept.keys()),
                sorted(k for k in kept if k in self._fresh[name] or k not in self._on_disk[name]),
            )
            for name, kept in rows.items()
        }

    def _warn(self, path: str | Path, message: str) -> None:
        """Say what is wrong with the cache, once per build: it never stops one."""
        if not self._warned:
            self._warned = True
            log.warning("%s: warning: %s", path, message)


def _sound_layout(connection: sqlite3.Connection) -> bool:
    """Whether the database holds exactly Postilla's tables (an empty one is sound too)."""
    schema = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    (layout,) = connection.execute("PRAGMA user_version").fetchone()
    if not schema and layout == 0:
        return True
    return len(schema) == len(SCHEMA) and set(schema) == set(SCHEMA) and layout == LAYOUT


def _stamp(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE name = 'stamp'").fetchone()
    return row[0] if row else None


def _corrupt(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is not a (sound) database, as opposed to busy or
    read-only."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        type(exc) is sqlite3.DatabaseError and not name
    )


def _remove_database(path: Path) -> None:
    """Delete a database file that cannot be used, with its journal."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _write(
    path: Path,
    rows: dict[str, dict[str, Row]],
    changes: dict[str, tuple[list[str], list[str]]],
    *,
    replace: bool,
) -> None:
    """Apply `changes` to the database in one transaction (or, with `replace`, make its
    content exactly `rows`). SQLite's journal makes the transaction all or nothing,
    also when the process is killed, and waits for another process writing it."""
    connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            _fill(connection, rows, changes, replace)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()


def _fill(
    connection: sqlite3.Connection,
    rows: dict[str, dict[str, Row]],
    changes: dict[str, tuple[list[str], list[str]]],
    replace: bool,
) -> None:
    """The statements of a save, inside its transaction. A file SQLite finds damaged
    (its integrity check: some tens of milliseconds at 10,000 articles) raises
    DatabaseError: `Cache.save` then writes a new one."""
    schema = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    if not schema:
        for _, _, statement in SCHEMA:
            if statement:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {LAYOUT}")
    elif not _sound_layout(connection):
        raise sqlite3.DatabaseError("not a Postilla cache database")
    else:  # damage that reads did not meet (an index out of step with its table)
        (verdict,) = connection.execute("PRAGMA integrity_check(1)").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {verdict}")
    if replace or _stamp(connection) != STAMP:
        connection.execute("DELETE FROM entries")
        changes = {name: ([], sorted(kept)) for name, kept in rows.items()}
    connection.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (STAMP,))
    for name, (stale, written) in changes.items():
        kept = rows[name]
        connection.executemany("DELETE FROM entries WHERE tbl = ? AND key = ?", _pairs(name, stale))
        connection.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
            ((name, key, *kept[key]) for key in written),
        )


def _pairs(name: str, keys: Iterable[str]) -> Iterable[tuple[str, str]]:
    return ((name, key) for key in keys)


NO_CACHE = Cache(None)
