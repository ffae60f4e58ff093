"""Incremental builds: only what changed is rendered again, and the live site is never
written in place (the new site starts as hard links to it)."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

from conftest import ROOT, make_article
from generator import archive, clusters
from generator.build import build_site, serve_site
from generator.model import Article
from generator.plugin import PostillaPlugin

SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
BLOG = "isis-ha-iniziato-il-trasferimento-dei-suoi-quartier-generali-dalla-loro"


def test_incremental_builds(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    config, content, site = folder / "mkdocs.yml", folder / "content", folder / "site"

    def build() -> int:
        return build_site(config, content, site, progress=False).pages

    full = build()
    assert full > 50
    assert build() == 0  # nothing changed: nothing rendered

    page = site / "articles" / SPUTNIK / "index.html"
    before = page.read_text("utf-8")
    os.link(page, tmp_path / "old-page.html")  # the live site's file, as a reader has it
    article = content / "articles" / f"{SPUTNIK}.md"
    article.write_text(
        article.read_text("utf-8").replace("Secondo quanto riferito", "Secondo quanto scritto"),
        "utf-8",
    )
    rendered = build()
    assert 0 < rendered < full / 4
    assert "Secondo quanto scritto" in page.read_text("utf-8")
    # The downloads hold the edit too (other articles' lines come from the cache).
    for download in ("archive.jsonl.gz", "archive.csv.gz"):
        data = gzip.decompress((site / "downloads" / download).read_bytes()).decode("utf-8")
        assert "Secondo quanto scritto" in data and "Secondo quanto riferito" not in data
        assert BLOG in data
    assert (tmp_path / "old-page.html").read_text("utf-8") == before  # not written in place

    note = next((content / "annotations" / BLOG).glob("*si-stima*.yml"))
    note.write_text(
        note.read_text("utf-8").replace(
            "Chi ha fatto questa stima?", "Chi ha fatto davvero questa stima?"
        ),
        "utf-8",
    )
    assert 0 < build() < full / 4
    assert "Chi ha fatto davvero questa stima?" in (
        site / "articles" / BLOG / "index.html"
    ).read_text("utf-8")

    shutil.rmtree(content / "annotations" / BLOG)
    (content / "articles" / f"{BLOG}.md").unlink()
    (content / "raw" / f"{BLOG}.txt").unlink()
    build()
    assert not (site / "articles" / BLOG / "index.html").exists()  # a removed article's page goes
    assert BLOG not in (site / "index.html").read_text("utf-8")

    strict = build_site(config, content, site, strict=True, progress=False)
    pages = sum(1 for _ in site.rglob("index.html"))
    assert strict.pages == pages > full / 2  # a strict build is always a full one


def test_serve_shows_an_edit_after_rendering_only_what_changed(tmp_path: Path) -> None:
    """`postilla serve`: an edited article is on the page after a rebuild that renders
    that page and the ones listing it, not the whole site."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    content = folder / "content"
    rendered: list[str] = []
    original = PostillaPlugin.on_page_content

    def counting(self: PostillaPlugin, html: str, **kwargs: Any) -> str:
        rendered.append(kwargs["page"].file.src_uri)
        return original(self, html, **kwargs)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}/postilla/articles/{SPUTNIK}/"

    def page() -> str:
        try:
            with urllib.request.urlopen(address, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    def wait_for(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, f"serve: {what} did not happen within 60 s"
            time.sleep(0.2)

    with patch.object(PostillaPlugin, "on_page_content", counting):
        server = threading.Thread(
            target=serve_site,
            args=(folder / "mkdocs.yml", content, f"127.0.0.1:{port}"),
            daemon=True,
        )
        server.start()
        wait_for(lambda: "Secondo quanto riferito" in page(), "the first build")
        full = len(rendered)
        rendered.clear()
        article = content / "articles" / f"{SPUTNIK}.md"
        article.write_text(
            article.read_text("utf-8").replace("Secondo quanto riferito", "Secondo quanto scritto"),
            "utf-8",
        )
        wait_for(lambda: "Secondo quanto scritto" in page(), "the rebuild")
    assert f"articles/{SPUTNIK}.md" in rendered
    assert 0 < len(rendered) < full / 4, (len(rendered), full)


def test_the_old_site_goes_and_a_leftover_goes_at_the_next_build(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    site = folder / "site"
    build_site(ROOT / "mkdocs.yml", folder / "content", site, progress=False)
    build_site(ROOT / "mkdocs.yml", folder / "content", site, progress=False)  # swaps
    deadline = time.monotonic() + 30
    while list(folder.glob(".site.old-*")):  # deleted in the background
        assert time.monotonic() < deadline, "the old site was not deleted"
        time.sleep(0.1)
    leftover = folder / ".site.old-1"  # a deletion the machine did not finish
    (leftover / "articles").mkdir(parents=True)
    build_site(ROOT / "mkdocs.yml", folder / "content", site, progress=False)
    assert not leftover.exists()
    assert not list(folder.glob(".site.building-*"))
    assert (site / "index.html").is_file()


def test_entity_pages_follow_an_edited_title(tmp_path: Path) -> None:
    """Entity pages come from the cache while the articles naming the entity are unchanged,
    and are made again when one of them changes."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    content, site = folder / "content", folder / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    pakistan = site / "entities" / "pakistan" / "index.html"
    assert "WP: Pakistan aiuta i talebani" in pakistan.read_text("utf-8")
    article = content / "articles" / f"{SPUTNIK}.md"
    article.write_text(
        article.read_text("utf-8").replace(
            "title: 'WP: Pakistan aiuta i talebani", "title: 'WP: il Pakistan aiuta i talebani"
        ),
        "utf-8",
    )
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    assert "WP: il Pakistan aiuta i talebani" in pakistan.read_text("utf-8")


def test_a_new_article_renders_only_the_pages_that_show_it(tmp_path: Path) -> None:
    """Adding an article that names no registered entity renders its own page and the
    listings that list it (home, archive, its source and author), not the other articles'
    pages, the entity pages or the hand-written pages."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "content", folder / "content")
    content, site = folder / "content", folder / "site"
    build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    article = make_article(
        "2026-11-20-una-nota-senza-nomi",
        "Una breve nota di redazione, senza alcun nome proprio registrato.",
        title="Una nota senza nomi",
        date="2026-11-20",
        author="Paola Neri",
        url="https://example.org/nota",
        raw="raw/2026-11-20-una-nota-senza-nomi.txt",
        raw_name="nota.txt",
    )
    (content / "articles" / f"{article.id}.md").write_text(
        archive.article_to_text(article), "utf-8"
    )
    (content / "raw" / "2026-11-20-una-nota-senza-nomi.txt").write_text(
        "Una breve nota di redazione, senza alcun nome proprio registrato.\n", "utf-8"
    )
    rendered: list[str] = []
    original = PostillaPlugin.on_page_content

    def counting(self: PostillaPlugin, html: str, **kwargs: Any) -> str:
        rendered.append(kwargs["page"].file.src_uri)
        return original(self, html, **kwargs)

    with patch.object(PostillaPlugin, "on_page_content", counting):
        result = build_site(ROOT / "mkdocs.yml", content, site, progress=False)
    assert result.pages == len(rendered)
    assert f"articles/{article.id}.md" in rendered
    assert {"index.md", "archive/index.md", "archive/2026.md"} <= set(rendered)
    assert f"articles/{SPUTNIK}.md" not in rendered and f"articles/{BLOG}.md" not in rendered
    assert not [page for page in rendered if page.startswith(("entities/", "pages/"))]
    assert "Una nota senza nomi" in (site / "index.html").read_text("utf-8")


def test_clusters_of_unchanged_bodies_come_from_the_cache(tmp_path: Path) -> None:
    """A build that changed no article's text takes the clusters from the build cache
    (LSH is not run over every signature again, and the signature table is not opened);
    a changed body, id or date clusters again."""
    from generator.cache import Cache

    text = " ".join(f"parola{n}" for n in range(120))
    articles = [
        make_article("a", text, "Prima agenzia.", date="2024-01-02"),
        make_article("b", text, "Seconda agenzia.", date="2024-01-01"),
        make_article("c", " ".join(f"altro{n}" for n in range(120))),
    ]

    def plugin_with(cache: Cache) -> PostillaPlugin:
        plugin = PostillaPlugin()
        plugin.cache = cache
        return plugin

    first_cache = Cache(tmp_path / "cache")
    first = plugin_with(first_cache).republication_clusters(articles)
    assert [c.members for c in first] == [("b", "a")]  # earliest first
    first_cache.save()
    warm = Cache(tmp_path / "cache")
    with patch.object(clusters, "near_pairs", side_effect=AssertionError("clustered again")):
        assert plugin_with(warm).republication_clusters(articles) == first
    assert "minhash" not in warm._values  # the signatures were not even read
    redated = [articles[0], replace(articles[1], date="2024-01-03"), articles[2]]
    again = plugin_with(Cache(tmp_path / "cache")).republication_clusters(redated)
    assert [c.members for c in again] == [("a", "b")]
    rewritten = [articles[0], replace(articles[1], paragraphs=("altro testo " * 60,)), articles[2]]
    assert plugin_with(Cache(tmp_path / "cache")).republication_clusters(rewritten) == ()


def test_republication_checks_are_remembered() -> None:
    """A pair of bodies compared once is not compared again (the plugin keeps the answer
    by the bodies' hashes): the clusters come from the remembered answers."""
    text = " ".join(f"parola{n}" for n in range(120))
    articles = [
        make_article("a", text, "Prima agenzia."),
        make_article("b", text, "Seconda agenzia."),
        make_article("c", " ".join(f"altro{n}" for n in range(120))),
    ]
    answers: dict[tuple[str, str], bool] = {}
    checks: list[tuple[str, str]] = []

    def remembered(one: Article, other: Article, check: Callable[[], bool]) -> bool:
        if (one.id, other.id) not in answers:
            checks.append((one.id, other.id))
            answers[(one.id, other.id)] = check()
        return answers[(one.id, other.id)]

    first = clusters.find_clusters(articles, similar=remembered)
    assert [c.members for c in first] == [("a", "b")] and checks == [("a", "b")]
    assert clusters.find_clusters(articles, similar=remembered) == first
    assert checks == [("a", "b")]  # not compared again
    answers[("a", "b")] = False
    assert clusters.find_clusters(articles, similar=remembered) == ()
