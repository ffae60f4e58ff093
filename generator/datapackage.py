"""``downloads/datapackage.json``: the downloaded tables described as a Frictionless Data
Package (https://specs.frictionlessdata.io/data-package/).

Each table's schema is made from the columns `generator.export` declares for it (the same
declarations that make its records and its CSV header), so the description cannot drift
from the files. The descriptor names each file by its path beside ``datapackage.json``,
with its format, encoding, compression, size and SHA-256, so a reader (or
``frictionless validate``) can check both the rows and the bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import export
from .entities import EntityIndex
from .model import Archive

PATH = "downloads/datapackage.json"
FOLDER = "downloads/"  # where the package and its files are, in the site

# The archive's texts remain their publishers'; the package says so rather than claim an
# open licence it cannot give (Open Definition id "other-closed").
LICENSE = {
    "name": "other-closed",
    "title": "Article texts are the copyright of their publishers (see each record's url "
    "and publisher); archived and quoted for research",
}


@dataclass(frozen=True)
class ForeignKey:
    """A column of one table whose values are keys of another table."""

    field: str
    resource: str
    reference: str


@dataclass(frozen=True)
class Table:
    """One downloaded table: its resource name, its path in the site, its format, and the
    columns it holds (declared in `generator.export`)."""

    name: str
    path: str
    format: str  # "csv" or "jsonl"
    title: str
    columns: tuple[export.Column, ...]
    primary_key: str
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def compression(self) -> str | None:
        return "gz" if self.path.endswith(".gz") else None


TO_SOURCES = ForeignKey("source_domain", "sources", "domain")
TABLES = (
    Table("articles", "downloads/archive.csv.gz", "csv", "Articles",
          export.ARTICLE_COLUMNS, "id", (TO_SOURCES,)),
    Table("articles-jsonl", "downloads/archive.jsonl.gz", "jsonl",
          "Articles (JSON Lines: removed lines, entities and annotations as JSON values)",
          export.ARTICLE_COLUMNS, "id", (TO_SOURCES,)),
    Table("sources", "downloads/sources.csv", "csv", "Sources", export.SOURCE_COLUMNS, "domain"),
    Table("sources-jsonl", "downloads/sources.jsonl", "jsonl", "Sources (JSON Lines)",
          export.SOURCE_COLUMNS, "domain"),
    Table("entities", "downloads/entities.csv", "csv", "Entities", export.ENTITY_COLUMNS, "id"),
    Table("entities-jsonl", "downloads/entities.jsonl", "jsonl", "Entities (JSON Lines)",
          export.ENTITY_COLUMNS, "id"),
)  # fmt: skip

MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl"}


def field_descriptor(column: export.Column) -> dict[str, Any]:
    """A Table Schema field for a column."""
    described: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.description,
    }
    if column.constraints:
        described["constraints"] = dict(column.constraints)
    return described


def table_schema(table: Table) -> dict[str, Any]:
    """A table's Table Schema: its fields, primary key and foreign keys. An empty cell
    (CSV) or a null (JSON Lines) is a missing value."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(c) for c in table.columns],
        "missingValues": [""],
        "primaryKey": [table.primary_key],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [k.field], "reference": {"resource": k.resource, "fields": [k.reference]}}
            for k in table.foreign_keys
        ]
    return schema


def resource(table: Table, data: bytes) -> dict[str, Any]:
    """A table's Data Resource, `data` being the bytes of its file as served."""
    described: dict[str, Any] = {
        "name": table.name,
        "title": table.title,
        "path": table.path.removeprefix(FOLDER),
        "profile": "tabular-data-resource",
        "format": table.format,
        "mediatype": MEDIA_TYPES[table.format],
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "schema": table_schema(table),
    }
    if table.compression:
        described["compression"] = table.compression
    if table.format == "csv":
        described["dialect"] = {"delimiter": ",", "lineTerminator": "\n", "header": True}
    return described


def descriptor(
    files: Mapping[str, bytes],
    site_url: str | None = None,
    title: str | None = None,
    description: str | None = None,
    license: Mapping[str, str] = LICENSE,
) -> dict[str, Any]:
    """The Data Package of the tables of `TABLES` found in `files` (path in the site ->
    bytes as served), in the order of `TABLES`."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "postilla-archive",
        "title": title or "Postilla archive",
        "licenses": [dict(license)],
        "sources": [
            {
                "title": "The articles' publishers: see the sources table",
                **({"path": base + "downloads/sources.csv"} if base else {}),
            }
        ],
        "resources": [resource(t, files[t.path]) for t in TABLES if t.path in files],
    }
    if description:
        package["description"] = description
    if base:
        package["homepage"] = base
    return package


def to_json(package: Mapping[str, Any]) -> str:
    """A descriptor as the text of ``datapackage.json``."""
    return json.dumps(package, ensure_ascii=False, indent=1) + "\n"


def registry_files(archive: Archive, index: EntityIndex | None = None) -> dict[str, bytes]:
    """The sources and entities tables, as CSV and JSON Lines (path in the site -> bytes):
    a few hundred rows each, so served uncompressed."""
    tables: dict[str, Sequence[dict[str, Any]]] = {
        "sources": export.source_records(archive),
        "entities": export.entity_records(archive, index),
    }
    files = {}
    for table in TABLES:
        base = table.name.removesuffix("-jsonl")
        if base not in tables:
            continue
        rows = list(tables[base])
        fields = [c.name for c in table.columns]
        text = export.to_jsonl(rows) if table.format == "jsonl" else export.to_csv(rows, fields)
        files[table.path] = text.encode("utf-8")
    return files
