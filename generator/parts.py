"""Parts: an archive too big for one site (or one machine) built as sub-sites, then assembled.

``parts: year`` (or ``parts: source``) under the postilla plugin in mkdocs.yml splits the
archive by the articles' year (or source). ``postilla build --part KEY`` builds one part
into its own folder, as the sub-site that lives at ``parts/KEY/`` of the assembled site:
its articles, its listings, the pages of the entities its articles name, its own Pagefind
bundle, and a record of what it holds (``postilla-part.json``, written last: a part
without it is incomplete). ``postilla assemble`` builds the top-level site (home, archive
index listing the parts, entities index linking each entity to the parts that name it,
map) and puts the parts under it, in one atomic publish; its search box merges every
part's bundle (``pagefind/shards.json`` lists them by their path from the site's root).
The theme's files (``assets/``) are served once, from the top level: the parts' pages
link there. A killed assembly's staging folder goes at the next one.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .annotations import AnnotationSet
from .entities import EntityIndex
from .model import Archive, Article, ContentError, Problem
from .site import GeneratedFile

SCHEMES = ("year", "source")  # the values of the plugin's `parts` option
PARTS_DIR = "parts"  # where the parts live in the assembled site
DEFAULT_OUTPUT = "site-parts"  # where `postilla build --part KEY` writes, next to mkdocs.yml
RECORD = "postilla-part.json"  # in each part's root: what it holds
RECORD_FORMAT = 1
UNDATED, UNKNOWN = "undated", "unknown"
_UNSAFE = re.compile(r"[^a-z0-9.-]+")


class PartError(ContentError):
    """A part asked for that does not exist, or a part folder that cannot be assembled."""


@dataclass(frozen=True)
class PartRecord:
    """What one built part holds, as its ``postilla-part.json`` says."""

    folder: Path
    scheme: str
    key: str
    articles: tuple[str, ...]
    entities: dict[str, int]  # entity id -> articles of the part naming it
    shards: tuple[str, ...]  # its Pagefind shards, under pagefind/
    hidden: tuple[str, ...]  # their vocabulary pages (never a search result)
    directory_urls: bool


# --- splitting the archive -------------------------------------------------------------


def part_key(article: Article, scheme: str) -> str:
    """The part `article` belongs to: its year (``undated`` without a date), or its
    source's domain as a path segment (``unknown`` without one)."""
    if scheme == "year":
        return article.year or UNDATED
    return source_part(article.source)


def source_part(source: str | None) -> str:
    """The part of a source's articles: its domain as a path segment (``unknown`` without one)."""
    domain = (source or "").lower().removeprefix("www.")
    return _UNSAFE.sub("-", domain).strip(".-") or UNKNOWN


# The front matter's line that says which part an article is in, for each scheme.
_KEY_LINES = {
    "year": re.compile(r"^date:.*$", re.MULTILINE),
    "source": re.compile(r"^source:.*$", re.MULTILINE),
}
_PLAIN_DATE = re.compile(r"\d{4}(?:-\d\d){0,2}")
# The lines Postilla itself writes (a quoted date, or null), read without YAML: the same
# values the loader gives them. Any other line is read with the loader.
_WRITTEN_DATE = re.compile(r"date: (?:'(\d{4}(?:-\d\d){0,2})'|\"(\d{4}(?:-\d\d){0,2})\"|(null))")


def part_hint(text: str, scheme: str) -> str | None:
    """The part of the article file whose text is `text`, read from the one line of its
    front matter that says it (``date:`` or ``source:``) without parsing the rest; None
    when that line does not say it plainly (absent, repeated, continued on the next
    lines, not a plain value), and the file must be parsed to know.

    A part's build parses only the files that may be in it: the others' front matter
    says another part. What this reads is what `part_key` of the parsed article says:
    the same line, read by the same YAML loader."""
    from . import yamlio

    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    end = text.find("\n---", 3)
    if not text.startswith("---\n") or end < 0:
        return None
    found = list(_KEY_LINES[scheme].finditer(text, 4, end + 1))
    if len(found) != 1 or text[found[0].end() + 1 : found[0].end() + 2] in (" ", "\t"):
        return None  # not one line, or a value continued on the next lines
    written = _WRITTEN_DATE.fullmatch(found[0].group()) if scheme == "year" else None
    if written:  # 200,000 files: the loader would take 18 s
        year = written[1] or written[2]
        return year[:4] if year else UNDATED
    try:
        value = yamlio.load(found[0].group()).data
    except yamlio.YamlError:
        return None
    field = value.get("date" if scheme == "year" else "source") if isinstance(value, dict) else 0
    if scheme == "source":
        return source_part(field) if field is None or isinstance(field, str) else None
    if field is None:
        return UNDATED
    return field[:4] if isinstance(field, str) and _PLAIN_DATE.fullmatch(field) else None


