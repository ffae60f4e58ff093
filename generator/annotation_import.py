"""``postilla annotations import``: annotations made elsewhere, as Postilla annotation files.

Two formats are read, told apart by their shape:

- **Hypothesis**: the sidebar's "Export annotations" JSON (``{"export_date", …,
  "annotations": [...]}``), an API search result (``{"total", "rows": [...]}``) or a bare
  list of rows; each row with ``uri``, ``text``, ``tags``, ``user`` (``acct:name@authority``),
  ``created``, ``target[].selector[]`` and ``references`` for replies.
- **W3C Web Annotation** JSON-LD: one ``Annotation``, an ``AnnotationPage``, an
  ``AnnotationCollection`` with its pages embedded (Postilla's own
  ``downloads/annotations.jsonld``), or a list of annotations; replies are annotations whose
  motivation is ``replying`` and whose target is the annotation they answer.

Every row becomes an `Incoming` (reading is pure: text in, rows out), then `plan_import`
matches its address to an archived article, anchors its quote with the anchoring of
hand-written files (`annotations.anchor`), and groups what anchors into one new file per
input file and article. Nothing is dropped silently: each row ends as an `Outcome` that
says what became of it and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from slugify import slugify

from . import annotations as anchoring
from . import yamlio
from .annotations import KINDS, MOTIVATIONS, VERDICTS, Anchor, Anchored, Annotation, NewAnnotation
from .model import Article, Problem

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a Hypothesis export of a very busy group is a few MB
HEADER = "# yaml-language-server: $schema=../../../generator/schemas/annotation.schema.json\n"
ANONYMOUS = "anonymous"  # the author of an annotation whose creator has no name
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
MAX_TAGS = 20

# Hypothesis has no kinds: fact-checkers tag them. Tags (compared as slugs) that give the
# kind, and, for a fact-check, the verdict; these tags are not kept as tags.
KIND_TAGS = {
    "fact-check": "fact-check",
    "factcheck": "fact-check",
    "fact-checking": "fact-check",
    "verifica": "fact-check",
    "context": "context",
    "contesto": "context",
    "question": "question",
    "domanda": "question",
    "correction": "correction",
    "correzione": "correction",
    "comment": "comment",
    "commento": "comment",
}
VERDICT_TAGS = {
    "true": "true",
    "vero": "true",
    "false": "false",
    "falso": "false",
    "misleading": "misleading",
    "fuorviante": "misleading",
    "unverified": "unverified",
    "non-verificato": "unverified",
}
# A fact-check whose tags give no verdict gets this one (the schema requires one).
DEFAULT_VERDICT = "unverified"
KIND_OF_MOTIVATION = {motivation: kind for kind, motivation in MOTIVATIONS.items()}
W3C_TYPES = {"Annotation", "AnnotationPage", "AnnotationCollection"}

Status = Literal["imported", "reply", "already", "skipped"]


class ImportInputError(Exception):
    """An input file that cannot be read as annotations at all: one line naming it."""


@dataclass(frozen=True)
class Incoming:
    """One annotation of an input file, in Postilla's terms, before it meets the archive."""

    source: str  # the input file, as shown in messages
    index: int  # its place in the input (0-based, in reading order)
    id: str | None  # its id in the tool it comes from (replies name it)
    uri: str | None  # the address it annotates
    exact: str | None  # the quote, None for a page note or a reply
    prefix: str | None
    suffix: str | None
    position: tuple[int, int] | None  # a TextPositionSelector's offsets
    note: str
    kind: str
    verdict: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    author: str
    date: str
    reply_to: str | None  # the id of the annotation this one answers
    postilla_id: str | None = None  # the id Postilla's own export gave it
    title: str | None = None  # the annotated document's title, for messages
    row: Any = field(default=None, compare=False, repr=False)  # the row as read


@dataclass(frozen=True)
class Outcome:
    """What became of one input row."""

    source: str
    index: int
    status: Status
    reason: str
    uri: str | None = None
    article: str | None = None
    file: str | None = None
    row: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        said = f"not imported: {self.reason}" if self.status == "skipped" else self.reason
        return f"{self.source}: row {self.index}: {said}"

    def record(self) -> dict[str, Any]:
        """The outcome as a JSON Lines record of the report; a row not imported keeps its
        whole input, so nothing is lost."""
        out: dict[str, Any] = {
            "input": self.source,
            "index": self.index,
            "status": self.status,
            "reason": self.reason,
            "uri": self.uri,
            "article": self.article,
            "file": self.file,
        }
        if self.status == "skipped":
            out["row"] = self.row
        return out


