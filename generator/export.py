"""``postilla export``: the archive as data, one record per article (JSON Lines or CSV),
and the registries (sources, entities) as tables of their own.

Every table's columns are declared once, here (`Column`): the records, the CSV header and
the Frictionless schema of ``downloads/datapackage.json`` (`generator.datapackage`) are all
made from these declarations, so they cannot drift apart."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .annotations import Anchored, Annotation, AnnotationSet
from .archive import FRONT_MATTER_KEYS, article_front_matter
from .entities import EntityIndex, export_entities, index_archive
from .model import ENTITY_TYPES, Archive, Article, Entity, Source


@dataclass(frozen=True)
class Column:
    """One column of a downloaded table: its name, its Frictionless Table Schema type
    (``string``, ``integer``, ``number``, ``date``, ``array``), what it holds, and the
    constraints every value meets (a Table Schema ``constraints`` object)."""

    name: str
    type: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)


SHA256 = {"pattern": "[0-9a-f]{64}"}
PARTIAL_DATE = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
DATE_PRECISIONS = ("year", "month", "day")

# The article table, front matter first (in its documented order, `date_precision` and
# `source_domain` beside what they come from), then what the archive knows of the body.
DECLARED_ARTICLE_COLUMNS = (
    Column("id", "string", "the article's stable id: its page is articles/<id>/",
           {"required": True, "unique": True, "pattern": "[a-z0-9][a-z0-9-]{0,79}"}),
    Column("title", "string", "the title", {"required": True}),
    Column("date", "string", "publication date, only as precise as the evidence: "
           "YYYY, YYYY-MM or YYYY-MM-DD; empty when nothing states it",
           {"pattern": PARTIAL_DATE}),
    Column("date_precision", "string", "how precise `date` is: year, month or day",
           {"enum": list(DATE_PRECISIONS)}),
    Column("date_source", "string", "where the date came from: published, timestamp, byline, "
           "dateline, headline (with a header that agrees), header, url"),
    Column("published", "string", "ISO 8601 date and time with offset, when the page gives one"),
    Column("url", "string", "the original address"),
    Column("source", "string", "the domain of the original address"),
    Column("source_domain", "string", "the domain in the sources table this article's source "
           "falls under (it.example.com under example.com); empty when unregistered"),
    Column("publisher", "string", "the publisher's name (from the sources table when registered)"),
    Column("title_source", "string", "where the title came from",
           {"enum": ["headline", "derived", "edited"]}),
    Column("author", "string", "the byline"),
    Column("author_source", "string", "where the author came from: byline, page metadata, edited"),
    Column("place", "string", "the dateline's place"),
    Column("agency", "string", "the news agency named in the dateline"),
    Column("language", "string", "the language of the text (ISO 639 code)"),
    Column("description", "string", "the page's teaser, when it had one"),
    Column("words", "integer", "words in the body", {"minimum": 0}),
    Column("raw", "string", "the raw file as received, relative to the site: raw/<name>"),
    Column("raw_name", "string", "the name of the file it was imported from"),
    Column("raw_sha256", "string", "SHA-256 of the raw file's bytes", SHA256),
    Column("body_sha256", "string", "SHA-256 of the body as imported (differs when edited by "
           "hand)", SHA256),
    Column("imported", "date", "the day it was imported"),
    Column("footnotes", "array", "publisher notes kept apart from the body"),
    Column("removed", "array", "every raw line cleaning kept out of the body: "
           "{line, text, rule, reason}"),
    Column("body", "string", "the cleaned text, paragraphs separated by a blank line"),
    Column("entities", "array", "the registry entities named: {id, name, type, mentions}"),
    Column("annotations", "array", "contributors' annotations, orphaned ones included"),
    Column("cluster", "string", "the republication cluster: articles with near-identical "
           "text on other outlets share it; empty when none", {"pattern": "c-[0-9a-f]{10}"}),
)  # fmt: skip


# Table Schema types of the JSON Schema types an article's front matter uses.
TABLE_TYPES = {"string": "string", "integer": "integer", "number": "number",
               "boolean": "boolean", "array": "array", "object": "object"}  # fmt: skip


def front_matter_column(key: str) -> Column:
    """A column for a front-matter key, its type and description taken from the article
    schema (``schemas/article.schema.json``)."""
    described = schema.validator("article").schema["properties"].get(key, {})
    kinds = described.get("type", "string")
    kinds = [k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null"]
    return Column(
        key,
        TABLE_TYPES.get(kinds[0] if kinds else "string", "string"),
        described.get("description", f"the front matter's {key!r}"),
    )


def with_front_matter(declared: Sequence[Column]) -> tuple[Column, ...]:
    """`declared`, with any front-matter key it does not declare (one added to the article
    format later) put after the key that precedes it in the front matter, typed by the
    article schema (`front_matter_column`): no field of an article is ever left out."""
    columns = list(declared)
    for number, key in enumerate(FRONT_MATTER_KEYS):
        if key in {c.name for c in columns}:
            continue
        names = [c.name for c in columns]
        before = [k for k in FRONT_MATTER_KEYS[:number] if k in names]
        at = names.index(before[-1]) + 1 if before else 0
        columns.insert(at, front_matter_column(key))
    return tuple(columns)


ARTICLE_COLUMNS = with_front_matter(DECLARED_ARTICLE_COLUMNS)
FIELDS = tuple(column.name for column in ARTICLE_COLUMNS)

SOURCE_COLUMNS = (
    Column("domain", "string", "the publisher's domain, without www.",
           {"required": True, "unique": True}),
    Column("name", "string", "the publisher's name", {"required": True}),
    Column("country", "string", "the publisher's country"),
    Column("kind", "string", "agency, newspaper, state media, blog, aggregator, magazine…"),
    Column("url", "string", "the publisher's home page"),
    Column("notes", "string", "the maintainers' notes"),
    Column("articles", "integer", "articles in the archive from this source", {"minimum": 0}),
)  # fmt: skip

ENTITY_COLUMNS = (
    Column("id", "string", "the entity's stable id: its page is entities/<id>/",
           {"required": True, "unique": True}),
    Column("name", "string", "the entity's name", {"required": True}),
    Column("type", "string", "what it is", {"required": True, "enum": list(ENTITY_TYPES)}),
    Column("aliases", "array", "every other name linked to it in the texts"),
    Column("wikidata", "string", "its Wikidata id", {"pattern": "Q[1-9][0-9]*"}),
    Column("wikidata_url", "string", "its Wikidata page"),
    Column("description", "string", "what the maintainers say of it"),
    Column("latitude", "number", "a place's latitude, decimal degrees (WGS 84)",
           {"minimum": -90, "maximum": 90}),
    Column("longitude", "number", "a place's longitude, decimal degrees (WGS 84)",
           {"minimum": -180, "maximum": 180}),
    Column("links", "array", "web pages about it"),
    Column("articles", "integer", "articles in the archive that name it", {"minimum": 0}),
)  # fmt: skip

SOURCE_FIELDS = tuple(column.name for column in SOURCE_COLUMNS)
ENTITY_FIELDS = tuple(column.name for column in ENTITY_COLUMNS)


def date_precision(date: str | None) -> str | None:
    """How precise a partial date is: ``2021`` year, ``2021-10`` month, ``2021-10-24`` day."""
    return DATE_PRECISIONS[date.count("-")] if date else None


def record(
    article: Article,
    archive: Archive,
    index: EntityIndex | None = None,
    annotations: Sequence[Anchored] = (),
    cluster: str | None = None,
) -> dict[str, Any]:
    """One article as an export record: every front-matter field (`ARTICLE_COLUMNS`), the
    body, its entities, its annotations (orphaned ones included) and its republication
    cluster's id."""
    source = archive.source_for(article.source)
    values = article_front_matter(article) | {
        "date_precision": date_precision(article.date),
        "source_domain": source.domain if source else None,
        "publisher": source.name if source else article.publisher,
        "body": article.body_text,
        "entities": export_entities(index, article) if index else [],
        "annotations": [annotation_record(a) for a in annotations],
        "cluster": cluster,
    }
    return {name: values.get(name) for name in FIELDS}


