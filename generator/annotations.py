"""Annotations contributed by pull request: reading, validating and anchoring them.

An annotation file (``content/annotations/**/*.yml``) names an article and lists
annotations, each anchored to a quote of that article's body. Contributors are
untrusted: the YAML is read strictly (no tags, anchors or duplicate keys; ``no`` stays
a string), files and notes have size limits, and every problem is reported as
``file:LINE:COL: what is wrong — what to do``.

Anchoring follows Hypothesis: the quote is searched in the body text, exactly first
(with whitespace runs and curly or straight quotes and apostrophes made alike);
``prefix``/``suffix`` choose among several occurrences; with no exact match, the most
similar passage (rapidfuzz alignment, scored with the prefix and suffix) is accepted when
it is close enough, with a warning that says what the text now reads. An annotation
that no longer fits its article is an orphan: listed on its own page, never dropped.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mkdocs.utils import get_build_date
from rapidfuzz import fuzz
from slugify import slugify

from . import schema, yamlio
from .model import Article, Problem

ANNOTATIONS = "annotations"
MAX_FILE_BYTES = 64 * 1024
FUZZY_ACCEPT = 85.0  # similarity (0-100) of the best passage for a re-anchor with a warning
CONTEXT = 32  # characters of prefix/suffix written by `postilla annotate`, and compared here
KINDS = ("comment", "context", "fact-check", "correction", "question")
VERDICTS = ("true", "false", "misleading", "unverified")
# W3C Web Annotation motivations for each kind.
MOTIVATIONS = {
    "comment": "commenting",
    "context": "describing",
    "fact-check": "assessing",
    "correction": "editing",
    "question": "questioning",
}

_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Reply:
    author: str
    date: str
    note: str


@dataclass(frozen=True)
class Annotation:
    """One annotation, as its contributor wrote it."""

    id: str
    article: str
    quote: str
    note: str
    kind: str
    author: str
    date: str
    prefix: str | None = None
    suffix: str | None = None
    verdict: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    replies: tuple[Reply, ...] = ()
    path: str = ""  # the file, for messages
    line: int | None = None  # where the annotation starts in it
    column: int | None = None

    @property
    def motivation(self) -> str:
        return MOTIVATIONS[self.kind]


@dataclass(frozen=True)
class Anchor:
    """Where an annotation's quote is in the article body text (``Article.body_text``)."""

    start: int
    end: int
    text: str  # the passage as the article now reads
    exact: bool  # False: re-anchored by similarity
    score: float = 100.0


@dataclass(frozen=True)
class Anchored:
    """An annotation and where it now stands; `anchor` is None for an orphan."""

    annotation: Annotation
    anchor: Anchor | None
    problem: Problem | None = None  # why it is an orphan, or the re-anchoring warning


@dataclass(frozen=True)
class AnnotationSet:
    """Every annotation of the archive, anchored, with the problems found on the way."""

    anchored: tuple[Anchored, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped_files: tuple[str, ...] = ()  # files with errors, left out of the site

    def of(self, article_id: str) -> list[Anchored]:
        """An article's anchored annotations in text order (orphans excluded)."""
        found = [a for a in self.anchored if a.annotation.article == article_id and a.anchor]
        return sorted(found, key=lambda a: (a.anchor.start, a.anchor.end) if a.anchor else (0, 0))

    def by_article(self) -> dict[str, list[Anchored]]:
        """`of` for every article at once (one pass, for a whole build)."""
        grouped: dict[str, list[Anchored]] = {}
        for item in self.anchored:
            if item.anchor is not None:
                grouped.setdefault(item.annotation.article, []).append(item)
        for items in grouped.values():
            items.sort(key=lambda a: (a.anchor.start, a.anchor.end) if a.anchor else (0, 0))
        return grouped

    @property
    def orphans(self) -> list[Anchored]:
        return [a for a in self.anchored if a.anchor is None]


# --- reading and validating ------------------------------------------------


def annotation_paths(content: Path) -> list[Path]:
    """The annotation files: every ``*.yml`` under ``content/annotations/``."""
    folder = content / ANNOTATIONS
    return sorted(p for p in folder.rglob("*.yml") if p.is_file()) if folder.is_dir() else []


# Names that look like an annotation file but are not read as one (only `.yml` is).
LOOKALIKE_SUFFIXES = (".yml", ".yaml", ".json")


def misnamed_annotation_files(content: Path) -> list[Path]:
    """Files under ``content/annotations/`` written as annotations but never read: YAML or
    JSON under another extension (``.yaml``, ``.YML``, ``.json``, a file named ``.yaml``)."""
    folder = content / ANNOTATIONS
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.name.casefold().endswith(LOOKALIKE_SUFFIXES)
        and not p.name.endswith(".yml")
        and p.is_file()
    )


