"""`postilla init`: a new archive project that checks, builds and imports as it comes, made
of the repository's own theme, workflows and configuration, also from an installed wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config

from conftest import ROOT, SEEDS, SPUTNIK_SEED, snapshot
from generator.cli import main
from generator.project import PLACEHOLDERS, WORKFLOWS, skeleton_files

SPUTNIK_ID = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def test_a_new_project_checks_builds_and_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "archivio"
    assert run("init", project) == 0
    assert "made a new archive in" in capsys.readouterr().out
    for folder in ("articles", "raw", "annotations", "pages"):
        assert (project / "content" / folder).is_dir()
    monkeypatch.chdir(project)
    assert run("check", "--strict") == 0
    assert "ok: 0 articles, 0 sources, 0 entities, 0 annotation files" in capsys.readouterr().out
    assert run("build", "--strict") == 0
    home = (project / "site" / "index.html").read_text("utf-8")
    assert PLACEHOLDERS["site_name"] in home and "postilla.css" in home  # our theme
    assert (project / "site" / "pages" / "about" / "index.html").is_file()
    assert run("import", SEEDS / SPUTNIK_SEED) == 0
    assert run("check", "--strict") == 0
    assert run("build", "--strict") == 0
    assert (project / "site" / "articles" / SPUTNIK_ID / "index.html").is_file()
    assert SPUTNIK_ID in (project / "site" / "index.html").read_text("utf-8")


def test_init_never_writes_into_a_folder_that_holds_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    (taken / "content").mkdir(parents=True)
    (taken / "notes.txt").write_text("mine", "utf-8")
    before = snapshot(taken)
    assert run("init", taken) == 1
    assert capsys.readouterr().err == (
        f"error: {taken} is not empty — nothing written; name a new or empty folder\n"
    )
    assert snapshot(taken) == before and sorted(p.name for p in taken.iterdir()) == [
        "content",
        "notes.txt",
    ]
    (tmp_path / "file").write_text("x", "utf-8")
    assert run("init", tmp_path / "file") == 1
    assert (tmp_path / "file").read_text("utf-8") == "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("init", empty) == 0  # `postilla init .` in a new, empty folder
    assert (empty / "mkdocs.yml").is_file()


def test_the_skeleton_is_the_repository_s_own_files(tmp_path: Path) -> None:
    """Theme, content workflows and configuration come from the repository, so a new
    archive looks and deploys like this one: only name, description and addresses differ."""
    files = skeleton_files()
    for name in WORKFLOWS:
        assert (
            files[f".github/workflows/{name}"] == (ROOT / ".github/workflows" / name).read_bytes()
        )
    theme = {
        f"theme/{p.relative_to(ROOT / 'theme').as_posix()}": p.read_bytes()
        for p in (ROOT / "theme").rglob("*")
        if p.is_file()
    }
    assert {k: v for k, v in files.items() if k.startswith("theme/")} == theme
    for name in ("sources.yml", "entities.yml"):
        text = files[f"content/{name}"].decode("utf-8")
        header = text.removesuffix("\n[]\n")
        assert header.startswith("# ") and (ROOT / "content" / name).read_text("utf-8").startswith(
            header
        )
    (tmp_path / "mkdocs.yml").write_bytes(files["mkdocs.yml"])
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    (tmp_path / "content").mkdir()
    ours, new = load_config(str(ROOT / "mkdocs.yml")), load_config(str(tmp_path / "mkdocs.yml"))
    for key in ("site_name", "site_description", "site_url", "repo_url", "edit_uri"):
        assert new[key] == PLACEHOLDERS[key]
    for key in ("theme", "plugins", "nav", "markdown_extensions", "extra_css", "extra_javascript"):
        if key == "theme":
            assert dict(new.theme.items()) == dict(ours.theme.items())
            assert new.theme.dirs[0] == str(tmp_path / "theme")
        elif key == "plugins":
            assert list(new.plugins) == list(ours.plugins)
        else:
            assert new[key] == ours[key], key


def test_the_package_ships_the_skeleton(tmp_path: Path) -> None:
    """Built as a wheel is (setuptools' build_py, which follows the skeleton's links into
    the repository), the package holds every file `postilla init` writes."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "generator", source / "generator", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "theme", source / "theme")
    shutil.copytree(ROOT / ".github" / "workflows", source / ".github" / "workflows")
    (source / "content").mkdir()
    for name in (
        "pyproject.toml",
        "README.md",
        "mkdocs.yml",
        "content/sources.yml",
        "content/entities.yml",
    ):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "--build-lib", str(tmp_path / "lib")],
        cwd=source, capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert not any(p.is_symlink() for p in (tmp_path / "lib").rglob("*"))
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hashlib, json, generator.project as p;"
            "print(json.dumps([p.__file__, {k: hashlib.sha256(v).hexdigest()"
            " for k, v in p.skeleton_files().items()}]))",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "lib"), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    module, files = json.loads(listed.stdout)
    assert module.startswith(str(tmp_path / "lib"))
    import hashlib

    assert files == {k: hashlib.sha256(v).hexdigest() for k, v in skeleton_files().items()}
