"""`postilla entities suggest`: unregistered names with counts, context and near-duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import empty_content, make_article
from generator.cli import main
from generator.model import Archive, Entity
from generator.suggest import candidates, suggest

ARCHIVE = Archive(
    articles=(
        make_article(
            "a",
            "Secondo fonti locali, a Deir ez-Zor i miliziani dell'UNIFIL e di Bashar al Assad. Tuttavia il Paese resiste.",
        ),
        make_article(
            "b", "Ieri a Deir ez-Zor è arrivato Bashar al Assad con l'UNIFIL, ha detto Raqqa."
        ),
        make_article("c", "Secondo il governo, la Siria e Deir Ezzor restano divise."),
    ),
    sources=(),
    entities=(
        Entity("deir-ezzor", "Deir Ezzor", "place", ()),
        Entity("raqqa", "Raqqa", "place", ()),
    ),
)


def test_candidates_skip_registered_names_stop_words_and_sentence_openers() -> None:
    names = {c.name: c for c in candidates(ARCHIVE)}
    assert names["Bashar al Assad"].count == 2 and names["Bashar al Assad"].articles == {"a", "b"}
    assert names["UNIFIL"].count == 2  # "dell'UNIFIL": the elided article is not part of it
    assert "Deir ez-Zor" in names  # not registered as written
    assert "Deir Ezzor" not in names and "Raqqa" not in names  # registered
    assert "Secondo" not in names and "Tuttavia" not in names and "Ieri" not in names
    assert "Paese" not in names
    assert "Bashar al Assad" in names["Bashar al Assad"].example


def test_suggest_is_yaml_with_evidence_and_near_duplicates() -> None:
    text = suggest(ARCHIVE, min_count=2)
    stubs = yaml.safe_load(text)
    assert {s["name"] for s in stubs} == {"Bashar al Assad", "UNIFIL", "Deir ez-Zor"}
    assert all(set(s) == {"id", "name", "type", "aliases"} for s in stubs)
    assert "# 2× in 2 article(s)" in text
    assert (
        "spelled almost like 'Deir Ezzor' (deir-ezzor): add it there as an alias instead?" in text
    )


def test_suggest_with_nothing_to_say() -> None:
    assert suggest(ARCHIVE, min_count=50).startswith(
        "# No unregistered name occurs 50 or more times"
    )


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Path) -> None:
    assert (
        main(["entities", "suggest", "--content", str(content), "--min-count", "1", "--limit", "5"])
        == 0
    )
    out = capsys.readouterr().out
    assert isinstance(yaml.safe_load(out), (list, type(None)))
    assert main(["entities", "suggest", "--content", str(empty_content(tmp_path / "x"))]) == 0
