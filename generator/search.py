"""The search index: Pagefind, over one small search document per article, in shards.

Pagefind stems words in each document's language (``<html lang="it">``: Italian
Snowball, so ``talebano`` finds ``talebani``) and splits its index into chunks a
browser fetches per query, so a search stays small however large the archive.

It does not read the built pages. Each article gets a search document (`render.
search_document`: title, text, footnotes, and the fields results show and filters
use) at the address of its page. The documents exist as soon as the archive is
loaded, so Pagefind indexes them on the second core while MkDocs renders the pages on
the first (`SearchIndex.start`, then `finish` once the pages are written).

The index is split into **shards**, one per year (one per month in a year of more than
`SHARD_MAX` articles), each a Pagefind bundle of its own under ``pagefind/<shard>/``.
The search box opens the newest and merges the others into it (Pagefind's
``mergeIndex``, which reuses the first bundle's WebAssembly), so a reader searches the
whole archive at once. Shards bound what one Pagefind run holds in memory (it keeps
about 0.3 MB per article until it writes), and after an edit only the shards whose
documents changed are indexed again: with the cache on, documents and bundles are kept
under ``.postilla-cache/search/``.

One more document in each shard: the **vocabulary**, every word of the archive once.
When a word is missing from an index, Pagefind answers with the longest prefix of it
that is there ("talebano" in a shard without it finds "tali"): one index does this only
for words the archive lacks, but a shard would for every word of the other years. With
the vocabulary, every shard knows every word; the search box leaves the vocabulary out of
the results (its page id is in ``shards.json``). A shard's vocabulary is written when the
shard is indexed: words first seen in other shards since then may still meet the
fallback there, until that shard changes or the site is built afresh.

What reaches the site is checked, and the same at every build. Pagefind runs with a
timeout (`pagefind_timeout`), and anything that goes wrong in the background thread fails
the build (`SearchIndex.finish` raises it). A new bundle is made reproducible
(`canonical_bundle`: Pagefind writes some files in hash-map order), checked to be a
complete index of at least one page (`index_problem`) and recorded, file by file with its
hash (`RECORD`); a kept bundle that differs from its record in any way is indexed again,
never copied (`bundle_problem`), and so is a search document that differs from the hash
written in its folder's manifest when its shard is indexed again.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zlib import error as zlib_error

from mkdocs.exceptions import PluginError

from .search_text import apostrophes

# Articles in a year beyond which the year is split into parts. A shard costs Pagefind
# about 0.3 MB of memory per article while it is indexed (1.8 GB at this size), and a
# query one index chunk per shard: fewer, larger shards transfer less.
SHARD_MAX = 6000
SHARDS_FILE = "shards.json"  # in the site's pagefind/ folder: the search box reads it
VOCABULARY = "postilla-vocabulary/index.html"  # in each shard's documents
# Pagefind's ready-made interfaces, in every bundle: the search box uses its API only.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
)
# Pagefind's script that marks the words searched on the page a result opens (the search
# box loads it there): one copy in the site's pagefind/ folder, not one per shard.
HIGHLIGHT = "pagefind-highlight.js"
VOCABULARY_URL = "/postilla-vocabulary/"
# A word as Pagefind takes it: letters and digits, with the apostrophes and hyphens inside
# it (``dell'isis``, ``al-zawahiri``): the vocabulary gives it whole, and Pagefind adds
# its parts (``dell``, ``isis``) as it does in the documents.
_WORD = re.compile(r"\w+(?:['-]\w+)*")


def shard_of(date: str | None, year_size: int) -> str:
    """The shard of an article dated `date` in a year of `year_size` articles: the year,
    or for a year of more than `SHARD_MAX` articles a part of it (``2021-2``: the second
    half), in as few parts as keep each near `SHARD_MAX` (2, 3, 4, 6 or 12 months' worth).
    An article without a month goes to the year's first part."""
    if not date:
        return "undated"
    parts = next((n for n in (1, 2, 3, 4, 6, 12) if year_size <= n * SHARD_MAX), 12)
    if parts == 1:
        return date[:4]
    month = int(date[5:7]) if len(date) >= 7 else 1
    return f"{date[:4]}-{(month - 1) // (12 // parts) + 1}"


# Pagefind runs at most at once when several shards are indexed again (an update of
# articles of several years): a run of a small shard mostly waits (starting, writing its
# files), so they overlap; together they hold no more than `SHARD_MAX` articles.
CONCURRENT_RUNS = 4


def concurrent_batches(shards: list[str], sizes: Mapping[str, int]) -> list[list[str]]:
    """`shards` (in order) in batches indexed at the same time: at most `CONCURRENT_RUNS`
    to a batch, and no more than `SHARD_MAX` articles in one (a shard larger than that
    alone), so that memory stays what one shard of `SHARD_MAX` articles needs."""
    batches: list[list[str]] = []
    held = 0
    for shard in shards:
        size = sizes.get(shard, SHARD_MAX)
        if batches and len(batches[-1]) < CONCURRENT_RUNS and held + size <= SHARD_MAX:
            batches[-1].append(shard)
            held += size
        else:
            batches.append([shard])
            held = size
    return batches


def words_of(texts: Iterable[str]) -> set[str]:
    """Every word of `texts`, lowercase, with one kind of apostrophe."""
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(apostrophes(text).lower()))
    return words


