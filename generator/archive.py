"""The content folder: reading and writing articles, sources and entities.

This is one of the few places that touch files under ``content/``. Reading
validates as it goes and reports every problem with file and line; writing is
atomic (a temporary file renamed into place), so an interrupted import never
leaves a half-written article.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import frontmatter

from . import markdown_text, schema, yamlio
from .cache import NO_CACHE, Cache, digest
from .entities import fold, is_acronym
from .ingest import parse_partial_date
from .model import Archive, Article, ContentError, Entity, Problem, RemovedLine, Source
from .parallel import parallel_map

ARTICLES = "articles"
RAW = "raw"
ANNOTATIONS = "annotations"
PAGES = "pages"
SOURCES = "sources.yml"
ENTITIES = "entities.yml"
# What a raw file may be: as `postilla import` writes it (saved pages are served as text).
RAW_SUFFIXES = (".txt", ".text", ".html", ".htm")
# Images a hand-written page may show, by extension, and how their bytes must start.
# No SVG: it can carry script.
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),  # and "WEBP" at byte 8
}
# Front matter a hand-written page may have (Material reads more: another template,
# a redirect's location, which are not for content).
PAGE_KEYS = ("title", "description", "author", "hide")
# Entity ids that would take the place of a generated page.
RESERVED_ENTITY_IDS = frozenset({"index"})

FRONT_MATTER_KEYS = (
    "id", "title", "title_source", "date", "date_source", "published", "url", "source",
    "publisher", "author", "author_source", "place", "agency", "language", "language_source", "description", "words", "raw", "raw_name",
    "raw_sha256", "body_sha256", "generated", "imported", "footnotes", "removed",
)  # fmt: skip


class _StrictYAMLHandler(frontmatter.YAMLHandler):
    """python-frontmatter, with Postilla's strict YAML both ways."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return yamlio.load(fm).data

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return yamlio.dump(metadata).strip()


HANDLER = _StrictYAMLHandler()


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it, for messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- articles -------------------------------------------------------------


def article_front_matter(article: Article) -> dict[str, Any]:
    """The front matter of an article, keys in the documented order."""
    values: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "title_source": article.title_source,
        "date": article.date,
        "date_source": article.date_source,
        "published": article.published,
        "url": article.url,
        "source": article.source,
        "publisher": article.publisher,
        "author": article.author,
        "author_source": article.author_source,
        "place": article.place,
        "agency": article.agency,
        "language": article.language,
        "language_source": article.language_source,
        "description": article.description,
        "words": article.words,
        "raw": article.raw,
        "raw_name": article.raw_name,
        "raw_sha256": article.raw_sha256,
        "body_sha256": article.body_sha256,
        "generated": dict(article.generated),
        "imported": article.imported,
        "footnotes": list(article.footnotes),
        "removed": [
            {"line": r.line, "text": r.text, "rule": r.rule, "reason": r.reason}
            for r in article.removed
        ],
    }
    return {key: values[key] for key in FRONT_MATTER_KEYS}


def article_to_text(article: Article) -> str:
    """The full ``.md`` file of an article: front matter and escaped Markdown body."""
    post = frontmatter.Post(
        markdown_text.body_to_markdown(article.paragraphs), HANDLER, **article_front_matter(article)
    )
    return frontmatter.dumps(post, handler=HANDLER) + "\n"


