"""The MkDocs plugin: thin event handlers around the stages.

Declared in ``mkdocs.yml`` (``plugins: [postilla]``), so plain ``mkdocs build``,
``mkdocs serve`` and ``mkdocs gh-deploy`` build the archive too. ``docs_dir`` is
the content folder: article files are MkDocs pages and raw files are copied as
they are; everything else the site shows is generated here in memory.

Order of events, and why: ``on_files`` loads and validates the whole archive
first (listing pages and, later, entity pages need every article), then adds the
generated pages; ``on_page_markdown`` swaps an article's stored Markdown for a
placeholder, and ``on_post_page`` puts the article HTML in its place in the finished
page, so no Markdown extension ever reads the article text, and MkDocs never holds the
HTML of every article at once.
"""

from __future__ import annotations

import html
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from functools import partial
from itertools import chain
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from . import (
    __version__,
    citations,
    clusters,
    entities,
    export,
    feeds,
    i18n,
    languages,
    render,
    search,
    site,
)
from . import archive as store
from . import parts as split
from .annotations import (
    ANNOTATIONS,
    ARTICLE_PLACEHOLDER,
    TEMPLATE_FILE,
    AnnotationSet,
    load_annotations,
    template,
)
from .cache import CACHE_DIR, Cache, digest
from .model import Archive, Article, ContentError, Entity, Problem

log = logging.getLogger("mkdocs.plugins.postilla")

PLACEHOLDER = "<!-- postilla:article -->"
ARCHIVE_ERRORS = "the archive has errors (`postilla check` lists them all):\n"
NEAR_STATE = "last"  # the one entry of the cache's "near-state" table
# Parts of the content folder that are data, not pages of the site.
NOT_PUBLISHED = (store.SOURCES, store.ENTITIES, store.ANNOTATIONS + "/")


class PostillaConfig(Config):
    """Options of the ``postilla`` plugin in ``mkdocs.yml``."""

    language = c.Optional(c.Type(str))
    """Language of generated pages; defaults to ``theme.language``, else English."""
    search = c.Type(bool, default=True)
    """Index the built site with Pagefind and show its search box in the header."""
    cache = c.Type(bool, default=True)
    """Keep parsed articles and entity links in ``.postilla-cache/`` next to mkdocs.yml."""
    parts = c.Optional(c.Choice(split.SCHEMES))
    """Split the archive into parts, by ``year`` or by ``source``, each built on its own
    (``postilla build --part KEY``) and put together by ``postilla assemble`` (parts.py);
    by default the archive is one site."""


