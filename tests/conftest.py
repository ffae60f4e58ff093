"""Shared fixtures: the repository's paths and a content folder made from the seed articles."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator import importer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
CASES = FIXTURES / "cases"
CORPUS = FIXTURES / "corpus"

SPUTNIK_SEED = "001_17cb9ab2f47cb014.txt"
BLOG_SEED = "000_dc37bb17c7ea2900.txt"
# The blog seed has no header; its address comes from the gold label (found by searching).
BLOG_URL = (
    "https://www.ancorafischiailvento.org/2017/06/18/"
    "isis-trasferisce-suoi-comandi-raqqa-deir-ezzor-naso-della-coalizione-guida-usa/"
)
IMPORT_DAY = date(2026, 11, 21)


def empty_content(folder: Path) -> Path:
    """A content folder with the shipped registries and pages but no articles."""
    content = folder / "content"
    for name in ("sources.yml", "entities.yml"):
        (content).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "content" / name, content / name)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


def import_seeds(content: Path) -> None:
    outcomes = importer.import_files([SEEDS / SPUTNIK_SEED], content, today=IMPORT_DAY)
    outcomes += importer.import_files([SEEDS / BLOG_SEED], content, url=BLOG_URL, today=IMPORT_DAY)
    assert [o.status for o in outcomes] == ["imported", "imported"], outcomes


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A fresh content folder holding the two seed articles."""
    folder = empty_content(tmp_path)
    import_seeds(folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to prove a command changed nothing."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
