"""Entity linking: precise in Italian text, one pass, registry problems a maintainer can fix."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import CORPUS, make_article
from generator import evaluate
from generator.archive import load_entities
from generator.entities import (
    NAMED_IN_STEPS,
    Linker,
    fold,
    index_archive,
    is_acronym,
    stable_count,
)
from generator.model import Archive, Entity

ISIS = Entity("stato-islamico", "Stato Islamico", "organization", ("ISIS", "Isis", "IS", "Daesh"))
ISIS_K = Entity("isis-k", "Isis-K", "organization", ("ISIS-K",))
USA = Entity("stati-uniti", "Stati Uniti", "place", ("USA",))
RAQQA = Entity("raqqa", "Raqqa", "place", ())
SDF = Entity(
    "sdf", "Forze Democratiche Siriane", "organization", ("SDF", "forze democratiche siriane")
)
USA_VERB = Entity("usa-country", "Usa", "place", ())
JALALABAD = Entity("jalalabad", "Jalalabad", "place", ())
LINKER = Linker([ISIS, ISIS_K, USA, RAQQA, SDF, JALALABAD, USA_VERB])


def found(text: str) -> list[tuple[str, str]]:
    return [(text[start:end], entity) for start, end, entity in LINKER.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'ISIS e dell’Isis", [("ISIS", "stato-islamico"), ("Isis", "stato-islamico")]),
        ("all'IS, dall'IS, nell'IS, sull'IS, coll'IS, d'IS, un'IS", [("IS", "stato-islamico")] * 7),
        ("la crisi, is it? ISIS", [("ISIS", "stato-islamico")]),  # not inside crisi, not "is"
        (
            "Lo Stato islamico e lo Stato Islamico",
            [("Stato islamico", "stato-islamico"), ("Stato Islamico", "stato-islamico")],
        ),
        ("Isis-K e ISIS-K", [("Isis-K", "isis-k"), ("ISIS-K", "isis-k")]),  # longest wins
        ("gli Stati Uniti", [("Stati Uniti", "stati-uniti")]),
        ("ISIS*, «Raqqa» (SDF)", [("ISIS", "stato-islamico"), ("Raqqa", "raqqa"), ("SDF", "sdf")]),
        ("le forze democratiche siriane", [("forze democratiche siriane", "sdf")]),
        ("sdf e Sdf non sono l'acronimo", []),
        ("Usa e Mali, ma usa i mali", [("Usa", "usa-country")]),  # a capital initial is kept
        ("attacco aJalalabad", [("Jalalabad", "jalalabad")]),  # glued by the scraper
        ("Raqqaville e NeoRaqqa", []),
        ("", []),
    ],
)
def test_linking_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_offsets_survive_characters_whose_lowercase_is_longer() -> None:
    text = "İstanbul e poi Raqqa"
    assert fold(text)[15:20] == "raqqa" and len(fold(text)) == len(text)
    assert found(text) == [("Raqqa", "raqqa")]


def test_acronyms() -> None:
    assert is_acronym("IS") and is_acronym("ISIS-K") and is_acronym("U.S.A.")
    assert not is_acronym("Isis") and not is_acronym("Isis-K") and not is_acronym("A")


def test_ten_thousand_aliases_still_one_pass() -> None:
    many = [
        Entity(f"e{i}", f"Entita Numero {i}", "other", (f"Alias{i}x", f"ALS{i}"))
        for i in range(5000)
    ]
    linker = Linker([*many, RAQQA])
    text = "A Raqqa si combatte, disse Alias4321x, mentre ALS17 tace. " * 2000
    started = time.perf_counter()
    hits = linker.find(text)
    elapsed = time.perf_counter() - started
    assert {e for _, _, e in hits} == {"raqqa", "e4321", "e17"} and len(hits) == 6000
    assert elapsed < 30  # a sanity bound, not a benchmark: one pass over 110 KB


def test_registry_problems_name_file_line_and_both_entries(tmp_path: Path) -> None:
    path = tmp_path / "entities.yml"
    path.write_text(
        "- id: stato-islamico\n"
        "  name: Stato Islamico\n"
        "  type: organization\n"
        "  aliases: [ISIS, Daesh]\n"
        "- id: daesh\n"
        "  name: Daesh group\n"
        "  type: organization\n"
        "  aliases: [daesh]\n",
        "utf-8",
    )
    _, problems = load_entities(path)
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "alias 'daesh' of 'daesh' is also claimed by 'stato-islamico' (line 4) — keep it on one entity only"
    ]
    assert problems[0].line == 8


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  tipo: place\n", "unknown key 'tipo' in [0] — did you mean 'type'?"),
        (
            "  type: country\n",
            "[0].type is 'country', which is not one of: person, organization, place, event, other",
        ),
        ("  type: place\n  wikidata: 12345\n", "[0].wikidata '12345' is not valid"),
        (
            "  type: place\n  aliases: []\n  description: [a, b]\n",
            "[0].description must be text, not a list",
        ),
        (
            "  type: place\n  aliases: ['R']\n",
            "[0].aliases[0] 'R' is too short — at least 2 characters",
        ),
        ("  type: place\n  aliases: ['  ']\n", "[0].aliases[0] '  ' is not valid"),
        (
            "  type: place\n  coordinates: [95.0, 10]\n",
            "coordinates of 'raqqa' are not [latitude, longitude]",
        ),
    ],
)
def test_registry_schema_errors(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "entities.yml"
    path.write_text("- id: raqqa\n  name: Raqqa\n" + entry, "utf-8")
    _, problems = load_entities(path)
    assert any(message in str(p) for p in problems), problems
    assert all(str(p).startswith(f"{path}:") for p in problems)


def test_duplicate_ids_and_yaml_errors(tmp_path: Path) -> None:
    path = tmp_path / "entities.yml"
    path.write_text("- {id: a, name: A1, type: place}\n- {id: a, name: A2, type: place}\n", "utf-8")
    _, problems = load_entities(path)
    assert (
        "entity id 'a' is already registered on line 1" in str(problems[0])
        and problems[0].line == 2
    )
    path.write_text("- id: a\n  name: [unclosed\n", "utf-8")
    _, problems = load_entities(path)
    assert problems[0].line == 2 and "YAML syntax" in problems[0].message


def test_related_articles_weigh_rare_entities_more() -> None:
    rare = Entity("bilal-karimi", "Bilal Karimi", "person", ())
    archive = Archive(
        articles=(
            make_article("a", "Bilal Karimi parla di ISIS e di Raqqa.", date="2021-10-24"),
            make_article("b", "Bilal Karimi risponde.", date="2021-10-25"),
            make_article("c", "ISIS a Raqqa.", date="2021-10-26"),
            make_article("d", "ISIS colpisce.", date="2021-10-27"),
            make_article("e", "ISIS ancora.", date="2021-10-28"),
        ),
        sources=(),
        entities=(ISIS, RAQQA, rare, USA),
    )
    index = index_archive(archive)
    assert [i for i, _ in index.related("a")] == ["c", "b", "d", "e"]
    assert index.entities_in("a") == ["bilal-karimi", "stato-islamico", "raqqa"]
    assert index.co_mentioned("stato-islamico")[0] == ("raqqa", 2)
    assert "stati-uniti" not in index.articles_of  # an entity with no mentions


def test_quality_gate_on_the_gold_entities() -> None:
    """Each gold file lists the entities of its body with their exact mentions: a registry
    made of them, linked into Postilla's cleaned text, finds them all and nothing else."""
    scores = evaluate.entity_scores(evaluate.load_gold(CORPUS))
    for score in scores:
        if score.missed or score.extra:
            print(score.case, "missed:", score.missed, "extra:", score.extra)
    precision = sum(s.precision for s in scores) / len(scores)
    recall = sum(s.recall for s in scores) / len(scores)
    assert precision >= 0.97 and recall >= 0.97, (precision, recall)
    assert min(s.precision for s in scores) >= 0.9 and min(s.recall for s in scores) >= 0.9