@dataclass(frozen=True)
class PlannedFile:
    """A new annotation file: where it goes and its text."""

    path: Path
    text: str
    annotations: int
    replies: int


@dataclass(frozen=True)
class Plan:
    files: tuple[PlannedFile, ...]
    outcomes: tuple[Outcome, ...]

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)


# --- reading an input file ---------------------------------------------------------------


def read_input(path: Path, display: str, today: str) -> tuple[list[Incoming], list[Outcome]]:
    """The rows of one input file; ImportInputError when it is not one of the formats."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportInputError(f"{display}: cannot read the file: {exc.strerror}") from exc
    if size > MAX_INPUT_BYTES:
        raise ImportInputError(
            f"{display}: larger than {MAX_INPUT_BYTES // 2**20} MiB — split the export"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportInputError(f"{display}: cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImportInputError(
            f"{display}: not UTF-8 text (byte {exc.start}) — export the annotations as JSON"
        ) from exc
    return parse_input(text, display, today)


def parse_input(text: str, display: str, today: str) -> tuple[list[Incoming], list[Outcome]]:
    """The rows of an input's text (pure): each one read, or an Outcome saying why not."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportInputError(
            f"{display}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}"
            " — give a Hypothesis export or W3C annotations (JSON-LD)"
        ) from exc
    kind, rows = input_rows(data, display)
    reader = _hypothesis_row if kind == "hypothesis" else _w3c_row
    read: list[Incoming] = []
    failed: list[Outcome] = []
    for index, row in enumerate(rows):
        try:
            read.append(reader(row, index, display, today))
        except ValueError as exc:
            failed.append(
                Outcome(display, index, "skipped", f"malformed row: {exc}", _uri_of(row), row=row)
            )
    return read, failed


def input_rows(data: Any, display: str) -> tuple[Literal["hypothesis", "w3c"], list[Any]]:
    """Which format `data` is, and its rows; ImportInputError for any other shape."""
    if isinstance(data, dict):
        if isinstance(data.get("annotations"), list) and "type" not in data:
            return "hypothesis", data["annotations"]  # the sidebar's export
        if isinstance(data.get("rows"), list):
            return "hypothesis", data["rows"]  # an API search result
        types = _types(data)
        if "AnnotationCollection" in types:
            return "w3c", _collection_items(data, display)
        if "AnnotationPage" in types:
            return "w3c", _page_items(data, display)
        if "Annotation" in types:
            return "w3c", [data]
    elif isinstance(data, list):
        if all(isinstance(r, dict) and W3C_TYPES & _types(r) for r in data) and data:
            return "w3c", data
        if all(isinstance(r, dict) and ("uri" in r or "user" in r) for r in data):
            return "hypothesis", data
        # A list mixing shapes: read as the format of most rows, the others are malformed.
        w3c = sum(isinstance(r, dict) and bool(W3C_TYPES & _types(r)) for r in data)
        return ("w3c" if w3c * 2 > len(data) else "hypothesis"), data
    raise ImportInputError(
        f"{display}: not a Hypothesis export (a list of annotations, or an object with"
        " 'annotations' or 'rows') nor W3C annotations (an Annotation, AnnotationPage or"
        " AnnotationCollection) — nothing imported"
    )


def _types(value: dict) -> set[str]:
    """The type names of a JSON-LD object, without an ``oa:`` prefix."""
    raw = value.get("type", value.get("@type"))
    names = raw if isinstance(raw, list) else [raw]
    return {n.removeprefix("oa:") for n in names if isinstance(n, str)}


def _page_items(page: dict, display: str) -> list[Any]:
    """The items of an AnnotationPage and of the pages embedded after it (``next``)."""
    items: list[Any] = []
    seen = 0
    while isinstance(page, dict):
        found = page.get("items", [])
        if not isinstance(found, list):
            raise ImportInputError(f"{display}: an AnnotationPage's 'items' is not a list")
        items += found
        page = page.get("next")  # type: ignore[assignment]
        seen += 1
        if seen > 100_000:
            break
    if isinstance(page, str):
        raise ImportInputError(
            f"{display}: the next page is a link ({page}), not in the file — download every"
            " page and import each"
        )
    return items


