"""Plain text <-> stored Markdown: escaping is exact, reversible, and renders literally."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.markdown_text import (
    body_to_markdown,
    escape,
    markdown_to_paragraphs,
    normalise_text,
    unescape,
)

# The extensions this archive enables in mkdocs.yml (toc only adds ids and permalinks).
EXTENSIONS = ["attr_list", "admonition", "tables"]

SPECIALS = "*_[]()<>&#!\\`{}=~^|:-+.0123456789"
LETTERS = "abcdefgzABCXYZ"
ACCENTED = "àèéìòùÀÈÉçñ"
SPACES = " \u00a0"
ALPHABET = SPECIALS + LETTERS + ACCENTED + SPACES

# Every backslash `escape` writes is followed by one of these: all are escapable in
# Python-Markdown (and CommonMark), so no backslash ever shows.
BACKSLASHED_ANYWHERE = "\\`*_[]{}!"
BACKSLASHED_AT_START = "#>+-.)"
# Never escaped: not syntax in the extensions enabled, and a backslash before them would show.
NOT_ESCAPED = "~=^:|>()#+-.,;?'\"%$@/"


def paragraphs_from(alphabet: str, max_size: int = 40) -> st.SearchStrategy[tuple[str, ...]]:
    """Normalised, non-empty paragraphs of text drawn from `alphabet`."""
    paragraph = (
        st.text(alphabet=alphabet, min_size=1, max_size=max_size).map(normalise_text).filter(bool)
    )
    return st.lists(paragraph, min_size=1, max_size=5).map(tuple)


class _BlockText(HTMLParser):
    """The visible text of each top-level HTML block, entities decoded."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.blocks: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.blocks.append([])
        if tag not in self.VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.blocks.append([])

    def handle_endtag(self, tag):
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        if self.depth == 0:
            if data.strip():
                self.blocks.append([data])
        else:
            self.blocks[-1].append(data)


