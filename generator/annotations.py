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
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from mkdocs.utils import get_build_date
from rapidfuzz import fuzz
from slugify import slugify

from . import i18n, schema, yamlio
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
    # The well-formed annotations of those files, anchored only to report on them.
    unpublished: tuple[Anchored, ...] = ()

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


# What cleaning does to a note: (the words as written, or None; the message), as
# `render.note_cleaning` says it. Passed in, since render builds on this module.
NoteCheck = Callable[[str], list[tuple[str | None, str]]]


def parse_file(
    text: str, display: str, article_ids: set[str], note_check: NoteCheck | None = None
) -> tuple[list[Annotation], list[Problem]]:
    """The annotations of one file and every problem in it (pure: no file access); no
    annotation at all when the file has an error."""
    annotations, problems = parse_items(text, display, article_ids, note_check)
    if any(p.severity == "error" for p in problems):
        return [], problems
    return annotations, problems


def parse_items(
    text: str, display: str, article_ids: set[str], note_check: NoteCheck | None = None
) -> tuple[list[Annotation], list[Problem]]:
    """Every well-formed annotation of one file, even when others in it are not (so
    their anchoring can be checked in the same run), and every problem of the file: schema
    errors, then, with `note_check`, a warning for each note that cleaning changes, at
    the line of the words concerned."""
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
    known = isinstance(article, str) and article in article_ids
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
    well_formed = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        found = _item_problems(item, index, located, display)
        problems += found
        if known and not found and _item_validator().is_valid(item):
            well_formed.append(_annotation(item, index, str(article), located, display))
            if note_check is not None:
                problems += _note_warnings(item, index, located, text, display, note_check)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return well_formed, problems


@cache
def _item_validator() -> Any:
    """The schema of one item of ``annotations:``, to tell good items from bad ones."""
    whole = schema.validator("annotation")
    return whole.evolve(schema=whole.schema["properties"]["annotations"]["items"])


def _note_warnings(
    item: dict,
    index: int,
    located: yamlio.Located,
    text: str,
    display: str,
    note_check: NoteCheck,
) -> list[Problem]:
    """A warning for each change cleaning makes to the item's note and its replies'."""
    lines = text.splitlines()
    warnings = []
    notes = [(("annotations", index, "note"), item["note"])] + [
        (("annotations", index, "replies", r, "note"), reply["note"])
        for r, reply in enumerate(item.get("replies") or ())
    ]
    for path, note in notes:
        for words, message in note_check(note):
            line, column = _line_of_words(lines, words, *located.line_of(path))
            warnings.append(Problem(display, line, message, column, severity="warning"))
    return warnings


def _line_of_words(
    lines: list[str], words: str | None, line: int | None, column: int | None
) -> tuple[int | None, int | None]:
    """Where `words` are first written at or after `line` (1-based) of the file, for a
    note over several lines; else (`line`, `column`), the note's own place."""
    if words and line is not None:
        for number in range(line - 1, min(len(lines), line + 400)):
            found = lines[number].find(words, (column or 1) - 1 if number == line - 1 else 0)
            if found >= 0:
                return number + 1, found + 1
    return line, column


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
    """The passage of `text` most like `quote` and its similarity (0-100), raised or
    lowered a little by how well the prefix and suffix fit around it.

    rapidfuzz's alignment finds where the quote best fits, as a window of the quote's own
    length: when words were added to the passage that window cuts off its first or last
    words, and when words were removed it reaches past it. So the window only says where;
    the passage's ends are found near the window's ends, on word boundaries
    (`_passage_ends`), and the passage's similarity to the quote decides whether the
    annotation is kept."""
    if not text or not quote:
        return None
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None:
        return None
    seed_start, seed_end = _word_span(text, alignment.dest_start, alignment.dest_end)
    if seed_start >= seed_end:
        return None
    start, end = _passage_ends(text, quote, seed_start, seed_end)
    score = fuzz.ratio(quote, text[start:end])
    if prefix:
        score += (fuzz.ratio(prefix, text[max(0, start - len(prefix)) : start].strip()) - 50) / 20
    if suffix:
        score += (fuzz.ratio(suffix, text[end : end + len(suffix)].strip()) - 50) / 20
    return start, end, min(100.0, score)


