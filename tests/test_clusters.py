"""Republication clusters (issue 14, F6): near-identical bodies grouped on real agency
wires reprinted by several outlets (tests/fixtures/republished/), different texts of the
same stories kept apart, ids that do not depend on order, "Also published by" on built
pages, and `postilla import` saying when a new file repeats an archived story."""

from __future__ import annotations

import csv
import itertools
import random
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, IMPORT_DAY, ROOT, empty_content, make_article
from generator import archive, clusters, importer
from generator.cli import main

REPUBLISHED = FIXTURES / "republished"
ROWS = list(csv.DictReader((REPUBLISHED / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
# Labelled by hand, from the texts, before any measurement: the same wire on two outlets.
EXPECTED = [{"r01.txt", "r02.txt"}, {"r03.txt", "r04.txt"}, {"r05.txt", "r06.txt"}]
NEGATIVES = {r["file"] for r in ROWS} - set().union(*EXPECTED)


def url_of(row: dict[str, str]) -> str | None:
    """The address to give the importer: none when the file's header carries it."""
    return None if row["header"] == "yes" else row["url"]


def import_fixtures(content: Path, rows: list[dict[str, str]]) -> dict[str, str]:
    """Import each fixture file; its article id by file name."""
    ids = {}
    for row in rows:
        outcome = importer.import_files(
            [REPUBLISHED / row["file"]], content, url=url_of(row), today=IMPORT_DAY
        )[0]
        assert outcome.status == "imported", outcome
        assert outcome.article_id
        ids[row["file"]] = outcome.article_id
    return ids


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A content folder holding every fixture, and each file's article id."""
    content = empty_content(tmp_path_factory.mktemp("republished"))
    return content, import_fixtures(content, ROWS)


def articles_of(content: Path) -> list:
    return [archive.read_article(p) for p in archive.article_paths(content)]


def shingles_by_file(content: Path, ids: dict[str, str]) -> dict[str, frozenset[str]]:
    by_id = {a.id: a for a in articles_of(content)}
    return {
        name: clusters.shingles(by_id[article_id].paragraphs) for name, article_id in ids.items()
    }


def found_groups(content: Path, ids: dict[str, str]) -> list[set[str]]:
    files = {v: k for k, v in ids.items()}
    found = clusters.find_clusters(articles_of(content))
    return sorted(({files[m] for m in c.members} for c in found), key=sorted)


# --- on the real republications ----------------------------------------------------------


def test_the_fixtures_are_what_the_readme_says() -> None:
    assert len(ROWS) == 16 and len(NEGATIVES) == 10
    for row in ROWS:
        text = (REPUBLISHED / row["file"]).read_text("utf-8")
        assert text.startswith(" date ") == (row["header"] == "yes"), row["file"]


def test_clusters_on_real_republications_are_exactly_the_hand_labelled_groups(
    fixture_archive: tuple[Path, dict[str, str]],
) -> None:
    content, ids = fixture_archive
    assert found_groups(content, ids) == EXPECTED


def test_different_texts_of_the_same_story_stay_apart(
    fixture_archive: tuple[Path, dict[str, str]],
) -> None:
    content, ids = fixture_archive
    clustered = set().union(*found_groups(content, ids))
    assert not clustered & NEGATIVES
    # The hardest negatives really are close: the same first sentence (Deloitte, by
    # Adnkronos and by ANSA) or the same quoted post (Costa, by askanews and by ANSA).
    sets = shingles_by_file(content, ids)
    assert 0.15 < clusters.jaccard(sets["r08.txt"], sets["r09.txt"]) < clusters.THRESHOLD
    assert 0.15 < clusters.jaccard(sets["r15.txt"], sets["r16.txt"]) < clusters.THRESHOLD


def test_precision_and_recall_on_every_pair_of_the_fixtures(
    fixture_archive: tuple[Path, dict[str, str]],
) -> None:
    content, ids = fixture_archive
    sets = shingles_by_file(content, ids)
    truth = {frozenset(p) for group in EXPECTED for p in itertools.combinations(sorted(group), 2)}
    said = {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(sets), 2)
        if clusters.jaccard(sets[a], sets[b]) >= clusters.THRESHOLD
    }
    assert len(list(itertools.combinations(sets, 2))) == 120
    assert said == truth  # precision 1.0 and recall 1.0 over 120 pairs


def test_cluster_members_are_earliest_first(
    fixture_archive: tuple[Path, dict[str, str]],
) -> None:
    content, ids = fixture_archive
    found = clusters.cluster_of(clusters.find_clusters(articles_of(content)))
    # r05 is dated 2024-12-13 and r06 (a listing page) undated: the dated one comes first.
    assert found[ids["r05.txt"]].members == (ids["r05.txt"], ids["r06.txt"])


# --- deterministic ids --------------------------------------------------------------------


def test_cluster_ids_do_not_depend_on_order(
    fixture_archive: tuple[Path, dict[str, str]],
) -> None:
    content, _ = fixture_archive
    articles = articles_of(content)
    first = clusters.find_clusters(articles)
    for seed in range(5):
        shuffled = list(articles)
        random.Random(seed).shuffle(shuffled)
        assert clusters.find_clusters(shuffled) == first
    for cluster in first:
        assert re.fullmatch(r"c-[0-9a-f]{10}", cluster.id)
        assert cluster.id == clusters.cluster_id(reversed(cluster.members))
    assert len({c.id for c in first}) == len(first)


def test_cluster_id_is_pinned() -> None:
    # A change of the id scheme would change every published id: it must be deliberate.
    assert (
        clusters.cluster_id(["b", "a"])
        == clusters.cluster_id(["a", "b"])
        == "c-" + (__import__("hashlib").sha256(b"a\nb").hexdigest()[:10])
    )


# --- the pure functions -------------------------------------------------------------------


def test_shingles_ignore_case_and_punctuation_and_keep_short_bodies() -> None:
    assert clusters.shingles(["Uno, due: TRE quattro cinque sei."]) == {
        "uno due tre quattro cinque",
        "due tre quattro cinque sei",
    }
    assert clusters.shingles(["Breve testo."]) == {"breve testo"}
    assert clusters.shingles([]) == frozenset()
    assert clusters.jaccard(frozenset(), frozenset()) == 0.0


def test_a_few_edited_words_stay_in_the_cluster_and_a_rewrite_does_not() -> None:
    base = " ".join(f"parola{i}" for i in range(200))
    edited = base.replace("parola50 ", "cambiata ").replace("parola150 ", "altra ")
    rewrite = " ".join(f"parola{i}" for i in range(0, 200, 2))
    articles = [make_article("a", base), make_article("b", edited), make_article("c", rewrite)]
    found = clusters.find_clusters(articles)
    assert [c.members for c in found] == [("a", "b")]


def test_pairs_since_an_earlier_comparison_are_the_pairs_of_all() -> None:
    """Given what an earlier comparison found, only the new bodies are compared (with
    every body), and the pairs are exactly those of comparing everything with LSH: LSH's
    banding criterion is applied directly. A body gone takes its pairs with it."""
    rng = random.Random(3)
    words = [f"w{i}" for i in range(60)]
    stories = [[rng.choice(words) for _ in range(150)] for _ in range(6)]
    bodies: dict[str, list[str]] = {}
    for n in range(40):
        text = list(stories[n % 6])
        for _ in range(rng.randrange(0, 30)):  # from a light edit to a rewrite
            text[rng.randrange(len(text))] = rng.choice(words)
        bodies[f"k{n:02d}"] = [" ".join(text)]
    signatures = {key: clusters.body_signature(body) for key, body in bodies.items()}

    def shingles_of(key: str) -> frozenset[str]:
        return clusters.shingles(bodies[key])

    everything = clusters.near_pairs(signatures, shingles_of)
    assert 5 < len(everything) < 200  # some near pairs, and many pairs that are not
    earlier_keys = sorted(bodies)[:32]
    earlier = clusters.near_pairs({k: signatures[k] for k in earlier_keys}, shingles_of)
    compared: list[tuple[str, str]] = []

    def counted(key: str, other: str, check: clusters.Similar) -> bool:
        compared.append((key, other))
        return check(key, other)

    before = (tuple(earlier_keys), tuple(earlier))
    assert clusters.near_pairs(signatures, shingles_of, counted, before) == everything
    assert compared and all(k not in earlier_keys or o not in earlier_keys for k, o in compared)
    gone = {k: v for k, v in signatures.items() if k != "k00"}
    assert clusters.near_pairs(gone, shingles_of, before=before) == [
        pair for pair in everything if "k00" not in pair
    ]


def test_repeat_index_names_the_archived_article() -> None:
    index = clusters.RepeatIndex()
    text = " ".join(f"parola{i}" for i in range(80))
    index.add("archiviato", [text])
    index.add("altro", ["tutt'altra storia " * 20])
    assert index.repeats([text + " aggiunta finale"]) == ["archiviato"]
    assert index.repeats(["niente in comune con gli altri testi qui"]) == []
    assert clusters.repeat_note([]) == ""
    assert "archiviato" in clusters.repeat_note(["archiviato"])


# --- a built site, as a reader gets it ------------------------------------------------------


@pytest.fixture(scope="module")
def built(fixture_archive: tuple[Path, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    from generator.build import build_site

    content, ids = fixture_archive
    target = content.parent / "site"
    build_site(ROOT / "mkdocs.yml", content, target, progress=False)
    return target, ids


def page(site: Path, article_id: str) -> str:
    return (site / "articles" / article_id / "index.html").read_text("utf-8")


def section(html: str) -> str:
    found = re.search(r'<section class="postilla-republished">.*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_pages_list_the_other_outlets_with_resolving_links_and_the_earliest_marked(
    built: tuple[Path, dict[str, str]],
) -> None:
    site, ids = built
    first, second = ids["r05.txt"], ids["r06.txt"]
    on_second = section(page(site, second))
    assert "Pubblicato anche da" in on_second
    links = re.findall(r'<a href="([^"]+)"', on_second)
    assert len(links) == 1
    target = (site / "articles" / second / links[0]).resolve()
    assert (
        target == (site / "articles" / first).resolve()
        or target == (site / "articles" / first / "index.html").resolve()
    )
    assert "Quotidiano del Sud" in on_second or "quotidianodelsud.it" in on_second
    assert "2024" in on_second and 'class="postilla-earliest"' in on_second
    on_first = section(page(site, first))
    assert "prima pubblicazione nota" in on_first
    assert 'class="postilla-earliest"' not in on_first  # the mark is on itself, said once
    assert "studionews" in on_first


def test_every_clustered_page_names_its_mates_and_no_other_page_has_the_section(
    built: tuple[Path, dict[str, str]],
) -> None:
    site, ids = built
    for group in EXPECTED:
        for name in group:
            (mate,) = group - {name}
            assert f'{ids[mate]}/"' in section(page(site, ids[name])) or ids[mate] in section(
                page(site, ids[name])
            ), name
    for name in NEGATIVES:
        assert section(page(site, ids[name])) == "", name


# --- postilla import ---------------------------------------------------------------------


def test_import_says_when_a_new_file_repeats_an_archived_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = empty_content(tmp_path)
    rows = {r["file"]: r for r in ROWS}
    first = import_fixtures(content, [rows["r03.txt"]])["r03.txt"]
    capsys.readouterr()
    gds = rows["r04.txt"]
    assert (
        main(
            ["import", str(REPUBLISHED / "r04.txt"), "--url", gds["url"], "--content", str(content)]
        )
        == 0
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "imported as" in out[0] and f"repeats an archived story: {first}" in out[0]
    # Not refused: the new article is there.
    assert len(archive.article_paths(content)) == 2
    # A different text of another story says nothing of the kind.
    other = rows["r12.txt"]
    assert (
        main(
            [
                "import",
                str(REPUBLISHED / "r12.txt"),
                "--url",
                other["url"],
                "--content",
                str(content),
            ]
        )
        == 0
    )
    assert "repeats" not in capsys.readouterr().out
