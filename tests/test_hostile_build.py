"""The build's lifecycle under attack: killed and interrupted builds, two builds at once,
a damaged live site, and a machine that refuses writes.

Each case asserts what a reader and a maintainer are owed: `content/` unchanged; the live
site either the complete old one or the complete new one (every file as a finished build
wrote it, every search shard with fragments); a clear one-line error naming the path and
a non-zero exit where the build could not finish; no leftovers after the next build.

Builds run as `python -m generator build` subprocesses on a two-article project, so that
kill -9 and SIGINT hit a real process; the machine's faults are injected in-process (the
tests run as root, where permission bits stop nothing) or with RLIMIT_FSIZE.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ROOT, empty_content, import_seeds
from generator import build as build_module
from generator import cli
from generator import publish as publish_module
from generator.build import build_site
from generator.locks import hold_lock, project_lock_path, site_lock_path
from generator.model import ContentError
from generator.publish import (
    Manifest,
    Output,
    exchange,
    manifest_file,
    read_manifest,
    recover_site,
    save_manifest,
)

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
KILL_ITERATIONS = 24  # kill -9 (two in three) and SIGINT (one in three) at seeded moments
KILL_SEED = 20261130
SETTLE = 60.0  # seconds a background deletion of an old site may take before a test fails


# --- a small project, and how to look at it ------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the two seed articles (imported once for the module)."""
    import yaml

    folder = tmp_path_factory.mktemp("template")
    content = empty_content(folder)
    # A few entities, not the shipped 87: each build stays around a second of work.
    registry = yaml.safe_load((content / "entities.yml").read_text("utf-8"))
    (content / "entities.yml").write_text(yaml.safe_dump(registry[:6], allow_unicode=True), "utf-8")
    import_seeds(content)
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template project."""
    folder = tmp_path / "project"
    shutil.copytree(template, folder)
    return folder


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("POSTILLA_LOCK_TIMEOUT", None)
    return env | extra


def command(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", *args]


def start_build(
    project: Path, *args: str, preexec_fn: Callable[[], None] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(project, *args),
        cwd=project,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


def run_build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(project, *args),
        cwd=project,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def hashes(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under `folder` (leaving out top-level names in `skip`) with its SHA-256."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in skip:
            found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def pages_of(site: Path) -> dict[str, str]:
    """The site without its search index (checked on its own by `assert_search_complete`:
    Pagefind's files are not byte-identical from one indexing to the next)."""
    pages = hashes(site, skip=("pagefind",))
    return {path: sha for path, sha in pages.items() if "/pagefind/" not in path}  # en/pagefind


def assert_search_complete(site: Path) -> None:
    """Every shard the search box lists is a whole Pagefind bundle with fragments."""
    listing = json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))
    assert listing["shards"], "no search shard"
    for shard in listing["shards"]:
        folder = site / "pagefind" / shard
        entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
        assert all(lang["page_count"] > 0 for lang in entry["languages"].values()), shard
        fragments = list((folder / "fragment").glob("*.pf_fragment"))
        assert fragments and all(f.stat().st_size > 0 for f in fragments), shard
        assert list((folder / "index").glob("*.pf_index")), shard


def leftovers(project: Path, site: str = "site") -> list[str]:
    """What a build may leave beside the site, and temporary files in the cache."""
    beside = [p.name for p in project.glob(f".{site}.building-*")]
    beside += [p.name for p in project.glob(f".{site}.old-*")]
    cache = project / ".postilla-cache"
    beside += [str(p.relative_to(project)) for p in cache.rglob("*.tmp")]
    return beside


def settle(project: Path, site: str = "site") -> list[str]:
    """The leftovers once the old site's background deletion (`rm -rf`, started by the
    build) has had its time: not a timing assertion, a wait with a generous bound."""
    deadline = time.monotonic() + SETTLE
    while leftovers(project, site) and time.monotonic() < deadline:
        time.sleep(0.05)
    return leftovers(project, site)


def edit_article(project: Path, old: str, new: str) -> None:
    path = project / "content" / "articles" / f"{SPUTNIK}.md"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# --- kill -9 and SIGINT at seeded random moments -------------------------------------


