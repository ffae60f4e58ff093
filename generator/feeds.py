"""The archive's feeds: Atom and JSON Feed 1.1 for the latest articles, per source and
per entity, and where the pages that offer them link to them.

Where they are: ``feed.xml`` and ``feed.json`` at the site's root (the latest
`FEED_SIZE` articles), ``sources/<domain>/feed.*`` and ``entities/<id>/feed.*`` next to
the pages they follow. A feed exists only for a set that has articles.

Choices a reader of a feed meets:

- Every address in a feed is absolute, made from the site's address (``site_url``).
  Without one no feed is made, and the build says so (`NO_SITE_URL`): a feed with
  relative addresses is broken in most readers.
- Order: the site's ("newest first" by the article's date, undated last).
- Dates, at the precision the archive knows: an article's ``published`` time when it
  has one; otherwise its date taken as the first instant (UTC) of its day, month or
  year (``2021-10`` is ``2021-10-01T00:00:00Z``; ``+00:00`` in Atom), the date as stored standing beside
  it in the JSON Feed item (``_postilla.date``). An undated article has no published
  date; its entry's "updated" is the day it was imported. The feed's "updated" is its
  newest entry's: the output depends only on the archive, never on the build's clock.
- Atom is written by feedgen, JSON Feed with the json module (feedgen has no JSON Feed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator
from lxml import etree

from . import i18n
from .entities import EntityIndex
from .model import Archive, Article
from .site import GeneratedFile, newest_first

FEED_SIZE = 50  # entries in each feed: the latest articles, not the archive
ATOM = "feed.xml"
JSON_FEED = "feed.json"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SUMMARY_LIMIT = 300  # characters of the opening, for an article without a description
NO_SITE_URL = (
    "mkdocs.yml: no site_url, so no feeds were made (a feed needs absolute addresses) — "
    "set site_url, or pass --site-url"
)

_ATOM_NS = "http://www.w3.org/2005/Atom"
# What XML 1.0 cannot hold (lxml refuses a string with any of it).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Feed:
    """One feed: the page it follows (a ``.md`` path), its folder in the site ("" or
    ``sources/<domain>/``), its title, its author (the archive) and its articles, newest
    first."""

    page: str
    folder: str
    title: str
    author: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class FeedLink:
    """A feed as a page offers it: ``<link rel="alternate">`` and a visible link."""

    type: str  # ATOM_TYPE or JSON_FEED_TYPE
    name: str  # "Atom", "JSON Feed"
    title: str  # the feed's title
    path: str  # the file's path in the site, e.g. ``sources/x.com/feed.xml``


@dataclass(frozen=True)
class SiteFeeds:
    """The feed files of a site, and the feeds each page (by its ``.md`` path) offers."""

    files: tuple[GeneratedFile, ...]
    links: dict[str, tuple[FeedLink, ...]]


def xml_text(value: str | None) -> str:
    """`value` without the characters XML cannot hold, whitespace made single spaces."""
    return " ".join(_NOT_XML.sub("", value or "").split())


def page_address(path: str, site_url: str, directory_urls: bool = True) -> str:
    """The absolute address of the page made from `path` (a ``.md`` source path)."""
    stem = path[:-3]
    if not directory_urls:
        local = stem + ".html"
    else:
        local = stem[: -len("index")] if stem.endswith("index") else stem + "/"
    return site_url.rstrip("/") + "/" + local


def feed_address(path: str, site_url: str) -> str:
    """The absolute address of a file of the site."""
    return site_url.rstrip("/") + "/" + path


def _day(value: str) -> datetime:
    """A stored date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as its first instant, UTC."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2], tzinfo=timezone.utc)


def published_at(article: Article) -> datetime | None:
    """When `article` was published, as precisely as the archive knows: its ``published``
    time, else the first instant of its date; None when undated."""
    if article.published:
        try:
            moment = datetime.fromisoformat(article.published)
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if article.date:
        try:
            return _day(article.date)
        except ValueError:
            return None
    return None


def updated_at(article: Article) -> datetime:
    """The entry's "updated": its publication, or for an undated article the day the
    archive imported it (Atom requires one on every entry)."""
    published = published_at(article)
    if published is not None:
        return published
    try:
        return _day(article.imported)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)


