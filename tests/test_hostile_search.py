"""Search and publishing under attack (issue 12, part D): Pagefind that hangs, fails or
writes an incomplete index; search bundles damaged in the cache; builds that must be
byte-identical; and the GitHub workflows that build and deploy the site.

Each case asserts a clear error (and a non-zero exit where a command runs), or that the
damage is repaired: the bundle indexed again, the site's search files exactly those of an
undamaged build. Fuzzing is seeded (`FUZZ_SEED`, `FUZZ_ROUNDS` rounds)."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import PluginError

from conftest import ROOT, snapshot
from generator import annotations, search
from generator.build import build_site
from generator.cli import main

# A search document as the plugin writes one: a title to show, filters and words.
DOCUMENT = (
    '<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{name}</title></head>'
    '<body data-pagefind-body><h1 data-pagefind-meta="title">{name}</h1>'
    '<span data-pagefind-filter="source">{source}</span>'
    '<span data-pagefind-filter="year">{year}</span>'
    '<span data-pagefind-filter="entity">{entity}</span>'
    "<p>talebani {name} {words}</p></body></html>"
)
SOURCES = ["Sputnik", "The Washington Post", "Il Post", "Avvenire", "Reuters", "ANSA"]
ENTITIES = ["Kabul", "Pakistan", "Talebani", "Stato Islamico", "Stati Uniti", "Bilal Karimi"]
FUZZ_SEED = 12
FUZZ_ROUNDS = 16


def make_documents(names: list[str], year: str) -> dict[str, search.Document]:
    """Search documents for `names`, each with its own source, year and entity filter."""
    documents: dict[str, search.Document] = {}
    for number, name in enumerate(names):
        page = DOCUMENT.format(
            name=name,
            source=SOURCES[number % len(SOURCES)],
            year=year,
            entity=ENTITIES[number % len(ENTITIES)],
            words=" ".join(f"parola{number}x{k}" for k in range(number + 1)),
        )
        documents[f"articles/{name}/index.html"] = (page, lambda page=page: page)
    return documents


def archive_shards() -> dict[str, dict[str, search.Document]]:
    return {
        "2021": make_documents([f"a{n}" for n in range(12)], "2021"),
        "2020": make_documents([f"b{n}" for n in range(5)], "2020"),
    }


def words_of(shards: dict[str, dict[str, search.Document]]) -> Callable[[], set[str]]:
    pages = [make() for docs in shards.values() for _, make in docs.values()]
    return lambda: search.words_of(re.sub("<[^>]*>", " ", page) for page in pages)


def index_into(
    folder: Path | None,
    site: Path,
    shards: dict[str, dict[str, search.Document]] | None = None,
    timeout: float | None = None,
) -> search.SearchIndex:
    """Index `shards` (the small archive by default) with the cache `folder` into `site`."""
    shards = shards or archive_shards()
    index = search.start_index(shards, folder, words_of(shards), "it", timeout)
    site.mkdir(parents=True, exist_ok=True)
    index.finish(site)
    return index


def pagefind_files(site: Path) -> dict[str, bytes]:
    return snapshot(site / "pagefind")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The search files of the small archive, indexed once with no cache."""
    site = tmp_path_factory.mktemp("reference") / "site"
    index_into(None, site)
    return pagefind_files(site)


# --- reproducible output ------------------------------------------------------------


def project(folder: Path) -> Path:
    """A copy of the repository's project (content, theme, configuration) in `folder`,
    with its own cache; its mkdocs.yml."""
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder / "mkdocs.yml"


class _Day(date):
    """`date` whose today is fixed: the annotation template is dated by the build day."""

    @classmethod
    def today(cls) -> _Day:
        return cls(2026, 11, 21)


def test_two_cold_builds_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two projects with the same content, built from nothing: every file of the two sites
    is the same, ``pagefind/`` included (Pagefind writes its filters and metadata in
    hash-map order; Postilla sorts them). The build day reaches the sitemap and the
    annotation template: it is fixed here as SOURCE_DATE_EPOCH fixes it in pages.yml."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setattr(annotations, "date", _Day)
    sites = []
    for name in ("one", "two"):
        config = project(tmp_path / name)
        site = tmp_path / name / "site"
        build_site(config, config.parent / "content", site, progress=False)
        sites.append(snapshot(site))
    one, two = sites
    assert sorted(one) == sorted(two)
    differing = [name for name in one if one[name] != two[name]]
    assert differing == []
    filters = [name for name in one if name.endswith(".pf_filter")]
    assert len(filters) >= 4  # the comparison covers Pagefind's unordered files
    assert any(name.endswith(".pf_meta") for name in one)


def test_pagefind_s_hash_map_order_is_sorted_away(tmp_path: Path) -> None:
    """The same bundle with its filter values and filters in another order (as another
    Pagefind run writes them) becomes the same bytes, under the same names."""
    index_into(None, tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    bundle = tmp_path / "b" / "pagefind" / "2021"
    shuffled = 0
    for path in (bundle / "filter").glob("*.pf_filter"):
        value = search.cbor_decode(search.read_chunk(path))
        assert isinstance(value, list) and isinstance(value[1], list)
        if len(value[1]) > 1:
            value[1].reverse()
            path.write_bytes(gzip.compress(search.SIGNATURE + search.cbor_encode(value)))
            shuffled += 1
    (meta_path,) = bundle.glob("*.pf_meta")
    meta = search.cbor_decode(search.read_chunk(meta_path))
    assert isinstance(meta, list) and isinstance(meta[3], list)
    meta[3].reverse()
    meta_path.write_bytes(gzip.compress(search.SIGNATURE + search.cbor_encode(meta)))
    assert shuffled >= 2
    assert pagefind_files(tmp_path / "b") != pagefind_files(tmp_path / "a")
    assert search.canonical_bundle(bundle)
    assert pagefind_files(tmp_path / "b") == pagefind_files(tmp_path / "a")


def test_canonical_files_are_named_as_pagefind_names_them(reference: dict[str, bytes]) -> None:
    """Each metadata and filter file is named by the hash of what it holds, and the entry
    file names the metadata: a browser finds every file, and a cache keyed by name is right."""
    checked = 0
    for name, data in reference.items():
        match = re.search(r"(?:pagefind\.|filter/)(\w+)_(\w+)\.pf_(meta|filter)$", name)
        if match is None:
            continue
        payload = gzip.decompress(data).removeprefix(search.SIGNATURE)
        assert search.pagefind_hash(payload).startswith(match[2]), name
        assert len(match[2]) == (10 if match[3] == "meta" else 7)
        if match[3] == "meta":
            shard = name.split("/")[0]
            entry = json.loads(reference[f"{shard}/pagefind-entry.json"])
            assert entry["languages"][match[1]]["hash"] == f"{match[1]}_{match[2]}"
        checked += 1
    assert checked >= 8


def test_pagefind_hash_writes_bytes_as_rust_does() -> None:
    # SHA-1 of b"" is da39a3ee5e6b4b0d3255bfef95601890afd80709: 0x0d is "d", 0x09 is "9".
    assert search.pagefind_hash(b"") == "da39a3ee5e6b4bd3255bfef95601890afd879"


@pytest.mark.parametrize(
    "value",
    [0, 23, 24, 255, 256, 65536, 2**32, -1, -500, "", "città", b"\x00\xff", [], [1, ["a", [2]]]],
)
def test_cbor_encodes_back_to_the_same_bytes(value: search.CborValue) -> None:
    encoded = search.cbor_encode(value)
    assert search.cbor_decode(encoded) == value
    assert search.cbor_encode(search.cbor_decode(encoded)) == encoded


@pytest.mark.parametrize("data", [b"", b"\x82\x01", b"\x1c", b"\x9f\x01\xff", b"\xa1\x01\x02"])
def test_cbor_that_pagefind_does_not_write_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        search.cbor_decode(data)


def test_a_file_not_understood_is_left_as_pagefind_wrote_it(tmp_path: Path) -> None:
    """A filter file holding CBOR that does not encode back to its own bytes (a longer
    form of a number) is not rewritten: nothing is changed that is not understood."""
    index_into(None, tmp_path)
    bundle = tmp_path / "pagefind" / "2021"
    path = next((bundle / "filter").glob("*.pf_filter"))
    payload = search.read_chunk(path)
    odd = b"\x98" + bytes([payload[0] & 31]) + payload[1:]  # the array's length in 2 bytes
    path.write_bytes(gzip.compress(search.SIGNATURE + odd))
    before = pagefind_files(tmp_path)
    assert not search.canonical_bundle(bundle)
    assert pagefind_files(tmp_path) == before


# --- Pagefind that hangs, fails or writes an incomplete index ----------------------------


def fake_pagefind(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Run `code` (Python; `documents` and `output` are set) instead of Pagefind."""

    def command(documents: Path, output: Path) -> list[str]:
        real = search_command(documents, output)
        prelude = f"documents, output, real = {str(documents)!r}, {str(output)!r}, {real!r}\n"
        return [sys.executable, "-c", prelude + code]

    search_command = search.pagefind_command
    monkeypatch.setattr(search, "pagefind_command", command)


def test_a_pagefind_that_hangs_is_stopped_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_pagefind(monkeypatch, "import time\ntime.sleep(60)\n")
    with pytest.raises(PluginError) as raised:
        index_into(tmp_path / "search", tmp_path / "site", timeout=0.5)
    message = str(raised.value)
    assert "did not finish indexing" in message and search.TIMEOUT_VARIABLE in message
    assert "\n" not in message
    assert not (tmp_path / "site" / "pagefind").exists()
    assert not list((tmp_path / "search" / "bundles").glob(".*"))  # no half-made bundle


def test_a_hanging_pagefind_fails_the_build_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`postilla build` with a Pagefind that never ends: one line naming the folder and
    what to set, exit status 1, the old site as it was, content/ unchanged."""
    config = project(tmp_path)
    content, site = tmp_path / "content", tmp_path / "site"
    build_site(config, content, site, progress=False)
    before_site, before_content = snapshot(site), snapshot(content)
    shutil.rmtree(tmp_path / ".postilla-cache" / "search")  # every shard to index again
    fake_pagefind(monkeypatch, "import time\ntime.sleep(60)\n")
    monkeypatch.setenv(search.TIMEOUT_VARIABLE, "0.5")
    args = ["build", "--config", config, "--content", content, "--site", site]
    assert main([str(a) for a in args]) == 1
    said = capsys.readouterr()
    (error,) = said.err.splitlines()  # the reason itself, not "Aborted with a BuildError!"
    assert error.startswith("error: ") and "did not finish" in error
    assert search.TIMEOUT_VARIABLE in error and "documents/20" in error
    assert snapshot(site) == before_site
    assert snapshot(content) == before_content


@pytest.mark.parametrize("value", ["soon", "-3", "0", "inf", "nan"])
def test_a_timeout_that_is_not_seconds_is_a_clear_error(value: str) -> None:
    with pytest.raises(PluginError, match=f"{search.TIMEOUT_VARIABLE}=.*not a number of seconds"):
        search.pagefind_timeout({search.TIMEOUT_VARIABLE: value})
    assert search.pagefind_timeout({}) == search.PAGEFIND_TIMEOUT
    assert search.pagefind_timeout({search.TIMEOUT_VARIABLE: "90"}) == 90.0


def test_a_failing_pagefind_is_an_error_with_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_pagefind(
        monkeypatch, "import sys\nprint('indexing…')\nprint('out of memory')\nsys.exit(3)"
    )
    with pytest.raises(PluginError) as raised:
        index_into(tmp_path / "search", tmp_path / "site")
    message = str(raised.value)
    assert message.startswith("Pagefind could not index ")
    assert "(exit status 3): out of memory" in message
    assert not (tmp_path / "site" / "pagefind").exists()


RUN_PAGEFIND = "import subprocess\nsubprocess.run(real, check=True)\n"


@pytest.mark.parametrize(
    "code",
    [
        "pass",  # exits 0, writes nothing
        RUN_PAGEFIND + "import shutil\nshutil.rmtree(output + '/fragment')",  # no fragment
        RUN_PAGEFIND + "import glob, os\nos.remove(sorted(glob.glob(output + '/fragment/*'))[0])",
        RUN_PAGEFIND + "import glob, os\nos.remove(glob.glob(output + '/index/*')[0])",
        RUN_PAGEFIND + "import glob, os\nos.remove(glob.glob(output + '/filter/*')[0])",
        RUN_PAGEFIND + "import glob, os\nos.remove(glob.glob(output + '/*.pf_meta')[0])",
        RUN_PAGEFIND + "open(output + '/pagefind-entry.json', 'w').write('{\"languages\": {}}')",
    ],
    ids=["nothing", "no fragment", "a fragment", "a word chunk", "a filter", "meta", "no language"],
)
def test_an_incomplete_index_is_never_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    """Pagefind exits 0 but its index lacks files (as when another build deleted its
    documents meanwhile): an error naming the shard's folder, and no search files."""
    fake_pagefind(monkeypatch, code)
    with pytest.raises(PluginError, match=r"Pagefind's index of .*documents.* is not complete"):
        index_into(tmp_path / "search", tmp_path / "site")
    assert not (tmp_path / "site" / "pagefind").exists()
    assert not list((tmp_path / "search" / "bundles").glob("*/pagefind-entry.json"))


def test_a_shard_whose_documents_vanished_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents deleted just before Pagefind runs (by a concurrent build): Pagefind
    finds no page, and the build fails instead of shipping an empty shard."""
    fake_pagefind(
        monkeypatch,
        "import shutil, subprocess, sys\nshutil.rmtree(documents)\n"
        "sys.exit(subprocess.run(real).returncode)\n",
    )
    with pytest.raises(PluginError, match=r"Pagefind (could not index|'s index of) .*documents"):
        index_into(tmp_path / "search", tmp_path / "site")
    assert not (tmp_path / "site" / "pagefind").exists()


def test_a_failure_in_the_background_thread_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(bundle: Path) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(search, "canonical_bundle", broken)
    with pytest.raises(PluginError, match="could not be built: RuntimeError: disk on fire"):
        index_into(tmp_path / "search", tmp_path / "site")


def test_a_full_disk_in_the_background_thread_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(bundle: Path, hidden: str | None, pages: int) -> dict[str, object]:
        raise OSError(28, "No space left on device", str(bundle))

    monkeypatch.setattr(search, "bundle_record", full)
    with pytest.raises(PluginError, match=r"could not be written: .*No space left on device"):
        index_into(tmp_path / "search", tmp_path / "site")
    assert not (tmp_path / "site" / "pagefind").exists()


def test_a_background_failure_fails_postilla_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Never a crashed thread and exit 0: `postilla build` exits 1 and says why."""
    config = project(tmp_path)

    def broken(bundle: Path) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(search, "canonical_bundle", broken)
    args = ["build", "--config", config, "--content", tmp_path / "content"]
    assert main([str(a) for a in [*args, "--site", tmp_path / "site"]]) == 1
    said = capsys.readouterr()
    assert "disk on fire" in said.out + said.err
    assert not (tmp_path / "site").exists()


# --- search bundles damaged in the cache ----------------------------------------------


def damage_bundle(bundle: Path, how: str) -> None:
    """Damage `bundle` (a shard's bundle in the cache) as `how` says."""
    fragments = sorted((bundle / "fragment").glob("*"))
    if how == "deleted fragment":
        fragments[0].unlink()
    elif how == "truncated entry":
        entry = bundle / "pagefind-entry.json"
        entry.write_bytes(entry.read_bytes()[:20])
    elif how == "flipped fragment byte":
        data = bytearray(fragments[-1].read_bytes())
        data[len(data) // 2] ^= 0x40
        fragments[-1].write_bytes(bytes(data))
    elif how == "flipped meta byte":
        (meta,) = bundle.glob("*.pf_meta")
        data = bytearray(meta.read_bytes())
        data[-5] ^= 0x01
        meta.write_bytes(bytes(data))
    elif how == "truncated index":
        chunk = next((bundle / "index").glob("*"))
        chunk.write_bytes(chunk.read_bytes()[:10])
    elif how == "empty filter":
        next((bundle / "filter").glob("*")).write_bytes(b"")
    elif how == "extra script":
        (bundle / "evil.js").write_text("alert(1)", "utf-8")
    elif how == "record deleted":
        (bundle / search.RECORD).unlink()
    elif how == "record garbage":
        (bundle / search.RECORD).write_bytes(b"\x80\x04\x95 not json")
    elif how == "fragment folder gone":
        shutil.rmtree(bundle / "fragment")
    else:
        raise AssertionError(how)


DAMAGES = [
    "deleted fragment",
    "truncated entry",
    "flipped fragment byte",
    "flipped meta byte",
    "truncated index",
    "empty filter",
    "extra script",
    "record deleted",
    "record garbage",
    "fragment folder gone",
]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_cached_bundle_is_indexed_again(
    tmp_path: Path, how: str, reference: dict[str, bytes]
) -> None:
    folder = tmp_path / "search"
    index_into(folder, tmp_path / "one")
    assert pagefind_files(tmp_path / "one") == reference
    damage_bundle(folder / "bundles" / "2021", how)
    assert search.bundle_problem(folder / "bundles" / "2021") is not None
    index = index_into(folder, tmp_path / "two")
    assert index.stale == ["2021"]  # the undamaged shard is reused
    assert pagefind_files(tmp_path / "two") == reference  # as if never damaged
    assert search.bundle_problem(folder / "bundles" / "2021") is None


def test_a_bundle_damaged_during_the_build_is_indexed_again_before_it_is_copied(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    folder = tmp_path / "search"
    index_into(folder, tmp_path / "one")
    shards = archive_shards()
    index = search.start_index(shards, folder, words_of(shards), "it")
    assert index.stale == []
    damage_bundle(folder / "bundles" / "2020", "deleted fragment")  # meanwhile
    (tmp_path / "two").mkdir()
    index.finish(tmp_path / "two")
    assert pagefind_files(tmp_path / "two") == reference


def test_a_damaged_search_document_is_written_again(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """The documents of a shard to index are checked against the hashes of what was
    written: one changed in the cache is made again, so the index holds the archive's text."""
    folder = tmp_path / "search"
    index_into(folder, tmp_path / "one")
    document = folder / "documents" / "2021" / "articles" / "a3" / "index.html"
    good = document.read_bytes()
    document.write_bytes(good.replace(b"talebani", b"<script>x</script>"))
    (folder / "documents" / "2020" / "articles" / "b1" / "index.html").unlink()
    damage_bundle(folder / "bundles" / "2021", "deleted fragment")
    damage_bundle(folder / "bundles" / "2020", "record deleted")
    index_into(folder, tmp_path / "two")
    assert document.read_bytes() == good
    assert (folder / "documents" / "2020" / "articles" / "b1" / "index.html").is_file()
    assert pagefind_files(tmp_path / "two") == reference


def test_leftovers_of_a_stopped_index_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    index_into(folder, tmp_path / "one")
    leftover = folder / "bundles" / ".2021.new-x1y2"
    (leftover / "fragment").mkdir(parents=True)
    (leftover / "fragment" / "half.pf_fragment").write_bytes(b"\x1f")
    index_into(folder, tmp_path / "two")
    assert not leftover.exists()
    assert not list((tmp_path / "two" / "pagefind").rglob("half.pf_fragment"))


def corruptions(seed: int, rounds: int) -> Iterator[tuple[str, int, str]]:
    """`rounds` corruptions: which shard, which file (its rank), and how."""
    chosen = random.Random(seed)
    for _ in range(rounds):
        yield (
            chosen.choice(["2021", "2020"]),
            chosen.randrange(1000),
            chosen.choice(["flip", "truncate", "delete", "zero", "append"]),
        )


def corrupt(bundle: Path, rank: int, how: str, chosen: random.Random) -> None:
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    path = files[rank % len(files)]
    data = bytearray(path.read_bytes())
    if how == "flip" and data:
        data[chosen.randrange(len(data))] ^= 1 << chosen.randrange(8)
    elif how == "truncate":
        del data[chosen.randrange(len(data) + 1) :]
    elif how == "delete":
        path.unlink()
        return
    elif how == "zero":
        data = bytearray(len(data))
    else:
        data += b"\x00"
    if bytes(data) == path.read_bytes():  # a flip of an empty file: delete it instead
        path.unlink()
        return
    path.write_bytes(bytes(data))


def test_seeded_fuzzing_of_cached_bundles(tmp_path: Path, reference: dict[str, bytes]) -> None:
    """`FUZZ_ROUNDS` seeded corruptions of one file of a cached bundle (a flipped bit, a cut,
    a deletion, zeros, a byte more): each is found, the shard indexed again, and the site's
    search files are exactly those of an undamaged build."""
    folder = tmp_path / "search"
    index_into(folder, tmp_path / "site")
    chosen = random.Random(FUZZ_SEED + 1)
    rounds = 0
    for shard, rank, how in corruptions(FUZZ_SEED, FUZZ_ROUNDS):
        corrupt(folder / "bundles" / shard, rank, how, chosen)
        assert search.bundle_problem(folder / "bundles" / shard) is not None, (shard, rank, how)
        shutil.rmtree(tmp_path / "site")
        index = index_into(folder, tmp_path / "site")
        assert index.stale == [shard], (shard, rank, how)
        assert pagefind_files(tmp_path / "site") == reference, (shard, rank, how)
        rounds += 1
    assert rounds == FUZZ_ROUNDS


def test_a_corrupted_search_cache_is_repaired_by_postilla_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole command: a fragment of the cached bundle damaged between two builds; the
    second build re-indexes the shard, and the site's search files are the first build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    config = project(tmp_path / "warm")
    content, site = config.parent / "content", config.parent / "site"
    build_site(config, content, site, progress=False)
    built = pagefind_files(site)  # a cold build's (cold builds are byte-identical)
    bundles = config.parent / ".postilla-cache" / "search" / "bundles"
    (shard,) = [b for b in bundles.iterdir() if b.name == "2021"]
    damage_bundle(shard, "flipped fragment byte")
    args = ["build", "--config", config, "--content", content, "--site", site]
    assert main([str(a) for a in args]) == 0
    assert pagefind_files(site) == built
    assert search.bundle_problem(shard) is None


# --- the workflows ----------------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def workflows() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text("utf-8")) for p in sorted(WORKFLOWS.glob("*.yml"))}


def test_there_are_workflows_to_check() -> None:
    assert set(workflows()) >= {"pages.yml", "pull-request.yml", "tests.yml"}


@pytest.mark.parametrize("name", ["pages.yml", "pull-request.yml", "tests.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    lines = [line for line in (WORKFLOWS / name).read_text("utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert PINNED.match(line), f"{name}: {line.strip()} is not pinned by a commit # vX.Y.Z"


def test_an_action_is_pinned_alike_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text("utf-8").splitlines():
            match = PINNED.match(line)
            if match:
                pins.setdefault(match[1], set()).add(line.split("@", 1)[1])
    assert pins and all(len(found) == 1 for found in pins.values()), pins


@pytest.mark.parametrize("name", ["pages.yml", "pull-request.yml", "tests.yml"])
def test_every_job_has_a_timeout_and_least_privilege(name: str) -> None:
    workflow = workflows()[name]
    assert workflow["permissions"] == {}, f"{name}: no permission for the whole workflow"
    allowed = {"contents": "read", "pages": "read"}
    if name == "pages.yml":
        allowed |= {"id-token": "write"}
    for job_name, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 60, f"{name}: {job_name}"
        for scope, level in job.get("permissions", {}).items():
            writes_pages = name == "pages.yml" and job_name == "deploy" and scope == "pages"
            assert allowed.get(scope) == level or (writes_pages and level == "write"), (
                f"{name}: {job_name} asks for {scope}: {level}"
            )
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_only_the_deploy_job_may_write_and_pull_requests_never_get_a_target_token() -> None:
    for name, workflow in workflows().items():
        triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in triggers, name
        for job_name, job in workflow["jobs"].items():
            writes = [s for s, level in job.get("permissions", {}).items() if level == "write"]
            deploys = {("pages.yml", "deploy"), ("pages-parts.yml", "deploy")}
            assert not writes or (name, job_name) in deploys, (name, job_name)


def test_a_pull_request_s_cache_cannot_reach_a_deploy() -> None:
    """Only the deploy workflow restores or saves the archive's cache, under keys that
    begin with the workflow and the ref; the pull-request check has no such cache."""
    pages = workflows()["pages.yml"]
    (step,) = [s for s in pages["jobs"]["build"]["steps"] if "actions/cache@" in s.get("uses", "")]
    key, restore = step["with"]["key"], step["with"]["restore-keys"]
    prefix = "postilla-cache-${{ github.workflow }}-${{ github.ref }}-"
    assert key.startswith(prefix) and restore == prefix
    assert step["with"]["path"] == ".postilla-cache"
    assert set(pages[True]) == {"push", "workflow_dispatch"}
    assert pages[True]["push"]["branches"] == ["main"]
    for name in ("pull-request.yml", "tests.yml"):
        text = (WORKFLOWS / name).read_text("utf-8")
        assert "actions/cache" not in text and ".postilla-cache" not in text, name


def test_the_deploy_build_is_dated_by_its_commit() -> None:
    """SOURCE_DATE_EPOCH, the commit's time: the same commit builds the same sitemap."""
    (build,) = [
        s
        for s in workflows()["pages.yml"]["jobs"]["build"]["steps"]
        if s.get("name") == "Build the site"
    ]
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in build["run"]
    assert "export SOURCE_DATE_EPOCH" in build["run"]


def test_pagefind_child_is_really_killed_on_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process started for a shard is the one killed: nothing of it runs on."""
    pid_file = tmp_path / "pid"
    fake_pagefind(
        monkeypatch,
        f"import os, pathlib, time\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)\n",
    )
    with pytest.raises(PluginError):
        index_into(tmp_path / "search", tmp_path / "site", timeout=1.0)
    pid = int(pid_file.read_text())
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    assert state.stdout.strip() in ("", "Z"), state.stdout  # gone (or a zombie being reaped)
