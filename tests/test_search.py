"""The search index: shards of search documents, indexed by Pagefind in the background."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from conftest import ROOT, make_article
from generator import render, search, search_text
from generator.model import Entity

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
    # The highlight script of the page a result opens: once, beside the shards.
    assert (site / "pagefind" / search.HIGHLIGHT).is_file()
    assert not list((site / "pagefind").glob(f"*/{search.HIGHLIGHT}"))


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


# --- Italian text: apostrophes and elisions ------------------------------------------

SCRIPT = ROOT / "theme" / "assets" / "postilla-search.js"


@pytest.mark.parametrize("apostrophe", list(search_text.APOSTROPHES + "'"))
def test_every_apostrophe_is_written_alike(apostrophe: str) -> None:
    text = f"dell{apostrophe}Isis e l{apostrophe}Iraq"
    assert search_text.apostrophes(text) == "dell'Isis e l'Iraq"
    assert search_text.search_query(text) == "Isis e Iraq"


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("dell’Isis", "Isis"),
        ("DELL'ISIS", "ISIS"),  # any case
        ("Dell‘Isis", "Isis"),
        ("l’Isis", "Isis"),
        ("un’offensiva", "offensiva"),
        ("sull’Iraq  nell'Eufrate", "Iraq Eufrate"),
        ("all'alba dall'Iraq", "alba Iraq"),
        ("d'Italia", "Italia"),
        ("quest'anno quell’attacco", "anno attacco"),
        ("«dell’Isis»", "«Isis»"),  # after an opening quote, before a closing one
        ("l'11 settembre", "11 settembre"),  # before a number
        ("talebani", "talebani"),  # nothing to do
        ("della Siria", "della Siria"),  # the whole word stays
    ],
)
def test_the_query_drops_elided_articles_and_prepositions(query: str, searched: str) -> None:
    assert search_text.search_query(query) == searched


@pytest.mark.parametrize(
    "query",
    [
        "un po' di",  # truncated words: the apostrophe ends them
        "po’",
        "c'è",  # elided before a verb: "è" alone would be in every article
        "dov'è",
        "Sant'Egidio",  # elided words that mean something, and names
        "O'Brien",
        "rock'n'roll",  # an elided form inside a word is not at its start
        "dell'",  # nothing glued after it: the reader is still typing
    ],
)
def test_words_that_are_not_an_elided_article_stay_whole(query: str) -> None:
    assert search_text.search_query(query) == search_text.apostrophes(query)


def test_the_elisions_are_lowercase_and_unique() -> None:
    assert len(set(search_text.ELISIONS)) == len(search_text.ELISIONS)
    assert all(e.isalpha() and e == e.lower() for e in search_text.ELISIONS)


def script_block() -> str:
    """The search box's copy of the rules: between its <search-text> markers."""
    script = SCRIPT.read_text("utf-8")
    return script[script.index("// <search-text>") : script.index("// </search-text>")]


def test_the_search_box_has_the_same_rules() -> None:
    """postilla-search.js copies APOSTROPHES and ELISIONS: the same characters, the same
    forms in the same order."""
    block = script_block()
    characters = re.search(r"const APOSTROPHES = /\[([^\]]*)\]/gu;", block)
    assert characters, "APOSTROPHES not found in the script"
    escapes = re.findall(r"\\u([0-9a-f]{4})", characters.group(1))
    assert "".join(chr(int(e, 16)) for e in escapes) == search_text.APOSTROPHES
    listed = re.search(r"const ELISIONS = \[(.*?)\];", block, re.S)
    assert listed, "ELISIONS not found in the script"
    assert tuple(re.findall(r'"([^"]*)"', listed.group(1))) == search_text.ELISIONS


QUERIES = [
    "dell’Isis",
    "DELL'ISIS a Raqqa",
    "«l‘Iraq»",
    "sull’Iraq  nell'Eufrate",
    "d`Italia",
    "quest'anno, quell’attacco",
    "l'11 settembre",
    "un po' di",
    "c'è",
    "rock'n'roll",
    "dell'",
    "Dell'Utri",
    "  talebani  ",
]


