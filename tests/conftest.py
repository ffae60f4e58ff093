"""Shared fixtures: the repository's paths and a content folder made from the seed articles."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator import importer
from generator.model import Article

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


def make_article(article_id: str = "articolo", *paragraphs: str, **fields: object) -> Article:
    """An `Article` with plausible values, for tests that need one without importing a file."""
    values: dict[str, object] = dict(
        id=article_id,
        title=article_id,
        title_source="headline",
        date=None,
        date_source=None,
        published=None,
        url=None,
        source=None,
        publisher=None,
        author=None,
        language="it",
        description=None,
        words=sum(len(p.split()) for p in paragraphs),
        raw="raw/x.txt",
        raw_name="x.txt",
        raw_sha256="0" * 64,
        body_sha256="0" * 64,
        imported="2026-11-21",
        paragraphs=paragraphs,
    )
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]
