"""The search documents' folder and Pagefind run over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from generator import search

DOCUMENT = '<html lang="it"><body data-pagefind-body><h1>{}</h1><p>talebani</p></body></html>'


def test_sync_writes_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    first = {"articles/a/index.html": "A", "articles/b/index.html": "B"}
    assert search.sync_documents(folder, first) == 2
    assert search.sync_documents(folder, first) == 0  # nothing to write again
    assert search.sync_documents(folder, {"articles/a/index.html": "A2"}) == 1
    assert (folder / "articles/a/index.html").read_text() == "A2"
    assert not (folder / "articles/b/index.html").exists()


def test_index_is_built_in_the_background_and_moved_into_the_site(tmp_path: Path) -> None:
    documents = {f"articles/{n}/index.html": DOCUMENT.format(n) for n in ("uno", "due")}
    index = search.start_index(documents, tmp_path / "search")
    site = tmp_path / "site"
    site.mkdir()
    index.finish(site)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["languages"]["it"]["page_count"] == 2
    assert index.seconds > 0
    assert not index.output.exists()  # moved, not copied
    assert (tmp_path / "search" / "documents" / "articles" / "uno" / "index.html").is_file()


def test_without_a_cache_folder_nothing_is_left_behind(tmp_path: Path) -> None:
    index = search.start_index({"a/index.html": DOCUMENT.format("a")}, None)
    assert index.temporary is not None and index.temporary.is_dir()
    site = tmp_path / "site"
    site.mkdir()
    index.finish(site)
    assert (site / "pagefind").is_dir() and not index.temporary.exists()


def test_a_failed_index_is_an_error_that_says_so(tmp_path: Path) -> None:
    index = search.start_index({"a/index.txt": "not html"}, tmp_path / "search")
    with pytest.raises(PluginError, match="Pagefind could not index"):
        index.finish(tmp_path)
    assert not (tmp_path / "pagefind").exists()


def test_cancel_stops_pagefind_and_removes_its_output(tmp_path: Path) -> None:
    index = search.start_index({"a/index.html": DOCUMENT.format("a")}, None)
    index.cancel()
    assert not index.output.exists()
    assert index.temporary is not None and not index.temporary.exists()