def is_word_boundary(text: str, index: int) -> bool:
    """Whether `index` falls between words of `text` (never inside a run of letters and
    digits): where a highlight may start or end."""
    return (
        index <= 0
        or index >= len(text)
        or not (text[index - 1].isalnum() and text[index].isalnum())
    )


def _word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` widened to whole words, then without spaces at either end."""
    while not is_word_boundary(text, start):
        start -= 1
    while not is_word_boundary(text, end):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


GAP_WORDS = 3  # words added between two matched runs of a quote's words, at most


def _passage_ends(text: str, quote: str, start: int, end: int) -> tuple[int, int]:
    """Where the passage that `start:end` (the best window, whole words) belongs to
    begins and ends, on word boundaries near the window's ends. Two measures, each of
    which misses some edits, and the passage reaches as far as either finds it:

    - the span most like the whole quote, character by character, moving one end at a
      time as long as that raises the similarity (finds a word with a letter changed,
      misses words added at the start that are themselves a little like the quote's);
    - the quote's words matched to the text's words (the longest run first, then the
      runs beside it, across at most `GAP_WORDS` added words), which misses a word
      with a letter changed."""
    reach = len(quote) // 2 + 16  # how far a passage's end may have moved from the window's
    starts = [
        i
        for i in range(max(0, start - reach), min(len(text), start + reach))
        if is_word_boundary(text, i) and not text[i].isspace()
    ]
    ends = [
        i
        for i in range(max(1, end - reach), min(len(text), end + reach) + 1)
        if is_word_boundary(text, i) and not text[i - 1].isspace()
    ]
    grown_start, grown_end = _most_like(text, quote, start, end, starts, ends)
    words = _matched_words(text, quote, max(0, start - reach), min(len(text), end + reach))
    if words is None or words[0] >= grown_end or words[1] <= grown_start:
        return grown_start, grown_end
    return min(grown_start, words[0]), max(grown_end, words[1])


def _word_key(word: str) -> str:
    return "".join(c for c in word if c.isalnum()).casefold()


def _matched_words(text: str, quote: str, low: int, high: int) -> tuple[int, int] | None:
    """Where the quote's words are found in ``text[low:high]``, word for word: from the
    first to the last of the matched runs of words (see `_passage_ends`), without the
    punctuation around them that the quote has not."""
    found = [m for m in re.finditer(r"\S+", text[low:high]) if _word_key(m.group())]
    mine = [_word_key(w) for w in quote.split() if _word_key(w)]
    matcher = difflib.SequenceMatcher(None, mine, [_word_key(m.group()) for m in found], False)
    runs = [run for run in matcher.get_matching_blocks() if run.size]
    if not runs:
        return None
    main = max(range(len(runs)), key=lambda i: runs[i].size)
    first = last = main
    while first > 0 and runs[first].b - (runs[first - 1].b + runs[first - 1].size) <= GAP_WORDS:
        first -= 1
    while last + 1 < len(runs) and runs[last + 1].b - (runs[last].b + runs[last].size) <= GAP_WORDS:
        last += 1
    head, tail = found[runs[first].b], found[runs[last].b + runs[last].size - 1]
    start, end = low + head.start(), low + tail.end()
    if quote[:1].isalnum():
        while start < end and not text[start].isalnum():
            start += 1
    if quote[-1:].isalnum():
        while end > start and not text[end - 1].isalnum():
            end -= 1
    return _word_span(text, start, end)


def _most_like(
    text: str, quote: str, start: int, end: int, starts: list[int], ends: list[int]
) -> tuple[int, int]:
    """``start:end`` moved to the `starts` and `ends` that make it most like `quote`
    (rapidfuzz ratio), one end at a time while the similarity rises; of equal
    similarities, the wider span."""
    best = fuzz.ratio(quote, text[start:end])
    for _ in range(4):  # each round only raises the similarity; two nearly always suffice
        moved = False
        for candidate in starts:
            score = fuzz.ratio(quote, text[candidate:end])
            if score > best or (score == best and candidate < start):
                best, start, moved = score, candidate, True
        for candidate in ends:
            score = fuzz.ratio(quote, text[start:candidate])
            if score > best or (score == best and candidate > end):
                best, end, moved = score, candidate, True
        if not moved:
            break
    return start, end


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


def load_annotations(
    content: Path,
    articles: dict[str, Article],
    note_check: NoteCheck | None = None,
    article_ids: set[str] | None = None,
) -> AnnotationSet:
    """Read, validate and anchor every annotation file under `content`. A file with errors
    is skipped (its problems are reported, and so are the anchoring problems of its
    well-formed annotations, in `unpublished`); the others are used. With `note_check`,
    notes that cleaning changes are warned about. With `article_ids` (every article of the
    archive, when `articles` holds only some: a part's build), an annotation of an article
    not in `articles` is valid and left out."""
    from .archive import display_path

    annotations: list[Annotation] = []
    held_back: list[Annotation] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    for path in misnamed_annotation_files(content):
        problems.append(misnamed_problem(path, display_path(path)))
        skipped.append(display_path(path))
    known = article_ids or set(articles)  # once: per file, 4,000 files × 200,000 ids
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
        found, file_problems = parse_items(text, shown, known, note_check)
        problems += file_problems
        if any(p.severity == "error" for p in file_problems):
            skipped.append(shown)
            held_back += found
        else:
            annotations += found
    duplicates = duplicate_ids(annotations)
    problems += duplicates
    dropped = {(p.path, p.line) for p in duplicates}
    annotations = [a for a in annotations if (a.path, a.line) not in dropped]
    if article_ids is not None:  # the others' articles are not read
        annotations = [a for a in annotations if a.article in articles]
        held_back = [a for a in held_back if a.article in articles]
    result = anchor_all(annotations, articles)
    unpublished = anchor_all(held_back, articles)
    return AnnotationSet(
        result.anchored,
        tuple(problems) + result.problems + unpublished.problems,
        tuple(skipped),
        unpublished.anchored,
    )


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
    article_id: str,
    repo_schema: str = "../../../generator/schemas/annotation.schema.json",
    language: str = "en",
) -> str:
    """The annotation file a contributor starts from (also prefilled by the Annotate
    button), its comments and sample values in `language`; the keys and values that the
    schema checks (kind, verdict) stay as they must be written."""
    words = i18n.strings(language)
    return (
        f"# yaml-language-server: $schema={repo_schema}\n"
        f"# {words['template_format']}\n"
        f"article: {article_id}\n"
        "annotations:\n"
        f"  - quote: {json.dumps(words['template_quote'], ensure_ascii=False)}\n"
        "    kind: comment  # comment | context | fact-check | correction | question\n"
        "    note: |\n"
        f"      {words['template_note']}\n"
        f"    author: {words['template_author']}\n"
        f'    date: "{get_build_date()}"\n'  # SOURCE_DATE_EPOCH's day when set: reproducible
        f"    # verdict: misleading   # {words['template_verdict']}: true | false | misleading | unverified\n"
        f"    # tags: {words['template_tags']}\n"
        '    # links: ["https://…"]\n'
    )


def new_file_path(content: Path, new: NewAnnotation) -> Path:
    """Where `postilla annotate` writes: one new file per contribution."""
    name = f"{new.date}-{new.author}-{slugify(new.quote, max_length=30, word_boundary=True) or 'nota'}.yml"
    return content / ANNOTATIONS / new.article / name


class ItemFields(Protocol):
    """What an annotation file says of one annotation besides its quote and context: a new
    annotation's (`NewAnnotation`), or one imported from another tool."""

    @property
    def kind(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def links(self) -> tuple[str, ...]: ...


def file_item(
    new: ItemFields, quote: str, prefix: str | None, suffix: str | None
) -> dict[str, Any]:
    """One annotation as an annotation file writes it: its keys in the format's order, the
    optional ones only when they hold something."""
    item: dict[str, Any] = {"quote": quote}
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
    return item


def render_file(new: NewAnnotation, prefix: str | None, suffix: str | None) -> str:
    """The YAML of a new annotation file (validated by the caller before it is written)."""
    item = file_item(new, new.quote, prefix, suffix)
    header = "# yaml-language-server: $schema=../../../generator/schemas/annotation.schema.json\n"
    return header + yamlio.dump({"article": new.article, "annotations": [item]})


# --- the pull-request summary (postilla check --summary) ------------------------------


def changed_items(text: str, base_text: str | None) -> dict[int, str]:
    """The lines (1-based) where the annotations of a file that a pull request adds or
    changes start, compared with the file's base version (None: a new file), each with
    "added" or "changed" (an item of the base with the same id or quote). Empty when the
    file cannot be read as annotations."""
    try:
        now = yamlio.load(text)
    except yamlio.YamlError:
        return {}
    try:
        base_data = yamlio.load(base_text).data if base_text is not None else {}
    except yamlio.YamlError:
        base_data = {}
    items = now.data.get("annotations") if isinstance(now.data, dict) else None
    old = base_data.get("annotations") if isinstance(base_data, dict) else None
    old_items = [i for i in old if isinstance(i, dict)] if isinstance(old, list) else []
    found: dict[int, str] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        if item in old_items:
            continue
        same = isinstance(item, dict) and any(
            (item.get("id") and o.get("id") == item.get("id"))
            or o.get("quote") == item.get("quote")
            for o in old_items
        )
        line = now.line_of(("annotations", index))[0]
        if line is not None:
            found[line] = "changed" if same else "added"
    return found


def _cell(value: str, limit: int = 90) -> str:
    """Text for a Markdown table cell: one line, no pipe, not too long."""
    flat = _SPACE.sub(" ", value).strip().replace("|", "\\|").replace("<", "&lt;")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summary_markdown(
    notes: AnnotationSet, problems: list[Problem], changed: dict[str, dict[int, str]]
) -> str:
    """The job summary of a pull request: for each annotation it adds or changes (by
    file, then the line where each starts, as `changed_items` gives them), its article,
    quote, where it anchors (exact, re-anchored with its similarity, orphan) and the
    problems found on its lines."""
    out = ["## Annotations in this pull request", ""]
    if not changed:
        return "\n".join(out + ["No annotation file added or changed.", ""])
    by_place = {(a.annotation.path, a.annotation.line): a for a in notes.anchored}
    by_place.update({(a.annotation.path, a.annotation.line): a for a in notes.unpublished})
    rows = []
    for path in sorted(changed):
        starts = sorted(
            {line for (p, line) in by_place if p == path and line is not None} | set(changed[path])
        )
        mine = [p for p in problems if p.path == path]
        for line, kind in sorted(changed[path].items()):
            later = [s for s in starts if s > line]
            until = later[0] if later else None
            said = [
                p
                for p in mine
                if p.line is not None and p.line >= line and (until is None or p.line < until)
            ]
            item = by_place.get((path, line))
            if item is None:
                where, article, quote = "not checked (fix the errors)", "", ""
            else:
                article, quote = item.annotation.article, item.annotation.quote
                if item.anchor is None:
                    where = "**orphan**"
                elif item.anchor.exact:
                    where = "exact"
                else:
                    where = f"re-anchored ({item.anchor.score:.0f}% similar)"
            if path in notes.skipped_files and item is not None:
                where += "; file not published (it has errors)"
            notes_said = "<br>".join(_cell(f"{p.severity}: {p.message}", 200) for p in said) or "—"
            rows.append(
                f"| `{_cell(path)}:{line}` | {kind} | {_cell(article)} | {_cell(quote)}"
                f" | {where} | {notes_said} |"
            )
        whole_file = [p for p in mine if p.line is None or p.line < min(starts, default=0)]
        for problem in whole_file:
            rows.append(
                f"| `{_cell(path)}` | | | | | {_cell(f'{problem.severity}: {problem.message}', 200)} |"
            )
    if not rows:
        return "\n".join(
            out + ["Annotation files changed, but no annotation added or changed.", ""]
        )
    out += [
        "| file | | article | quote | anchors | problems |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    return "\n".join(out)
