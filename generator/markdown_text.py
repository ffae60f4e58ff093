"""Plain text <-> the Markdown stored in ``content/articles/<id>.md``.

A scraped article is plain text: ``ISIS*`` is a footnote mark, not emphasis, and
``<script>`` is words. The stored body is Markdown that any CommonMark renderer
(GitHub's preview of a pull request included) shows as exactly that text, so
every character Markdown could read as syntax is escaped: a backslash before
Markdown's punctuation, an entity for ``&`` and ``<``. Reading removes a backslash
before any ASCII punctuation (as CommonMark does) and decodes those two entities,
which makes `unescape` the exact inverse of `escape` and also accepts hand edits
that left a character unescaped.
"""

from __future__ import annotations

import re
import unicodedata

# Escaped with a backslash everywhere: syntax in CommonMark (GitHub's preview) and in
# Python-Markdown (MkDocs), and escapable in both. `{}` are attr_list's, `!` starts images
# and admonitions.
_BACKSLASHED = set("\\`*_[]{}!")
# HTML's own specials become entities, which both read back as the character: a backslash
# before them is not an escape in Python-Markdown.
_ENTITIES = {"&": "&amp;", "<": "&lt;"}
# Syntax only at the start of a paragraph: headings, quotes, lists.
_LINE_START = re.compile(r"^(?:[#>+\-]|\d+[.)])")
_ESCAPES = str.maketrans({**{ch: "\\" + ch for ch in _BACKSLASHED}, **_ENTITIES})
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt);")
_UNENTITY = {"amp": "&", "lt": "<"}

# Removed from every paragraph: zero-width characters and soft hyphens, and the control
# characters a hand edit or a scrape can leave (C0 but the whitespace ones, DEL, C1).
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"),
        *range(0x00, 0x09),
        *range(0x0E, 0x1C),
        *range(0x7F, 0x85),  # U+0085 (next line) is whitespace: a space, as the others
        *range(0x86, 0xA0),
    ],
    None,
)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalise_text(text: str) -> str:
    """One paragraph's text as stored and shown: NFC, no zero-width characters, soft
    hyphens or control characters, every run of whitespace (non-breaking included) a
    single space, no outer spaces."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):  # ASCII is NFC
        text = unicodedata.normalize("NFC", text)  # checking is cheaper than normalising
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def escape(paragraph: str) -> str:
    """Markdown for one paragraph of plain text, rendering as exactly that text."""
    match = _LINE_START.match(paragraph)
    out = paragraph.translate(_ESCAPES)
    if match:  # the syntax character that ends the match (#, >, -, +, the "." of "1986.")
        cut = len(paragraph[: match.end() - 1].translate(_ESCAPES))
        out = out[:cut] + "\\" + out[cut:]
    return out


def unescape(markdown: str) -> str:
    """Plain text of one stored paragraph: the inverse of `escape`."""
    if "\\" not in markdown and "&" not in markdown:
        return markdown  # most paragraphs: nothing escaped
    return _UNESCAPE.sub(lambda m: m[1] or _UNENTITY[m[2]], markdown)


def body_to_markdown(paragraphs: tuple[str, ...] | list[str]) -> str:
    """The stored body: escaped paragraphs separated by blank lines, ending in a newline."""
    return "".join(escape(p) + "\n\n" for p in paragraphs).rstrip("\n") + "\n"


def markdown_to_paragraphs(markdown: str) -> tuple[str, ...]:
    """Paragraphs of a stored body. Lines of one paragraph (a hand edit) are joined by a space."""
    blocks = re.split(r"\n[ \t]*\n", markdown.replace("\r\n", "\n"))
    paragraphs = (normalise_text(unescape(" ".join(block.split("\n")))) for block in blocks)
    return tuple(p for p in paragraphs if p)
