"""The search index: Pagefind, over one small search document per article.

Pagefind stems words in each document's language (``<html lang="it">``: Italian
Snowball, so ``talebano`` finds ``talebani``) and splits its index into chunks a
browser fetches per query, so a search stays small however large the archive.

It does not read the built pages. Each article gets a search document (`render.
search_document`: title, text, footnotes, and the fields results show and filters
use) at the address of its page, in a folder of its own. The documents exist as soon
as the archive is loaded, so Pagefind indexes them on the second core while MkDocs
renders the pages on the first (`SearchIndex.start`, then `finish` once the pages are
written). With the cache on, the folder is kept under ``.postilla-cache/search/`` and
only documents whose text changed are written again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from mkdocs.exceptions import PluginError


def sync_documents(folder: Path, documents: Mapping[str, str]) -> int:
    """Make `folder` hold exactly `documents` (relative path -> HTML): write what is new
    or changed, delete what is no longer there. The number of files written."""
    written = 0
    for relative, html in documents.items():
        path = folder / relative
        data = html.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    wanted = {folder / relative for relative in documents}
    for path in folder.rglob("*.html"):
        if path not in wanted:
            path.unlink()
    return written


class SearchIndex:
    """One run of Pagefind over a folder of search documents, in a child process."""

    def __init__(self, documents: Path, output: Path, temporary: Path | None = None) -> None:
        self.documents = documents
        self.output = output  # Pagefind's bundle is written here, then moved into the site
        self.temporary = temporary  # removed when done (no cache to keep the documents in)
        self.seconds = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._waiter: threading.Thread | None = None
        self._result: tuple[int, str] = (0, "")

    def start(self) -> None:
        # The `pagefind` package ships its binary (pagefind_bin): nothing is downloaded.
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(self.documents),
            "--output-path",
            str(self.output),
            "--silent",
        ]
        started = time.perf_counter()
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        process = self._process

        def wait() -> None:
            out, _ = process.communicate()
            self._result = (process.returncode, out or "")
            self.seconds = time.perf_counter() - started

        self._waiter = threading.Thread(target=wait, name="pagefind", daemon=True)
        self._waiter.start()

    def finish(self, site: Path) -> None:
        """Wait for Pagefind and put its bundle at ``site/pagefind``; PluginError if it failed."""
        if self._waiter is None:
            raise RuntimeError("the search index was not started")
        self._waiter.join()
        code, out = self._result
        if code != 0:
            raise PluginError(f"Pagefind could not index {self.documents}:\n{out}")
        target = site / "pagefind"
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(self.output), str(target))
        self._clean_up()

    def cancel(self) -> None:
        """Stop Pagefind (the build failed) and remove what it wrote."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        if self._waiter is not None:
            self._waiter.join()
        shutil.rmtree(self.output, ignore_errors=True)
        self._clean_up()

    def _clean_up(self) -> None:
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def start_index(documents: Mapping[str, str], folder: Path | None) -> SearchIndex:
    """Write `documents` into `folder` (a fresh temporary folder when None) and start
    Pagefind on them; the bundle goes to a temporary folder next to them."""
    temporary = None
    if folder is None:
        folder = temporary = Path(tempfile.mkdtemp(prefix="postilla-search-"))
    folder = folder.resolve()
    (folder / "documents").mkdir(parents=True, exist_ok=True)
    sync_documents(folder / "documents", documents)
    output = Path(tempfile.mkdtemp(prefix="bundle-", dir=folder))
    shutil.rmtree(output)  # Pagefind creates it
    index = SearchIndex(folder / "documents", output, temporary)
    index.start()
    return index