def vocabulary_document(words: Iterable[str], language: str) -> str:
    """A page holding each of `words` once (sorted)."""
    return (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>vocabulary</title></head><body data-pagefind-body><p>"
        + " ".join(sorted(words))
        + "</p></body></html>\n"
    )


def vocabulary_page_id(bundle: Path) -> str | None:
    """The page id Pagefind gave the vocabulary in `bundle` (its fragment's file name),
    found by its address; the largest fragments are looked at first (it usually is the
    largest: every word of the archive)."""
    fragments = sorted((bundle / "fragment").glob("*.pf_fragment"), key=lambda p: -p.stat().st_size)
    for fragment in fragments:
        data = gzip.decompress(fragment.read_bytes())
        if data.startswith(b"pagefind_dcd"):
            data = data[len(b"pagefind_dcd") :]
        if json.loads(data).get("url") == VOCABULARY_URL:
            return fragment.name.removesuffix(".pf_fragment")
    return None


# The words of the last vocabulary, in the search folder: a build that writes a few
# documents adds their words to it instead of reading the whole archive again. (A word
# an edit removed stays: the vocabulary page only has to hold every word, not only them.)
VOCABULARY_WORDS = "vocabulary.txt"
_TAG = re.compile(r"<[^>]*>")
# The hidden fields of a search document (`render.search_fields`): shown with results and
# used by filters, never indexed as words (their dates are in the interface's language).
_NOT_INDEXED = re.compile(r'<div hidden data-pagefind-ignore="index">.*?</div>', re.S)


def indexed_text(document: str) -> str:
    """The words Pagefind indexes in a search document: its text, without its tags and its
    hidden fields, so that a vocabulary grown build by build holds what a cold one does."""
    return html.unescape(_TAG.sub(" ", _NOT_INDEXED.sub(" ", document)))


# A search document: the digest of what it is made from, and how to make it (only when
# that digest differs from the one of the file already written).
Document = tuple[str, Callable[[], str]]
# In each shard's documents folder: relative path -> [the document's digest, the SHA-256
# of the bytes written], so that a document damaged in the cache is found and made again.
MANIFEST = "manifest.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(folder: Path) -> dict[str, list[str]] | None:
    """The documents folder's manifest, or None when it is missing or not one."""
    try:
        written = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(written, dict) or not all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
        for v in written.values()
    ):
        return None
    return written


