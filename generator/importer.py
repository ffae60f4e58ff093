"""``postilla import``: raw files in, ``content/raw/`` + ``content/articles/<id>.md`` out.

Importing is idempotent: the same bytes or the same URL are recognised and left
alone. Nothing already under ``content/`` is overwritten, except by ``--reclean``,
which regenerates an article only when its body is unchanged since import.

The result of one import is a function of the set of files given, not of their order:
the files are cleaned and given ids in the order of their SHA-256, and the lines a site
repeats are learnt from the distinct raw files of the archive and the batch. Symbolic
links in the input are never followed: each is named and skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from slugify import slugify

from . import archive, clusters, markdown_text
from .cache import NO_CACHE, Cache
from .clean import clean, repeated_lines
from .ingest import HTML_SUFFIXES, read_raw, url_domain
from .metadata import extract
from .model import (
    Article,
    CleanedText,
    ContentError,
    Metadata,
    Problem,
    RawArticle,
    Source,
    match_source,
)
from .parallel import parallel_map

ID_MAX = 80
RAW_SUFFIXES = {".txt", ".text", "", *HTML_SUFFIXES}
# The metadata a maintainer may correct by hand. Each has a digest of its generated value
# in the front matter (`generated:`); --reclean keeps a value that no longer matches it.
TRACKED_FIELDS = (
    "title", "title_source", "date", "date_source", "published", "url", "source",
    "publisher", "author", "author_source", "place", "agency", "language", "language_source",
    "description",
)  # fmt: skip
# A field and the field that says where its value came from: a value kept as edited by
# hand gets ``edited`` there, and a field marked ``edited`` there is kept.
SOURCE_OF = {
    "title": "title_source",
    "date": "date_source",
    "author": "author_source",
    "language": "language_source",
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one input file."""

    path: str
    status: str  # imported | already | skipped | error | recleaned | unchanged | kept-edited
    article_id: str | None
    message: str

    def __str__(self) -> str:
        return self.message if self.status == "error" else f"{self.path}: {self.message}"


def make_article_id(metadata: Metadata, taken: set[str], raw_sha256: str) -> str:
    """A stable ASCII id: the date (when known) and a slug of the title, at most 80
    characters; if taken by another article, a short hash of the raw bytes is added."""
    prefix = f"{metadata.date}-" if metadata.date else ""
    slug = slugify(metadata.title, max_length=ID_MAX - len(prefix) - 7, word_boundary=True)
    base = (prefix + (slug or "article")).strip("-")
    if base not in taken:
        return base
    return f"{base}-{raw_sha256[:6]}"


