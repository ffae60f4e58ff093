"""``postilla entities suggest``: names in the archive that the registry does not know yet.

Candidates are capitalised word sequences (``Bashar al Assad``, ``Deir ez-Zor``) and
acronyms (``UNIFIL``), found in article bodies. Left out: function words and other
capitalised common words of the languages in `patterns.STOPWORDS`, a single capitalised
word that only ever opens a sentence (``Secondo``, ``Tuttavia``), and every span the
registry already links. Each suggestion comes with its counts, one example in context,
and, when it is spelled almost like a registered alias (rapidfuzz), that alias: it is
probably a new alias, not a new entity. The output is YAML ready to paste.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from slugify import slugify

from . import patterns, yamlio
from .entities import Linker, fold
from .model import Archive

NEAR_DUPLICATE_SCORE = 85  # rapidfuzz ratio (0-100) above which a name is "almost" an alias
CONTEXT = 40

_CAPITAL_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*\w|[A-ZÀ-ÖØ-Þ]"
_CONNECTORS = r"(?:al|el|ad|ez|bin|ibn|abu|de|di|del|della|der|van|von|da|dos|la|le)"
_NAME = re.compile(
    rf"(?<!\w)(?:{_CAPITAL_WORD})(?:[ \-](?:{_CONNECTORS}[ \-])?(?:{_CAPITAL_WORD}))*"
)
_ELIDED = re.compile(r"^(?:[A-Za-z]{1,5}['’])")  # "Dell'Isis" at a sentence start
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s+|[\"“«(]\s*)$")


@dataclass
class Candidate:
    name: str
    count: int = 0
    articles: set[str] = field(default_factory=set)
    example: str = ""
    mid_sentence: bool = False  # seen at least once not opening a sentence
    near: tuple[str, str] | None = None  # (alias, entity id) it is spelled almost like


def candidates(archive: Archive, linker: Linker | None = None) -> list[Candidate]:
    """Unregistered names of the archive's article bodies, most frequent first."""
    linker = linker or Linker(archive.entities)
    found: dict[str, Candidate] = {}
    for article in archive.articles:
        for paragraph in article.paragraphs:
            linked = [(start, end) for start, end, _ in linker.find(paragraph)]
            for match in _NAME.finditer(paragraph):
                start, end = match.span()
                name = match.group()
                elided = _ELIDED.match(name)
                if elided:
                    name, start = name[elided.end() :], start + elided.end()
                if not name or any(s < end and start < e for s, e in linked):
                    continue
                if not _worth_suggesting(name):
                    continue
                candidate = found.setdefault(name, Candidate(name))
                candidate.count += 1
                candidate.articles.add(article.id)
                opens = bool(_SENTENCE_START.search(paragraph[:start]))
                candidate.mid_sentence |= not opens
                if not candidate.example:
                    left, right = max(0, start - CONTEXT), min(len(paragraph), end + CONTEXT)
                    candidate.example = (
                        ("…" if left else "")
                        + paragraph[left:right]
                        + ("…" if right < len(paragraph) else "")
                    )
    kept = [c for c in found.values() if c.mid_sentence or " " in c.name or _is_acronym(c.name)]
    return sorted(kept, key=lambda c: (-c.count, -len(c.articles), c.name))


def _is_acronym(name: str) -> bool:
    return len(name) >= 2 and name.isupper() and name.isalpha()


def _worth_suggesting(name: str) -> bool:
    words = name.split()
    if len(name) < 2 or name.casefold() in patterns.ALL_STOPWORDS:
        return False
    if len(words) == 1 and fold(name) in patterns.ALL_STOPWORDS | patterns.NOT_NAMES:
        return False
    return not all(fold(w) in patterns.ALL_STOPWORDS for w in words)


def mark_near_duplicates(found: list[Candidate], archive: Archive) -> None:
    """Set `near` on candidates spelled almost like a registered name or alias."""
    choices: dict[str, tuple[str, str]] = {}
    for entity in archive.entities:
        for alias in (entity.name, *entity.aliases):
            choices[fold(alias)] = (alias, entity.id)
    if not choices:
        return
    keys = list(choices)
    for candidate in found:
        best = process.extractOne(fold(candidate.name), keys, scorer=fuzz.ratio)
        if best and best[1] >= NEAR_DUPLICATE_SCORE:
            candidate.near = choices[best[0]]


def suggest(archive: Archive, *, min_count: int = 2, limit: int = 50) -> str:
    """YAML stubs for the most frequent unregistered names, with their evidence as comments."""
    found = [c for c in candidates(archive) if c.count >= min_count][:limit]
    mark_near_duplicates(found, archive)
    if not found:
        return f"# No unregistered name occurs {min_count} or more times.\n"
    blocks = [
        "# Names in the archive that content/entities.yml does not know, most frequent first.\n"
        "# Check each one, set its type, and paste the ones you want into content/entities.yml.\n"
    ]
    for c in found:
        lines = [f"# {c.count}× in {len(c.articles)} article(s) — e.g. {c.example!r}"]
        if c.near:
            lines.append(
                f"# spelled almost like {c.near[0]!r} ({c.near[1]}): add it there as an alias instead?"
            )
        stub = [{"id": slugify(c.name) or "entity", "name": c.name, "type": "other", "aliases": []}]
        lines.append(
            yamlio.dump(stub)
            .rstrip()
            .replace("type: other", "type: other  # person | organization | place | event | other")
        )
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
