"""``postilla export``: the archive as data, one record per article (JSON Lines or CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .annotations import Anchored, AnnotationSet
from .entities import EntityIndex, export_entities, index_archive
from .model import Archive, Article

FIELDS = (
    "id", "title", "date", "published", "url", "source", "publisher", "author", "language",
    "description", "body", "raw_name", "entities", "annotations",
)  # fmt: skip


def record(
    article: Article,
    archive: Archive,
    index: EntityIndex | None = None,
    annotations: Sequence[Anchored] = (),
) -> dict[str, Any]:
    """One article as an export record, with its annotations (orphaned ones included)."""
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
        "annotations": [annotation_record(a) for a in annotations],
    }


def in_order(archive: Archive) -> list[Article]:
    """The articles in the order of the export: newest first (undated last), then by id."""
    ordered = sorted(archive.articles, key=lambda a: a.id)
    ordered.sort(key=lambda a: a.date or "", reverse=True)
    return ordered


def annotations_by_article(notes: AnnotationSet | None) -> dict[str, list[Anchored]]:
    """Every annotation (orphaned ones too) grouped by the article it is about."""
    grouped: dict[str, list[Anchored]] = {}
    for anchored in notes.anchored if notes else ():
        grouped.setdefault(anchored.annotation.article, []).append(anchored)
    return grouped


def records(
    archive: Archive, index: EntityIndex | None = None, notes: AnnotationSet | None = None
) -> list[dict[str, Any]]:
    """Every article's record, in export order."""
    index = index or index_archive(archive)
    notes_of = annotations_by_article(notes)
    return [record(a, archive, index, notes_of.get(a.id, ())) for a in in_order(archive)]


def annotation_record(anchored: Anchored) -> dict[str, Any]:
    """One annotation in the export: as written, and where it stands now."""
    note = anchored.annotation
    return {
        "id": note.id,
        "kind": note.kind,
        "verdict": note.verdict,
        "quote": note.quote,
        "prefix": note.prefix,
        "suffix": note.suffix,
        "note": note.note,
        "tags": list(note.tags),
        "author": note.author,
        "date": note.date,
        "links": list(note.links),
        "replies": [{"author": r.author, "date": r.date, "note": r.note} for r in note.replies],
        "start": anchored.anchor.start if anchored.anchor else None,
        "end": anchored.anchor.end if anchored.anchor else None,
        "orphaned": anchored.anchor is None,
    }


def web_annotations(archive: Archive, notes: AnnotationSet, site_url: str | None) -> str:
    """The annotations as a W3C Web Annotation collection (JSON-LD): a TextQuoteSelector
    (exact, prefix, suffix) and a TextPositionSelector (offsets in the body text, its
    paragraphs separated by a blank line) on each article's page; replies are annotations
    whose target is the annotation they answer."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    by_id = {a.id: a for a in archive.articles}
    items: list[dict[str, Any]] = []
    for anchored in notes.anchored:
        note = anchored.annotation
        article = by_id.get(note.article)
        if article is None or anchored.anchor is None:
            continue
        page = f"{base}articles/{article.id}/"
        body_text = article.body_text
        start, end = anchored.anchor.start, anchored.anchor.end
        annotation_id = f"{page}#annotation-{note.id}"
        bodies: list[dict[str, Any]] = [
            {
                "type": "TextualBody",
                "value": note.note,
                "format": "text/markdown",
                "purpose": note.motivation,
            }
        ]
        bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in note.tags]
        bodies += [
            {"type": "SpecificResource", "source": link, "purpose": "linking"}
            for link in note.links
        ]
        if note.verdict:
            bodies.append({"type": "TextualBody", "value": note.verdict, "purpose": "assessing"})
        items.append(
            {
                "id": annotation_id,
                "type": "Annotation",
                "motivation": note.motivation,
                "creator": {
                    "type": "Person",
                    "nickname": note.author,
                    "id": f"https://github.com/{note.author}",
                },
                "created": note.date,
                "body": bodies,
                "target": {
                    "source": page,
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": body_text[start:end],
                            "prefix": body_text[max(0, start - 32) : start],
                            "suffix": body_text[end : end + 32],
                        },
                        {"type": "TextPositionSelector", "start": start, "end": end},
                    ],
                },
            }
        )
        for n, reply in enumerate(note.replies, start=1):
            items.append(
                {
                    "id": f"{annotation_id}-reply-{n}",
                    "type": "Annotation",
                    "motivation": "replying",
                    "creator": {
                        "type": "Person",
                        "nickname": reply.author,
                        "id": f"https://github.com/{reply.author}",
                    },
                    "created": reply.date,
                    "body": {"type": "TextualBody", "value": reply.note, "format": "text/markdown"},
                    "target": annotation_id,
                }
            )
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{base}downloads/annotations.jsonld",
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def jsonl_line(row: dict[str, Any]) -> str:
    """One record as a line of JSON Lines."""
    return json.dumps(row, ensure_ascii=False) + "\n"


# A cell starting with one of these is a formula to a spreadsheet (Excel, LibreOffice,
# Google Sheets), which would run it: `=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text (OWASP's rule for CSV injection): one that
    starts like a formula gets a single quote in front; the rest is kept exactly."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_cell(value: Any) -> str:
    """One value as a CSV cell: lists and records as JSON text, None as empty, text
    neutralised (`neutralise_formula`)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)  # starts with [ or {
    return neutralise_formula("" if value is None else str(value))


def csv_line(row: dict[str, Any]) -> str:
    """One record as a CSV row (list fields, entities and annotations, as JSON text; a
    cell that a spreadsheet would read as a formula starts with a single quote). JSON
    Lines keep the exact text."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(csv_cell(row[k]) for k in FIELDS)
    return out.getvalue()


CSV_HEADER = ",".join(FIELDS) + "\n"


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(jsonl_line(row) for row in rows)


def to_csv(rows: list[dict[str, Any]]) -> str:
    return CSV_HEADER + "".join(csv_line(row) for row in rows)


FORMATS = {"jsonl": to_jsonl, "csv": to_csv}