def misnamed_problem(path: Path, shown: str) -> Problem:
    """The error for a misnamed annotation file: it would be silently left out."""
    stem = path.name[: path.name.rfind(".")]
    better = f"{stem}.yml" if stem else "a name ending in .yml (e.g. DATE-AUTHOR-WORDS.yml)"
    return Problem(
        shown, None, f"not read as an annotation file: only .yml files are — rename it to {better}"
    )


def tag_slug(tag: str) -> str:
    """The page name of a tag: tags that differ only in case or accents share a page, and
    a tag of punctuation alone still gets one."""
    # An underscore never occurs in a slug, so this name cannot be another tag's.
    return slugify(tag) or "tag_" + hashlib.sha256(tag.encode()).hexdigest()[:8]


def derive_id(article: str, quote: str) -> str:
    """A stable id from the article and the quote: the quote's first words and a hash."""
    digest = hashlib.sha256(f"{article}\n{quote}".encode()).hexdigest()[:8]
    return f"{slugify(quote, max_length=40, word_boundary=True) or 'nota'}-{digest}"


def parse_file(
    text: str, display: str, article_ids: set[str]
) -> tuple[list[Annotation], list[Problem]]:
    """The annotations of one file and every problem in it (pure: no file access)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return [], [
            Problem(
                display,
                None,
                f"the file is larger than {MAX_FILE_BYTES // 1024} KiB — split it into several files",
            )
        ]
    try:
        located = yamlio.load(text)
    except yamlio.YamlError as exc:
        message = exc.message if "—" in exc.message else f"{exc.message} — fix the YAML"
        return [], [Problem(display, exc.line, message, exc.column)]
    if not isinstance(located.data, dict):
        return [], [
            Problem(
                display,
                1,
                "the file must be a mapping with 'article' and 'annotations' — start from the template",
                1,
            )
        ]
    problems = schema.validate(located, "annotation", display)
    data = located.data
    article = data.get("article")
    if isinstance(article, str) and article not in article_ids:
        line, column = located.line_of(("article",))
        near = difflib.get_close_matches(article, sorted(article_ids), n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(repr(n) for n in near)}?"
            if near
            else "use the id of a file in content/articles/"
        )
        problems.append(Problem(display, line, f"unknown article {article!r} — {hint}", column))
    raw_items = data.get("annotations")
    items: list = raw_items if isinstance(raw_items, list) else []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        problems += _item_problems(item, index, located, display)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    if any(p.severity == "error" for p in problems):
        return [], problems
    return [
        _annotation(item, i, str(article), located, display) for i, item in enumerate(items)
    ], problems


def _item_problems(item: dict, index: int, located: yamlio.Located, display: str) -> list[Problem]:
    problems = []

    def at(key: str, message: str) -> None:
        line, column = located.line_of(("annotations", index, key))
        problems.append(Problem(display, line, message, column))

    where = f"annotations[{index}]"
    for key, value in (("date", item.get("date")),) + tuple(
        (f"replies[{r}].date", reply.get("date"))
        for r, reply in enumerate(item.get("replies") or [])
        if isinstance(reply, dict)
    ):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                date.fromisoformat(value)
            except ValueError:
                at(
                    key.split("[")[0],
                    f"{where}.{key} {value!r} is not a real date — write YYYY-MM-DD",
                )
    if item.get("verdict") is not None and item.get("kind") != "fact-check":
        at(
            "verdict",
            f"{where}.verdict is only for kind: fact-check — remove it or set kind: fact-check",
        )
    if item.get("kind") == "fact-check" and item.get("verdict") is None:
        at(
            "kind",
            f"{where} is a fact-check without a verdict — add verdict: true, false, misleading or unverified",
        )
    return problems


def _annotation(
    item: dict, index: int, article: str, located: yamlio.Located, display: str
) -> Annotation:
    return Annotation(
        id=item.get("id") or derive_id(article, item["quote"]),
        article=article,
        quote=item["quote"],
        note=item["note"],
        kind=item["kind"],
        author=item["author"],
        date=item["date"],
        prefix=item.get("prefix"),
        suffix=item.get("suffix"),
        verdict=item.get("verdict"),
        tags=tuple(item.get("tags") or ()),
        links=tuple(item.get("links") or ()),
        replies=tuple(Reply(r["author"], r["date"], r["note"]) for r in item.get("replies") or ()),
        path=display,
        line=located.line_of(("annotations", index))[0],
        column=located.line_of(("annotations", index))[1],
    )


def duplicate_ids(annotations: list[Annotation]) -> list[Problem]:
    """An id used twice (in one file or two): both places named."""
    seen: dict[str, Annotation] = {}
    problems = []
    for annotation in annotations:
        first = seen.get(annotation.id)
        if first is None:
            seen[annotation.id] = annotation
            continue
        problems.append(
            Problem(
                annotation.path,
                annotation.line,
                f"annotation id {annotation.id!r} is already used in {first.path}:{first.line} — give this one another id",
                annotation.column,
            )
        )
    return problems


# --- anchoring ----------------------------------------------------------------


def _normalised(text: str) -> tuple[str, list[int]]:
    """`text` with curly quotes made straight and whitespace runs made one space, and for
    each character of the result its offset in `text`."""
    translated = text.translate(_QUOTES)  # one character for one: offsets stay valid
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    for run in _SPACE.finditer(translated):
        out += (translated[position : run.start()], " ")
        offsets += range(position, run.start() + 1)
        position = run.end()
    out.append(translated[position:])
    offsets += range(position, len(translated))
    return "".join(out), offsets


def _norm(text: str | None) -> str:
    return _SPACE.sub(" ", (text or "").translate(_QUOTES)).strip()


def anchor(annotation: Annotation, body: str) -> Anchor | Problem:
    """Where the annotation's quote is in `body`, or the problem that prevents it."""
    text, offsets = _normalised(body)
    quote, prefix, suffix = (
        _norm(annotation.quote),
        _norm(annotation.prefix),
        _norm(annotation.suffix),
    )

    def problem(message: str) -> Problem:
        return Problem(annotation.path, annotation.line, message, annotation.column)

    starts = _occurrences(text, quote)
    if starts:
        fitting = [s for s in starts if _context_fits(text, s, s + len(quote), prefix, suffix)]
        if len(fitting) == 1 or (len(starts) == 1 and not fitting):
            start = (fitting or starts)[0]
            end = start + len(quote)
            first, last = offsets[start], offsets[end - 1] + 1
            return Anchor(first, last, body[first:last], True)
        candidates = fitting or starts
        listed = "; ".join(
            f"«…{text[max(0, s - 25) : s]}[{quote}]{text[s + len(quote) : s + len(quote) + 25]}…»"
            for s in candidates[:5]
        )
        return problem(
            f"the quote occurs {len(candidates)} times in {annotation.article}: {listed}"
            " — add a prefix or suffix (the words just before or after) to choose one"
        )
    best = _closest(text, quote, prefix, suffix)
    if best is None:
        return problem(
            f"quote not found in {annotation.article}, which has no text — check the article id"
        )
    start, end, score = best
    passage = body[offsets[start] : offsets[end - 1] + 1]
    if score >= FUZZY_ACCEPT:
        return Anchor(offsets[start], offsets[end - 1] + 1, passage, False, score)
    return problem(
        f"quote not found in {annotation.article}; the closest passage ({score:.0f}% similar)"
        f" reads «{passage}» — copy the words exactly from the article"
    )


