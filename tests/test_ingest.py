"""Reading raw files: decoding, the optional header line, and errors that name the file."""

from __future__ import annotations

import hashlib

import pytest

from generator import ingest
from generator.model import ContentError, Header, Problem


def problem_of(data: bytes, name: str = "a.txt", display: str | None = None) -> Problem:
    with pytest.raises(ContentError) as info:
        ingest.parse_raw(name, data, display)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


# --- decoding -----------------------------------------------------------------


def test_decodes_utf8():
    raw = ingest.parse_raw("a.txt", "città — «ISIS*»\n".encode())
    assert raw.text == "città — «ISIS*»\n"
    assert raw.encoding == "utf-8"


def test_decodes_utf8_with_bom_and_drops_it():
    raw = ingest.parse_raw("a.txt", b"\xef\xbb\xbf" + "città".encode())
    assert raw.text == "città"
    assert raw.encoding == "utf-8"


def test_decodes_cp1252():
    data = "La città è «bella» — 10€".encode("cp1252")
    raw = ingest.parse_raw("a.txt", data)
    assert raw.text == "La città è «bella» — 10€"
    assert raw.encoding == "cp1252"


def test_decodes_cp1252_citta_bytes():
    assert "città".encode("cp1252") == b"citt\xe0"
    raw = ingest.parse_raw("a.txt", b"citt\xe0")
    assert (raw.text, raw.encoding) == ("città", "cp1252")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decodes_utf16_with_bom(codec):
    text = "date 2021-10 https://x.it/a\r\nLa città\r\n"
    if codec == "utf-16":
        data = text.encode("utf-16")  # the platform's byte order, with a BOM
    else:
        bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
        data = bom + text.encode(codec)
    raw = ingest.parse_raw("a.txt", data)
    assert raw.encoding == "utf-16"
    assert raw.text == "date 2021-10 https://x.it/a\nLa città\n"
    assert raw.header == Header("2021-10", "https://x.it/a")


def test_utf16_without_bom_is_reported_as_binary():
    problem = problem_of("ciao".encode("utf-16-le"), "u16.txt")
    assert problem.path == "u16.txt"
    assert "binary" in problem.message


def test_crlf_and_lone_cr_are_normalised_but_bytes_are_kept():
    data = b"uno\r\ndue\rtre\n"
    raw = ingest.parse_raw("a.txt", data)
    assert raw.text == "uno\ndue\ntre\n"
    assert raw.data == data
    assert raw.sha256 == hashlib.sha256(data).hexdigest()


def test_raw_article_keeps_name_and_bytes():
    data = b"testo"
    raw = ingest.parse_raw("001.txt", data)
    assert raw.name == "001.txt"
    assert raw.data is data
    assert raw.header is None
    assert raw.body_start == 0


def test_binary_file_error_names_the_file():
    problem = problem_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png")
    assert problem.path == "photo.png"
    assert "binary" in problem.message
    assert str(problem).startswith("photo.png: ")


def test_binary_error_uses_the_display_path():
    problem = problem_of(b"abc\x00def", "x.txt", display="inbox/x.txt")
    assert problem.path == "inbox/x.txt"
    assert "inbox/x.txt" in str(ContentError(problem))


def test_a_few_control_characters_are_tolerated_and_removed():
    raw = ingest.parse_raw("a.txt", b"testo con \x07 campanello e \x1b escape" + b" parola" * 50)
    assert "\x07" not in raw.text and "\x1b" not in raw.text and "campanello" in raw.text


def test_many_control_characters_are_binary():
    problem = problem_of(b"\x01\x02\x03\x04 testo")
    assert "binary" in problem.message


def test_bytes_undecodable_as_utf8_and_cp1252_report_line_and_offset():
    data = b"riga uno\nriga due \x81 qui\n"
    problem = problem_of(data, "bad.txt")
    assert problem.path == "bad.txt"
    assert problem.line == 2
    assert "0x81" in problem.message
    offset = data.index(b"\x81")
    assert f"offset {offset}" in problem.message


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\t \r\n", b"\xef\xbb\xbf \n"])
def test_empty_or_whitespace_only_file_is_an_error(data):
    problem = problem_of(data, "empty.txt")
    assert problem.path == "empty.txt"
    assert "empty" in problem.message


# --- header -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "header"),
    [
        (" date 2021-10 https://x.it/a", Header("2021-10", "https://x.it/a")),
        ("date 2021-10 https://x.it/a", Header("2021-10", "https://x.it/a")),
        (" date 2021", Header("2021", None)),
        (" date 2021-10-24", Header("2021-10-24", None)),
        ("\tdate\t2021-10-24\thttp://x.it/a?b=1  ", Header("2021-10-24", "http://x.it/a?b=1")),
    ],
)
def test_header_line_is_parsed(first_line, header):
    raw = ingest.parse_raw("a.txt", f"{first_line}\n\nTitolo\n".encode())
    assert raw.header == header
    assert raw.body_start == 1


def test_header_after_blank_lines_is_found():
    raw = ingest.parse_raw("a.txt", b"\n\n date 2021-10\nTitolo\n")
    assert raw.header == Header("2021-10", None)
    assert raw.body_start == 3


def test_text_without_header():
    raw = ingest.parse_raw("a.txt", b"Il Pakistan fornisce assistenza\n")
    assert raw.header is None
    assert raw.body_start == 0


@pytest.mark.parametrize(
    "line",
    [
        "date",
        "data 2021-10",
        "Date 2021-10",
        "date 2021-10 https://x.it/a extra words",
        "update 2021",
    ],
)
def test_lines_that_are_not_headers(line):
    assert ingest.parse_header(line, "a.txt", 1) is None


@pytest.mark.parametrize(
    "header",
    [
        "date 2021-13",
        "date 2021-02-30",
        "date 2021-1",
        "date 21-10-24",
        "date 0999",
        "date 2021/10",
    ],
)
def test_malformed_header_date_is_an_error_on_line_1(header):
    problem = problem_of(f"{header}\nTesto\n".encode(), "x.txt", display="in/x.txt")
    assert problem.path == "in/x.txt"
    assert problem.line == 1
    assert "header date" in problem.message
    assert str(problem).startswith("in/x.txt:1: ")


@pytest.mark.parametrize(
    "header",
    [
        "date 2021-10 ftp://x",
        "date 2021-10 notaurl",
        "date 2021-10 https://",
        "date 2021 mailto:a@b.it",
    ],
)
def test_malformed_header_url_is_an_error_on_line_1(header):
    problem = problem_of(f"{header}\nTesto\n".encode(), "x.txt", display="in/x.txt")
    assert problem.path == "in/x.txt"
    assert problem.line == 1
    assert "header URL" in problem.message


def test_malformed_header_after_blank_lines_reports_its_own_line():
    problem = problem_of(b"\n\ndate 2021-13\nTesto\n")
    assert problem.line == 3


# --- helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021", "2021"),
        ("2021-10", "2021-10"),
        ("2021-10-24", "2021-10-24"),
        ("2024-02-29", "2024-02-29"),
        (" 2021-10 ", "2021-10"),
        ("2023-02-29", None),
        ("2021-00", None),
        ("2021-13", None),
        ("2021-10-32", None),
        ("999", None),
        ("0999", None),
        ("2021-1-1", None),
        ("20211024", None),
        ("", None),
    ],
)
def test_parse_partial_date(value, expected):
    assert ingest.parse_partial_date(value) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://x.it/a", True),
        ("http://x.it", True),
        ("ftp://x.it", False),
        ("notaurl", False),
        ("https://", False),
        ("//x.it/a", False),
        ("https://x.it/a b", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_web_url(url, ok):
    assert ingest.is_web_url(url) is ok


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.repubblica.it/esteri/x", "repubblica.it"),
        ("https://WWW.Example.COM/a", "example.com"),
        ("https://it.sputniknews.com/2021", "it.sputniknews.com"),
        ("http://x.it:8080/a", "x.it"),
        ("https://wwwx.it/a", "wwwx.it"),
        ("notaurl", None),
        ("", None),
        (None, None),
    ],
)
def test_url_domain(url, domain):
    assert ingest.url_domain(url) == domain


# --- read_raw -------------------------------------------------------------------


def test_read_raw_reads_a_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b" date 2021 https://x.it/a\r\nTesto\r\n")
    raw = ingest.read_raw(path)
    assert raw.name == "a.txt"
    assert raw.header == Header("2021", "https://x.it/a")
    assert raw.text == " date 2021 https://x.it/a\nTesto\n"


def test_read_raw_missing_file_names_it(tmp_path):
    with pytest.raises(ContentError) as info:
        ingest.read_raw(tmp_path / "missing.txt", "inbox/missing.txt")
    problem = info.value.problems[0]
    assert problem.path == "inbox/missing.txt"
    assert "cannot read" in problem.message


def test_read_raw_refuses_files_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_RAW_BYTES", 10)
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)
    with pytest.raises(ContentError) as info:
        ingest.read_raw(path, "big.txt")
    assert info.value.problems[0].path == "big.txt"
    assert "limit" in info.value.problems[0].message


def test_read_raw_error_for_binary_file_uses_display(tmp_path):
    path = tmp_path / "img.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with pytest.raises(ContentError) as info:
        ingest.read_raw(path, "inbox/img.jpg")
    assert str(info.value).startswith("inbox/img.jpg: ")
