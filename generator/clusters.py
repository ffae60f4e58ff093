"""Republication: articles whose bodies are near-identical (an agency wire reprinted by
several outlets) are grouped into clusters.

Method: each body becomes the set of its word 5-shingles (five consecutive words, case
folded); two bodies are near-identical when the Jaccard similarity of their sets is at
least `THRESHOLD`. Candidates are found with MinHash LSH (`datasketch`), so the cost grows
about linearly with the archive instead of comparing every pair; each candidate pair is
then checked on the exact sets, so LSH never decides alone. Shingles + MinHash rather than
SimHash: Jaccard of shingles is the measure the threshold was chosen on, MinHash estimates
it without bias, and LSH over it needs no tuning of bit distances for short texts.

The threshold comes from measurement on real republications (tests/fixtures/republished):
same-wire copies scored 0.31-0.88, different texts of the same story at most 0.23.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import combinations

import numpy as np
from datasketch import MinHash, MinHashLSH

from . import i18n
from .cache import Cache
from .model import Article
from .parallel import parallel_map

SHINGLE_WORDS = 5  # words per shingle
THRESHOLD = 0.27  # Jaccard of shingle sets: the middle of the measured gap (0.23 .. 0.31)
CANDIDATE_THRESHOLD = 0.2  # LSH recall margin below THRESHOLD; candidates are then checked
# A candidate whose signatures agree on fewer permutations than this is not checked on its
# exact sets: at 128 permutations the estimate's error is about 0.04 at THRESHOLD, so this
# margin (2.5 errors) loses no pair that reaches it and skips most of LSH's false candidates.
ESTIMATE_MARGIN = 0.1
PERMUTATIONS = 128
SEED = 1  # fixed: signatures, and so clusters, are the same on every run
WORD = re.compile(r"\w+")
_BLANK = MinHash(num_perm=PERMUTATIONS, seed=SEED)  # holds the permutations of SEED


@dataclass(frozen=True)
class Cluster:
    """Articles carrying the same text: `members` earliest first (dated before undated,
    then by id), `id` derived from the members (see `cluster_id`)."""

    id: str
    members: tuple[str, ...]


@dataclass
class RepeatIndex:
    """The archive's bodies, to say which archived articles a new body repeats.

    Bodies are indexed by their signatures (`body_signature`, which an import makes on
    every core or finds in the build cache); a body's exact shingle set is made only when a
    new body's candidates include it, so indexing a large archive costs no shingling."""

    paragraphs: dict[str, Sequence[str]] = field(default_factory=dict)
    signatures: dict[str, np.ndarray] = field(default_factory=dict)
    lsh: MinHashLSH = field(
        default_factory=lambda: MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=PERMUTATIONS)
    )
    exact: dict[str, frozenset[str]] = field(default_factory=dict)  # made when first needed

    def add(
        self, article_id: str, paragraphs: Sequence[str], signature: Sequence[int] | None = None
    ) -> None:
        """Index one body (a second body under the same id is ignored); `signature`, when
        given, is its `body_signature` already made. A body without words is never a repeat."""
        if article_id in self.paragraphs:
            return
        values = body_signature(paragraphs) if signature is None else signature
        self.paragraphs[article_id] = paragraphs
        if values:
            self.signatures[article_id] = np.asarray(values, dtype=np.uint64)
            self.lsh.insert(article_id, _minhash(values))

    def repeats(
        self, paragraphs: Sequence[str], signature: Sequence[int] | None = None
    ) -> list[str]:
        """Ids of the indexed articles this body is near-identical to, most similar first:
        LSH's candidates, kept when their signatures' estimate is close enough (a templated
        archive proposes hundreds), then checked on the exact shingle sets."""
        values = body_signature(paragraphs) if signature is None else signature
        if not values:
            return []
        candidates = sorted(self.lsh.query(_minhash(values)))
        if not candidates:
            return []
        estimates = estimated_similarity(values, np.stack([self.signatures[c] for c in candidates]))
        close = [
            c
            for c, e in zip(candidates, estimates, strict=True)
            if e >= THRESHOLD - ESTIMATE_MARGIN
        ]
        if not close:
            return []
        own = shingles(paragraphs)
        found = [(jaccard(own, self.exact_of(other)), other) for other in close]
        return [
            other
            for score, other in sorted(found, key=lambda f: (-f[0], f[1]))
            if score >= THRESHOLD
        ]

    def exact_of(self, article_id: str) -> frozenset[str]:
        """An indexed body's shingle set, made once."""
        if article_id not in self.exact:
            self.exact[article_id] = shingles(self.paragraphs[article_id])
        return self.exact[article_id]


