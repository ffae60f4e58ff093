"""How import, build, site size and search grow with the archive: synthetic archives of N articles.

    python -m benchmarks.scale --articles 1000 10000 50000 [--keep DIR] [--no-browser]

For each size, in a fresh folder: the repository's sources.yml (plus the invented
sites' entries), entities.yml and pages/ are copied into a new content folder, and
mkdocs.yml next to it (so that the build cache starts empty: every build is cold); N raw
articles are made by `benchmarks.synthetic`, imported with `import_files`, and ~2 % of
them annotated; then the site is built with `build_site`. Import and build each run in
a child process of their own (``--stage prepare`` / ``--stage build``), so that each
peak RSS (``ru_maxrss``) belongs to that stage and that size alone; Pagefind's peak is
sampled from ``/proc`` while the build runs. Last, unless ``--no-browser``, the site is served
on 127.0.0.1 and Debian's Chromium types a query into the search box: the bytes fetched
under ``/pagefind/`` and the time from the last keystroke to the results (which include
the search box's 150 ms debounce) are recorded. No browser is ever downloaded and every
request to another host is aborted.

Then the daily case, unless ``--no-update``: 10 new articles imported into the archive
and the site built again, with the cold build's cache and site in place; then the edit
loop: one article and one annotation edited and the site built again; and, for archives
of up to 10,000 articles, ``postilla serve`` started (its first build timed) and one
article edited: the time until the served page shows the edit.

Also printed (issue 15): the CPU seconds per wall second of the build during generation
and during MkDocs' rendering (sampled from ``/proc``: this process, its finished children
and its live descendants; 2.0 on two cores is both busy), the chrome of an article page
(its bytes outside ``<article>``), the largest file of any kind, the first search's bytes
as GitHub Pages would serve them (gzip for text types) beside the raw bytes, a later query's
bytes (``--later-query``) raw and gzip, and each update as a share of the full build: 10 new
articles (import + build), one article edited, one annotation edited (each built alone).

Prints a table per size, then one for all sizes; writes ``benchmarks/results/scale-N.json``
(read by ``python -m benchmarks.plot``). Figures, not assertions: the machine is shared.
``--prepared DIR`` measures the archive an earlier run imported into ``DIR`` (kept with
``--keep``, or made alone with ``--stage prepare --work DIR --count N``) instead of making
and importing a new one: its import figures are those recorded then.

    python -m benchmarks.scale --parts --articles 2000 [--content DIR | --bulk] [--keep DIR]
                               [--only KEY…]

With ``--parts``, the archive (new, or the content folder ``--content`` names) is split into
parts by year: each part built with ``build --part`` in a process of its own, as one job of
the workflow's matrix, then ``assemble``. Printed: each part's articles, build time, peak
RSS, bytes and files; the assembled site's bytes (and what it would weigh had every part
kept its own copy of the theme's files); the first and a later cross-part search from the
assembled home, raw and gzip. Writes ``benchmarks/results/parts-N.json``. ``--bulk``
writes the new archive's articles as an import would, without importing them
(`synthetic.write_archive`): a 200,000-article import would take hours. Alone, ``--stage
write --work DIR --count N`` makes such an archive in ``DIR``, for ``--content DIR/content``.
``--only KEY…`` builds just those parts (no assembly, no search): one job of the matrix.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.pages import chrome_bytes

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOST = "127.0.0.1"
QUERY = "talebani"
LATER_QUERY = "aleppo"  # a reader's next query, after the first one's results
UPDATE_COUNT = 10  # new articles imported into the built archive by the update stage
SEARCH_TIMEOUT_MS = 120_000
KEY_DELAY_MS = 20
SERVE_UP_TO = 10_000  # the serve stage (a full build first) runs for archives up to this size


# --- the stages, each run in a child process ------------------------------------------


def peak_rss_mb() -> float:
    """This process' own peak resident set size in MB: its ``VmHWM``, which starts afresh
    when the process runs a new program. ``ru_maxrss`` does not: a stage's process inherits
    its parent's, so every part of a 200,000-article split reported the 8.2 GB that its
    parent had once held. ``ru_maxrss`` (KiB) only where ``/proc`` is missing."""
    with contextlib.suppress(OSError):
        status = Path("/proc/self/status").read_text("ascii")
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if found:
            return int(found[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children so far."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class DescendantMemory:
    """Samples the memory of this process' descendants (Pagefind's binary, the importer's
    worker processes) from ``/proc`` while a stage runs.

    ``RUSAGE_CHILDREN`` cannot tell it: on Linux a child's ru_maxrss starts from its
    parent's RSS when it was spawned, and it is the largest child, not the sum. Kept:
    each command name's peak (VmHWM) and the peak of all descendants' RSS added up at
    one moment. Sampling misses at most the last `interval` of growth.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peaks: dict[str, float] = {}  # command name -> MB
        self.peak_total = 0.0  # MB, all descendants at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> DescendantMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    @staticmethod
    def descendants() -> set[int]:
        """The process ids of this process' children, their children, and so on: from each
        process' ``children`` files in ``/proc`` (a few reads), else from every process'
        parent (a read per process on the machine: sampled often, that slowed the build it
        measured)."""
        if Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
            found: set[int] = set()
            waiting = [os.getpid()]
            while waiting:
                with contextlib.suppress(OSError, ValueError):  # a process that just ended
                    for task in Path(f"/proc/{waiting.pop()}/task").iterdir():
                        children = {int(c) for c in (task / "children").read_text().split()}
                        waiting += children - found
                        found |= children
            return found
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
        mine = {os.getpid()}
        changed = True
        while changed:
            changed = False
            for pid, parent in parents.items():
                if parent in mine and pid not in mine:
                    mine.add(pid)
                    changed = True
        return mine - {os.getpid()}

    def sample(self) -> None:
        total = 0.0
        for pid in self.descendants():
            with contextlib.suppress(OSError, ValueError):
                status = Path(f"/proc/{pid}/status").read_text()
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                name = fields.get("Name", "?").strip()
                peak = int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
                self.peaks[name] = max(self.peaks.get(name, 0.0), peak)
                total += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        self.peak_total = max(self.peak_total, total)


