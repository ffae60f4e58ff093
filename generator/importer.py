"""``postilla import``: raw files in, ``content/raw/`` + ``content/articles/<id>.md`` out.

Importing is idempotent: the same bytes or the same URL are recognised and left
alone. Nothing already under ``content/`` is overwritten, except by ``--reclean``,
which regenerates an article only when its body is unchanged since import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from slugify import slugify

from . import archive, markdown_text
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


@dataclass(frozen=True)
class Outcome:
    """What happened to one input file."""

    path: str
    status: str  # imported | already | error | recleaned | unchanged | kept-edited
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
    return Article(
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


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files named directly, and the text files inside named folders (sorted)."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith(".")
            )
        else:
            files.append(path)
    return files


def import_files(
    inputs: list[Path], content: Path, *, url: str | None = None, today: date | None = None
) -> list[Outcome]:
    """Import raw files into `content`; one outcome per file, in input order."""
    imported_on = (today or date.today()).isoformat()
    sources, source_problems = archive.load_sources(content / archive.SOURCES)
    if source_problems:
        raise ContentError(source_problems)
    existing = _existing_articles(content)
    by_sha = {a.raw_sha256: a.id for a in existing}
    by_url = {a.url: a.id for a in existing if a.url}
    taken = {p.stem for p in archive.article_paths(content)}
    outcomes: list[Outcome] = []
    batch: list[tuple[str, RawArticle]] = []
    for path in expand_inputs(inputs):
        shown = archive.display_path(path)
        try:
            batch.append((shown, read_raw(path, shown)))
        except ContentError as exc:
            outcomes += [Outcome(shown, "error", None, str(p)) for p in exc.problems]
    boilerplate = site_boilerplate(content, existing, [raw for _, raw in batch])
    fresh = {raw.sha256: raw for _, raw in batch if raw.sha256 not in by_sha}
    jobs = [
        (raw, boilerplate.get(raw_domain(raw, url), frozenset()), url) for raw in fresh.values()
    ]
    described = dict(zip(fresh, clean_all(jobs)))
    for shown, raw in batch:
        if raw.sha256 in by_sha:
            outcomes.append(
                Outcome(
                    shown,
                    "already",
                    by_sha[raw.sha256],
                    f"already imported as {by_sha[raw.sha256]}",
                )
            )
            continue
        cleaned, metadata = described[raw.sha256]
        if metadata.url and metadata.url in by_url:
            outcomes.append(
                Outcome(
                    shown,
                    "already",
                    by_url[metadata.url],
                    f"already imported as {by_url[metadata.url]} (same URL)",
                )
            )
            continue
        if not cleaned.paragraphs:
            outcomes.append(Outcome(shown, "error", None, f"{shown}: {refusal(cleaned)}"))
            continue
        article_id = make_article_id(metadata, taken, raw.sha256)
        wanted = make_article_id(metadata, set(), raw.sha256)
        note = f" (id {wanted} is taken by another article)" if article_id != wanted else ""
        article = build_article(raw, cleaned, metadata, article_id, sources, imported_on)
        write_new_article(content, article, raw.data)
        taken.add(article_id)
        by_sha[raw.sha256] = article_id
        if article.url:
            by_url[article.url] = article_id
        note += thin_text_warning(cleaned, article.words)
        outcomes.append(Outcome(shown, "imported", article_id, f"imported as {article_id}{note}"))
    return outcomes


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


def clean_and_describe(job: Job) -> tuple[CleanedText, Metadata]:
    """Cleaning and metadata of one raw file: the pure, CPU-bound part of an import."""
    raw, boilerplate, url = job
    cleaned = clean(raw, boilerplate, url)
    return cleaned, extract(raw, cleaned, url=url)


def clean_all(jobs: list[Job]) -> list[tuple[CleanedText, Metadata]]:
    """`clean_and_describe` for every job, on every core when the batch is large."""
    return parallel_map(clean_and_describe, jobs)


def raw_domain(raw: RawArticle, url: str | None = None) -> str | None:
    """The source domain of a raw file: its header URL's host, else the URL given for it."""
    return url_domain((raw.header.url if raw.header else None) or url)


def site_boilerplate(
    content: Path, existing: list[Article], batch: list[RawArticle]
) -> dict[str | None, frozenset[str]]:
    """For each site (URL host) with articles in the archive or the batch, the lines that
    recur across its articles (`clean.repeated_lines`). Articles with no known source
    are not pooled: different unknown sites share nothing."""
    texts: dict[str | None, list[str]] = {}
    for article in existing:
        domain = url_domain(article.url)
        if domain and (content / article.raw).is_file():
            try:
                texts.setdefault(domain, []).append(read_raw(content / article.raw).text)
            except ContentError:
                continue
    for raw in batch:
        domain = raw_domain(raw)
        if domain:
            texts.setdefault(domain, []).append(raw.text)
    return {domain: repeated_lines(group) for domain, group in texts.items() if len(group) >= 3}


def refusal(cleaned: CleanedText) -> str:
    """Why a file with no body text is refused, naming the rules that removed its lines."""
    rules = sorted({d.rule for d in cleaned.decisions if d.label != "header"})
    return (
        "no article text left after cleaning (every line is boilerplate or metadata: "
        f"{', '.join(rules) or 'empty'}) — nothing imported; run with --explain to see each line"
    )


def _existing_articles(content: Path) -> list[Article]:
    articles = []
    for path in archive.article_paths(content):
        try:
            articles.append(archive.read_article(path))
        except ContentError:
            continue  # `postilla check` reports it; importing other files still works
    return articles


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
    and a title marked ``title_source: edited``.
    """
    sources, source_problems = archive.load_sources(content / archive.SOURCES)
    if source_problems:
        raise ContentError(source_problems)
    outcomes = []
    boilerplate = site_boilerplate(content, _existing_articles(content), [])
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
        metadata = extract(raw, cleaned, url=old.url)
        new = build_article(raw, cleaned, metadata, old.id, sources, old.imported)
        new = replace(new, raw=old.raw, raw_name=old.raw_name)
        if old.title_source == "edited":
            new = replace(new, title=old.title, title_source="edited")
        new_text = archive.article_to_text(new)
        if new_text == text:
            outcomes.append(Outcome(shown, "unchanged", old.id, "unchanged"))
            continue
        archive.write_text_atomic(path, new_text)
        outcomes.append(Outcome(shown, "recleaned", old.id, "regenerated from its raw file"))
    return outcomes
