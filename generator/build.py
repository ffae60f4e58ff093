"""``postilla build`` and ``postilla serve``: MkDocs, driven with the content folder as docs_dir.

The build's lifecycle, and why each step is there:

- **One build at a time.** A build holds two locks (``filelock``): the project's
  (``.postilla-cache/build.lock``: the cache, the search bundles and the site manifests are
  shared by every build of the project, whatever its ``--site``) and the target's
  (``.site.lock`` beside ``site/``). A second build waits, saying for which lock and who holds
  it, up to ``--wait`` seconds (or ``$POSTILLA_LOCK_TIMEOUT``; 600 by default), then stops
  with an error. ``postilla serve`` (and plain ``mkdocs build``) take the project's lock for
  each rebuild, in the plugin.
- **An atomic publish.** MkDocs writes into a fresh folder next to the target; only a
  complete build replaces the site, in one ``renameat2(RENAME_EXCHANGE)`` on Linux (``site/``
  stays a real folder, for GitHub Pages' artifact and for readers), two renames elsewhere.
  What a killed build leaves (``.site.building-*``, ``.site.old-*``) goes at the next build,
  once it holds the locks; a site left missing between two renames is put back first.
- **A verified live site.** After each build the manifest records every output file's size
  and hash; the next incremental build renders again any page whose file is missing or
  different (files whose size, time and inode are unchanged are not read again).
- **The machine's faults** (full disk, read-only folder, file-size limit, permission denied)
  end the build with one line naming the path and what to do; the old site stays as it was
  and no temporary file is left.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from tqdm import tqdm

from .cache import CACHE_DIR, digest
from .model import ContentError, Problem
from .plugin import ARCHIVE_ERRORS


@dataclass(frozen=True)
class BuildResult:
    site: Path
    seconds: float
    pages: int
    warnings: int
    timings: dict[str, float]  # seconds per stage: generation, render, mkdocs, search index


class _Counter(logging.Handler):
    """Counts MkDocs warnings and prints them (MkDocs' own CLI does this when run as `mkdocs`)."""

    def __init__(self, bar: tqdm | None, verbose: bool) -> None:
        super().__init__(logging.INFO if verbose else logging.WARNING)
        self.warnings = 0
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(ARCHIVE_ERRORS):
            return  # raised again as a ContentError, printed by the caller
        if message.startswith("A 'dirty' build is being performed"):
            return  # Postilla's incremental build: it knows which pages changed
        if message.startswith("Error building page") and "[Errno " in message:
            return  # the machine refused a write: raised again, said in one line by the caller
        if record.levelno >= logging.WARNING:
            self.warnings += 1
        message = f"{record.levelname}: {record.getMessage()}"
        if self.bar is not None:
            self.bar.write(message)
        else:
            print(message)


def build_site(
    config_file: Path,
    content: Path,
    site_dir: Path | None = None,
    *,
    strict: bool = False,
    progress: bool = True,
    verbose: bool = False,
    incremental: bool = True,
    overrides: Mapping[str, Any] | None = None,
    lock_wait: float | None = None,
    announce: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the site from `content` with the MkDocs configuration `config_file`.

    `overrides` replace settings of the configuration file (the site's and the
    repository's addresses, given on the command line, so a fork builds a site pointing
    at itself without editing mkdocs.yml).

    With `incremental` (and not `strict`, where MkDocs counts its own notice about dirty
    builds as a warning), a previous site built by Postilla is reused: the new site starts
    as a hard-linked copy of it and only pages whose inputs changed, or whose file in the
    live site is missing or damaged, are rendered again.

    Another build of the same project or into the same folder is waited for, up to
    `lock_wait` seconds (default: `lock_timeout()`); `announce` says what is waited for
    (default: standard error). ContentError, in one line naming the path, when the wait
    runs out or the machine refuses a write (`machine_fault`).
    """
    if not config_file.is_file():
        raise ContentError(
            Problem(
                str(config_file),
                None,
                "MkDocs configuration not found — run from the project folder or pass --config",
            )
        )
    if not content.is_dir():
        raise ContentError(
            Problem(str(content), None, "content folder not found — pass --content DIR")
        )
    started = time.perf_counter()
    settings = dict(overrides or {})
    probe = load_config(str(config_file), docs_dir=str(content.resolve()), **settings)
    target = Path(site_dir or probe.site_dir).resolve()
    wait = lock_timeout() if lock_wait is None else lock_wait
    say = announce or _to_stderr
    cache_dir = config_file.resolve().parent / CACHE_DIR
    try:
        with ExitStack() as locks:
            # Always the project's lock first, then the target's: two builds never each
            # hold one lock and wait for the other.
            locks.enter_context(hold_lock(project_lock_path(config_file), wait, say))
            target.parent.mkdir(parents=True, exist_ok=True)
            locks.enter_context(hold_lock(site_lock_path(target), wait, say))
            recover_site(target)
            remove_temporary_files(cache_dir)
            try:
                return _build_locked(
                    config_file,
                    content,
                    target,
                    settings,
                    strict=strict,
                    progress=progress,
                    verbose=verbose,
                    incremental=incremental,
                    started=started,
                )
            except BaseException:
                remove_temporary_files(cache_dir)
                raise
    except OSError as error:
        raise machine_fault(error, target) from None


def _build_locked(
    config_file: Path,
    content: Path,
    target: Path,
    settings: dict[str, Any],
    *,
    strict: bool,
    progress: bool,
    verbose: bool,
    incremental: bool,
    started: float,
) -> BuildResult:
    """The build itself, with both locks held: stage, build, verify, publish, record."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    bar = tqdm(desc="Building", unit="page", disable=None if progress else True, leave=False)
    handler = _Counter(bar if progress else None, verbose)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    pages = 0
    manifest_path = _manifest_path(config_file, target)
    manifest = (
        read_manifest(manifest_path) if incremental and not strict and target.is_dir() else None
    )
    previous: dict[str, str] | None = None
    failures = _ThreadFailures()
    try:
        if manifest is not None:
            damaged = damaged_outputs(target, manifest.outputs)
            previous = without_damaged(manifest, damaged)
            _link_tree(target, staging, skip=REGENERATED)
            for dest in damaged:  # copied or rendered again, never kept from the live site
                (staging / dest).unlink(missing_ok=True)
        config = load_config(
            str(config_file),
            docs_dir=str(content.resolve()),
            site_dir=str(staging),
            strict=strict,
            **settings,
        )
        plugin = config.plugins.get("postilla")
        if plugin is None:
            raise ContentError(
                Problem(
                    str(config_file),
                    None,
                    "the 'postilla' plugin is not listed under plugins: — add it",
                )
            )

        def on_total(total: int) -> None:
            bar.reset(total=total)

        def on_page_done() -> None:
            nonlocal pages
            pages += 1
            bar.update()

        plugin.progress_total, plugin.progress_step = on_total, on_page_done  # type: ignore[attr-defined]
        plugin.previous = previous  # type: ignore[attr-defined]
        plugin.lock_held_by_caller = True  # type: ignore[attr-defined]
        config.plugins.on_startup(command="build", dirty=False)
        try:
            with failures:
                mkdocs_build.build(config, dirty=previous is not None)
        except Abort:
            if plugin.problems:  # type: ignore[attr-defined]
                raise ContentError(plugin.problems) from None  # type: ignore[attr-defined]
            failure = getattr(plugin, "failure", None)  # the search index's own words
            if failure:
                raise MkDocsException(failure) from None
            raise
        finally:
            config.plugins.on_shutdown()
        failures.check()
        outputs = record_outputs(
            staging,
            _outputs_of(plugin.files),
            manifest.outputs if manifest else {},  # type: ignore[attr-defined]
        )
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        bar.close()
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    if plugin.config.cache:  # type: ignore[attr-defined]
        try:
            save_manifest(manifest_path, Manifest(plugin.fingerprints, outputs))  # type: ignore[attr-defined]
        except OSError:
            # The site is published; without its manifest the next build is a full one.
            manifest_path.unlink(missing_ok=True)
            raise
    timings = dict(plugin.timings)  # type: ignore[attr-defined]
    timings["pages rendered"] = float(pages)
    return BuildResult(target, time.perf_counter() - started, pages, handler.warnings, timings)


# Files every build writes anew (never shared with the previous site by a hard link).
REGENERATED = {"pagefind", "sitemap.xml", "sitemap.xml.gz", "404.html"}


# --- one build at a time -----------------------------------------------------------

LOCK_TIMEOUT_VARIABLE = "POSTILLA_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds: longer than a full build of a large archive


def lock_timeout(value: str | None = None) -> float:
    """Seconds a build waits for another one: `value` (an option), else
    $POSTILLA_LOCK_TIMEOUT, else `DEFAULT_LOCK_TIMEOUT`. ContentError if not a number ≥ 0."""
    source = "--wait"
    if value is None:
        value, source = (
            os.environ.get(LOCK_TIMEOUT_VARIABLE, "").strip() or None,
            (f"${LOCK_TIMEOUT_VARIABLE}"),
        )
    if value is None:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ContentError(
            Problem(source, None, f"{value!r} is not a number of seconds (such as 0 or 600)")
        )
    return seconds


def project_lock_path(config_file: Path) -> Path:
    """The lock every build of the project holds: its cache is shared by all of them."""
    return config_file.resolve().parent / CACHE_DIR / "build.lock"


def site_lock_path(target: Path) -> Path:
    """The lock of one output folder, beside it (the folder itself is swapped whole)."""
    return target.parent / f".{target.name}.lock"


def _holder_path(lock: Path) -> Path:
    return lock.with_name(lock.name + ".holder")


def _holder(lock: Path) -> str:
    """Who holds `lock`, as its holder wrote it: pid, command, since when."""
    try:
        said = _holder_path(lock).read_text("utf-8").strip()
    except OSError:
        said = ""
    return said or "another process"


@contextmanager
def hold_lock(lock: Path, wait: float, announce: Callable[[str], None]) -> Iterator[None]:
    """Hold the file lock `lock` for the `with` block, waiting up to `wait` seconds for
    its holder (saying so once, with `announce`). ContentError when the wait runs out."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    held = FileLock(str(lock))
    try:
        held.acquire(timeout=0)
    except Timeout:
        if wait > 0:
            announce(
                f"waiting for {lock} — held by {_holder(lock)}; up to {wait:g} s"
                f" (--wait SECONDS or ${LOCK_TIMEOUT_VARIABLE})"
            )
        try:
            held.acquire(timeout=wait)
        except Timeout:
            raise ContentError(
                Problem(
                    str(lock),
                    None,
                    f"still held by {_holder(lock)} after {wait:g} s: another build of this"
                    " project or into this folder is running — let it finish, or pass"
                    " --wait SECONDS",
                )
            ) from None
    try:
        try:
            command = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))
            _holder_path(lock).write_text(
                f"pid {os.getpid()} ({command}), since {time.strftime('%H:%M:%S')}\n", "utf-8"
            )
        except OSError:
            pass  # who holds it is a courtesy to the next build, not a condition of this one
        yield
    finally:
        with suppress(OSError):
            _holder_path(lock).unlink(missing_ok=True)
        held.release()


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _ThreadFailures:
    """While in effect, records every exception that ends a thread (the search index's,
    or any a library starts): a build whose helper died is a failed build."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self._previous: Callable[[threading.ExceptHookArgs], Any] | None = None

    def __enter__(self) -> _ThreadFailures:
        self._previous = threading.excepthook

        def record(args: threading.ExceptHookArgs) -> None:
            name = args.thread.name if args.thread is not None else "a thread"
            self.failures.append(f"{name}: {args.exc_type.__name__}: {args.exc_value}")
            if self._previous is not None:
                self._previous(args)

        threading.excepthook = record
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            threading.excepthook = self._previous

    def check(self) -> None:
        """ContentError naming the first thread that failed, if any did."""
        if self.failures:
            raise ContentError(
                Problem("build", None, f"a background task failed ({self.failures[0]})")
            )


# --- the live site, verified against the manifest of the build that wrote it -------------


@dataclass(frozen=True)
class Output:
    """One file a build wrote, as it was when the build finished."""

    size: int
    mtime_ns: int
    inode: int
    sha256: str
    source: str  # the src_uri of the MkDocs file that wrote it


@dataclass(frozen=True)
class Manifest:
    """What a build left: each page's fingerprint (the plugin's), each output file."""

    fingerprints: dict[str, str]
    outputs: dict[str, Output] = field(default_factory=dict)


MANIFEST_FORMAT = 2


def _manifest_path(config_file: Path, target: Path) -> Path:
    """Where the manifest of the site built into `target` is kept."""
    return config_file.resolve().parent / CACHE_DIR / "sites" / f"{digest(str(target))}.json"


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`; None when missing, unreadable or of another shape (the
    build is then a full one)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return None
        fingerprints = data["fingerprints"]
        if not isinstance(fingerprints, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fingerprints.items()
        ):
            return None
        outputs = {
            dest: Output(int(size), int(mtime), int(inode), str(sha), str(source))
            for dest, (size, mtime, inode, sha, source) in data["outputs"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Manifest(fingerprints, outputs)


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Write `manifest` to `path` whole or not at all (no temporary file left)."""
    data = {
        "format": MANIFEST_FORMAT,
        "fingerprints": manifest.fingerprints,
        "outputs": {
            dest: [o.size, o.mtime_ns, o.inode, o.sha256, o.source]
            for dest, o in sorted(manifest.outputs.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data), "utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _outputs_of(files: Any) -> dict[str, str]:
    """Each file MkDocs wrote (its path in the site) -> the src_uri that wrote it, leaving
    out what every build writes anew (`REGENERATED`)."""
    return {
        file.dest_uri: file.src_uri
        for file in files or ()
        if file.dest_uri.split("/", 1)[0] not in REGENERATED
    }


def record_outputs(
    site: Path, written: Mapping[str, str], before: Mapping[str, Output]
) -> dict[str, Output]:
    """Size, time, inode and SHA-256 of each file in `written` (dest -> source) under
    `site`. A file unchanged since `before` recorded it (same size, time and inode: the
    very file, hard-linked) keeps its recorded hash instead of being read again."""
    outputs = {}
    for dest, source in written.items():
        path = site / dest
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # a page MkDocs chose not to write
        known = before.get(dest)
        if known is not None and (known.size, known.mtime_ns, known.inode) == (
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ino,
        ):
            sha = known.sha256
        else:
            sha = _sha256(path)
        outputs[dest] = Output(stat.st_size, stat.st_mtime_ns, stat.st_ino, sha, source)
    return outputs


def damaged_outputs(site: Path, outputs: Mapping[str, Output]) -> set[str]:
    """The files of `outputs` that the live `site` no longer holds as the build wrote
    them: missing, or of another size or content. A file with the recorded size, time
    and inode is taken as unchanged (reading every file of a large site at each build
    would cost more than the build); any other is hashed."""
    damaged = set()
    for dest, known in outputs.items():
        path = site / dest
        try:
            stat = path.stat()
        except OSError:
            damaged.add(dest)
            continue
        if (
            stat.st_size != known.size
            or not path.is_file()
            or (stat.st_mtime_ns, stat.st_ino)
            != (
                known.mtime_ns,
                known.inode,
            )
            and _sha256(path) != known.sha256
        ):
            damaged.add(dest)
    return damaged


def without_damaged(manifest: Manifest, damaged: set[str]) -> dict[str, str]:
    """The previous build's fingerprints, less those of the files that wrote a damaged
    output: the plugin then takes them for changed and renders them again."""
    sources = {manifest.outputs[dest].source for dest in damaged}
    return {k: v for k, v in manifest.fingerprints.items() if k not in sources}


def _link_tree(source: Path, target: Path, skip: set[str]) -> None:
    """Fill `target` with hard links to the files of `source` (copies where links are not
    possible), leaving out the top-level names in `skip`. GNU ``cp -al`` does it in C
    where there is one (a site has tens of thousands of folders and files)."""
    cp = shutil.which("cp")
    if cp and sys.platform.startswith("linux"):
        entries = [str(e) for e in source.iterdir() if e.name not in skip]
        done = subprocess.run(
            [cp, "-al", "--", *entries, str(target)], capture_output=True, check=False
        )
        if done.returncode == 0:
            return
        for entry in target.iterdir():  # start again the portable way
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        if relative == Path("."):
            dirs[:] = [d for d in dirs if d not in skip]
            files = [f for f in files if f not in skip]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, target / relative / name)
            except OSError:
                shutil.copy2(Path(folder) / name, target / relative / name)


# --- the atomic publish ------------------------------------------------------------

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2(RENAME_EXCHANGE)``): a reader,
    or a crash, sees one or the other, never neither. False where the system or the
    file system cannot; OSError for any other refusal."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False  # a C library without it (glibc < 2.28, musl < 1.2.?)
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if (
        renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
        == 0
    ):
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def publish(staging: Path, target: Path) -> None:
    """Make the finished `staging` folder the live `target`, in one step where the system
    allows it (`exchange`), else with two renames (a crash between them leaves the old
    site as ``.site.old-*``, which `recover_site` puts back). The old site is deleted in
    the background where ``rm`` can do it (tens of thousands of files take seconds)."""
    staging.chmod(0o755)  # mkdtemp's folder is private; the site is not
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.old-{time.time_ns()}")
    if exchange(staging, target):
        staging.rename(old)  # the old site, under the name leftovers are looked for by
    else:
        target.rename(old)
        staging.rename(target)
    _delete_later(old)


def _delete_later(folder: Path) -> None:
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen(
            [rm, "-rf", "--", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with Postilla
        )
    else:
        shutil.rmtree(folder, ignore_errors=True)


def recover_site(target: Path) -> None:
    """Undo what a killed build left beside `target` (call with its lock held, so that no
    running build's folder is touched): a site missing between the two renames of the
    fallback publish is put back (the newest ``.site.old-*``, the live site until then),
    then every ``.site.building-*`` and ``.site.old-*`` is removed."""
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=_stamp)
    if not target.exists() and olds:
        olds.pop().rename(target)
    for leftover in [*olds, *target.parent.glob(f".{target.name}.building-*")]:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _stamp(folder: Path) -> int:
    tail = folder.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def remove_temporary_files(cache_dir: Path) -> None:
    """Temporary files a failed or killed build left in the cache (``*.tmp``: a manifest being
    written, or a table by an older release). Called with the project's lock held."""
    for folder in (cache_dir, cache_dir / "sites"):
        for tmp in folder.glob("*.tmp") if folder.is_dir() else ():
            if tmp.is_file():
                tmp.unlink(missing_ok=True)


# --- the machine's faults ------------------------------------------------------------

# errno -> what went wrong, and what to do about it (one line, after the path).
FAULTS = {
    errno.ENOSPC: "no space left on the device — free some space, then build again",
    errno.EDQUOT: "disk quota exceeded — free some space or raise the quota, then build again",
    errno.EFBIG: "file too large for this process's file-size limit (ulimit -f) — raise the"
    " limit, then build again",
    errno.EROFS: "read-only file system — build into a writable folder (--site DIR)",
    errno.EACCES: "permission denied — make it writable for this user, or build into"
    " another folder (--site DIR)",
    errno.EPERM: "operation not permitted — make it writable for this user, or build into"
    " another folder (--site DIR)",
    errno.EMFILE: "too many open files — raise the limit (ulimit -n), then build again",
    errno.ENOMEM: "out of memory — close other programs, then build again",
}


def machine_fault(error: OSError, fallback: Path) -> ContentError:
    """`error` as one line: the path it names (or `fallback`), what happened, what to do."""
    path = error.filename if error.filename is not None else fallback
    what = FAULTS.get(error.errno or 0)
    if what is None:
        what = f"{error.strerror or error} — the build stopped; the site is as it was"
    return ContentError(Problem(os.fsdecode(path), None, what))


class _ServeMessages(logging.Filter):
    """Leaves out what MkDocs says on every rebuild that is noise here: the list of pages
    not in the navigation (every article, by design) and its notice about dirty builds
    (Postilla knows which pages changed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(
            (
                "The following pages exist in the docs directory, but are not included",
                "A 'dirty' build is being performed",
            )
        )


def serve_site(
    config_file: Path,
    content: Path,
    dev_addr: str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    lock_wait: float | None = None,
) -> None:
    """Live preview: MkDocs' server, rebuilding when anything under `content` changes.

    Rebuilds are incremental, as in `postilla build`: the plugin stays loaded between
    them and tells MkDocs which pages changed, so an edit re-renders those pages (and
    the shards of the search index that hold them), not the whole site. Each rebuild
    holds the project's lock (`project_lock_path`), waiting up to `lock_wait` seconds
    for a `postilla build` of the same project."""
    from mkdocs.commands.serve import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ServeMessages())
    if lock_wait is not None:  # read by the plugin, which takes the lock for each rebuild
        os.environ[LOCK_TIMEOUT_VARIABLE] = f"{lock_wait:g}"
    options: dict[str, Any] = {**(overrides or {}), "docs_dir": str(content.resolve())}
    if dev_addr:
        options["dev_addr"] = dev_addr
    serve(config_file=str(config_file), build_type="dirty", **options)


__all__ = [
    "BuildResult",
    "build_site",
    "serve_site",
    "lock_timeout",
    "hold_lock",
    "project_lock_path",
    "Abort",
    "ConfigurationError",
    "MkDocsException",
]