def may_be_in_part(scheme: str, key: str) -> Callable[[str], bool]:
    """Whether an article file's text may be in part `key`: False only when its front
    matter says plainly that it is in another (`part_hint`)."""

    def may_be(text: str) -> bool:
        hint = part_hint(text, scheme)
        return hint is None or hint == key

    return may_be


def no_article(text: str) -> bool:
    """The `wanted` of the assembled top level's build: it reads no article file (the
    parts hold the articles, and `assemble` has checked them)."""
    return False


def part_keys(archive: Archive, scheme: str) -> list[str]:
    """Every part of `archive`, sorted (years newest first)."""
    keys = {part_key(a, scheme) for a in archive.articles}
    return sorted(keys, reverse=scheme == "year")


def check_scheme(scheme: str | None, where: str) -> str:
    """`scheme` if the archive is split into parts; PartError naming `where` if not."""
    if scheme not in SCHEMES:
        raise PartError(
            Problem(
                where,
                None,
                "the archive is not split into parts — add `parts: year` (or `parts: source`)"
                " under the postilla plugin in mkdocs.yml",
            )
        )
    return scheme


def unknown_part(key: str, keys: list[str], where: str) -> PartError:
    """The error for a part key the archive has no articles for, listing the keys."""
    listed = ", ".join(keys) or "none: the archive has no articles"
    return PartError(Problem(where, None, f"no part {key!r} in this archive — parts: {listed}"))


def part_archive(
    archive: Archive, scheme: str, key: str, where: str, content: Path | None = None
) -> Archive:
    """`archive` with only the articles of part `key`. PartError listing the parts when
    it has none (those of the whole archive in `content`, when `archive` holds only the
    articles that may be in the part)."""
    articles = tuple(a for a in archive.articles if part_key(a, scheme) == key)
    if not articles:
        keys = (
            part_keys(archive, scheme) if content is None else content_part_keys(content, scheme)[0]
        )
        raise unknown_part(key, keys, where)
    return replace(archive, articles=articles)


def named_entities_only(archive: Archive, index: EntityIndex) -> Archive:
    """`archive` with only the registered entities its articles name: a part has pages
    for those, not for every entity of the registry."""
    named = {e for e, ids in index.articles_of.items() if ids}
    return replace(archive, entities=tuple(e for e in archive.entities if e.id in named))


def part_notes(notes: AnnotationSet, article_ids: set[str]) -> AnnotationSet:
    """The annotations of the part's articles (the others are published by their part)."""
    return replace(
        notes,
        anchored=tuple(a for a in notes.anchored if a.annotation.article in article_ids),
        unpublished=tuple(a for a in notes.unpublished if a.annotation.article in article_ids),
    )


def part_home(home: GeneratedFile, site_name: str, directory_urls: bool) -> GeneratedFile:
    """The home page of a part, with a link to the assembled site's home (two folders up)
    under its title: a reader who came in by a part finds the whole archive."""
    if not isinstance(home.content, str):
        return home
    title, _, rest = home.content.partition("\n")
    href = "../../" if directory_urls else "../../index.html"
    link = f'<a class="postilla-whole-archive" href="{href}">{_text(site_name)}</a>'
    return replace(home, content=f"{title}\n\n{link}\n{rest}")


def part_site_url(site_url: str | None, key: str) -> str | None:
    """Where part `key` lives once assembled: ``parts/KEY/`` of the site's address."""
    if not site_url:
        return None
    return site_url.rstrip("/") + f"/{PARTS_DIR}/{key}/"


