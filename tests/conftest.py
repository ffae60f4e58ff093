"""Shared fixtures: the repository's paths and a content folder made from the seed articles."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from benchmarks.scale import one_language  # noqa: F401  (tests import it from here)
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


# --- whole built sites, as readers get them (shared by the site-wide checks) ----------------

EXTRA = FIXTURES / "extra"


def corpus_content(folder: Path) -> Path:
    """A larger archive: the shipped one (seeds and their annotations) plus every article of
    the development corpus and the extra cases, each with the address its gold label gives
    when its file has no header, and the case that is full of Markdown and HTML syntax."""
    import yaml

    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    for label in sorted([*CORPUS.glob("[0-9]*.yml"), *EXTRA.glob("e*.yml")]):
        raw = label.with_suffix(".txt")
        has_header = raw.read_text("utf-8", errors="replace").startswith(" date ")
        url = None if has_header else yaml.safe_load(label.read_text("utf-8")).get("url")
        outcomes = importer.import_files([raw], content, url=url, today=IMPORT_DAY)
        assert outcomes[0].status in ("imported", "already"), outcomes
    outcomes = importer.import_files([CASES / "markdown_and_html_in_text.txt"], content)
    assert outcomes[0].status == "imported", outcomes
    return content


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own content/ built into a temporary folder, with mkdocs.yml as is."""
    from generator.build import build_site

    target = tmp_path_factory.mktemp("shipped") / "site"
    build_site(ROOT / "mkdocs.yml", ROOT / "content", target, progress=False)
    return target


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus archive (`corpus_content`) built strictly into a temporary folder."""
    from generator.build import build_site

    folder = tmp_path_factory.mktemp("corpus")
    content = corpus_content(folder)
    target = folder / "site"
    result = build_site(ROOT / "mkdocs.yml", content, target, strict=True, progress=False)
    assert result.warnings == 0
    return target