def field_digest(value: object) -> str:
    """A short digest of one front-matter value (12 hex digits: enough to see a change)."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def generated_digests(article: Article) -> tuple[tuple[str, str], ...]:
    """(field, digest of its value) for every tracked field of a freshly generated article."""
    return tuple(sorted((name, field_digest(getattr(article, name))) for name in TRACKED_FIELDS))


def edited_fields(article: Article) -> tuple[str, ...]:
    """The tracked fields of a stored article that were edited by hand: those whose value
    no longer matches the digest written at import, and those marked ``edited`` in their
    ``*_source`` field (the only evidence an article imported before the digests has)."""
    digests = dict(article.generated)
    edited = {
        name
        for name in TRACKED_FIELDS
        if name in digests and field_digest(getattr(article, name)) != digests[name]
    }
    edited |= {name for name, source in SOURCE_OF.items() if getattr(article, source) == "edited"}
    return tuple(name for name in TRACKED_FIELDS if name in edited)


def keep_edited(new: Article, old: Article, edited: tuple[str, ...]) -> Article:
    """`new` with the hand-edited fields of `old`, each marked ``edited`` in its
    ``*_source`` unless that was edited too; digests stay those of the generated values,
    so the fields still read as edited at the next reclean."""
    values: dict[str, object] = {name: getattr(old, name) for name in edited}
    for name in edited:
        source = SOURCE_OF.get(name)
        if source and source not in edited:
            values[source] = "edited"
    return replace(new, **values)  # type: ignore[arg-type]


def with_page_metadata(metadata: Metadata, raw: RawArticle) -> Metadata:
    """`metadata` completed with what a saved page declares about itself (`RawArticle.hints`,
    from `ingest.parse_html`) where the text gave nothing: the full publication time
    (``article:published_time``), the date it implies, the description. The text's own
    evidence wins; a plain text file has no hints and comes back unchanged."""
    published = raw.hint("published")
    values: dict[str, object] = {}
    if published and metadata.published is None:
        values["published"] = published
        if metadata.date is None or published.startswith(metadata.date):
            values["date"], values["date_source"] = published[:10], "page metadata"
    if metadata.description is None and raw.hint("description"):
        values["description"] = raw.hint("description")
    if metadata.language is None and raw.hint("language"):
        values["language"], values["language_source"] = raw.hint("language"), "page metadata"
    return replace(metadata, **values) if values else metadata  # type: ignore[arg-type]


def build_article(
    raw: RawArticle,
    cleaned: CleanedText,
    metadata: Metadata,
    article_id: str,
    sources: tuple[Source, ...],
    imported: str,
) -> Article:
    """The article a raw file becomes. Pure: writes nothing."""
    source = match_source(metadata.source, sources) if metadata.source else None
    suffix = (
        Path(raw.name).suffix.lower() if Path(raw.name).suffix.lower() in RAW_SUFFIXES else ".txt"
    )
    body = markdown_text.body_to_markdown(cleaned.paragraphs)
    language_source = metadata.language_source or ("detected" if metadata.language else None)
    article = Article(
        id=article_id,
        title=metadata.title,
        title_source=metadata.title_source,
        date=metadata.date,
        date_source=metadata.date_source,
        published=metadata.published,
        url=metadata.url,
        source=source.domain if source else metadata.source,
        publisher=source.name if source else None,
        author=metadata.author,
        author_source=metadata.author_source,
        place=metadata.place,
        agency=metadata.agency,
        language=metadata.language,
        language_source=language_source,
        description=metadata.description,
        words=archive.count_words(cleaned.paragraphs),
        raw=f"{archive.RAW}/{article_id}{suffix or '.txt'}",
        raw_name=raw.name,
        raw_sha256=raw.sha256,
        body_sha256=archive.sha256_text(body),
        imported=imported,
        paragraphs=cleaned.paragraphs,
        footnotes=cleaned.footnotes,
        removed=tuple(
            archive.RemovedLine(d.number, d.text, d.rule, d.reason)
            for d in cleaned.decisions
            if d.label != "body"
        ),
    )
    return replace(article, generated=generated_digests(article))


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files named directly, and the text files inside named folders (sorted); symbolic
    links are left out (`walk_inputs`)."""
    return walk_inputs(inputs)[0]


def walk_inputs(inputs: list[Path]) -> tuple[list[Path], list[Path]]:
    """The raw files to import and the symbolic links skipped: files named directly, and
    the text files inside named folders (sorted, hidden names left out). A link, to a
    file or a folder, named or found, is never followed: it could point anywhere on the
    machine (`/etc/passwd`), or back up the tree."""
    files: list[Path] = []
    links: list[Path] = []
    for path in inputs:
        if path.is_symlink():
            links.append(path)
        elif path.is_dir():
            found, skipped = _walk_folder(path)
            files += found
            links += skipped
        else:
            files.append(path)
    return files, links


def _walk_folder(folder: Path) -> tuple[list[Path], list[Path]]:
    files: list[Path] = []
    links: list[Path] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        here = Path(root)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                links.append(here / name)  # os.walk lists it but never enters it
        for name in names:
            path = here / name
            if path.is_symlink():
                if not name.startswith("."):
                    links.append(path)
            elif (
                path.suffix.lower() in RAW_SUFFIXES and not name.startswith(".") and path.is_file()
            ):
                files.append(path)
    return sorted(files), sorted(links)