def listed_parts(config_file: Path, content: Path) -> list[str]:
    """The parts of the archive in `content`, split as `config_file` says (for
    ``postilla build --list-parts``, a GitHub Actions matrix)."""
    _, scheme = split_scheme(config_file, content, {})
    keys, problems = content_part_keys(content, scheme)
    if problems:  # `postilla check` checks the rest of the archive
        raise ContentError(problems)
    return keys


def content_part_keys(content: Path, scheme: str) -> tuple[list[str], list[Problem]]:
    """Every part of the archive in `content`, sorted (years newest first), and the
    problems of the article files that cannot be read or parsed. Each file's part is read
    from the line of its front matter that says it (`part_hint`); only a file whose line
    is not plain is parsed (`archive.read_articles`).

    The same keys as `part_keys` of the loaded archive, without holding it: at 200,000
    articles, loading it took 8.4 GB."""
    from . import archive as store

    keys: set[str] = set()

    def unhinted(text: str) -> bool:  # a file whose line says its part is not parsed
        hint = part_hint(text, scheme)
        if hint is not None:
            keys.add(hint)
        return hint is None

    parsed, problems = store.read_articles(store.article_paths(content), wanted=unhinted)
    keys.update(part_key(a, scheme) for a in parsed)
    return sorted(keys, reverse=scheme == "year"), problems


def split_scheme(config_file: Path, content: Path, settings: Mapping[str, Any]) -> tuple[Any, str]:
    """The configuration in force (`settings` over `config_file`) and how it splits the
    archive (PartError when it does not)."""
    from mkdocs.config import load_config

    config = load_config(str(config_file), docs_dir=str(content.resolve()), **settings)
    plugin = config.plugins.get("postilla")
    scheme = check_scheme(plugin.config.parts if plugin else None, str(config_file))  # type: ignore[attr-defined]
    return config, scheme


def split_archive(
    config_file: Path, content: Path, settings: Mapping[str, Any], *, outlines: bool = False
) -> tuple[Any, str, Archive]:
    """`split_scheme`, and the archive in `content` (ContentError for its errors); with
    `outlines`, its articles without their text (`archive.load_archive`)."""
    from . import archive as store

    config, scheme = split_scheme(config_file, content, settings)
    archive, problems = store.load_archive(content, outlines=outlines)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    return config, scheme, archive


def part_folders(given: list[Path]) -> list[Path]:
    """The part folders `given`, or, for one folder that is not a part itself, the
    folders in it (``site-parts/``, or the artifacts a workflow downloaded)."""
    if len(given) == 1 and given[0].is_dir() and not (given[0] / RECORD).exists():
        return sorted(p for p in given[0].iterdir() if p.is_dir() and not p.name.startswith("."))
    return list(given)


# --- the part's record -------------------------------------------------------------------


def record_data(
    scheme: str, key: str, archive: Archive, index: EntityIndex, site: Path, directory_urls: bool
) -> dict[str, Any]:
    """The record of a part just built into `site` (its search listing is read there)."""
    listing = _search_listing(site)
    ids = {a.id for a in archive.articles}
    return {
        "format": RECORD_FORMAT,
        "scheme": scheme,
        "key": key,
        "directory_urls": directory_urls,
        "articles": sorted(ids),
        "entities": {
            e: sum(1 for i in index.articles_of.get(e, ()) if i in ids)
            for e in sorted(index.articles_of)
            if any(i in ids for i in index.articles_of[e])
        },
        "shards": listing.get("shards", []),
        "hidden": listing.get("hidden", []),
    }


def write_record(site: Path, data: Mapping[str, Any]) -> None:
    """Write the part's record last: its presence says the part is complete."""
    (site / RECORD).write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")


def _search_listing(site: Path) -> dict[str, Any]:
    path = site / "pagefind" / "shards.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text("utf-8"))
    return data if isinstance(data, dict) else {}