def test_killed_builds_leave_the_old_or_the_new_site(project: Path) -> None:
    """Two versions of the archive (A, B: one article's words differ); each iteration
    switches content/ to the other and kills the build at a random moment. Every kill
    leaves content/ as it was and site/ exactly as version A or version B was built;
    every fourth iteration a build runs to its end and leaves nothing behind."""
    site, content = project / "site", project / "content"
    variants = {"A": "Secondo quanto riferito", "B": "Secondo quanto scritto"}
    built: dict[str, dict[str, str]] = {}
    durations = []
    for name in ("A", "B"):
        if name == "B":
            edit_article(project, variants["A"], variants["B"])
        started = time.monotonic()
        done = run_build(project)
        durations.append(time.monotonic() - started)
        assert done.returncode == 0, done.stderr
        built[name] = pages_of(site)
        assert_search_complete(site)
    assert built["A"] != built["B"]
    rng = random.Random(KILL_SEED)
    live = "B"
    outcomes = {"killed": 0, "interrupted": 0, "finished": 0}
    written = "B"  # the version content/ holds
    for iteration in range(KILL_ITERATIONS):
        wanted = "A" if written == "B" else "B"
        edit_article(project, variants[written], variants[wanted])
        written = wanted
        before = hashes(content)
        interrupt = iteration % 3 == 2
        staged_before = set(project.glob(".site.building-*"))  # a killed build's, if any
        process = start_build(project)
        # A moment up to just past an incremental build's length, as last measured (the machine's
        # load changes while the test runs).
        time.sleep(rng.uniform(0.0, 1.1) * durations[-1])
        process.send_signal(signal.SIGINT if interrupt else signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
        if process.returncode == 0:
            outcomes["finished"] += 1
        elif interrupt:
            outcomes["interrupted"] += 1
            assert process.returncode in (1, 130, -signal.SIGINT), stderr
            # Python's own traceback only while it imports, before anything is written.
            assert "Traceback" not in stderr or "build_site" not in stderr, stderr
        else:
            outcomes["killed"] += 1
        assert hashes(content) == before, f"iteration {iteration}: content/ changed"
        now = pages_of(site)
        assert now in (built["A"], built["B"]), f"iteration {iteration}: a mixed site"
        assert_search_complete(site)
        live = "A" if now == built["A"] else "B"
        if process.returncode == 0:
            assert live == wanted
        if interrupt and process.returncode != 0:
            new = set(project.glob(".site.building-*")) - staged_before
            assert not new, f"iteration {iteration}: SIGINT left its staging folder"
        if iteration % 4 == 3:
            started = time.monotonic()
            done = run_build(project)
            durations.append(time.monotonic() - started)
            assert done.returncode == 0, done.stderr
            assert pages_of(site) == built[wanted], f"iteration {iteration}: not rebuilt"
            assert_search_complete(site)
            assert settle(project) == []
            live = wanted
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    assert pages_of(site) == built[written]
    assert settle(project) == []
    print(f"kill/interrupt iterations: {KILL_ITERATIONS}, outcomes: {outcomes}")
    # The seed gives both kinds of ending; were every kill after the end, nothing was tested.
    assert outcomes["killed"] + outcomes["interrupted"] >= 12, outcomes
    assert outcomes["killed"] >= 6 and outcomes["interrupted"] >= 2, outcomes


# --- two builds at once ---------------------------------------------------------------


def test_two_builds_of_the_same_site_one_waits(project: Path) -> None:
    first, second = start_build(project), start_build(project)
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    waited = [err for _, err in results if "waiting for" in err]
    for err in waited:  # the one that waited said for what, and who held it
        line = next(x for x in err.splitlines() if x.startswith("waiting for"))
        assert "build.lock" in line and "held by pid" in line, line
    assert_search_complete(project / "site")
    assert (project / "site" / "articles" / SPUTNIK / "index.html").is_file()
    assert settle(project) == []


def test_two_builds_to_different_sites_share_the_cache_safely(project: Path) -> None:
    first = start_build(project, "--site", "one")
    second = start_build(project, "--site", "two")
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    assert pages_of(project / "one") == pages_of(project / "two")
    for name in ("one", "two"):
        assert_search_complete(project / name)
        assert settle(project, name) == []
    # And again, incrementally, from the shared cache: still two whole sites.
    first = start_build(project, "--site", "one")
    second = start_build(project, "--site", "two")
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    for name in ("one", "two"):
        assert_search_complete(project / name)


def test_a_build_started_midway_waits_or_stops_with_a_clear_error(project: Path) -> None:
    """The second build starts once the first holds the lock (its holder file says so):
    with --wait 0 it stops at once, naming the lock and the first build's pid; with the
    default wait it builds after the first."""
    first = start_build(project)
    holder = project_lock_path(project / "mkdocs.yml").with_name("build.lock.holder")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and f"pid {first.pid} " not in _read(holder):
        time.sleep(0.01)
    held = f"pid {first.pid} " in _read(holder)
    impatient = run_build(project, "--wait", "0")
    # Still running after the impatient build ended: it held the lock all along. (On a
    # loaded machine the first build may finish while the second is still starting.)
    held = held and first.poll() is None
    patient = start_build(project)
    first.communicate(timeout=300)
    patient_out = patient.communicate(timeout=300)
    assert first.returncode == 0 and patient.returncode == 0, patient_out
    if held:  # the first build still held the lock when the impatient one asked
        assert impatient.returncode == 1
        lines = error_lines(impatient.stderr)
        assert len(lines) == 1, impatient.stderr
        assert "build.lock" in lines[0] and f"pid {first.pid}" in lines[0], lines
        assert "--wait" in lines[0]
    else:
        assert impatient.returncode in (0, 1), impatient.stderr
    assert_search_complete(project / "site")
    assert settle(project) == []


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""


def test_a_held_lock_stops_a_build_in_one_line(project: Path, capsys) -> None:
    """In-process: the lock held by someone else, `postilla build --wait 0.2` gives up
    with one line naming the lock and its holder, exit 1, nothing built."""
    lock = project_lock_path(project / "mkdocs.yml")
    with hold_lock(lock, 0, lambda _: None):
        code = cli.main(
            [
                "build",
                "--config",
                str(project / "mkdocs.yml"),
                "--wait",
                "0.2",
                "--site",
                str(project / "site"),
            ]
        )
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[0].startswith(f"waiting for {lock} — held by pid {os.getpid()}")
    assert error_lines(err) == [error_lines(err)[0]]
    assert str(lock) in error_lines(err)[0] and "after 0.2 s" in error_lines(err)[0]
    assert not (project / "site").exists()
    assert not list(project.glob(".site.building-*"))


def test_serve_rebuilds_take_the_project_lock(project: Path, monkeypatch) -> None:
    """`postilla serve` (and plain `mkdocs build`) lock in the plugin, for each rebuild:
    from on_pre_build until on_post_build or on_build_error; waiting for a running build
    up to $POSTILLA_LOCK_TIMEOUT, then failing that rebuild with a PluginError."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from generator.plugin import PostillaPlugin

    config = load_config(str(project / "mkdocs.yml"), docs_dir=str(project / "content"))
    lock = project_lock_path(project / "mkdocs.yml")
    plugin = PostillaPlugin()
    plugin.on_pre_build(config=config)
    with pytest.raises(ContentError, match="held by pid"), hold_lock(lock, 0, print):
        pass  # not reached: the rebuild holds the lock
    plugin.on_build_error(error=RuntimeError("a failed rebuild"))
    with hold_lock(lock, 0, lambda _: None):  # released
        monkeypatch.setenv("POSTILLA_LOCK_TIMEOUT", "0")
        with pytest.raises(PluginError, match="build.lock: still held by pid"):
            plugin.on_pre_build(config=config)
    assert plugin.build_lock is None
    plugin.lock_held_by_caller = True  # `postilla build` holds it already: no second lock
    with hold_lock(lock, 0, lambda _: None):
        plugin.on_pre_build(config=config)
    assert plugin.build_lock is None


def test_the_site_lock_serialises_builds_of_different_projects(
    project: Path, tmp_path: Path
) -> None:
    """Two projects building into one folder: the site's own lock is held too."""
    target = tmp_path / "shared-site"
    with (
        hold_lock(site_lock_path(target), 0, lambda _: None),
        pytest.raises(ContentError) as caught,
    ):
        build_site(project / "mkdocs.yml", project / "content", target, progress=False, lock_wait=0)
    assert str(site_lock_path(target)) in str(caught.value)
    assert not target.exists()


def test_a_bad_wait_is_a_usage_error(project: Path) -> None:
    done = run_build(project, "--wait", "soon")
    assert done.returncode == 1
    assert error_lines(done.stderr) == [
        "error: --wait: 'soon' is not a number of seconds (such as 0 or 600)"
    ]
    assert not (project / "site").exists()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_background_thread_fails_the_build(project: Path, monkeypatch) -> None:
    """A helper thread that dies with an exception fails the build (no site published)."""
    import threading

    from generator import plugin as plugin_module

    original = plugin_module.PostillaPlugin.on_post_build

    def on_post_build(self, *, config):  # type: ignore[no-untyped-def]
        helper = threading.Thread(target=lambda: 1 / 0, name="helper")
        helper.start()
        helper.join()
        return original(self, config=config)

    monkeypatch.setattr(plugin_module.PostillaPlugin, "on_post_build", on_post_build)
    with pytest.raises(ContentError, match=r"a background task failed \(helper: ZeroDivisionError"):
        build_site(project / "mkdocs.yml", project / "content", project / "site", progress=False)
    assert not (project / "site").exists()
    assert not list(project.glob(".site.building-*"))


# --- the atomic publish and the verified live site --------------------------------------


def test_the_publish_is_one_exchange(tmp_path: Path) -> None:
    old, new = tmp_path / "site", tmp_path / ".site.building-x"
    old.mkdir()
    (old / "index.html").write_text("old", "utf-8")
    new.mkdir()
    (new / "index.html").write_text("new", "utf-8")
    inode = new.stat().st_ino
    build_module.publish(new, old)
    assert (old / "index.html").read_text("utf-8") == "new"
    assert old.stat().st_ino == inode  # the very folder built, now live
    assert oct(old.stat().st_mode & 0o777) == "0o755"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").touch()
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: the two-rename fallback is in use")
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["x"]
    with pytest.raises(FileNotFoundError):
        exchange(tmp_path / "a", tmp_path / "missing")


def test_a_site_lost_between_two_renames_is_put_back(project: Path) -> None:
    """The fallback publish crashed between its renames: no site/, the old one as
    .site.old-*. The next build starts from it (incrementally) and removes every leftover."""
    assert run_build(project).returncode == 0
    before = pages_of(project / "site")
    (project / "site").rename(project / ".site.old-1000")
    (project / ".site.building-abc").mkdir()
    (project / ".site.building-abc" / "half.html").write_text("half", "utf-8")
    recover_site(project / "site")
    assert pages_of(project / "site") == before
    assert leftovers(project) == []
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    assert "Built 0 pages" in done.stdout  # the recovered site was reused as it was


def test_the_fallback_publish_without_exchange(project: Path, monkeypatch) -> None:
    """Where RENAME_EXCHANGE is missing, two renames; the site is still whole."""
    monkeypatch.setattr(publish_module, "exchange", lambda a, b: False)
    config, content, site = project / "mkdocs.yml", project / "content", project / "site"
    build_site(config, content, site, progress=False)
    edit_article(project, "Secondo quanto riferito", "Secondo quanto scritto")
    build_site(config, content, site, progress=False)
    page = (site / "articles" / SPUTNIK / "index.html").read_text("utf-8")
    assert "Secondo quanto scritto" in page
    assert settle(project) == []


def test_a_damaged_live_site_is_repaired(project: Path) -> None:
    """Pages overwritten, deleted, truncated, or changed at the same size (only the hash
    tells), and a stray file added: the next incremental build renders exactly those again
    and removes the stray; the one after renders nothing."""
    config, content, site = project / "mkdocs.yml", project / "content", project / "site"
    build_site(config, content, site, progress=False)
    good = pages_of(site)
    page = site / "articles" / SPUTNIK / "index.html"
    page.write_text("<p>defaced</p>", "utf-8")  # overwritten
    (site / "index.html").unlink()  # deleted
    raw = next((site / "raw").glob("*.txt"))
    raw.write_bytes(raw.read_bytes()[:10])  # truncated (a file copied, not rendered)
    other = next(p for p in (site / "articles").glob("*/index.html") if p != page)
    data = bytearray(other.read_bytes())
    data[100:106] = b"XXXXXX"
    other.write_bytes(bytes(data))  # the same size, another content
    (site / "articles" / "injected.html").write_text("<script>x</script>", "utf-8")
    result = build_site(config, content, site, progress=False)
    assert pages_of(site) == good
    assert 3 <= result.pages <= 4  # what was damaged, not the whole site
    assert build_site(config, content, site, progress=False).pages == 0


def test_an_unreadable_manifest_means_a_full_build(project: Path) -> None:
    config, content, site = project / "mkdocs.yml", project / "content", project / "site"
    full = build_site(config, content, site, progress=False).pages
    # The site's manifest and its English subsite's (mkdocs.yml's extra.alternate).
    manifests = [
        manifest_file(config, site.resolve()),
        manifest_file(config, site.resolve() / "en"),
    ]
    for broken in (b"", b"{", b'{"format": 2, "fingerprints": {"": 1}, "outputs": {}}', b"[]"):
        for manifest in manifests:
            manifest.write_bytes(broken)
            assert read_manifest(manifest) is None
    assert build_site(config, content, site, progress=False).pages == full


def test_the_manifest_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sites" / "x.json"
    manifest = Manifest(
        {"": "a", "index.md": "b"}, {"index.html": Output(3, 4, 5, "c" * 64, "index.md")}
    )
    save_manifest(path, manifest)
    assert read_manifest(path) == manifest
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]


