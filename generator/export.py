"""``postilla export``: the archive as data, one record per article (JSON Lines or CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .annotations import Anchored, Annotation, AnnotationSet
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


# --- W3C Web Annotations ---------------------------------------------------------------

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
COLLECTION = "downloads/annotations.jsonld"  # the collection, linked from the home page
COLLECTION_PAGES = "downloads/annotations"  # its pages: <n>.jsonld, from 1
ANNOTATIONS_PER_PAGE = 100
BODY_SELECTOR = ".postilla-body"  # the element of an article page that holds its body
QUOTE_CONTEXT = 32  # characters of prefix and suffix in a TextQuoteSelector


def utc_datetime(day: str) -> str:
    """An annotation's date (``YYYY-MM-DD``) as the ``xsd:dateTime`` in UTC the model
    requires: a date alone stands for midnight UTC of that day."""
    return f"{day}T00:00:00Z"


def annotation_path(article_id: str, note_id: str) -> str:
    """Where an annotation is published as its own JSON-LD document (its id): beside its
    article's page. ``.jsonld`` is served by GitHub Pages as ``application/ld+json``."""
    return f"articles/{article_id}/annotations/{note_id}.jsonld"


def reply_path(article_id: str, note_id: str, number: int) -> str:
    """Where the `number`-th reply (from 1) to an annotation is published."""
    return f"articles/{article_id}/annotations/{note_id}/reply-{number}.jsonld"


def page_path(number: int) -> str:
    """Where page `number` (from 1) of the annotation collection is published."""
    return f"{COLLECTION_PAGES}/{number}.jsonld"


def body_element_text(paragraphs: Sequence[str]) -> str:
    """The ``textContent`` of an article page's body element (`BODY_SELECTOR`), as
    `render.body_html` writes it: one ``<p>`` per paragraph, each on its own line."""
    return "\n" + "\n".join(paragraphs) + "\n"


def element_offset(paragraphs: Sequence[str], offset: int) -> int:
    """The offset in `body_element_text` of `offset` in ``Article.body_text`` (where
    paragraphs are joined by a blank line, not by one line break, and nothing precedes
    the first). An offset inside a paragraph separator moves to the next paragraph."""
    start = 0
    for index, paragraph in enumerate(paragraphs):
        if offset <= start + len(paragraph):
            # the paragraph starts after the element's first line break and one line
            # break (not two) after each earlier paragraph
            return 1 + start - index + max(0, offset - start)
        start += len(paragraph) + 2
    return len(body_element_text(paragraphs)) - 1


def text_target(page: str, paragraphs: Sequence[str], start: int, end: int) -> dict[str, Any]:
    """The target of a quote ``start:end`` of the body text: the article page, the body
    element (a CssSelector), refined by where the quote is in that element's text, once
    by its words (TextQuoteSelector) and once by its offsets (TextPositionSelector, in
    characters: Unicode code points, as the model says)."""
    text = body_element_text(paragraphs)
    a, b = element_offset(paragraphs, start), element_offset(paragraphs, end)
    quote = {
        "type": "TextQuoteSelector",
        "exact": text[a:b],
        "prefix": text[max(0, a - QUOTE_CONTEXT) : a],
        "suffix": text[b : b + QUOTE_CONTEXT],
    }
    position = {"type": "TextPositionSelector", "start": a, "end": b}
    return {
        "type": "SpecificResource",
        "source": page,
        "selector": [
            {"type": "CssSelector", "value": BODY_SELECTOR, "refinedBy": quote},
            {"type": "CssSelector", "value": BODY_SELECTOR, "refinedBy": position},
        ],
    }


def _person(handle: str) -> dict[str, str]:
    return {"type": "Person", "nickname": handle, "id": f"https://github.com/{handle}"}


def annotation_bodies(note: Annotation) -> list[dict[str, Any]]:
    """An annotation's bodies: its note, its tags, its links and its verdict."""
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
        {"type": "SpecificResource", "source": link, "purpose": "linking"} for link in note.links
    ]
    if note.verdict:
        bodies.append({"type": "TextualBody", "value": note.verdict, "purpose": "assessing"})
    return bodies


def web_annotation_items(
    archive: Archive, notes: AnnotationSet, site_url: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """Every anchored annotation (orphans have no place to point at), each followed by its
    replies (annotations whose target is the annotation they answer), as (path in the
    site, annotation without ``@context``). Each one's id is the address of its path."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    by_id = {a.id: a for a in archive.articles}
    items: list[tuple[str, dict[str, Any]]] = []
    for anchored in notes.anchored:
        note = anchored.annotation
        article = by_id.get(note.article)
        if article is None or anchored.anchor is None:
            continue
        path = annotation_path(article.id, note.id)
        annotation = {
            "id": base + path,
            "type": "Annotation",
            "motivation": note.motivation,
            "creator": _person(note.author),
            "created": utc_datetime(note.date),
            "body": annotation_bodies(note),
            "target": text_target(
                f"{base}articles/{article.id}/",
                article.paragraphs,
                anchored.anchor.start,
                anchored.anchor.end,
            ),
        }
        items.append((path, annotation))
        for number, reply in enumerate(note.replies, start=1):
            reply_at = reply_path(article.id, note.id, number)
            answer = {
                "id": base + reply_at,
                "type": "Annotation",
                "motivation": "replying",
                "creator": _person(reply.author),
                "created": utc_datetime(reply.date),
                "body": {"type": "TextualBody", "value": reply.note, "format": "text/markdown"},
                "target": base + path,
            }
            items.append((reply_at, answer))
    return items


def _document(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def web_annotation_files(
    archive: Archive, notes: AnnotationSet, site_url: str | None, label: str = "Annotations"
) -> dict[str, str]:
    """The annotations as W3C Web Annotations (JSON-LD), path in the site -> text: each
    annotation and reply as its own document at its id; the AnnotationCollection
    (`COLLECTION`: total, first and last page, the first page embedded); and its
    AnnotationPages of `ANNOTATIONS_PER_PAGE` (`page_path`: partOf, startIndex, prev,
    next, items)."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    items = web_annotation_items(archive, notes, site_url)
    files = {path: _document({"@context": ANNO_CONTEXT, **item}) for path, item in items}
    count = max(1, -(-len(items) // ANNOTATIONS_PER_PAGE))
    part_of = {"id": base + COLLECTION, "label": label, "total": len(items)}
    pages = []
    for number in range(1, count + 1):
        first = (number - 1) * ANNOTATIONS_PER_PAGE
        page: dict[str, Any] = {
            "id": base + page_path(number),
            "type": "AnnotationPage",
            "partOf": part_of,
            "startIndex": first,
        }
        if number > 1:
            page["prev"] = base + page_path(number - 1)
        if number < count:
            page["next"] = base + page_path(number + 1)
        page["items"] = [item for _, item in items[first : first + ANNOTATIONS_PER_PAGE]]
        pages.append(page)
        files[page_path(number)] = _document({"@context": ANNO_CONTEXT, **page})
    first_page = {k: v for k, v in pages[0].items() if k != "partOf"}
    files[COLLECTION] = _document(
        {
            "@context": ANNO_CONTEXT,
            "id": base + COLLECTION,
            "type": "AnnotationCollection",
            "label": label,
            "total": len(items),
            "first": first_page,
            "last": base + page_path(count),
        }
    )
    return files


def web_annotations(archive: Archive, notes: AnnotationSet, site_url: str | None) -> str:
    """The annotation collection document (`COLLECTION`) of `web_annotation_files`."""
    return web_annotation_files(archive, notes, site_url)[COLLECTION]


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
