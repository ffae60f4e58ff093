"""JSON Schemas for the files people write by hand, and errors a person can act on.

The schemas live in ``generator/schemas/`` so editors can use them too. Each
jsonschema error becomes a `Problem` at the line and column of the offending
key or value, worded as "what is wrong — what to do".

Valid documents (nearly all of them, on every build) are checked by fastjsonschema,
which compiles a schema into Python code: 0.03 ms an article instead of 0.4 ms.
Only a document it rejects is read again by jsonschema, for every error and its words.
The schemas use only keywords both read the same way (type, properties, required,
additionalProperties, items, enum, pattern, min/max lengths and items).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from .model import Problem
from .yamlio import Located


@cache
def _schema(name: str) -> dict[str, Any]:
    """``generator/schemas/<name>.schema.json``."""
    text = resources.files(__package__).joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# A schema's ``$`` ends the text, as in JSON Schema's regular expressions (ECMA 262); in
# Python's it also matches before a final newline, so ``"Q42\n"`` would pass ``^Q\d+$``.
# fastjsonschema reads it as ``\Z`` already; the explaining validator is made to as well.
_DOLLAR = re.compile(r"(?<!\\)\$")


@cache
def _end_anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(r"\\Z", pattern))


def _pattern(
    checker: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """The ``pattern`` keyword, ``$`` meaning the end of the text."""
    if isinstance(instance, str) and not _end_anchored(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@cache
def validator(name: str) -> Any:
    """The validator for ``generator/schemas/<name>.schema.json`` that explains errors."""
    return _Validator(_schema(name))


@cache
def _fast_check(name: str) -> Any:
    """A compiled check of the schema: returns for a valid document, raises otherwise."""
    without_dialect = {k: v for k, v in _schema(name).items() if k != "$schema"}
    return fastjsonschema.compile(without_dialect)


def validate(located: Located, name: str, display: str) -> list[Problem]:
    """Every schema problem of a loaded YAML document, in file order."""
    try:
        _fast_check(name)(located.data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # described below, error by error
    problems = []
    for error in validator(name).iter_errors(located.data):
        path = tuple(error.absolute_path)
        message, at_key = describe(error)
        line, column = located.line_of(path, key=at_key)
        if at_key and error.validator == "additionalProperties":
            line, column = located.line_of(path + (_unknown_keys(error)[0],), key=True)
        problems.append(Problem(display, line, message, column))
    if not problems:  # the two validators disagree: never let a rejected document through
        problems.append(Problem(display, None, f"does not match {name}.schema.json"))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _unknown_keys(error: ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {}))
    return sorted(k for k in error.instance if k not in allowed)


def describe(error: ValidationError) -> tuple[str, bool]:
    """(message, whether it is about a key rather than a value) for one schema error."""
    where = _dotted(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        parts = []
        for key in _unknown_keys(error):
            near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            hint = f"did you mean {near[0]!r}?" if near else f"allowed keys: {', '.join(allowed)}"
            parts.append(f"unknown key {key!r}{' in ' + where if where else ''} — {hint}")
        return "; ".join(parts), True
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required key {missing!r}{' in ' + where if where else ''} — add it", False
    if kind in ("type",):
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_article(e) for e in expected if e != "null")
        return f"{where or 'the document'} must be {wanted}, not {_kind_of(error.instance)}", False
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{where} is {error.instance!r}, which is not one of: {options}", False
    if kind == "pattern":
        described = error.schema.get("description")
        hint = (
            f" — expected {described}"
            if described
            else f" — expected the form {error.validator_value}"
        )
        return f"{where} {error.instance!r} is not valid{hint}", False
    if kind == "minLength":
        if not error.instance:
            return f"{where} is empty — give a value or remove the key", False
        return (
            f"{where} {error.instance!r} is too short — at least {error.validator_value} characters",
            False,
        )
    return f"{where or 'the document'}: {error.message}", False


def _dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _article(word: str) -> str:
    return {"array": "a list", "object": "a mapping (key: value)", "string": "text"}.get(word, word)


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean: quote it to make it text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"text {value!r}"