def source_records(archive: Archive) -> list[dict[str, Any]]:
    """Every registered source (`SOURCE_COLUMNS`), by domain, with its number of articles
    (those whose source is its domain or falls under it)."""
    counts = Counter(s.domain for a in archive.articles if (s := archive.source_for(a.source)))
    return [source_record(s, counts[s.domain]) for s in sorted(archive.sources, key=_domain)]


def _domain(source: Source) -> str:
    return source.domain


def source_record(source: Source, articles: int) -> dict[str, Any]:
    """One source as a row of the sources table."""
    values = {
        "domain": source.domain,
        "name": source.name,
        "country": source.country,
        "kind": source.kind,
        "url": source.url,
        "notes": source.notes,
        "articles": articles,
    }
    return {name: values[name] for name in SOURCE_FIELDS}


def entity_records(archive: Archive, index: EntityIndex | None = None) -> list[dict[str, Any]]:
    """Every entity of the registry (`ENTITY_COLUMNS`), by id, with its number of articles."""
    index = index or index_archive(archive)
    return [
        entity_record(e, len(index.articles_of.get(e.id, ())))
        for e in sorted(archive.entities, key=lambda e: e.id)
    ]


def entity_record(entity: Entity, articles: int) -> dict[str, Any]:
    """One entity as a row of the entities table, its coordinates as two numbers."""
    latitude, longitude = entity.coordinates or (None, None)
    values = {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": list(entity.aliases),
        "wikidata": entity.wikidata,
        "wikidata_url": f"https://www.wikidata.org/wiki/{entity.wikidata}"
        if entity.wikidata
        else None,
        "description": entity.description,
        "latitude": latitude,
        "longitude": longitude,
        "links": list(entity.links),
        "articles": articles,
    }
    return {name: values[name] for name in ENTITY_FIELDS}


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
    archive: Archive,
    index: EntityIndex | None = None,
    notes: AnnotationSet | None = None,
    cluster_ids: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every article's record, in export order (`cluster_ids`: each clustered article's
    cluster id, found here when not given)."""
    index = index or index_archive(archive)
    notes_of = annotations_by_article(notes)
    cluster_ids = clusters_of(archive) if cluster_ids is None else cluster_ids
    return [
        record(a, archive, index, notes_of.get(a.id, ()), cluster_ids.get(a.id))
        for a in in_order(archive)
    ]


def clusters_of(archive: Archive) -> dict[str, str]:
    """Each clustered article's republication cluster id (`clusters`)."""
    from .clusters import cluster_of, find_clusters

    return {key: cluster.id for key, cluster in cluster_of(find_clusters(archive.articles)).items()}


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
    """One value as a CSV cell: lists and records as JSON text, None as empty, a number as
    its digits (``-33.9`` is a number to a spreadsheet, never a formula), text
    neutralised (`neutralise_formula`)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)  # starts with [ or {
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return neutralise_formula("" if value is None else str(value))


def csv_line(row: dict[str, Any], fields: Sequence[str] = FIELDS) -> str:
    """One record as a CSV row of `fields` (list fields, entities, annotations and removed
    lines, as JSON text; a cell that a spreadsheet would read as a formula starts with a
    single quote). JSON Lines keep the exact text."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(csv_cell(row[k]) for k in fields)
    return out.getvalue()


def csv_header(fields: Sequence[str]) -> str:
    """The header line of a CSV table of `fields`."""
    return ",".join(fields) + "\n"


CSV_HEADER = csv_header(FIELDS)


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    """Records as JSON Lines."""
    return "".join(jsonl_line(row) for row in rows)


def to_csv(rows: list[dict[str, Any]], fields: Sequence[str] = FIELDS) -> str:
    """Records as CSV with a header line: one column per name of `fields`."""
    return csv_header(fields) + "".join(csv_line(row, fields) for row in rows)


FORMATS = {"jsonl": to_jsonl, "csv": to_csv}