def read_record(folder: Path) -> PartRecord:
    """The record of the part built into `folder`; PartError naming it when the folder is
    missing, its build unfinished, or its search bundle incomplete."""
    path = folder / RECORD
    if not folder.is_dir():
        raise PartError(Problem(str(folder), None, "no such part folder"))
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != RECORD_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, not {RECORD_FORMAT}")
        record = PartRecord(
            folder,
            str(data["scheme"]),
            str(data["key"]),
            tuple(str(i) for i in data["articles"]),
            {str(e): int(n) for e, n in data["entities"].items()},
            tuple(str(s) for s in data["shards"]),
            tuple(str(h) for h in data["hidden"]),
            bool(data["directory_urls"]),
        )
    except FileNotFoundError:
        raise PartError(
            Problem(
                str(folder),
                None,
                f"incomplete part: no {RECORD} — build it again with `postilla build --part`",
            )
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PartError(Problem(str(path), None, f"unreadable part record: {exc}")) from None
    for shard in record.shards:
        if not (folder / "pagefind" / shard / "pagefind.js").is_file():
            raise PartError(
                Problem(
                    str(folder / "pagefind" / shard),
                    None,
                    "incomplete part: its search bundle is missing — build it again",
                )
            )
    if not (folder / "index.html").is_file():
        raise PartError(Problem(str(folder), None, "incomplete part: no index.html"))
    return record


def check_parts(records: list[PartRecord], scheme: str, keys: list[str]) -> None:
    """PartError unless `records` are exactly the parts `keys` of `scheme`, once each."""
    seen: dict[str, Path] = {}
    for record in records:
        if record.scheme != scheme:
            raise PartError(
                Problem(
                    str(record.folder),
                    None,
                    f"part split by {record.scheme}, but mkdocs.yml says `parts: {scheme}`",
                )
            )
        if record.key in seen:
            raise PartError(
                Problem(
                    str(record.folder), None, f"part {record.key!r} is also in {seen[record.key]}"
                )
            )
        seen[record.key] = record.folder
    missing = [k for k in keys if k not in seen]
    if missing:
        raise PartError(
            Problem(
                "assemble",
                None,
                "missing part(s): " + ", ".join(missing) + " — build each with"
                " `postilla build --part KEY`, then assemble again",
            )
        )
    extra = [r for r in records if r.key not in keys]
    if extra:
        raise PartError(
            Problem(str(extra[0].folder), None, f"no part {extra[0].key!r} in this archive")
        )


def check_articles(records: list[PartRecord], archive: Archive, scheme: str) -> None:
    """PartError, naming the article's file, unless every article of `archive` is in the
    part it belongs to and no part holds an article it should not: a part built before the
    archive changed, or an article whose front matter misled its part's build (`part_hint`
    reads one line; YAML can hide a ``date:`` line inside a quoted value)."""
    from .archive import display_path

    belongs = {a.id: part_key(a, scheme) for a in archive.articles}
    placed: dict[str, str] = {}
    for record in records:
        for article_id in record.articles:
            if belongs.get(article_id) != record.key:
                raise PartError(
                    Problem(
                        str(record.folder),
                        None,
                        f"part {record.key!r} holds {article_id!r}, which the archive has "
                        + (f"in part {belongs[article_id]!r}" if article_id in belongs else "not")
                        + " — build the part again",
                    )
                )
            placed[article_id] = record.key
    for article in archive.articles:
        if article.id not in placed:
            where = display_path(article.path) if article.path else article.id
            raise PartError(
                Problem(
                    where,
                    None,
                    f"in no part: part {belongs[article.id]!r} was built without it — build it"
                    " again (if it still leaves it out, write the front matter's"
                    f" `{'date' if scheme == 'year' else 'source'}:` line plainly)",
                )
            )


# --- the top-level site --------------------------------------------------------------------


def _href(target: str, page: str) -> str:
    """A relative link from the generated page `page` (its site path, e.g. ``archive/``) to
    the site path `target`."""
    start = page.rstrip("/") if page.endswith("/") else posixpath.dirname(page)
    link = posixpath.relpath(target, start or ".")
    return link + "/" if target.endswith("/") and not link.endswith("/") else link


def _page_url(key: str, path: str, directory_urls: bool) -> str:
    """The site path of the page at `path` (``entities/x``, or ``""`` for the home) of
    part `key`."""
    base = f"{PARTS_DIR}/{key}/"
    if not path:
        return base if directory_urls else base + "index.html"
    return base + (f"{path}/" if directory_urls else f"{path}.html")


def assembly_pages(
    records: list[PartRecord],
    archive: Archive,
    words: Mapping[str, str],
    directory_urls: bool,
    site_name: str,
    description: str | None,
) -> dict[str, str]:
    """The top-level pages that differ from a single site's: the archive index (the
    parts), the entities index and one page per entity (the parts that name it). Paths in
    the content tree -> Markdown; links to the parts are HTML (MkDocs cannot see them)."""
    ordered = sorted(records, key=lambda r: r.key, reverse=records[0].scheme == "year")

    def page_path(src: str) -> str:
        stem = src[: -len(".md")]
        if stem.endswith("index"):
            return stem[: -len("index")]
        return f"{stem}/" if directory_urls else f"{stem}.html"

    def listing(src: str) -> list[str]:
        here = page_path(src)
        return [
            f'- <a href="{_href(_page_url(r.key, "", r.directory_urls), here)}">'
            f"{_text(r.key)}</a> ({len(r.articles)})"
            for r in ordered
        ]

    total = sum(len(r.articles) for r in records)
    pages = {
        "index.md": "\n".join(
            [f"# {_text(site_name)}", "", _text(description or ""), "", f"## {words['archive']}"]
            + ["", f"{total} · {len(records)}", "", *listing("index.md")]
        )
        + "\n",
        "archive/index.md": "\n".join(
            [
                f"# {words['archive']}",
                "",
                f"{total} · {len(records)}",
                "",
                *listing("archive/index.md"),
            ]
        )
        + "\n",
    }

    here = page_path("entities/index.md")
    lines = [f"# {words['entities']}", ""]
    for entity in sorted(archive.entities, key=lambda e: e.name.casefold()):
        naming = [r for r in ordered if r.entities.get(entity.id)]
        if not naming:
            continue
        links = ", ".join(
            f'<a href="{_href(_page_url(r.key, f"entities/{entity.id}", r.directory_urls), here)}">'
            f"{_text(r.key)}</a> ({r.entities[entity.id]})"
            for r in naming
        )
        lines.append(f"- [{_text(entity.name)}]({entity.id}.md): {links}")
    pages["entities/index.md"] = "\n".join(lines) + "\n"
    for entity in archive.entities:
        here = page_path(f"entities/{entity.id}.md")
        naming = [r for r in ordered if r.entities.get(entity.id)]
        body = [f"# {_text(entity.name)}", ""]
        if entity.description:
            body += [_text(entity.description), ""]
        body += [
            f'- <a href="{_href(_page_url(r.key, f"entities/{entity.id}", r.directory_urls), here)}">'
            f"{_text(r.key)}</a> ({r.entities[entity.id]})"
            for r in naming
        ] or [words["no_mentions"]]
        pages[f"entities/{entity.id}.md"] = "\n".join(body) + "\n"
    return pages


def _text(value: str) -> str:
    """`value` as Markdown text on one line: no markup of its own."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", " ".join(escaped.split()))


def search_listing(records: list[PartRecord], home: str = "") -> dict[str, list[str]]:
    """The search box's listing (``pagefind/shards.json``) of a site whose pages merge
    every part's bundles: each shard by its path from `home` (the root of the site, or
    ``../`` from a part), newest part first."""
    ordered = sorted(
        records, key=lambda r: r.key, reverse=bool(records) and records[0].scheme == "year"
    )
    shards = [f"{home}{PARTS_DIR}/{r.key}/pagefind/{shard}" for r in ordered for shard in r.shards]
    hidden = sorted({h for r in records for h in r.hidden})
    return {"shards": shards, "hidden": hidden}


def place_parts(records: list[PartRecord], site: Path, site_path: str = "/") -> None:
    """Put each part under ``site/parts/KEY/`` (hard links where possible), with a search
    listing that merges every part's bundles, so a reader searching from any part
    searches the whole archive. The theme's files a part has byte for byte like the top
    level's (``assets/``) are left out, its pages linking to the top level's copy
    (`share_assets`): the site carries them once, not once a part. `site_path` is the
    path of the site's address (``/`` without one), for the pages that link by it."""
    from .publish import link_tree

    for record in records:
        target = site / PARTS_DIR / record.key
        target.mkdir(parents=True)
        link_tree(record.folder, target, skip={RECORD})
        share_assets(record, target, site / ASSETS, site_path)
        listing = target / "pagefind" / "shards.json"
        if listing.exists():
            listing.unlink()  # a new file: the part's own stays as it was built
            mine = search_listing(records, home="../../")
            own = f"../../{PARTS_DIR}/{record.key}/pagefind/"
            mine["shards"] = [s.removeprefix(own) for s in mine["shards"]]
            listing.write_text(json.dumps(mine), "utf-8")