def skipped_link(path: Path) -> Outcome:
    """The warning for a symbolic link in the input, naming it and where it points."""
    shown = str(Path(archive.display_path(path.parent)) / path.name)  # the link, not its target
    try:
        target = f" (to {os.readlink(path)})"
    except OSError:
        target = ""
    return Outcome(
        shown,
        "skipped",
        None,
        f"warning: symbolic link{target} skipped — links are never followed;"
        " copy the file itself into the folder to import it",
    )


def import_files(
    inputs: list[Path],
    content: Path,
    *,
    url: str | None = None,
    today: date | None = None,
    cache: Cache = NO_CACHE,
) -> list[Outcome]:
    """Import raw files into `content`; one outcome per file (and per symbolic link
    skipped), in input order. The articles written and their ids depend on the set of
    files, not on their order (`canonical_order`). `cache`, the project's build cache when
    there is one, is read (never written) for the archive's parsed articles and
    republication signatures: what a daily import of a few files into a large archive
    would otherwise make again for every archived article."""
    imported_on = (today or date.today()).isoformat()
    sources, source_problems = archive.load_sources(content / archive.SOURCES)
    if source_problems:
        raise ContentError(source_problems)
    paths = archive.article_paths(content)
    existing, _ = archive.read_articles(paths, cache)
    # (an article that does not parse is `postilla check`'s to report: importing goes on)
    by_sha = {a.raw_sha256: a.id for a in existing}
    by_url = {a.url: a.id for a in existing if a.url}
    taken = {p.stem for p in paths}
    archived = clusters.RepeatIndex()  # to say when a new file repeats an archived story
    signatures = clusters.cached_signatures(existing, cache)
    for known_article in existing:
        archived.add(
            known_article.id, known_article.paragraphs, signatures[known_article.body_digest]
        )
    files, links = walk_inputs(inputs)
    errors: dict[str, list[Outcome]] = {}
    batch: list[tuple[str, RawArticle]] = []
    for path in files:
        shown = archive.display_path(path)
        try:
            batch.append((shown, read_raw(path, shown, follow_symlinks=False)))
        except ContentError as exc:
            errors[shown] = [Outcome(shown, "error", None, str(p)) for p in exc.problems]
    batch_sites = {raw_domain(raw, url) for _, raw in batch}  # only their lines are asked
    boilerplate = site_boilerplate(
        content,
        [a for a in existing if url_domain(a.url) in batch_sites],
        [raw for _, raw in batch],
        url,
    )
    fresh = canonical_order(raw for _, raw in batch if raw.sha256 not in by_sha)
    jobs = [(raw, boilerplate.get(raw_domain(raw, url), frozenset()), url) for raw in fresh]
    decided: dict[str, Outcome] = {}  # by raw SHA-256: what became of those bytes
    for raw, (cleaned, metadata, signature) in zip(fresh, clean_all(jobs)):
        if metadata.url and metadata.url in by_url:
            known = by_url[metadata.url]
            decided[raw.sha256] = Outcome(
                "", "already", known, f"already imported as {known} (same URL)"
            )
            continue
        if not cleaned.paragraphs:
            decided[raw.sha256] = Outcome("", "error", None, refusal(cleaned))
            continue
        article_id = make_article_id(metadata, taken, raw.sha256)
        wanted = make_article_id(metadata, set(), raw.sha256)
        note = f" (id {wanted} is taken by another article)" if article_id != wanted else ""
        article = build_article(raw, cleaned, metadata, article_id, sources, imported_on)
        write_new_article(content, article, raw.data)
        taken.add(article_id)
        if article.url:
            by_url[article.url] = article_id
        note += thin_text_warning(cleaned, article.words)
        note += clusters.repeat_note(archived.repeats(article.paragraphs, signature))
        archived.add(article_id, article.paragraphs, signature)
        decided[raw.sha256] = Outcome("", "imported", article_id, f"imported as {article_id}{note}")
    return report_in_input_order(files, links, batch, errors, by_sha, decided)


