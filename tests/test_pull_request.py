"""Pull requests that explain themselves: `postilla check --format github` (workflow
commands on the pull request's lines), warnings for notes that cleaning changes, schema
and anchoring problems in one run, the job summary (`--summary FILE --base REF`), and
the pull-request workflow that uses them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, snapshot
from generator.annotations import changed_items, parse_items
from generator.cli import github_command, main
from generator.model import Problem
from generator.render import note_cleaning

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
QUOTE = "utilizza canali di intelligence non ufficiali"  # in the shipped Sputnik article


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of the shipped content, committed, as the
    working directory."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *command], check=True, capture_output=True)
    return tmp_path


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / "content" / "annotations" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def item(quote: str = QUOTE, note: str = "Una nota.", extra: str = "") -> str:
    return (
        f'  - quote: "{quote}"\n    kind: comment\n    note: "{note}"\n'
        f'    author: alice\n    date: "2026-01-02"\n{extra}'
    )


def annotation_file(*items: str, article: str = SPUTNIK) -> str:
    return f"article: {article}\nannotations:\n" + "".join(items)


# --- workflow commands ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (
            Problem("content/a.yml", 3, "bad", 5),
            "::error file=content/a.yml,line=3,col=5,title=postilla check::bad",
        ),
        (
            Problem("content/a.yml", 3, "w", severity="warning"),
            "::warning file=content/a.yml,line=3,title=postilla check::w",
        ),
        (Problem("content/a.yml", None, "x"), "::error file=content/a.yml,title=postilla check::x"),
        (
            Problem("content/a,b:c%.yml", 1, "50% done\r\nnext: a, b"),
            "::error file=content/a%2Cb%3Ac%25.yml,line=1,title=postilla check::"
            "50%25 done%0D%0Anext: a, b",
        ),
    ],
    ids=["error", "warning-no-column", "no-line", "escaping"],
)
def test_a_problem_as_a_github_workflow_command(
    problem: Problem, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert github_command(problem, tmp_path) == expected


def test_paths_are_relative_to_the_repository_root_from_any_folder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, "bad.yml", annotation_file(item(extra="    colour: red\n")))
    monkeypatch.chdir(repo / "content")
    assert main(["check", "--format", "github", "--content", "."]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "::error file=content/annotations/bad.yml,line=8,col=5,title=postilla check::"
        "unknown key 'colour' in annotations[0] — did you mean 'tags'?"
    ] or any(line.startswith("::error file=content/annotations/bad.yml,line=8") for line in out)


def test_default_format_is_unchanged(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "bad.yml", annotation_file(item(extra="    colour: red\n")))
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("content/annotations/bad.yml:8:5: unknown key 'colour'")


# --- notes that cleaning changes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "words", "says"),
    [
        ("Vedi <b>qui</b>", "<b>", "raw HTML '<b>' is shown as text"),
        ("<script>alert(1)</script>", "<script>", "raw HTML '<script>'"),
        ("[x](javascript:alert(1))", "javascript:alert(1)", "the link to 'javascript:alert(1)'"),
        ("[x](ftp://example.org/f)", "ftp://example.org/f", "is removed"),
        ("![foto](https://example.org/a.png)", "https://example.org/a.png", "an image"),
        ("# Titolo", None, "a heading"),
    ],
)
def test_cleaning_a_note_is_said(note: str, words: str | None, says: str) -> None:
    (found,) = note_cleaning(note)[:1]
    assert found[0] == words and says in found[1]


@pytest.mark.parametrize(
    "note",
    [
        "Testo *semplice* con [fonte](https://example.org) e <https://example.org>.",
        "Il codice `<b>` resta codice; 3 < 4 > 2.",
        "Scrivi a [me](mailto:a@example.org).",
        "    <pre>blocco di codice</pre>",
    ],
)
def test_a_note_that_renders_as_written_gets_no_warning(note: str) -> None:
    assert note_cleaning(note) == []


def test_the_warning_is_on_the_line_of_the_words_in_a_block_note() -> None:
    text = annotation_file(
        f'  - quote: "{QUOTE}"\n    kind: comment\n    note: |\n      Prima riga.\n'
        "      Seconda con [link](javascript:void(0)).\n"
        '    author: alice\n    date: "2026-01-02"\n'
    )
    _, problems = parse_items(text, "x.yml", {SPUTNIK}, note_cleaning)
    (warning,) = problems
    assert (warning.line, warning.column, warning.severity) == (7, 26, "warning")
    assert text.splitlines()[6][25:].startswith("javascript:void(0)")


def test_a_reply_s_note_is_checked_too() -> None:
    extra = (
        '    replies:\n      - author: bob\n        date: "2026-01-03"\n        note: "<i>no</i>"\n'
    )
    _, problems = parse_items(annotation_file(item(extra=extra)), "x.yml", {SPUTNIK}, note_cleaning)
    assert [(p.line, p.severity) for p in problems] == [(11, "warning"), (11, "warning")]


def test_check_warns_and_strict_fails_on_a_cleaned_note(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(repo / "content")
    write(repo, "html.yml", annotation_file(item(note="Vedi <b>qui</b>")))
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert "content/annotations/html.yml:5:17: warning: raw HTML '<b>' is shown as text" in err
    assert main(["check", "--strict", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "::warning file=content/annotations/html.yml,line=5,col=17" in out
    after = snapshot(repo / "content")
    assert {k: v for k, v in after.items() if k not in before} == {
        "annotations/html.yml": (repo / "content/annotations/html.yml").read_bytes()
    }


# --- schema and anchoring problems in the same run ------------------------------------------


def test_schema_errors_do_not_hide_anchoring_errors(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One item breaks the schema, another does not anchor: both are said at once, and
    the file is still left out of the site."""
    write(
        repo,
        "two.yml",
        annotation_file(item(extra="    colour: red\n"), item(quote="parole che non ci sono mai")),
    )
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("content/annotations/two.yml:8:5: unknown key") for line in err)
    assert any(
        line.startswith("content/annotations/two.yml:9:5: quote not found") for line in err
    ), err


