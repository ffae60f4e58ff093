"""Every page of every build is valid HTML: the Nu HTML Checker over two whole sites.

The checker (``vnu.jar``, npm's ``vnu-jar``, installed by ``scripts/test`` with ``npm ci``)
reads every ``.html`` file of the shipped archive (``shipped_site``) and of the corpus
archive (``corpus_site``) in a single Java run (it is slow to start). Every error it reports
fails the test, named by page, line and message, unless it is one of Material for MkDocs'
own known messages (``MATERIAL``): those are checked, in the same run, to appear on a tiny
plain Material site built here without Postilla, so the allow-list cannot hide an error of
Postilla's. A page with a known Postilla-made error is checked too, to prove the checker and
the classification catch one.

Without Java or ``node_modules/vnu-jar`` the test is skipped, except in CI (``CI`` set),
where it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class Known:
    """A message of Material's templates, recognised by its text and the markup it quotes."""

    message: str  # a regular expression over the checker's message
    extract: str  # a regular expression over the markup the checker quotes
    why: str


# Material's own errors, present on a plain Material site (``material_site`` below proves it).
MATERIAL = (
    # base.html: the drawer and search toggles are checkboxes with autocomplete="off" (so that
    # Firefox does not restore their state on reload); HTML allows autocomplete on text-like
    # inputs only. Every page has both.
    Known(
        r"^Attribute “autocomplete” is only allowed when the input type is",
        r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox"'
        r' id="__(drawer|search)" autocomplete="off">',
        "Material's drawer/search toggles (base.html)",
    ),
    # partials/toc.html writes <label for="__toc"> on every page with a table of contents,
    # but the __toc checkbox only in nav-item.html, for a page that is in the navigation.
    # Articles, sources and entities are out of the nav on purpose (a nav of every article
    # would put the whole archive on every page), so their table-of-contents title points
    # nowhere.
    Known(
        r"^The value of the “for” attribute of the “label” element must be the ID of a"
        r" non-hidden form control\.$",
        r'<label class="md-nav__title" for="__toc">',
        "Material's table-of-contents title on a page outside the nav (partials/toc.html)",
    ),
)

# A page with an error of the kind Postilla could make (two elements with one id), checked
# in the same run: the test proves it is reported as Postilla's.
DEFECT = """<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Difetto</title></head>
<body><p class="postilla-meta" id="uno">a</p><p class="postilla-meta" id="uno">b</p></body>
</html>
"""

# A plain Material site (no Postilla: no custom_dir, no postilla plugin), with the theme
# settings of mkdocs.yml, Material's search box and a page of each shape Postilla makes: in
# the nav, without sub-headings, and outside the nav with a table of contents. The
# accessibility checks use it as their baseline too.
PLAIN_CONFIG = """site_name: Plain Material
site_url: https://example.github.io/plain/
repo_url: https://github.com/example/plain
theme:
  name: material
  language: it
  font: false
  features: [navigation.tabs, navigation.top, content.code.copy]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/brightness-7, name: Passa al tema scuro}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/brightness-4, name: Passa al tema chiaro}
plugins: [search]  # Material's own search box, for the accessibility checks' baseline
nav: [index.md, flat.md]
markdown_extensions: [toc, tables, admonition, attr_list]
"""
PLAIN_PAGES = {
    "index.md": "# Home\n\n## Una sezione\n\nTesto.\n",
    "flat.md": "# Senza sezioni\n\nTesto.\n",
    "outside.md": "# Fuori dal menu\n\n## Una sezione\n\nTesto.\n",
}


