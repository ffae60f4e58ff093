"""Strict YAML for files people write by hand (front matter, registries, annotations).

PyYAML's default loaders follow YAML 1.1, where ``no`` is ``False``, ``012`` is ``10``
and ``2021-10-24`` is a ``date``; a title ``no`` must stay the string ``"no"``. So
plain scalars here resolve to strings, except ``null``/``~``/empty and
``true``/``false``. Tags (``!!python/object``…), anchors and aliases, and duplicate
keys are errors. Every value's position is kept, so errors can name file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {_STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class YamlError(Exception):
    """A YAML document that cannot be read; `line`/`column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Located:
    """A loaded YAML document and the position (line, column; 1-based) of each value and key."""

    data: Any
    positions: dict[Path_, tuple[int, int]]
    key_positions: dict[Path_, tuple[int, int]]

    def line_of(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """Position of the value (or its key) at `path`, else of its nearest located parent."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (None, None))


def _position(mark: Any) -> tuple[int | None, int | None]:
    """1-based (line, column) of a PyYAML mark, if there is one."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


class _Loader(yaml.SafeLoader):
    """A SafeLoader that resolves every plain scalar to str and refuses anchors and aliases."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise YamlError(
                f"alias *{event.anchor} is not allowed — write the value out in full",
                *_position(event.start_mark),
            )
        if isinstance(event, (ScalarEvent, SequenceStartEvent, MappingStartEvent)) and event.anchor:
            raise YamlError(
                f"anchor &{event.anchor} is not allowed — write the value out in full",
                *_position(event.start_mark),
            )
        return Composer.compose_node(self, parent, index)


# Only these implicit resolvers: everything else (ints, floats, dates, yes/no) stays a string.
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


if yaml.__with_libyaml__:

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        """LibYAML's parser and composer (fast), with the same strict resolvers. Aliases
        cannot be seen while composing in C: `_to_python` refuses a node met twice."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    FAST_LOADER: type | None = _CLoader
else:  # pragma: no cover - PyYAML built without LibYAML
    FAST_LOADER = None


def load(text: str, *, max_bytes: int | None = None) -> Located:
    """Parse one YAML document strictly; raise YamlError with a position on any problem."""
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        raise YamlError(f"file is larger than {max_bytes} bytes — split it into smaller files")
    if FAST_LOADER is not None and not _ANCHOR.search(text) and _shallow(text):
        # Without an anchor no alias can resolve (an "*alias" is an error): LibYAML
        # composes the text. On any problem the Python parser reads it again, so the
        # messages are always the same.
        try:
            return _load_with(FAST_LOADER, text)
        except YamlError:
            pass
    return _load_with(_Loader, text)


# LibYAML composes nested collections by recursion in C, with no limit: text nested deep
# enough crashes the process. It is used only where the nesting is provably shallow.
# An anchor opens a node: "&" at the start of a line or after a space, "[", "{" or ",".
# ("AT&T" in a string is not one.) A false alarm only means the slower parser.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&", re.MULTILINE)
_FAST_MAX_BRACKETS = 256
_FAST_MAX_INDENT = 256
_FAST_MAX_LINE_NESTING = 64


def _shallow(text: str) -> bool:
    """True when no value in `text` can be nested deeper than a few hundred levels: few
    brackets, and no line deeply indented or opening many block collections at once."""
    if text.count("[") + text.count("{") > _FAST_MAX_BRACKETS:
        return False
    for line in text.split("\n"):
        if len(line) - len(line.lstrip(" ")) > _FAST_MAX_INDENT:
            return False
        if line.count("- ") + line.count("? ") > _FAST_MAX_LINE_NESTING:
            return False
    return True


def _load_with(loader_class: type, text: str) -> Located:
    try:
        loader = loader_class(text)  # refuses control characters YAML does not allow
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    try:
        node = loader.get_single_node()
    except YamlError:
        raise
    except RecursionError:
        raise YamlError("the YAML is nested more than a text file needs — flatten it") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = exc.context_mark  # "unclosed [" is best shown where it was opened
        message = " ".join(filter(None, [exc.context, exc.problem])) or str(exc)
        raise YamlError(
            f"YAML syntax: {message}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    finally:
        loader.dispose()
    positions: dict[Path_, tuple[int, int]] = {}
    key_positions: dict[Path_, tuple[int, int]] = {}
    try:
        data = None if node is None else _to_python(node, (), positions, key_positions)
    except RecursionError:
        raise YamlError("the YAML is nested more than a text file needs — flatten it") from None
    return Located(data, positions, key_positions)


def _syntax_error(exc: yaml.YAMLError, text: str) -> YamlError:
    """A YamlError with a line and column, also for errors PyYAML gives only an offset."""
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        character = text[position] if position < len(text) else ""
        return (
            YamlError(
                f"character {character!r} (U+{ord(character):04X}) is not allowed in YAML — remove it",
                line,
                column,
            )
            if character
            else YamlError(f"YAML syntax: {exc}", line, column)
        )
    return YamlError(f"YAML syntax: {exc}")


def _to_python(
    node: Node,
    path: Path_,
    positions: dict[Path_, tuple[int, int]],
    key_positions: dict[Path_, tuple[int, int]],
) -> Any:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    positions[path] = (line, column)
    if node.tag not in _ALLOWED_TAGS and not (
        isinstance(node, ScalarNode)
        and node.tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")
        and not node.style
    ):
        raise YamlError(f"tag {node.tag!r} is not allowed — remove it", line, column)
    if isinstance(node, ScalarNode):
        # A plain scalar: style None (PyYAML) or "" (LibYAML).
        if not node.style and node.tag != _STR:
            if node.value in _NULL:
                return None
            if node.value in _TRUE:
                return True
            if node.value in _FALSE:
                return False
        return node.value
    if isinstance(node, SequenceNode):
        return [
            _to_python(item, path + (i,), positions, key_positions)
            for i, item in enumerate(node.value)
        ]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, ScalarNode):
            raise YamlError("a key must be a plain word", key_line, key_column)
        key = key_node.value
        if key == "<<":
            raise YamlError(
                "merge keys (<<) are not allowed — write the keys out", key_line, key_column
            )
        if key in result:
            first = key_positions[path + (key,)][0]
            raise YamlError(
                f"duplicate key {key!r} (first given on line {first}) — keep only one",
                key_line,
                key_column,
            )
        key_positions[path + (key,)] = (key_line, key_column)
        result[key] = _to_python(value_node, path + (key,), positions, key_positions)
    return result


def dump(data: Any) -> str:
    """YAML for files Postilla writes: keys in the given order, Unicode kept, long lines kept
    (LibYAML's emitter where PyYAML has it: the same text, ten times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )
