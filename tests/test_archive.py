"""The content folder: article files round-trip, and every problem names its file and line."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import archive
from generator.markdown_text import normalise_text
from generator.model import Article, ContentError, Problem, RemovedLine


def make_article(**overrides) -> Article:
    values = dict(
        id="2021-10-24-wp-pakistan",
        title="WP: Pakistan aiuta i talebani",
        title_source="headline",
        date="2021-10-24",
        date_source="timestamp",
        published="2021-10-24T22:48:00+02:00",
        url="https://it.sputniknews.com/a",
        source="it.sputniknews.com",
        publisher="Sputnik Italia",
        author="L.M.",
        language="it",
        description="Il Pakistan fornisce assistenza, riporta il...",
        words=7,
        raw="raw/2021-10-24-wp-pakistan.txt",
        raw_name="001.txt",
        raw_sha256="a" * 64,
        body_sha256="b" * 64,
        imported="2024-01-01",
        paragraphs=("ISIS* ha iniziato.", "# non un titolo", "<script>x</script>"),
        footnotes=("*Organizzazioni terroristiche",),
        removed=(RemovedLine(3, "Lascia un commento", "comment-form", "comment form"),),
    )
    values.update(overrides)
    return Article(**values)


def article_text(**overrides) -> str:
    return archive.article_to_text(make_article(**overrides))


def line_number(text: str, prefix: str) -> int:
    """1-based number of the first line of `text` starting with `prefix`."""
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(prefix))


def with_line(text: str, prefix: str, new: str) -> str:
    """`text` with its first line starting with `prefix` replaced by `new`."""
    lines = text.split("\n")
    index = line_number(text, prefix) - 1
    lines[index] = new
    return "\n".join(lines)


def problems_of(
    text: str, display: str = "content/articles/x.md", expected_id=None
) -> list[Problem]:
    with pytest.raises(ContentError) as info:
        archive.parse_article(text, display, expected_id)
    return info.value.problems


# --- round trip -------------------------------------------------------------------


def test_round_trip_article_equality():
    article = make_article()
    assert archive.parse_article(archive.article_to_text(article), "x.md", article.id) == article


def test_round_trip_ignores_path():
    article = make_article()
    parsed = archive.parse_article(archive.article_to_text(article), "x.md")
    assert replace(parsed, path=Path("elsewhere.md")) == article


def test_round_trip_with_empty_optional_values():
    article = make_article(
        date=None,
        date_source=None,
        published=None,
        url=None,
        source=None,
        publisher=None,
        author=None,
        language=None,
        description=None,
        footnotes=(),
        removed=(),
        words=0,
    )
    assert archive.parse_article(archive.article_to_text(article), "x.md") == article


@pytest.mark.parametrize(
    "title", ["no", "yes", "012", "null", "~", "true", "2021-10-24", "- x", "a: b", "#x"]
)
def test_round_trip_titles_that_look_like_yaml(title):
    article = make_article(title=title)
    assert archive.parse_article(archive.article_to_text(article), "x.md").title == title


def test_article_text_starts_with_front_matter_in_documented_order():
    text = article_text()
    assert text.startswith("---\nid: 2021-10-24-wp-pakistan\n")
    keys = [
        line.split(":")[0]
        for line in text.split("\n---\n")[0].split("\n")[1:]
        if line[:1].isalpha()
    ]
    assert keys == list(archive.FRONT_MATTER_KEYS)


def test_article_body_is_escaped_markdown():
    text = article_text()
    body = text.split("\n---\n", 1)[1]
    assert "ISIS\\* ha iniziato." in body
    assert "\\# non un titolo" in body
    assert "&lt;script>x&lt;/script>" in body
    assert "\\<" not in body
    assert text.endswith("\n")


def test_stored_body_is_the_markdown_after_front_matter():
    text = article_text(paragraphs=("uno", "due"))
    assert archive.stored_body(text) == "uno\n\ndue\n"


def test_parse_article_accepts_bom_and_crlf():
    article = make_article()
    text = "\ufeff" + archive.article_to_text(article).replace("\n", "\r\n")
    assert archive.parse_article(text, "x.md") == article


def test_parse_article_counts_words_when_missing():
    text = with_line(article_text(paragraphs=("uno due tre", "quattro")), "words:", "")
    assert archive.parse_article(text, "x.md").words == 4


CHARS = st.text().map(normalise_text)
NON_EMPTY = CHARS.filter(bool)
OPTIONAL = st.none() | CHARS
HEX64 = st.text("0123456789abcdef", min_size=64, max_size=64)
DATES = st.dates(min_value=date(1000, 1, 1)).map(lambda d: d.isoformat())

ARTICLES = st.builds(
    Article,
    id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,79}", fullmatch=True),
    title=NON_EMPTY,
    title_source=st.sampled_from(["headline", "derived", "edited"]),
    date=st.none() | DATES | DATES.map(lambda s: s[:7]) | DATES.map(lambda s: s[:4]),
    date_source=OPTIONAL,
    published=st.none() | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    url=st.none() | CHARS.map(lambda s: "https://x.it/" + s),
    source=st.none() | st.from_regex(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*", fullmatch=True),
    publisher=OPTIONAL,
    author=OPTIONAL,
    language=st.none() | st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", fullmatch=True),
    description=OPTIONAL,
    words=st.integers(0, 10**6),
    raw=st.from_regex(r"raw/[a-z0-9-]{1,40}\.(txt|text|html|htm)", fullmatch=True),
    raw_name=NON_EMPTY,
    raw_sha256=HEX64,
    body_sha256=HEX64,
    imported=DATES,
    paragraphs=st.lists(NON_EMPTY, max_size=4).map(tuple),
    footnotes=st.lists(CHARS, max_size=3).map(tuple),
    removed=st.lists(
        st.builds(RemovedLine, st.integers(1, 10**5), CHARS, NON_EMPTY, CHARS), max_size=3
    ).map(tuple),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLES)
def test_round_trip_property(article):
    text = archive.article_to_text(article)
    assert archive.parse_article(text, "x.md", expected_id=article.id) == article


# --- front matter values ------------------------------------------------------------


def test_front_matter_title_no_stays_the_string_no():
    text = with_line(article_text(), "title:", "title: no")
    assert archive.parse_article(text, "x.md").title == "no"


def test_front_matter_unquoted_date_and_words_are_strings():
    text = with_line(article_text(), "date:", "date: 2021-10-24")
    text = with_line(text, "words:", "words: 012")
    article = archive.parse_article(text, "x.md")
    assert article.date == "2021-10-24"
    assert article.words == 12


def test_boolean_title_is_an_error_that_says_to_quote_it():
    text = with_line(article_text(), "title:", "title: true")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "title:")
    assert "boolean" in problem.message and "quote" in problem.message


# --- errors ---------------------------------------------------------------------


def test_invalid_date_names_file_and_line():
    text = with_line(article_text(), "date:", "date: '2021-02-30'")
    [problem] = problems_of(text, "content/articles/x.md")
    assert problem.path == "content/articles/x.md"
    assert problem.line == line_number(text, "date:")
    assert "2021-02-30" in problem.message
    assert "not a real date" in problem.message
    assert str(problem).startswith(f"content/articles/x.md:{problem.line}")


def test_malformed_date_is_a_schema_error_on_its_line():
    text = with_line(article_text(), "date:", "date: 24/10/2021")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "date:")
    assert "date" in problem.message


def test_invalid_published_names_line():
    text = with_line(article_text(), "published:", "published: ieri sera")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "published:")
    assert "ISO 8601" in problem.message


def test_unknown_key_suggests_the_nearest_key_with_its_line():
    text = with_line(article_text(), "author:", "autor: L.M.")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "autor:")
    assert problem.column == 1
    assert "unknown key 'autor'" in problem.message
    assert "did you mean 'author'?" in problem.message


def test_unknown_key_far_from_any_lists_allowed_keys():
    text = with_line(article_text(), "author:", "zzzzzz: L.M.")
    [problem] = problems_of(text)
    assert "allowed keys:" in problem.message


def test_missing_required_key():
    text = article_text()
    text = "\n".join(line for line in text.split("\n") if not line.startswith("raw_sha256:"))
    problems = problems_of(text, "a.md")
    assert any("missing required key 'raw_sha256'" in p.message for p in problems)
    assert all(p.path == "a.md" for p in problems)


def test_id_not_matching_file_name():
    text = article_text()
    [problem] = problems_of(text, "content/articles/other.md", expected_id="other")
    assert problem.line == line_number(text, "id:")
    assert "2021-10-24-wp-pakistan" in problem.message
    assert "other.md" in problem.message


def test_invalid_id_pattern():
    text = with_line(article_text(), "id:", "id: Not An Id")
    [problem] = problems_of(text)
    assert problem.line == 2
    assert "id" in problem.message


def test_unclosed_front_matter():
    [problem] = problems_of("---\nid: x\ntitle: y\n", "a.md")
    assert (problem.path, problem.line) == ("a.md", 1)
    assert "not closed" in problem.message


def test_no_front_matter():
    [problem] = problems_of("Solo testo.\n", "a.md")
    assert (problem.path, problem.line) == ("a.md", 1)
    assert "no front matter" in problem.message


def test_front_matter_that_is_not_a_mapping():
    [problem] = problems_of("---\n- a\n- b\n---\ntesto\n", "a.md")
    assert problem.line == 2
    assert "mapping" in problem.message


def test_yaml_syntax_error_line_is_a_file_line():
    text = with_line(article_text(), "author:", "author: [L.M.")
    [problem] = problems_of(text)
    assert problem.message.startswith("YAML syntax")
    assert problem.line is not None and problem.line >= line_number(text, "author:")


def test_duplicate_key_in_front_matter_names_file_lines():
    text = with_line(article_text(), "author:", "title: Altro")
    [problem] = problems_of(text)
    assert problem.line == line_number(text, "title: Altro")
    assert f"line {line_number(text, 'title:')}" in problem.message


def test_several_problems_are_all_reported_in_line_order():
    text = with_line(article_text(), "author:", "autor: x")
    text = with_line(text, "language:", "language: Italiano")
    problems = problems_of(text)
    assert len(problems) == 2
    assert [p.line for p in problems] == sorted(p.line for p in problems)


# --- files ----------------------------------------------------------------------


def test_read_article_sets_path_and_uses_file_name_as_expected_id(tmp_path):
    article = make_article()
    path = tmp_path / f"{article.id}.md"
    path.write_text(archive.article_to_text(article), "utf-8")
    read = archive.read_article(path)
    assert read == article
    assert read.path == path


def test_read_article_with_wrong_file_name(tmp_path):
    path = tmp_path / "wrong.md"
    path.write_text(article_text(), "utf-8")
    with pytest.raises(ContentError) as info:
        archive.read_article(path)
    assert "wrong.md" in str(info.value)


def test_read_article_not_utf8(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"---\ntitle: citt\xe0\n---\n")
    with pytest.raises(ContentError) as info:
        archive.read_article(path)
    assert "cannot read" in info.value.problems[0].message


def test_display_path_is_relative_to_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert archive.display_path(tmp_path / "content" / "a.md") == str(Path("content") / "a.md")
    assert archive.display_path(Path("/elsewhere/a.md")) == "/elsewhere/a.md"


def test_write_text_atomic_creates_folders_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "a" / "b.md"
    archive.write_text_atomic(path, "uno")
    archive.write_text_atomic(path, b"due")
    assert path.read_text() == "due"
    assert [p.name for p in path.parent.iterdir()] == ["b.md"]


# --- sources --------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_load_sources(tmp_path):
    path = write(
        tmp_path,
        "sources.yml",
        "- domain: x.it\n  name: X\n  country: IT\n- domain: y.com\n  name: Y\n",
    )
    sources, problems = archive.load_sources(path)
    assert problems == []
    assert [(s.domain, s.name, s.country) for s in sources] == [
        ("x.it", "X", "IT"),
        ("y.com", "Y", None),
    ]


def test_missing_or_empty_registry_is_empty(tmp_path):
    assert archive.load_sources(tmp_path / "absent.yml") == ((), [])
    assert archive.load_sources(write(tmp_path, "s.yml", "# nothing yet\n")) == ((), [])
    assert archive.load_entities(tmp_path / "absent.yml") == ((), [])


def test_sources_schema_errors_have_lines(tmp_path):
    text = "- domain: x.it\n  name: X\n- domain: y.it\n  nmae: Y\n- domain: X\n  name: Z\n"
    _, problems = archive.load_sources(write(tmp_path, "sources.yml", text))
    by_line = {p.line: p for p in problems}
    assert "unknown key 'nmae'" in by_line[4].message
    assert "did you mean 'name'?" in by_line[4].message
    assert any("missing required key 'name'" in p.message for p in problems)
    assert "domain 'X' is not valid" in by_line[5].message
    assert by_line[5].column == 11
    assert all(p.path.endswith("sources.yml") for p in problems)


def test_sources_not_a_list(tmp_path):
    _, problems = archive.load_sources(write(tmp_path, "sources.yml", "domain: x.it\n"))
    assert len(problems) == 1
    assert "must be a list" in problems[0].message


def test_sources_yaml_error_has_position(tmp_path):
    sources, problems = archive.load_sources(
        write(tmp_path, "sources.yml", "- domain: x.it\n  name: &a X\n")
    )
    assert sources == ()
    assert [(p.line, p.column) for p in problems] == [(2, 9)]
    assert "anchor" in problems[0].message


def test_duplicate_domain_names_both_lines(tmp_path):
    text = "- domain: x.it\n  name: X\n- domain: y.it\n  name: Y\n- domain: x.it\n  name: Z\n"
    _, problems = archive.load_sources(write(tmp_path, "sources.yml", text))
    [problem] = problems
    assert problem.line == 5
    assert "domain 'x.it'" in problem.message
    assert "line 1" in problem.message


# --- entities -------------------------------------------------------------------

ENTITIES = """\
- id: isis
  name: Stato Islamico
  type: organization
  aliases: [ISIS, Daesh]
  wikidata: Q2429253
