"""``postilla build`` and ``postilla serve``: MkDocs, driven with the content folder as docs_dir.

The build's lifecycle, and why each step is there (the locks are in `locks`, the manifest
and the publish in `publish`):

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

import errno
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from tqdm import tqdm

from . import languages
from .cache import CACHE_DIR
from .locks import LOCK_TIMEOUT_VARIABLE, hold_lock, lock_timeout, project_lock_path, site_lock_path
from .model import ContentError, Problem
from .parts import DEFAULT_OUTPUT as PARTS_OUTPUT
from .parts import PartRecord, part_site_url
from .plugin import ARCHIVE_ERRORS
from .publish import (
    REGENERATED,
    Manifest,
    damaged_outputs,
    link_tree,
    manifest_file,
    outputs_of,
    publish,
    read_manifest,
    record_outputs,
    recover_site,
    remove_temporary_files,
    save_manifest,
    without_damaged,
)


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
    part: str | None = None,
    assembly: list[PartRecord] | None = None,
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

    With `part`, only that part of a split archive is built (parts.py), as the sub-site
    at ``parts/KEY/`` of the site's address, by default into ``site-parts/KEY/``; with
    `assembly` (the parts built), the top-level site of a split archive.
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
    if part is not None:
        settings["site_url"] = part_site_url(probe.site_url, part)
        site_dir = site_dir or config_file.resolve().parent / PARTS_OUTPUT / part
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
                    part=part,
                    assembly=assembly,
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
    part: str | None = None,
    assembly: list[PartRecord] | None = None,
) -> BuildResult:
    """The build itself, with both locks held: stage, build (the site, then each language
    it has in a folder of its own: `languages`), verify, publish, record."""
    probe = load_config(str(config_file), docs_dir=str(content.resolve()), **settings)
    theme_language = (probe.theme.get("language") if probe.theme else None) or "en"
    alternates = languages.read_alternates(
        probe.extra.get("alternate"), theme_language, config_file
    )
    # A part of a split archive, and the top level that assembles the parts, are built in
    # the site's language only (parts.py).
    subsites = [] if part or assembly else languages.subsites(alternates)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    bar = tqdm(desc="Building", unit="page", disable=None if progress else True, leave=False)
    handler = _Counter(bar if progress else None, verbose)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    incremental = incremental and not strict
    built: list[_Built] = []
    try:
        folders = {subsite.folder or "" for subsite in subsites}
        built.append(
            _build_one(config_file, content, staging, target, settings, None, bar,
                       strict=strict, incremental=incremental, skip=REGENERATED | folders,
                       part=part, assembly=assembly)
        )  # fmt: skip
        for subsite in subsites:
            folder = staging / (subsite.folder or "")
            if folder.exists():
                raise ContentError(
                    Problem(
                        str(config_file),
                        None,
                        f"extra.alternate: the site already has a folder {subsite.folder!r}"
                        f" (from {content.name}/) — give the {subsite.lang!r} site another link",
                    )
                )
            folder.mkdir()
            overrides = {**settings, "site_url": languages.subsite_url(probe.site_url, folder.name)}
            built.append(
                _build_one(config_file, content, folder, target / folder.name, overrides,
                           subsite, bar, strict=strict, incremental=incremental,
                           skip=REGENERATED)
            )  # fmt: skip
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        bar.close()
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    for one in built:
        if one.manifest is None:
            continue
        try:
            save_manifest(*one.manifest)
        except OSError:
            # The site is published; without its manifest the next build is a full one.
            one.manifest[0].unlink(missing_ok=True)
            raise
    timings: dict[str, float] = {}
    for one in built:
        for stage, seconds in one.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds
    pages = sum(one.pages for one in built)
    timings["pages rendered"] = float(pages)
    warnings = handler.warnings
    return BuildResult(target, time.perf_counter() - started, pages, warnings, timings)


@dataclass
class _Built:
    """What the build of one language left: its manifest to save (path, manifest; None
    without the cache), its pages rendered and its timings."""

    manifest: tuple[Path, Manifest] | None
    pages: int
    timings: dict[str, float]


def _build_one(
    config_file: Path,
    content: Path,
    staging: Path,
    target: Path,
    settings: dict[str, Any],
    subsite: languages.Alternate | None,
    bar: tqdm,
    *,
    strict: bool,
    incremental: bool,
    skip: set[str],
    part: str | None = None,
    assembly: list[PartRecord] | None = None,
) -> _Built:
    """Build the site (or, with `subsite`, its version in that language) into `staging`,
    from the live `target`'s unchanged files where its manifest allows."""
    pages = 0
    manifest_path = manifest_file(config_file, target)
    manifest = read_manifest(manifest_path) if incremental and target.is_dir() else None
    previous: dict[str, str] | None = None
    failures = _ThreadFailures()
    if manifest is not None:
        damaged = damaged_outputs(target, manifest.outputs)
        previous = without_damaged(manifest, damaged)
        link_tree(target, staging, skip=skip)
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
    plugin.subsite = subsite  # type: ignore[attr-defined]
    plugin.part, plugin.assembly = part, assembly  # type: ignore[attr-defined]
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
        outputs_of(plugin.files),  # type: ignore[attr-defined]
        manifest.outputs if manifest else {},
    )
    recorded = Manifest(plugin.fingerprints, outputs)  # type: ignore[attr-defined]
    kept = (manifest_path, recorded) if plugin.config.cache else None  # type: ignore[attr-defined]
    return _Built(kept, pages, dict(plugin.timings))  # type: ignore[attr-defined]


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
    "Abort",
    "ConfigurationError",
    "MkDocsException",
]