# --- one copy of the theme's files ---------------------------------------------------------

ASSETS = "assets"  # the theme's files (MkDocs copies them into every site, so every part)
# A link to a file under assets/, in an attribute: relative (``../../assets/x.css``) or by
# the site's path (``/archive/parts/2024/assets/x.css``, as in 404.html).
_ASSET_LINK = re.compile(rb"""(?<=["'])((?:\.\./)*|/[^"'\s<>]*/)assets/([A-Za-z0-9_.~/-]+)""")
POOL_FROM = 2000  # pages of a part: from this many, they are rewritten on every core


def shared_assets(part_assets: Path, top_assets: Path) -> frozenset[str]:
    """The files under `part_assets` (paths below it) that `top_assets` has, byte for byte."""
    import filecmp

    if not part_assets.is_dir() or not top_assets.is_dir():
        return frozenset()
    shared = set()
    for path in part_assets.rglob("*"):
        relative = path.relative_to(part_assets).as_posix()
        twin = top_assets / relative
        if path.is_file() and twin.is_file() and filecmp.cmp(path, twin, shallow=False):
            shared.add(relative)
    return frozenset(shared)


def page_depth(page: str) -> int:
    """How many folders below its site's root the HTML file at `page` (a path from the
    root, e.g. ``articles/x/index.html``) is."""
    return page.count("/")


