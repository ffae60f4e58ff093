"""``postilla init``: a new, empty archive project, made from the skeleton the package ships.

The skeleton (``generator/skeleton/``) is mostly Postilla's own repository, by symbolic
links resolved when the package is built: its ``mkdocs.yml`` (the same theme setup, with
placeholder name, description and addresses written over), its ``theme/`` folder, its two
content workflows and the comments that document the registries' format. So a new archive
looks and deploys like this one, and the two cannot drift apart. Only what an empty archive
needs of its own (the about page, ``.gitignore``, a README) is a file of the skeleton.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import metadata
from pathlib import Path

from . import __version__

SKELETON = Path(__file__).parent / "skeleton"
WORKFLOWS = ("pages.yml", "pull-request.yml")
REGISTRIES = ("sources.yml", "entities.yml")
# Folders of content/ an empty archive has, kept in git by an empty file.
EMPTY_FOLDERS = ("articles", "raw", "annotations")

PLACEHOLDERS = {
    "site_name": "Il mio archivio",
    "site_description": "Descrivi qui l'archivio: che cosa raccoglie, chi lo cura.",
    "site_url": "https://example.github.io/archive/",
    "repo_url": "https://github.com/example/archive",
    "edit_uri": "edit/main/content/",
}
ADDRESS_COMMENT = (
    "# Placeholders: the Pages workflow builds with this repository's own addresses\n"
    "# (`postilla build --site-url URL --repo-url URL`), so they need no editing.\n"
)


class ProjectError(Exception):
    """The project cannot be made there (a file, or a folder that is not empty)."""


def init_project(target: Path) -> list[Path]:
    """Write a new archive project into `target`, a new or empty folder; the files written.

    Never writes into a folder that holds anything: ProjectError, and nothing changes. If
    writing fails midway, what was written is removed again."""
    if target.exists() and not target.is_dir():
        raise ProjectError(f"{target} exists and is not a folder — nothing written")
    existed = target.is_dir()
    if existed and any(target.iterdir()):
        raise ProjectError(f"{target} is not empty — nothing written; name a new or empty folder")
    files = skeleton_files()
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for relative, data in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
    except BaseException:
        if existed:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return written


def skeleton_files() -> dict[str, bytes]:
    """Every file of a new project, by its path inside the project."""
    files: dict[str, bytes] = {
        "mkdocs.yml": project_config(_read(SKELETON / "mkdocs.yml")).encode("utf-8"),
        ".gitignore": (SKELETON / "gitignore").read_bytes(),
        "README.md": (SKELETON / "README.md").read_bytes(),
        "requirements.txt": requirements().encode("utf-8"),
        "content/pages/about.md": (SKELETON / "about.md").read_bytes(),
    }
    for name in REGISTRIES:
        files[f"content/{name}"] = empty_registry(_read(SKELETON / "registries" / name))
    for folder in EMPTY_FOLDERS:
        files[f"content/{folder}/.gitkeep"] = b""
    for name in WORKFLOWS:
        files[f".github/workflows/{name}"] = (SKELETON / "workflows" / name).read_bytes()
    theme = SKELETON / "theme"
    for path in sorted(theme.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"theme/{path.relative_to(theme).as_posix()}"] = path.read_bytes()
    return files


def _read(path: Path) -> str:
    return path.read_text("utf-8")


def project_config(text: str) -> str:
    """Postilla's own mkdocs.yml with the placeholders of a new archive: its name,
    description and addresses (the comment above the addresses says where real ones
    come from); everything else (theme, plugins, navigation) as it is."""
    for key, value in PLACEHOLDERS.items():
        text = set_top_level(text, key, value)
    comment = re.compile(r"(?:^#[^\n]*\n)+(?=site_url:)", re.M)
    if comment.search(text):
        return comment.sub(ADDRESS_COMMENT, text, count=1)
    return text.replace("\nsite_url:", "\n" + ADDRESS_COMMENT + "site_url:", 1)


def set_top_level(text: str, key: str, value: str) -> str:
    """`text` (YAML) with the top-level `key` (its line and any indented lines that
    continue its value) set to the string `value`; added at the end when missing."""
    line = f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
    pattern = re.compile(rf"^{re.escape(key)}:[^\n]*\n(?:[ \t]+[^\n]*\n|[ \t]*\n(?=[ \t]))*", re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return text + ("" if text.endswith("\n") else "\n") + line


def empty_registry(text: str) -> bytes:
    """An empty registry (`[]`) under the comments that open Postilla's own, which
    document the format of its entries."""
    header: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and header):
            header.append(line)
        else:
            break
    while header and not header[-1].strip():
        header.pop()
    return ("\n".join([*header, "", "[]", ""]) if header else "[]\n").encode("utf-8")


def requirements() -> str:
    """The new project's requirements.txt: the Postilla this project was made with, so
    its workflows build with the same version. A Postilla installed from a git repository
    is pinned to that commit; otherwise to the release number."""
    pin = f"postilla=={__version__}"
    try:
        direct = metadata.distribution("postilla").read_text("direct_url.json")
        info = json.loads(direct) if direct else {}
    except (metadata.PackageNotFoundError, ValueError):
        info = {}
    vcs = info.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and info.get("url") and vcs.get("commit_id"):
        pin = f"postilla @ git+{info['url']}@{vcs['commit_id']}"
    return (
        "# Postilla, the version this archive was made with (the workflows install it).\n"
        "# Where it is not on your package index, name its repository instead:\n"
        "#   postilla @ git+https://github.com/OWNER/postilla@COMMIT\n"
        f"{pin}\n"
    )
