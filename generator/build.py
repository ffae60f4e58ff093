"""``postilla build`` and ``postilla serve``: MkDocs, driven with the content folder as docs_dir.

A build never leaves a half-written site: MkDocs writes into a fresh folder next
to the target, and only a complete build replaces the old site (two renames).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
) -> BuildResult:
    """Build the site from `content` with the MkDocs configuration `config_file`.

    `overrides` replace settings of the configuration file (the site's and the
    repository's addresses, given on the command line, so a fork builds a site pointing
    at itself without editing mkdocs.yml).

    With `incremental` (and not `strict`, where MkDocs counts its own notice about dirty
    builds as a warning), a previous site built by Postilla is reused: the new site starts
    as a hard-linked copy of it and only pages whose inputs changed are rendered again.
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
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    bar = tqdm(desc="Building", unit="page", disable=None if progress else True, leave=False)
    handler = _Counter(bar if progress else None, verbose)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    pages = 0
    manifest = _manifest_path(config_file, target)
    previous = (
        _previous_manifest(manifest) if incremental and not strict and target.is_dir() else None
    )
    if previous is not None:
        _link_tree(target, staging, skip=REGENERATED)
    try:
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
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build.build(config, dirty=previous is not None)
        except Abort:
            if plugin.problems:  # type: ignore[attr-defined]
                raise ContentError(plugin.problems) from None  # type: ignore[attr-defined]
            raise
        finally:
            config.plugins.on_shutdown()
        _swap_into_place(staging, target)
        if plugin.config.cache:  # type: ignore[attr-defined]
            _save_manifest(manifest, plugin.fingerprints)  # type: ignore[attr-defined]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        bar.close()
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    timings = dict(plugin.timings)
    timings["pages rendered"] = float(pages)
    return BuildResult(target, time.perf_counter() - started, pages, handler.warnings, timings)


# Files every build writes anew (never shared with the previous site by a hard link).
REGENERATED = {"pagefind", "sitemap.xml", "sitemap.xml.gz", "404.html"}


def _manifest_path(config_file: Path, target: Path) -> Path:
    """Where the fingerprints of the pages built into `target` are kept."""
    return config_file.resolve().parent / CACHE_DIR / "sites" / f"{digest(str(target))}.json"


def _previous_manifest(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _save_manifest(path: Path, fingerprints: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fingerprints), "utf-8")
    tmp.replace(path)


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


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` with the finished `staging` folder. The old site is deleted in
    the background where ``rm`` can do it (tens of thousands of files take seconds), or
    else here; a leftover from an interrupted deletion goes at the next build."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{int(time.time() * 1000)}")
        target.rename(old)
        staging.rename(target)
        _delete_later(old)
    else:
        staging.rename(target)
    target.chmod(0o755)


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


def _remove_leftovers(target: Path) -> None:
    """Old sites a deletion did not finish (the machine stopped midway)."""
    for leftover in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


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
) -> None:
    """Live preview: MkDocs' server, rebuilding when anything under `content` changes.

    Rebuilds are incremental, as in `postilla build`: the plugin stays loaded between
    them and tells MkDocs which pages changed, so an edit re-renders those pages (and
    the shards of the search index that hold them), not the whole site."""
    from mkdocs.commands.serve import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ServeMessages())
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