- id: kabul
  name: Kabul
  type: place
"""


def test_load_entities(tmp_path):
    entities, problems = archive.load_entities(write(tmp_path, "entities.yml", ENTITIES))
    assert problems == []
    assert entities[0].aliases == ("ISIS", "Daesh")
    assert entities[0].wikidata == "Q2429253"
    assert entities[1].type == "place"
    assert entities[1].aliases == ()


def test_duplicate_entity_id_names_both_lines(tmp_path):
    text = ENTITIES + "- id: isis\n  name: Altro\n  type: other\n"
    _, problems = archive.load_entities(write(tmp_path, "entities.yml", text))
    [problem] = problems
    assert problem.line == 9
    assert "entity id 'isis'" in problem.message
    assert "line 1" in problem.message


def test_alias_claimed_by_two_entities(tmp_path):
    text = ENTITIES + "- id: daesh\n  name: Gruppo\n  type: organization\n  aliases:\n    - Daesh\n"
    _, problems = archive.load_entities(write(tmp_path, "entities.yml", text))
    [problem] = problems
    assert problem.line == 13
    assert "'Daesh'" in problem.message
    assert "'isis'" in problem.message and "'daesh'" in problem.message
    assert "line 4" in problem.message


def test_name_of_one_entity_as_alias_of_another(tmp_path):
    text = ENTITIES + "- id: citta\n  name: Città\n  type: place\n  aliases: [Kabul]\n"
    _, problems = archive.load_entities(write(tmp_path, "entities.yml", text))
    [problem] = problems
    assert problem.line == 12
    assert "'Kabul'" in problem.message
    assert "line 7" in problem.message


@pytest.mark.parametrize("wikidata", ["X123", "Q0", "Q12a", "q42", "42"])
def test_wikidata_must_be_q_and_digits(tmp_path, wikidata):
    text = f"- id: a\n  name: A\n  type: person\n  wikidata: {wikidata}\n"
    _, problems = archive.load_entities(write(tmp_path, "entities.yml", text))
    [problem] = problems
    assert (problem.line, problem.column) == (4, 13)
    assert "wikidata" in problem.message


def test_entity_type_must_be_known(tmp_path):
    text = "- id: a\n  name: A\n  type: thing\n"
    _, problems = archive.load_entities(write(tmp_path, "entities.yml", text))
    [problem] = problems
    assert problem.line == 3
    assert "person, organization, place, event, other" in problem.message


# --- duplicates across articles ---------------------------------------------------


def test_duplicate_articles_same_url_names_both_files(tmp_path):
    first = replace(make_article(id="a"), path=tmp_path / "a.md")
    second = replace(make_article(id="b"), path=tmp_path / "b.md")
    [problem] = archive.duplicate_articles([first, second])
    assert problem.path == str(tmp_path / "b.md")
    assert str(tmp_path / "a.md") in problem.message
    assert "same URL" in problem.message
    assert first.url in problem.message


def test_duplicate_articles_without_paths_use_ids():
    [problem] = archive.duplicate_articles([make_article(id="a"), make_article(id="b")])
    assert problem.path == "b"
    assert "same URL as a" in problem.message


def test_articles_without_url_are_not_duplicates():
    assert (
        archive.duplicate_articles([make_article(id="a", url=None), make_article(id="b", url=None)])
        == []
    )


def test_load_archive_reports_bad_articles_and_keeps_good_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    good = make_article(id="good")
    (content / "articles" / "good.md").write_text(archive.article_to_text(good), "utf-8")
    bad = with_line(
        archive.article_to_text(make_article(id="bad", url=None)), "date:", "date: '2021-02-30'"
    )
    (content / "articles" / "bad.md").write_text(bad, "utf-8")
    loaded, problems = archive.load_archive(content)
    assert [a.id for a in loaded.articles] == ["good"]
    [problem] = problems
    assert problem.path == str(Path("content") / "articles" / "bad.md")
    assert problem.line == line_number(bad, "date:")


def test_verify_raw_file(tmp_path):
    raw_bytes = b"testo grezzo"
    article = make_article(raw="raw/a.txt", raw_sha256=hashlib.sha256(raw_bytes).hexdigest())
    assert "missing" in archive.verify_raw_file(tmp_path, article)[0].message
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_bytes(raw_bytes)
    assert archive.verify_raw_file(tmp_path, article) == []
    (tmp_path / "raw" / "a.txt").write_bytes(raw_bytes + b"!")
    assert "changed since import" in archive.verify_raw_file(tmp_path, article)[0].message