def _cannot_run(reason: str) -> None:
    """Skip on a developer's machine; in CI the checks must run, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} — CI is set, so the HTML checks may not be skipped", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Message:
    page: str  # "<site>/<path inside the site>"
    line: int
    column: int
    text: str
    extract: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}:{self.column}: {self.text}"

    def known(self) -> Known | None:
        """The entry of MATERIAL this message is, if any."""
        for entry in MATERIAL:
            if re.search(entry.message, self.text) and re.search(entry.extract, self.extract):
                return entry
        return None


@dataclass(frozen=True)
class Report:
    pages: dict[str, int]  # site name → HTML pages checked
    errors: dict[str, list[Message]]  # site name → every error
    warnings: dict[str, list[Message]]


@pytest.fixture(scope="module")
def material_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plain Material site, built with MkDocs (the baseline of Material's own errors)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = tmp_path_factory.mktemp("plain-material")
    (folder / "docs").mkdir()
    for name, text in PLAIN_PAGES.items():
        (folder / "docs" / name).write_text(text, "utf-8")
    (folder / "mkdocs.yml").write_text(PLAIN_CONFIG, "utf-8")
    config = load_config(str(folder / "mkdocs.yml"), site_dir=str(folder / "site"))
    build(config)
    return folder / "site"


@pytest.fixture(scope="module")
def report(
    shipped_site: Path,
    corpus_site: Path,
    material_site: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Report:
    """One run of the checker over every site, the baseline and the defect page."""
    java = shutil.which("java")
    if java is None:
        _cannot_run("java not found (apt-get install default-jre-headless)")
    if not VNU.is_file():
        _cannot_run(f"{VNU.relative_to(ROOT)} not found (npm ci)")
    defect = tmp_path_factory.mktemp("defect") / "defect.html"
    defect.write_text(DEFECT, "utf-8")
    sites = {
        "shipped": shipped_site,
        "corpus": corpus_site,
        "material": material_site,
        "defect": defect.parent,
    }
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--skip-non-html", "--exit-zero-always"]
        + ["--stdout", *map(str, sites.values())],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, f"the checker failed ({run.returncode}): {run.stderr[-2000:]}"
    where = {site.resolve().as_uri().removeprefix("file://"): name for name, site in sites.items()}
    errors: dict[str, list[Message]] = {name: [] for name in sites}
    warnings: dict[str, list[Message]] = {name: [] for name in sites}
    for item in json.loads(run.stdout)["messages"]:
        url = item.get("url", "").removeprefix("file:")
        name, page = next(
            ((n, url[len(p) :]) for p, n in where.items() if url.startswith(p)), ("", url)
        )
        message = Message(
            page=f"{name}{page}",
            line=item.get("lastLine", 0),
            column=item.get("firstColumn", item.get("lastColumn", 0)),
            text=item.get("message", ""),
            extract=item.get("extract", ""),
        )
        # Anything that is neither an error nor a warning (a page the checker could not
        # read is a "non-document-error") must fail too: it means a page went unchecked.
        kind = item.get("type")
        assert name and kind in ("error", "info"), f"the checker could not check: {item}"
        (errors if kind == "error" else warnings)[name].append(message)
    pages = {name: sum(1 for _ in site.rglob("*.html")) for name, site in sites.items()}
    return Report(pages=pages, errors=errors, warnings=warnings)


def _figures(report: Report, name: str) -> str:
    errors = report.errors[name]
    material = sum(1 for m in errors if m.known())
    return (
        f"{name}: {report.pages[name]} pages, {len(errors)} errors"
        f" ({material} Material's, {len(errors) - material} Postilla's),"
        f" {len(report.warnings[name])} warnings"
    )


@pytest.mark.parametrize("name", ["shipped", "corpus"])
def test_every_page_is_valid_html(report: Report, name: str) -> None:
    assert report.pages[name] > 0
    print(_figures(report, name))  # the counts, shown with -s or -rA
    postilla = [m for m in report.errors[name] if m.known() is None]
    assert postilla == [], f"{len(postilla)} HTML errors in Postilla's pages:\n" + "\n".join(
        map(str, postilla)
    )


def test_the_allowed_errors_are_materials_own(report: Report) -> None:
    """Each allow-listed message appears on the plain Material site, and that site has no
    error the list does not describe: the list is exactly Material's baseline."""
    baseline = report.errors["material"]
    print(_figures(report, "material"))
    seen = Counter(m.known() for m in baseline)
    unexplained = [str(m) for m in baseline if m.known() is None]
    assert unexplained == [], "Material errors the allow-list does not describe"
    missing = [entry.why for entry in MATERIAL if seen[entry] == 0]
    assert missing == [], "allow-listed, but not on a plain Material site (remove them)"


def test_the_checker_catches_an_error_of_postillas(report: Report) -> None:
    caught = [m for m in report.errors["defect"] if m.known() is None]
    assert any("Duplicate ID “uno”" in m.text for m in caught), report.errors["defect"]