def parse_article(text: str, display: str, expected_id: str | None = None) -> Article:
    """An article from the text of its ``.md`` file; ContentError lists every problem."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---"):
        raise ContentError(
            Problem(display, 1, "no front matter: the file must start with a line '---'")
        )
    try:
        front, body = HANDLER.split(text)
    except ValueError:
        raise ContentError(
            Problem(display, 1, "front matter is not closed: add a line '---' after it")
        ) from None
    try:
        located = yamlio.load(front)
    except yamlio.YamlError as exc:
        # The front matter text starts with the newline after the opening '---', so
        # its line numbers are already the file's.
        raise ContentError(Problem(display, exc.line, exc.message, exc.column)) from None
    if not isinstance(located.data, dict):
        raise ContentError(Problem(display, 2, "front matter must be a mapping of keys to values"))
    problems = schema.validate(located, "article", display)
    meta = located.data

    def line_of(key: str) -> int | None:
        return located.line_of((key,))[0]

    if not problems:
        if expected_id is not None and meta["id"] != expected_id:
            problems.append(
                Problem(
                    display,
                    line_of("id"),
                    f"id {meta['id']!r} does not match the file name {expected_id}.md"
                    " — rename the file or fix the id",
                )
            )
        if meta.get("date") and parse_partial_date(meta["date"]) is None:
            problems.append(
                Problem(display, line_of("date"), f"date {meta['date']!r} is not a real date")
            )
        if meta.get("published"):
            try:
                datetime.fromisoformat(meta["published"])
            except ValueError:
                problems.append(
                    Problem(
                        display,
                        line_of("published"),
                        f"published {meta['published']!r} is not an ISO 8601 date and time",
                    )
                )
    if problems:
        raise ContentError(problems)
    paragraphs = markdown_text.markdown_to_paragraphs(body)
    return Article(
        id=meta["id"],
        title=meta["title"],
        title_source=meta.get("title_source") or "headline",
        date=meta.get("date"),
        date_source=meta.get("date_source"),
        published=meta.get("published"),
        url=meta.get("url"),
        source=meta.get("source"),
        publisher=meta.get("publisher"),
        author=meta.get("author"),
        author_source=meta.get("author_source"),
        place=meta.get("place"),
        agency=meta.get("agency"),
        language=meta.get("language"),
        language_source=meta.get("language_source"),
        description=meta.get("description"),
        words=int(meta["words"]) if meta.get("words") else count_words(paragraphs),
        raw=meta["raw"],
        raw_name=meta.get("raw_name") or Path(meta["raw"]).name,
        raw_sha256=meta["raw_sha256"],
        body_sha256=meta.get("body_sha256") or "",
        generated=tuple(sorted((meta.get("generated") or {}).items())),
        imported=meta.get("imported") or "",
        paragraphs=paragraphs,
        footnotes=tuple(meta.get("footnotes") or ()),
        removed=tuple(
            RemovedLine(int(r["line"]), r["text"], r["rule"], r.get("reason") or "")
            for r in meta.get("removed") or ()
        ),
    )


def stored_body(text: str) -> str:
    """The Markdown body of an article file as stored (for the hand-edit hash)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    return HANDLER.split(text)[1].strip("\n") + "\n"