def _occurrences(text: str, quote: str) -> list[int]:
    """Where `quote` occurs in `text` as whole words: "i talebani" is not in "dei talebani"."""
    if not quote:
        return []
    found = []
    for match in re.finditer(re.escape(quote), text):
        start, end = match.span()
        if start > 0 and quote[0].isalnum() and text[start - 1].isalnum():
            continue
        if end < len(text) and quote[-1].isalnum() and text[end].isalnum():
            continue
        found.append(start)
    return found


def _context_fits(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return (not prefix or before.endswith(prefix.rstrip())) and (
        not suffix or after.startswith(suffix.lstrip())
    )


def _closest(text: str, quote: str, prefix: str, suffix: str) -> tuple[int, int, float] | None:
    """The passage of `text` most like `quote` (rapidfuzz alignment), its score raised or
    lowered a little by how well the prefix and suffix fit around it."""
    if not text or not quote:
        return None
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    # Widen to whole words: an alignment may cut a word at either end.
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    score = fuzz.ratio(quote, text[start:end])
    if prefix:
        score += (fuzz.ratio(prefix, text[max(0, start - len(prefix)) : start].strip()) - 50) / 20
    if suffix:
        score += (fuzz.ratio(suffix, text[end : end + len(suffix)].strip()) - 50) / 20
    return start, end, min(100.0, score)


def anchor_all(annotations: list[Annotation], articles: dict[str, Article]) -> AnnotationSet:
    """Anchor every annotation in its article; orphans keep the problem that made them so."""
    anchored = []
    problems: list[Problem] = []
    for annotation in annotations:
        article = articles.get(annotation.article)
        result = anchor(annotation, article.body_text if article else "")
        if isinstance(result, Problem):
            anchored.append(Anchored(annotation, None, result))
            problems.append(result)
        elif not result.exact:
            warning = Problem(
                annotation.path,
                annotation.line,
                f"re-anchored ({result.score:.0f}% similar): the text now reads «{result.text}» — update the quote",
                annotation.column,
                severity="warning",
            )
            anchored.append(Anchored(annotation, result, warning))
            problems.append(warning)
        else:
            anchored.append(Anchored(annotation, result))
    return AnnotationSet(tuple(anchored), tuple(problems))


def load_annotations(content: Path, articles: dict[str, Article]) -> AnnotationSet:
    """Read, validate and anchor every annotation file under `content`. A file with errors
    is skipped (its problems are reported); the others are used."""
    from .archive import display_path

    annotations: list[Annotation] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    for path in misnamed_annotation_files(content):
        problems.append(misnamed_problem(path, display_path(path)))
        skipped.append(display_path(path))
    for path in annotation_paths(content):
        shown = display_path(path)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                Problem(shown, None, f"cannot read the file: {exc} — save it as UTF-8 text")
            )
            skipped.append(shown)
            continue
        found, file_problems = parse_file(text, shown, set(articles))
        problems += file_problems
        if any(p.severity == "error" for p in file_problems):
            skipped.append(shown)
        annotations += found
    duplicates = duplicate_ids(annotations)
    problems += duplicates
    dropped = {(p.path, p.line) for p in duplicates}
    annotations = [a for a in annotations if (a.path, a.line) not in dropped]
    result = anchor_all(annotations, articles)
    return AnnotationSet(result.anchored, tuple(problems) + result.problems, tuple(skipped))


