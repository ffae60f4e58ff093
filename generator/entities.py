"""Entity linking: every registered alias, found in every article body in one pass.

All aliases of all entities go into one Aho-Corasick automaton (pyahocorasick), built
once, and each paragraph is scanned once, whatever the size of the registry. The text
and the aliases are folded the same way (lowercase, one apostrophe) without changing
their length, so a match's offsets are offsets in the original text. Then each
candidate is checked:

- whole words only, by Unicode letter/digit classes: ``IS`` never matches inside
  ``ISIS`` or ``crisi``; an apostrophe before a name is a boundary, which handles the
  Italian elided articles (``l'ISIS``, ``dell'Isis``, ``sull’Iraq``) and a footnote mark,
  quote or bracket (``ISIS*``, ``«Raqqa»``, ``(SDF)``) around a name does not stop it;
- acronyms (two or more capitals, no lowercase: ``IS``, ``SDF``) match only in their
  own case (``IS`` is not the English ``is``); a name registered with a capital keeps
  its capital initial but matches whatever the outlet does with the rest (``Stato
  Islamico``, ``Stato islamico``, ``STATO ISLAMICO``), so ``Usa`` is not the verb
  ``usa`` nor ``Mali`` the plural of ``male``; an alias registered in lowercase
  (``talebani``) matches in any case;
- where candidates overlap, the leftmost, then the longest, wins (``Stati Uniti``
  beats ``Stati``; ``Isis-K`` is not ``ISIS`` + ``K`` when ``Isis-K`` is registered).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import ahocorasick

from .cache import NO_CACHE, Cache, digest
from .model import Archive, Article, Entity
from .parallel import parallel_map

RELATED_COUNT = 5
# Per shared entity, its newest articles are the candidates. An entity named in more
# articles than this weighs little (`weight`); the rare ones, which decide, have fewer.
RELATED_CANDIDATES = 100
# The steps per doubling of the scales the relatedness weights round their counts to
# (`stable_count`): the archive's size to the next power of two, an entity's articles to
# the next quarter-octave (a step of about 19 %).
TOTAL_STEPS = 1
NAMED_IN_STEPS = 4
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})


def stable_count(count: int, steps: int) -> float:
    """`count` rounded up to the scale 2**(k/steps) (at least 1): the same for every count
    between two steps, so a weight made from it changes only when a count crosses one."""
    if count <= 1:
        return 1.0
    return float(2 ** (math.ceil(steps * math.log2(count) - 1e-9) / steps))


class Mention(NamedTuple):
    """One place in an article body where an entity is named. (A named tuple: an archive
    holds about a hundred per article, made in worker processes and kept in the cache.)"""

    entity_id: str
    paragraph: int  # index into Article.paragraphs
    start: int  # character offsets in that paragraph
    end: int

    def surface(self, article: Article) -> str:
        return article.paragraphs[self.paragraph][self.start : self.end]


def fold(text: str) -> str:
    """Lowercase with one kind of apostrophe, keeping every character's position
    (a character whose lowercase is longer, such as ``İ``, is left as it is)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered.translate(_APOSTROPHES)


CAPITAL = "capital initial"  # a case rule: the first letter must be a capital


def case_rule(alias: str) -> str | None:
    """How an alias's case must match: the alias itself (an acronym, exactly), `CAPITAL`
    (a name: capital initial, the rest in any case), or None (lowercase: any case)."""
    if is_acronym(alias):
        return alias
    return CAPITAL if alias[:1].isupper() else None


