"""Strict YAML: plain scalars stay strings, and every construct that could surprise
a person editing by hand (tags, anchors, merge keys, duplicate keys) is an error
with a position."""

from __future__ import annotations

import pytest

from generator import yamlio
from generator.yamlio import YamlError


def load_data(text: str):
    return yamlio.load(text).data


def load_error(text: str, **kwargs) -> YamlError:
    with pytest.raises(YamlError) as info:
        yamlio.load(text, **kwargs)
    return info.value


# --- scalars stay strings ---------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["no", "No", "NO", "yes", "Yes", "on", "off", "y", "n", "Off"],
)
def test_yaml11_booleans_stay_strings(value):
    assert load_data(f"title: {value}") == {"title": value}


@pytest.mark.parametrize(
    "value",
    ["012", "0", "12", "-3", "1_000", "0x1F", "0o17", "1.5", "1e3", ".inf", "-.inf", ".nan", "+1"],
)
def test_numbers_stay_strings(value):
    assert load_data(f"words: {value}") == {"words": value}


@pytest.mark.parametrize(
    "value", ["2021-10-24", "2021-10", "2021", "2021-10-24 22:48:00", "2021-10-24T22:48:00Z"]
)
def test_dates_stay_strings(value):
    assert load_data(f"date: {value}") == {"date": value}


@pytest.mark.parametrize("value", ["true", "True", "TRUE"])
def test_true_resolves_to_bool(value):
    assert load_data(f"flag: {value}") == {"flag": True}


@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_false_resolves_to_bool(value):
    assert load_data(f"flag: {value}") == {"flag": False}


@pytest.mark.parametrize(
    "text", ["value: null", "value: Null", "value: NULL", "value: ~", "value:"]
)
def test_null_forms_resolve_to_none(text):
    assert load_data(text) == {"value": None}


@pytest.mark.parametrize("value", ['"true"', "'false'", '"null"', "'~'", '""', '"012"', "'no'"])
def test_quoted_scalars_are_always_strings(value):
    assert load_data(f"value: {value}") == {"value": value[1:-1]}


def test_explicit_str_tag_is_allowed():
    assert load_data("x: !!str 012") == {"x": "012"}


def test_keys_are_strings_even_when_they_look_like_other_types():
    assert load_data("1: a\ntrue: b\nnull: c\nno: d") == {
        "1": "a",
        "true": "b",
        "null": "c",
        "no": "d",
    }


def test_nested_structures_load():
    text = "a:\n  - x\n  - {k: 1, j: [2, 3]}\nb: 'text with: colon'\n"
    assert load_data(text) == {"a": ["x", {"k": "1", "j": ["2", "3"]}], "b": "text with: colon"}


def test_unicode_is_kept():
    assert load_data("title: città — «ISIS*»") == {"title": "città — «ISIS*»"}


def test_empty_document_is_none():
    located = yamlio.load("")
    assert located.data is None
    assert located.line_of(("anything",)) == (None, None)


def test_comment_only_document_is_none():
    assert load_data("# just a comment\n") is None


# --- errors -------------------------------------------------------------------


def test_duplicate_key_names_both_lines():
    error = load_error("a: 1\nb: 2\na: 3\n")
    assert "duplicate key 'a'" in error.message
    assert "line 1" in error.message
    assert (error.line, error.column) == (3, 1)


def test_nested_duplicate_key_is_located():
    error = load_error("outer:\n  k: 1\n  j: 2\n  k: 3\n")
    assert "duplicate key 'k'" in error.message
    assert "line 2" in error.message
    assert (error.line, error.column) == (4, 3)


def test_duplicate_keys_in_list_items_are_separate_mappings():
    assert load_data("- a: 1\n- a: 2\n") == [{"a": "1"}, {"a": "2"}]


def test_anchor_is_an_error():
    error = load_error("a: &x 1\nb: other\n")
    assert "anchor &x" in error.message
    assert (error.line, error.column) == (1, 4)


def test_anchor_and_alias_is_an_error_at_the_anchor():
    error = load_error("a: &x 1\nb: *x\n")
    assert "anchor" in error.message
    assert error.line == 1


def test_alias_is_an_error():
    error = load_error("a: 1\nb: *x\n")
    assert "alias *x" in error.message
    assert (error.line, error.column) == (2, 4)


def test_anchor_on_mapping_is_an_error():
    error = load_error("base: &b\n  k: v\n")
    assert "anchor &b" in error.message
    assert error.line == 1


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system x",
        "a: !!python/object/apply:os.system ['ls']",
        "a: !!python/name:os.system ''",
        "a: !!int 12",
        "a: !!float 1.5",
        "a: !!timestamp 2021-10-24",
        "a: !custom value",
        "a: !!binary aGVsbG8=",
        "a: !!set {x: null}",
    ],
)
def test_tags_are_errors(text):
    error = load_error(text)
    assert "tag" in error.message
    assert "not allowed" in error.message
    assert (error.line, error.column) == (1, 4)


def test_python_object_tag_is_an_error_on_its_line():
    error = load_error("title: ok\nbad: !!python/object:builtins.dict {}\n")
    assert "python/object" in error.message
    assert error.line == 2