def fresh_content(content: Path) -> None:
    """A new content folder: the shipped registries and pages, and the invented sources."""
    from benchmarks.synthetic import add_sources

    content.mkdir(parents=True)
    for name in ("sources.yml", "entities.yml"):
        shutil.copy2(ROOT / "content" / name, content / name)
    shutil.copytree(ROOT / "content/pages", content / "pages")
    add_sources(content)


def one_language(config: str) -> str:
    """The text of mkdocs.yml without its ``extra.alternate`` block (a YAML mapping under
    ``extra:`` that ends at the next blank line), as it is when there is none."""
    found = re.search(r"^extra:\n  alternate:\n.*?(?=\n\n|\Z)", config, re.S | re.M)
    return config[: found.start()] + config[found.end() :] if found else config


def fresh_config(work: Path) -> Path:
    """The repository's mkdocs.yml, copied into `work` with its theme folder made absolute,
    so that the build's cache and page manifest (kept next to the configuration) start
    empty and stay out of the repository: every build measured here is a cold one. The
    site is measured in one language: its language switch (``extra.alternate``) is left
    out, since each other language is a second build of the same archive into ``en/``."""
    text = one_language((ROOT / "mkdocs.yml").read_text("utf-8"))
    text, found = re.subn(
        r"^(\s*custom_dir:\s*)(\S+)",
        lambda m: m.group(1) + str((ROOT / m.group(2)).resolve()),
        text,
        flags=re.MULTILINE,
    )
    if not found:
        raise SystemExit("mkdocs.yml has no theme custom_dir: update benchmarks/scale.py")
    config = work / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def stage_prepare(work: Path, count: int, seed: int, bulk: bool = False) -> dict:
    """Make the raw articles, import them (timed) and annotate some. With `bulk`, they are
    written as an import would write them (`synthetic.write_archive`), without comparing
    each with the archive: for archives whose import would take hours."""
    from benchmarks.synthetic import add_annotations, make_raw_articles, write_archive
    from generator.importer import import_files

    content = work / "content"
    fresh_content(content)
    fresh_config(work)
    started = time.perf_counter()
    paths = make_raw_articles(work / "raw", count, seed)
    synthesis = time.perf_counter() - started
    started, cpu = time.perf_counter(), cpu_seconds()
    errors: list[str] = []
    with DescendantMemory() as workers:
        if bulk:
            imported = write_archive(content, paths)
        else:
            outcomes = import_files(paths, content)
            imported = sum(o.status == "imported" for o in outcomes)
            errors = [str(o) for o in outcomes if o.status == "error"]
    import_seconds = time.perf_counter() - started
    import_cpu = cpu_seconds() - cpu
    rss_import = peak_rss_mb()
    return {
        "synthesis_s": synthesis,
        "raw_bytes": sum(p.stat().st_size for p in paths),
        "import_s": import_seconds,
        "import_cpu_s": import_cpu,
        "import_kind": "written in bulk (synthetic.write_archive)" if bulk else "postilla import",
        "imported": imported,
        "import_errors": len(errors),
        "import_error_examples": errors[:5],
        "annotations": add_annotations(content, seed=seed),
        "rss_import_mb": rss_import,
        "rss_import_workers_mb": workers.peak_total,
    }


def process_cpu_seconds() -> float:
    """CPU time so far of this process, of its finished children and of its live
    descendants (Pagefind, the worker pools), read from ``/proc``."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in DescendantMemory.descendants():
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


class CpuSampler:
    """Samples `process_cpu_seconds` against the wall clock while a stage runs, so that the
    CPU use of any window of it (the rendering) can be told afterwards."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (perf_counter, CPU seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def __enter__(self) -> CpuSampler:
        self.samples.append((time.perf_counter(), process_cpu_seconds()))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter(), process_cpu_seconds()))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append((time.perf_counter(), process_cpu_seconds()))

    def utilisation(self, start: float, end: float) -> float:
        """CPU seconds per wall second between the samples nearest `start` and `end`
        (1.0: one core busy; the machine's cores: all of them)."""
        first = min(self.samples, key=lambda s: abs(s[0] - start))
        last = min(self.samples, key=lambda s: abs(s[0] - end))
        return (last[1] - first[1]) / max(last[0] - first[0], 1e-9)