# --- writing (postilla annotate) -----------------------------------------------


def context_for(body: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The shortest prefix and suffix (whole words, a word at a time) that make the quote
    at ``start:end`` of `body` the only fitting occurrence."""
    text, offsets = _normalised(body)
    quote = _norm(body[start:end])
    starts = _occurrences(text, quote)
    if len(starts) <= 1:
        return None, None
    here = bisect.bisect_left(offsets, start)
    before = text[:here].split()
    after = text[here + len(quote) :].split()
    for words in range(1, max(len(before), len(after)) + 1):
        prefix = " ".join(before[-words:]) if before else ""
        suffix = " ".join(after[:words]) if after else ""
        fitting = [s for s in starts if _context_fits(text, s, s + len(quote), prefix, suffix)]
        if fitting == [here]:
            return prefix or None, suffix or None
    return None, None


@dataclass(frozen=True)
class NewAnnotation:
    """What `postilla annotate` is asked to write."""

    article: str
    quote: str
    kind: str
    note: str
    author: str
    date: str
    verdict: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = field(default_factory=tuple)


# The site's copy of the template, which the "Annotate" button fills in the browser
# with the article's id (`ARTICLE_PLACEHOLDER`) and the day's date.
TEMPLATE_FILE = "assets/annotation-template.yml"
ARTICLE_PLACEHOLDER = "ARTICLE-ID"


def template(
    article_id: str, repo_schema: str = "../../../generator/schemas/annotation.schema.json"
) -> str:
    """The annotation file a contributor starts from (also prefilled by the Annotate button)."""
    return (
        f"# yaml-language-server: $schema={repo_schema}\n"
        f'# One file per contribution. Format: CONTRIBUTING.md, "Annotations".\n'
        f"article: {article_id}\n"
        "annotations:\n"
        '  - quote: "copy the exact words from the article"\n'
        "    kind: comment  # comment | context | fact-check | correction | question\n"
        "    note: |\n"
        "      What you want readers to know, in Markdown. Links: [text](https://…).\n"
        "    author: your-github-handle\n"
        f'    date: "{get_build_date()}"\n'  # SOURCE_DATE_EPOCH's day when set: reproducible
        "    # verdict: misleading   # fact-check only: true | false | misleading | unverified\n"
        "    # tags: [one, two]\n"
        '    # links: ["https://…"]\n'
    )


def new_file_path(content: Path, new: NewAnnotation) -> Path:
    """Where `postilla annotate` writes: one new file per contribution."""
    name = f"{new.date}-{new.author}-{slugify(new.quote, max_length=30, word_boundary=True) or 'nota'}.yml"
    return content / ANNOTATIONS / new.article / name


def render_file(new: NewAnnotation, prefix: str | None, suffix: str | None) -> str:
    """The YAML of a new annotation file (validated by the caller before it is written)."""
    item: dict[str, object] = {"quote": new.quote}
    if prefix:
        item["prefix"] = prefix
    if suffix:
        item["suffix"] = suffix
    item.update({"kind": new.kind, "note": new.note, "author": new.author, "date": new.date})
    if new.verdict:
        item["verdict"] = new.verdict
    if new.tags:
        item["tags"] = list(new.tags)
    if new.links:
        item["links"] = list(new.links)
    header = "# yaml-language-server: $schema=../../../generator/schemas/annotation.schema.json\n"
    return header + yamlio.dump({"article": new.article, "annotations": [item]})
