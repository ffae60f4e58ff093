"""The live site: what a build wrote (its manifest), checked at the next build, and the
atomic publish that puts a finished build in the site's place.

After each build the manifest records every output file's size and hash; the next
incremental build renders again any page whose file is missing or different. A finished
build replaces the site in one ``renameat2(RENAME_EXCHANGE)`` on Linux (``site/`` stays a
real folder), two renames elsewhere; what a killed build leaves goes at the next one.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import CACHE_DIR, digest

# Files every build writes anew (never shared with the previous site by a hard link).
REGENERATED = {"pagefind", "sitemap.xml", "sitemap.xml.gz", "404.html"}


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


def manifest_file(config_file: Path, target: Path) -> Path:
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


def outputs_of(files: Any) -> dict[str, str]:
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


def link_tree(source: Path, target: Path, skip: set[str]) -> None:
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
    then every ``.site.building-*`` and ``.site.old-*`` is moved out of the way as
    ``.site.deleting-*`` and deleted in the background, as `publish` deletes the old site:
    the previous build's old site is often still being deleted when the next build starts,
    and deleting tens of thousands of files again would be seconds of the build's time."""
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=_stamp)
    if not target.exists() and olds:
        olds.pop().rename(target)
    for leftover in [
        *olds,
        *target.parent.glob(f".{target.name}.building-*"),
        *target.parent.glob(f".{target.name}.deleting-*"),
    ]:
        if leftover.is_dir() and not leftover.is_symlink():
            doomed = leftover
            if not leftover.name.startswith(f".{target.name}.deleting-"):
                doomed = target.with_name(f".{target.name}.deleting-{time.time_ns()}")
                leftover.rename(doomed)
            _delete_later(doomed)
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
