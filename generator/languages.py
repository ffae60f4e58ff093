"""One archive, its interface in several languages (issue 14, F9): Material's language
switch (``extra.alternate`` in ``mkdocs.yml``), with each language built by Postilla.

A maintainer lists the languages as Material documents them::

    extra:
      alternate:
        - {name: Italiano, link: ./, lang: it}   # the site's root, in theme.language
        - {name: English, link: en/, lang: en}   # built by Postilla into site/en/

An entry whose link is the root (``./`` or ``/``) is this site, in ``theme.language``; one
whose link is a folder named like a language tag (``en/``, ``pt-br/``) is a *subsite*:
``postilla build`` builds the same content into that folder with the interface in its
language, inside the same staging folder and the same atomic publish, with its own search
index, feeds and sitemap. An entry with a full address (``https://…``) is another site,
linked as it is. The articles stay as written: only the words around them change.

Material's own switch is not used as it stands: for ``extra.alternate`` its pages carry
``<link rel="alternate">`` to each language's home, and its script fetches the
``sitemap.xml`` of each of them on every page a reader opens (a megabyte each at 10,000
articles) to find the same page in the other language. Here every page knows its
counterpart (the same path under the other language's folder), so the switch links to it
directly, and the head carries one ``hreflang`` link per language to that very page.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import ContentError, Problem

# A subsite's folder: a BCP 47-like language tag in lower case ("en", "pt-br", "zh-hant").
FOLDER = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
ROOT_LINKS = ("./", "/", ".", "")


@dataclass(frozen=True)
class Alternate:
    """One language of the site, as ``extra.alternate`` lists it."""

    name: str  # shown in the switch, in its own language ("English")
    lang: str  # the interface's language, theme.language of its build
    folder: str | None  # "" the site's root; "en" a subsite; None another site's address
    link: str  # as written in mkdocs.yml


def read_alternates(
    value: object, root_language: str, config_file: Path | str
) -> list[Alternate] | None:
    """`extra.alternate` as Alternates; None when it is not set. ContentError naming
    `config_file` and the entry's line for an entry Postilla cannot build: not a mapping
    of ``name``, ``lang`` and ``link``, a link that is neither the root, a language
    folder nor a web address, a root in another language than `root_language`, or two
    entries for one folder."""
    if value is None:
        return None
    text = _read(config_file)
    if not isinstance(value, list) or not value:
        raise _error(config_file, text, "alternate:", "extra.alternate must be a list of"
                     " languages, each with name, link and lang")  # fmt: skip
    alternates = [_alternate(entry, root_language, config_file, text) for entry in value]
    seen: set[str] = set()
    for alternate in alternates:
        if alternate.folder is None:
            continue
        if alternate.folder in seen:
            raise _error(config_file, text, alternate.link,
                         f"extra.alternate lists the link {alternate.link!r} twice")  # fmt: skip
        seen.add(alternate.folder)
    if "" not in seen:
        alternates.insert(0, Alternate(root_language, root_language, "", "./"))
    return alternates


def _alternate(entry: object, root_language: str, config_file: Path | str, text: str) -> Alternate:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) and entry[key].strip() for key in ("name", "link", "lang")
    ):
        raise _error(config_file, text, "alternate:", "each entry of extra.alternate needs"
                     f" a name, a link and a lang (text): {entry!r}")  # fmt: skip
    name, link, lang = (" ".join(str(entry[key]).split()) for key in ("name", "link", "lang"))
    if link in ROOT_LINKS:
        if lang.lower() != root_language.lower():
            raise _error(config_file, text, link,
                         f"extra.alternate: the site's root ({link!r}) is built in"
                         f" theme.language {root_language!r}, not {lang!r} — set its lang"
                         f" to {root_language!r}, or change theme.language")  # fmt: skip
        return Alternate(name, root_language, "", link)
    if re.match(r"https?://", link):
        return Alternate(name, lang, None, link)
    folder = link.removeprefix("./").removeprefix("/").removesuffix("/")
    if not FOLDER.fullmatch(folder):
        raise _error(config_file, text, link,
                     f"extra.alternate: link {link!r} is neither the site's root ('./'), a"
                     " language folder ('en/', 'pt-br/') nor a web address (https://…)")  # fmt: skip
    return Alternate(name, lang, folder, link)


def subsites(alternates: Sequence[Alternate] | None) -> list[Alternate]:
    """The languages Postilla builds into a folder of the site, in their listed order."""
    return [a for a in alternates or () if a.folder]


def subsite_url(site_url: str | None, folder: str) -> str | None:
    """The public address of the subsite in `folder`: the site's, with the folder."""
    return f"{site_url.rstrip('/')}/{folder}/" if site_url else None


def root_url(site_url: str | None, this: Alternate) -> str | None:
    """The site's root address, from the address of the build of `this` language."""
    if not site_url or not this.folder:
        return site_url
    suffix = f"/{this.folder}/"
    address = site_url if site_url.endswith("/") else site_url + "/"
    return address[: -len(suffix) + 1] if address.endswith(suffix) else None


def switch(
    alternates: Sequence[Alternate], this: Alternate, site_root: str | None
) -> list[dict[str, object]]:
    """The language switch of the build of `this`, for the theme: for each language, its
    name and tag, the path from this build's root to that language's root (``root``: a
    page adds its own path), its absolute root when the site's address is known
    (``base``), whether it is this build (``current``) and whether it is another site
    (``external``: linked as it is, never page by page)."""
    up = "../" if this.folder else ""
    entries: list[dict[str, object]] = []
    for alternate in alternates:
        if alternate.folder is None:
            entries.append({"name": alternate.name, "lang": alternate.lang, "root": alternate.link,
                            "base": alternate.link, "current": False, "external": True})  # fmt: skip
            continue
        below = f"{alternate.folder}/" if alternate.folder else ""
        base = f"{site_root.rstrip('/')}/{below}" if site_root else None
        entries.append({"name": alternate.name, "lang": alternate.lang, "root": up + below,
                        "base": base, "current": alternate.folder == this.folder,
                        "external": False})  # fmt: skip
    return entries


def page_link(base_url: str, root: str, page_url: str) -> str:
    """The address of the same page in another language, from a page whose path to this
    build's root is `base_url` (MkDocs': ``..``, ``.``, or ``/site/`` on the 404 page):
    that language's `root` from this build's root (``../``, ``en/``), then the page's own
    path. ``..`` and ``.`` are resolved: ``..``, ``../``, ``archive/`` -> ``../../archive/``."""
    joined = posixpath.join(base_url or ".", root, page_url)
    folder = joined.endswith("/") or not page_url
    link = posixpath.normpath(joined)
    if link == ".":
        return "./"
    return link + "/" if folder and not link.endswith("/") else link


def _read(config_file: Path | str) -> str:
    try:
        return Path(config_file).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _error(config_file: Path | str, text: str, needle: str, message: str) -> ContentError:
    """A ContentError at the first line of the configuration under ``extra:`` that holds
    `needle` (the entry's link), else at ``alternate:``."""
    line = _line_of(text, needle) or _line_of(text, "alternate:")
    return ContentError(Problem(str(config_file), line, message))


def _line_of(text: str, needle: str) -> int | None:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("extra:")), 0)
    for number, line in enumerate(lines[start:], start + 1):
        if needle and needle in line.split("#", 1)[0]:
            return number
    return None