def test_a_file_with_an_unknown_article_is_not_anchored() -> None:
    annotations, problems = parse_items(annotation_file(item(), article="nope"), "x.yml", set())
    assert annotations == [] and "unknown article 'nope'" in problems[0].message


# --- the job summary --------------------------------------------------------------------------


def test_changed_items_compares_with_the_base() -> None:
    base = annotation_file(item(), item(quote="aiuta a tracciare le comunicazioni"))
    now = annotation_file(
        item(), item(quote="aiuta a tracciare le comunicazioni", note="Altra."), item(quote="nuova")
    )
    assert changed_items(now, base) == {8: "changed", 13: "added"}
    assert changed_items(now, None) == {3: "added", 8: "added", 13: "added"}
    assert changed_items("article: [", None) == {}


def test_the_summary_lists_what_the_pull_request_adds(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = sorted((repo / "content" / "annotations").rglob("*.yml"))[0]
    write(repo, "new.yml", annotation_file(item(), item(quote="parole che non ci sono mai")))
    write(repo, "bad.yml", annotation_file(item(note="<b>x</b>", extra="    colour: red\n")))
    summary = repo / "summary.md"
    summary.write_text("earlier step\n", "utf-8")
    assert main(["check", "--format", "github", "--summary", str(summary), "--base", "HEAD"]) == 1
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n## Annotations in this pull request")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 3, text
    assert rows[0].startswith("| `content/annotations/bad.yml:3` | added |")
    assert "not checked (fix the errors)" in rows[0] and "unknown key 'colour'" in rows[0]
    assert rows[1].startswith(f"| `content/annotations/new.yml:3` | added | {SPUTNIK} | {QUOTE}")
    assert "| exact |" in rows[1]
    assert "**orphan**" in rows[2] and "quote not found" in rows[2]
    assert shipped.name not in text  # unchanged files are not listed
    capsys.readouterr()


def test_the_summary_says_when_nothing_changed(repo: Path) -> None:
    summary = repo / "summary.md"
    assert main(["check", "--summary", str(summary), "--base", "HEAD"]) == 0
    assert "No annotation file added or changed." in summary.read_text("utf-8")


def test_summary_and_base_go_together_and_a_bad_base_is_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--summary", "s.md"]) == 2
    assert main(["check", "--summary", "s.md", "--base", "no-such-ref"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: --base 'no-such-ref': git cannot compare with it")


# --- the workflow ---------------------------------------------------------------------------


def test_the_pull_request_workflow_annotates_summarises_and_uploads_a_preview() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text("utf-8"))
    steps = workflow["jobs"]["content"]["steps"]
    runs = " ".join(str(s.get("run", "")) for s in steps)
    assert "postilla check --strict --format github" in runs
    assert '--summary "$GITHUB_STEP_SUMMARY" --base HEAD^1' in runs
    assert steps[0]["with"]["fetch-depth"] == 2
    (upload,) = [s for s in steps if "actions/upload-artifact@" in s.get("uses", "")]
    assert upload["with"]["path"] == "site/"
    names = [s.get("name", s.get("uses")) for s in steps]
    assert names.index("Build the site strictly") < names.index(upload["name"])
    assert workflow["jobs"]["content"]["permissions"] == {"contents": "read"}
