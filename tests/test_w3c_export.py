"""The annotations as W3C Web Annotations: conformance to the model's MUSTs (the Web
Annotation test suite's own JSON Schemas, vendored in ``fixtures/wpt-annotation-model``),
each annotation a document at its id, the collection and its pages, and selectors that
resolve in the page they name (checked against the built page's HTML, parsed with lxml).

Three real builds are checked: the shipped archive, the corpus archive (both from
conftest.py) and the shipped archive with two more annotations made for the hard cases
(a quote across two paragraphs, a quote across an entity link).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import html as lxml_html
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from conftest import ROOT, make_article
from generator import export
from generator.annotations import Anchor, Anchored, Annotation, AnnotationSet, Reply
from generator.archive import read_article
from generator.model import Archive

WPT = Path(__file__).parent / "fixtures" / "wpt-annotation-model"
SITE_URL = "https://example.github.io/postilla/"  # mkdocs.yml's site_url
BLOG_ID = "isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali-dalla-loro"


# --- the test suite's MUST assertions ---------------------------------------------------


def _registry() -> Registry:
    """The suite's definitions, by the ids its assertions use to reference them."""
    registry: Registry = Registry()
    for path in sorted((WPT / "definitions").glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        registry = registry.with_resource(schema["id"], Resource(schema, DRAFT4))
    return registry


REGISTRY = _registry()


def must_assertions() -> list[tuple[str, dict[str, Any]]]:
    """annotationMusts.test's assertions (name, schema), in its order."""
    test = json.loads((WPT / "annotations" / "annotationMusts.test").read_text("utf-8"))
    return [(name, json.loads((WPT / name).read_text("utf-8"))) for name in test["assertions"]]


MUSTS = must_assertions()


def failed_musts(annotation: dict[str, Any]) -> list[str]:
    """The MUST assertions `annotation` fails, each with the suite's error message.
    Formats are checked (``date-time`` by RFC 3339, ``uri`` as an absolute IRI)."""
    failures = []
    for name, schema in MUSTS:
        validator = jsonschema.Draft4Validator(schema, registry=REGISTRY, format_checker=FORMATS)
        if not validator.is_valid(annotation):
            failures.append(f"{name}: {schema['errorMessage']}")
    return failures


FORMATS = jsonschema.FormatChecker(["date-time"])


@FORMATS.checks("uri")
def _absolute_iri(value: object) -> bool:
    """RFC 3987's absolute IRI, as far as an annotation's ids go: a scheme, no spaces."""
    if not isinstance(value, str):
        return True
    scheme, colon, rest = value.partition(":")
    return bool(colon and rest and scheme.isascii() and scheme[:1].isalpha()) and (
        not any(c.isspace() or c in '<>"{}|\\^`' for c in value)
    )


def test_the_vendored_suite_is_whole() -> None:
    """Every assertion named by annotationMusts.test is vendored and run, and every
    definition any of them reaches through $ref is vendored too."""
    test = json.loads((WPT / "annotations" / "annotationMusts.test").read_text("utf-8"))
    assert len(test["assertions"]) == 14
    assert all((WPT / name).is_file() for name in test["assertions"])
    assert len(MUSTS) == 14 and all(s.get("assertionType") == "must" for _, s in MUSTS)
    assert unresolved_refs() == set()


def unresolved_refs() -> set[str]:
    """Every `$ref` in the assertions and definitions that names nothing vendored."""
    missing = set()
    documents = [schema for _, schema in MUSTS] + [
        json.loads(path.read_text("utf-8")) for path in (WPT / "definitions").glob("*.json")
    ]
    for document in documents:
        for ref in _refs(document):
            uri, _, pointer = ref.partition("#")
            target = REGISTRY.contents(uri) if uri else document
            for part in filter(None, pointer.split("/")):
                target = target.get(part) if isinstance(target, dict) else None
            if target is None:
                missing.add(f"{document['id']}: {ref}")
    return missing


def _refs(schema: object) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"created": "2026-11-21"}, "3.3.1-annotationCreatedValidated"),
        ({"modified": "2026-11-21 10:00"}, "3.3.1-annotationModifiedValidated"),
        ({"@context": "http://www.w3.org/ns/oa.jsonld"}, "3.1-annotationContextValidated"),
        ({"id": "articles/x/annotations/y.jsonld"}, "3.1-annotationIdValidated"),
        ({"type": "Note"}, "3.1-annotationTypeValidated"),
        ({"bodyValue": "testo"}, "3.2.5-notBodyBodyValue"),
        ({"via": "not a uri"}, "3.3.7-annotationViaValidated"),
    ],
)
def test_the_assertions_catch_what_the_model_forbids(change: dict[str, str], failing: str) -> None:
    """The checker can fail: a date-only `created` (the old export), a relative id, no
    anno context… each fails exactly the assertion about it."""
    good = _good_annotation()
    assert failed_musts(good) == []
    failures = failed_musts({**good, **change})
    assert [f.split(".json:")[0].split("/")[1] for f in failures] == [failing], failures