def sync_documents(
    folder: Path,
    documents: Mapping[str, Document],
    made: list[str] | None = None,
    verify: bool = False,
) -> int:
    """Make `folder` hold exactly `documents` (relative path -> digest and maker): write
    what is new or changed, delete what is no longer there, as its manifest (each
    document's digest and the hash of its bytes) tells; with `verify`, also every file
    whose bytes are not the ones written (damaged or deleted in the cache). The documents
    written are added to `made`. The number of files written or deleted."""
    written = _read_manifest(folder)
    if written is None:
        written = {}
        shutil.rmtree(folder, ignore_errors=True)  # no manifest: start afresh
    changed = 0
    for relative, (key, make) in documents.items():
        path = folder / relative
        if written.get(relative, [None])[0] == key and not (
            verify and not _holds(path, written[relative][1])
        ):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        page = make()
        data = page.encode("utf-8")
        path.write_bytes(data)
        if made is not None:
            made.append(page)
        written[relative] = [key, _sha256(data)]
        changed += 1
    for relative in [r for r in written if r not in documents]:
        (folder / relative).unlink(missing_ok=True)
        del written[relative]
        changed += 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps(written, sort_keys=True), "utf-8")
    return changed


def _holds(path: Path, sha256: str) -> bool:
    """Whether the file at `path` has the bytes whose hash is `sha256`."""
    try:
        return _sha256(path.read_bytes()) == sha256
    except OSError:
        return False


def pagefind_command(documents: Path, output: Path) -> list[str]:
    # The `pagefind` package ships its binary (pagefind_bin): nothing is downloaded.
    # MkDocs renders on one core meanwhile: with `nice`, Pagefind (which would take both
    # cores) yields to it and indexes on the other. (`nice` and `python -m pagefind` both
    # exec the next program: the process started is Pagefind itself, which a timeout kills.)
    nice = shutil.which("nice")
    return [
        *([nice, "-n", "10"] if nice else []),
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(documents),
        "--output-path",
        str(output),
        "--silent",
    ]


# How long one shard may take Pagefind, in seconds: far beyond what a shard of
# `SHARD_MAX` articles needs (about a minute), so only a Pagefind that hangs reaches it.
# POSTILLA_PAGEFIND_TIMEOUT sets another.
PAGEFIND_TIMEOUT = 1800.0
TIMEOUT_VARIABLE = "POSTILLA_PAGEFIND_TIMEOUT"


def pagefind_timeout(environment: Mapping[str, str]) -> float:
    """The seconds one Pagefind run may take: `TIMEOUT_VARIABLE` in `environment`, else
    `PAGEFIND_TIMEOUT`. PluginError when the variable is not a positive number."""
    value = environment.get(TIMEOUT_VARIABLE, "").strip()
    if not value:
        return PAGEFIND_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise PluginError(
            f"{TIMEOUT_VARIABLE}={value!r} is not a number of seconds — set it to e.g. 1800"
        )
    return seconds


class SearchError(Exception):
    """The search index could not be made; the message says why and what to do."""


# --- Pagefind's bundle, made reproducible and checked ---------------------------------
#
# Pagefind writes its metadata (``pagefind.<hash>.pf_meta``) and filter files
# (``filter/<hash>.pf_filter``) in the order of Rust hash maps, which differs between
# runs: two builds of the same archive would ship different files (and, since the
# names are hashes of the contents, different names). Each such file is gzip over
# ``pagefind_dcd`` and CBOR. `canonical_bundle` decodes them, sorts what is a set (a
# filter's values, the list of filters, the list of sort orders), encodes them again and
# names them as Pagefind does (a SHA-1 of the CBOR), then writes the new hash into
# ``pagefind-entry.json``. A file that does not encode back to exactly its own bytes is
# left as it is: then nothing is changed that is not understood.

SIGNATURE = b"pagefind_dcd"
_FILTER_HASH = 7  # characters of the hash in a filter file's name, after "<language>_"
_META_HASH = 10  # in the metadata file's name
CborValue = int | str | bytes | bool | None | list["CborValue"]


def pagefind_hash(data: bytes) -> str:
    """The hash Pagefind names a file by: SHA-1, each byte in hex without its leading
    zero (Rust's ``{:x}`` per byte)."""
    return "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())


def cbor_decode(data: bytes) -> CborValue:
    """The value of the CBOR `data`, of the kinds Pagefind writes: integers, text, bytes,
    arrays (definite lengths) and true/false/null. ValueError for anything else."""
    value, end = _cbor_item(data, 0)
    if end != len(data):
        raise ValueError("bytes after the CBOR value")
    return value


