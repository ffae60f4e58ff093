"""Reading raw article files: bytes in, a decoded `RawArticle` out.

Raw files come from scrapers: UTF-8 mostly, sometimes Windows-1252 or Latin-1,
with or without a BOM, with CRLF line ends. The bytes are kept untouched (they go
to ``content/raw/`` as provenance); only the decoded copy is normalised.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ftfy

from .model import ContentError, Header, Problem, RawArticle

MAX_RAW_BYTES = 20 * 1024 * 1024
# Bytes that never occur in text: NUL and the C0 controls other than tab, LF, FF, CR, ESC.
_BINARY_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])

# Characters that are not text, removed from the whole decoded text (the raw bytes are
# kept as received): the C0 controls but tab and line feed, DEL, the C1 controls, the
# bidirectional embeddings, overrides and isolates that can make a line display other
# than it reads, and the two noncharacters. Separators that are whitespace (vertical tab,
# form feed, the information separators, NEL, the Unicode line and paragraph separators)
# become a space: cleaning read them as one before.
_CONTROL_SPACES = "\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_NOT_TEXT = str.maketrans(
    {
        **dict.fromkeys(map(ord, _CONTROL_SPACES), " "),
        **dict.fromkeys(
            [*range(0, 9), 0x0D, *range(0x0E, 0x1C), *range(0x7F, 0x85), *range(0x86, 0xA0)],
            None,
        ),
        **dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFFFE, 0xFFFF], None),
    }
)
_CONTROL_HINT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)

_HEADER = re.compile(r"^[ \t]*date[ \t]+(?P<date>\S*\d\S*)(?:[ \t]+(?P<url>\S+))?[ \t]*$")
_URL_ONLY = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
HTML_SUFFIXES = {".html", ".htm"}
# Characters that UTF-8 read as Windows-1252 leaves behind ("cittÃ ", "â€œ"): a cheap test
# before ftfy's thorough one.
_MOJIBAKE_HINT = re.compile("Ã|Â|â€")
_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


def read_raw(path: Path, display: str | None = None, *, follow_symlinks: bool = True) -> RawArticle:
    """Read and decode one raw file; raise ContentError naming the file if it is unusable.
    With `follow_symlinks` false, a symbolic link is refused rather than read through
    (`postilla import` never copies what a link points to)."""
    shown = display or str(path)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and path.is_symlink():
            raise ContentError(
                Problem(shown, None, "is a symbolic link — not followed; copy the file itself")
            ) from None
        raise ContentError(Problem(shown, None, f"cannot read the file: {exc.strerror}")) from None
    with os.fdopen(descriptor, "rb") as file:
        try:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_RAW_BYTES:
                raise ContentError(
                    Problem(
                        shown, None, f"file is {size} bytes, over the {MAX_RAW_BYTES}-byte limit"
                    )
                )
            data = file.read(MAX_RAW_BYTES + 1)
        except OSError as exc:
            raise ContentError(
                Problem(shown, None, f"cannot read the file: {exc.strerror}")
            ) from None
    if len(data) > MAX_RAW_BYTES:  # it grew while being read
        raise ContentError(Problem(shown, None, f"file is over the {MAX_RAW_BYTES}-byte limit"))
    if path.suffix.lower() in HTML_SUFFIXES:
        return parse_html(path.name, data, shown)
    return parse_raw(path.name, data, shown)


def parse_raw(name: str, data: bytes, display: str | None = None) -> RawArticle:
    """Decode raw bytes and read the optional header line. Pure: no file access."""
    shown = display or name
    text, encoding = decode(data, shown)
    text = remove_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    if _MOJIBAKE_HINT.search(text) and ftfy.badness.is_bad(text):
        # Mojibake ("cittÃ "): undo it, conservatively; the original bytes stay in content/raw/.
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            text, encoding = fixed, f"{encoding}, mojibake repaired"
    if not text.strip():
        raise ContentError(Problem(shown, None, "the file is empty (no text to import)"))
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    header = parse_header(lines[first], shown, first + 1)
    return RawArticle(
        name=name,
        data=data,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        header=header,
        body_start=first + 1 if header else 0,
    )


def remove_control_characters(text: str) -> str:
    """`text` without the characters that are not text (`_NOT_TEXT`), in the whole of it:
    whitespace-like separators become a space, the others are dropped. Tab and line
    feed stay; a carriage return is dropped (line ends are normalised before)."""
    return text.translate(_NOT_TEXT) if _CONTROL_HINT.search(text) else text


def decode(data: bytes, display: str) -> tuple[str, str]:
    """Text of raw bytes and the encoding used: UTF-8 (BOM or not), UTF-16 with a BOM,
    else Windows-1252. Binary data and bytes that no encoding explains are errors."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ContentError(
                Problem(display, None, f"undecodable UTF-16 at byte {exc.start}")
            ) from None
    # The whole file, not a sample: a NUL or a run of control bytes anywhere means binary.
    binary = len(data) - len(data.translate(None, _BINARY_BYTES))
    if b"\x00" in data or binary > max(2, len(data) // 100):
        where = f" (a NUL byte at offset {data.index(0)})" if b"\x00" in data else ""
        raise ContentError(
            Problem(
                display,
                None,
                f"this is a binary file, not text{where} — import plain-text articles",
            )
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise ContentError(
                Problem(
                    display,
                    line,
                    f"undecodable byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}:"
                    " the file is neither UTF-8 nor Windows-1252 — convert it to UTF-8",
                )
            ) from None


def parse_header(line: str, display: str, line_number: int) -> Header | None:
    """The `` date YYYY[-MM[-DD]] [URL]`` header, None if the line is not one."""
    match = _HEADER.match(line)
    if not match:
        return None
    raw_date, url = match["date"], match["url"]
    if _URL_ONLY.match(raw_date) and url is None:  # " date https://…": an address, no date
        raw_date, url = "", raw_date
    date_value = None
    if raw_date:
        date_value = parse_partial_date(raw_date)
        if date_value is None:
            raise ContentError(
                Problem(
                    display,
                    line_number,
                    f"header date {raw_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD — fix the first line",
                )
            )
    if url is not None and not is_web_url(url):
        raise ContentError(
            Problem(
                display,
                line_number,
                f"header URL {url!r} is not an http(s) address — fix or remove it",
            )
        )
    return Header(date=date_value, url=url)


def parse_partial_date(value: str) -> str | None:
    """`value` if it is a real ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date, else None."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = int(match["y"]), match["m"], match["d"]
    try:
        date(year, int(month or 1), int(day or 1))
    except ValueError:
        return None
    if year < 1000:
        return None
    return value.strip()


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def url_domain(url: str | None) -> str | None:
    """The host of a URL, lowercased, without ``www.``."""
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.lower().removeprefix("www.") if host else None


def parse_html(name: str, data: bytes, display: str | None = None) -> RawArticle:
    """A saved web page: trafilatura finds the main text and the page's metadata, and the
    result is laid out like a raw text file (header line, headline, paragraphs), so the
    same cleaning runs on it. The HTML bytes are what is kept as the raw file."""
    import trafilatura

    shown = display or name
    decode(data, shown)  # binary or undecodable files fail here, with the same messages
    extracted = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None:
        document: dict[str, Any] = {}
    else:
        document = extracted if isinstance(extracted, dict) else extracted.as_dict()
    text = remove_control_characters(str(document.get("text") or ""))
    if not text.strip():
        raise ContentError(Problem(shown, None, "no article text found in this HTML page"))
    date_value = parse_partial_date(str(document.get("date") or "")[:10])
    url = document.get("url") if is_web_url(str(document.get("url") or "")) else None
    lines = []
    if date_value or url:
        lines += [f" date {date_value or ''} {url or ''}".rstrip().replace("date  ", "date "), ""]
    if document.get("title"):
        lines += [remove_control_characters(str(document["title"])).replace("\n", " "), ""]
    lines += [paragraph for line in text.split("\n") for paragraph in (line, "")]
    layout = "\n".join(lines)
    header_line = parse_header(lines[0], shown, 1) if lines and (date_value or url) else None
    found = {
        key: remove_control_characters(str(document[key]))
        for key in ("author", "sitename", "description")
        if document.get(key)
    }
    declared = {**page_meta(data), **found}  # trafilatura's reading wins where both have one
    hints = tuple((key, " ".join(declared[key].split())) for key in sorted(declared))
    return RawArticle(
        name=name,
        data=data,
        text=layout,
        encoding="html",
        sha256=hashlib.sha256(data).hexdigest(),
        header=header_line,
        body_start=1 if header_line else 0,
        hints=hints,
    )


# What a saved page may declare about itself, in the order tried: the first one present wins.
PAGE_META = {
    "published": (
        "article:published_time",
        "og:article:published_time",
        "datePublished",
        "date",
        "dc.date.issued",
    ),
    "author": ("author", "article:author", "dc.creator"),
    "description": ("description", "og:description"),
}


def page_meta(data: bytes) -> dict[str, str]:
    """What a saved page's ``<meta>`` tags and ``<html lang>`` declare: ``published`` (a full
    ISO 8601 time with offset, else left out), ``author``, ``description``, ``language``
    (a code like ``it`` or ``en-GB``). Keys the page does not declare are absent."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(data)
    except (ValueError, SyntaxError):  # lxml's ParserError is a ValueError
        return {}
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip()
        content = remove_control_characters(meta.get("content") or "").strip()
        if name and content:
            tags.setdefault(name.lower(), content)
    declared = {}
    for key, names in PAGE_META.items():
        value = next((tags[n.lower()] for n in names if n.lower() in tags), None)
        if value:
            declared[key] = value
    if "published" in declared and not is_timestamp(declared["published"]):
        del declared["published"]
    if "author" in declared and is_web_url(declared["author"]):
        del declared["author"]  # article:author is often the author's profile page
    lang = (root.get("lang") or "").strip().replace("_", "-")
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)?", lang):
        primary, _, region = lang.partition("-")
        declared["language"] = primary.lower() + (f"-{region}" if region else "")
    return declared


def is_timestamp(value: str) -> bool:
    """True for an ISO 8601 date and time with a UTC offset (``2021-10-24T22:48:00+02:00``)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value and parsed.tzinfo is not None and parse_partial_date(value[:10]) is not None
