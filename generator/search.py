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
"""

from __future__ import annotations

import gzip
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
from pathlib import Path

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

# A search document: the digest of what it is made from, and how to make it (only when
# that digest differs from the one of the file already written).
Document = tuple[str, Callable[[], str]]
MANIFEST = "manifest.json"  # in each shard's documents folder: relative path -> digest


def sync_documents(
    folder: Path, documents: Mapping[str, Document], made: list[str] | None = None
) -> int:
    """Make `folder` hold exactly `documents` (relative path -> digest and maker): write
    what is new or changed, delete what is no longer there, as its manifest (the digests
    of what was written) tells; the documents written are added to `made`. The number of
    files written or deleted."""
    try:
        written: dict[str, str] = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        written = {}
        shutil.rmtree(folder, ignore_errors=True)  # no manifest: start afresh
    changed = 0
    for relative, (key, make) in documents.items():
        if written.get(relative) == key:
            continue
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        page = make()
        path.write_text(page, "utf-8")
        if made is not None:
            made.append(page)
        written[relative] = key
        changed += 1
    for relative in [r for r in written if r not in documents]:
        (folder / relative).unlink(missing_ok=True)
        del written[relative]
        changed += 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps(written), "utf-8")
    return changed


def pagefind_command(documents: Path, output: Path) -> list[str]:
    # The `pagefind` package ships its binary (pagefind_bin): nothing is downloaded.
    # MkDocs renders on one core meanwhile: with `nice`, Pagefind (which would take both
    # cores) yields to it and indexes on the other.
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


class SearchIndex:
    """The shards' bundles, brought up to date by Pagefind in a background thread, one
    shard after the other (so that only one shard is ever held in memory)."""

    def __init__(
        self,
        folder: Path,
        shards: list[str],
        stale: list[str],
        temporary: bool,
        vocabulary: Callable[[], set[str]] = set,
        made: list[str] | None = None,
        language: str = "en",
    ):
        self.folder = folder  # documents/<shard>/… and bundles/<shard>/
        self.shards = shards  # every shard, newest first
        self.stale = stale  # the shards to index again
        self.temporary = temporary  # no cache: the folder goes when the build is done
        self.vocabulary = vocabulary  # every word, when there is no vocabulary to add to
        self.made = made or []  # the documents written by this build
        self.language = language
        self.seconds = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            if self.stale:
                page = vocabulary_document(sorted(self.words()), self.language)
                for shard in self.stale:
                    path = self.folder / "documents" / shard / VOCABULARY
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(page, "utf-8")
        except Exception as exc:  # reported by `finish`, in the build's thread
            self._error = f"the search vocabulary could not be written: {exc}"
            return
        for shard in self.stale:
            if self._cancelled.is_set():
                return
            documents = self.folder / "documents" / shard
            bundle = self.folder / "bundles" / shard
            fresh = bundle.with_name(f".{shard}.new")
            shutil.rmtree(fresh, ignore_errors=True)
            self._process = subprocess.Popen(
                pagefind_command(documents, fresh),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            out, _ = self._process.communicate()
            if self._process.returncode != 0:
                if not self._cancelled.is_set():
                    self._error = f"Pagefind could not index {documents}:\n{out}"
                shutil.rmtree(fresh, ignore_errors=True)
                return
            for name in UNUSED:
                (fresh / name).unlink(missing_ok=True)
            hidden = vocabulary_page_id(fresh)
            (fresh / "postilla.json").write_text(json.dumps({"hidden": hidden}), "utf-8")
            shutil.rmtree(bundle, ignore_errors=True)
            fresh.rename(bundle)
        self.seconds = time.perf_counter() - started

    def words(self) -> set[str]:
        """The vocabulary: the last one and the words of the documents written since, or
        every word of the archive; kept for the next build."""
        kept = self.folder / VOCABULARY_WORDS
        try:
            words = set(kept.read_text("utf-8").split())
            words |= words_of(html.unescape(_TAG.sub(" ", page)) for page in self.made)
        except OSError:
            words = self.vocabulary()
        kept.write_text(" ".join(sorted(words)), "utf-8")
        return words

    def finish(self, site: Path) -> None:
        """Wait for Pagefind; put every shard's bundle under ``site/pagefind/`` with the
        list of shards the search box reads. PluginError if Pagefind failed."""
        self._thread.join()
        if self._error is not None:
            self._clean_up()
            raise PluginError(self._error)
        target = site / "pagefind"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        hidden = []
        for shard in self.shards:
            bundle = self.folder / "bundles" / shard
            _copy_tree(bundle, target / shard)
            (target / shard / "postilla.json").unlink()
            script = target / shard / HIGHLIGHT
            if script.is_file() and not (target / HIGHLIGHT).exists():
                script.rename(target / HIGHLIGHT)
            script.unlink(missing_ok=True)
            hidden.append(json.loads((bundle / "postilla.json").read_text("utf-8"))["hidden"])
        listing = {"shards": self.shards, "hidden": sorted({h for h in hidden if h})}
        (target / SHARDS_FILE).write_text(json.dumps(listing), "utf-8")
        self._clean_up()

    def cancel(self) -> None:
        """Stop Pagefind (the build failed)."""
        self._cancelled.set()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        self._thread.join()
        self._clean_up()

    def _clean_up(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


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
) -> SearchIndex:
    """Bring the documents of each shard (shard -> relative path -> document) up to date in
    `folder` (a temporary folder when None) and start indexing the shards that changed.
    `vocabulary` gives every word of the archive (called only when there is no earlier
    vocabulary to add to); `language` is the site's, the vocabulary page's."""
    temporary = folder is None
    folder = Path(tempfile.mkdtemp(prefix="postilla-search-")) if folder is None else folder
    folder = folder.resolve()
    dated = sorted((s for s in shards if s != "undated"), reverse=True)  # newest first
    ordered = dated + (["undated"] if "undated" in shards else [])
    stale = []
    made: list[str] = []
    if not (folder / "documents").is_dir():
        (folder / VOCABULARY_WORDS).unlink(missing_ok=True)  # a fresh folder: all words
    for shard in ordered:
        changed = sync_documents(folder / "documents" / shard, shards[shard], made)
        if changed or not (folder / "bundles" / shard / "pagefind-entry.json").is_file():
            stale.append(shard)
            # Gone until indexed again: a build stopped midway leaves no outdated bundle.
            shutil.rmtree(folder / "bundles" / shard, ignore_errors=True)
    for kind in ("documents", "bundles"):  # shards that no longer exist
        for old in (folder / kind).glob("*") if (folder / kind).is_dir() else ():
            if old.name not in shards:
                shutil.rmtree(old, ignore_errors=True)
    index = SearchIndex(folder, ordered, stale, temporary, vocabulary, made, language)
    index.start()
    return index
