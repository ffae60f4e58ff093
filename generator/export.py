"""``postilla export``: the archive as data, one record per article (JSON Lines or CSV)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .entities import EntityIndex, export_entities, index_archive
from .model import Archive, Article

FIELDS = (
    "id", "title", "date", "published", "url", "source", "publisher", "author", "language",
    "description", "body", "raw_name", "entities", "annotations",
)  # fmt: skip


def record(article: Article, archive: Archive, index: EntityIndex | None = None) -> dict[str, Any]:
    """One article as an export record."""
    source = archive.source_for(article.source)
    return {
        "id": article.id,
        "title": article.title,
        "date": article.date,
        "published": article.published,
        "url": article.url,
        "source": article.source,
        "publisher": source.name if source else article.publisher,
        "author": article.author,
        "language": article.language,
        "description": article.description,
        "body": article.body_text,
        "raw_name": article.raw_name,
        "entities": export_entities(index, article) if index else [],
        "annotations": [],
    }


def records(archive: Archive, index: EntityIndex | None = None) -> list[dict[str, Any]]:
    """Every article's record, newest first (undated last), then by id."""
    index = index or index_archive(archive)
    ordered = sorted(archive.articles, key=lambda a: a.id)
    ordered.sort(key=lambda a: a.date or "", reverse=True)
    return [record(a, archive, index) for a in ordered]


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with list fields (entities, annotations) as JSON text in their cell."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False)
                if isinstance(v, (list, dict))
                else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


FORMATS = {"jsonl": to_jsonl, "csv": to_csv}