def shared_links(
    page: bytes, depth: int, shared: frozenset[str], site_path: bytes, key: str
) -> bytes:
    """`page`, an HTML page `depth` folders below the root of part `key`, with every link
    to one of the part's `shared` assets pointing to the top level's copy instead: two
    folders further up, or by `site_path` (the site's path, e.g. ``/archive/``) for a link
    by the part's path (``/archive/parts/KEY/assets/...``). Other links are left as they are."""
    up = b"../" * depth
    part_path = site_path + f"{PARTS_DIR}/{key}/".encode()

    def swap(match: re.Match[bytes]) -> bytes:
        prefix, name = match.group(1), match.group(2)
        if name.decode() not in shared:
            return match.group(0)
        if prefix == up:
            return up + b"../../" + ASSETS.encode() + b"/" + name
        if prefix == part_path:
            return site_path + ASSETS.encode() + b"/" + name
        return match.group(0)

    return _ASSET_LINK.sub(swap, page)


def _rewrite_pages(
    pages: list[str], source: Path, target: Path, shared: frozenset[str], site_path: bytes, key: str
) -> None:
    """Write each page (a path below the part's root) into `target` with `shared_links`,
    as a new file: the part's own, hard-linked until now, stays as it was built."""
    for page in pages:
        text = (source / page).read_bytes()
        rewritten = shared_links(text, page_depth(page), shared, site_path, key)
        if rewritten != text:
            (target / page).unlink()
            (target / page).write_bytes(rewritten)