def canonical_order(raws: Iterable[RawArticle]) -> list[RawArticle]:
    """Distinct raw files in the order of their SHA-256: the order in which an import
    cleans them and gives them ids, so that which of two files takes a contested id or
    URL does not depend on the order or the names they were given in."""
    return sorted({raw.sha256: raw for raw in raws}.values(), key=lambda raw: raw.sha256)


def report_in_input_order(
    files: list[Path],
    links: list[Path],
    batch: list[tuple[str, RawArticle]],
    errors: dict[str, list[Outcome]],
    existing_by_sha: dict[str, str],
    decided: dict[str, Outcome],
) -> list[Outcome]:
    """One outcome per input file, in the order given, then one per link skipped. A
    second copy of the same bytes in the batch is reported as already imported."""
    raws = dict(batch)
    reported: set[str] = set()
    outcomes: list[Outcome] = []
    for path in files:
        shown = archive.display_path(path)
        if shown in errors:
            outcomes += errors[shown]
            continue
        raw = raws.get(shown)
        if raw is None:
            continue
        sha = raw.sha256
        if sha in existing_by_sha:
            known = existing_by_sha[sha]
            outcomes.append(Outcome(shown, "already", known, f"already imported as {known}"))
        elif sha in reported and decided[sha].article_id:
            known = decided[sha].article_id or ""
            outcomes.append(Outcome(shown, "already", known, f"already imported as {known}"))
        else:
            outcome = decided[sha]
            message = (
                f"{shown}: {outcome.message}" if outcome.status == "error" else outcome.message
            )
            outcomes.append(replace(outcome, path=shown, message=message))
        reported.add(sha)
    return outcomes + [skipped_link(link) for link in links]


THIN_WORDS = 40  # fewer words of body than this: imported, with a warning to look at it


def thin_text_warning(cleaned: CleanedText, words: int) -> str:
    """A warning for an article imported with little text: kept whole rather than lost,
    but worth a look (`--explain` shows each line)."""
    rescued = any(d.rule == "kept-prose" for d in cleaned.decisions)
    if not rescued and words >= THIN_WORDS:
        return ""
    why = "only prose that cleaning would have removed" if rescued else f"only {words} words"
    return f" — warning: {why} kept as its text; check it with --explain"


Job = tuple[RawArticle, frozenset[str], str | None]


def clean_and_extract(job: Job) -> tuple[CleanedText, Metadata]:
    """Cleaning and metadata of one raw file (with its site's boilerplate lines, and the
    address given for it)."""
    raw, boilerplate, url = job
    cleaned = clean(raw, boilerplate, url)
    return cleaned, with_page_metadata(extract(raw, cleaned, url=url), raw)


def clean_and_describe(job: Job) -> tuple[CleanedText, Metadata, tuple[int, ...]]:
    """Cleaning, metadata and republication signature (`clusters.body_signature`) of one
    raw file: the pure, CPU-bound part of an import."""
    cleaned, metadata = clean_and_extract(job)
    return cleaned, metadata, clusters.body_signature(cleaned.paragraphs)


def clean_all(jobs: list[Job]) -> list[tuple[CleanedText, Metadata, tuple[int, ...]]]:
    """`clean_and_describe` for every job, on every core when the batch is large."""
    return parallel_map(clean_and_describe, jobs)


def raw_domain(raw: RawArticle, url: str | None = None) -> str | None:
    """The source domain of a raw file: its header URL's host, else the URL given for it."""
    return url_domain((raw.header.url if raw.header else None) or url)


