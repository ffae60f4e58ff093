"""Every page of real built sites, as a reader's browser gets it.

Tests elsewhere look at the HTML a function makes; these look at the finished files of
two whole sites built with the repository's mkdocs.yml (`shipped_site`: the shipped
archive; `corpus_site`: 24 articles of the fixtures' corpus, built strictly) and
check what must hold on every page, whatever made it (Material's templates, Postilla's
overrides, the plugin's generated pages, the article HTML put in after rendering):

- exactly one ``<h1>``, contained in the ``<title>``; ``<html lang>`` is the site's language;
- every internal link, stylesheet, script and image resolves to a file of the site, and
  every ``#fragment`` to an element id of the page it points to;
- nothing executable that the theme did not ship: scripts only from Material's and
  Postilla's assets or Material's own inline templates, no ``on*`` attribute but the one
  Material's search form has, no ``javascript:``/``vbscript:``/``data:`` URL, no ``iframe``,
  ``object``, ``embed``, ``base`` or refreshing ``meta``.

Each test fails naming every page (and element) that breaks its rule. Pages are parsed
with lxml's HTML parser (libxml2), not with regular expressions.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import material
import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from generator import languages

ROOT = Path(__file__).resolve().parents[1]
MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
SITE_LANGUAGE = "it"  # theme.language in mkdocs.yml

# Attributes that hold an address a browser loads or navigates to.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href")
FORBIDDEN_ELEMENTS = ("iframe", "frame", "object", "embed", "base", "applet")
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")
# The one event handler the theme has: Material's search form (kept in theme/partials/search.html).
ALLOWED_HANDLERS = {("form", "onsubmit", "return false")}
# Script types a browser does not run.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def site_url_path() -> str:
    """The path of the site's address (``/postilla/``): absolute links of the 404 page
    start with it (GitHub Pages serves that page for any missing address)."""
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    found = re.search(r"^site_url:\s*(\S+)", config, re.MULTILINE)
    return urlsplit(found[1]).path if found else "/"


def site_url() -> str:
    found = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text("utf-8"), re.M)
    return found[1] if found else ""


@cache
def theme_scripts() -> frozenset[str]:
    """The script files the theme ships, by their path in a built site: Material's
    ``assets/javascripts/**`` and Postilla's ``theme/assets/*.js``."""
    material_js = MATERIAL_TEMPLATES / "assets" / "javascripts"
    shipped = {
        "assets/javascripts/" + p.relative_to(material_js).as_posix()
        for p in material_js.rglob("*.js")
    }
    shipped |= {"assets/" + p.name for p in (ROOT / "theme" / "assets").glob("*.js")}
    return frozenset(shipped)


@cache
def material_inline_scripts() -> tuple[re.Pattern[str], ...]:
    """Material's own inline scripts, and the theme's versions of them (theme/partials/
    javascripts), as patterns made from their templates (the parts Jinja fills in match
    any text without a quote or a tag)."""
    patterns = []
    templates = [
        *(MATERIAL_TEMPLATES / "partials" / "javascripts").glob("*.html"),
        *(ROOT / "theme" / "partials" / "javascripts").glob("*.html"),
    ]
    for template in sorted(templates):
        for body in re.findall(r"<script>(.*?)</script>", template.read_text("utf-8"), re.S):
            parts = re.split(r"(\{\{.*?\}\}|\{%.*?%\})", body.strip(), flags=re.S)
            regex = "".join(
                ('[^"<]*' if part.startswith("{{") else ".*?")
                if part.startswith(("{{", "{%"))
                else re.escape(part)
                for part in parts
            )
            patterns.append(re.compile(regex, re.S))
    return tuple(patterns)


@dataclass
class SitePage:
    """One HTML file of a built site, parsed."""

    site: Path
    path: str  # relative to the site, posix
    tree: lxml_html.HtmlElement
    ids: set[str] = field(default_factory=set)

    @property
    def url_folder(self) -> str:
        """The folder a relative link on this page starts from."""
        return posixpath.dirname(self.path)


@dataclass
class Site:
    root: Path
    pages: dict[str, SitePage]

    def problems(self, check: str) -> list[str]:
        return [
            f"{page.path}: {found}"
            for page in self.pages.values()
            for found in CHECKS[check](self, page)
        ]


def parse_site(root: Path) -> Site:
    pages = {}
    for file in sorted(root.rglob("*.html")):
        relative = file.relative_to(root).as_posix()
        if relative.startswith("pagefind/"):
            continue
        tree = lxml_html.document_fromstring(file.read_bytes())
        ids = {element.get("id") for element in tree.iter() if element.get("id")}
        ids |= {a.get("name") for a in tree.iter("a") if a.get("name")}
        pages[relative] = SitePage(root, relative, tree, ids)
    return Site(root, pages)


@pytest.fixture(scope="module", params=["shipped_site", "corpus_site"])
def site(request: pytest.FixtureRequest) -> Site:
    return parse_site(request.getfixturevalue(request.param))


def text_of(element: lxml_html.HtmlElement) -> str:
    """An element's text as a reader sees it: without the permalink Markdown's toc adds."""
    copy = lxml_html.fromstring(lxml_html.tostring(element))
    for link in copy.xpath(".//a[contains(concat(' ', @class, ' '), ' headerlink ')]"):
        link.drop_tree()
    return " ".join(copy.text_content().split())


# --- the checks: each yields what is wrong on one page --------------------------------


def one_title(site: Site, page: SitePage) -> Iterator[str]:
    headings = page.tree.findall(".//h1")
    if len(headings) != 1:
        shown = [text_of(h)[:60] for h in headings]
        yield f"{len(headings)} <h1> elements {shown}"
        return
    title = " ".join((page.tree.findtext(".//title") or "").split())
    heading = text_of(headings[0])
    if not heading:
        yield "an empty <h1>"
    elif heading not in title:
        yield f"<title> {title!r} does not contain the <h1> {heading!r}"


@cache
def subsite_languages() -> dict[str, str]:
    """The folders of the site's other interface languages (``extra.alternate`` in
    mkdocs.yml, built by `postilla build`: ``en``) -> their language."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    alternates = languages.read_alternates(
        (config.get("extra") or {}).get("alternate"), SITE_LANGUAGE, ROOT / "mkdocs.yml"
    )
    return {a.folder: a.lang for a in languages.subsites(alternates) if a.folder}


def in_subsite(path: str) -> tuple[str | None, str]:
    """(the subsite's folder or None, the path from that site's root) of a path in the site."""
    folder, _, rest = path.partition("/")
    return (folder, rest) if rest and folder in subsite_languages() else (None, path)


def language(site: Site, page: SitePage) -> Iterator[str]:
    folder, _ = in_subsite(page.path)
    expected = subsite_languages()[folder] if folder else SITE_LANGUAGE
    if page.tree.get("lang") != expected:
        yield f'<html lang="{page.tree.get("lang")}">, not "{expected}"'


def resolve(site: Site, page: SitePage, address: str) -> tuple[str, str] | None:
    """(file path in the site, fragment) an address on `page` leads to, or None when it
    leads outside the site."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        own = urlsplit(site_url())
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc) or not parts.path.startswith(
            own.path
        ):
            return None
        path = parts.path[len(own.path) :]
    elif parts.path.startswith("/"):
        prefix = site_url_path()
        path = parts.path[len(prefix) :] if parts.path.startswith(prefix) else parts.path[1:]
    elif parts.path:
        path = posixpath.join(page.url_folder, parts.path)
    else:
        return page.path, unquote(parts.fragment)
    path = posixpath.normpath(unquote(path)) if path else "."
    if path == ".":
        path = ""
    if path == "" or (site.root / path).is_dir():
        path = posixpath.join(path, "index.html") if path else "index.html"
    return path, unquote(parts.fragment)


def links_resolve(site: Site, page: SitePage) -> Iterator[str]:
    for element in page.tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src"):
            address = element.get(name)
            if address is None or address.startswith(("mailto:", "tel:")):
                continue
            target = resolve(site, page, address)
            if target is None:
                continue
            path, fragment = target
            if path.startswith(".."):
                yield f"<{element.tag} {name}={address!r}> leads outside the site"
            elif not (site.root / path).is_file():
                yield f"<{element.tag} {name}={address!r}>: no file {path}"
            elif fragment and path.endswith(".html"):
                linked = site.pages.get(path)
                if linked is not None and fragment not in linked.ids:
                    yield f"<{element.tag} {name}={address!r}>: no element #{fragment} in {path}"


def nothing_executable(site: Site, page: SitePage) -> Iterator[str]:
    for element in page.tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in FORBIDDEN_ELEMENTS:
            yield f"<{tag}>"
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            yield "<meta http-equiv=refresh>"
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on") and (tag, lowered, value) not in ALLOWED_HANDLERS:
                yield f"<{tag} {name}={value[:40]!r}>"
            if lowered in URL_ATTRIBUTES or lowered == "srcdoc":
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if lowered == "srcdoc" or squeezed.startswith(FORBIDDEN_SCHEMES):
                    yield f"<{tag} {name}={value[:40]!r}>"
        if tag == "script":
            yield from script_problems(site, page, element)


def script_problems(site: Site, page: SitePage, script: lxml_html.HtmlElement) -> Iterator[str]:
    kind = (script.get("type") or "").strip().lower()
    if kind in DATA_SCRIPT_TYPES:
        return
    source = script.get("src")
    if source is not None:
        target = resolve(site, page, source)
        if target is None or in_subsite(target[0])[1] not in theme_scripts():
            yield f"<script src={source!r}>, not one of the theme's scripts"
        return
    body = (script.text or "").strip()
    if not any(p.fullmatch(body) for p in material_inline_scripts()):
        yield f"an inline <script> that is not Material's: {body[:60]!r}"


CHECKS = {
    "one_title": one_title,
    "language": language,
    "links_resolve": links_resolve,
    "nothing_executable": nothing_executable,
}


def fail_with(problems: list[str], rule: str) -> None:
    shown = "\n".join(f"  {p}" for p in problems[:40])
    more = f"\n  … and {len(problems) - 40} more" if len(problems) > 40 else ""
    pytest.fail(f"{len(problems)} pages break '{rule}':\n{shown}{more}", pytrace=False)


# --- the tests ------------------------------------------------------------------------


def test_every_kind_of_page_is_there(site: Site) -> None:
    """The walk covers every page family (so the rules below are checked on each)."""
    kinds = {
        "home": "index.html",
        "404": "404.html",
        "about": "pages/about/index.html",
        "archive": "archive/index.html",
        "sources": "sources/index.html",
        "entities": "entities/index.html",
        "annotations": "annotations/index.html",
        "orphaned": "annotations/orphaned/index.html",
    }
    missing = [kind for kind, path in kinds.items() if path not in site.pages]
    families = ("articles/", "entities/", "sources/", "archive/", "annotations/tags/")
    missing += [f for f in families if sum(p.startswith(f) for p in site.pages) < 2]
    assert not missing, f"no such pages in {site.root}: {missing}"


@pytest.mark.parametrize("rule", list(CHECKS))
def test_every_page(site: Site, rule: str) -> None:
    problems = site.problems(rule)
    if problems:
        fail_with(problems, rule)


def test_every_address_in_the_sitemap_is_a_page(site: Site) -> None:
    sitemap = etree.fromstring((site.root / "sitemap.xml").read_bytes())
    locations = [loc.text or "" for loc in sitemap.iter("{*}loc")]
    assert locations
    index = site.pages["index.html"]
    missing = []
    for location in locations:
        target = resolve(site, index, location)
        if target is None or target[0] not in site.pages:
            missing.append(location)
    assert not missing, f"sitemap addresses with no page: {missing[:10]}"


def test_every_article_page_is_described_for_sharing_and_citing(site: Site) -> None:
    """An article page's head: its own description, Open Graph, X/Twitter card and citation
    tags, with the values its front matter has."""
    problems = []
    for path, page in site.pages.items():
        if not path.startswith("articles/"):
            continue
        source = site.root.parent / "content" / "articles" / f"{Path(path).parent.name}.md"
        meta = {
            (m.get("property") or m.get("name")): m.get("content")
            for m in page.tree.iter("meta")
            if m.get("property") or m.get("name")
        }
        title = text_of(page.tree.find(".//h1"))
        expected = {
            "og:type": "article",
            "og:title": title,
            "twitter:card": "summary",
            "citation_title": title,
        }
        problems += [
            f"{path}: {name} is {meta.get(name)!r}, not {value!r}"
            for name, value in expected.items()
            if meta.get(name) != value
        ]
        description = meta.get("description") or ""
        if not description or description == site_description():
            problems.append(f"{path}: the site's description, not the article's")
        if meta.get("og:description") != description:
            problems.append(f"{path}: og:description differs from the description")
        canonical = page.tree.find(".//link[@rel='canonical']")
        if canonical is None or meta.get("og:url") != canonical.get("href"):
            problems.append(f"{path}: og:url is not the canonical address")
        if source.is_file():
            front = yaml.safe_load(source.read_text("utf-8").split("---")[1])
            if front.get("date"):
                wanted = str(front["date"]).replace("-", "/")
                if meta.get("citation_date") != wanted:
                    problems.append(f"{path}: citation_date {meta.get('citation_date')!r}")
            if front.get("author") and meta.get("citation_author") != front["author"]:
                problems.append(f"{path}: citation_author {meta.get('citation_author')!r}")
    assert not problems, "\n".join(problems)


def site_description() -> str:
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    data = yaml.safe_load(re.sub(r"!\S+", "", config))
    return " ".join(str(data.get("site_description", "")).split())


def test_the_404_page_speaks_the_site_language(site: Site) -> None:
    page = site.pages["404.html"]
    heading = text_of(page.tree.find(".//h1"))
    assert heading == "Pagina non trovata"
    assert "Not found" not in page.tree.text_content()


# --- the checks themselves catch what they are for -----------------------------------

BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Uno - Sito</title>
<script>alert(1)</script><script src="https://evil.example/x.js"></script></head>
<body><h1>Uno</h1><h1>Due</h1><a href="../missing/">x</a><a href="#nowhere">y</a>
<img src="data:image/svg+xml,x" onerror="alert(1)"><iframe src="x"></iframe>
<a href="JaVa&#x09;script:alert(1)">z</a><base href="https://evil.example/"></body></html>"""


def test_the_checks_find_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(BROKEN_PAGE, "utf-8")
    broken = parse_site(tmp_path)
    found = {rule: broken.problems(rule) for rule in CHECKS}
    assert any("2 <h1>" in p for p in found["one_title"])
    assert found["language"] == ['a/index.html: <html lang="en">, not "it"']
    links = "\n".join(found["links_resolve"])
    assert "no file missing/index.html" in links or "no file missing" in links
    assert "no element #nowhere" in links
    unsafe = "\n".join(found["nothing_executable"])
    for expected in (
        "alert(1)",
        "evil.example/x.js",
        "onerror",
        "data:image",
        "<iframe>",
        "<base>",
    ):
        assert expected in unsafe, expected
    assert "JaVa" in unsafe  # a javascript: URL hidden by case and a tab


def test_material_inline_scripts_are_recognised_but_not_others() -> None:
    scope = (
        '__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+'
        "_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem("
        't.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem('
        'a.pathname+"."+e,JSON.stringify(_))}catch(e){}}'
    )
    patterns = material_inline_scripts()
    assert any(p.fullmatch(scope) for p in patterns)
    assert not any(p.fullmatch(scope + ";alert(1)") for p in patterns)
    assert not any(p.fullmatch(scope.replace('"../.."', '"x"+alert(1)+"')) for p in patterns)
