"""A build cache: results that a content hash says are unchanged are not computed again.

Reading and validating tens of thousands of article files, and linking their entities,
is most of the work before MkDocs starts. Each result is stored under a key made of the
hash of everything it depends on (the file's bytes; the body and the registry), in one
pickle per kind of result under ``.postilla-cache/`` (git-ignored). The whole cache is
dropped when Postilla's version or Python's changes. Pickles are only ever read from
this local folder, written by Postilla itself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".postilla-cache"
# Results computed by another version of Postilla (or Python) are never reused.
# Raise FORMAT when a cached type changes shape (Article, Mention): older tables are
# then dropped instead of unpickled into the new classes.
FORMAT = 2
STAMP = f"postilla {__version__} format {FORMAT} python {sys.version_info[:2]}"


def digest(*parts: bytes | str) -> str:
    """A short, stable key for some bytes or strings."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    """Named tables of key -> value, loaded on first use and saved by `save`.

    Entries not used during a build are dropped when it is saved, so the cache holds
    what the archive is now, not everything it ever was.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._tables: dict[str, dict[str, Any]] = {}
        self._used: dict[str, set[str]] = {}
        self.hits = 0
        self.misses = 0

    def _table(self, name: str) -> dict[str, Any]:
        if name not in self._tables:
            self._tables[name] = self._read(name)
            self._used[name] = set()
        return self._tables[name]

    def _read(self, name: str) -> dict[str, Any]:
        if self.folder is None:
            return {}
        path = self.folder / f"{name}.pickle"
        try:
            with path.open("rb") as handle:
                stamp, table = pickle.load(handle)
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            ValueError,
            TypeError,
            AttributeError,
            ImportError,
        ):
            return {}
        return table if stamp == STAMP and isinstance(table, dict) else {}

    def get(self, name: str, key: str) -> Any | None:
        table = self._table(name)
        value = table.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used[name].add(key)
        return value

    def put(self, name: str, key: str, value: Any) -> None:
        self._table(name)[key] = value
        self._used[name].add(key)

    def save(self) -> None:
        """Write every table used in this build, keeping only the entries it used."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        gitignore = self.folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", "utf-8")
        for name, table in self._tables.items():
            kept = {k: v for k, v in table.items() if k in self._used[name]}
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((STAMP, kept), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{name}.pickle")


NO_CACHE = Cache(None)