def count_words(paragraphs: tuple[str, ...]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def read_article(path: Path, cache: Cache = NO_CACHE) -> Article:
    """Read and validate one article file (a cached result when its bytes are unchanged)."""
    articles, problems = read_articles([path], cache)
    if problems:
        raise ContentError(problems)
    return articles[0]


def read_articles(
    paths: list[Path], cache: Cache = NO_CACHE, wanted: Callable[[str], bool] | None = None
) -> tuple[list[Article], list[Problem]]:
    """The valid articles among `paths`, in order, and the problems of the others.

    Files whose bytes are in the cache are not parsed again; the rest are parsed on
    every core when they are many (a cold build of a large archive). With `wanted`, a
    file whose text it refuses is left out unread (a part's build: another part's article).
    """
    outcomes: list[Article | list[Problem]] = []
    unparsed: list[tuple[int, Path, str, str]] = []  # position, path, cache key, text
    for path in paths:
        try:
            data = path.read_bytes()
            if wanted is not None and not wanted(data.decode("utf-8", errors="replace")):
                continue
            key = digest(path.name, data)
            cached = cache.get("articles", key)
            if cached is not None:
                outcomes.append(_with_path(cached, path))
                continue
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            outcomes.append([Problem(display_path(path), None, f"cannot read the article: {exc}")])
            continue
        unparsed.append((len(outcomes), path, key, text))
        outcomes.append([])
    jobs = [(text, display_path(path), path.stem) for _, path, _, text in unparsed]
    for (position, path, key, _), parsed in zip(unparsed, parallel_map(_parse_job, jobs)):
        if isinstance(parsed, Article):
            cache.put("articles", key, parsed)
            parsed = _with_path(parsed, path)
        outcomes[position] = parsed
    articles = [o for o in outcomes if isinstance(o, Article)]
    return articles, [p for o in outcomes if not isinstance(o, Article) for p in o]


def _parse_job(job: tuple[str, str, str]) -> Article | list[Problem]:
    """`parse_article` of (text, display name, expected id), its problems as a value."""
    text, display, expected_id = job
    try:
        return parse_article(text, display, expected_id=expected_id)
    except ContentError as exc:
        return list(exc.problems)


def _with_path(article: Article, path: Path) -> Article:
    return replace(article, path=path)


def write_text_atomic(path: Path, text: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # The rename is atomic: a reader or a crashed import sees the old file or the new
        # one. No fsync per file: it made importing thousands of articles ten times slower.
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- registries -----------------------------------------------------------


def _load_registry(
    path: Path, name: str
) -> tuple[list[dict[str, Any]], yamlio.Located | None, list[Problem]]:
    display = display_path(path)
    if not path.exists():
        return [], None, []
    try:
        located = yamlio.load(path.read_text("utf-8"))
    except yamlio.YamlError as exc:
        return [], None, [Problem(display, exc.line, exc.message, exc.column)]
    except (OSError, UnicodeDecodeError) as exc:
        return [], None, [Problem(display, None, f"cannot read the file: {exc}")]
    if located.data is None:
        return [], located, []
    problems = schema.validate(located, name, display)
    if problems:
        return [], located, problems
    return located.data, located, []


def _duplicates(
    items: list[dict[str, Any]], key: str, located: yamlio.Located, display: str, what: str
) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        value = item[key].lower()
        line = located.line_of((index, key))[0]
        if value in seen:
            first = located.line_of((seen[value], key))[0]
            problems.append(
                Problem(
                    display,
                    line,
                    f"{what} {item[key]!r} is already registered on line {first} — merge the two entries",
                )
            )
        else:
            seen[value] = index
    return problems


def load_sources(path: Path) -> tuple[tuple[Source, ...], list[Problem]]:
    """The source registry and its problems (an absent file is an empty registry)."""
    items, located, problems = _load_registry(path, "sources")
    if located is not None and not problems:
        problems = _duplicates(items, "domain", located, display_path(path), "domain")
    return tuple(Source(**item) for item in items), problems


def _coordinates(value: list[str] | None) -> tuple[float, float] | None:
    return (float(value[0]), float(value[1])) if value else None


def load_entities(path: Path) -> tuple[tuple[Entity, ...], list[Problem]]:
    """The entity registry and its problems: schema, duplicate ids, aliases claimed twice."""
    items, located, problems = _load_registry(path, "entities")
    if located is None or problems:
        return (), problems
    display = display_path(path)
    problems = _duplicates(items, "id", located, display, "entity id")
    for index, item in enumerate(items):
        if item["id"] in RESERVED_ENTITY_IDS:
            problems.append(
                Problem(
                    display,
                    located.line_of((index, "id"))[0],
                    f"entity id {item['id']!r} is the name of the entities index page — choose another id",
                )
            )
        coordinates = _coordinates(item.get("coordinates"))
        if coordinates and not (-90 <= coordinates[0] <= 90 and -180 <= coordinates[1] <= 180):
            line = located.line_of((index, "coordinates"))[0]
            problems.append(
                Problem(
                    display,
                    line,
                    f"coordinates of {item['id']!r} are not [latitude, longitude] — latitude -90…90, longitude -180…180",
                )
            )
    claimed: dict[str, tuple[str, int | None]] = {}
    for index, item in enumerate(items):
        for alias_index, alias in enumerate([item["name"], *item.get("aliases", [])]):
            key = alias.strip() if is_acronym(alias) else fold(alias.strip())
            path_ = (index, "name") if alias_index == 0 else (index, "aliases", alias_index - 1)
            line = located.line_of(path_)[0]
            owner = claimed.get(key)
            if owner and owner[0] != item["id"]:
                problems.append(
                    Problem(
                        display,
                        line,
                        f"alias {alias.strip()!r} of {item['id']!r} is also claimed by {owner[0]!r}"
                        f" (line {owner[1]}) — keep it on one entity only",
                    )
                )
            elif not owner:
                claimed[key] = (item["id"], line)
    entities = tuple(
        Entity(
            id=item["id"],
            name=item["name"],
            type=item["type"],
            aliases=tuple(item.get("aliases") or ()),
            wikidata=item.get("wikidata"),
            description=item.get("description"),
            coordinates=_coordinates(item.get("coordinates")),
            links=tuple(item.get("links") or ()),
        )
        for item in items
    )
    return entities, problems


# --- the whole archive ----------------------------------------------------


OUTLINE_CHUNK = 5000  # article files read at once by `load_archive(outlines=True)`


def _outline(article: Article) -> Article:
    return replace(article, paragraphs=(), footnotes=(), removed=())


def article_paths(content: Path) -> list[Path]:
    # By name: the same order as comparing the paths, which is slow (200,000 files: 10 s).
    return sorted((content / ARTICLES).glob("*.md"), key=lambda path: path.name)


# --- what may be under content/ ---------------------------------------------------

_ONLY_THESE = (
    "not a file the archive is made of (articles/, raw/, annotations/, pages/,"
    " sources.yml, entities.yml) — remove it"
)
_IMAGES = ", ".join(IMAGE_SIGNATURES)


def content_kind_problem(relative: str, head: bytes) -> str | None:
    """Why the file at `relative` (a path under ``content/``, with ``/``) may not be there,
    or None when it is one of the kinds the archive publishes or reads. `head`: its first
    bytes (at least 12), to check that an image is what its extension says.

    Allowed: ``sources.yml`` and ``entities.yml``; ``articles/<id>.md``;
    ``raw/<id>`` + one of `RAW_SUFFIXES`; ``annotations/**/*.yml``; ``pages/**/*.md`` and
    images of `IMAGE_SIGNATURES` whose bytes match their extension (no SVG); a README.md
    anywhere (never published). Hidden files are never published and not looked at."""
    parts = relative.split("/")
    name = parts[-1]
    suffix = Path(name).suffix.lower()
    if any(part.startswith(".") for part in parts) or name.lower() == "readme.md":
        return None
    if len(parts) == 1:
        return None if name in (SOURCES, ENTITIES) else _ONLY_THESE
    folder = parts[0]
    if folder == ARTICLES:
        if len(parts) == 2 and name.endswith(".md"):
            return None
        return "articles/ holds only article files, <id>.md — remove it"
    if folder == RAW:
        if len(parts) == 2 and suffix in RAW_SUFFIXES:
            return None
        return (
            f"raw/ holds only raw files as imported ({', '.join(RAW_SUFFIXES)}) — remove it,"
            " or import the article with `postilla import`"
        )
    if folder == ANNOTATIONS:
        if suffix == ".yml":
            return None
        if suffix == ".yaml":
            return f"annotation files end in .yml — rename it to {Path(name).stem}.yml"
        return "annotations/ holds only annotation files (.yml) — remove it"
    if folder == PAGES:
        if suffix == ".md":
            return None
        if suffix in IMAGE_SIGNATURES:
            return None if _is_image(suffix, head) else f"its bytes are not a {suffix} image"
        return (
            f"pages/ holds only Markdown pages (.md) and images ({_IMAGES}; no SVG)"
            " — remove it or convert it"
        )
    return _ONLY_THESE


def _is_image(suffix: str, head: bytes) -> bool:
    """Whether `head`, the first bytes of a file, start an image of the kind of `suffix`."""
    if not head.startswith(IMAGE_SIGNATURES[suffix]):
        return False
    return suffix != ".webp" or head[8:12] == b"WEBP"


def page_front_matter_problems(path: Path) -> list[Problem]:
    """A hand-written page's front matter: strict YAML, only the keys of `PAGE_KEYS`."""
    display = display_path(path)
    try:
        text = path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(display, None, f"cannot read the page: {exc}")]
    if not text.startswith("---\n"):
        return []
    try:
        front, _ = HANDLER.split(text)
        located = yamlio.load(front)
    except ValueError:
        return [Problem(display, 1, "front matter is not closed: add a line '---' after it")]
    except yamlio.YamlError as exc:
        return [Problem(display, exc.line, exc.message, exc.column)]
    if located.data is None:
        return []
    if not isinstance(located.data, dict):
        return [Problem(display, 2, "front matter must be a mapping of keys to values")]
    return [
        Problem(
            display,
            located.line_of((key,), key=True)[0],
            f"front matter key {key!r} is not allowed in a page — allowed: {', '.join(PAGE_KEYS)}",
        )
        for key in located.data
        if key not in PAGE_KEYS
    ]


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def content_file_problems(content: Path) -> list[Problem]:
    """Every file under `content` that is not one of the kinds the archive publishes
    (`content_kind_problem`), and every symbolic link: MkDocs would publish a file as it
    is, and a link would publish whatever it points to. Hidden files and folders are
    never published, and not looked at. (Directory entries, not paths: 400,000 files.)"""
    problems: list[Problem] = []
    _folder_problems(content, "", problems)
    return problems


def _folder_problems(folder: Path, relative: str, problems: list[Problem]) -> None:
    """`content_file_problems` of one folder (`relative`: its path under content/, "" for
    content/ itself): its files and links first, in name order, then each subfolder."""
    try:
        with os.scandir(folder) as scanned:
            entries = sorted(
                (e for e in scanned if not e.name.startswith(".")), key=lambda e: e.name
            )
    except OSError as exc:
        problems.append(Problem(display_path(folder), None, f"cannot read the folder: {exc}"))
        return
    subfolders = []
    for entry in entries:
        if entry.is_symlink():
            problems.append(
                Problem(
                    display_path(Path(entry.path)),
                    None,
                    "a symbolic link — content/ holds only real files: put the file itself here",
                )
            )
            continue
        inside = f"{relative}/{entry.name}" if relative else entry.name
        if entry.is_dir():
            subfolders.append((entry, inside))
            continue
        path = Path(entry.path)
        try:  # only an image's first bytes are needed, to check what it is
            head = _head(path) if path.suffix.lower() in IMAGE_SIGNATURES else b""
        except OSError as exc:
            problems.append(Problem(display_path(path), None, f"cannot read the file: {exc}"))
            continue
        reason = content_kind_problem(inside, head)
        if reason:
            problems.append(Problem(display_path(path), None, reason))
        elif inside.startswith(PAGES + "/") and entry.name.endswith(".md"):
            problems += page_front_matter_problems(path)
    for entry, inside in subfolders:
        _folder_problems(Path(entry.path), inside, problems)


def load_archive(
    content: Path,
    *,
    verify_raw: bool = False,
    cache: Cache = NO_CACHE,
    wanted: Callable[[str], bool] | None = None,
    outlines: bool = False,
) -> tuple[Archive, list[Problem]]:
    """Everything under `content`, and every problem found.

    Articles with errors are left out of the returned archive (their problems are
    reported); duplicate ids or URLs name both files; a file of a kind the archive does not
    publish, or a symbolic link, is an error (`content_file_problems`). `verify_raw` also checks that
    each raw file exists and still has the hash recorded at import. With `wanted`, only the
    article files whose text it accepts are read (`read_articles`), and checked against
    each other. With `outlines`, the articles are kept without their text (body, footnotes,
    removed lines), the files read `OUTLINE_CHUNK` at a time: for a check that needs only
    their fields, without holding every text (200,000 articles: about 8 GB).
    """
    problems: list[Problem] = content_file_problems(content)
    sources, source_problems = load_sources(content / SOURCES)
    entities, entity_problems = load_entities(content / ENTITIES)
    problems += source_problems + entity_problems
    paths = article_paths(content)
    chunk = OUTLINE_CHUNK if outlines else max(len(paths), 1)
    articles = []
    for start in range(0, len(paths), chunk):
        read, article_problems = read_articles(paths[start : start + chunk], cache, wanted)
        articles += [_outline(a) for a in read] if outlines else read
        problems += article_problems
    problems += duplicate_articles(articles)
    if verify_raw:
        problems += [p for a in articles for p in verify_raw_file(content, a)]
    return Archive(tuple(articles), sources, entities), problems


def duplicate_articles(articles: list[Article]) -> list[Problem]:
    """Two articles with the same URL (or, through case folding, the same id)."""
    problems = []
    for what, key in (("URL", lambda a: a.url), ("id", lambda a: a.id.lower())):
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            value = key(article)
            if value:
                groups[value].append(article)
        for value, group in groups.items():
            for other in group[1:]:
                problems.append(
                    Problem(
                        display_path(other.path) if other.path else other.id,
                        None,
                        f"same {what} as {display_path(group[0].path) if group[0].path else group[0].id}"
                        f" ({value}) — keep one of the two articles",
                    )
                )
    return problems


def verify_raw_file(content: Path, article: Article) -> list[Problem]:
    display = display_path(article.path) if article.path else article.id
    raw = content / article.raw
    if not raw.is_file():
        return [Problem(display, None, f"raw file {article.raw} is missing — restore it from git")]
    digest = hashlib.sha256(raw.read_bytes()).hexdigest()
    if digest != article.raw_sha256:
        return [
            Problem(
                display,
                None,
                f"raw file {article.raw} has changed since import (sha256 {digest[:12]}…,"
                f" recorded {article.raw_sha256[:12]}…) — raw files must stay as received",
            )
        ]
    return []