def test_merge_key_is_an_error():
    error = load_error("a:\n  x: 1\nb:\n  <<: {y: 2}\n")
    assert "merge keys" in error.message
    assert (error.line, error.column) == (4, 3)


def test_merge_key_with_alias_is_an_error():
    with pytest.raises(YamlError):
        yamlio.load("base: &b {x: 1}\nother:\n  <<: *b\n")


def test_complex_key_is_an_error():
    error = load_error("? [a, b]\n: c\n")
    assert "key" in error.message
    assert error.line == 1


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1, 2\nb: 3\n", 2, 2),
        ("a: b\n  c: d\n", 2, 4),
        ('a: "x\n', 1, 4),  # an unclosed quote is shown where it opens
        ("a: 1\n---\nb: 2\n", 2, 1),
    ],
)
def test_syntax_errors_carry_line_and_column(text, line, column):
    error = load_error(text)
    assert error.message.startswith("YAML syntax:")
    assert (error.line, error.column) == (line, column)


def test_tab_indentation_is_a_syntax_error_on_its_line():
    error = load_error("a: 1\n\tb: 2\n")
    assert error.message.startswith("YAML syntax:")
    assert error.line == 2


def test_mapping_values_not_allowed_message():
    error = load_error("title: a: b\n")
    assert "mapping values are not allowed" in error.message
    assert (error.line, error.column) == (1, 9)


def test_yaml_error_is_an_exception_with_message():
    error = load_error("a: *x")
    assert str(error) == error.message


# --- positions ----------------------------------------------------------------

DOCUMENT = """\
title: x
list:
  - a
  - b
nested:
  k: v
  deeper:
    - {p: q}
"""


def test_positions_of_values():
    located = yamlio.load(DOCUMENT)
    assert located.line_of(("title",)) == (1, 8)
    assert located.line_of(("list", 0)) == (3, 5)
    assert located.line_of(("list", 1)) == (4, 5)
    assert located.line_of(("nested", "k")) == (6, 6)
    assert located.line_of(("nested", "deeper", 0, "p")) == (8, 11)


def test_positions_of_keys():
    located = yamlio.load(DOCUMENT)
    assert located.line_of(("title",), key=True) == (1, 1)
    assert located.line_of(("list",), key=True) == (2, 1)
    assert located.line_of(("nested", "k"), key=True) == (6, 3)
    assert located.line_of(("nested", "deeper"), key=True) == (7, 3)
    assert located.line_of(("nested", "deeper", 0, "p"), key=True) == (8, 8)


def test_line_of_unknown_path_falls_back_to_nearest_parent():
    located = yamlio.load(DOCUMENT)
    assert located.line_of(("list", 7)) == located.line_of(("list",))
    assert located.line_of(("nested", "missing")) == located.line_of(("nested",))
    assert located.line_of(("missing",)) == (1, 1)
    assert located.line_of(()) == (1, 1)


def test_line_of_key_for_list_item_falls_back_to_value_position():
    located = yamlio.load(DOCUMENT)
    assert located.line_of(("list", 1), key=True) == (4, 5)


def test_positions_in_top_level_list():
    located = yamlio.load("- domain: a.it\n  name: A\n- domain: b.it\n  name: B\n")
    assert located.line_of((1, "domain")) == (3, 11)
    assert located.line_of((1, "name"), key=True) == (4, 3)
    assert located.line_of((0,)) == (1, 3)


def test_positions_after_blank_lines_and_comments():
    located = yamlio.load("# comment\n\n\nkey: value  # trailing\n")
    assert located.data == {"key": "value"}
    assert located.line_of(("key",)) == (4, 6)


# --- size limit -----------------------------------------------------------------


def test_max_bytes_rejects_larger_documents():
    error = load_error("a: b\n", max_bytes=4)
    assert "larger than 4 bytes" in error.message
    assert error.line is None


def test_max_bytes_accepts_document_of_exact_size():
    assert yamlio.load("a: b\n", max_bytes=5).data == {"a": "b"}


def test_max_bytes_counts_utf8_bytes_not_characters():
    text = "a: é"  # 4 characters, 5 bytes
    assert yamlio.load(text, max_bytes=5).data == {"a": "é"}
    with pytest.raises(YamlError):
        yamlio.load(text, max_bytes=4)


# --- dump ---------------------------------------------------------------------


def test_dump_round_trips_strings_that_look_like_other_types():
    data = {
        "title": "no",
        "count": "012",
        "date": "2021-10-24",
        "flag": "true",
        "nothing": "null",
        "real_none": None,
        "real_bool": False,
        "list": ["~", "yes", "città"],
    }
    assert yamlio.load(yamlio.dump(data)).data == data


def test_dump_keeps_key_order_and_unicode():
    text = yamlio.dump({"z": "città", "a": "b"})
    assert text.index("z:") < text.index("a:")
    assert "città" in text


def test_dump_keeps_long_lines_on_one_line():
    long = "parola " * 100
    text = yamlio.dump({"t": long.strip()})
    assert len(text.strip().splitlines()) == 1