def summary(article: Article) -> str:
    """The article's description, or else its opening words (cut at a word)."""
    if article.description and xml_text(article.description):
        return xml_text(article.description)
    opening = xml_text(" ".join(article.paragraphs[:2]))
    if len(opening) <= SUMMARY_LIMIT:
        return opening
    cut = opening.rfind(" ", 0, SUMMARY_LIMIT)
    return opening[: cut if cut > 0 else SUMMARY_LIMIT] + "…"


def source_name(archive: Archive, domain: str) -> str:
    """A source's name as its page shows it: the registered name, else the domain."""
    registered = {s.domain: s for s in archive.sources}
    return registered[domain].name if domain in registered else domain


def site_feed_list(archive: Archive, index: EntityIndex, site_name: str) -> list[Feed]:
    """Every feed of the site: the latest articles, each source's, each entity's; each
    of at most `FEED_SIZE` articles, and only where there is one."""
    name = xml_text(site_name)
    feeds = [Feed("index.md", "", name, name, tuple(newest_first(archive.articles)[:FEED_SIZE]))]
    by_source: dict[str, list[Article]] = {}
    for article in archive.articles:
        if article.source:
            by_source.setdefault(article.source, []).append(article)
    for domain in sorted(by_source):
        feeds.append(
            Feed(
                f"sources/{domain}.md",
                f"sources/{domain}/",
                f"{name} — {xml_text(source_name(archive, domain))}",
                name,
                tuple(newest_first(by_source[domain])[:FEED_SIZE]),
            )
        )
    by_id = {a.id: a for a in archive.articles}
    for entity in archive.entities:
        named = [by_id[i] for i in index.articles_of.get(entity.id, ()) if i in by_id]
        feeds.append(
            Feed(
                f"entities/{entity.id}.md",
                f"entities/{entity.id}/",
                f"{name} — {xml_text(entity.name)}",
                name,
                tuple(newest_first(named)[:FEED_SIZE]),
            )
        )
    return [feed for feed in feeds if feed.articles]


@dataclass(frozen=True)
class Category:
    """A category of an entry: the article's source or an entity it names."""

    term: str
    label: str
    scheme: str  # the address of the family's index page


def categories(
    article: Article, archive: Archive, index: EntityIndex, site_url: str
) -> list[Category]:
    """The article's source, then the entities it names in order of first mention."""
    found = []
    if article.source:
        found.append(
            Category(
                article.source,
                xml_text(source_name(archive, article.source)),
                feed_address("sources/", site_url),
            )
        )
    for entity_id in index.entities_in(article.id):
        entity = index.entities.get(entity_id)
        if entity is not None:
            found.append(
                Category(entity.id, xml_text(entity.name), feed_address("entities/", site_url))
            )
    return found


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def atom_feed(
    feed: Feed,
    archive: Archive,
    index: EntityIndex,
    site_url: str,
    language: str,
    directory_urls: bool = True,
) -> bytes:
    """The Atom document of `feed` (UTF-8 XML)."""
    generator = FeedGenerator()
    page = page_address(feed.page, site_url, directory_urls)
    generator.id(page)
    generator.title(feed.title)
    generator.author({"name": feed.author or "Postilla"})
    generator.link(href=feed_address(feed.folder + ATOM, site_url), rel="self", type=ATOM_TYPE)
    generator.link(href=page, rel="alternate", type="text/html")
    generator.language(language)
    generator.generator("Postilla")
    generator.updated(max(updated_at(a) for a in feed.articles))
    for article in feed.articles:
        entry = generator.add_entry(order="append")
        address = page_address(f"articles/{article.id}.md", site_url, directory_urls)
        entry.id(address)
        entry.title(xml_text(article.title) or article.id)
        entry.link(entry_links(article, address))
        published = published_at(article)
        if published is not None:
            entry.published(published)
        entry.updated(updated_at(article))
        if xml_text(article.author):
            entry.author({"name": xml_text(article.author)})
        text = summary(article)
        if text:
            entry.summary(text)
        for category in categories(article, archive, index, site_url):
            entry.category(term=category.term, label=category.label, scheme=category.scheme)
    return with_link_attributes(bytes(generator.atom_str(pretty=True)))


def entry_links(article: Article, address: str) -> list[dict[str, str]]:
    """An entry's links: its page in the archive, and the original article."""
    links = [{"href": address, "rel": "alternate", "type": "text/html"}]
    if article.url:
        links.append({"href": article.url, "rel": "related", "type": "text/html"})
    return links