def _random_archive(count: int, extra: int) -> Archive:
    """`count` articles each naming a few of twelve entities (some rare, some common),
    then `extra` articles naming none of them."""
    import random

    rng = random.Random(16)  # one whose lists an exact total reorders
    names = ["Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
    names += ["India", "Juliett", "Kilo", "Lima"]
    registry = tuple(Entity(n.lower(), n, "person", ()) for n in names)
    articles = [
        make_article(
            f"a{n:03d}",
            " e ".join(rng.sample(names[: rng.choice((4, 6, 12))], rng.randint(1, 4))) + ".",
            date=f"2021-01-{1 + n % 28:02d}",
        )
        for n in range(count)
    ]
    articles += [make_article(f"z{n:03d}", "Nessuno.", date="2022-01-01") for n in range(extra)]
    return Archive(articles=tuple(articles), sources=(), entities=registry)


def test_adding_unrelated_articles_leaves_every_related_list_as_it_was() -> None:
    # 70 then 90 articles: the archive's size changes, its rounded scale (128) does not.
    before, after = index_archive(_random_archive(70, 0)), index_archive(_random_archive(70, 20))
    changed = [a for a in before.mentions if before.related(a) != after.related(a)]
    assert changed == []  # with the exact size in the weight, one list's order changes
    assert all(before.weight(e) == after.weight(e) for e in before.articles_of)
    assert any(before.related(a) for a in before.mentions)  # there are lists to compare


def test_an_entity_s_weight_changes_only_when_its_count_crosses_a_step() -> None:
    counts = [stable_count(n, NAMED_IN_STEPS) for n in range(1, 200)]
    assert counts == sorted(counts) and all(c >= n for c, n in zip(counts, range(1, 200)))
    assert len(set(counts)) < 40  # 199 counts, about 4 steps per doubling
    assert stable_count(100, 1) == stable_count(128, 1) == 128 and stable_count(129, 1) == 256