def share_assets(record: PartRecord, target: Path, top_assets: Path, site_path: str) -> None:
    """Leave out of the part placed at `target` the theme's files the top level has byte
    for byte, and point its pages' links to the top level's copy."""
    shared = shared_assets(record.folder / ASSETS, top_assets)
    if not shared:
        return
    root = (site_path.rstrip("/") + "/").encode()
    pages = sorted(
        page.relative_to(record.folder).as_posix()
        for page in record.folder.rglob("*.html")
        if page.parts[len(record.folder.parts)] not in (ASSETS, "pagefind")
    )
    if len(pages) < POOL_FROM:
        _rewrite_pages(pages, record.folder, target, shared, root, record.key)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers = os.cpu_count() or 1
        chunks = [pages[i :: workers * 4] for i in range(workers * 4)]
        # Fresh processes, not forks: a fork of the assembly (the archive read for the top
        # level) grew to 7 GB each at 200,000 articles, as its objects were touched.
        spawned = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=spawned) as pool:
            for done in [
                pool.submit(_rewrite_pages, c, record.folder, target, shared, root, record.key)
                for c in chunks
            ]:
                done.result()
    for name in shared:
        (target / ASSETS / name).unlink()
    for folder in sorted((target / ASSETS).rglob("*"), key=lambda p: -len(p.parts)):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if (target / ASSETS).is_dir() and not any((target / ASSETS).iterdir()):
        (target / ASSETS).rmdir()


# --- the assembly ----------------------------------------------------------------------------


ASSEMBLING = "assembling"  # staging folders are ``.SITE.assembling-PID-RANDOM``


def staging_folder(target: Path) -> Path:
    """A fresh folder beside `target`, where the assembled site is made, named after this
    process (`assembly_leftovers` tells a killed assembly's from a running one's)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.{ASSEMBLING}-{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def assembly_leftovers(target: Path) -> list[Path]:
    """The staging folders beside `target` of assemblies that are no longer running (killed,
    or the machine stopped): their process is gone, or their name has no process id."""
    found = []
    for folder in target.parent.glob(f".{target.name}.{ASSEMBLING}-*"):
        pid = folder.name.rsplit(f".{ASSEMBLING}-", 1)[1].split("-", 1)[0]
        if not (pid.isdigit() and _alive(int(pid))):
            found.append(folder)
    return sorted(found)


def discard(folder: Path) -> None:
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)
    else:
        folder.unlink(missing_ok=True)


@dataclass(frozen=True)
class Assembled:
    site: Path
    parts: tuple[str, ...]
    articles: int
    seconds: float


def assemble(
    config_file: Path,
    content: Path,
    part_folders: list[Path],
    target: Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    lock_wait: float | None = None,
    progress: bool = False,
) -> Assembled:
    """Build the top-level site of a split archive and put the parts built into
    `part_folders` under it, then publish the whole into `target` in one step (as
    `publish.publish` does for a build). PartError, with `target` as it was, when a part
    is missing, incomplete, of another split, or given twice."""
    import time

    from .build import build_site
    from .locks import hold_lock, lock_timeout, site_lock_path
    from .publish import publish, recover_site

    started = time.perf_counter()
    settings = dict(overrides or {})
    # The checks need each article's id, part and file, not its text: the top level's
    # build reads the archive again, and at 200,000 articles both at once did not fit 23 GB.
    probe, scheme, outlined = split_archive(config_file, content, settings, outlines=True)
    records = [read_record(folder) for folder in part_folders]
    check_parts(records, scheme, part_keys(outlined, scheme))
    check_articles(records, outlined, scheme)
    del outlined
    target = target.resolve()
    wait = lock_timeout() if lock_wait is None else lock_wait
    with hold_lock(site_lock_path(target), wait, lambda message: None):
        for leftover in assembly_leftovers(target):  # of a killed assembly
            discard(leftover)
    staging = staging_folder(target)
    try:
        top = staging / "top"
        build_site(
            config_file,
            content,
            top,
            progress=progress,
            incremental=False,
            overrides=settings,
            lock_wait=wait,
            assembly=records,
        )
        place_parts(records, top, urlsplit(probe.site_url or "/").path or "/")
        with hold_lock(site_lock_path(target), wait, lambda message: None):
            recover_site(target)
            publish(top, target)
    finally:
        discard(staging)
    return Assembled(
        target,
        tuple(r.key for r in records),
        sum(len(r.articles) for r in records),
        time.perf_counter() - started,
    )
