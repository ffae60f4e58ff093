"""The trust boundary of ``content/``: a catalogue of hostile content files.

Everything under ``content/`` may come from a pull request. Each case writes one hostile
file (or edits one) into a copy of a small archive (the two seed articles) and asserts one
of two outcomes:

- **rejected**: `postilla check --strict` (the pull-request gate) and `postilla build` both
  fail, with a one-line message naming the file (and its line where it has one); the
  content folder is left byte for byte as it was, and so is the site built before;
- **rendered literally**: the check passes, and the built site shows the hostile text as
  text (in the ``<title>``, headings, attributes) with nothing executable on any page: no
  script but the theme's, no ``on*`` handler, no ``javascript:``/``data:`` URL, no
  ``iframe``/``object``/``embed`` (the rule of `test_site_invariants`, pages parsed by lxml).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html
from test_site_invariants import nothing_executable, parse_site

from conftest import ROOT, empty_content, import_seeds, snapshot
from generator.archive import content_kind_problem
from generator.cli import main

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
SPUTNIK_MD = f"articles/{SPUTNIK}.md"
IN_THE_TEXT = "canali di intelligence"  # words of the Sputnik article's body
SCRIPT = "</title><script>alert(1)</script>"
BREAKER = '"\' onmouseover=alert(2) x="'
ENTITIES = 6  # of the shipped registry, in the small archive
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# --- editing a content folder ----------------------------------------------------------


def append_entity(content: Path, **entry: object) -> None:
    """One more entity at the end of ``entities.yml``, written as YAML (so a value keeps
    its newline or quotes exactly)."""
    with (content / "entities.yml").open("a", encoding="utf-8") as out:
        out.write("\n" + yaml.safe_dump([entry], allow_unicode=True, sort_keys=False))


def edit_source(content: Path, **fields: object) -> None:
    """Set fields of the Sputnik Italia entry of ``sources.yml`` (the first entry)."""
    path = content / "sources.yml"
    entries = yaml.safe_load(path.read_text("utf-8"))
    entries[0].update(fields)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), "utf-8")


def edit_front_matter(content: Path, key: str, value: str) -> None:
    """Replace one line ``key: …`` of the Sputnik article's front matter."""
    path = content / SPUTNIK_MD
    lines = path.read_text("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[at] = f"{key}: {value}"
    path.write_text("\n".join(lines), "utf-8")


def write(relative: str, data: str | bytes) -> Callable[[Path], None]:
    def mutate(content: Path) -> None:
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return mutate


def line_of(content: Path, relative: str, needle: str) -> int:
    """The 1-based line of `relative` holding `needle` (the first)."""
    lines = (content / relative).read_text("utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if needle in line)


# --- the catalogue: rejected --------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    """A hostile content change that check and build must refuse, naming `file` (relative
    to content/), at the line holding `at` when given, with `words` in the message."""

    mutate: Callable[[Path], None]
    file: str
    words: str
    at: str | None = None


def _entity(**entry: object) -> Callable[[Path], None]:
    values = {"id": "ostile", "name": "Ostile", "type": "person", **entry}
    return lambda content: append_entity(content, **values)


def _source(**fields: object) -> Callable[[Path], None]:
    return lambda content: edit_source(content, **fields)


def _front(key: str, value: str) -> Callable[[Path], None]:
    return lambda content: edit_front_matter(content, key, value)


def _symlink(relative: str, target: str) -> Callable[[Path], None]:
    return lambda content: (content / relative).symlink_to(target)


def _raw_svg_referenced(content: Path) -> None:
    write("raw/evil.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')(content)
    edit_front_matter(content, "raw", "raw/evil.svg")


REJECTED = {
    # registry values: ids and wikidata ids on one line, matching their pattern
    "entity-id-newline": Rejected(_entity(id="ostile\n"), "entities.yml", "id", "ostile"),
    "entity-id-slash": Rejected(_entity(id="../index"), "entities.yml", "id", "../index"),
    "entity-id-index": Rejected(_entity(id="index"), "entities.yml", "entities index", "index"),
    "wikidata-newline": Rejected(_entity(wikidata="Q42\n"), "entities.yml", "wikidata", "Q42"),
    "wikidata-breaker": Rejected(
        _entity(wikidata='Q42"><script>alert(1)</script>'), "entities.yml", "wikidata", "Q42"
    ),
    "entity-name-newline": Rejected(
        _entity(name="Ostile\n# Titolo"), "entities.yml", "name", "Ostile"
    ),
    "alias-newline": Rejected(
        _entity(aliases=["Ostile\n<b>x</b>"]), "entities.yml", "aliases", "- 'Ostile"
    ),
    "entity-link-javascript": Rejected(
        _entity(links=["javascript:alert(1)"]), "entities.yml", "links", "javascript"
    ),
    "entity-link-data": Rejected(
        _entity(links=["data:text/html,<script>alert(1)</script>"]),
        "entities.yml",
        "links",
        "data:text",
    ),
    "entity-link-breaker": Rejected(
        _entity(links=['https://x.example/"><script>alert(1)</script>']),
        "entities.yml",
        "links",
        "x.example",
    ),
    # sources: URLs http(s) only, nothing that ends an attribute or a tag
    "source-url-javascript": Rejected(
        _source(url="javascript:alert(1)"), "sources.yml", "url", "javascript"
    ),
    "source-url-data": Rejected(
        _source(url="data:text/html;base64,PHNjcmlwdD4="), "sources.yml", "url", "data:"
    ),
    "source-url-breaker": Rejected(
        _source(url='https://x.example/"><script>alert(1)</script>'), "sources.yml", "url", "x.ex"
    ),
    "source-url-angle": Rejected(
        _source(url="https://x.example/><script>alert(1)</script>"), "sources.yml", "url", "x.ex"
    ),
    "source-url-space": Rejected(
        _source(url="https://x.example/ onmouseover=alert(1)"), "sources.yml", "url", "x.ex"
    ),
    "source-name-newline": Rejected(
        _source(name="Sputnik\n# Titolo"), "sources.yml", "name", "Sputnik"
    ),
    # article front matter: a source that is a domain, a raw file that is a raw file
    "article-source-dotdot": Rejected(
        _front("source", "../index"), SPUTNIK_MD, "source", "source: ../index"
    ),
    "article-source-slash": Rejected(
        _front("source", "x.example/../../index"), SPUTNIK_MD, "source", "source: x.example"
    ),
    "article-raw-traversal": Rejected(
        _front("raw", "../../../etc/passwd"), SPUTNIK_MD, "raw", "raw: ../"
    ),
    "article-raw-svg": Rejected(_raw_svg_referenced, SPUTNIK_MD, "raw", "raw: raw/evil.svg"),
    "article-url-javascript": Rejected(
        _front("url", "javascript:alert(1)"), SPUTNIK_MD, "url", "url: javascript"
    ),
    # files of kinds the archive does not publish
    "html-next-to-articles": Rejected(
        write("articles/evil.html", "<script>alert(1)</script>"), "articles/evil.html", "article"
    ),
    "svg-next-to-articles": Rejected(
        write("articles/evil.svg", "<svg onload=alert(1)></svg>"), "articles/evil.svg", "article"
    ),
    "js-next-to-articles": Rejected(write("articles/x.js", "alert(1)"), "articles/x.js", "article"),
    "exe-next-to-articles": Rejected(
        write("articles/tool.exe", b"MZ\x90\x00"), "articles/tool.exe", "article"
    ),
    "markdown-below-articles": Rejected(
        write("articles/sub/x.md", "# <b>x</b>\n"), "articles/sub/x.md", "article"
    ),
    "svg-in-raw": Rejected(
        write("raw/evil.svg", "<svg onload=alert(1)></svg>"), "raw/evil.svg", "raw files"
    ),
    "php-in-raw": Rejected(write("raw/x.php", "<?php ?>"), "raw/x.php", "raw files"),
    "js-at-the-top": Rejected(write("x.js", "alert(1)"), "x.js", "not a file the archive"),
    "index-at-the-top": Rejected(
        write("index.md", "# Home\n\n<script>alert(1)</script>\n"), "index.md", "not a file"
    ),
    "css-in-a-new-folder": Rejected(
        write("assets/x.css", "body{}"), "assets/x.css", "not a file the archive"
    ),
    "annotation-yaml-extension": Rejected(
        write(f"annotations/{SPUTNIK}/nota.yaml", "article: x\n"),
        f"annotations/{SPUTNIK}/nota.yaml",
        "rename it to nota.yml",
    ),
    "annotation-html": Rejected(
        write(f"annotations/{SPUTNIK}/nota.html", "<script>alert(1)</script>"),
        f"annotations/{SPUTNIK}/nota.html",
        "annotation files",
    ),
    "svg-in-pages": Rejected(
        write(
            "pages/logo.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        "pages/logo.svg",
        "no SVG",
    ),
    "html-in-pages": Rejected(
        write("pages/x.html", "<script>alert(1)</script>"), "pages/x.html", "Markdown pages"
    ),
    "png-that-is-html": Rejected(
        write("pages/photo.png", "<html><script>alert(1)</script></html>"),
        "pages/photo.png",
        "not a .png image",
    ),
    "jpg-that-is-png": Rejected(write("pages/photo.jpg", PNG), "pages/photo.jpg", "not a .jpg"),
    "webp-that-is-riff-wave": Rejected(
        write("pages/a.webp", b"RIFF\x00\x00\x00\x00WAVEfmt "), "pages/a.webp", "not a .webp"
    ),
    "page-template-redirect": Rejected(
        write(
            "pages/go.md",
            "---\ntitle: Vai\ntemplate: redirect.html\nlocation: javascript:alert(1)\n---\n# Vai\n",
        ),
        "pages/go.md",
        "'template' is not allowed",
        "template:",
    ),
    "page-front-matter-tag": Rejected(
        write("pages/tag.md", "---\ntitle: !!python/object/apply:os.system [id]\n---\n# T\n"),
        "pages/tag.md",
        "is not allowed",
    ),
    "symlink-to-passwd-in-raw": Rejected(
        _symlink("raw/passwd.txt", "/etc/passwd"), "raw/passwd.txt", "symbolic link"
    ),
    "symlink-folder-in-pages": Rejected(
        _symlink("pages/etc", "/etc"), "pages/etc", "symbolic link"
    ),
}


# --- the catalogue: rendered literally ----------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A hostile content change that passes the check and must show as text: on the page
    `page` (a site path), `title` in the ``<title>`` and `shows` in the page's text, and
    each (XPath, attribute, value) of `attributes` exactly."""

    mutate: Callable[[Path], None]
    page: str
    title: str | None = None
    shows: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str, str], ...] = ()