def with_link_attributes(atom: bytes) -> bytes:
    """`atom` with each entry link's ``rel`` and ``type`` written out.

    feedgen 1.0 writes an entry's links with their address only (FeedEntry.atom_entry
    rebinds the name of the link it is reading), so the original article's link would
    read as a second "alternate" one, which Atom forbids. The alternate link is the one
    to the entry's own address (its id, `entry_links`); any other is the original."""
    tree = etree.fromstring(atom)
    for entry in tree.iterfind(f"{{{_ATOM_NS}}}entry"):
        own = entry.findtext(f"{{{_ATOM_NS}}}id")
        for link in entry.iterfind(f"{{{_ATOM_NS}}}link"):
            if "rel" not in link.attrib:
                link.set("rel", "alternate" if link.get("href") == own else "related")
            link.set("type", link.get("type") or "text/html")
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def json_feed(
    feed: Feed,
    archive: Archive,
    index: EntityIndex,
    site_url: str,
    language: str,
    directory_urls: bool = True,
) -> str:
    """The JSON Feed 1.1 document of `feed`."""
    items = []
    for article in feed.articles:
        address = page_address(f"articles/{article.id}.md", site_url, directory_urls)
        item: dict[str, object] = {
            "id": address,
            "url": address,
            "title": xml_text(article.title) or article.id,
            "content_text": summary(article),
        }
        if article.url:
            item["external_url"] = article.url
        if xml_text(article.description):
            item["summary"] = xml_text(article.description)
        published = published_at(article)
        if published is not None:
            item["date_published"] = _rfc3339(published)
        item["date_modified"] = _rfc3339(updated_at(article))
        if xml_text(article.author):
            item["authors"] = [{"name": xml_text(article.author)}]
        tags = [c.label for c in categories(article, archive, index, site_url)]
        if tags:
            item["tags"] = tags
        if article.language:
            item["language"] = article.language
        item["_postilla"] = {"date": article.date, "source": article.source}
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": page_address(feed.page, site_url, directory_urls),
        "feed_url": feed_address(feed.folder + JSON_FEED, site_url),
        "language": language,
        "authors": [{"name": feed.author or "Postilla"}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def feed_links(feed: Feed) -> tuple[FeedLink, ...]:
    """How the page of `feed` offers it."""
    return (
        FeedLink(ATOM_TYPE, "Atom", feed.title, feed.folder + ATOM),
        FeedLink(JSON_FEED_TYPE, "JSON Feed", feed.title, feed.folder + JSON_FEED),
    )


def site_feeds(
    archive: Archive,
    index: EntityIndex,
    site_name: str,
    site_url: str | None,
    language: str,
    directory_urls: bool = True,
    warn: Callable[[str], None] | None = None,
    cached: Callable[[Feed, Callable[[], tuple[bytes, str]]], tuple[bytes, str]] | None = None,
) -> SiteFeeds:
    """Every feed file of the site and the links to them, by page; none without a
    `site_url` (and `warn` is told why) or without articles. `cached(feed, make)` gives a
    feed's (Atom, JSON Feed) texts, from the plugin's cache when nothing it lists changed."""
    if not site_url:
        if warn is not None and archive.articles:
            warn(NO_SITE_URL)
        return SiteFeeds((), {})
    files: list[GeneratedFile] = []
    links: dict[str, tuple[FeedLink, ...]] = {}
    for feed in site_feed_list(archive, index, site_name):

        def make(feed: Feed = feed, site_url: str = site_url) -> tuple[bytes, str]:
            return (
                atom_feed(feed, archive, index, site_url, language, directory_urls),
                json_feed(feed, archive, index, site_url, language, directory_urls),
            )

        atom, json_text = cached(feed, make) if cached else make()
        files.append(GeneratedFile(feed.folder + ATOM, atom))
        files.append(GeneratedFile(feed.folder + JSON_FEED, json_text))
        links[feed.page] = feed_links(feed)
    return SiteFeeds(tuple(files), links)


def template_links(links: dict[str, tuple[FeedLink, ...]], language: str) -> dict[str, object]:
    """What the theme reads from ``config.extra``: for each page (``.md`` path), its feeds
    as plain values (``type``, ``name``, ``title``, ``path``), and the label of the
    visible link."""
    return {
        "label": i18n.strings(language).get("feeds", "Feeds"),
        "pages": {
            page: [
                {"type": f.type, "name": f.name, "title": f.title, "path": f.path} for f in offered
            ]
            for page, offered in links.items()
        },
    }
