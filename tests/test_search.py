"""The search index: shards of search documents, indexed by Pagefind in the background."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from generator import search

DOCUMENT = '<html lang="it"><body data-pagefind-body><h1>{}</h1><p>talebani</p></body></html>'


def document(html: str) -> search.Document:
    return html, lambda: html  # its own text as its digest


def documents(*names: str) -> dict[str, search.Document]:
    return {f"articles/{name}/index.html": document(DOCUMENT.format(name)) for name in names}


def entry(site: Path, shard: str) -> dict:
    return json.loads((site / "pagefind" / shard / "pagefind-entry.json").read_text("utf-8"))


def test_shards_are_years_and_months_of_the_largest_years() -> None:
    assert search.shard_of("2021-10-24", 10) == "2021"
    assert search.shard_of("2021", 10) == "2021"
    assert search.shard_of(None, 10) == "undated"
    bigger = search.SHARD_MAX + 1  # two halves
    assert search.shard_of("2021-06-30", bigger) == "2021-1"
    assert search.shard_of("2021-07-01", bigger) == "2021-2"
    assert search.shard_of("2021", bigger) == "2021-1"  # no month: the first part
    assert search.shard_of("2021-05", 4 * search.SHARD_MAX) == "2021-2"  # quarters
    assert search.shard_of("2021-12-31", 100 * search.SHARD_MAX) == "2021-12"  # months at most


def test_sync_writes_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    made: list[str] = []

    def doc(key: str, html: str) -> search.Document:
        return key, lambda: made.append(html) or html

    first = {"articles/a/index.html": doc("1", "A"), "articles/b/index.html": doc("1", "B")}
    assert search.sync_documents(folder, first) == 2
    assert search.sync_documents(folder, first) == 0  # nothing to make or write again
    assert made == ["A", "B"]
    assert search.sync_documents(folder, {"articles/a/index.html": doc("2", "A2")}) == 2
    assert (folder / "articles/a/index.html").read_text() == "A2"
    assert not (folder / "articles/b/index.html").exists()  # b is gone
    (folder / search.MANIFEST).unlink()  # a folder of unknown state is written afresh
    assert search.sync_documents(folder, {"articles/a/index.html": doc("2", "A2")}) == 1


def vocabulary(shards: dict[str, dict[str, search.Document]]) -> Callable[[], set[str]]:
    pages = [make() for docs in shards.values() for _, make in docs.values()]
    return lambda: search.words_of(re.sub("<[^>]*>", " ", page) for page in pages)


def build_index(
    folder: Path | None, shards: dict[str, dict[str, search.Document]], site: Path
) -> list[str]:
    """Index `shards` into `site`; the shards Pagefind had to index again."""
    index = search.start_index(shards, folder, vocabulary(shards), "it")
    site.mkdir(exist_ok=True)
    index.finish(site)
    return index.stale


def test_every_shard_is_a_bundle_listed_newest_first(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shards = {"2019": documents("a"), "undated": documents("u"), "2021": documents("b", "c")}
    assert sorted(build_index(tmp_path / "search", shards, site)) == sorted(shards)
    listing = json.loads((site / "pagefind" / search.SHARDS_FILE).read_text("utf-8"))
    assert listing["shards"] == ["2021", "2019", "undated"]
    # Each shard holds its documents and the vocabulary, whose page the box leaves out.
    assert entry(site, "2021")["languages"]["it"]["page_count"] == 3
    assert entry(site, "undated")["languages"]["it"]["page_count"] == 2
    (hidden,) = listing["hidden"]  # the same words everywhere: the same page id
    fragment = site / "pagefind" / "2019" / "fragment" / f"{hidden}.pf_fragment"
    assert b'"url":"/postilla-vocabulary/"' in gzip.decompress(fragment.read_bytes())
    assert not list((site / "pagefind").rglob("postilla.json"))  # build-time notes only
    assert not list((site / "pagefind").rglob("pagefind-ui.js"))  # the box has its own UI


def test_only_the_shards_that_changed_are_indexed_again(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    shards = {"2019": documents("a"), "2020": documents("b")}
    build_index(folder, shards, tmp_path / "one")
    kept = (folder / "bundles" / "2019" / "pagefind-entry.json").stat().st_ino
    shards["2020"] = documents("b", "c")
    assert build_index(folder, shards, tmp_path / "two") == ["2020"]
    assert entry(tmp_path / "two", "2020")["languages"]["it"]["page_count"] == 3
    assert (folder / "bundles" / "2019" / "pagefind-entry.json").stat().st_ino == kept
    # The first site's files are its own: replacing a bundle never changes them.
    assert entry(tmp_path / "one", "2020")["languages"]["it"]["page_count"] == 2
    del shards["2019"]
    assert build_index(folder, shards, tmp_path / "three") == []
    assert not (folder / "bundles" / "2019").exists()
    assert not (tmp_path / "three" / "pagefind" / "2019").exists()


def test_without_a_cache_folder_nothing_is_left_behind(tmp_path: Path) -> None:
    index = search.start_index({"2021": documents("a")}, None, set)
    assert index.temporary and index.folder.is_dir()
    index.finish(tmp_path)
    assert (tmp_path / "pagefind" / "2021").is_dir() and not index.folder.exists()


def test_a_failed_index_is_an_error_that_says_so(tmp_path: Path) -> None:
    index = search.start_index(
        {"2021": {"a/index.txt": document("not html")}}, tmp_path / "search", set
    )
    with pytest.raises(PluginError, match="Pagefind could not index"):
        index.finish(tmp_path)
    assert not (tmp_path / "pagefind").exists()


def test_a_shard_left_unindexed_is_indexed_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "search"
    build_index(folder, {"2021": documents("a")}, tmp_path / "one")
    with monkeypatch.context() as patched:  # the build stops after writing the documents
        patched.setattr(search.SearchIndex, "start", lambda self: None)
        search.start_index({"2021": documents("a", "b")}, folder, set)
    assert build_index(folder, {"2021": documents("a", "b")}, tmp_path / "two") == ["2021"]
    assert entry(tmp_path / "two", "2021")["languages"]["it"]["page_count"] == 3


def test_cancel_stops_pagefind_and_leaves_nothing(tmp_path: Path) -> None:
    shards = {"2021": documents("a"), "2020": documents("b")}
    index = search.start_index(shards, None, vocabulary(shards))
    index.cancel()
    assert not index.folder.exists()


def test_the_vocabulary_is_every_word_once() -> None:
    words = search.words_of(["Talebani e ISIS", "isis, talebani: Kabul"])
    page = search.vocabulary_document(sorted(words), "it")
    assert page.startswith('<!doctype html><html lang="it">')
    assert "<p>e isis kabul talebani</p>" in page


def test_the_vocabulary_keeps_a_word_that_only_another_year_has_from_the_fallback(
    tmp_path: Path,
) -> None:
    """Pagefind answers a word missing from an index with its longest prefix there; the
    vocabulary makes every shard know every word, so no shard answers with a prefix."""
    shards = {
        "2021": {"articles/a/index.html": document(DOCUMENT.format("a"))},  # "talebani"
        "2020": {
            "articles/b/index.html": document(
                DOCUMENT.replace("talebani", "tali e tanti").format("b")
            )
        },
    }
    build_index(tmp_path / "search", shards, tmp_path / "site")
    words = (tmp_path / "search" / "documents" / "2020" / search.VOCABULARY).read_text("utf-8")
    assert "talebani" in words and "tali" in words


def test_a_later_build_adds_the_words_of_what_it_wrote_to_the_vocabulary(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "search"
    shards = {"2021": documents("a"), "2020": documents("b")}
    build_index(folder, shards, tmp_path / "one")
    asked: list[bool] = []

    def everything() -> set[str]:
        asked.append(True)
        return set()

    shards["2021"] = {
        **documents("a"),
        "articles/c/index.html": document(DOCUMENT.replace("talebani", "Mosul").format("c")),
    }
    index = search.start_index(shards, folder, everything, "it")
    index.finish(tmp_path)
    assert asked == []  # the archive's words were not read again
    page = (folder / "documents" / "2021" / search.VOCABULARY).read_text("utf-8")
    words = page[page.index("<p>") + 3 : page.index("</p>")].split()
    assert words == ["a", "b", "c", "mosul", "talebani"]  # the text's words, not the markup's


def test_the_vocabulary_is_hidden_even_when_an_article_is_longer(tmp_path: Path) -> None:
    long_article = DOCUMENT.replace("talebani", "parola " * 5000).format("lungo")
    shards = {"2021": {"articles/lungo/index.html": document(long_article), **documents("a")}}
    site = tmp_path / "site"
    build_index(tmp_path / "search", shards, site)
    (hidden,) = json.loads((site / "pagefind" / search.SHARDS_FILE).read_text("utf-8"))["hidden"]
    fragment = site / "pagefind" / "2021" / "fragment" / f"{hidden}.pf_fragment"
    assert b'"url":"/postilla-vocabulary/"' in gzip.decompress(fragment.read_bytes())