def _collection_items(collection: dict, display: str) -> list[Any]:
    first = collection.get("first")
    if isinstance(first, dict):
        return _page_items(first, display)
    if first is None and not collection.get("total"):
        return []
    raise ImportInputError(
        f"{display}: the collection's first page is not in the file ({first!r}) — download it"
        " and import it"
    )


def _uri_of(row: Any) -> str | None:
    if not isinstance(row, dict):
        return None
    uri = row.get("uri")
    if isinstance(uri, str):
        return uri
    sources = [s for s, _ in _targets(row.get("target"))]
    return next((s for s in sources if s), None)


def _text(value: Any, what: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    return value


def _created(value: Any, today: str) -> str:
    """The UTC day of a date-time (or a date); `today` when the row gives none."""
    if value is None:
        return today
    if not isinstance(value, str):
        raise ValueError("'created' is not text")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'created' {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date().isoformat()


def author_handle(name: str | None) -> str:
    """A name as an author handle (letters, digits, single hyphens; at most 39)."""
    handle = slugify(name or "", max_length=39, word_boundary=False).strip("-")
    return handle or ANONYMOUS


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as the schema takes them: letters, digits, spaces and hyphens, starting with a
    letter or digit, at most 40 characters; duplicates and empty ones dropped."""
    out: list[str] = []
    for tag in tags:
        cleaned = re.sub(r"[^\w -]", "", " ".join(tag.split()))
        cleaned = re.sub(r"^[^\w]+", "", cleaned)[:40].rstrip()
        if cleaned and cleaned.casefold() not in {t.casefold() for t in out}:
            out.append(cleaned)
    return tuple(out[:MAX_TAGS])


def kind_from_tags(tags: Iterable[str]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The kind and verdict some tags give (Hypothesis has neither), and the other tags."""
    kind = verdict = None
    rest: list[str] = []
    listed = list(tags)
    for tag in listed:
        slug = slugify(tag)
        if slug in KIND_TAGS and kind is None:
            kind = KIND_TAGS[slug]
        else:
            rest.append(tag)
    if kind == "fact-check":
        kept = []
        for tag in rest:
            slug = slugify(tag).removeprefix("verdict-").removeprefix("verdetto-")
            if slug in VERDICT_TAGS and verdict is None:
                verdict = VERDICT_TAGS[slug]
            else:
                kept.append(tag)
        rest = kept
    return kind, verdict, tuple(rest)


def _hypothesis_row(row: Any, index: int, display: str, today: str) -> Incoming:
    if not isinstance(row, dict):
        raise ValueError("not an object")
    tags = row.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("'tags' is not a list of text")
    user = _text(row.get("user"), "'user'")
    name = user.removeprefix("acct:").split("@")[0] if user else None
    references = row.get("references") or []
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise ValueError("'references' is not a list of ids")
    exact, prefix, suffix, position = _quote(row.get("target"))
    kind, verdict, rest = kind_from_tags(tags)
    kind = kind or "comment"
    if kind == "fact-check":
        verdict = verdict or DEFAULT_VERDICT
    titles = (
        (row.get("document") or {}).get("title") if isinstance(row.get("document"), dict) else None
    )
    title = (
        titles[0] if isinstance(titles, list) and titles and isinstance(titles[0], str) else None
    )
    return Incoming(
        source=display,
        index=index,
        id=row["id"] if isinstance(row.get("id"), str) else None,
        uri=_uri_of(row),
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        position=position,
        note=_text(row.get("text"), "'text'").strip(),
        kind=kind,
        verdict=verdict,
        tags=clean_tags(rest),
        links=(),
        author=author_handle(name),
        date=_created(row.get("created"), today),
        # h lists a reply's ancestors from the thread's root down: the root is first.
        reply_to=references[0] if references else None,
        title=title,
        row=row,
    )


def _targets(value: Any) -> list[tuple[str | None, list[dict]]]:
    """Each target as (its source address, its selectors, refinements included)."""
    out: list[tuple[str | None, list[dict]]] = []
    for target in value if isinstance(value, list) else [value]:
        if isinstance(target, str):
            out.append((target, []))
        elif isinstance(target, dict):
            source = target.get("source", target.get("id"))
            if isinstance(source, list):  # Hypothesis' own clients once wrote a list
                source = source[0] if source else None
            if isinstance(source, dict):
                source = source.get("id")
            out.append((source if isinstance(source, str) else None, _selectors(target)))
    return out


def _selectors(holder: dict) -> list[dict]:
    found: list[dict] = []
    value = holder.get("selector")
    for selector in value if isinstance(value, list) else [value]:
        if isinstance(selector, dict):
            found.append(selector)
            refined = selector.get("refinedBy")
            for inner in refined if isinstance(refined, list) else [refined]:
                if isinstance(inner, dict):
                    found += [inner, *_selectors({"selector": inner.get("refinedBy")})]
    return found


def _quote(
    target: Any,
) -> tuple[str | None, str | None, str | None, tuple[int, int] | None]:
    """The quote, prefix, suffix and position of the first target that has a quote."""
    for _, selectors in _targets(target):
        types = {_types(s).pop() if _types(s) else "": s for s in selectors}
        quote = types.get("TextQuoteSelector")
        if quote is None:
            continue
        exact = quote.get("exact")
        if not isinstance(exact, str):
            raise ValueError("a TextQuoteSelector without 'exact' text")
        where = types.get("TextPositionSelector")
        position = None
        if where and isinstance(where.get("start"), int) and isinstance(where.get("end"), int):
            position = (where["start"], where["end"])
        prefix, suffix = quote.get("prefix"), quote.get("suffix")
        return (
            exact,
            prefix if isinstance(prefix, str) else None,
            suffix if isinstance(suffix, str) else None,
            position,
        )
    return None, None, None, None


def _w3c_row(row: Any, index: int, display: str, today: str) -> Incoming:
    if not isinstance(row, dict):
        raise ValueError("not an object")
    if not W3C_TYPES & _types(row):
        raise ValueError("not a W3C Annotation (no type: Annotation)")
    motivations = row.get("motivation") or []
    motivations = motivations if isinstance(motivations, list) else [motivations]
    bodies = row.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    textual = [b for b in bodies if isinstance(b, dict) and isinstance(b.get("value"), str)]
    tags = [b["value"] for b in textual if b.get("purpose") == "tagging"]
    verdicts = [
        b
        for b in textual
        if b.get("purpose") == "assessing" and b["value"].strip() in VERDICTS and "format" not in b
    ]
    notes = [b for b in textual if b.get("purpose") != "tagging" and b not in verdicts]
    if not notes and verdicts:
        notes, verdicts = verdicts[:1], verdicts[1:]
    note = "\n\n".join(b["value"].strip() for b in notes)
    if isinstance(row.get("bodyValue"), str):
        note = "\n\n".join(filter(None, [row["bodyValue"].strip(), note]))
    addresses = [
        b.get("source") or b.get("id")
        for b in bodies
        if isinstance(b, dict) and b.get("purpose") == "linking"
    ]
    links = tuple(a for a in addresses if isinstance(a, str) and re.match(r"https?://\S+$", a))
    purposes = [b.get("purpose") for b in notes if isinstance(b.get("purpose"), str)]
    kind = next(
        (KIND_OF_MOTIVATION[m] for m in [*motivations, *purposes] if m in KIND_OF_MOTIVATION),
        None,
    )
    tag_kind, tag_verdict, rest = kind_from_tags(tags)
    if kind in (None, "comment") and tag_kind:
        tags = list(rest)
        kind = tag_kind
    kind = kind or "comment"
    verdict = verdicts[0]["value"].strip() if verdicts else tag_verdict
    verdict = (verdict or DEFAULT_VERDICT) if kind == "fact-check" else None
    exact, prefix, suffix, position = _quote(row.get("target"))
    reply_to = None
    if "replying" in motivations:
        sources = [s for s, _ in _targets(row.get("target"))]
        reply_to = sources[0] if sources else None
    identifier = row.get("id", row.get("@id"))
    identifier = identifier if isinstance(identifier, str) else None
    return Incoming(
        source=display,
        index=index,
        id=identifier,
        uri=_uri_of(row),
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        position=position,
        note=note,
        kind=kind if kind in KINDS else "comment",
        verdict=verdict if verdict in VERDICTS else None,
        tags=clean_tags(tags),
        links=links,
        author=_creator(row.get("creator")),
        date=_created(row.get("created"), today),
        reply_to=reply_to,
        postilla_id=postilla_id(identifier),
        row=row,
    )


def _creator(value: Any) -> str:
    """The author handle of a W3C creator: a GitHub account, else nickname, else name."""
    creator = value[0] if isinstance(value, list) and value else value
    if isinstance(creator, str):
        creator = {"id": creator}
    if not isinstance(creator, dict):
        return ANONYMOUS
    identifier = creator.get("id")
    if isinstance(identifier, str):
        github = re.match(r"https?://github\.com/([A-Za-z0-9-]+)/?$", identifier)
        if github:
            return author_handle(github.group(1))
    for key in ("nickname", "name"):
        if isinstance(creator.get(key), str) and creator[key].strip():
            return author_handle(creator[key])
    if isinstance(identifier, str):
        if identifier.startswith("acct:"):
            return author_handle(identifier[5:].split("@")[0])
        return author_handle(identifier.rstrip("/").rsplit("/", 1)[-1])
    return ANONYMOUS


def postilla_id(identifier: str | None) -> str | None:
    """The annotation id inside an id Postilla's export gave (``…#annotation-ID``, or
    ``…/annotations/ID[.jsonld]``), None for another tool's id."""
    if not identifier:
        return None
    parts = urlsplit(identifier)
    if parts.fragment.startswith("annotation-"):
        found = parts.fragment.removeprefix("annotation-")
    else:
        match = re.search(r"/annotations?/([^/]+?)(?:\.jsonld|\.json)?/?$", parts.path)
        found = match.group(1) if match else ""
    return found if ID_PATTERN.fullmatch(found) else None


# --- matching addresses to articles --------------------------------------------------------


def url_key(url: str) -> str | None:
    """An address as a key that http/https, ``www.``, a trailing slash, a fragment, the
    order of query parameters and ``utm_*`` parameters do not change; None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if port and port not in (80, 443):
        host += f":{port}"
    path = unquote(parts.path).rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    )
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def article_index(articles: Iterable[Article]) -> dict[str, str]:
    """Each article's original address (as `url_key`) → its id."""
    return {key: a.id for a in articles if a.url and (key := url_key(a.url))}


def match_article(uri: str | None, by_url: dict[str, str], ids: set[str]) -> str | None:
    """The id of the article `uri` names: by its original address, or by its page on the
    site (``…/articles/<id>/``, on any copy of the site: its address, a fork, a preview)."""
    if not uri:
        return None
    key = url_key(uri)
    if key and key in by_url:
        return by_url[key]
    path = unquote(urlsplit(uri.strip()).path).removesuffix("index.html")
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "articles" and segments[-1] in ids:
        return segments[-1]
    return None


# --- planning: anchor, group, name ---------------------------------------------------------


def _same(text: str | None) -> str:
    return " ".join((text or "").split())


def anchor_incoming(item: Incoming, article: Article) -> Anchor | Problem:
    """Where the item's quote is in the article, with the anchoring of hand-written files;
    a quote found several times with no context to choose is placed by its position when
    the position points at the same words."""
    probe = Annotation(
        id="import",
        article=article.id,
        quote=item.exact or "",
        note=item.note,
        kind=item.kind,
        author=item.author,
        date=item.date,
        prefix=item.prefix,
        suffix=item.suffix,
        path=item.source,
    )
    found = anchoring.anchor(probe, article.body_text)
    if isinstance(found, Problem) and item.position and " times in " in found.message:
        start, end = item.position
        body = article.body_text
        if 0 <= start < end <= len(body) and _same(body[start:end]) == _same(item.exact):
            return Anchor(start, end, body[start:end], True)
    return found


@dataclass
class _Entry:
    """An annotation being planned: its item, where it anchors, its replies."""

    item: Incoming
    article: Article
    anchor: Anchor
    quote: str
    id: str | None = None
    replies: list[Incoming] = field(default_factory=list)

    def key(self) -> tuple[str, int, int, str, str]:
        return (
            self.article.id,
            self.anchor.start,
            self.anchor.end,
            self.item.author,
            _same(self.item.note),
        )


def _existing_keys(existing: Iterable[Anchored]) -> dict[tuple[str, int, int, str, str], Anchored]:
    return {
        (
            a.annotation.article,
            a.anchor.start,
            a.anchor.end,
            a.annotation.author,
            _same(a.annotation.note),
        ): a
        for a in existing
        if a.anchor is not None
    }


def plan_import(
    items: list[Incoming],
    articles: dict[str, Article],
    existing: Iterable[Anchored],
    content: Path,
) -> Plan:
    """The files an import writes and an Outcome for every item (pure: nothing written).
    `existing` are the archive's annotations, so nothing already there is written again."""
    existing = list(existing)
    by_url = article_index(articles.values())
    ids = set(articles)
    known = _existing_keys(existing)
    taken_ids = {a.annotation.id for a in existing}
    outcomes: list[Outcome] = []
    entries: list[_Entry] = []
    entry_of: dict[str, _Entry] = {}  # an input id → the entry it is (or answers)
    already_of: dict[str, Anchored] = {}
    planned: dict[tuple[str, int, int, str, str], _Entry] = {}

    def outcome(item: Incoming, status: Status, reason: str, article: str | None = None) -> None:
        outcomes.append(
            Outcome(item.source, item.index, status, reason, item.uri, article, row=item.row)
        )

    roots = [i for i in items if i.reply_to is None]
    replies = [i for i in items if i.reply_to is not None]
    for item in roots:
        article_id = match_article(item.uri, by_url, ids)
        if article_id is None:
            title = f" («{item.title}»)" if item.title else ""
            outcome(item, "skipped", f"no archived article has the address {item.uri}{title}")
            continue
        if not item.exact:
            outcome(
                item,
                "skipped",
                "a page note without a quote: Postilla annotates passages",
                article_id,
            )
            continue
        if not item.note:
            outcome(item, "skipped", "a highlight without a note: nothing to say", article_id)
            continue
        article = articles[article_id]
        found = anchor_incoming(item, article)
        if isinstance(found, Problem):
            outcome(item, "skipped", found.message, article_id)
            continue
        entry = _Entry(item, article, found, _same(found.text))
        if entry.key() in known:
            there = known[entry.key()].annotation
            outcome(item, "already", f"already there: {there.path}:{there.line}", article_id)
            if item.id:
                already_of[item.id] = known[entry.key()]
            continue
        if entry.key() in planned:
            first = planned[entry.key()].item
            outcome(
                item,
                "already",
                f"the same annotation as row {first.index} of {first.source}",
                article_id,
            )
            if item.id:
                entry_of[item.id] = planned[entry.key()]
            continue
        planned[entry.key()] = entry
        entries.append(entry)
        if item.id:
            entry_of[item.id] = entry
    _attach_replies(replies, entry_of, already_of, outcome)
    for entry in entries:
        entry.id = _free_id(entry, taken_ids)
        taken_ids.add(entry.id or anchoring.derive_id(entry.article.id, entry.quote))
    files = _group_files(entries, content, ids, outcomes)
    return Plan(tuple(files), tuple(sorted(outcomes, key=lambda o: (o.source, o.index))))


def _attach_replies(
    replies: list[Incoming],
    entry_of: dict[str, _Entry],
    already_of: dict[str, Anchored],
    outcome: Callable[..., None],
) -> None:
    """Each reply joins its thread's root (a reply to a reply too)."""
    by_id = {r.id: r for r in replies if r.id}
    for reply in sorted(replies, key=lambda r: (r.date, r.source, r.index)):
        root_id, seen = reply.reply_to, set()
        while root_id in by_id and root_id not in seen:
            seen.add(root_id)
            root_id = by_id[root_id].reply_to
        if not reply.note:
            outcome(reply, "skipped", "a reply without text")
        elif root_id in entry_of:
            entry = entry_of[root_id]
            entry.replies.append(reply)
            outcome(reply, "reply", f"a reply to row {entry.item.index}", entry.article.id)
        elif root_id in already_of:
            there = already_of[root_id]
            if any(
                r.author == reply.author and _same(r.note) == _same(reply.note)
                for r in there.annotation.replies
            ):
                outcome(
                    reply,
                    "already",
                    f"already there: a reply in {there.annotation.path}",
                    there.annotation.article,
                )
            else:
                outcome(
                    reply,
                    "skipped",
                    f"a reply to an annotation already in {there.annotation.path}"
                    " — add it there under 'replies'",
                    there.annotation.article,
                )
        else:
            outcome(reply, "skipped", f"a reply to an annotation not imported ({reply.reply_to})")


def _free_id(entry: _Entry, taken: set[str]) -> str | None:
    """The id to write: the one Postilla's export gave it, else none (the derived one),
    unless that is taken; then the derived one with a number."""
    derived = anchoring.derive_id(entry.article.id, entry.quote)
    wanted = entry.item.postilla_id or derived
    if wanted not in taken:
        return None if wanted == derived else wanted
    n = 2
    while f"{derived}-{n}" in taken:
        n += 1
    return f"{derived}-{n}"


def _item(entry: _Entry, prefix: str | None, suffix: str | None) -> dict[str, Any]:
    """One annotation as written in the file (the keys in `render_file`'s order)."""
    out = anchoring.file_item(entry.item, entry.quote, prefix, suffix)
    if entry.id:
        out["id"] = entry.id
    if entry.replies:
        out["replies"] = [
            {"author": r.author, "date": r.date, "note": r.note} for r in entry.replies
        ]
    return out


def _group_files(
    entries: list[_Entry], content: Path, ids: set[str], outcomes: list[Outcome]
) -> list[PlannedFile]:
    """One file per input file and article, named as `postilla annotate` names its files
    (after the first annotation), never over an existing file; each checked as `postilla
    check` will read it."""
    groups: dict[tuple[str, str], list[_Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.item.source, entry.article.id), []).append(entry)
    files: list[PlannedFile] = []
    used: set[Path] = set()
    for (_, article_id), group in groups.items():
        items = []
        for entry in group:
            prefix, suffix = anchoring.context_for(
                entry.article.body_text, entry.anchor.start, entry.anchor.end
            )
            items.append(_item(entry, prefix, suffix))
        text = HEADER + yamlio.dump({"article": article_id, "annotations": items})
        first = group[0].item
        path = free_path(
            anchoring.new_file_path(
                content,
                NewAnnotation(
                    article_id, group[0].quote, first.kind, first.note, first.author, first.date
                ),
            ),
            used,
        )
        used.add(path)
        problems = _file_problems(text, path, ids, group)
        shown = _shown(path, content)
        members = {(e.item.source, e.item.index) for e in group} | {
            (r.source, r.index) for e in group for r in e.replies
        }
        if problems:
            for i, o in enumerate(outcomes):
                if (o.source, o.index) in members:
                    outcomes[i] = replace(
                        o, status="skipped", reason=f"would not pass the check: {problems[0]}"
                    )
            outcomes += [
                Outcome(
                    e.item.source,
                    e.item.index,
                    "skipped",
                    f"would not pass the check: {problems[0]}",
                    e.item.uri,
                    article_id,
                    row=e.item.row,
                )
                for e in group
            ]
            continue
        for e in group:
            note = (
                ""
                if e.anchor.exact
                else (
                    f"; re-anchored ({e.anchor.score:.0f}% similar): the article reads «{e.quote}»"
                )
            )
            outcomes.append(
                Outcome(
                    e.item.source,
                    e.item.index,
                    "imported",
                    f"imported into {shown}{note}",
                    e.item.uri,
                    article_id,
                    shown,
                    row=e.item.row,
                )
            )
        for i, o in enumerate(outcomes):
            if o.status == "reply" and (o.source, o.index) in members:
                outcomes[i] = replace(o, file=shown, reason=f"{o.reason}, imported into {shown}")
        files.append(PlannedFile(path, text, len(group), sum(len(e.replies) for e in group)))
    return files


def _shown(path: Path, content: Path) -> str:
    try:
        return f"{content.name}/{path.relative_to(content).as_posix()}"
    except ValueError:
        return str(path)


def free_path(path: Path, used: set[Path]) -> Path:
    """`path`, or `name-2.yml`, `name-3.yml`… if a file (or another planned one) has it."""
    candidate, n = path, 2
    while candidate.exists() or candidate in used:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _file_problems(text: str, path: Path, ids: set[str], group: list[_Entry]) -> list[Problem]:
    """What `postilla check` would say of the file: schema problems, and an annotation
    that would not anchor exactly where it was planned."""
    found, problems = anchoring.parse_file(text, str(path), ids)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return errors
    for annotation, entry in zip(found, group):
        where = anchoring.anchor(annotation, entry.article.body_text)
        if isinstance(where, Problem):
            return [where]
        if (where.start, where.end) != (entry.anchor.start, entry.anchor.end) or not where.exact:
            return [Problem(str(path), annotation.line, "the quote would anchor elsewhere")]
    return []


def all_outcomes(plan: Plan, unread: Iterable[Outcome]) -> list[Outcome]:
    """Every row's outcome, the unreadable ones included, in input order."""
    return sorted([*plan.outcomes, *unread], key=lambda o: (o.source, o.index))


def report_lines(outcomes: Iterable[Outcome]) -> Iterator[str]:
    """The machine-readable report: one JSON object a line, one per input row."""
    for o in outcomes:
        yield json.dumps(o.record(), ensure_ascii=False) + "\n"