def visible_blocks(html: str) -> list[str]:
    """Whitespace-normalised visible text of each top-level block of `html`."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return [normalise_text("".join(block)) for block in parser.blocks]


def render_python_markdown(md: str) -> str:
    return markdown.markdown(md, extensions=EXTENSIONS)


# --- escape -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ISIS*", "ISIS\\*"),
        ("Talebani* e ISIS*", "Talebani\\* e ISIS\\*"),
        ("# Titolo", "\\# Titolo"),
        ("#hashtag", "\\#hashtag"),
        ("1986. Un anno", "1986\\. Un anno"),
        ("3) terzo", "3\\) terzo"),
        ("3.5 milioni", "3\\.5 milioni"),
        ("> citazione", "\\> citazione"),
        ("- punto", "\\- punto"),
        ("+ punto", "\\+ punto"),
        (": definizione", ": definizione"),
        ("[x](y)", "\\[x\\](y)"),
        ("![img](y)", "\\!\\[img\\](y)"),
        ("!!! ULTIMA ORA", "\\!\\!\\! ULTIMA ORA"),
        ("Allarme!", "Allarme\\!"),
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("a < b > c", "a &lt; b > c"),
        ("==x==", "==x=="),
        ("^^x^^", "^^x^^"),
        ("~~x~~", "~~x~~"),
        ("{: onclick=alert(1) }", "\\{: onclick=alert(1) \\}"),
        ("--8<-- file.md", "\\--8&lt;-- file.md"),
        ("a_b_c", "a\\_b\\_c"),
        ("`code`", "\\`code\\`"),
        ("a | b", "a | b"),
        ("AT&T", "AT&amp;T"),
        ("&amp;", "&amp;amp;"),
        ("&lt;b>", "&amp;lt;b>"),
        ("\\&amp;", "\\\\&amp;amp;"),
        ("C:\\percorso", "C:\\\\percorso"),
    ],
)
def test_escape_known_cases(text, expected):
    assert escape(text) == expected
    assert unescape(expected) == text


@pytest.mark.parametrize(
    "text",
    [
        "Il 1986. anno",
        "a # b",
        "a - b",
        "a + b",
        "a > b",
        "a: b",
        "circa 10.000 combattenti",
        "Sì. Poi.",
    ],
)
def test_line_start_characters_are_not_escaped_mid_line(text):
    assert escape(text) == text


def test_greater_than_is_escaped_only_at_the_start():
    assert escape("> b") == "\\> b"
    assert escape("a > b") == "a > b"
    assert escape(">>") == "\\>>"


def test_escape_leaves_plain_text_alone():
    text = "Il Pakistan fornisce assistenza, riporta il giornale (WP) l'ultimo giorno?"
    assert escape(text) == text


def test_characters_that_are_not_syntax_are_never_escaped():
    text = "x " + " ".join(NOT_ESCAPED)
    assert escape(text) == text
    assert escape(": ~ = ^ |") == ": ~ = ^ |"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_escape_writes_only_escapes_python_markdown_honours(text):
    md = escape(text)
    assert "<" not in md
    assert not re.search(r"&(?!amp;|lt;)", md)
    for escaped in re.finditer(r"\\(.)", md):
        assert escaped[1] in BACKSLASHED_ANYWHERE + BACKSLASHED_AT_START
        if escaped[1] not in BACKSLASHED_ANYWHERE:  # only the paragraph's first syntax mark
            before = md[: escaped.start()]
            assert before == "" or (before.isdigit() and escaped[1] in ".)")


# --- unescape -------------------------------------------------------------------


def test_unescape_accepts_hand_edits_without_escapes():
    assert unescape("ISIS* e [nota]") == "ISIS* e [nota]"


def test_unescape_keeps_backslash_before_letters_and_non_ascii():
    assert unescape("C:\\Users\\città") == "C:\\Users\\città"
    assert unescape("\\é") == "\\é"


def test_unescape_removes_backslash_before_any_ascii_punctuation():
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    escaped = "".join("\\" + ch for ch in punctuation)
    assert unescape(escaped) == punctuation


def test_unescape_of_escaped_backslash_is_single_backslash():
    assert unescape("\\\\*") == "\\*"


def test_unescape_decodes_the_two_entities_escape_writes():
    assert unescape("AT&amp;T &lt;b> &amp;lt;") == "AT&T <b> &lt;"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_unescape_is_the_inverse_of_escape(text):
    assert unescape(escape(text)) == text


# --- normalise_text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\u00a0b", "a b"),
        ("a\u200bb", "ab"),
        ("a\u200c\u200d\u2060b", "ab"),
        ("\ufeffinizio", "inizio"),
        ("terro\u00adristi", "terroristi"),
        ("a  \t b", "a b"),
        ("  spazi ai lati  ", "spazi ai lati"),
        ("a\u2009b\u202fc\u3000d", "a b c d"),
        ("a\n\nb", "a b"),
        ("cafe\u0301", "café"),
        ("\u00a0\u00a0", ""),
        ("", ""),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


def test_normalise_text_is_idempotent():
    once = normalise_text(" a\u00a0\u00a0b\u200b c\u00ad ")
    assert normalise_text(once) == once


# --- body_to_markdown / markdown_to_paragraphs --------------------------------


def test_body_to_markdown_separates_paragraphs_with_blank_lines():
    assert body_to_markdown(["uno", "due*"]) == "uno\n\ndue\\*\n"


def test_body_to_markdown_of_nothing_is_a_newline():
    assert body_to_markdown([]) == "\n"


def test_markdown_to_paragraphs_joins_lines_of_a_hand_edited_paragraph():
    assert markdown_to_paragraphs("riga uno\nriga due\n\naltro") == ("riga uno riga due", "altro")


def test_markdown_to_paragraphs_accepts_crlf_and_whitespace_only_separators():
    assert markdown_to_paragraphs("uno\r\n \t\r\ndue\r\n") == ("uno", "due")


def test_markdown_to_paragraphs_drops_empty_blocks():
    assert markdown_to_paragraphs("\n\n\nuno\n\n\n\n\ndue\n\n") == ("uno", "due")


def test_markdown_to_paragraphs_normalises_text():
    assert markdown_to_paragraphs("a\u00a0 b\u200b") == ("a b",)


def test_round_trip_of_known_tricky_paragraphs():
    paragraphs = (
        "ISIS*",
        "# non un titolo",
        "1986. non una lista",
        "> non una citazione",
        "- non un elenco",
        "[x](y) <script>alert(1)</script>",
        "==x== {: onclick=alert(1) } --8<--",
        "\\*già escapato\\*",
    )
    assert markdown_to_paragraphs(body_to_markdown(paragraphs)) == paragraphs


@settings(max_examples=200, deadline=None)
@given(paragraphs_from(ALPHABET))
def test_markdown_round_trip_property(paragraphs):
    assert markdown_to_paragraphs(body_to_markdown(paragraphs)) == paragraphs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1).map(normalise_text).filter(bool), min_size=1, max_size=4))
def test_markdown_round_trip_property_any_unicode(paragraphs):
    paragraphs = tuple(paragraphs)
    assert markdown_to_paragraphs(body_to_markdown(paragraphs)) == paragraphs


# --- rendering through Python-Markdown -------------------------------------


@settings(max_examples=200, deadline=None)
@given(paragraphs_from(ALPHABET))
@example(("AT&T",))
@example(("!!! note",))
@example(("<b>&amp;</b>",))
@example(("1986) ~~x~~ ==y== ^^z^^ a | b",))
@example((": definizione", "> citazione", "- punto"))
def test_python_markdown_renders_escaped_text_literally(paragraphs):
    html = render_python_markdown(body_to_markdown(paragraphs))
    assert visible_blocks(html) == list(paragraphs)


@pytest.mark.parametrize(
    "text",
    [
        "ISIS*",
        "Talebani* e ISIS*",
        "# Titolo",
        "1986. Un anno",
        "3) terzo",
        "> citazione",
        "- punto",
        "+ punto",
        "* punto",
        "[x](y)",
        "![img](y)",
        "a_b_c_",
        "`code`",
        "a | b | c",
        "{: #id .class }",
        "Allarme!!! Tutti fuori",
        "\\*",
        "***",
        "---",
        "AT&T",
        "&amp;",
        "&lt;",
        "<script>alert(1)</script>",
        "a < b > c",
        "--8<--",
        "==x==",
        "{: onclick=alert(1) }",
        "~~x~~",
        "^^x^^",
        ": definizione",
        "!!! ULTIMA ORA",
        '!!! note "Titolo"',
    ],
)
def test_python_markdown_renders_literally(text):
    html = render_python_markdown(body_to_markdown([text]))
    assert visible_blocks(html) == [text]


def test_python_markdown_never_emits_markup_from_escaped_text():
    # Escaped text never turns into tags, attributes or links.
    md = body_to_markdown(
        ["<script>alert(1)</script>", "{: onclick=alert(1) }", "[x](javascript:y)"]
    )
    tags: list[tuple[str, list]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Tags().feed(render_python_markdown(md))
    assert tags == [("p", []), ("p", []), ("p", [])]


def test_control_characters_never_reach_a_paragraph():
    # A hand edit of an article can hold what no import would keep: NUL, ESC, DEL, C1.
    assert normalise_text("a\x00b\x1bc\x7fd\x85e\x9bf\tg\x0bh") == "abcd ef g h"