@contextlib.contextmanager
def stage_marks() -> Iterator[dict[str, float]]:
    """When the build's generation ends (MkDocs starts rendering) and when its rendering
    ends (``on_post_build``), by wrapping the plugin's two events for this process."""
    from generator.plugin import PostillaPlugin

    marks: dict[str, float] = {}
    on_files, on_post_build = PostillaPlugin.on_files, PostillaPlugin.on_post_build

    def files_marked(self, files, *, config):  # type: ignore[no-untyped-def]
        marks["generation_start"] = time.perf_counter()
        try:
            return on_files(self, files, config=config)
        finally:
            marks["render_start"] = time.perf_counter()

    def post_build_marked(self, *, config):  # type: ignore[no-untyped-def]
        marks["render_end"] = time.perf_counter()
        return on_post_build(self, config=config)

    PostillaPlugin.on_files = files_marked  # type: ignore[method-assign]
    PostillaPlugin.on_post_build = post_build_marked  # type: ignore[method-assign]
    try:
        yield marks
    finally:
        PostillaPlugin.on_files = on_files  # type: ignore[method-assign]
        PostillaPlugin.on_post_build = on_post_build  # type: ignore[method-assign]


def stage_build(work: Path) -> dict:
    """Build the site (timed by `build_site` itself, stage by stage), sampling its CPU use:
    during generation and during MkDocs' rendering, in CPU seconds per wall second."""
    from generator.build import build_site

    cpu = cpu_seconds()
    with DescendantMemory() as children, CpuSampler() as sampler, stage_marks() as marks:
        result = build_site(work / "mkdocs.yml", work / "content", work / "site", progress=False)
    return {
        "build_s": result.seconds,
        "cores": len(os.sched_getaffinity(0)),
        "generation_cpu_per_s": sampler.utilisation(
            marks["generation_start"], marks["render_start"]
        ),
        "render_cpu_per_s": sampler.utilisation(marks["render_start"], marks["render_end"]),
        "build_cpu_s": cpu_seconds() - cpu,
        "pages": result.pages,
        "warnings": result.warnings,
        "timings": result.timings,
        "rss_build_mb": peak_rss_mb(),
        "rss_pagefind_mb": max(
            (mb for name, mb in children.peaks.items() if "pagefind" in name), default=0.0
        ),
        "rss_children_mb": children.peaks,
    }


def stage_update(work: Path, seed: int) -> dict:
    """The daily case: import a few new articles into the whole archive, then build again
    (with the cache and the previous site of the cold build in place)."""
    from benchmarks.synthetic import make_raw_articles
    from generator.build import build_site
    from generator.cache import CACHE_DIR, Cache
    from generator.importer import import_files

    paths = make_raw_articles(work / "raw-update", UPDATE_COUNT, seed + 1)
    started = time.perf_counter()
    # as `postilla import` in the project: the build cache is read
    outcomes = import_files(paths, work / "content", cache=Cache(work / CACHE_DIR))
    import_seconds = time.perf_counter() - started
    result = build_site(work / "mkdocs.yml", work / "content", work / "site", progress=False)
    return {
        "update_imported": sum(o.status == "imported" for o in outcomes),
        "update_import_s": import_seconds,
        "update_build_s": result.seconds,
        "update_timings": result.timings,
        "rss_update_mb": peak_rss_mb(),
    }


