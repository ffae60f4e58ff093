"""The fast schema check (fastjsonschema) and the one that explains (jsonschema) agree.

A document the fast check passes is never read by jsonschema, so the two must accept
exactly the same documents: checked here on the shipped files and on every field of
them made wrong in the ways people get it wrong.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from generator import schema, yamlio
from generator.archive import HANDLER

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

WRONG_VALUES: list[Any] = [None, True, 0, 1.5, "", "x", "2021-13-45", [], ["x"], {}, {"a": 1}]


def shipped_documents() -> Iterator[tuple[str, Any]]:
    """The shipped files' data, as Postilla reads it (every plain value a string)."""
    for path in sorted((CONTENT / "articles").glob("*.md")):
        front, _ = HANDLER.split(path.read_text("utf-8"))
        yield "article", yamlio.load(front).data
    for path in sorted((CONTENT / "annotations").rglob("*.yml")):
        yield "annotation", yamlio.load(path.read_text("utf-8")).data
    for name in ("sources", "entities"):
        yield name, yamlio.load((CONTENT / f"{name}.yml").read_text("utf-8")).data


def test_the_shipped_documents_are_valid() -> None:
    for name, document in shipped_documents():
        assert list(schema.validator(name).iter_errors(document)) == [], name


def variants(document: Any) -> Iterator[Any]:
    """`document` with one value at a time replaced by a wrong one, one key removed, one
    unknown key added: in mappings at every depth and in the first item of every list."""
    yield document
    if isinstance(document, dict):
        for key in document:
            for wrong in WRONG_VALUES:
                yield {**document, key: wrong}
            yield {k: v for k, v in document.items() if k != key}
            for inner in variants(document[key]):
                yield {**document, key: inner}
        yield {**document, "unknown_key": "x"}
    elif isinstance(document, list) and document:
        for inner in variants(document[0]):
            yield [inner, *copy.deepcopy(document[1:])]


def fast_accepts(name: str, document: Any) -> bool:
    try:
        schema._fast_check(name)(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@pytest.mark.parametrize(("name", "document"), list(shipped_documents()))
def test_both_checks_accept_and_reject_the_same_documents(name: str, document: Any) -> None:
    checked = 0
    for variant in variants(document):
        explained = list(schema.validator(name).iter_errors(variant))
        assert fast_accepts(name, variant) == (not explained), (variant, explained)
        checked += 1
    assert checked > 10