ENTITY_NAME = f"{SCRIPT}{BREAKER}"
ENTITY_DESCRIPTION = f'Descrizione {SCRIPT} "quoted" {BREAKER} & <img src=x onerror=alert(3)>'
ALIAS = "<img src=x onerror=alert(4)> **bold** [x](javascript:alert(5))"
SOURCE_URL = "https://x.example/a'onmouseover=alert(5)//*b*_c_?q=1&r=2"
SOURCE_NAME = f"{SCRIPT} «Sputnik» & co"
PAGE_BODY = """# Pagina ostile

Testo sicuro.

<script>alert(1)</script>

<iframe src="javascript:alert(2)"></iframe>

<img src="x.png" onerror="alert(3)">

[un link](javascript:alert(4)) e <a href="javascript:alert(5)">un altro</a>

Un paragrafo con attributi { onclick="alert(6)" }

<object data="data:text/html,<script>alert(7)</script>"></object>

<svg onload="alert(8)"><script>alert(9)</script></svg>

<form action="javascript:alert(10)"><button formaction="javascript:alert(11)">x</button></form>
"""


def _hostile_entity(content: Path) -> None:
    append_entity(
        content,
        id="ostile",
        name=ENTITY_NAME,
        type="person",
        aliases=[IN_THE_TEXT, ALIAS],
        description=ENTITY_DESCRIPTION,
    )