def stage_edit(work: Path) -> dict:
    """The edit loop, each followed by an incremental build: one article corrected by
    hand; one annotation reworded; then one more of each, built together."""
    from generator.build import build_site

    content = work / "content"
    articles = sorted((content / "articles").glob("*.md"))
    notes = sorted((content / "annotations").rglob("*.yml"))

    def edit_article(article: Path, words: str) -> None:
        text = article.read_text("utf-8")
        head, _, body = text.partition("\n---\n")
        article.write_text(head + "\n---\n" + body.replace(" e ", words, 1), "utf-8")

    def edit_note(note: Path, words: str) -> None:
        note.write_text(note.read_text("utf-8").replace("note: ", words, 1), "utf-8")

    def build() -> tuple[float, dict[str, float]]:
        done = build_site(work / "mkdocs.yml", content, work / "site", progress=False)
        return done.seconds, done.timings

    edit_article(articles[len(articles) // 2 + 1], " e inoltre ")
    article_s, article_timings = build()
    edit_note(notes[-1], "note: (corretta) ")
    note_s, note_timings = build()
    edit_article(articles[len(articles) // 2], " e poi ")
    edit_note(notes[0], "note: (rivista) ")
    both_s, both_timings = build()
    return {
        "edit_article_build_s": article_s,
        "edit_article_timings": article_timings,
        "edit_note_build_s": note_s,
        "edit_note_timings": note_timings,
        "edit_build_s": both_s,
        "edit_timings": both_timings,
        "rss_edit_mb": peak_rss_mb(),
    }


def stage_serve(work: Path) -> dict:
    """`postilla serve`: its first build, then one article edited and the time until the
    server's page shows the edit (the rebuild, incremental, after MkDocs' file watcher)."""
    import socket
    import urllib.request

    from generator.build import serve_site

    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        port = probe.getsockname()[1]
    content = work / "content"
    article = sorted((content / "articles").glob("*.md"))[
        len(list((content / "articles").glob("*.md"))) // 3
    ]
    mount = urlsplit(
        re.search(r"^site_url:\s*(\S+)", (work / "mkdocs.yml").read_text("utf-8"), re.M)[1]
    ).path
    address = f"http://{LOCAL_HOST}:{port}{mount}articles/{article.stem}/"

    def shows(words: str) -> bool:
        try:
            with urllib.request.urlopen(address, timeout=30) as response:
                return words in response.read().decode("utf-8")
        except OSError:
            return False

    def wait_for(words: str) -> float:
        started = time.perf_counter()
        while not shows(words):
            time.sleep(0.1)
        return time.perf_counter() - started

    started = time.perf_counter()
    threading.Thread(
        target=serve_site, args=(work / "mkdocs.yml", content, f"{LOCAL_HOST}:{port}"), daemon=True
    ).start()
    wait_for("postilla-article")
    first = time.perf_counter() - started
    text = article.read_text("utf-8")
    head, _, body = text.partition("\n---\n")
    article.write_text(head + "\n---\n" + body.replace(" e ", " e in seguito ", 1), "utf-8")
    return {"serve_first_build_s": first, "serve_edit_s": wait_for(" e in seguito ")}


def split_config(work: Path) -> Path:
    """`fresh_config`, with the archive split into parts by year."""
    config = fresh_config(work)
    text = config.read_text("utf-8")
    text, found = re.subn(
        r"^(\s*)- postilla\s*$", r"\1- postilla:\n\1    parts: year", text, count=1, flags=re.M
    )
    if not found:
        raise SystemExit("mkdocs.yml lists no postilla plugin: update benchmarks/scale.py")
    config.write_text(text, encoding="utf-8")
    return config


def stage_part(work: Path, key: str) -> dict:
    """Build part `key` of the split archive in `work` (as one job of the matrix would)."""
    from generator.build import build_site

    with DescendantMemory() as children:
        result = build_site(work / "mkdocs.yml", work / "content", progress=False, part=key)
    return {
        "build_s": result.seconds,
        "pages": result.pages,
        "timings": result.timings,
        "rss_build_mb": peak_rss_mb(),
        "rss_children_mb": children.peaks,
    }


def stage_list(work: Path) -> dict:
    """`postilla build --list-parts` and `postilla check` on the split archive in `work`:
    the workflow's first job, which every part's job waits for."""
    from generator import parts
    from generator.cli import check_content

    started = time.perf_counter()
    keys = parts.listed_parts(work / "mkdocs.yml", work / "content")
    listed = time.perf_counter() - started
    rss_listed = peak_rss_mb()
    started = time.perf_counter()
    problems, _, loaded = check_content(work / "content")
    return {
        "list_s": listed,
        "rss_list_mb": rss_listed,
        "parts_listed": keys,
        "check_s": time.perf_counter() - started,
        "rss_check_mb": peak_rss_mb(),
        "check_problems": len(problems),
        "check_articles": len(loaded.articles),
    }


def stage_assemble(work: Path) -> dict:
    """Assemble the parts built in `work` and the top level into ``work/site``."""
    from generator import parts

    folders = parts.part_folders([work / parts.DEFAULT_OUTPUT])
    with DescendantMemory() as children:
        result = parts.assemble(work / "mkdocs.yml", work / "content", folders, work / "site")
    return {
        "assemble_s": result.seconds,
        "rss_assemble_mb": peak_rss_mb(),
        "rss_assemble_children_mb": children.peaks,
    }


STAGES = {
    "prepare": lambda work, count, seed: stage_prepare(work, count, seed),
    "write": lambda work, count, seed: stage_prepare(work, count, seed, bulk=True),
    "build": lambda work, count, seed: stage_build(work),
    "update": lambda work, count, seed: stage_update(work, seed),
    "edit": lambda work, count, seed: stage_edit(work),
    "serve": lambda work, count, seed: stage_serve(work),
    "assemble": lambda work, count, seed: stage_assemble(work),
    "list": lambda work, count, seed: stage_list(work),
}


def run_stage(stage: str, work: Path, count: int, seed: int, part: str | None = None) -> None:
    """Child process: run one stage (with `part`, the build of that part) and write its
    figures to ``work/<stage>.json`` (``work/part-KEY.json``)."""
    if part is not None:
        figures, stage = stage_part(work, part), f"part-{part}"
    else:
        figures = STAGES[stage](work, count, seed)
    (work / f"{stage}.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if stage == "serve":
        os._exit(0)  # the server's threads would keep the process alive


def in_child(stage: str, work: Path, count: int, seed: int, part: str | None = None) -> dict:
    """Run `stage` in a fresh Python process (with `part`: the build of that part); its
    figures. Its output goes to a log file."""
    command = [sys.executable, "-m", "benchmarks.scale", "--stage", stage, "--work", str(work)]
    command += ["--count", str(count), "--seed", str(seed)]
    if part is not None:
        command += ["--part", part]
        stage = f"part-{part}"
    log = work / f"{stage}.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = "".join(log.read_text("utf-8", errors="replace").splitlines(True)[-30:])
        raise SystemExit(f"stage {stage} failed for {count} articles (log: {log}):\n{tail}")
    return json.loads((work / f"{stage}.json").read_text("utf-8"))


# --- the built site ---------------------------------------------------------------------


def site_figures(site: Path) -> dict:
    """Size and file count of the site (everything it serves), of its Pagefind index, and of
    its HTML pages; the chrome of article pages (`chrome_bytes`)."""
    files = [p for p in site.rglob("*") if p.is_file()]
    sizes = {p: p.stat().st_size for p in files}
    article_files = sorted(site.glob("articles/*/index.html"))
    articles = [sizes[p] for p in article_files]
    chrome = [chrome_bytes(p.read_bytes()) for p in article_files]
    html = [p for p in files if p.suffix == ".html"]
    largest = max(html, key=sizes.__getitem__)
    largest_file = max(files, key=sizes.__getitem__)
    pagefind = [p for p in files if p.is_relative_to(site / "pagefind")]
    return {
        "article_chrome_median_bytes": statistics.median(chrome) if chrome else 0,
        "largest_file_bytes": sizes[largest_file],
        "largest_file": largest_file.relative_to(site).as_posix(),
        "site_bytes": sum(sizes.values()),
        "site_files": len(files),
        "pagefind_bytes": sum(sizes[p] for p in pagefind),
        "pagefind_files": len(pagefind),
        "html_files": len(html),
        "article_pages": len(articles),
        "article_median_bytes": statistics.median(articles) if articles else 0,
        "article_max_bytes": max(articles, default=0),
        "largest_page_bytes": sizes[largest],
        "largest_page": largest.relative_to(site).as_posix(),
    }


# --- search, as a reader does it ------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 from a background thread; its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="scale-site", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def pagefind_part(url: str) -> str:
    """What a Pagefind file is for: the index chunks, the result fragments, or start-up."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    if name.endswith(".pf_index"):
        return "index"
    if name.endswith(".pf_fragment"):
        return "fragments"
    return "startup"  # pagefind.js, the WebAssembly, pagefind-entry.json, the metadata


# Served gzip-compressed by GitHub Pages (text types); Pagefind's index files and its
# WebAssembly are gzip-compressed already and are counted as they are.
GZIP_SERVED = (".js", ".json", ".css", ".html", ".svg", ".xml", ".txt")


def served_bytes(url: str, body: bytes) -> int:
    """The bytes a response takes on the wire from GitHub Pages: gzip for text types."""
    import gzip

    path = urlsplit(url).path
    return len(gzip.compress(body, 6)) if path.endswith(GZIP_SERVED) else len(body)


def fetched(responses: list) -> dict:
    """Bytes of the Pagefind responses, raw and as GitHub Pages would send them, by part."""
    parts: dict[str, int] = {"startup": 0, "index": 0, "fragments": 0}
    sizes: dict[str, int] = {}
    served = 0
    for response in responses:
        body = response.body()
        parts[pagefind_part(response.url)] += len(body)
        sizes[urlsplit(response.url).path] = len(body)
        served += served_bytes(response.url, body)
    return {"raw": sum(parts.values()), "gzip": served, "parts": parts, "sizes": sizes}


def measure_search(site: Path, query: str, later: str | None = None) -> dict:
    """Type `query` into the header's search box of a fresh page; bytes and time. Then,
    with `later`, the box emptied and `later` typed: what a reader's next query costs."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        return {"search_skipped": f"no Chromium at {CHROMIUM}"}
    blocked: list[str] = []
    responses = []
    with serve(site) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context()
            context.route(
                lambda url: urlsplit(url).hostname != LOCAL_HOST,
                lambda route: (blocked.append(route.request.url), route.abort()),
            )
            page = context.new_page()
            page.on("response", lambda r: responses.append(r) if "/pagefind/" in r.url else None)
            page.goto(base_url, wait_until="load")
            box = page.locator("input.md-search__input")
            if not box.is_visible():
                page.locator("label.md-header__button[for='__search']").first.click()
            box.click()
            box.press_sequentially(query, delay=KEY_DELAY_MS)
            typed = time.perf_counter()
            answered = page.locator(f"[data-postilla-search-result][data-query='{query}']")
            answered.wait_for(state="attached", timeout=SEARCH_TIMEOUT_MS)
            seconds = time.perf_counter() - typed
            found = page.locator(".md-search-result__meta").inner_text()
            first = fetched(responses)
            requests = len(responses)
            next_query: dict = {}
            if later:
                responses.clear()
                box.fill("")
                box.press_sequentially(later, delay=KEY_DELAY_MS)
                typed = time.perf_counter()
                answered = page.locator(f"[data-postilla-search-result][data-query='{later}']")
                answered.wait_for(state="attached", timeout=SEARCH_TIMEOUT_MS)
                later_seconds = time.perf_counter() - typed
                again = fetched(responses)
                next_query = {
                    "later_query": later,
                    "later_search_ms": later_seconds * 1000,
                    "later_search_bytes": again["raw"],
                    "later_search_gzip_bytes": again["gzip"],
                    "later_search_requests": len(responses),
                }
        finally:
            browser.close()
    return {
        "query": query,
        "search_ms": seconds * 1000,
        "search_bytes": first["raw"],
        "search_gzip_bytes": first["gzip"],
        "search_bytes_by_part": first["parts"],
        "search_requests": requests,
        "search_largest_files": sorted(first["sizes"].items(), key=lambda item: -item[1])[:6],
        "search_found": found,
        "blocked_requests": sorted(set(blocked)),
        **next_query,
    }


# --- one size, and the tables ---------------------------------------------------------


def work_folder(keep: Path | None, name: str) -> Path:
    """A fresh folder for one run: `keep`/`name` (emptied first) to keep, else a temporary one."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix=f"postilla-{name}-"))
    work = keep / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def measure_size(
    count: int,
    keep: Path | None,
    browser: bool,
    update: bool,
    seed: int,
    query: str,
    later: str = LATER_QUERY,
    prepared: Path | None = None,
) -> dict:
    """Every figure for an archive of `count` articles. With `prepared` (a folder an earlier
    run kept, or one ``--stage prepare`` made), its imported archive is copied and its import
    figures reported instead of making and importing a new one."""
    work = work_folder(keep, f"scale-{count}")
    try:
        row: dict = {"articles": count, "seed": seed}
        if prepared:
            print(f"[{count}] copying the archive of {prepared}…", file=sys.stderr, flush=True)
            row |= reuse_prepared(prepared, work, count)
        else:
            print(f"[{count}] making and importing the archive…", file=sys.stderr, flush=True)
            row |= in_child("prepare", work, count, seed)
        print(f"[{count}] building the site…", file=sys.stderr, flush=True)
        row |= in_child("build", work, count, seed)
        row |= site_figures(work / "site")
        if browser:
            print(f"[{count}] searching for {query!r} in Chromium…", file=sys.stderr, flush=True)
            row |= measure_search(work / "site", query, later)
        if update:
            print(f"[{count}] adding {UPDATE_COUNT} articles, building again…", file=sys.stderr)
            row |= in_child("update", work, count, seed)
            print(
                f"[{count}] editing one article and one annotation, building again…",
                file=sys.stderr,
            )
            row |= in_child("edit", work, count, seed)
            if count <= SERVE_UP_TO:
                print(f"[{count}] serving, editing one article…", file=sys.stderr, flush=True)
                row |= in_child("serve", work, count, seed)
        if keep:
            row["kept"] = str(work)
        return row
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def reuse_prepared(prepared: Path, work: Path, count: int) -> dict:
    """Copy the imported archive of `prepared` into `work`, next to a fresh configuration;
    the import figures recorded there (``prepare.json``). Refused unless it holds `count`
    articles."""
    figures = json.loads((prepared / "prepare.json").read_text("utf-8"))
    if figures.get("imported") != count:
        raise SystemExit(f"{prepared} holds {figures.get('imported')} articles, not {count}")
    shutil.copytree(prepared / "content", work / "content")
    fresh_config(work)
    return figures | {"prepared_from": str(prepared)}


def tree_bytes(folder: Path) -> tuple[int, int]:
    """Bytes and number of the files under `folder`, each path counted once (as a web
    server serves them: hard links are separate files to it, and to GitHub Pages)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def measure_parts(
    count: int,
    keep: Path | None,
    content: Path | None,
    browser: bool,
    seed: int,
    query: str,
    later: str = LATER_QUERY,
    bulk: bool = False,
    only: list[str] | None = None,
) -> dict:
    """Every figure of an archive of `count` articles split into parts by year: each part
    built with ``build --part`` in a process of its own (one job of the matrix each),
    then the whole assembled; a search from the assembled site's home. With `content`
    (a folder a run of this benchmark kept), its archive is used instead of a new one;
    with `bulk`, a new one is written without an import (`synthetic.write_archive`); with
    `only`, just those parts are built (no assembly, no search)."""
    from generator import parts

    work = work_folder(keep, f"parts-{count}")
    try:
        row: dict = {"articles": count, "seed": seed, "split": "year"}
        if content:
            print(f"[{count} in parts] copying {content}…", file=sys.stderr, flush=True)
            shutil.copytree(content, work / "content")
            row["content_from"] = str(content)
        else:
            print(f"[{count} in parts] making and writing…", file=sys.stderr, flush=True)
            row |= in_child("write" if bulk else "prepare", work, count, seed)
        config = split_config(work)
        if only:  # one job of the matrix: the parts' keys only, not the first job's check
            keys = parts.listed_parts(config, work / "content")
            unknown = sorted(set(only) - set(keys))
            if unknown:
                raise SystemExit(f"no part {', '.join(unknown)} in this archive: {', '.join(keys)}")
            keys = [key for key in keys if key in only]
        else:
            print(f"[{count} in parts] listing and checking…", file=sys.stderr, flush=True)
            row |= in_child("list", work, count, seed)  # the workflow's first job
            keys = row["parts_listed"]
        row["parts"] = {}
        for key in keys:
            print(f"[{count} in parts] building part {key}…", file=sys.stderr, flush=True)
            figures = in_child("build", work, count, seed, part=key)
            folder = work / parts.DEFAULT_OUTPUT / key
            size, files = tree_bytes(folder)
            record = json.loads((folder / parts.RECORD).read_text("utf-8"))
            row["parts"][key] = {
                "articles": len(record["articles"]),
                "build_s": figures["build_s"],
                "pages": figures["pages"],
                "rss_build_mb": figures["rss_build_mb"],
                "bytes": size,
                "files": files,
                "assets_bytes": tree_bytes(folder / parts.ASSETS)[0],
            }
        if only:
            row["only"] = keys
            if keep:
                row["kept"] = str(work)
            return row
        print(f"[{count} in parts] assembling…", file=sys.stderr, flush=True)
        row |= in_child("assemble", work, count, seed)
        site = work / "site"
        row["site_bytes"], row["site_files"] = tree_bytes(site)
        placed = tree_bytes(site / parts.PARTS_DIR)[0]
        row["top_bytes"] = row["site_bytes"] - placed
        # What the assembled site weighed before the parts shared the theme's files: the top
        # level, and every part as built.
        row["site_bytes_unshared"] = row["top_bytes"] + sum(
            p["bytes"] for p in row["parts"].values()
        )
        row["largest_file_bytes"] = max(p.stat().st_size for p in site.rglob("*") if p.is_file())
        if browser:
            print(f"[{count} in parts] searching for {query!r}…", file=sys.stderr, flush=True)
            row |= measure_search(site, query, later)
        if keep:
            row["kept"] = str(work)
        return row
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def parts_table(row: dict) -> str:
    """The figures of a split archive: one line per part, then the assembled site."""
    mb = 1_000_000
    lines = [f"{'part':<10} {'articles':>8} {'build s':>8} {'RSS MB':>7} {'MB':>8} {'files':>7}"]
    for key, part in row["parts"].items():
        lines.append(
            f"{key:<10} {part['articles']:>8,} {part['build_s']:>8.1f} {part['rss_build_mb']:>7.0f}"
            f" {part['bytes'] / mb:>8.1f} {part['files']:>7,}"
        )
    builds = [p["build_s"] for p in row["parts"].values()]
    lines.append("")
    if "list_s" in row:  # not with --only
        lines.append(
            f"list the parts: {row['list_s']:.1f} s, peak RSS {row['rss_list_mb']:.0f} MB;"
            f" postilla check: {row['check_s']:.1f} s, peak RSS {row['rss_check_mb']:.0f} MB"
        )
    lines += [
        f"parts: {len(builds)}; build time per part: median {statistics.median(builds):.1f} s,"
        f" longest {max(builds):.1f} s, all in sequence {sum(builds):.1f} s",
    ]
    if "only" in row:  # --only: the parts asked for, not assembled
        return "\n".join(lines)
    lines += [
        f"assemble: {row['assemble_s']:.1f} s, peak RSS {row['rss_assemble_mb']:.0f} MB",
        f"assembled site: {row['site_bytes'] / mb:.1f} MB in {row['site_files']:,} files"
        f" (top level {row['top_bytes'] / mb:.1f} MB); before the parts shared the theme's"
        f" files: {row['site_bytes_unshared'] / mb:.1f} MB",
        f"largest file: {row['largest_file_bytes'] / 1000:.0f} KB",
    ]
    if "search_bytes" in row:
        lines.append(
            f"cross-part search {row['query']!r}: first query {row['search_bytes'] / 1000:.0f} KB"
            f" raw, {row['search_gzip_bytes'] / 1000:.0f} KB gzip, {row['search_requests']}"
            f" requests, {row['search_ms']:.0f} ms; {row['search_found']}"
        )
    if "later_search_bytes" in row:
        lines.append(
            f"later query {row['later_query']!r}: {row['later_search_bytes'] / 1000:.0f} KB raw,"
            f" {row['later_search_gzip_bytes'] / 1000:.0f} KB gzip,"
            f" {row['later_search_ms']:.0f} ms"
        )
    return "\n".join(lines)


def update_figures(
    label: str, seconds: float, timings: dict, full_build_s: float
) -> dict[str, str]:
    """An update's share of the full build and the pages it rendered again."""
    return {
        f"{label}: share of the full build": f"{seconds / full_build_s:.0%}",
        f"{label}: pages rendered again": f"{timings.get('pages rendered', 0):,.0f}",
    }


def derived(row: dict) -> dict[str, str]:
    """The table's figures for one size, formatted."""
    timings = row["timings"]
    n = row["articles"]
    mkdocs = timings.get("mkdocs", 0.0) + timings.get("render", 0.0)
    figures = {
        "articles": f"{n:,}",
        "import s": f"{row['import_s']:.1f}",
        "  import CPU s (all processes)": f"{row['import_cpu_s']:.1f}",
        "import articles/s": f"{n / row['import_s']:,.0f}",
        "generation s": f"{timings.get('generation', 0):.1f}",
        "generation articles/s": f"{n / max(timings.get('generation', 0), 1e-9):,.0f}",
        "MkDocs s (mkdocs+render)": f"{mkdocs:.1f}",
        "  of which render s": f"{timings.get('render', 0):.1f}",
        "search index s (beside MkDocs)": f"{timings.get('search index', 0):.1f}",
        "  of which the build waited s": f"{timings.get('search index, waited for', 0):.1f}",
        "  CPU per second, generation / rendering (of "
        f"{row.get('cores', '?')} cores)": f"{row.get('generation_cpu_per_s', 0):.2f} / "
        f"{row.get('render_cpu_per_s', 0):.2f}",
        "total build s": f"{row['build_s']:.1f}",
        "  build CPU s (all processes)": f"{row['build_cpu_s']:.1f}",
        "import + build s": f"{row['import_s'] + row['build_s']:.1f}",
        "pages built": f"{row['pages']:,}",
        "MkDocs warnings": f"{row['warnings']:,}",
        "peak RSS import MB (+ workers)": f"{row['rss_import_mb']:,.0f} + "
        f"{row['rss_import_workers_mb']:,.0f}",
        "peak RSS build MB": f"{row['rss_build_mb']:,.0f}",
        "peak RSS Pagefind MB": f"{row['rss_pagefind_mb']:,.0f}",
        "site MB": f"{row['site_bytes'] / 1e6:,.1f}",
        "files": f"{row['site_files']:,}",
        "Pagefind MB / files": f"{row['pagefind_bytes'] / 1e6:,.1f} / {row['pagefind_files']:,}",
        "median / max article KB": f"{row['article_median_bytes'] / 1024:.1f} / "
        f"{row['article_max_bytes'] / 1024:.1f}",
        "  article chrome (page minus <article>), median KB": f"{row.get('article_chrome_median_bytes', 0) / 1024:.1f}",
        "largest page KB": f"{row['largest_page_bytes'] / 1024:,.0f}",
        "largest page": row["largest_page"],
        "largest file KB": f"{row.get('largest_file_bytes', 0) / 1024:,.0f}",
        "largest file": row.get("largest_file", ""),
    }
    if "search_bytes" in row:
        parts = row["search_bytes_by_part"]
        figures |= {
            f"search KB ({row['query']!r})": f"{row['search_bytes'] / 1024:,.0f}",
            "  startup / index / fragments KB": " / ".join(
                f"{parts[k] / 1024:,.0f}" for k in ("startup", "index", "fragments")
            ),
            "  as GitHub Pages serves it (gzip) KB": f"{row.get('search_gzip_bytes', 0) / 1024:,.0f}",
            "search ms": f"{row['search_ms']:,.0f}",
            "search results": row["search_found"],
        }
        if "later_search_bytes" in row:
            figures |= {
                f"later search KB ({row['later_query']!r}), raw / gzip": f"{row['later_search_bytes'] / 1024:,.0f} / "
                f"{row['later_search_gzip_bytes'] / 1024:,.0f}",
                "later search ms": f"{row['later_search_ms']:,.0f}",
            }
    elif "search_skipped" in row:
        figures["search"] = row["search_skipped"]
    if "update_import_s" in row:
        both = row["update_import_s"] + row["update_build_s"]
        figures |= {
            f"add {UPDATE_COUNT}: import s": f"{row['update_import_s']:.1f}",
            f"add {UPDATE_COUNT}: build again s": f"{row['update_build_s']:.1f}",
        } | update_figures(f"add {UPDATE_COUNT}", both, row["update_timings"], row["build_s"])
    for key, label in (
        ("edit_article", "edit 1 article"),
        ("edit_note", "edit 1 annotation"),
        ("edit", "edit 1 article + 1 note"),
    ):
        if f"{key}_build_s" in row:
            figures[f"{label}: build s"] = f"{row[f'{key}_build_s']:.1f}"
            figures |= update_figures(
                label, row[f"{key}_build_s"], row[f"{key}_timings"], row["build_s"]
            )
    if "serve_edit_s" in row:
        figures |= {
            "serve: first build s": f"{row['serve_first_build_s']:.1f}",
            "serve: edit shown after s": f"{row['serve_edit_s']:.1f}",
        }
    return figures


def table(rows: list[dict]) -> str:
    """The figures as a text table: one line per figure, one column per size."""
    columns = [derived(row) for row in rows]
    names = list(dict.fromkeys(name for column in columns for name in column))
    width = max(len(name) for name in names)
    cells = [[column.get(name, "") for column in columns] for name in names]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(columns))]
    lines = []
    for name, cell in zip(names, cells):
        values = "  ".join(value.rjust(w) for value, w in zip(cell, widths))
        lines.append(f"{name:<{width}}  {values}")
    return "\n".join(lines)


def write_json(row: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"scale-{row['articles']}.json"
    path.write_text(json.dumps(row, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000], metavar="N")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep each size's folders here")
    parser.add_argument("--no-browser", action="store_true", help="skip the search in Chromium")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help=f"skip importing {UPDATE_COUNT} more articles and building again",
    )
    parser.add_argument("--query", default=QUERY, help=f"the word searched (default {QUERY})")
    parser.add_argument(
        "--later-query", default=LATER_QUERY, help=f"the next word searched (default {LATER_QUERY})"
    )
    parser.add_argument(
        "--parts",
        action="store_true",
        help="split each archive into parts by year: each built with `build --part`, then assembled",
    )
    parser.add_argument(
        "--content",
        type=Path,
        metavar="DIR",
        help="with --parts: the archive of this content folder (e.g. one --keep kept), not a new one",
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="with --parts: write the new archive as an import would, without importing it"
        " (for 200,000 articles, whose import would take hours)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="KEY",
        help="with --parts: build only these parts (no assembly, no search)",
    )
    parser.add_argument(
        "--prepared",
        type=Path,
        metavar="DIR",
        help="the imported archive of this folder (one --keep kept, with its prepare.json),"
        " copied, not a new one (one size only)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        run_stage(args.stage, args.work, args.count, args.seed, args.part)
        return
    if args.parts:
        for count in args.articles:
            row = measure_parts(
                count,
                args.keep,
                args.content,
                not args.no_browser,
                args.seed,
                args.query,
                args.later_query,
                args.bulk,
                args.only,
            )
            RESULTS.mkdir(parents=True, exist_ok=True)
            name = f"parts-{count}" + ("-only-" + "-".join(args.only) if args.only else "")
            path = RESULTS / f"{name}.json"  # not scale-*: plot.py reads those
            path.write_text(json.dumps(row, indent=2, ensure_ascii=False) + "\n", "utf-8")
            print(f"\n== {count:,} articles in parts ({os.path.relpath(path)})\n{parts_table(row)}")
        return
    rows = []
    for count in args.articles:
        row = measure_size(
            count,
            args.keep,
            not args.no_browser,
            not args.no_update,
            args.seed,
            args.query,
            args.later_query,
            args.prepared,
        )
        rows.append(row)
        path = write_json(row)
        print(f"\n== {count:,} articles ({os.path.relpath(path)})\n{table([row])}", flush=True)
    if len(rows) > 1:
        print(f"\n== all sizes\n{table(rows)}")


if __name__ == "__main__":
    main()