# --- the machine's faults ---------------------------------------------------------------


@pytest.fixture(scope="module")
def built(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once for the fault cases: each leaves its site as it was."""
    project = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(template, project)
    build_site(project / "mkdocs.yml", project / "content", project / "site", progress=False)
    return project


@pytest.fixture
def faulty(built: Path) -> Iterator[tuple[Path, Path, Path, dict[str, str]]]:
    """The built project with an edit to build (undone afterwards, for the next case)."""
    config, content, site = built / "mkdocs.yml", built / "content", built / "site"
    before = pages_of(site)
    article = content / "articles" / f"{SPUTNIK}.md"
    original = article.read_bytes()
    edit_article(built, "Secondo quanto riferito", "Secondo quanto scritto")
    yield config, content, site, before
    article.write_bytes(original)


def fault(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def assert_failed_cleanly(
    project: Path, site: Path, before: dict[str, str], content_before: dict[str, str], err: str
) -> str:
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    assert pages_of(site) == before  # the old site, intact
    assert_search_complete(site)
    assert hashes(project / "content") == content_before
    assert settle(project) == []  # no staging folder, no temporary file in the cache
    return lines[0]


FAULT_CASES = {
    # name: (errno, what the line must say)
    "full disk": (errno.ENOSPC, "no space left on the device — free some space"),
    "quota": (errno.EDQUOT, "disk quota exceeded"),
    "file too large": (errno.EFBIG, "file-size limit (ulimit -f)"),
    "read-only": (errno.EROFS, "read-only file system — build into a writable folder"),
    "permission denied": (errno.EACCES, "permission denied — make it writable"),
}


@pytest.mark.parametrize("case", sorted(FAULT_CASES))
def test_a_refused_page_write(faulty, capsys, monkeypatch, case: str) -> None:  # type: ignore[no-untyped-def]
    """MkDocs cannot write a page: one line naming that page's path, exit 1."""
    code, said = FAULT_CASES[case]
    config, content, site, before = faulty
    project = config.parent
    content_before = hashes(content)
    from mkdocs import utils

    real = utils.write_file

    def write_file(data: bytes, path: str) -> None:
        if SPUTNIK in path:
            raise OSError(code, os.strerror(code), path)
        real(data, path)

    monkeypatch.setattr(utils, "write_file", write_file)
    status = cli.main(["build", "--config", str(config), "--site", str(site)])
    line = assert_failed_cleanly(project, site, before, content_before, capsys.readouterr().err)
    assert status == 1
    assert line.startswith(f"error: {site.parent}/"), line  # the page's path in the staging folder
    assert SPUTNIK in line and said in line, line


@pytest.mark.parametrize(
    "where",
    ["staging folder", "hard links", "cache save", "manifest", "publish", "lock file"],
)
def test_a_full_disk_at_each_step(faulty, capsys, monkeypatch, where: str) -> None:  # type: ignore[no-untyped-def]
    """ENOSPC at each step of the lifecycle: one line naming a path, exit 1, the old site
    intact (or, when the disk fills after the publish, the new one complete), nothing left."""
    config, content, site, before = faulty
    project = config.parent
    content_before = hashes(content)
    published = False
    if where == "staging folder":

        def mkdtemp(*args: object, **kwargs: object) -> str:
            raise OSError(errno.ENOSPC, "No space left on device", str(project))

        monkeypatch.setattr(build_module.tempfile, "mkdtemp", mkdtemp)
    elif where == "hard links":

        def link_tree(source: Path, target: Path, skip: set[str]) -> None:
            (target / "partial.html").write_text("x", "utf-8")
            raise OSError(errno.ENOSPC, "No space left on device", str(target / "articles"))

        monkeypatch.setattr(build_module, "link_tree", link_tree)
    elif where == "cache save":
        from generator import plugin as plugin_module

        def save(self: object) -> None:
            folder = project / ".postilla-cache"
            (folder / "tmpabc.tmp").write_bytes(b"half a table")
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / "tmpabc.tmp"))

        monkeypatch.setattr(plugin_module.Cache, "save", save)
    elif where == "manifest":
        published = True
        real_replace = Path.replace

        def replace(self: Path, target: Path) -> Path:
            if self.suffix == ".tmp" and self.parent.name == "sites":
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return real_replace(self, target)

        monkeypatch.setattr(Path, "replace", replace)
    elif where == "publish":

        def publish(staging: Path, target: Path) -> None:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))

        monkeypatch.setattr(build_module, "publish", publish)
    else:
        real_mkdir = Path.mkdir

        def mkdir(self: Path, *args: object, **kwargs: object) -> None:
            if self.name == ".postilla-cache":
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "mkdir", mkdir)
    status = cli.main(["build", "--config", str(config), "--site", str(site)])
    err = capsys.readouterr().err
    assert status == 1, err
    if published:
        lines = error_lines(err)
        assert len(lines) == 1 and "no space left" in lines[0], err
        assert "Secondo quanto scritto" in (site / "articles" / SPUTNIK / "index.html").read_text(
            "utf-8"
        )
        assert_search_complete(site)
        assert settle(project) == []
        monkeypatch.undo()  # the disk has room again: the next build is a full one, and whole
        assert build_site(config, content, site, progress=False).pages > 10
        (content / "articles" / f"{SPUTNIK}.md").write_text(
            (content / "articles" / f"{SPUTNIK}.md")
            .read_text("utf-8")
            .replace("Secondo quanto scritto", "Secondo quanto riferito"),
            "utf-8",
        )
        build_site(config, content, site, progress=False)  # back to the shared starting point
        assert pages_of(site) == before
        return
    line = assert_failed_cleanly(project, site, before, content_before, err)
    assert line.startswith("error: /"), line
    assert ("no space left" in line) or ("read-only" in line), line