def _multiline_description(content: Path) -> None:
    append_entity(
        content,
        id="ostile",
        name="Ostile",
        type="person",
        aliases=[IN_THE_TEXT],
        description="Prima riga\n# Un titolo\n    codice\n<script>alert(1)</script>",
    )


RENDERED = {
    "entity-page": Rendered(
        _hostile_entity,
        "entities/ostile/index.html",
        title=ENTITY_NAME,
        shows=(ENTITY_NAME, " ".join(ENTITY_DESCRIPTION.split()), ALIAS),
    ),
    "entity-link-in-article": Rendered(
        _hostile_entity,
        f"articles/{SPUTNIK}/index.html",
        shows=(ENTITY_NAME,),
        attributes=(
            (
                '//a[@data-entity="ostile"]',
                "title",
                f"Persona — {ENTITY_DESCRIPTION}",
            ),
        ),
    ),
    "entities-index": Rendered(_hostile_entity, "entities/index.html", shows=(ENTITY_NAME,)),
    "entity-description-lines": Rendered(
        _multiline_description,
        "entities/ostile/index.html",
        shows=("Prima riga # Un titolo codice <script>alert(1)</script>",),
    ),
    "source-page": Rendered(
        _source(
            name=SOURCE_NAME,
            url=SOURCE_URL,
            kind=f"{SCRIPT} | cella",
            country=BREAKER,
            notes=f"Note\n# Titolo\n{SCRIPT}",
        ),
        "sources/it.sputniknews.com/index.html",
        title=SOURCE_NAME,
        shows=(SOURCE_NAME, SOURCE_URL, f"{SCRIPT} | cella", BREAKER, f"Note # Titolo {SCRIPT}"),
        attributes=((f'//a[text()="{SOURCE_URL}"]', "href", SOURCE_URL),),
    ),
    "sources-index": Rendered(
        _source(name=SOURCE_NAME, kind=f"{SCRIPT} | cella"),
        "sources/index.html",
        shows=(SOURCE_NAME, f"{SCRIPT} | cella"),
    ),
    "source-name-in-article": Rendered(
        _source(name=SOURCE_NAME),
        f"articles/{SPUTNIK}/index.html",
        shows=(SOURCE_NAME,),
        attributes=(('//meta[@name="citation_publisher"]', "content", SOURCE_NAME),),
    ),
    "page-raw-html": Rendered(
        write("pages/ostile.md", PAGE_BODY),
        "pages/ostile/index.html",
        title="Pagina ostile",
        shows=("Pagina ostile", "Testo sicuro.", "un link", "un altro"),
    ),
    "page-front-matter-title": Rendered(
        write(
            "pages/titolo.md",
            f"---\ntitle: '{SCRIPT}'\ndescription: '{BREAKER.replace(chr(39), chr(39) * 2)}'\n"
            f"author: '{SCRIPT}'\n---\n# Titolo\n\nTesto.\n",
        ),
        "pages/titolo/index.html",
        title=SCRIPT,
        attributes=(('//meta[@name="description"]', "content", BREAKER),),
    ),
    "page-image": Rendered(
        lambda content: (
            write("pages/foto.png", PNG)(content),
            write("pages/foto.md", "# Foto\n\n![una foto](foto.png){ onload=alert(1) }\n")(content),
        ),
        "pages/foto/index.html",
        attributes=(("//img[@alt='una foto']", "src", "../foto.png"),),
    ),
}