def test_the_search_box_reads_queries_as_python_does(tmp_path: Path) -> None:
    """The script's own code (run by Node) gives each query what `search_query` does."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    program = tmp_path / "queries.js"
    program.write_text(
        script_block()
        + f"\nprocess.stdout.write(JSON.stringify({json.dumps(QUERIES)}.map(searchQuery)));\n",
        "utf-8",
    )
    out = subprocess.run([node, str(program)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [search_text.search_query(q) for q in QUERIES]


def test_the_vocabulary_keeps_words_with_apostrophes_and_hyphens_whole() -> None:
    """As Pagefind indexes them: the whole word (and its parts, which it adds itself)."""
    assert search.words_of(["Dell’Isis, al-Zawahiri e l'Iraq - po'"]) == {
        "dell'isis",
        "al-zawahiri",
        "e",
        "l'iraq",
        "po",
    }


def test_a_later_vocabulary_reads_the_documents_text_not_its_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    shards = {"2021": documents("a")}
    build_index(folder, shards, tmp_path / "one")
    page = DOCUMENT.replace("talebani", "dell&#x27;Isis").format("b")
    shards["2021"]["articles/b/index.html"] = document(page)
    search.start_index(shards, folder, set, "it").finish(tmp_path)
    words = (folder / search.VOCABULARY_WORDS).read_text("utf-8").split()
    assert "dell'isis" in words and "x27" not in words


def test_a_search_document_has_one_apostrophe_and_its_entities_names() -> None:
    article = make_article(
        "a",
        "L’attacco dell’Isis a Raqqa.",
        "Parla al-Zawahri.",
        title="Dov’è finito l’Isis",
        language="it",
    )
    isis = Entity("stato-islamico", "Stato Islamico", "organization", ("ISIS", "Isis", "Daesh"))
    zawahiri = Entity(
        "ayman-al-zawahiri", "Ayman al-Zawahiri", "person", ("al-Zawahri", "Zawahiri")
    )
    links = render.ArticleLinks(entities=[(isis, 1), (zawahiri, 1)])
    page = render.search_document(article, None, "it", "it", links)
    assert "<p>L'attacco dell'Isis a Raqqa.</p>" in page  # indexed: Pagefind splits at '
    body = page[page.index("<body") :]
    assert "’" not in body.replace('data-title="Dov’è finito l’Isis"', "")
    # The title results show is the article's own.
    assert '<h1 data-pagefind-meta="title[data-title]" data-title="Dov’è finito l’Isis">' in page
    # Each entity's names once (ISIS and Isis are one word to a search), with little weight.
    assert '<p data-pagefind-weight="0.1">◉ Stato Islamico (ISIS, Daesh)</p>' in page
    assert '<p data-pagefind-weight="0.1">◉ Ayman al-Zawahiri (al-Zawahri, Zawahiri)</p>' in page
    assert page.index("Parla al-Zawahri") < page.index("◉")  # after the text


def test_small_shards_are_indexed_together_within_the_memory_bound() -> None:
    sizes = {"2024": 100, "2023": 5000, "2022": 900, "2021": 200, "2020": 7000, "2019": 10}
    shards = list(sizes)
    batches = search.concurrent_batches(shards, sizes)
    assert [s for batch in batches for s in batch] == shards  # each once, in order
    assert batches == [["2024", "2023", "2022"], ["2021"], ["2020"], ["2019"]]
    for batch in batches:
        assert len(batch) == 1 or sum(sizes[s] for s in batch) <= search.SHARD_MAX
        assert len(batch) <= search.CONCURRENT_RUNS
    many = {str(year): 1 for year in range(2000, 2010)}
    assert [len(b) for b in search.concurrent_batches(list(many), many)] == [4, 4, 2]


def test_shards_indexed_together_are_each_complete_and_a_failure_among_them_fails(
    tmp_path: Path,
) -> None:
    shards = {str(year): documents(f"a{year}", f"b{year}") for year in range(2015, 2021)}
    folder = tmp_path / "search"
    assert len(search.concurrent_batches(sorted(shards), {s: 2 for s in shards})[0]) > 1
    assert sorted(build_index(folder, shards, tmp_path / "one")) == sorted(shards)
    for shard in shards:  # its two documents and the vocabulary
        assert entry(tmp_path / "one", shard)["languages"]["it"]["page_count"] == 3
    broken = {**shards, "2017": {"a/index.txt": document("not html")}}  # batched with others
    index = search.start_index(broken, tmp_path / "other", set)
    with pytest.raises(PluginError, match="Pagefind could not index"):
        index.finish(tmp_path / "two")
    assert not (tmp_path / "two" / "pagefind").exists()