def test_a_file_size_limit_fails_the_build_instead_of_killing_it(project: Path) -> None:
    """RLIMIT_FSIZE below the theme's largest file: the write fails with EFBIG (SIGXFSZ is
    ignored), the build says so in one line naming the file, exits 1, the old site stays."""
    assert run_build(project).returncode == 0
    site = project / "site"
    before = pages_of(site)
    content_before = hashes(project / "content")
    limit = 64 * 1024

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = start_build(project, "--strict", preexec_fn=limited)  # strict: a full build
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1, err
    assert process.returncode != -signal.SIGXFSZ
    lines = error_lines(err)
    assert lines, err
    assert "Traceback" not in err, err
    assert any("file-size limit" in line or "File too large" in line for line in lines), err
    assert pages_of(site) == before
    assert hashes(project / "content") == content_before
    assert settle(project) == []


def test_machine_faults_are_one_line_with_the_path() -> None:
    for code, (said) in ((errno.ENOSPC, "free some space"), (errno.EROFS, "--site DIR")):
        error = build_module.machine_fault(OSError(code, os.strerror(code), "/x/y"), Path("/t"))
        (problem,) = error.problems
        assert str(problem).startswith("/x/y: ") and said in str(problem)
        assert "\n" not in str(problem)
    other = build_module.machine_fault(OSError(errno.EIO, "Input/output error"), Path("/t"))
    assert str(other.problems[0]).startswith("/t: Input/output error")
