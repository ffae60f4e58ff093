"""Attention over time (generator/attention.py): articles per month on each entity's and
each source's page with the undated ones counted and said, the comparison page (its data,
its default chart drawn without script, a reader's choice drawn in the browser, axe-core),
and every mention of an entity in context on its pages, paginated with a bounded size.

The built site is the seed archive plus copies of the Sputnik article under other dates
(days in two months, a month only, a year only, none), so that one source and the entities
it names have several months and several kinds of undated articles. Expected counts come
from the articles' front matter, read here with PyYAML, not from the module under test."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from lxml import html as lxml_html

from conftest import empty_content, import_seeds, make_article, snapshot
from generator import attention, i18n, site
from generator.build import build_site
from generator.entities import EntityIndex, Mention
from generator.model import ContentError, Entity

ROOT = Path(__file__).resolve().parents[1]
SPUTNIK = "2021-10-24-wp-pakistan-aiuta-i-talebani-nella-lotta-contro-l-isis"
SOURCE = "it.sputniknews.com"
# The copies of the Sputnik article: id → date (None: undated).
COPIES = {
    "copia-ottobre": "2021-10-02",
    "copia-dicembre": "2021-12-05",
    "copia-gennaio": "2022-01",  # a month only: in the chart
    "copia-anno": "2022",  # a year only: not in the chart, counted as without a month
    "copia-senza-data": None,
}
BAR = re.compile(r"<title>(\d{4}-\d{2}): (\d+)</title>")


# --- pure pieces ------------------------------------------------------------------------


def test_monthly_counts_months_and_sets_aside_what_has_no_month() -> None:
    articles = [
        make_article("a", "x", date="2021-10-24"),
        make_article("b", "x", date="2021-10-02"),
        make_article("c", "x", date="2021-12"),
        make_article("d", "x", date="2022"),
        make_article("e", "x", date=None),
    ]
    counted = attention.monthly(articles)
    assert counted.counts == {"2021-10": 2, "2021-12": 1}
    assert counted.undated == 2


def test_month_span_crosses_years_and_includes_both_ends() -> None:
    assert attention.month_span("2021-11", "2022-02") == [
        "2021-11",
        "2021-12",
        "2022-01",
        "2022-02",
    ]
    assert attention.month_span("2021-11", "2021-11") == ["2021-11"]


def test_the_undated_note_says_how_many_in_both_languages() -> None:
    assert attention.undated_note(0, "it") == ""
    assert (
        attention.undated_note(1, "it")
        == "1 articolo senza data (o con il solo anno) non è nel grafico."
    )
    assert attention.undated_note(3, "it").startswith("3 articoli senza data")
    assert attention.undated_note(3, "en").startswith("3 articles without a date")
    assert "nel grafico" not in attention.undated_note(3, "en")


def test_every_new_interface_string_is_in_both_languages() -> None:
    keys = [k for k in i18n.STRINGS["it"] if k.startswith(("compare", "undated_not", "kwic"))]
    assert len(keys) >= 10
    for key in keys:
        assert i18n.STRINGS["en"].get(key) and i18n.STRINGS["en"][key] != i18n.STRINGS["it"][key]


def _many_mentions(articles: int, per_article: int) -> tuple[list, EntityIndex]:
    """`articles` articles each naming "Raqqa" `per_article` times, with their index."""
    sentence = "A Raqqa si combatte. "
    made, mentions = [], {}
    for n in range(articles):
        text = sentence * per_article
        article = make_article(f"a{n:03d}", text, date=f"2021-{n % 12 + 1:02d}-01")
        made.append(article)
        mentions[article.id] = tuple(
            Mention("raqqa", 0, i * len(sentence) + 2, i * len(sentence) + 7)
            for i in range(per_article)
        )
    raqqa = Entity("raqqa", "Raqqa", "place")  # type: ignore[arg-type]
    index = EntityIndex({"raqqa": raqqa}, mentions, {"raqqa": tuple(a.id for a in made)})
    return made, index


def test_every_mention_is_listed_and_pages_stay_bounded() -> None:
    made, index = _many_mentions(articles=40, per_article=12)
    raqqa = index.entities["raqqa"]
    pages = site.entity_page(raqqa, index, {a.id: a for a in made}, "it")
    # A page holds at most two pages' worth less one item (the first: site.page_sizes).
    most_items = 2 * site.SNIPPETS_PER_PAGE - 1
    bound = most_items * attention.PASSAGES_PER_ITEM
    marks = [sum(block.count("<mark>Raqqa</mark>") for block in page.blocks) for page in pages]
    assert sum(marks) == 40 * 12  # every mention, on some page
    assert max(marks) <= bound
    # 12 passages an article: items of 5, 5, 2; 120 items: the newest 70, then the oldest 50
    assert len(pages) == 2
    for page in pages:
        items = sum(block.count('<ol class="postilla-kwic"') for block in page.blocks)
        assert items <= most_items


def test_an_article_with_more_passages_than_an_item_holds_says_which() -> None:
    made, index = _many_mentions(articles=1, per_article=7)
    items = attention.mention_items(made, "raqqa", index, "it", True)
    shown = [item("entities/raqqa.md").html for item in items]
    assert len(shown) == 2
    assert "passi 1–5 di 7" in shown[0] and shown[0].count("<mark>") == 5
    assert "passi 6–7 di 7" in shown[1] and shown[1].count("<mark>") == 2
    assert 'start="6"' in shown[1]


# --- the built site ---------------------------------------------------------------------


def copy_of(markdown: str, article_id: str, date: str | None) -> str:
    """The Sputnik article's file as another article, dated `date`."""
    text = markdown.replace(f"id: {SPUTNIK}\n", f"id: {article_id}\n", 1)
    text = re.sub(r"^date: .*$", f"date: {json.dumps(date)}", text, count=1, flags=re.M)
    text = re.sub(r"^published: .*$", "published: null", text, count=1, flags=re.M)
    return re.sub(r"^(url: .*)$", rf"\1?copia={article_id}", text, count=1, flags=re.M)


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = empty_content(tmp_path_factory.mktemp("attention"))
    import_seeds(folder)
    for path in (folder / "articles").glob("*.md"):  # the blog's article, left undated
        if SPUTNIK not in path.name:
            text = path.read_text("utf-8")
            text = re.sub(r"^date: .*$", "date: null", text, count=1, flags=re.M)
            text = re.sub(r"^date_source: .*$", "date_source: null", text, count=1, flags=re.M)
            path.write_text(text, "utf-8")
    original = (folder / "articles" / f"{SPUTNIK}.md").read_text("utf-8")
    for article_id, date in COPIES.items():
        (folder / "articles" / f"{article_id}.md").write_text(
            copy_of(original, article_id, date), "utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def built(content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("attention-site") / "site"
    result = build_site(ROOT / "mkdocs.yml", content, target, strict=True, progress=False)
    assert result.warnings == 0
    return target


def front_matter(content: Path) -> dict[str, dict]:
    """Every article's front matter, by id (the oracle: PyYAML, not Postilla)."""
    out = {}
    for path in sorted((content / "articles").glob("*.md")):
        head = path.read_text("utf-8").split("---\n")[1]
        fields = yaml.safe_load(head)
        out[fields["id"]] = fields
    return out


def expected(articles: list[dict]) -> tuple[Counter, int]:
    """Articles per month, and how many have no month."""
    months = Counter(str(a["date"])[:7] for a in articles if a["date"] and len(str(a["date"])) >= 7)
    return months, sum(1 for a in articles if not a["date"] or len(str(a["date"])) < 7)


def page(built: Path, path: str) -> str:
    return (built / path / "index.html").read_text("utf-8")


def chart_of(html: str) -> tuple[dict[str, int], int]:
    """A page's chart by month (bars with a count) and the number its undated note says."""
    chart = html.split('<div class="postilla-chart">')[1].split("</div>")[0]
    bars = {m: int(n) for m, n in BAR.findall(chart) if int(n)}
    note = re.search(r'<p class="postilla-undated-note">(\d+) articol', html)
    return bars, int(note.group(1)) if note else 0


def test_the_source_page_charts_its_articles_by_month_and_says_the_undated(
    built: Path, content: Path
) -> None:
    articles = [a for a in front_matter(content).values() if a["source"] == SOURCE]
    assert len(articles) == 6
    months, undated = expected(articles)
    assert months == {"2021-10": 2, "2021-12": 1, "2022-01": 1} and undated == 2
    assert chart_of(page(built, f"sources/{SOURCE}")) == (dict(months), undated)
    assert "2 articoli senza data (o con il solo anno) non sono nel grafico." in page(
        built, f"sources/{SOURCE}"
    )


def test_a_source_with_only_undated_articles_says_so_without_a_chart(
    built: Path, content: Path
) -> None:
    html = page(built, "sources/ancorafischiailvento.org")
    assert 'class="postilla-chart"' not in html
    assert "1 articolo senza data (o con il solo anno) non è nel grafico." in html


def test_an_entity_page_charts_the_articles_naming_it(built: Path, content: Path) -> None:
    # Talebani is named in the Sputnik article (and so in its copies), not in the blog's.
    articles = [a for a in front_matter(content).values() if a["source"] == SOURCE]
    months, undated = expected(articles)
    assert chart_of(page(built, "entities/talebani")) == (dict(months), undated)
    # Stato Islamico is named in the blog article too: one more without a date.
    assert chart_of(page(built, "entities/stato-islamico")) == (dict(months), undated + 1)


def test_the_entity_page_shows_every_mention_of_a_multi_mention_article(
    built: Path, content: Path
) -> None:
    body = (content / "articles" / f"{SPUTNIK}.md").read_text("utf-8").split("---\n", 2)[2]
    names = ("Stato Islamico", "ISIS", "IS", "Isis", "Daesh")
    expected_marks = sum(len(re.findall(rf"\b{re.escape(n)}\b", body)) for n in names)
    assert expected_marks >= 5  # a multi-mention article
    tree = lxml_html.fromstring(page(built, "entities/stato-islamico"))
    items = tree.xpath(f'//li[a[contains(@href, "articles/{SPUTNIK}/")]]')
    assert len(items) == 1
    marks = [m.text_content() for m in items[0].xpath('.//ol[@class="postilla-kwic"]/li/mark')]
    assert len(marks) == expected_marks
    assert set(marks) <= set(names)
    assert "5 passi" in items[0].text_content()


def test_the_comparison_data_matches_the_articles(built: Path, content: Path) -> None:
    data = json.loads((built / "attention" / "series.json").read_text("utf-8"))
    by_key = {s["key"]: s for s in data["series"]}
    articles = list(front_matter(content).values())
    for domain in {a["source"] for a in articles}:
        months, undated = expected([a for a in articles if a["source"] == domain])
        series = by_key[f"source:{domain}"]
        got = {m: n for m, n in zip(data["months"], series["counts"], strict=True) if n}
        assert (got, series["undated"]) == (dict(months), undated), domain
    assert data["months"] == ["2021-10", "2021-11", "2021-12", "2022-01"]
    talebani = by_key["entity:talebani"]
    assert talebani["counts"] == [2, 0, 1, 1] and talebani["undated"] == 2
    assert by_key["entity:stato-islamico"]["undated"] == 3


def test_the_comparison_page_draws_the_top_five_without_script(built: Path) -> None:
    html = page(built, "attention")
    tree = lxml_html.fromstring(html)
    (form,) = tree.xpath('//form[@class="postilla-compare-form"]')
    assert form.get("hidden") is not None  # shown by the script only
    label = tree.xpath('//label[@for="postilla-compare-choice"]')
    assert label and tree.xpath('//select[@id="postilla-compare-choice"][@multiple]')
    lines = tree.xpath('//svg[@class="postilla-compare-svg"]/polyline')
    assert len(lines) == attention.DEFAULT_SERIES
    selected = tree.xpath("//option[@selected]/@value")
    assert len(selected) == attention.DEFAULT_SERIES
    assert "entity:stato-islamico" in selected  # the most named
    legend = tree.xpath('//ul[@class="postilla-legend"]/li')
    assert "Stato Islamico: 7 articoli, 3 senza mese" in [li.text_content() for li in legend]
    assert len(legend) == attention.DEFAULT_SERIES
    data = json.loads((built / "attention" / "series.json").read_text("utf-8"))
    entities = [s for s in data["series"] if s["key"].startswith("entity:")]
    totals = [sum(s["counts"]) + s["undated"] for s in entities]
    assert totals == sorted(totals, reverse=True)
    assert set(selected) == {s["key"] for s in entities[: attention.DEFAULT_SERIES]}
    # The table: a row per month and one for the articles without a month.
    rows = tree.xpath('//table[@class="postilla-compare-table"]/tbody/tr')
    assert [r.xpath("string(th)") for r in rows] == [*data["months"], "Senza mese"]
    first_column = [int(r.xpath("string(td[1])")) for r in rows]
    top = entities[0]
    assert first_column == [*top["counts"], top["undated"]]


def test_the_entities_index_links_to_the_comparison(built: Path) -> None:
    html = page(built, "entities")
    assert 'href="../attention/"' in html


def test_a_bad_article_fails_the_build_and_leaves_the_site(
    built: Path, content: Path, tmp_path: Path
) -> None:
    """The pages added here do not hide a bad file: the build names it and stops."""
    import shutil

    broken = tmp_path / "content"
    shutil.copytree(content, broken)
    bad = broken / "articles" / "copia-anno.md"
    bad.write_text(bad.read_text("utf-8").replace('date: "2022"', 'date: "2022-13"'), "utf-8")
    before = snapshot(broken)
    target = tmp_path / "site"
    shutil.copytree(built, target)
    old = snapshot(target)
    with pytest.raises(ContentError) as failure:
        build_site(ROOT / "mkdocs.yml", broken, target, strict=True, progress=False)
    assert "copia-anno.md" in str(failure.value)
    assert snapshot(broken) == before
    assert snapshot(target) == old


# --- in a browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    from benchmarks.scale import serve

    with serve(built) as url:
        yield url


@pytest.mark.browser
def test_choosing_two_entities_draws_two_series(served: str) -> None:
    import test_browser
    import test_site_accessibility as axe

    if not axe.AXE.is_file():
        test_browser._cannot_run("node_modules/axe-core not found (npm ci)")
    with test_browser.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=test_browser.CHROMIUM_ARGS
        )
        try:
            context = chromium.new_context(
                viewport=test_browser.VIEWPORT, locale="it-IT", service_workers="block"
            )
            context.set_default_timeout(test_browser.TIMEOUT_MS)
            reader = test_browser.Reader(context, served)
            page = reader.open(urljoin(served, "attention/"))
            form = page.locator("form.postilla-compare-form")
            form.wait_for(state="visible")
            figure = page.locator(".postilla-compare-figure")
            assert figure.locator("polyline").count() == attention.DEFAULT_SERIES
            choice = page.get_by_label("Entità o fonti da confrontare")
            choice.select_option(["entity:talebani", f"source:{SOURCE}"])
            page.wait_for_function(
                "document.querySelector('.postilla-compare-figure').dataset.drawn"
                f" === 'entity:talebani source:{SOURCE}'"
            )
            assert figure.locator("polyline").count() == 2
            assert figure.locator("polyline title").all_text_contents() == [
                "Talebani",
                "Sputnik Italia",
            ]
            label = figure.locator("svg").get_attribute("aria-label")
            assert label == "Articoli per mese: Talebani, Sputnik Italia"
            header = figure.locator("table thead th").all_text_contents()
            assert header == ["Mese", "Talebani", "Sputnik Italia"]
            cells = figure.locator("table tbody tr:last-child td").all_text_contents()
            assert cells == ["2", "2"]  # each without a month
            legend = figure.locator(".postilla-legend li").all_text_contents()
            assert legend == [
                "Talebani: 6 articoli, 2 senza mese",
                "Sputnik Italia: 6 articoli, 2 senza mese",
            ]
            # The keyboard reaches the choice.
            choice.focus()
            assert page.evaluate("document.activeElement.id") == "postilla-compare-choice"
            found = axe._audit(page, axe.AXE)
            serious = [
                n
                for n in found
                if n["impact"] in axe.FAILING and n["postilla"] and n["allowed"] < 0
            ]
            assert serious == [], "\n".join(axe._describe(n) for n in serious)
            reader.assert_clean()
        finally:
            chromium.close()