def words(text: str) -> list[str]:
    """The words of a text, case folded (punctuation and quotes dropped)."""
    return WORD.findall(text.casefold())


def shingles(paragraphs: Sequence[str], size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The body's word shingles; a body shorter than `size` words is one shingle."""
    tokens = words(" ".join(paragraphs))
    if len(tokens) <= size:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets. (The union is counted, not made: making it
    was most of the time of a comparison.)"""
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def signature(shingle_set: Iterable[str]) -> MinHash:
    """The MinHash signature of a shingle set (deterministic: fixed seed and hash)."""
    # Drawing the permutations is most of a MinHash's cost: they are drawn once (`_BLANK`).
    minhash = MinHash(
        num_perm=PERMUTATIONS, seed=SEED, permutations=_BLANK.permutations, scheme=_BLANK.scheme
    )
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return minhash


def body_signature(paragraphs: Sequence[str]) -> tuple[int, ...]:
    """A body's signature as plain numbers (what the build cache keeps, by body hash);
    empty for a body without words."""
    shingle_set = shingles(paragraphs)
    return tuple(int(v) for v in signature(shingle_set).hashvalues) if shingle_set else ()


def cached_signatures(articles: Iterable[Article], cache: Cache) -> dict[str, tuple[int, ...]]:
    """Each article's `body_signature`, by its body's hash: from the cache when the body
    was signed before, the others made all at once on every core (about 4 ms a body) and
    put in the cache (which the build saves; an import only reads it)."""
    found: dict[str, tuple[int, ...]] = {}
    missing: dict[str, Sequence[str]] = {}
    for article in articles:
        key = article.body_digest
        if key in found or key in missing:
            continue
        known = cache.get("minhash", key)
        if known is None:
            missing[key] = article.paragraphs
        else:
            found[key] = known
    for key, made in zip(missing, parallel_map(body_signature, list(missing.values()))):
        cache.put("minhash", key, made)
        found[key] = made
    return found


def _minhash(values: Sequence[int]) -> MinHash:
    return MinHash(
        num_perm=PERMUTATIONS,
        seed=SEED,
        hashvalues=values,
        permutations=_BLANK.permutations,
        scheme=_BLANK.scheme,
    )


def estimated_similarity(values: Sequence[int], others: np.ndarray) -> np.ndarray:
    """MinHash's estimate of the Jaccard similarity of one signature with each row of
    `others`: the share of permutations on which they agree (as `MinHash.jaccard`, for
    many at once)."""
    return np.count_nonzero(others == np.asarray(values, dtype=np.uint64), axis=1) / PERMUTATIONS


# Whether two bodies' shingle sets reach `THRESHOLD`, given their ids.
Similar = Callable[[str, str], bool]


# What an earlier clustering found: the body keys it compared and their near-identical
# pairs (each sorted). Kept by the build so that the next one compares only new bodies.
Clustered = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]


def near_pairs(
    signatures: Mapping[str, Sequence[int]],
    shingles_of: Callable[[str], frozenset[str]],
    similar: Callable[[str, str, Similar], bool] | None = None,
    before: Clustered | None = None,
) -> list[tuple[str, str]]:
    """Pairs of keys (sorted) whose shingle sets reach `THRESHOLD`: candidates from LSH over
    the `signatures`, kept when their signatures' estimate is close enough, then checked on
    the exact sets (`shingles_of`, asked only for them). `similar(a, b, check)` may answer
    for `check(a, b)` (the plugin's remembers the answers by the bodies' hashes).

    With `before` (an earlier result over some of the same keys), the pairs of two keys it
    compared are kept and only the other keys are compared with every key, on LSH's own
    criterion (two signatures are candidates when they agree on a whole band), so the
    pairs are the same as without it. That is what a build after an edit or a daily
    import does: a few new bodies against an archive already compared."""
    keys = sorted(key for key, values in signatures.items() if values)
    if not keys:
        return []
    matrix = np.array([signatures[key] for key in keys], dtype=np.uint64).reshape(
        len(keys), PERMUTATIONS
    )
    exact: dict[str, frozenset[str]] = {}

    def exact_of(key: str) -> frozenset[str]:
        if key not in exact:
            exact[key] = shingles_of(key)
        return exact[key]

    def check(key: str, other: str) -> bool:
        return jaccard(exact_of(key), exact_of(other)) >= THRESHOLD

    def confirmed(key: str, others: list[str], rows: list[int]) -> set[tuple[str, str]]:
        estimates = estimated_similarity(signatures[key], matrix[rows])
        return {
            (min(key, other), max(key, other))
            for other, estimate in zip(others, estimates, strict=True)
            if estimate >= THRESHOLD - ESTIMATE_MARGIN
            and (similar(key, other, check) if similar else check(key, other))
        }

    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=PERMUTATIONS)
    known = set(before[0]) if before else set()
    fresh = [key for key in keys if key not in known]
    pairs = (
        {(a, b) for a, b in before[1] if a in signatures and b in signatures} if before else set()
    )
    if before and len(fresh) * 4 <= len(keys):
        for row, key in enumerate(keys):
            if key in known:
                continue
            # LSH's candidates, found directly: the rows agreeing with this one on a band
            agree = matrix == matrix[row]
            banded = np.zeros(len(keys), dtype=bool)
            for start, end in lsh.hashranges:
                banded |= agree[:, start:end].all(axis=1)
            banded[row] = False
            rows = [r for r in np.flatnonzero(banded).tolist() if keys[r] in known or keys[r] > key]
            pairs |= confirmed(key, [keys[r] for r in rows], rows)
        return sorted(pairs)
    rows_of = {key: row for row, key in enumerate(keys)}
    minhashes = {key: _minhash(signatures[key]) for key in keys}
    for key in keys:
        lsh.insert(key, minhashes[key])
    pairs = set()
    for key in keys:
        others = sorted(other for other in lsh.query(minhashes[key]) if other > key)
        if others:
            pairs |= confirmed(key, others, [rows_of[o] for o in others])
    return sorted(pairs)


def groups(ids: Iterable[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of two or more ids (union-find over the pairs), each sorted."""
    parent = {key: key for key in ids}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    found: dict[str, list[str]] = {}
    for key in sorted(parent):
        found.setdefault(root(key), []).append(key)
    return [members for members in found.values() if len(members) > 1]


def earliest_first(articles: Iterable[Article]) -> list[Article]:
    """Articles by date (dated first; a partial date counts as its first day), then id."""
    return sorted(articles, key=lambda a: (a.date is None, a.date or "", a.id))


def cluster_id(members: Iterable[str]) -> str:
    """A cluster's id: ``c-`` and 10 hex digits of the SHA-256 of its sorted member ids.
    The same members give the same id on every build, whatever their order."""
    joined = "\n".join(sorted(members)).encode("utf-8")
    return "c-" + hashlib.sha256(joined).hexdigest()[:10]


def find_clusters(
    articles: Sequence[Article],
    signature_of: Callable[[Article], Sequence[int]] = lambda a: body_signature(a.paragraphs),
    similar: Callable[[Article, Article, Callable[[], bool]], bool] | None = None,
) -> tuple[Cluster, ...]:
    """The archive's clusters of republished articles, ordered by id. `signature_of` gives
    a body's signature (the plugin's comes from the build cache: hashing every shingle of
    every body is most of the cost, about 4 ms an article); `similar(a, b, check)` may
    answer for `check()`, the exact comparison of two bodies (the plugin's from the cache)."""
    return find_clusters_since(articles, signature_of, similar)[0]


def find_clusters_since(
    articles: Sequence[Article],
    signature_of: Callable[[Article], Sequence[int]] = lambda a: body_signature(a.paragraphs),
    similar: Callable[[Article, Article, Callable[[], bool]], bool] | None = None,
    before: Clustered | None = None,
) -> tuple[tuple[Cluster, ...], Clustered]:
    """`find_clusters`, given what an earlier one found (`near_pairs`' `before`); also
    returns what to give the next one. Bodies are compared once however many articles
    carry them (articles with the same text are in one cluster)."""
    by_body: dict[str, list[Article]] = {}
    for article in sorted(articles, key=lambda a: a.id):
        by_body.setdefault(article.body_digest, []).append(article)
    signatures = {key: signature_of(group[0]) for key, group in by_body.items()}

    def similar_bodies(key: str, other: str, check: Similar) -> bool:
        assert similar is not None
        one, two = sorted((by_body[key][0], by_body[other][0]), key=lambda a: a.id)
        return similar(one, two, lambda: check(key, other))

    pairs = near_pairs(
        signatures,
        lambda key: shingles(by_body[key][0].paragraphs),
        similar_bodies if similar else None,
        before,
    )
    signed = sorted(key for key, values in signatures.items() if values)
    same_text = [(a.id, b.id) for key in signed for a, b in combinations(by_body[key], 2)]
    near = [(a.id, b.id) for key, other in pairs for a in by_body[key] for b in by_body[other]]
    by_id = {a.id: a for a in articles}
    found = [
        Cluster(cluster_id(members), tuple(a.id for a in earliest_first(by_id[m] for m in members)))
        for members in groups(by_id, same_text + near)
    ]
    return tuple(sorted(found, key=lambda c: c.id)), (tuple(signed), tuple(pairs))


def cluster_of(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Each clustered article's cluster, by article id."""
    return {member: cluster for cluster in clusters for member in cluster.members}


def repeat_note(archived: Sequence[str]) -> str:
    """What `postilla import` adds to a new file's line when its body repeats archived
    articles (empty when it repeats none)."""
    if not archived:
        return ""
    return f" — repeats an archived story: {', '.join(archived)} (near-identical text)"


def also_published_section(
    article: Article, mates: Sequence[Article], href: Callable[[str], str], language: str
) -> str:
    """ "Also published by": the other articles of the article's cluster, with outlet and
    date, linking to their pages; the earliest of the whole cluster is marked."""
    if not mates:
        return ""
    t = i18n.strings(language)
    first = earliest_first([article, *mates])[0]

    def item(other: Article) -> str:
        outlet = other.publisher or other.source or t["unknown_outlet"]
        when = (
            f' — <time datetime="{escape(other.date)}">'
            f"{escape(i18n.format_date(other.date, language))}</time>"
            if other.date
            else ""
        )
        mark = (
            f' <strong class="postilla-earliest">{escape(t["earliest"])}</strong>'
            if other.id == first.id
            else ""
        )
        url = href(f"articles/{other.id}.md")
        return (
            f'<li><a href="{escape(url)}">{escape(outlet)}</a>{when}: '
            f"{escape(other.title)}{mark}</li>"
        )

    note = (
        f'<p class="postilla-earliest-note">{escape(t["earliest_is_this"])}</p>'
        if first.id == article.id
        else ""
    )
    items = "".join(item(other) for other in earliest_first(mates))
    return (
        f'<section class="postilla-republished">'
        f'<h2 id="also-published">{escape(t["also_published"])}</h2>{note}<ul>{items}</ul></section>'
    )
