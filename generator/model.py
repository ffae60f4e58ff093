"""Typed contracts between the stages of the pipeline.

Each stage takes these objects and returns new ones; nothing here is mutated
after it is made. Reading order follows the data:

    RawArticle  --clean-->  CleanedText  --metadata-->  Metadata
        \\______________________ import ____________________/
                                  |
                               Article (content/articles/<id>.md)
                                  |
                    Archive (articles + sources + entities) --> site
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

LineLabel = Literal["header", "title", "meta", "body", "junk"]
TitleSource = Literal["headline", "derived", "edited"]
EntityType = Literal["person", "organization", "place", "event", "other"]
ENTITY_TYPES: tuple[str, ...] = ("person", "organization", "place", "event", "other")


@dataclass(frozen=True)
class Header:
    """The optional first line of a raw file: `` date YYYY[-MM[-DD]] [URL]``."""

    date: str | None
    url: str | None


@dataclass(frozen=True)
class RawArticle:
    """One raw input file, decoded but otherwise exactly as received."""

    name: str  # the file name it was imported from
    data: bytes  # the original bytes, kept verbatim in content/raw/
    text: str  # decoded text, newlines normalised to "\n"
    encoding: str
    sha256: str  # of `data`
    header: Header | None
    body_start: int  # index into text.split("\n") of the first line after the header
    hints: tuple[tuple[str, str], ...] = ()  # metadata found outside the text (HTML meta tags)

    def hint(self, key: str) -> str | None:
        return next((value for name, value in self.hints if name == key), None)


@dataclass(frozen=True)
class LineDecision:
    """What cleaning decided for one non-empty line of the raw text, and why."""

    number: int  # 1-based line number in the decoded raw file
    text: str  # the line, whitespace-normalised
    label: LineLabel
    rule: str  # stable id of the rule that decided (see clean.RULES)
    reason: str  # the same, for a person


@dataclass(frozen=True)
class CleanedText:
    """The output of cleaning: every line's decision, and the body it leaves."""

    decisions: tuple[LineDecision, ...]
    paragraphs: tuple[str, ...]
    footnotes: tuple[str, ...]  # publisher notes separated from the body (`*Organizzazioni…`)
    repairs: tuple[str, ...] = ()  # what was repaired, for the explanation
    # The lines that could be the headline: (raw line number, text, score, evidence), for
    # the explanation (`postilla import --explain`).
    headline_candidates: tuple[tuple[int, str, float, tuple[str, ...]], ...] = ()

    @property
    def removed(self) -> tuple[LineDecision, ...]:
        """Lines that are neither body nor the header, i.e. not shown as text."""
        return tuple(d for d in self.decisions if d.label in ("junk", "meta", "title"))


@dataclass(frozen=True)
class Metadata:
    """What the evidence in one raw file says about it, each value as precise as its evidence."""

    title: str
    title_source: TitleSource
    date: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    date_source: str | None  # where the date came from: header, timestamp, byline date, ...
    published: str | None  # full ISO 8601 datetime with offset, only when the text gives one
    url: str | None
    source: str | None  # the publisher's domain
    author: str | None
    description: str | None
    language: str | None
    place: str | None = None  # from a dateline: "ISTANBUL, 29 NOV -"
    agency: str | None = None  # from a dateline: "Roma, 9 ott. (askanews) -"
    author_source: str | None = None  # byline | page metadata (a saved page's own tags)
    language_source: str | None = None  # page metadata when a saved page's lang gave it


@dataclass(frozen=True)
class RemovedLine:
    """A raw line that cleaning kept out of the body, with the rule that did it."""

    line: int
    text: str
    rule: str
    reason: str


@dataclass(frozen=True)
class Article:
    """One archived article, as stored in ``content/articles/<id>.md``."""

    id: str
    title: str
    title_source: TitleSource
    date: str | None
    date_source: str | None
    published: str | None
    url: str | None
    source: str | None
    publisher: str | None
    author: str | None
    language: str | None
    description: str | None
    words: int
    raw: str  # path of the raw file, relative to the content folder
    raw_name: str
    raw_sha256: str
    body_sha256: str
    imported: str  # YYYY-MM-DD
    paragraphs: tuple[str, ...]  # the body as plain text, one string per paragraph
    footnotes: tuple[str, ...] = ()
    removed: tuple[RemovedLine, ...] = ()
    place: str | None = None
    agency: str | None = None
    author_source: str | None = None  # byline | page metadata | edited
    language_source: str | None = None  # detected | page metadata | edited
    # Digest of each field's value as the generator wrote it (`importer.TRACKED_FIELDS`):
    # a value that no longer matches was edited by hand, and --reclean keeps it.
    generated: tuple[tuple[str, str], ...] = ()
    path: Path | None = field(default=None, compare=False)  # where it was read from

    @property
    def body_text(self) -> str:
        """The body as plain text, paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    @cached_property
    def body_digest(self) -> str:
        """`cache.digest` of the body text: the key of what the build cache keeps per body
        (signatures, comparisons), made once per article read."""
        from .cache import digest

        return digest(self.body_text)

    @cached_property
    def record_digest(self) -> str:
        """`cache.digest` of every field (its ``repr``): what a page or file made from the
        whole article is keyed by in the build cache, made once per article read."""
        from .cache import digest

        return digest(repr(self))

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    @property
    def month(self) -> str | None:
        return self.date[:7] if self.date and len(self.date) >= 7 else None


@dataclass(frozen=True)
class Source:
    """A publisher, from ``content/sources.yml``."""

    domain: str
    name: str
    country: str | None = None
    kind: str | None = None
    url: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Entity:
    """A person, organisation, place, event or other, from ``content/entities.yml``."""

    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    coordinates: tuple[float, float] | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can."""

    path: str  # shown as is: relative to the working directory where possible
    line: int | None
    message: str
    column: int | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"


class ContentError(Exception):
    """Content that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Archive:
    """Everything under ``content/`` that the site is built from, loaded and validated."""

    articles: tuple[Article, ...]
    sources: tuple[Source, ...]
    entities: tuple[Entity, ...]

    def source_for(self, domain: str | None) -> Source | None:
        """The registered source for a domain, matching the longest registered suffix."""
        if not domain:
            return None
        return match_source(domain, self.sources)


def match_source(host: str, sources: tuple[Source, ...] | list[Source]) -> Source | None:
    """The source whose domain is `host` or the longest suffix of it (``it.x.com`` → ``x.com``)."""
    host = host.lower().removeprefix("www.")
    best: Source | None = None
    for source in sources:
        domain = source.domain.lower()
        if (host == domain or host.endswith("." + domain)) and (
            best is None or len(domain) > len(best.domain)
        ):
            best = source
    return best