def is_acronym(alias: str) -> bool:
    """Two or more capital letters and no lowercase ones: matched in its own case only."""
    letters = [c for c in alias if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 2 and not any(c.islower() for c in letters)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# Short words a scraper glues to the capitalised name after them: "aJalalabad", "diKabul".
GLUED_WORDS = frozenset(
    [
        "a",
        "e",
        "i",
        "o",
        "ad",
        "ed",
        "di",
        "da",
        "in",
        "su",
        "con",
        "per",
        "tra",
        "fra",
        "il",
        "la",
        "lo",
        "le",
        "gli",
        "un",
        "al",
        "del",
        "dal",
        "nel",
        "sul",
        "the",
        "of",
        "to",
        "at",
    ]
)


def _glued_on(text: str, start: int) -> bool:
    """A name glued to a short lowercase word before it (``aJalalabad``): still a mention."""
    if not (text[start].isupper() and text[start - 1].islower()):
        return False
    word_start = start
    while word_start > 0 and _is_word_char(text[word_start - 1]):
        word_start -= 1
    return text[word_start:start] in GLUED_WORDS


class Linker:
    """Finds the registered entities in text. Build once per registry; `find` is pure."""

    def __init__(self, entities: Iterable[Entity], *, names_are_aliases: bool = True) -> None:
        """`names_are_aliases`: link an entity's display name too (as a registry does);
        off for a registry whose aliases already list every form to find."""
        self._automaton = ahocorasick.Automaton()
        payloads: dict[str, list[tuple[str, str | None, int]]] = defaultdict(list)
        for entity in entities:
            forms = (entity.name, *entity.aliases) if names_are_aliases else entity.aliases
            for alias in dict.fromkeys(forms):
                alias = alias.strip()
                if len(alias) < 2:
                    continue
                key = fold(alias)
                payloads[key].append((entity.id, case_rule(alias), len(key)))
        for key, values in payloads.items():
            self._automaton.add_word(key, tuple(values))
        self._empty = not payloads
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity id) of every mention in `text`, in order, not overlapping."""
        if self._empty or not text:
            return []
        candidates = []
        for last, values in self._automaton.iter(fold(text)):
            for entity_id, rule, length in values:
                start, end = last - length + 1, last + 1
                if start > 0 and _is_word_char(text[start - 1]) and not _glued_on(text, start):
                    continue
                if end < len(text) and _is_word_char(text[end]):
                    continue
                if rule is CAPITAL and not text[start].isupper():
                    continue
                if rule not in (CAPITAL, None) and text[start:end] != rule:
                    continue
                candidates.append((start, end, entity_id))
        candidates.sort(key=lambda c: (c[0], c[0] - c[1]))
        chosen: list[tuple[int, int, str]] = []
        reached = 0
        for candidate in candidates:
            if candidate[0] >= reached:
                chosen.append(candidate)
                reached = candidate[1]
        return chosen

    def mentions(self, article: Article) -> list[Mention]:
        """Every mention in the body of `article` (not in its title or footnotes)."""
        return self.mentions_in(article.paragraphs)

    def mentions_in(self, paragraphs: tuple[str, ...]) -> list[Mention]:
        return [
            Mention(entity_id, index, start, end)
            for index, paragraph in enumerate(paragraphs)
            for start, end, entity_id in self.find(paragraph)
        ]


@dataclass(frozen=True)
class EntityIndex:
    """Who is mentioned where, across the whole archive: what entity pages, related
    articles and the export are made from."""

    entities: dict[str, Entity]
    mentions: dict[str, tuple[Mention, ...]]  # article id -> its mentions, in text order
    articles_of: dict[str, tuple[str, ...]]  # entity id -> ids of the articles naming it
    recent_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the newest of those

    def entities_in(self, article_id: str) -> list[str]:
        """Entity ids of an article, in order of first mention."""
        return list(dict.fromkeys(m.entity_id for m in self.mentions.get(article_id, ())))

    def first_mentions(self, article_id: str) -> list[Mention]:
        seen: set[str] = set()
        first = []
        for mention in self.mentions.get(article_id, ()):
            if mention.entity_id not in seen:
                seen.add(mention.entity_id)
                first.append(mention)
        return first

    def weight(self, entity_id: str) -> float:
        """Inverse document frequency on a stable scale: an entity named in few articles
        says more. Both counts are rounded up to a step of a geometric scale
        (`stable_count`), so that adding an article leaves every weight as it was but
        for a rare step: other articles' related lists do not shift with each update."""
        total = stable_count(len(self.mentions), TOTAL_STEPS)
        named_in = stable_count(len(self.articles_of.get(entity_id, ())), NAMED_IN_STEPS)
        return math.log(1 + total / named_in)

    def related(self, article_id: str, count: int = RELATED_COUNT) -> list[tuple[str, float]]:
        """The `count` articles sharing the most (rarest-weighted) entities with this one.

        Candidates come from each shared entity's `RELATED_CANDIDATES` most recent articles
        (`recent_of`): an entity named in thousands of articles would otherwise make the
        search quadratic in the size of the archive, and weighs little anyway.
        """
        scores: dict[str, float] = defaultdict(float)
        for entity_id in self.entities_in(article_id):
            weight = self.weight(entity_id)
            for other in self.recent_of.get(entity_id, ()):
                if other != article_id:
                    scores[other] += weight
        if len(scores) > count:  # only those scoring at least the count-th best can be in
            threshold = heapq.nlargest(count, scores.values())[-1]
            scores = {i: s for i, s in scores.items() if s >= threshold}
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:count]

    def co_mentioned(self, entity_id: str) -> list[tuple[str, int]]:
        """Entities named in the same articles as this one, with the number of articles."""
        counts: Counter[str] = Counter()
        for article_id in self.articles_of.get(entity_id, ()):
            counts.update(e for e in self.entities_in(article_id) if e != entity_id)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def index_archive(
    archive: Archive, linker: Linker | None = None, cache: Cache = NO_CACHE
) -> EntityIndex:
    """Link every article of the archive (an article whose body and registry are unchanged
    keeps its cached mentions)."""
    registry = digest(repr(archive.entities))
    mentions: dict[str, tuple[Mention, ...]] = {}
    unlinked: list[tuple[Article, str]] = []
    for article in archive.articles:
        key = digest(registry, article.body_text)
        found = cache.get("mentions", key)
        if found is None:
            unlinked.append((article, key))
        else:
            mentions[article.id] = found
    if linker is not None:
        linked = [tuple(linker.mentions(article)) for article, _ in unlinked]
    else:  # on every core: each worker builds the registry's automaton once
        paragraphs = [article.paragraphs for article, _ in unlinked]
        linked = parallel_map(
            _link_paragraphs, paragraphs, initializer=_start_linker, initargs=(archive.entities,)
        )
    for (article, key), found in zip(unlinked, linked):
        cache.put("mentions", key, found)
        mentions[article.id] = found
    mentions = {a.id: mentions[a.id] for a in archive.articles}  # in the archive's order
    articles_of: dict[str, list[str]] = defaultdict(list)
    for article in archive.articles:
        for entity_id in dict.fromkeys(m.entity_id for m in mentions[article.id]):
            articles_of[entity_id].append(article.id)
    dates = {a.id: a.date or "" for a in archive.articles}
    return EntityIndex(
        entities={e.id: e for e in archive.entities},
        mentions=mentions,
        articles_of={k: tuple(v) for k, v in articles_of.items()},
        recent_of={
            k: tuple(sorted(v, key=lambda i: (dates[i], i), reverse=True)[:RELATED_CANDIDATES])
            for k, v in articles_of.items()
        },
    )


_worker_linker: Linker | None = None


def _start_linker(entities: tuple[Entity, ...]) -> None:
    global _worker_linker
    _worker_linker = Linker(entities)


def _link_paragraphs(paragraphs: tuple[str, ...]) -> tuple[Mention, ...]:
    """The mentions in an article's paragraphs, by the linker `_start_linker` made."""
    assert _worker_linker is not None
    return tuple(_worker_linker.mentions_in(paragraphs))


def export_entities(index: EntityIndex, article: Article) -> list[dict[str, object]]:
    """``{id, name, type, mentions}`` for each entity of an article; mentions are the
    surface strings as found, each once, in text order."""
    surfaces: dict[str, list[str]] = defaultdict(list)
    for mention in index.mentions.get(article.id, ()):
        surface = mention.surface(article)
        if surface not in surfaces[mention.entity_id]:
            surfaces[mention.entity_id].append(surface)
    return [
        {
            "id": entity_id,
            "name": index.entities[entity_id].name,
            "type": index.entities[entity_id].type,
            "mentions": found,
        }
        for entity_id, found in surfaces.items()
    ]
