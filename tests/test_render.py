"""Article HTML: text is escaped exactly once, so what a reader sees is the source text."""

from __future__ import annotations

import html
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import citations, i18n, render
from generator.markdown_text import normalise_text
from generator.model import Article, RemovedLine, Source

TITLE_XSS = "</title><script>alert(1)</script>"
ATTR_XSS = '"><img src=x onerror=alert(1)>'


def make_article(**overrides) -> Article:
    values = dict(
        id="2021-10-24-titolo",
        title="Titolo",
        title_source="headline",
        date="2021-10-24",
        date_source="timestamp",
        published="2021-10-24T22:48:00+02:00",
        url="https://it.example.com/articolo",
        source="example.com",
        publisher=None,
        author="L.M.",
        language="it",
        description="Un sommario",
        words=420,
        raw="raw/2021-10-24-titolo.txt",
        raw_name="001.txt",
        raw_sha256="a" * 64,
        body_sha256="b" * 64,
        imported="2024-01-01",
        paragraphs=("Primo paragrafo.", "Secondo paragrafo."),
    )
    values.update(overrides)
    return Article(**values)


def href(path: str) -> str:
    return "../" + path


class _Page(HTMLParser):
    """Tags with their attributes, and the text of each <p> inside the body div."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.paragraphs: list[str] = []
        self.text: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "p":
            self._in_p = True
            self.paragraphs.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_p = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_p:
            self.paragraphs[-1] += data


def parse(markup: str) -> _Page:
    page = _Page()
    page.feed(markup)
    page.close()
    return page


def assert_no_injected_markup(markup: str) -> None:
    page = parse(markup)
    names = {tag for tag, _ in page.tags}
    assert "script" not in names
    assert "img" not in names
    for tag, attrs in page.tags:
        for name in attrs:
            assert not name.lower().startswith("on"), (tag, attrs)
    assert "<script" not in markup.lower()
    assert "<img" not in markup.lower()


# --- body_html ----------------------------------------------------------------

MARKUP_ALPHABET = (
    st.sampled_from(list("*_[]()<>&#!\\`{}=~^|:-+.;'\"/0123456789abcXYZàéÀ \u00a0\t\n\u200b\u00ad"))
    | st.characters()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=MARKUP_ALPHABET, min_size=1), min_size=1, max_size=5))
@example(["<script>alert(1)</script>", "&amp; &lt; &#33;", "ISIS*", "# no", "</p><p>x"])
def test_body_html_visible_text_equals_source_text(texts):
    paragraphs = [p for p in (normalise_text(t) for t in texts) if p]
    page = parse(render.body_html(paragraphs))
    assert [normalise_text(p) for p in page.paragraphs] == paragraphs
    assert {tag for tag, _ in page.tags} <= {"div", "p"}


def test_body_html_structure():
    markup = render.body_html(["uno", "due"])
    assert markup == '<div class="postilla-body">\n<p>uno</p>\n<p>due</p>\n</div>'


def test_body_html_escapes_special_characters():
    markup = render.body_html(["<b>x</b> & ISIS*"])
    assert "<p>&lt;b&gt;x&lt;/b&gt; &amp; ISIS*</p>" in markup


def test_text_and_attr_escaping():
    assert render.text('<a href="x">&') == '&lt;a href="x"&gt;&amp;'
    assert render.attr("\"><x 'y'") == "&quot;&gt;&lt;x &#x27;y&#x27;"


# --- article_page -------------------------------------------------------------


def hostile_article() -> Article:
    return make_article(
        title=TITLE_XSS,
        description=ATTR_XSS,
        author=ATTR_XSS,
        publisher=TITLE_XSS,
        url='https://x.it/"><script>alert(1)</script>',
        language='it"><script>',
        paragraphs=(TITLE_XSS, ATTR_XSS),
        footnotes=(ATTR_XSS,),
        removed=(RemovedLine(3, TITLE_XSS, ATTR_XSS, ATTR_XSS),),
        raw='raw/x.txt"><script>alert(1)</script>',
        raw_sha256="<script>",
        published=ATTR_XSS,
        title_source="derived",
    )


@pytest.mark.parametrize("language", ["it", "en"])
def test_article_page_with_hostile_text_has_no_injected_markup(language):
    markup = render.article_page(hostile_article(), None, href, language)
    assert_no_injected_markup(markup)


def test_article_page_with_hostile_source_name_has_no_injected_markup():
    source = Source(domain="example.com", name=TITLE_XSS)
    markup = render.article_page(hostile_article(), source, href, "it")
    assert_no_injected_markup(markup)
    assert "&lt;/title&gt;&lt;script&gt;" in markup


def test_article_page_shows_hostile_title_as_text():
    page = parse(render.article_page(hostile_article(), None, href, "it"))
    assert TITLE_XSS in "".join(page.text)
    assert ATTR_XSS in "".join(page.text)


def test_article_page_title_is_the_h1():
    markup = render.article_page(make_article(title="WP: Pakistan & ISIS*"), None, href, "it")
    assert "WP: Pakistan &amp; ISIS*</h1>" in markup
    page = _H1()
    page.feed(markup)
    assert page.h1 == ["WP: Pakistan & ISIS*"]


class _H1(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._inside = True
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag == "h1":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.h1[-1] += data


def test_article_page_notes_derived_title_only_when_derived():
    derived = render.article_page(make_article(title_source="derived"), None, href, "it")
    headline = render.article_page(make_article(title_source="headline"), None, href, "it")
    assert "postilla-derived-title" in derived
    assert "postilla-derived-title" not in headline


def test_article_page_lang_attribute():
    assert 'lang="it"' in render.article_page(make_article(language="it"), None, href, "it")
    assert "lang=" not in render.article_page(make_article(language=None), None, href, "it")


def test_article_page_footnotes_and_removed_lines():
    article = make_article(
        footnotes=("*Organizzazioni terroristiche",),
        removed=(RemovedLine(5, "Lascia un commento", "comment-form", "comment form"),),
    )
    markup = render.article_page(article, None, href, "en")
    assert "postilla-footnotes" in markup
    assert "<p>*Organizzazioni terroristiche</p>" in markup
    assert '<li value="5">' in markup
    assert "<code>comment-form</code>" in markup
    assert "<q>Lascia un commento</q>" in markup
    assert "Removed by cleaning (1 lines)" in markup


def test_article_page_without_footnotes_or_removed_lines_omits_them():
    markup = render.article_page(make_article(), None, href, "en")
    assert "postilla-footnotes" not in markup
    assert "postilla-removed" not in markup


def test_article_page_body_paragraphs_are_visible_text():
    article = make_article(paragraphs=("a < b", "ISIS* & co."))
    markup = render.article_page(article, None, href, "it")
    anchors = citations.paragraph_ids(article.paragraphs)  # each paragraph's permalink
    label = i18n.strings("it")["paragraph_link"]
    assert render.body_html(article.paragraphs, None, anchors, label) in markup


# --- metadata panel -------------------------------------------------------------


def test_original_url_link_has_noopener_nofollow():
    article = make_article(url="https://it.example.com/a?x=1&y=2")
    page = parse(render.metadata_panel(article, None, href, "it"))
    links = [attrs for tag, attrs in page.tags if tag == "a" and attrs.get("href") == article.url]
    assert len(links) == 1
    assert links[0]["rel"] == "noopener nofollow"


def test_no_original_link_without_url():
    markup = render.metadata_panel(make_article(url=None), None, href, "en")
    assert "Original" not in markup
    assert "nofollow" not in markup


def test_publisher_uses_registered_source_name_and_links_to_source_page():
    source = Source(domain="example.com", name="Example News")
    markup = render.metadata_panel(make_article(publisher="Other"), source, href, "en")
    assert '<a href="../sources/example.com.md">Example News</a>' in markup


def test_publisher_falls_back_to_publisher_then_domain():
    with_publisher = render.metadata_panel(make_article(publisher="Pub"), None, href, "en")
    assert ">Pub</a>" in with_publisher
    without = render.metadata_panel(make_article(publisher=None), None, href, "en")
    assert ">example.com</a>" in without


def test_no_publisher_row_without_source():
    markup = render.metadata_panel(make_article(source=None), None, href, "en")
    assert "Publisher" not in markup


def test_metadata_panel_reading_time_and_hash():
    markup = render.metadata_panel(make_article(words=420), None, href, "en")
    assert "420 words · 2 min read" in markup
    assert f'<code class="postilla-hash">{"a" * 64}</code>' in markup
    assert 'href="../raw/2021-10-24-titolo.txt"' in markup


def test_reading_time_is_at_least_one_minute():
    markup = render.metadata_panel(make_article(words=3), None, href, "en")
    assert "3 words · 1 min read" in markup


def test_published_timestamp_is_a_time_element_with_machine_readable_value():
    markup = render.metadata_panel(make_article(), None, href, "en")
    page = parse(markup)
    times = [attrs["datetime"] for tag, attrs in page.tags if tag == "time"]
    assert "2021-10-24T22:48:00+02:00" in times


def test_metadata_panel_is_a_definition_list():
    markup = render.metadata_panel(make_article(), None, href, "en")
    assert markup.startswith('<dl class="postilla-meta"')
    assert markup.endswith("</dl>")


# --- date_html ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("2021", "it", '<time datetime="2021">2021</time> <small>(solo anno)</small>'),
        (
            "2021-10",
            "it",
            '<time datetime="2021-10">ottobre 2021</time> <small>(solo mese)</small>',
        ),
        ("2021-10-24", "it", '<time datetime="2021-10-24">24 ottobre 2021</time>'),
        ("2021-03-05", "it", '<time datetime="2021-03-05">5 marzo 2021</time>'),
        (None, "it", '<span class="postilla-nodate">data sconosciuta</span>'),
        ("", "it", '<span class="postilla-nodate">data sconosciuta</span>'),
        ("2021", "en", '<time datetime="2021">2021</time> <small>(year only)</small>'),
        (
            "2021-10",
            "en",
            '<time datetime="2021-10">October 2021</time> <small>(month only)</small>',
        ),
        ("2021-10-24", "en", '<time datetime="2021-10-24">24 October 2021</time>'),
        (None, "en", '<span class="postilla-nodate">date unknown</span>'),
        (
            "2021-10",
            "fr",
            '<time datetime="2021-10">October 2021</time> <small>(month only)</small>',
        ),
    ],
)
def test_date_html_precision(value, language, expected):
    assert render.date_html(value, language) == expected


# --- page_meta ------------------------------------------------------------------


def test_page_meta_escapes_title_description_and_author():
    article = make_article(title=TITLE_XSS, description=ATTR_XSS, author=ATTR_XSS)
    meta = render.page_meta(article)
    assert meta["title"] == "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert meta["description"] == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert meta["author"] == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    for name in ("title", "description", "author"):
        value = str(meta[name])
        assert "<" not in value
        assert '"' not in value
    assert html.unescape(str(meta["title"])) == TITLE_XSS
    assert html.unescape(str(meta["description"])) == ATTR_XSS


def test_page_meta_in_a_template_yields_no_markup():
    # Material prints these values unescaped into <title> and <meta content="...">.
    meta = render.page_meta(make_article(title=TITLE_XSS, description=ATTR_XSS, author=ATTR_XSS))
    head = (
        f'<meta name="description" content="{meta["description"]}">'
        f'<meta name="author" content="{meta["author"]}">'
        f"<title>{meta['title']} - Archivio</title>"
    )
    assert_no_injected_markup(head)
    page = parse(head)
    assert page.tags[0][1]["content"] == ATTR_XSS
    assert page.tags[1][1]["content"] == ATTR_XSS


def test_page_meta_without_teaser_or_author_describes_the_article_by_its_text():
    meta = render.page_meta(
        make_article(paragraphs=("Prima frase.",), description=None, author=None)
    )
    assert meta["description"] == "Prima frase."
    assert "author" not in meta
    assert meta["postilla_article"] is True  # the article brings its own <h1>


def test_page_meta_of_plain_article():
    meta = render.page_meta(replace(make_article(), title="Città & ISIS*"))
    assert meta["title"] == "Città &amp; ISIS*"


LONG_SENTENCE = (
    "Il governo ha comunicato in una nota che venticinque soldati sono stati uccisi " * 3
)


@pytest.mark.parametrize(
    ("paragraphs", "description", "expected"),
    [
        (("Breve.",), None, "Breve."),
        (("Uno due.", "Tre quattro."), None, "Uno due. Tre quattro."),
        (("Teaser ignorato.",), "Il sommario della pagina.", "Il sommario della pagina."),
        # Whole sentences while they fit in 200 characters.
        (
            ("A" * 120 + ". Seconda frase breve. " + "B" * 100 + ".",),
            None,
            "A" * 120 + ". Seconda frase breve.",
        ),
    ],
)
def test_summary_takes_the_teaser_or_whole_first_sentences(paragraphs, description, expected):
    assert render.summary(make_article(paragraphs=paragraphs, description=description)) == expected


def test_summary_cuts_a_long_first_sentence_at_a_word():
    found = render.summary(make_article(paragraphs=(LONG_SENTENCE,), description=None))
    assert len(found) <= render.SUMMARY_MAX
    assert found.endswith("…")
    assert LONG_SENTENCE.startswith(found[:-1])
    assert found[-2] != " "


def test_summary_does_not_stop_at_a_sentence_that_says_too_little():
    found = render.summary(make_article(paragraphs=("1986.", LONG_SENTENCE), description=None))
    assert found.startswith("1986. Il governo") and found.endswith("…")


def test_sharing_meta_of_an_article_with_every_field():
    article = make_article(
        paragraphs=("Testo.",),
        description=None,
        title="Titolo",
        date="2021-10-24",
        published="2021-10-24T22:48:00+02:00",
        author="Mario Rossi",
        source="example.org",
    )
    source = Source(domain="example.org", name="Esempio")
    tags = {name: value for _, name, value in render.sharing_meta(article, source)}
    assert tags["og:type"] == "article"
    assert tags["og:title"] == tags["citation_title"] == "Titolo"
    assert tags["og:description"] == "Testo."
    assert tags["article:published_time"] == "2021-10-24T22:48:00+02:00"
    assert tags["citation_date"] == "2021/10/24"
    assert tags["citation_author"] == "Mario Rossi"
    assert tags["citation_publisher"] == "Esempio"


def test_sharing_meta_says_only_what_is_known():
    tags = {
        name
        for _, name, _ in render.sharing_meta(
            make_article(paragraphs=("Testo.",), date=None, published=None, author=None), None
        )
    }
    assert not tags & {"citation_date", "citation_author", "article:published_time"}


def test_compact_html_drops_indentation_but_keeps_preformatted_text() -> None:
    page = (
        "<body>\n    <div>\n      <p>uno\n        due</p>\n    </div>\n"
        "  <pre>x\n    y</pre>\n  <textarea>a\n   b</textarea>\n"
        '  <script>\n  var s = "  ";\n</script>\n</body>'
    )
    assert render.compact_html(page) == (
        "<body>\n<div>\n<p>uno\ndue</p>\n</div>\n"
        "<pre>x\n    y</pre>\n<textarea>a\n   b</textarea>\n"
        '<script>\n  var s = "  ";\n</script>\n</body>'
    )


def test_compact_html_leaves_a_page_without_indentation_as_it_is() -> None:
    page = "<p>a <b>b</b> c</p>\n<p>d</p>"
    assert render.compact_html(page) == page


def test_search_document_holds_the_text_and_the_fields_of_the_filters() -> None:
    article = make_article(
        title=TITLE_XSS,
        language="en",
        paragraphs=("ISIS* <b>not bold</b>", "Secondo."),
        footnotes=("* Organizzazione vietata in Russia.",),
    )
    source = Source(domain="example.com", name="Example & Co")
    document = render.search_document(article, source, "it", "it", render.ArticleLinks())
    # The site's language (the index the search box opens), whatever the article's.
    assert document.startswith('<!doctype html><html lang="it">')
    assert "<script>" not in document and "<b>" not in document
    assert "<p>ISIS* &lt;b&gt;not bold&lt;/b&gt;</p><p>Secondo.</p>" in document
    assert "<p>* Organizzazione vietata in Russia.</p>" in document  # footnotes are searchable
    assert (
        '<h1 data-pagefind-meta="title[data-title]" data-title="&lt;/title&gt;&lt;script&gt;'
        in document
    )
    assert '<span data-pagefind-filter="source">Example &amp; Co</span>' in document
    assert '<span data-pagefind-filter="year">2021</span>' in document
    assert '<div hidden data-pagefind-ignore="index">' in document  # fields, not text


def test_article_page_carries_no_search_markup() -> None:
    page = render.article_page(make_article(), None, href, "it")
    assert "pagefind" not in page
