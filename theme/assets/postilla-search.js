// Postilla search: Material's header search box over the Pagefind index.
//
// Pagefind stems words in the page's language (Italian: "talebano" finds "talebani")
// and loads only the index chunks a query needs, so search stays small as the archive
// grows. Results are written with DOM methods; only Pagefind's excerpt (escaped text
// with <mark> around the hits) is set as HTML.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base + "/", location.href);

  // Italian text (generator/search_text.py, which holds the rules; tests/test_search.py
  // checks that this copy agrees): every apostrophe is written ', as in the search
  // documents, and an elided article or preposition glued to a word is dropped
  // ("dell'Isis" is searched as "Isis": Pagefind would search "dellisis", and fall back
  // to "dell", the stem of every "della", where an index lacks it).
  // <search-text>
  const APOSTROPHES = /[\u2019\u2018\u201b\u02bc\u00b4\u0060\u2032\uff07]/gu;
  const ELISIONS = [
    "l", "un", "gl",
    "dell", "all", "dall", "nell", "sull", "coll", "pell",
    "d",
    "quest", "quell",
  ];
  const ELIDED = new RegExp(
    `(?<![\\p{L}\\p{N}_'])(?:${[...ELISIONS].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).join("|")})'(?=[\\p{L}\\p{N}])`,
    "giu",
  );
  function searchQuery(query) {
    return query.replace(APOSTROPHES, "'").replace(ELIDED, "").split(/\s+/u).filter(Boolean).join(" ");
  }
  // </search-text>

  // The page opened from a result (its address carries the words searched): they are
  // marked in the article's text by Pagefind's highlight script, from the site's own
  // bundle, fetched only then.
  const HIGHLIGHT_PARAM = "highlight";
  const body = document.querySelector(".postilla-body");
  if (body && new URLSearchParams(location.search).has(HIGHLIGHT_PARAM)) {
    import(new URL("pagefind/pagefind-highlight.js", base).href).then(({ default: PagefindHighlight }) => {
      new PagefindHighlight({
        highlightParam: HIGHLIGHT_PARAM,
        markContext: [body],
        markOptions: { className: "postilla-highlight", exclude: ["[data-pagefind-ignore]", "[data-pagefind-ignore] *"] },
        addStyles: false, // Material's <mark>, in the light and the dark scheme
      });
    });
  }

  const root = document.querySelector("[data-postilla-search]");
  if (!root) return;
  const input = root.querySelector("[data-postilla-search-query]");
  const result = root.querySelector("[data-postilla-search-result]");
  const meta = result.querySelector(".md-search-result__meta");
  const list = result.querySelector(".md-search-result__list");
  const toggle = document.getElementById("__search");
  const MAX_RESULTS = 20;

  const filterBox = root.querySelector("[data-postilla-search-filters]");
  const menus = filterBox.querySelector(".postilla-search-filter-menus");
  const FILTER_LABELS = { source: "⌂", year: "📅", entity: "◉", annotation: "✎" };
  const chosen = {};

  // The index is in shards (one per year: pagefind/<shard>/, listed in shards.json):
  // the newest is opened, the others merged into it, and a query searches them all.
  // Merged shards reuse the first one's WebAssembly; each adds its small metadata.
  // In an archive built in parts (generator/parts.py) a shard may be another part's,
  // listed by its path ("parts/2020/pagefind/2020", or "../2020/pagefind/2020" from a
  // part): its pages' addresses start at that part's root, the folder above pagefind/.
  const bundleOf = (shard) => new URL(shard.includes("/") ? `${shard}/` : `pagefind/${shard}/`, base);
  const pagesOf = (shard) =>
    shard.includes("/") ? new URL(shard.slice(0, shard.lastIndexOf("pagefind/")), base).pathname : base.pathname;
  let loading = null;
  function load() {
    if (!loading) loading = open();
    return loading;
  }
  let hidden = new Set(); // each shard's vocabulary page: in the index, never a result
  async function open() {
    const listing = await fetch(new URL("pagefind/shards.json", base)).then((r) => r.json());
    hidden = new Set(listing.hidden);
    const [first, ...others] = listing.shards;
    // Results link to their page with the words searched (?highlight=…), which it marks.
    const options = { excerptLength: 24, highlightParam: HIGHLIGHT_PARAM };
    const engine = await import(new URL("pagefind.js", bundleOf(first)).href);
    await engine.options({ ...options, baseUrl: pagesOf(first) });
    await engine.init();
    await Promise.all(
      others.map((shard) => engine.mergeIndex(bundleOf(shard).pathname, { ...options, baseUrl: pagesOf(shard) })),
    );
    return engine;
  }

  // The filters' values (every source, year, entity and kind of annotation, with their
  // counts) are the largest files of a big index: fetched only when a reader opens them.
  let filtersShown = false;
  filterBox.addEventListener("toggle", async () => {
    if (!filterBox.open || filtersShown) return;
    filtersShown = true;
    const engine = await load();
    showFilters(await engine.filters());
  });

  // One menu per filter of the index; choosing a value narrows the results.
  function showFilters(filters) {
    const names = Object.keys(FILTER_LABELS).filter((name) => filters[name] && Object.keys(filters[name]).length > 1);
    for (const name of names) {
      const select = document.createElement("select");
      select.dataset.filter = name;
      // Named in the site's language (the labels come from the template), as its first option.
      const label = filterBox.dataset["label" + name[0].toUpperCase() + name.slice(1)] || name;
      select.setAttribute("aria-label", label);
      const all = document.createElement("option");
      all.value = "";
      all.textContent = `${FILTER_LABELS[name]} ${label}`;
      select.append(all);
      const values = Object.entries(filters[name]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      for (const [value, count] of values) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = `${value} (${count})`;
        select.append(option);
      }
      select.addEventListener("change", () => {
        if (select.value) chosen[name] = select.value;
        else delete chosen[name];
        run(input.value);
      });
      menus.append(select);
    }
    filterBox.dataset.loaded = String(names.length);
  }

  function count(n) {
    if (n === 0) return result.dataset.none;
    if (n === 1) return result.dataset.one;
    return result.dataset.other.replace("#", String(n));
  }

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    link.tabIndex = -1;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    const details = document.createElement("p");
    details.className = "postilla-search-details";
    details.textContent = [data.meta.publisher, data.meta.date].filter(Boolean).join(" · ");
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt; // Pagefind escapes the page text; only <mark> is markup
    article.append(title, details, excerpt);
    link.append(article);
    li.append(link);
    return li;
  }

  let latest = 0;
  async function run(typed) {
    const ticket = ++latest;
    const query = searchQuery(typed);
    if (!query) {
      meta.textContent = result.dataset.placeholder;
      list.replaceChildren();
      result.dataset.query = "";
      return;
    }
    const engine = await load();
    const search = await engine.debouncedSearch(query, { filters: { ...chosen } }, 150);
    if (search === null || ticket !== latest) return; // a newer query is on its way
    const results = search.results.filter((r) => !hidden.has(r.id));
    const data = await Promise.all(results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (ticket !== latest) return;
    meta.textContent = count(results.length);
    list.replaceChildren(...data.map(item));
    result.dataset.query = typed; // the query these results answer (tests wait for it)
  }

  input.addEventListener("input", () => run(input.value));
  input.addEventListener("focus", () => {
    toggle.checked = true;
    load();
  });
  root.querySelector("button[type=reset]").addEventListener("click", () => {
    input.value = "";
    run("");
    input.focus();
  });
  toggle.addEventListener("change", () => {
    if (toggle.checked) input.focus();
    else input.blur();
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      toggle.checked = true;
      input.focus();
    } else if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      input.blur();
    }
  });
})();
