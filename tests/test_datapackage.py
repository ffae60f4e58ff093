"""The data downloads and their Frictionless description (``downloads/datapackage.json``),
checked on a real built site (`corpus_site`: the shipped archive, the corpus and its
annotations) with the ``frictionless`` library, and on small archives made in memory for
the cases the corpus lacks (an unregistered source, a place south and west of Greenwich,
text that starts like a spreadsheet formula)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any

import frictionless
import pytest
import yaml

from conftest import make_article
from generator import archive as store
from generator import datapackage, export, site
from generator.model import Archive, Entity, Source

CSV_LIMIT = 10**8  # a cell holds an article's annotations or removed lines as JSON


def text_of(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    limit = csv.field_size_limit(CSV_LIMIT)
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    finally:
        csv.field_size_limit(limit)


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def downloads(corpus_site: Path) -> Path:
    return corpus_site / "downloads"


@pytest.fixture(scope="module")
def package(downloads: Path) -> dict[str, Any]:
    described: dict[str, Any] = json.loads((downloads / "datapackage.json").read_text("utf-8"))
    return described


def resources_of(package: dict[str, Any], fmt: str) -> list[dict[str, Any]]:
    return [r for r in package["resources"] if r["format"] == fmt]


def validate_csv(folder: Path, name: str) -> frictionless.Report:
    """Every row of a CSV resource against its schema, foreign keys and bytes included."""
    described = frictionless.Package(str(folder / "datapackage.json"))
    return frictionless.validate(described.get_resource(name))


def validate_jsonl(folder: Path, resource: dict[str, Any]) -> frictionless.Report:
    """Every row of a JSON Lines resource against its schema (frictionless reads JSON Lines
    only with its optional ``json`` extra: the rows are given to it as data)."""
    names = [f["name"] for f in resource["schema"]["fields"]]
    rows = jsonl_rows(text_of(folder / resource["path"]))
    assert all(list(row) == names for row in rows), "a record's keys are not its schema's fields"
    data = [names, *([row[n] for n in names] for row in rows)]
    schema = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    return frictionless.validate(
        frictionless.Resource(data=data, schema=frictionless.Schema.from_descriptor(schema))
    )


def errors_of(report: frictionless.Report) -> list[Any]:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


# --- the built site ---------------------------------------------------------------------


def test_the_descriptor_is_a_valid_data_package(package: dict[str, Any]) -> None:
    assert list(frictionless.Package.metadata_validate(package)) == []
    assert package["profile"] == "tabular-data-package"
    assert package["homepage"] == "https://example.github.io/postilla/"  # mkdocs.yml site_url
    assert package["title"] == "Archivio Postilla"
    assert package["licenses"] and package["licenses"][0]["name"]
    assert package["sources"][0]["path"].startswith("https://example.github.io/postilla/")
    names = [r["name"] for r in package["resources"]]
    assert names == [t.name for t in datapackage.TABLES]


def test_every_table_file_of_the_downloads_is_described(
    downloads: Path, package: dict[str, Any]
) -> None:
    tables = {
        p.name
        for p in downloads.iterdir()
        if p.name.endswith((".csv", ".csv.gz", ".jsonl", ".jsonl.gz"))
    }
    described = {r["path"] for r in package["resources"]}
    assert described == tables
    for resource in package["resources"]:
        data = (downloads / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["encoding"] == "utf-8"
        assert resource.get("compression") == ("gz" if resource["path"].endswith(".gz") else None)


@pytest.mark.parametrize("name", ["articles", "sources", "entities"])
def test_every_csv_row_matches_its_schema(downloads: Path, name: str) -> None:
    report = validate_csv(downloads, name)
    assert report.valid, errors_of(report)
    [table] = [t for t in datapackage.TABLES if t.name == name]
    lines = len(csv_rows(text_of(downloads.parent / table.path)))
    assert report.tasks[0].stats["rows"] == lines > 0


@pytest.mark.parametrize("name", ["articles-jsonl", "sources-jsonl", "entities-jsonl"])
def test_every_jsonl_row_matches_its_schema(
    downloads: Path, package: dict[str, Any], name: str
) -> None:
    [resource] = [r for r in package["resources"] if r["name"] == name]
    report = validate_jsonl(downloads, resource)
    assert report.valid, errors_of(report)
    assert report.tasks[0].stats["rows"] > 0


def test_csv_columns_are_the_schema_fields_and_hold_what_jsonl_holds(
    downloads: Path, package: dict[str, Any]
) -> None:
    for resource in resources_of(package, "csv"):
        text = text_of(downloads / resource["path"])
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert text.split("\n", 1)[0] == ",".join(fields), resource["path"]
        twin = resource["path"].replace(".csv", ".jsonl")
        records = jsonl_rows(text_of(downloads / twin))
        rows = csv_rows(text)
        assert [r[resource["schema"]["primaryKey"][0]] for r in rows] == [
            r[resource["schema"]["primaryKey"][0]] for r in records
        ]
        for field in (f for f in resource["schema"]["fields"] if f["type"] == "array"):
            name = field["name"]
            assert [json.loads(r[name]) for r in rows] == [r[name] for r in records], name


def test_every_front_matter_field_is_in_the_articles_download(corpus_site: Path) -> None:
    content = corpus_site.parent / "content"
    records = {r["id"]: r for r in jsonl_rows(text_of(corpus_site / "downloads/archive.jsonl.gz"))}
    paths = sorted((content / "articles").glob("*.md"))
    assert len(records) == len(paths) > 20
    removed = 0
    for path in paths:
        article = store.read_article(path)
        record = records[article.id]
        front = store.article_front_matter(article)
        assert set(store.FRONT_MATTER_KEYS) <= set(record), path.name
        written = yaml.safe_load(path.read_text("utf-8").split("---\n")[1])
        assert set(written) <= set(record), path.name  # every key the file holds
        for key, value in front.items():
            if key != "publisher":  # the registry's name wins over the article's
                assert record[key] == value, (path.name, key)
        assert record["raw_sha256"] == written["raw_sha256"]
        assert record["body_sha256"] == written["body_sha256"]
        assert record["date_precision"] == export.date_precision(article.date)
        removed += len(record["removed"])
    assert removed > 50  # the removed lines, with their text and rule, are in the download


def test_the_entities_download_is_the_whole_registry(corpus_site: Path) -> None:
    registry = yaml.safe_load((corpus_site.parent / "content/entities.yml").read_text("utf-8"))
    records = jsonl_rows(text_of(corpus_site / "downloads/entities.jsonl"))
    assert [r["id"] for r in records] == sorted(e["id"] for e in registry)
    by_id = {r["id"]: r for r in records}
    placed = [e for e in registry if e.get("coordinates")]
    assert len(placed) >= 40
    for entry in registry:
        record = by_id[entry["id"]]
        assert (record["name"], record["type"]) == (entry["name"], entry["type"])
        assert record["wikidata"] == entry.get("wikidata")
        assert record["aliases"] == entry.get("aliases", [])
        if entry.get("coordinates"):
            assert [record["latitude"], record["longitude"]] == [
                float(c) for c in entry["coordinates"]
            ]
        else:
            assert record["latitude"] is None and record["longitude"] is None
    articles = jsonl_rows(text_of(corpus_site / "downloads/archive.jsonl.gz"))
    naming = {e["id"]: 0 for e in registry}
    for article in articles:
        for entity in article["entities"]:
            naming[entity["id"]] += 1
    assert {i: r["articles"] for i, r in by_id.items()} == naming
    assert any(n > 0 for n in naming.values())


def test_the_sources_download_is_the_whole_registry(corpus_site: Path) -> None:
    registry = yaml.safe_load((corpus_site.parent / "content/sources.yml").read_text("utf-8"))
    records = jsonl_rows(text_of(corpus_site / "downloads/sources.jsonl"))
    assert [r["domain"] for r in records] == sorted(s["domain"] for s in registry)
    for entry, record in zip(sorted(registry, key=lambda s: s["domain"]), records, strict=True):
        assert {k: record[k] for k in entry} == entry
    articles = jsonl_rows(text_of(corpus_site / "downloads/archive.jsonl.gz"))
    counted = {r["domain"]: r["articles"] for r in records}
    for domain, count in counted.items():
        assert count == sum(a["source_domain"] == domain for a in articles), domain
    assert sum(counted.values()) == sum(a["source_domain"] is not None for a in articles) > 0


def test_the_downloads_list_links_every_table_and_the_package(corpus_site: Path) -> None:
    home = (corpus_site / "index.html").read_text("utf-8")
    for path in ["datapackage.json", *(t.path.split("/")[1] for t in datapackage.TABLES)]:
        assert f'href="downloads/{path}"' in home, path


def test_a_changed_file_or_row_fails_validation(downloads: Path, tmp_path: Path) -> None:
    """The checks above can fail: a byte changed after the package was made (hash and size),
    and a row that breaks its schema (a latitude of 200, a duplicate id)."""
    folder = tmp_path / "downloads"
    shutil.copytree(downloads, folder)
    entities = folder / "entities.csv"
    rows = entities.read_text("utf-8").splitlines()
    header = rows[0].split(",")
    cells = next(csv.reader([rows[1]]))
    cells[header.index("latitude")] = "200"
    broken = io.StringIO()
    csv.writer(broken, lineterminator="\n").writerows([cells, cells])
    entities.write_text("\n".join([rows[0], broken.getvalue().rstrip("\n"), *rows[2:]]) + "\n")
    report = validate_csv(folder, "entities")
    kinds = {e[2] for e in errors_of(report)}
    assert not report.valid
    assert {"hash-count", "byte-count", "constraint-error", "primary-key"} <= kinds, kinds


# --- small archives in memory -----------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/","clic")'


def small_archive() -> Archive:
    """An unregistered source, a registered subdomain, a place in the southern and western
    hemispheres, registry text that starts like a formula, a hand-edited author."""
    return Archive(
        (
            make_article("a1", "Santiago del Cile, oggi.", date="2021-03", source="it.example.com",
                         author="M. Rossi", author_source="edited"),
            make_article("a2", "Un altro testo.", date="2020", source="unknown.org"),
            make_article("a3", "Senza data."),
        ),
        (Source("example.com", "Example", notes=FORMULA), Source("other.net", "-Other")),
        (Entity("santiago", "Santiago del Cile", "place", coordinates=(-33.45, -70.66),
                wikidata="Q2887", description=FORMULA),),
    )  # fmt: skip


def write_downloads(folder: Path, archive: Archive) -> Path:
    for made in site.download_files(archive, site_url="https://example.org/archivio"):
        path = folder / made.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            made.content if isinstance(made.content, bytes) else made.content.encode("utf-8")
        )
    return folder / "downloads"


def test_a_small_archive_s_package_is_valid_with_all_its_edge_cases(tmp_path: Path) -> None:
    folder = write_downloads(tmp_path, small_archive())
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["homepage"] == "https://example.org/archivio/"
    for name in ("articles", "sources", "entities"):
        report = validate_csv(folder, name)
        assert report.valid, (name, errors_of(report))
    for resource in resources_of(package, "jsonl"):
        report = validate_jsonl(folder, resource)
        assert report.valid, (resource["name"], errors_of(report))
    articles = {r["id"]: r for r in csv_rows(text_of(folder / "archive.csv.gz"))}
    assert articles["a1"]["source_domain"] == "example.com"  # it.example.com falls under it
    assert articles["a2"]["source_domain"] == ""  # unregistered: no foreign key to break
    assert [articles[i]["date_precision"] for i in ("a1", "a2", "a3")] == ["month", "year", ""]
    assert articles["a1"]["author_source"] == "edited"
    [place] = csv_rows((folder / "entities.csv").read_text("utf-8"))
    assert (place["latitude"], place["longitude"]) == ("-33.45", "-70.66")  # numbers, not text
    assert place["description"] == "'" + FORMULA  # text that starts like a formula is neutralised
    sources = csv_rows((folder / "sources.csv").read_text("utf-8"))
    assert [s["notes"] for s in sources] == ["'" + FORMULA, ""]
    assert [s["name"] for s in sources] == ["Example", "'-Other"]
    assert [s["articles"] for s in sources] == ["1", "0"]
    [jsonl_place] = jsonl_rows((folder / "entities.jsonl").read_text("utf-8"))
    assert jsonl_place["description"] == FORMULA  # JSON Lines keep the exact text


def test_an_article_whose_source_is_not_registered_breaks_no_foreign_key(tmp_path: Path) -> None:
    """A row pointing at a domain the sources table lacks is what the foreign key forbids:
    the check finds it when source_domain is forced to such a domain."""
    folder = write_downloads(tmp_path, small_archive())
    text = text_of(folder / "archive.csv.gz").replace(",example.com,", ",missing.example,")
    (folder / "archive.csv.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text("utf-8"))
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    package_path.write_text(json.dumps(package), "utf-8")
    report = validate_csv(folder, "articles")
    assert [e[2] for e in errors_of(report)] == ["foreign-key"]


def test_a_front_matter_key_the_export_does_not_declare_is_still_exported() -> None:
    declared = tuple(c for c in export.DECLARED_ARTICLE_COLUMNS if c.name != "agency")
    columns = export.with_front_matter(declared)
    names = [c.name for c in columns]
    assert names.index("agency") == names.index("place") + 1  # where the front matter has it
    assert columns[names.index("agency")].type == "string"
    assert export.front_matter_column("removed").type == "array"  # typed by the schema
    assert {c.name for c in export.ARTICLE_COLUMNS} >= set(store.FRONT_MATTER_KEYS)
    record = export.record(make_article("a", "Testo.", agency="ANSA"), small_archive())
    assert list(record) == list(export.FIELDS) and record["agency"] == "ANSA"


@pytest.mark.parametrize(
    ("date", "precision"),
    [("2021", "year"), ("2021-10", "month"), ("2021-10-24", "day"), (None, None)],
)
def test_date_precision(date: str | None, precision: str | None) -> None:
    assert export.date_precision(date) == precision


def test_schema_fields_are_the_export_s_columns() -> None:
    for table in datapackage.TABLES:
        schema = datapackage.table_schema(table)
        assert [f["name"] for f in schema["fields"]] == [c.name for c in table.columns]
        assert schema["primaryKey"][0] in [c.name for c in table.columns]
        for key in schema.get("foreignKeys", []):
            [target] = [t for t in datapackage.TABLES if t.name == key["reference"]["resource"]]
            assert key["reference"]["fields"] == [target.primary_key]