# --- running a case -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of its own (mkdocs.yml, the theme; its own cache and lock) and a content
    folder with the two seed articles, built once into ``site-before`` (what a failed build
    must leave intact)."""
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "theme").symlink_to(ROOT / "theme")
    content = empty_content(folder)
    registry = content / "entities.yml"  # a few entities: a site of a few pages, built fast
    entities = yaml.safe_load(registry.read_text("utf-8"))[:ENTITIES]
    registry.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), "utf-8")
    import_seeds(content)
    assert run_cli("build", folder, content, folder / "site-before") == 0
    return folder


def run_cli(command: str, project: Path, content: Path, site: Path | None = None) -> int:
    args = [command, "--content", str(content)]
    if command == "check":
        args.append("--strict")
    else:
        args += ["--config", str(project / "mkdocs.yml"), "--site", str(site)]
    return main(args)


def case_content(project: Path, tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(project / "content", content, symlinks=True)
    return content


@pytest.mark.parametrize("case", list(REJECTED.values()), ids=list(REJECTED))
def test_rejected(
    case: Rejected, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = case_content(project, tmp_path)
    case.mutate(content)
    before = snapshot(content)
    named = str(content / case.file)
    if case.at is not None:
        named += f":{line_of(content, case.file, case.at)}:"

    assert run_cli("check", project, content) != 0
    errors = capsys.readouterr().err.splitlines()
    ours = [line for line in errors if line.startswith(named)]
    assert ours, f"no error naming {named}:\n" + "\n".join(errors)
    assert any(case.words in line for line in ours), "\n".join(ours)

    site = tmp_path / "site"
    shutil.copytree(project / "site-before", site)
    site_before = snapshot(site)
    assert run_cli("build", project, content, site) != 0
    errors = capsys.readouterr().err.splitlines()
    assert any(line.removeprefix("error: ").startswith(named) for line in errors), "\n".join(errors)
    assert snapshot(site) == site_before, "a refused build changed the site"
    assert snapshot(content) == before, "content/ changed"


def text_of(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("case", list(RENDERED.values()), ids=list(RENDERED))
def test_rendered_literally(
    case: Rendered, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = case_content(project, tmp_path)
    case.mutate(content)
    before = snapshot(content)
    assert run_cli("check", project, content) == 0, capsys.readouterr().err

    site = tmp_path / "site"
    assert run_cli("build", project, content, site) == 0, capsys.readouterr().err
    assert snapshot(content) == before, "content/ changed"
    built = parse_site(site)
    unsafe = [
        f"{p.path}: {found}" for p in built.pages.values() for found in nothing_executable(built, p)
    ]
    assert not unsafe, "\n".join(unsafe)
    assert case.page in built.pages, f"{case.page} was not built"
    tree = built.pages[case.page].tree
    headings = tree.findall(".//h1")
    assert len(headings) == 1, [text_of(h) for h in headings]
    if case.title is not None:
        assert text_of(tree.find(".//title")).startswith(" ".join(case.title.split()) + " - ")
    page_text = text_of(tree.find(".//article"))
    for shown in case.shows:
        assert " ".join(shown.split()) in page_text, (shown, page_text[:2000])
    for xpath, attribute, value in case.attributes:
        found = tree.xpath(xpath)
        assert found, f"nothing at {xpath}"
        assert found[0].get(attribute) == value


# --- the file kinds, one by one -----------------------------------------------------------

ALLOWED = [
    ("sources.yml", b""),
    ("entities.yml", b""),
    ("README.md", b""),
    ("articles/x.md", b""),
    ("raw/x.txt", b""),
    ("raw/x.text", b""),
    ("raw/x.html", b"<html>"),
    ("raw/x.HTM", b"<html>"),
    ("annotations/x/y.yml", b""),
    ("pages/about.md", b""),
    ("pages/sub/about.md", b""),
    ("pages/a.png", PNG),
    ("pages/a.jpg", b"\xff\xd8\xff\xe0"),
    ("pages/a.jpeg", b"\xff\xd8\xff\xdb"),
    ("pages/a.gif", b"GIF89a"),
    ("pages/a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
    (".gitkeep", b""),
    ("articles/.gitkeep", b""),
]
REFUSED = [
    ("mkdocs.yml", b""),
    ("articles/x.txt", b""),
    ("articles/x.md.html", b""),
    ("raw/x.svg", b"<svg>"),
    ("raw/sub/x.txt", b""),
    ("annotations/x/y.json", b""),
    ("pages/a.svg", b"<svg>"),
    ("pages/a.png", b"GIF89a"),
    ("pages/a.gif", b"<html>"),
    ("pages/a.pdf", b"%PDF"),
    ("other/x.md", b""),
]


@pytest.mark.parametrize(("relative", "head"), ALLOWED)
def test_allowed_kinds(relative: str, head: bytes) -> None:
    assert content_kind_problem(relative, head) is None


@pytest.mark.parametrize(("relative", "head"), REFUSED)
def test_refused_kinds(relative: str, head: bytes) -> None:
    assert content_kind_problem(relative, head)