_TARGET = "https://example.github.io/postilla/articles/articolo/"


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        # a specific resource without its source (the old export's mistake, say)
        ({"target": {"type": "SpecificResource", "selector": {"type": "CssSelector",
                     "value": "p"}}}, "3.2-targetObjectsRecognized"),
        ({"target": "articles/articolo/"}, "3.2-targetObjectsRecognized"),  # not a URI
        ({"target": [_TARGET, {"type": "Text"}]}, "3.2-targetObjectsRecognized"),  # no id
        ({"body": {"type": "TextualBody", "format": "text/plain"}},
         "3.2-bodyObjectsRecognized"),  # a textual body without its value
        ({"body": [{"type": "SpecificResource", "source": "fonte", "purpose": "linking"}]},
         "3.2-bodyObjectsRecognized"),  # a linked source that is no absolute IRI
        ({"body": {"type": "Choice", "items": []}}, "3.2-bodyObjectsRecognized"),
    ],
)  # fmt: skip
def test_bodies_and_targets_must_be_recognized(change: dict[str, Any], failing: str) -> None:
    """The two assertions that need bodyTarget.json, choiceSet.json and
    specificResource.json fail on a body or target the model does not recognize."""
    failures = failed_musts({**_good_annotation(), **change})
    assert [f.split(".json:")[0].split("/")[1] for f in failures] == [failing], failures


def test_a_missing_target_fails() -> None:
    bad = {k: v for k, v in _good_annotation().items() if k != "target"}
    assert [f.split(":")[0] for f in failed_musts(bad)] == ["annotations/3.1-targetKeyFound.json"]


def _good_annotation() -> dict[str, Any]:
    archive, notes = _synthetic(1)
    return json.loads(
        next(
            iter(
                _annotation_documents(
                    export.web_annotation_files(archive, notes, SITE_URL)
                ).values()
            )
        )
    )


# --- pure functions ----------------------------------------------------------------------


def test_dates_become_midnight_utc() -> None:
    assert export.utc_datetime("2026-11-21") == "2026-11-21T00:00:00Z"


@pytest.mark.parametrize(
    "paragraphs",
    [("abc",), ("abc", "de", "fghi"), ("Città 😀 è", "«x»", "y"), ("a", "b", "c", "d")],
)
def test_element_offsets_point_at_the_same_characters(paragraphs: tuple[str, ...]) -> None:
    """Every character of the body text is at `element_offset` in the element's text; an
    offset at a paragraph break lands on the next paragraph's start."""
    body = "\n\n".join(paragraphs)
    text = export.body_element_text(paragraphs)
    for offset, char in enumerate(body):
        if char != "\n":
            assert text[export.element_offset(paragraphs, offset)] == char, (paragraphs, offset)
    ends = [export.element_offset(paragraphs, len(body))]
    assert ends == [len(text) - 1]
    if len(paragraphs) > 1:
        first = len(paragraphs[0])
        assert export.element_offset(paragraphs, first + 1) == first + 2  # the break