def _cbor_item(data: bytes, at: int) -> tuple[CborValue, int]:
    if at >= len(data):
        raise ValueError("CBOR value cut short")
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info not in simple:
            raise ValueError(f"CBOR simple value {info} is not one Pagefind writes")
        return simple[info], at
    if info < 24:
        number = info
    elif info <= 27:
        size = 1 << (info - 24)
        if at + size > len(data):
            raise ValueError("CBOR value cut short")
        number, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise ValueError("CBOR of indefinite length")
    if major == 0:
        return number, at
    if major == 1:
        return -1 - number, at
    if major in (2, 3):
        if at + number > len(data):
            raise ValueError("CBOR string cut short")
        raw = data[at : at + number]
        return (raw if major == 2 else raw.decode("utf-8")), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _cbor_item(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {major} is not one Pagefind writes here")


def cbor_encode(value: CborValue) -> bytes:
    """`value` as CBOR, every length and number in its shortest form (as Pagefind's
    encoder writes them)."""
    if value is False or value is True or value is None:
        return bytes([0xE0 | {False: 20, True: 21, None: 22}[value]])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _cbor_head(3, len(encoded)) + encoded
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    return _cbor_head(4, len(value)) + b"".join(cbor_encode(item) for item in value)


def _cbor_head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError(f"{number} is too large for CBOR")


def read_chunk(path: Path) -> bytes:
    """The CBOR (or JSON) inside one of Pagefind's gzip files, without its signature.
    ValueError when the file is not one."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (EOFError, gzip.BadGzipFile, zlib_error) as exc:
        raise ValueError(f"{path.name} is not gzip: {exc}") from None
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} lacks Pagefind's signature")
    return data[len(SIGNATURE) :]


def chunk_file(payload: bytes) -> bytes:
    """A Pagefind file holding `payload`: signature and payload, gzip, without a
    timestamp (the same bytes at every build)."""
    return gzip.compress(SIGNATURE + payload, compresslevel=9, mtime=0)


def _decoded(payload: bytes) -> list[CborValue] | None:
    """`payload` decoded, when it is an array that encodes back to exactly `payload`."""
    try:
        value = cbor_decode(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, list) or cbor_encode(value) != payload:
        return None
    return value


def _by_first(items: list[CborValue]) -> list[CborValue]:
    """`items` (arrays whose first element is a name) sorted by that name."""
    return sorted(items, key=lambda item: str(item[0]) if isinstance(item, list) else "")


def _new_name(language: str, payload: bytes, length: int, taken: set[str]) -> str:
    """`<language>_<hash>` as Pagefind names a file: longer when the name is taken."""
    full = pagefind_hash(payload)
    while f"{language}_{full[:length]}" in taken and length < len(full):
        length += 1
    return f"{language}_{full[:length]}"


def canonical_bundle(bundle: Path) -> bool:
    """Rewrite what Pagefind wrote in hash-map order in `bundle` in sorted order (the
    same search: these lists are sets), with the file names and the entry file to match.
    False, changing nothing, where a file is not as understood."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text("utf-8"))
        languages = entry["languages"]
        if not isinstance(languages, dict):
            return False
        plans = [
            _canonical_language(bundle, lang, info["hash"]) for lang, info in languages.items()
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if any(plan is None for plan in plans):
        return False
    for info, plan in zip(list(languages.values()), plans, strict=True):
        assert plan is not None
        writes, removals, meta_name = plan
        for path in removals:
            path.unlink()
        for path, data in writes.items():
            path.write_bytes(data)
        info["hash"] = meta_name
    entry["languages"] = dict(sorted(languages.items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return True


def _canonical_language(
    bundle: Path, language: str, meta_hash: str
) -> tuple[dict[Path, bytes], list[Path], str] | None:
    """The files to write and to remove to make one language's index canonical, and its
    metadata's new name; None when a file is not as understood."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _decoded(read_chunk(meta_path))
    # version, pages, index chunks, filters, sorts, ...: filters and sorts are [name, …]
    if meta is None or len(meta) < 5 or not all(isinstance(meta[i], list) for i in (3, 4)):
        return None
    filters, sorts = meta[3], meta[4]
    assert isinstance(filters, list) and isinstance(sorts, list)
    writes: dict[Path, bytes] = {}
    removals = [meta_path]
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for item in _by_first(filters):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str)):
            return None
        path = bundle / "filter" / f"{item[1]}.pf_filter"
        values = _decoded(read_chunk(path))
        if values is None or len(values) != 2 or not isinstance(values[1], list):
            return None
        for value in values[1]:
            if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
                return None
            value[1] = sorted(value[1], key=lambda page: page if isinstance(page, int) else -1)
        values[1] = _by_first(values[1])
        payload = cbor_encode(values)
        name = _new_name(language, payload, _FILTER_HASH, taken)
        taken.add(name)
        renamed[item[1]] = name
        removals.append(path)
        writes[bundle / "filter" / f"{name}.pf_filter"] = chunk_file(payload)
    meta[3] = [
        [item[0], renamed[str(item[1])]] for item in _by_first(filters) if isinstance(item, list)
    ]
    meta[4] = _by_first(sorts)
    payload = cbor_encode(meta)
    meta_name = _new_name(language, payload, _META_HASH, set())
    writes[bundle / f"pagefind.{meta_name}.pf_meta"] = chunk_file(payload)
    return writes, removals, meta_name


# The bundle's own record, written when it is made: the vocabulary's page id, how many
# documents it holds and every file with its size and SHA-256. A bundle that does not
# match its record exactly is never copied into a site: it is indexed again.
RECORD = "postilla.json"


def bundle_record(bundle: Path, hidden: str | None, pages: int) -> dict[str, object]:
    """What `bundle` holds now (see `RECORD`)."""
    return {"hidden": hidden, "pages": pages, "files": _listing(bundle)}


def _listing(bundle: Path) -> dict[str, list[object]]:
    files: dict[str, list[object]] = {}
    for folder, _, names in os.walk(bundle):
        for name in names:
            path = Path(folder) / name
            relative = path.relative_to(bundle).as_posix()
            if relative != RECORD:
                data = path.read_bytes()
                files[relative] = [len(data), _sha256(data)]
    return dict(sorted(files.items()))


def bundle_state(bundle: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """Each file of `bundle` as the file system sees it: name, size, inode, modification
    and change times. A file written, replaced or removed since gives another state (the
    change time cannot be set back), so a bundle whose state is the one it had when
    `bundle_problem` read it whole is still as it was then, without reading it again."""
    found = []
    for folder, _, names in os.walk(bundle):
        for name in names:
            path = os.path.join(folder, name)
            stat = os.stat(path, follow_symlinks=False)
            found.append((path, stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns))
    return tuple(sorted(found))


def bundle_problem(bundle: Path) -> str | None:
    """What is wrong with the bundle kept in `bundle`, or None when it is exactly as it
    was made: every file its record lists with the same size and hash, no other file,
    and an index of at least one page whose files are all there."""
    try:
        record = json.loads((bundle / RECORD).read_text("utf-8"))
    except FileNotFoundError:
        return f"{RECORD} is missing"
    except (OSError, ValueError) as exc:
        return f"{RECORD} cannot be read: {exc}"
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        return f"{RECORD} is not a record of the bundle"
    try:
        listing = _listing(bundle)
    except OSError as exc:
        return f"a file cannot be read: {exc}"
    if listing != record["files"]:
        differ = sorted(set(listing) ^ set(record["files"])) or sorted(
            name for name in listing if listing[name] != record["files"][name]
        )
        return f"{differ[0]} is not the file Pagefind wrote"
    return index_problem(bundle)


def _names(items: list[CborValue], position: int) -> list[str]:
    """The file name (a hash) at `position` of each of `items`; ValueError when one has none."""
    names = []
    for item in items:
        if not isinstance(item, list) or len(item) <= position:
            raise ValueError("an entry of its metadata has no file name")
        name = item[position]
        if not isinstance(name, str) or not re.fullmatch(r"[\w-]+", name):
            raise ValueError(f"{name!r} is not a file name of Pagefind's")
        names.append(name)
    return names


def index_problem(bundle: Path) -> str | None:
    """What is missing from the Pagefind index in `bundle` for a browser to search it: its
    entry file, its metadata, one page at least, and every page's, word chunk's and
    filter's file; None when nothing is."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
        languages = entry["languages"]
        if not languages:
            return "pagefind-entry.json lists no language"
        for info in languages.values():
            meta = cbor_decode(read_chunk(bundle / f"pagefind.{info['hash']}.pf_meta"))
            if not isinstance(meta, list) or len(meta) < 4:
                return "its metadata is not Pagefind's"
            pages, chunks, filters = meta[1], meta[2], meta[3]
            assert isinstance(pages, list) and isinstance(chunks, list)
            assert isinstance(filters, list)
            if not pages or info.get("page_count") != len(pages):
                return "it holds no page" if not pages else "its page count is wrong"
            needed = [f"fragment/{name}.pf_fragment" for name in _names(pages, 0)]
            needed += [f"index/{name}.pf_index" for name in _names(chunks, 2)]
            needed += [f"filter/{name}.pf_filter" for name in _names(filters, 1)]
            for name in needed:
                if not (bundle / name).is_file():
                    return f"{name} is missing"
    except (OSError, ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError) as exc:
        return f"its index cannot be read: {exc}"
    return None


class SearchIndex:
    """The shards' bundles, brought up to date by Pagefind in a background thread, in
    batches (`concurrent_batches`: small shards at the same time, never more than
    `SHARD_MAX` articles held in memory at once). Whatever goes
    wrong there (Pagefind failing, hanging past `timeout` seconds, an incomplete index, a
    full disk) is raised by `finish` in the build's thread: the build fails with it."""

    def __init__(
        self,
        folder: Path,
        shards: list[str],
        stale: list[str],
        temporary: bool,
        vocabulary: Callable[[], set[str]] = set,
        made: list[str] | None = None,
        language: str = "en",
        sizes: Mapping[str, int] | None = None,
        timeout: float = PAGEFIND_TIMEOUT,
        checked: Mapping[str, tuple[tuple[str, int, int, int, int], ...]] | None = None,
    ):
        self.folder = folder  # documents/<shard>/… and bundles/<shard>/
        # The kept bundles found sound when the build started, as `bundle_state` saw them.
        self.checked = dict(checked or {})
        self.shards = shards  # every shard, newest first
        self.stale = stale  # the shards to index again
        self.temporary = temporary  # no cache: the folder goes when the build is done
        self.vocabulary = vocabulary  # every word, when there is no vocabulary to add to
        self.made = made or []  # the documents written by this build
        self.language = language
        self.sizes = dict(sizes or {})  # shard -> its documents (the vocabulary not counted)
        self.timeout = timeout  # seconds one Pagefind run may take
        self.seconds = 0.0
        self._processes: set[subprocess.Popen[str]] = set()  # the Pagefind runs going on
        self._cancelled = threading.Event()
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            if self.stale:
                self._write_vocabulary()
            for batch in concurrent_batches(self.stale, self.sizes):
                if self._cancelled.is_set():
                    return
                self._index_together(batch)
        except SearchError as exc:  # reported by `finish`, in the build's thread
            self._error = str(exc)
        except BaseException as exc:  # never a thread that dies unseen
            self._error = f"the search index could not be built: {type(exc).__name__}: {exc}"
        self.seconds = time.perf_counter() - started

    def _index_together(self, batch: list[str]) -> None:
        """Index the shards of `batch` at the same time, one Pagefind each; the first
        error is raised once all have ended."""
        if len(batch) == 1:
            self._index(batch[0])
            return
        with ThreadPoolExecutor(len(batch), thread_name_prefix="pagefind") as pool:
            runs = [pool.submit(self._index, shard) for shard in batch]
        for run in runs:
            run.result()

    def _write_vocabulary(self) -> None:
        try:
            page = vocabulary_document(sorted(self.words()), self.language)
            for shard in self.stale:
                path = self.folder / "documents" / shard / VOCABULARY
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(page, "utf-8")
        except OSError as exc:
            raise SearchError(f"the search vocabulary could not be written: {exc}") from None

    def _index(self, shard: str) -> None:
        """Index `shard` with Pagefind into a new folder; make it reproducible, check it
        and record it; then put it in place of the shard's bundle."""
        documents = self.folder / "documents" / shard
        bundle = self.folder / "bundles" / shard
        bundle.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{shard}.new-", dir=bundle.parent))
        try:
            self._pagefind(documents, fresh)
            for name in UNUSED:
                (fresh / name).unlink(missing_ok=True)
            canonical_bundle(fresh)
            problem = index_problem(fresh)
            pages = _page_count(fresh)
            if problem is None and shard in self.sizes and pages > self.sizes[shard] + 1:
                problem = f"it holds {pages} pages, more than the shard's documents"
            if problem is not None:
                raise SearchError(
                    f"Pagefind's index of {documents} is not complete ({problem}): "
                    "nothing was published — build again, with no other build running"
                )
            record = bundle_record(fresh, vocabulary_page_id(fresh), pages)
            (fresh / RECORD).write_text(json.dumps(record, sort_keys=True), "utf-8")
            shutil.rmtree(bundle, ignore_errors=True)
            fresh.rename(bundle)
        except OSError as exc:
            raise SearchError(
                f"the search index of {documents} could not be written: {exc}"
            ) from None
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _pagefind(self, documents: Path, output: Path) -> None:
        """Run Pagefind on `documents` into `output`; SearchError when it fails or takes
        longer than `timeout` (then it is stopped)."""
        try:
            process = subprocess.Popen(
                pagefind_command(documents, output),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        except OSError as exc:
            raise SearchError(f"Pagefind could not be started: {exc}") from None
        self._processes.add(process)
        try:
            out, _ = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SearchError(
                f"Pagefind did not finish indexing {documents} in {self.timeout:g} s and was "
                f"stopped — if the archive needs longer, set {TIMEOUT_VARIABLE} (seconds)"
            ) from None
        finally:
            self._processes.discard(process)
        if process.returncode != 0:
            said = [line.strip() for line in (out or "").splitlines() if line.strip()]
            reason = f": {said[-1]}" if said else ""
            raise SearchError(
                f"Pagefind could not index {documents} (exit status {process.returncode})"
                + ("" if self._cancelled.is_set() else reason)
            )

    def words(self) -> set[str]:
        """The vocabulary: the last one and the words of the documents written since, or
        every word of the archive; kept for the next build."""
        kept = self.folder / VOCABULARY_WORDS
        try:
            words = set(kept.read_text("utf-8").split())
            words |= words_of(indexed_text(page) for page in self.made)
        except (OSError, UnicodeDecodeError):
            words = self.vocabulary()
        kept.write_text(" ".join(sorted(words)), "utf-8")
        return words

    def finish(self, site: Path) -> None:
        """Wait for Pagefind; put every shard's bundle under ``site/pagefind/`` with the
        list of shards the search box reads. A bundle that is not exactly as it was made
        (changed in the cache since it was checked) is indexed again first. PluginError,
        with nothing under ``site/pagefind/``, when the index could not be made."""
        self._thread.join()
        target = site / "pagefind"
        try:
            if self._error is not None:
                raise SearchError(self._error)
            for shard in self.shards:
                bundle = self.folder / "bundles" / shard
                if shard in self.checked and bundle_state(bundle) == self.checked[shard]:
                    continue  # untouched since `start_index` read it whole
                if bundle_problem(bundle) is not None:
                    self._index(shard)
            self._publish(target)
        except (SearchError, OSError, ValueError, KeyError) as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise PluginError(
                str(exc)
                if isinstance(exc, SearchError)
                else f"the search index could not be copied into {target}: {exc}"
            ) from None
        finally:
            self._clean_up()

    def _publish(self, target: Path) -> None:
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        hidden = []
        for shard in self.shards:
            bundle = self.folder / "bundles" / shard
            _copy_tree(bundle, target / shard)
            (target / shard / RECORD).unlink()
            script = target / shard / HIGHLIGHT
            if script.is_file() and not (target / HIGHLIGHT).exists():
                script.rename(target / HIGHLIGHT)
            script.unlink(missing_ok=True)
            hidden.append(json.loads((bundle / RECORD).read_text("utf-8"))["hidden"])
        listing = {"shards": self.shards, "hidden": sorted({h for h in hidden if h})}
        (target / SHARDS_FILE).write_text(json.dumps(listing), "utf-8")

    def cancel(self) -> None:
        """Stop Pagefind (the build failed)."""
        self._cancelled.set()
        for process in list(self._processes):
            if process.poll() is None:
                process.kill()
        self._thread.join()
        self._clean_up()

    def _clean_up(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


def _page_count(bundle: Path) -> int:
    """The pages Pagefind indexed in `bundle` (0 when its entry file cannot be read)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
        return sum(int(info["page_count"]) for info in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def _copy_tree(source: Path, target: Path) -> None:
    """`source` into `target` as hard links (copies where links are not possible): the
    bundle kept in the cache is replaced as a whole when it changes, never in place."""
    for folder, _, files in os.walk(source):
        (target / Path(folder).relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in files:
            here = Path(folder) / name
            there = target / here.relative_to(source)
            try:
                os.link(here, there)
            except OSError:
                shutil.copy2(here, there)


def start_index(
    shards: Mapping[str, Mapping[str, Document]],
    folder: Path | None,
    vocabulary: Callable[[], set[str]],
    language: str = "en",
    timeout: float | None = None,
) -> SearchIndex:
    """Bring the documents of each shard (shard -> relative path -> document) up to date in
    `folder` (a temporary folder when None) and start indexing the shards that changed or
    whose bundle is not exactly as it was made (its documents are then checked too).
    `vocabulary` gives every word of the archive (called only when there is no earlier
    vocabulary to add to); `language` is the site's, the vocabulary page's; `timeout` the
    seconds one Pagefind run may take (by default `pagefind_timeout` of the environment)."""
    seconds = pagefind_timeout(os.environ) if timeout is None else timeout
    temporary = folder is None
    folder = Path(tempfile.mkdtemp(prefix="postilla-search-")) if folder is None else folder
    folder = folder.resolve()
    dated = sorted((s for s in shards if s != "undated"), reverse=True)  # newest first
    ordered = dated + (["undated"] if "undated" in shards else [])
    stale = []
    made: list[str] = []
    checked: dict[str, tuple[tuple[str, int, int, int, int], ...]] = {}
    if not (folder / "documents").is_dir():
        (folder / VOCABULARY_WORDS).unlink(missing_ok=True)  # a fresh folder: all words
    for leftover in (folder / "bundles").glob(".*.new*") if (folder / "bundles").is_dir() else ():
        shutil.rmtree(leftover, ignore_errors=True)  # of a build that was stopped
    for shard in ordered:
        documents = folder / "documents" / shard
        bundle = folder / "bundles" / shard
        state = bundle_state(bundle)
        damaged = bundle_problem(bundle) is not None
        changed = sync_documents(documents, shards[shard], made, verify=damaged)
        if not (changed or damaged):
            checked[shard] = state
        if changed or damaged:
            if changed and not damaged:  # to be indexed: its other documents checked too
                sync_documents(documents, shards[shard], made, verify=True)
            stale.append(shard)
            # Gone until indexed again: a build stopped midway leaves no outdated bundle.
            shutil.rmtree(bundle, ignore_errors=True)
    for kind in ("documents", "bundles"):  # shards that no longer exist
        for old in (folder / kind).glob("*") if (folder / kind).is_dir() else ():
            if old.name not in shards:
                shutil.rmtree(old, ignore_errors=True)
    sizes = {shard: len(shards[shard]) for shard in ordered}
    index = SearchIndex(
        folder, ordered, stale, temporary, vocabulary, made, language, sizes, seconds, checked
    )
    index.start()
    return index
