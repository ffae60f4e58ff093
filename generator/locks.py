"""One build at a time: file locks (``filelock``) on the project's cache and on a site folder.

A build holds two: the project's (``.postilla-cache/build.lock``: the cache, the search
bundles and the site manifests are shared by every build of the project, whatever its
``--site``) and the target's (``.site.lock`` beside ``site/``). A second build waits, saying
for which lock and who holds it, up to ``--wait`` seconds (or ``$POSTILLA_LOCK_TIMEOUT``),
then stops with an error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from .cache import CACHE_DIR
from .model import ContentError, Problem

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