def _synthetic(count: int) -> tuple[Archive, AnnotationSet]:
    """`count` annotations (each with one reply) on one article, for the collection."""
    words = [f"parola{n:03d}" for n in range(count)]
    article = make_article("articolo", " ".join(words[: count // 2 + 1]), " ".join(words))
    body = article.body_text
    anchored = []
    for n, word in enumerate(words):
        start = body.index(word)
        note = Annotation(
            id=f"nota-{n}", article="articolo", quote=word, note="*nota*", kind="comment",
            author="someone", date="2026-11-21", tags=("fonti",),
            replies=(Reply(author="other", date="2026-11-22", note="risposta"),),
        )  # fmt: skip
        anchored.append(Anchored(note, Anchor(start, start + len(word), word, True)))
    orphan = Annotation(
        id="orfana", article="articolo", quote="assente", note="n", kind="question",
        author="someone", date="2026-11-21",
    )  # fmt: skip
    anchored.append(Anchored(orphan, None))
    return Archive(articles=(article,), sources=(), entities=()), AnnotationSet(
        anchored=tuple(anchored)
    )


def _annotation_documents(files: dict[str, str]) -> dict[str, str]:
    return {p: t for p, t in files.items() if p.startswith("articles/")}


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_the_collection_is_paged_per_the_model(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two items a page: total, first (embedded), last, and pages chained by
    next/prev with partOf and startIndex, holding each annotation and reply once."""
    monkeypatch.setattr(export, "ANNOTATIONS_PER_PAGE", 2)
    archive, notes = _synthetic(count)
    files = export.web_annotation_files(archive, notes, SITE_URL)
    documents = _annotation_documents(files)
    assert len(documents) == 2 * count  # each annotation and its reply; the orphan is left out
    collection = json.loads(files[export.COLLECTION])
    assert collection["id"] == SITE_URL + export.COLLECTION
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 2 * count
    pages, url = [], collection["first"]["id"]
    while url:
        page = json.loads(files[url.removeprefix(SITE_URL)])
        assert page["@context"] == export.ANNO_CONTEXT and page["type"] == "AnnotationPage"
        assert page["partOf"]["id"] == collection["id"] and page["partOf"]["total"] == 2 * count
        assert page["startIndex"] == sum(len(p["items"]) for p in pages)
        assert page.get("prev") == (pages[-1]["id"] if pages else None)
        pages.append(page)
        url = page.get("next")
    assert len(pages) == max(1, -(-2 * count // 2)) and collection["last"] == pages[-1]["id"]
    assert collection["first"]["items"] == pages[0]["items"]
    items = [item for page in pages for item in page["items"]]
    assert sorted(i["id"] for i in items) == sorted(SITE_URL + p for p in documents)
    for item in items:  # each page's item is the document at its id, less the context
        document = json.loads(documents[item["id"].removeprefix(SITE_URL)])
        assert document == {"@context": export.ANNO_CONTEXT, **item}
        assert failed_musts(document) == [], item["id"]


# --- real builds -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hard_cases_site(tmp_path_factory: pytest.TempPathFactory, shipped_site: Path) -> Path:
    """The shipped archive with two more annotations on the blog article: a quote across
    its first two paragraphs, and one across the first entity link of its page."""
    from generator.build import build_site

    folder = tmp_path_factory.mktemp("w3c")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    article = read_article(content / "articles" / f"{BLOG_ID}.md")
    first, second = article.paragraphs[0], article.paragraphs[1]
    across_paragraphs = " ".join(first.split()[-4:]) + "\n\n" + " ".join(second.split()[:4])
    page = lxml_html.parse(str(shipped_site / "articles" / BLOG_ID / "index.html"))
    link = page.xpath("//a[contains(@class, 'postilla-entity')]")[0].text_content()
    at = article.body_text.index(link)
    across_link = article.body_text[max(0, at - 12) : at + len(link) + 12]
    notes = {
        "article": BLOG_ID,
        "annotations": [
            {"id": "tra-due-paragrafi", "quote": across_paragraphs, "kind": "comment",
             "note": "Due paragrafi.", "author": "tester", "date": "2026-11-22"},
            {"id": "su-un-link", "quote": across_link, "kind": "context",
             "note": "Un'entità.", "author": "tester", "date": "2026-11-23",
             "links": ["https://example.org/fonte"]},
        ],
    }  # fmt: skip
    (content / "annotations" / BLOG_ID / "2026-11-22-tester-casi.yml").write_text(
        json.dumps(notes, ensure_ascii=False), "utf-8"
    )
    target = folder / "site"
    result = build_site(ROOT / "mkdocs.yml", content, target, strict=True, progress=False)
    assert result.warnings == 0
    return target


@pytest.fixture(params=["shipped_site", "corpus_site", "hard_cases_site"])
def built(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def annotation_documents(site: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every annotation document of a built site: (its path, its JSON)."""
    for path in sorted((site / "articles").glob("*/annotations/**/*.jsonld")):
        yield path.relative_to(site).as_posix(), json.loads(path.read_text("utf-8"))


def body_text_content(page: Path, css_class: str) -> str:
    """The textContent of the one element of `page` with `css_class`, as a browser has it."""
    tree = lxml_html.parse(str(page))
    found = tree.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]")
    assert len(found) == 1, f"{page}: {len(found)} elements .{css_class}"
    return str(found[0].xpath("string()"))


def test_every_annotation_passes_every_must(built: Path) -> None:
    documents = list(annotation_documents(built))
    assert len(documents) >= 4  # the shipped three, and a reply
    results = {path: failed_musts(doc) for path, doc in documents}
    assert {p: f for p, f in results.items() if f} == {}
    print(f"conformance: {len(MUSTS)} assertions x {len(documents)} annotations passed")


def test_each_annotation_is_at_its_id(built: Path) -> None:
    """The id is the document's own address; the collection's pages hold each one once."""
    documents = dict(annotation_documents(built))
    for path, document in documents.items():
        assert document["@context"] == export.ANNO_CONTEXT and document["id"] == SITE_URL + path
    collection = json.loads((built / export.COLLECTION).read_text("utf-8"))
    assert collection["total"] == len(documents)
    items, url = [], collection["first"]["id"]
    while url:
        page = json.loads((built / url.removeprefix(SITE_URL)).read_text("utf-8"))
        items += page["items"]
        url = page.get("next")
    assert sorted(i["id"] for i in items) == sorted(SITE_URL + p for p in documents)


def test_selectors_resolve_in_the_page_they_name(built: Path) -> None:
    """Each target's CssSelector finds one element; its textContent, cut at the
    TextPositionSelector's offsets, is the TextQuoteSelector's exact, with its prefix and
    suffix around it; and the exact words are the annotation's passage in the body."""
    checked = 0
    for path, document in annotation_documents(built):
        target = document["target"]
        if isinstance(target, str):  # a reply: its target is the annotation it answers
            assert (built / target.removeprefix(SITE_URL)).is_file(), path
            continue
        page = built / target["source"].removeprefix(SITE_URL) / "index.html"
        by_type = {s["refinedBy"]["type"]: s for s in target["selector"]}
        assert set(by_type) == {"TextQuoteSelector", "TextPositionSelector"}, path
        quote = by_type["TextQuoteSelector"]["refinedBy"]
        position = by_type["TextPositionSelector"]["refinedBy"]
        css = {s["value"] for s in target["selector"]}
        assert css == {export.BODY_SELECTOR}
        text = body_text_content(page, export.BODY_SELECTOR.removeprefix("."))
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"], (path, text[start:end], quote["exact"])
        assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
        source = ROOT / "content" / "articles" / f"{page.parent.name}.md"
        if source.is_file():  # the exact words are the article's (whitespace aside)
            words = " ".join(quote["exact"].split())
            assert words in " ".join(read_article(source).body_text.split()), path
        checked += 1
    assert checked >= 3


def test_the_hard_cases_cross_a_paragraph_and_a_link(hard_cases_site: Path) -> None:
    documents = dict(annotation_documents(hard_cases_site))
    base = f"articles/{BLOG_ID}/annotations/"
    across = documents[base + "tra-due-paragrafi.jsonld"]["target"]["selector"]
    exact = next(s["refinedBy"]["exact"] for s in across if "exact" in s["refinedBy"])
    assert exact.count("\n") == 1  # one line break between the two <p> in textContent
    linked = documents[base + "su-un-link.jsonld"]
    assert linked["created"] == "2026-11-23T00:00:00Z"
    assert {"type": "SpecificResource", "source": "https://example.org/fonte",
            "purpose": "linking"} in linked["body"]  # fmt: skip