def site_boilerplate(
    content: Path, existing: list[Article], batch: list[RawArticle], url: str | None = None
) -> dict[str | None, frozenset[str]]:
    """For each site (URL host) with articles in the archive or the batch, the lines that
    recur across its distinct raw files (`clean.repeated_lines`): each file counts once,
    however often it is in the archive and the batch, so the result is a function of the
    set of files. `url` is the address given for a batch file without a header. Articles
    with no known source are not pooled: different unknown sites share nothing."""
    texts: dict[str, dict[str, str]] = {}  # domain -> raw SHA-256 -> text
    for article in existing:
        domain = url_domain(article.url)
        if domain and (content / article.raw).is_file():
            try:
                raw = read_raw(content / article.raw)
            except ContentError:
                continue
            texts.setdefault(domain, {})[raw.sha256] = raw.text
    for raw in batch:
        domain = raw_domain(raw, url)
        if domain:
            texts.setdefault(domain, {})[raw.sha256] = raw.text
    return {
        domain: repeated_lines([group[sha] for sha in sorted(group)])
        for domain, group in texts.items()
        if len(group) >= 3
    }


def refusal(cleaned: CleanedText) -> str:
    """Why a file with no body text is refused, naming the rules that removed its lines."""
    rules = sorted({d.rule for d in cleaned.decisions if d.label != "header"})
    return (
        "no article text left after cleaning (every line is boilerplate or metadata: "
        f"{', '.join(rules) or 'empty'}) — nothing imported; run with --explain to see each line"
    )


def write_new_article(content: Path, article: Article, raw_bytes: bytes) -> None:
    """Write the raw file, then the article; refuse to overwrite either."""
    raw_path = content / article.raw
    article_path = content / archive.ARTICLES / f"{article.id}.md"
    for path in (raw_path, article_path):
        if path.exists():
            raise ContentError(
                Problem(
                    archive.display_path(path), None, "already exists — refusing to overwrite it"
                )
            )
    archive.write_text_atomic(raw_path, raw_bytes)
    try:
        archive.write_text_atomic(article_path, archive.article_to_text(article))
    except BaseException:
        raw_path.unlink(missing_ok=True)
        raise


def reclean(content: Path) -> list[Outcome]:
    """Regenerate every article from its raw file where its body has not been edited by hand.

    Kept from the existing article: id, import date, raw paths, a URL given at import,
    and every metadata field edited by hand (`edited_fields`: its value no longer matches
    the digest written when it was generated, or its ``*_source`` says ``edited``); the
    outcome names the fields kept.
    """
    sources, source_problems = archive.load_sources(content / archive.SOURCES)
    if source_problems:
        raise ContentError(source_problems)
    outcomes = []
    boilerplate = site_boilerplate(
        content, archive.read_articles(archive.article_paths(content))[0], []
    )
    for path in archive.article_paths(content):
        shown = archive.display_path(path)
        try:
            old = archive.read_article(path)
            text = path.read_text("utf-8")
        except ContentError as exc:
            outcomes += [Outcome(shown, "error", None, str(p)) for p in exc.problems]
            continue
        if archive.sha256_text(archive.stored_body(text)) != old.body_sha256:
            outcomes.append(
                Outcome(
                    shown, "kept-edited", old.id, "body edited by hand since import — left alone"
                )
            )
            continue
        raw_path = content / old.raw
        try:
            raw = read_raw(raw_path, archive.display_path(raw_path))
        except ContentError as exc:
            outcomes += [Outcome(shown, "error", old.id, str(p)) for p in exc.problems]
            continue
        cleaned = clean(raw, boilerplate.get(url_domain(old.url), frozenset()), old.url)
        metadata = with_page_metadata(extract(raw, cleaned, url=old.url), raw)
        new = build_article(raw, cleaned, metadata, old.id, sources, old.imported)
        new = replace(new, raw=old.raw, raw_name=old.raw_name)
        edited = edited_fields(old)
        new = keep_edited(new, old, edited)
        kept = f"; kept edited by hand: {', '.join(edited)}" if edited else ""
        new_text = archive.article_to_text(new)
        if new_text == text:
            outcomes.append(Outcome(shown, "unchanged", old.id, "unchanged" + kept))
            continue
        archive.write_text_atomic(path, new_text)
        outcomes.append(Outcome(shown, "recleaned", old.id, "regenerated from its raw file" + kept))
    return outcomes