class PostillaPlugin(BasePlugin[PostillaConfig]):
    """Builds the archive's pages from the content folder (MkDocs' ``docs_dir``)."""

    def __init__(self) -> None:
        self.archive: Archive | None = None
        self.articles: dict[str, Article] = {}
        self.problems: list[Problem] = []
        self.failure: str | None = None  # why the search index failed, said by `postilla build`
        # Seconds spent per stage of the last build, for `postilla build` and the benchmarks.
        self.timings: dict[str, float] = {}
        self.cache = Cache(None)
        # Incremental builds: the fingerprints of the previous build (set by `postilla
        # build` when the previous site can be reused), and this build's.
        self.previous: dict[str, str] | None = None
        self.keep_previous = False
        self.serving = False  # `postilla serve` (MkDocs' server): the root language only
        self.fingerprints: dict[str, str] = {}
        self.files: Files | None = None
        self.mkdocs_started = 0.0
        self.index: entities.EntityIndex | None = None
        self.notes = AnnotationSet()
        self.notes_of: dict[str, list] = {}
        self.by_id: dict[str, Article] = {}
        self.related: dict[str, list[str]] = {}
        self.cluster_of: dict[str, clusters.Cluster] = {}  # republished text (F6)
        self.blocks: dict[str, tuple[str, ...]] = {}  # generated page -> its listings' HTML
        self.search_index: search.SearchIndex | None = None  # Pagefind, running meanwhile
        self.repo_url: str | None = None
        self.branch = "main"
        self.content_path = "content"
        self.language = "en"
        # The interface language this build is for, when `postilla build` builds the site
        # in another language into a folder (``extra.alternate``, `languages`); None for
        # the site's root. The articles' own language is the root's (`content_language`).
        self.subsite: languages.Alternate | None = None
        self.content_language = "en"
        self.progress_step: Callable[[], None] | None = (
            None  # progress reporting, set by `postilla build`
        )
        self.progress_total: Callable[[int], None] | None = None
        # One build of a project at a time: `postilla build` holds the project's lock for
        # its whole run (and says so here); otherwise each build (`postilla serve`'s
        # rebuilds, plain `mkdocs build`) takes it from on_pre_build to its end.
        # The site's name, address and use_directory_urls, for citations (permalinks).
        self.site_address: tuple[str, str | None, bool] = ("", None, True)
        self.cite_keys: dict[str, tuple[str, citations.ToCite]] = {}  # by article id
        self.lock_held_by_caller = False
        self.build_lock: ExitStack | None = None
        # Parts (parts.py), set by `postilla build --part` / `postilla assemble`: the one
        # part this build makes, or the built parts the top-level site is assembled over.
        self.part: str | None = None
        self.assembly: list[split.PartRecord] | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup makes MkDocs keep this plugin between the rebuilds of
        # `serve`: with --dirty, each rebuild starts from the previous one's fingerprints.
        self.keep_previous = command == "serve" and dirty
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.timings = {}
        if self.keep_previous and self.fingerprints:
            self.previous = self.fingerprints
        theme_language = config.theme.get("language") if config.theme else None
        self.language = self.config.language or theme_language or "en"
        self.content_language = theme_language or "en"
        self.set_languages(config)
        config.extra["postilla_search"] = self.config.search
        words = i18n.strings(self.language)
        config.extra["postilla_filters"] = {
            name: words[f"filter_{name}"] for name in ("source", "year", "entity", "annotation")
        }
        config.extra["postilla_filters_label"] = words["filters"]
        config.extra["postilla_not_found"] = {
            key: words[key] for key in ("not_found", "not_found_text", "not_found_home")
        }
        # The interface in the build's language (issue 14, F9): the titles of Postilla's
        # pages in the navigation and the theme toggle's names, where they are Postilla's.
        config.nav = i18n.nav_titles(config.nav, self.language)
        if config.theme and config.theme.get("palette"):
            config.theme["palette"] = i18n.palette_names(config.theme["palette"], self.language)
        self.repo_url = config.repo_url
        edit = (config.edit_uri or "").strip("/").split("/")
        self.branch = edit[1] if len(edit) > 1 and edit[0] in ("edit", "blob", "tree") else "main"
        config_dir = Path(config.config_file_path or ".").parent.resolve()
        try:
            self.content_path = Path(config.docs_dir).resolve().relative_to(config_dir).as_posix()
        except ValueError:
            self.content_path = Path(config.docs_dir).name
        return config

    def set_languages(self, config: MkDocsConfig) -> None:
        """The language switch (``extra.alternate``, `languages`): Material's own is turned
        off (its script fetches every language's sitemap on each page) and Postilla's
        theme shows one linking each page to the same page in the other languages. In a
        subsite's build the interface, and Material's, are in the subsite's language."""
        try:
            alternates = languages.read_alternates(
                config.extra.get("alternate"), self.content_language, config.config_file_path or ""
            )
        except ContentError as error:
            raise PluginError(str(error)) from None
        config.extra["alternate"] = None
        config.extra["postilla_languages"] = None
        if alternates is None or self.part is not None or self.assembly is not None:
            return  # parts of a split archive are in the site's language only
        if self.serving:
            return  # the server shows the root language only: no switch to what it lacks
        this = self.subsite or next(a for a in alternates if a.folder == "")
        if self.subsite is not None:
            self.language = self.subsite.lang
            config.theme["language"] = self.subsite.lang
        site_root = languages.root_url(config.site_url, this)
        config.extra["postilla_languages"] = languages.switch(alternates, this, site_root)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        env.filters["postilla_language_link"] = languages.page_link  # partials/alternate.html
        return env

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        started = time.perf_counter()
        self.blocks = {}
        content = Path(config.docs_dir)
        config_dir = Path(config.config_file_path or ".").parent
        self.cache = Cache(config_dir / CACHE_DIR) if self.config.cache else Cache(None)
        scheme, wanted = "", None
        if self.part is not None:  # only the articles that may be in the part are read
            scheme = split.check_scheme(self.config.parts, str(config.config_file_path))
            wanted = split.may_be_in_part(scheme, self.part)
        elif self.assembly is not None:  # none: the parts hold them (200,000 took 11 GB)
            wanted = split.no_article
        archive, problems = store.load_archive(content, cache=self.cache, wanted=wanted)
        errors = [p for p in problems if p.severity == "error"]
        for problem in problems:
            if problem.severity != "error":
                log.warning(str(problem))
        self.problems = errors
        if errors:
            raise PluginError(ARCHIVE_ERRORS + "\n".join(f"  {p}" for p in errors))
        every_article = {a.id: a for a in archive.articles}
        if self.part is not None:
            archive = split.part_archive(archive, scheme, self.part, "--part", content)
        self.archive = archive
        self.index = entities.index_archive(archive, cache=self.cache)
        if self.part is not None:
            archive = self.archive = split.named_entities_only(archive, self.index)
        self.by_id = {a.id: a for a in archive.articles}
        article_ids = {p.stem for p in store.article_paths(content)} if wanted else None
        self.notes = load_annotations(content, every_article, article_ids=article_ids)
        if self.part is not None or self.assembly is not None:
            self.notes = split.part_notes(self.notes, set(self.by_id))
        self.notes_of = self.notes.by_article()
        self.related = self.related_articles(archive, self.index)
        self.cluster_of = clusters.cluster_of(self.republication_clusters(archive.articles))
        for problem in self.notes.problems:
            # A bad annotation file never stops the build: it is left out, and said so
            # (a strict build, as in the pull-request check, fails on it).
            log.warning(str(problem))
        self.articles = {f"{store.ARTICLES}/{a.id}.md": a for a in archive.articles}
        raw_files = {a.raw for a in archive.articles}
        for file in list(files):
            if file.src_uri.startswith(NOT_PUBLISHED) or file.name.lower() == "readme":
                files.remove(file)
            elif (self.part is not None or self.assembly is not None) and (
                file.src_uri.startswith((store.ARTICLES + "/", store.RAW + "/"))
                and file.src_uri not in self.articles
                and file.src_uri not in raw_files
            ):
                files.remove(file)  # another part's article
            elif (
                file.src_uri.startswith(store.RAW + "/")
                and site.published_raw(file.src_uri) != file.src_uri
            ):
                files.remove(file)
                served = site.published_raw(file.src_uri)
                files.append(
                    File.generated(
                        config, served, content=Path(file.abs_src_path or "").read_bytes()
                    )
                )
        shared = self.global_digest(config)
        article_prints = self.article_prints(shared)
        if self.assembly is not None:
            words = i18n.strings(self.language)
            for path, text in split.assembly_pages(
                self.assembly,
                archive,
                words,
                config.use_directory_urls,
                config.site_name,
                config.site_description,
            ).items():
                files.append(File.generated(config, path, content=text))
            config.extra["postilla_search"] = self.config.search  # over the parts' bundles
        elif self.config.search:
            self.start_search(files, config, article_prints)
        lines_of, compressed = self.export_lines(shared, article_prints)
        for generated in site.generated_files(
            archive,
            config.site_name,
            config.site_description,
            self.language,
            self.index,
            self.notes,
            config.site_url,
            config.use_directory_urls,
            lines_of,
            self.entity_pages(shared, article_prints),
            compressed,
        ):
            if self.part is not None and generated.path == "index.md":  # back to the whole
                generated = split.part_home(generated, config.site_name, config.use_directory_urls)
            if files.get_file_from_path(generated.path) is None:  # a hand-written page wins
                files.append(File.generated(config, generated.path, content=generated.content))
                if generated.blocks:
                    self.blocks[generated.path] = generated.blocks
        # Feeds (Atom, JSON Feed): their files, and which pages link to them (main.html).
        feed_set = feeds.site_feeds(
            archive,
            self.index,
            config.site_name,
            config.site_url,
            self.language,
            config.use_directory_urls,
            log.warning,
            self.feed_texts(shared, article_prints),
        )
        for generated in feed_set.files:
            if files.get_file_from_path(generated.path) is None:
                files.append(File.generated(config, generated.path, content=generated.content))
        config.extra["postilla_feeds"] = feeds.template_links(feed_set.links, self.language)
        # Citations: each article's cite.json and cite.bib (citations.py).
        self.site_address = (config.site_name, config.site_url, config.use_directory_urls)
        self.cite_keys = {}
        self.make_citations(archive.articles)
        for article in archive.articles:
            cited = self.citation_of(article)
            for path, text in (
                (citations.CITE_JSON.format(id=article.id), cited.csl_json),
                (citations.CITE_BIB.format(id=article.id), cited.bibtex),
            ):
                files.append(File.generated(config, path, content=text))
        if self.annotate_url("") and files.get_file_from_path(TEMPLATE_FILE) is None:
            files.append(
                File.generated(
                    config,
                    TEMPLATE_FILE,
                    content=template(ARTICLE_PLACEHOLDER, language=self.language),
                )
            )
        self.files = files
        self.fingerprints = self.fingerprint(files, shared, article_prints)
        if self.previous is not None:
            self.prepare_incremental(files)
        if self.progress_total:
            self.progress_total(len(files.documentation_pages()))
        self.timings["generation"] = time.perf_counter() - started
        self.mkdocs_started = time.perf_counter()
        return files

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        # An article's file was read and validated in on_files; MkDocs need not read it
        # again, nor parse its front matter with a YAML 1.1 loader (which would turn
        # "title: no" into False). Its page is the placeholder, filled in on_page_content.
        return PLACEHOLDER if page.file.src_uri in self.articles else None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        article = self.articles.get(page.file.src_uri)
        if article is None or self.archive is None:
            if not page.file.generated_by:  # a hand-written page: its front matter as text
                page.meta = render.page_front_matter(page.meta)
            return markdown
        page.meta = dict(render.page_meta(article, self.archive.source_for(article.source)))
        return PLACEHOLDER

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.progress_step:
            self.progress_step()
        if not page.file.generated_by and page.file.src_uri not in self.articles:
            own_title(page)
            return render.page_html(html)  # a hand-written page: its HTML sanitised
        return html

    def page_html(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """`output` with the article's HTML, or a generated page's listings, in place of
        their markers."""
        blocks = self.blocks.pop(page.file.src_uri, None)
        if blocks:
            return site.fill_blocks(output, blocks)
        article = self.articles.get(page.file.src_uri)
        if article is None or self.archive is None:
            return output
        started = time.perf_counter()
        source = self.archive.source_for(article.source)
        href = _href_maker(page, config)
        rendered = render.article_page(
            article, source, href, self.language, self.article_links(article, href)
        )
        self.timings["render"] = self.timings.get("render", 0.0) + time.perf_counter() - started
        return output.replace(PLACEHOLDER, rendered, 1)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # MkDocs renders every page's Markdown first and keeps it, then each page's
        # template: the article's HTML (and a listing's) is put in only now, so that it
        # is never held for all pages at once (at 50,000 articles, gigabytes).
        page.markdown, page.content = None, None
        return render.compact_html(self.page_html(output, page, config))

    def related_articles(
        self, archive: Archive, index: entities.EntityIndex
    ) -> dict[str, list[str]]:
        """Each article's related articles. An article's list depends only on its entities'
        candidates and weights (`EntityIndex.related`): it is taken from the cache when
        those are unchanged, as after an edit that names no new entity or after adding an
        article that names none of its entities."""
        state = {  # the weights are rounded (`EntityIndex.weight`): most updates keep them
            entity_id: digest(repr(index.weight(entity_id)), *recent)
            for entity_id, recent in index.recent_of.items()
        }
        related = {}
        for article in archive.articles:
            key = digest(article.id, *(state[e] for e in index.entities_in(article.id)))
            found = self.cache.get("related", key)
            if found is None:
                found = [i for i, _ in index.related(article.id)]
                self.cache.put("related", key, found)
            related[article.id] = found
        return related

    def start_search(self, files: Files, config: MkDocsConfig, prints: dict[str, str]) -> None:
        """Start Pagefind on the articles' search documents: it indexes them on the other
        core while the pages are made and MkDocs renders them (`on_post_build` waits)."""
        assert self.archive is not None
        archive = self.archive
        config_dir = Path(config.config_file_path or ".").parent
        # A subsite's index is its own (its results' dates are in its language), of the
        # same texts in their own language: Pagefind stems them as the root's. A part's
        # shards are kept apart too: building another part must not discard them.
        name = "search" if self.part is None else f"search-part-{self.part}"
        name += f"-{self.subsite.folder}" if self.subsite else ""
        folder = config_dir / CACHE_DIR / name if self.config.cache else None
        theme_language = self.content_language
        documents = self.search_documents(files, theme_language, prints)
        self.failure = None
        if documents:
            # Every word of the documents: the articles', and the entities' names.
            articles = (" ".join((a.title, *a.paragraphs, *a.footnotes)) for a in archive.articles)
            names = (" ".join((e.name, *e.aliases)) for e in archive.entities)
            texts = chain(articles, names)
            self.search_index = search.start_index(
                documents, folder, lambda: search.words_of(texts), theme_language
            )
        config.extra["postilla_search"] = bool(documents)  # no articles, no search box

    def search_documents(
        self, files: Files, site_language: str, prints: dict[str, str]
    ) -> dict[str, dict[str, search.Document]]:
        """Each article's search document, at the path of its page in the site, by shard;
        made only where the article's digest (`prints`) says it changed."""
        assert self.archive is not None
        year_sizes = Counter(a.year for a in self.archive.articles)
        shards: dict[str, dict[str, search.Document]] = {}
        for file in files.documentation_pages():
            article = self.articles.get(file.src_uri)
            if article is not None:
                shard = search.shard_of(article.date, year_sizes[article.year])
                make = partial(self.search_document, article, site_language)
                shards.setdefault(shard, {})[file.dest_uri] = (prints[article.id], make)
        return shards

    def search_document(self, article: Article, site_language: str) -> str:
        assert self.archive is not None and self.index is not None
        links = render.ArticleLinks(
            entities=[(self.index.entities[e], 1) for e in self.index.entities_in(article.id)],
            annotations=self.notes_of.get(article.id, []),
        )
        source = self.archive.source_for(article.source)
        return render.search_document(article, source, self.language, site_language, links)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.lock_held_by_caller or self.build_lock is not None:
            return
        from .locks import hold_lock, lock_timeout, project_lock_path

        held = ExitStack()
        try:
            held.enter_context(
                hold_lock(
                    project_lock_path(Path(config.config_file_path or "mkdocs.yml")),
                    lock_timeout(),
                    log.warning,
                )
            )
        except (ContentError, OSError) as error:
            raise PluginError(str(error)) from None
        self.build_lock = held

    def release_build_lock(self) -> None:
        """Let the next build of the project start (see on_pre_build)."""
        if self.build_lock is not None:
            self.build_lock.close()
            self.build_lock = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.search_index is not None:
            self.search_index.cancel()
            self.search_index = None
        self.release_build_lock()  # after Pagefind is stopped: it writes into the cache

    def article_links(self, article: Article, href: render.Href) -> render.ArticleLinks:
        """Entity links on first mentions, the entity list and the related articles."""
        assert self.index is not None
        spans: dict[int, list[render.Span]] = {}
        for mention in self.index.first_mentions(article.id):
            entity = self.index.entities[mention.entity_id]
            spans.setdefault(mention.paragraph, []).append(
                render.entity_link_span(mention, entity, href, self.language)
            )
        counts: dict[str, int] = {}
        for mention in self.index.mentions.get(article.id, ()):
            counts[mention.entity_id] = counts.get(mention.entity_id, 0) + 1
        notes = self.notes_of.get(article.id, [])
        for anchored in notes:
            for index, pieces in render.annotation_spans(anchored, article.paragraphs).items():
                spans.setdefault(index, []).extend(pieces)
        return render.ArticleLinks(
            spans=spans,
            entities=[(self.index.entities[e], n) for e, n in counts.items()],
            related=[self.by_id[i] for i in self.related.get(article.id, ()) if i in self.by_id],
            republished=self.republished(article),
            annotations=notes,
            annotate_url=self.annotate_url(article.id),
            article_id=article.id,
            cite=self.cite_block(article, href),
        )

    def feed_texts(
        self, shared: str, prints: dict[str, str]
    ) -> Callable[[feeds.Feed, Callable[[], tuple[bytes, str]]], tuple[bytes, str]]:
        """A feed's Atom and JSON texts, from the cache when what it lists is unchanged
        (its page, title and articles' digests, and what every page shares)."""

        def cached(feed: feeds.Feed, make: Callable[[], tuple[bytes, str]]) -> tuple[bytes, str]:
            key = digest(
                shared, feed.page, feed.folder, feed.title, feed.author,
                *(prints[a.id] for a in feed.articles),
            )  # fmt: skip
            found = self.cache.get("feeds", key)
            if found is None:
                found = make()
                self.cache.put("feeds", key, found)
            return found

        return cached

    def republication_clusters(self, articles: Sequence[Article]) -> tuple[clusters.Cluster, ...]:
        """The archive's republication clusters (`clusters.find_clusters`). From the cache
        when the same bodies, under the same ids and dates, were clustered before: a build
        that changed no article's text does not run LSH over every signature again (seconds
        at 10,000 articles), nor open the signature and comparison tables, which the cache
        then keeps as they are for the next build that needs them. Otherwise only the bodies
        new since the last clustering are compared (`clusters.near_pairs`)."""
        key = digest(
            *(f"{a.id}\0{a.date}\0{a.body_digest}" for a in sorted(articles, key=lambda a: a.id))
        )
        known = self.cache.get("clusters", key)
        if known is not None:
            return tuple(clusters.Cluster(clusters.cluster_id(m), tuple(m)) for m in known)
        signatures = clusters.cached_signatures(articles, self.cache)
        # The last clustering's bodies and pairs: only bodies new since then are compared.
        before = self.cache.get("near-state", NEAR_STATE)
        found, state = clusters.find_clusters_since(
            articles, lambda a: signatures[a.body_digest], self.similar_bodies, before
        )
        self.cache.put("near-state", NEAR_STATE, state)
        self.cache.put("clusters", key, [list(c.members) for c in found])
        return found

    def similar_bodies(self, one: Article, other: Article, check: Callable[[], bool]) -> bool:
        """Whether two bodies are near-identical (`check()`, their exact shingle sets
        compared), from the cache when the same two bodies were compared before."""
        key = digest(one.body_digest, other.body_digest)
        found = self.cache.get("near-pairs", key)
        if found is None:
            found = check()
            self.cache.put("near-pairs", key, found)
        return bool(found)

    def republished(self, article: Article) -> list[Article]:
        """The other articles of the article's republication cluster, earliest first."""
        cluster = self.cluster_of.get(article.id)
        members = cluster.members if cluster else ()
        return [self.by_id[m] for m in members if m != article.id and m in self.by_id]

    def to_cite(self, article: Article) -> tuple[str, citations.ToCite]:
        """The cache key of the article's citation (everything it reads), and what
        `citations.citations` needs to make it; worked out once an article in a build
        (the article's repr is most of the cost, and each page asks three times)."""
        assert self.archive is not None
        known = self.cite_keys.get(article.id)
        if known is not None and known[1][0] is article:
            return known
        site_name, site_url, directory_urls = self.site_address
        link = citations.permalink(article.id, site_url, directory_urls)
        source = self.archive.source_for(article.source)
        key = digest(article.record_digest, repr(source), site_name, link, self.language)
        self.cite_keys[article.id] = (key, (article, source, link))
        return key, (article, source, link)

    def make_citations(self, articles: Sequence[Article]) -> None:
        """Put in the cache the citations of `articles` that it lacks, made all at once on
        every core (citeproc takes several milliseconds an article)."""
        missing: dict[str, citations.ToCite] = {}
        for article in articles:
            key, job = self.to_cite(article)
            if self.cache.get("citations", key) is None:
                missing[key] = job
        made = citations.citations(list(missing.values()), self.site_address[0], self.language)
        for key, cited in zip(missing, made):
            self.cache.put("citations", key, (cited.csl_json, cited.bibtex, cited.reference))

    def citation_of(self, article: Article) -> citations.Citation:
        """Every form of the article's citation (its page's block, its cite.json and
        cite.bib), from the cache while nothing it reads changes."""
        key, _ = self.to_cite(article)
        found = self.cache.get("citations", key)
        if found is None:
            self.make_citations([article])
            found = self.cache.get("citations", key)
            assert found is not None  # just put
        csl_json, bibtex, reference = found
        return citations.Citation(csl_json, bibtex, reference)

    def cite_block(self, article: Article, href: render.Href) -> str:
        """The "Cite" block of an article's page (citations.py)."""
        cited = self.citation_of(article)
        json_href = href(citations.CITE_JSON.format(id=article.id))
        bib_href = href(citations.CITE_BIB.format(id=article.id))
        return citations.cite_block(cited, json_href, bib_href, self.language)

    def annotate_url(self, article_id: str) -> str | None:
        """GitHub's "new file" page for an annotation of this article (the annotations
        script prefills it with the template); None when mkdocs.yml names no GitHub
        repository."""
        repo = (self.repo_url or "").rstrip("/")
        if "github.com/" not in repo:
            return None
        folder = f"{self.content_path}/{ANNOTATIONS}/{article_id}".rstrip("/")
        name = i18n.strings(self.language)["annotation_file"]
        query = urlencode({"filename": name}, quote_via=quote)
        return f"{repo}/new/{self.branch}/{folder}?{query}"

    # --- incremental builds -------------------------------------------------------

    def global_digest(self, config: MkDocsConfig) -> str:
        """What every page depends on: Postilla (its version and code), MkDocs, the theme,
        the configuration (as in force: file and overrides) and the registries. When it
        changes, every page is built again."""
        import material
        import mkdocs

        parts = [__version__, mkdocs.__version__, material.__version__, self.language]
        config_file = Path(config.config_file_path or "")
        if config_file.is_file():
            parts.append(config_file.read_text("utf-8"))
        # The addresses in force, which the command line or the environment may set instead
        # of the file (canonical links, annotation ids and the Annotate button use them).
        parts += [str(config.site_url), str(config.repo_url), str(config.edit_uri)]
        # The custom_dir (templates and assets), and Postilla's own code: a change to
        # either (a new version, or an edit while developing) renders every page again.
        folders = [Path(config.theme.dirs[0]), Path(__file__).parent]
        for folder in folders if config.theme.dirs else folders[1:]:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    stat = path.stat()
                    parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
        content = Path(config.docs_dir)
        for name in (store.SOURCES, store.ENTITIES):
            if (content / name).is_file():
                parts.append((content / name).read_text("utf-8"))
        return digest(*parts)

    def article_prints(self, shared: str) -> dict[str, str]:
        """For each article, a digest of everything its page depends on: its file, and
        what other articles, the registries and annotations add to it."""
        assert self.archive is not None and self.index is not None
        prints = {}
        for article in self.archive.articles:
            links = (
                [
                    (m.entity_id, m.paragraph, m.start, m.end)
                    for m in self.index.first_mentions(article.id)
                ],
                sorted(self.index.entities_in(article.id)),
                [
                    (r, self.by_id[r].title, self.by_id[r].date)
                    for r in self.related.get(article.id, ())
                ],
                [repr(a) for a in self.notes_of.get(article.id, [])],
                [(m.id, m.title, m.date, m.publisher, m.source) for m in self.republished(article)],
            )
            prints[article.id] = digest(shared, article.record_digest, repr(links))
        return prints

    def export_lines(
        self, shared: str, prints: dict[str, str]
    ) -> tuple[site.ExportLines, site.Compressed]:
        """An article's lines in the downloads, from the cache when its page's digest and
        its annotations (orphaned ones too, which its page leaves out) are unchanged; and
        a run of articles' compressed lines, from the cache when none of them changed (their
        lines' entries are then kept without being read)."""
        assert self.archive is not None
        cluster_ids = {key: cluster.id for key, cluster in self.cluster_of.items()}
        make = site.export_lines(self.archive, self.index, self.notes, cluster_ids)
        everyone = export.annotations_by_article(self.notes)

        def key_of(article: Article) -> str:
            return digest(shared, prints[article.id], repr(everyone.get(article.id)))

        def lines_of(article: Article) -> tuple[str, str]:
            key = key_of(article)
            lines = self.cache.get("export", key)
            if lines is None:
                lines = make(article)
                self.cache.put("export", key, lines)
            return lines

        def compressed(
            run: Sequence[Article], compress: Callable[[], tuple[bytes, bytes]]
        ) -> tuple[bytes, bytes]:
            keys = [key_of(article) for article in run]
            key = digest(*keys)
            found = self.cache.get("export-gz", key)
            if found is None:
                found = compress()
                self.cache.put("export-gz", key, found)
            else:
                for line_key in keys:
                    self.cache.keep("export", line_key)
            return found

        return lines_of, compressed

    def entity_pages(self, shared: str, prints: dict[str, str]) -> site.EntityPages:
        """An entity's pages, from the cache when the entity and the digests of the
        articles naming it (their titles, dates, first mentions, other entities) are
        unchanged."""
        assert self.index is not None
        index = self.index

        def pages_of(
            entity: Entity, make: Callable[[], list[site.GeneratedFile]]
        ) -> list[site.GeneratedFile]:
            named_in = index.articles_of.get(entity.id, ())
            key = digest(shared, repr(entity), *(prints[a] for a in named_in))
            pages = self.cache.get("entity-pages", key)
            if pages is None:
                pages = make()
                self.cache.put("entity-pages", key, pages)
            return list(pages)

        return pages_of

    def fingerprint(self, files: Files, shared: str, articles: dict[str, str]) -> dict[str, str]:
        """For each page and generated file, a digest of everything its output depends
        on (`articles`: the articles' digests, from `article_prints`)."""
        prints = {"": shared}
        for file in files:
            article = self.articles.get(file.src_uri)
            if article is not None:
                prints[file.src_uri] = articles[article.id]
            elif file.generated_by and file.content_bytes is not None:
                blocks = self.blocks.get(file.src_uri, ())
                prints[file.src_uri] = digest(shared, file.content_bytes, *blocks)
            elif file.is_documentation_page() and file.abs_src_path:
                prints[file.src_uri] = digest(shared, Path(file.abs_src_path).read_bytes())
        return prints

    def prepare_incremental(self, files: Files) -> None:
        """Mark what changed since the previous build, so that MkDocs' dirty build renders
        only that; and make sure every file about to be written is a new file, because the
        staging folder shares its unchanged files (hard links) with the live site."""
        assert self.previous is not None
        everything = self.previous.get("") != self.fingerprints[""]
        for file in files:
            if file.src_uri in self.fingerprints:
                changed = (
                    everything or self.previous.get(file.src_uri) != self.fingerprints[file.src_uri]
                )
                # MkDocs' dirty build asks each file whether it changed; this file knows.
                file.is_modified = partial(bool, changed)  # type: ignore[method-assign]
            if file.is_modified() and os.path.lexists(file.abs_dest_path):
                os.unlink(file.abs_dest_path)

    def remove_stale(self, files: Files, site_dir: Path) -> None:
        """Delete what the previous build wrote and this one does not (a removed article, a
        language no longer listed), and the folders that leaves empty. (Plain strings and
        `os.walk`: a site has tens of thousands of files.)"""
        root = os.path.normpath(site_dir)
        expected = {os.path.normpath(f.abs_dest_path) for f in files}
        expected |= {os.path.join(root, n) for n in ("sitemap.xml", "sitemap.xml.gz", "404.html")}
        emptied = set()
        for folder, dirs, names in os.walk(root):
            if folder == root:
                dirs[:] = [d for d in dirs if d != "pagefind"]  # the search index is rebuilt
            for name in names:
                path = os.path.join(folder, name)
                if path not in expected:
                    os.unlink(path)
                    emptied.add(folder)
        for folder in sorted(emptied, key=len, reverse=True):  # the deepest first
            while folder != root and os.path.isdir(folder) and not os.listdir(folder):
                os.rmdir(folder)
                folder = os.path.dirname(folder)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.previous is not None and self.files is not None:
            self.remove_stale(self.files, Path(config.site_dir))
        started = time.perf_counter()
        self.timings["mkdocs"] = started - self.mkdocs_started - self.timings.get("render", 0.0)
        saving = time.perf_counter()
        self.cache.save()
        self.timings["cache"] = time.perf_counter() - saving
        started = time.perf_counter()
        if self.search_index is not None:
            try:
                self.search_index.finish(Path(config.site_dir))
            except PluginError as error:
                self.failure = str(error)  # MkDocs says only "Aborted with a BuildError!"
                raise
            self.timings["search index"] = self.search_index.seconds
            self.timings["search index, waited for"] = time.perf_counter() - started
            self.search_index = None
        site_dir = Path(config.site_dir)
        if self.assembly is not None and self.config.search:
            listing = split.search_listing(self.assembly)
            (site_dir / "pagefind").mkdir(exist_ok=True)
            (site_dir / "pagefind" / search.SHARDS_FILE).write_text(json.dumps(listing), "utf-8")
        if self.part is not None and self.archive is not None and self.index is not None:
            split.write_record(
                site_dir,
                split.record_data(
                    str(self.config.parts),
                    self.part,
                    self.archive,
                    self.index,
                    site_dir,
                    config.use_directory_urls,
                ),
            )
        self.release_build_lock()


def own_title(page: Page) -> None:
    """A hand-written page whose navigation title is Postilla's word in the build's
    language ("About" for a page headed "Informazioni", `i18n.nav_titles`) keeps its own
    heading in its <title> and header: the page stays as written, and its title says what
    its <h1> says."""
    first = page.toc.items[0] if page.toc.items else None
    if page.meta.get("title") or first is None or first.level != 1 or first.title == page.title:
        return
    page.meta["title"] = render.attr(html.unescape(first.title))


def _href_maker(page: Page, config: MkDocsConfig) -> render.Href:
    """Links from `page` to other files, given by their path in the content folder."""

    def href(src_path: str) -> str:
        if src_path.endswith(".md"):
            stem = src_path[:-3]
            if config.use_directory_urls:
                url = stem[: -len("index")] if stem.endswith("index") else stem + "/"
            else:
                url = stem + ".html"
        else:
            url = src_path
        return get_relative_url(url, page.url)

    return href
