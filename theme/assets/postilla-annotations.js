// Annotations: clicking (or hovering) a highlighted quote shows its note next to it;
// the filters of the annotations index show the items of one kind, tag or author.
// The notes are already in the page (the Annotations section, sanitised at build time):
// this script only moves a copy next to the highlight, it writes no HTML of its own.
(function () {
  "use strict";

  let popover = null;
  let pinned = false;

  function close() {
    if (popover) popover.remove();
    popover = null;
    pinned = false;
  }

  function open(mark, pin) {
    const id = mark.dataset.annotation;
    const card = document.getElementById("annotation-" + id);
    if (!card) return;
    if (popover && popover.dataset.annotation === id) {
      pinned = pinned || pin;
      return;
    }
    close();
    // A copy of the card as a <div>: the card is an <article>, which may not be a dialog.
    popover = document.createElement("div");
    for (const attribute of card.attributes) popover.setAttribute(attribute.name, attribute.value);
    popover.append(...card.cloneNode(true).childNodes);
    popover.removeAttribute("id");
    popover.classList.add("postilla-popover", "md-typeset"); // keep the card's look outside the article
    popover.setAttribute("role", "dialog");
    // A dialog needs a name: the note's kind and the words it is about, as the card shows them.
    const kind = card.querySelector(".postilla-kind");
    const quoted = card.querySelector(".postilla-quoted");
    const name = [kind, quoted].filter(Boolean).map((e) => e.textContent.trim().replace(/\s+/g, " "));
    const label = name.join(": ") || mark.textContent.trim();
    popover.setAttribute("aria-label", label.length > 120 ? label.slice(0, 119) + "…" : label);
    popover.dataset.annotation = id;
    const box = mark.getBoundingClientRect();
    popover.style.top = window.scrollY + box.bottom + 6 + "px";
    popover.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - 420)) + "px";
    popover.addEventListener("mouseleave", () => {
      if (!pinned) close();
    });
    document.body.append(popover);
    pinned = pin;
  }

  document.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.postilla-annotation");
    if (mark && !event.target.closest("a")) {
      event.preventDefault();
      open(mark, true);
    } else if (popover && !event.target.closest(".postilla-popover")) {
      close();
    }
  });
  document.addEventListener("keydown", (event) => {
    const mark = event.target.closest && event.target.closest("mark.postilla-annotation");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      open(mark, true);
    } else if (event.key === "Escape") {
      close();
    }
  });
  document.querySelectorAll("mark.postilla-annotation").forEach((mark) => {
    mark.addEventListener("mouseenter", () => open(mark, false));
    mark.addEventListener("mouseleave", () => {
      setTimeout(() => {
        if (popover && !pinned && !popover.matches(":hover")) close();
      }, 300);
    });
  });

  // The annotations index: one filter per select; an item shows when it passes them all.
  const list = document.querySelector("[data-filterable]");
  if (list) {
    const selects = Array.from(document.querySelectorAll("select[data-filter]"));
    const apply = () => {
      list.querySelectorAll("li").forEach((item) => {
        item.hidden = !selects.every((select) => {
          const wanted = select.value;
          if (!wanted) return true;
          const value = item.dataset[select.dataset.filter] || "";
          return select.dataset.filter === "tags" ? value.split("|").includes(wanted) : value === wanted;
        });
      });
    };
    selects.forEach((select) => select.addEventListener("change", apply));
  }

  // The "Annotate" button opens GitHub's new-file page in the article's annotations
  // folder; here it is prefilled with the site's template (generator/annotations.py),
  // this article's id and today's date. Without this script the page opens empty.
  const ARTICLE_PLACEHOLDER = "ARTICLE-ID";
  const today = () => new Date().toISOString().slice(0, 10);
  const fillTemplate = (template, article) =>
    template.replaceAll(ARTICLE_PLACEHOLDER, article).replace(/date: "\d{4}-\d{2}-\d{2}"/, `date: "${today()}"`);
  const templates = new Map(); // one fetch per template file, shared by both buttons
  const fetchTemplate = (url) => {
    if (!templates.has(url)) {
      templates.set(
        url,
        fetch(url).then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.statusText))))
      );
    }
    return templates.get(url);
  };
  document.querySelectorAll("a.postilla-annotate[data-template]").forEach((button) => {
    fetchTemplate(button.dataset.template)
      .then((template) => {
        button.href += "&value=" + encodeURIComponent(fillTemplate(template, button.dataset.article));
        button.dataset.filled = "";
      })
      .catch((error) => console.warn("annotation template:", error));
  });

  // Select to annotate: a passage selected in the article's body offers an "Annotate"
  // link next to it (Tab reaches it after the selection; Alt+Shift+A follows it). The link
  // opens the same new-file page with the template's quote replaced by the passage exactly
  // as the stored body has it, and prefix/suffix only when the passage occurs more than
  // once: the rules of generator/annotations.py (anchor, _normalised, context_for), ported.
  const body = document.querySelector(".postilla-body");
  const button = document.querySelector("a.postilla-annotate[data-template][data-select-label]");
  if (body && button) selectToAnnotate(body, button);

  function selectToAnnotate(body, button) {
    const SHORTCUT = "Alt+Shift+A";
    const QUOTE_MIN = 3; // the annotation schema's limits on a quote, in characters
    const QUOTE_MAX = 2000;
    let template = null;
    const action = document.createElement("a");
    action.className = "md-button postilla-annotate-selection";
    action.rel = "nofollow noopener";
    action.textContent = button.dataset.selectLabel;
    action.title = `${button.dataset.selectTitle} (${SHORTCUT})`;
    action.setAttribute("aria-keyshortcuts", SHORTCUT);
    action.hidden = true;
    // Pressing the link must not clear the selection it is about (nor hide the link).
    action.addEventListener("mousedown", (event) => event.preventDefault());
    action.addEventListener("blur", () => {
      if (!passage()) hide();
    });

    function hide() {
      action.hidden = true;
      action.removeAttribute("href");
    }

    // The body's paragraphs, joined by a blank line as Article.body_text joins them.
    const paragraphs = () => Array.from(body.querySelectorAll(":scope > p"));

    // The offset in the body text of a range boundary; a point between paragraphs counts
    // as the end of the one before (`end`) or the start of the next (otherwise).
    function offsetOf(node, offset, end) {
      const all = paragraphs();
      let base = 0;
      let found = end ? 0 : null;
      for (const p of all) {
        const range = document.createRange();
        range.selectNodeContents(p);
        const length = p.textContent.length;
        const where = range.comparePoint(node, offset);
        if (where === 0) {
          range.setEnd(node, offset);
          return base + range.toString().length;
        }
        if (where < 0) return end ? found : base;
        found = base + length;
        base += length + 2;
      }
      return end ? found : null;
    }

    // The selected passage as offsets of the body text, trimmed of spaces and widened to
    // whole words (a quote that cuts a word is not found as written); null when none.
    function passage() {
      const selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
      const range = selection.getRangeAt(0);
      if (!range.intersectsNode(body)) return null;
      const text = paragraphs().map((p) => p.textContent).join("\n\n");
      let start = offsetOf(range.startContainer, range.startOffset, false);
      let end = offsetOf(range.endContainer, range.endOffset, true);
      if (start === null || end === null) return null;
      while (start < end && isSpace(text[start])) start++;
      while (end > start && isSpace(text[end - 1])) end--;
      while (start > 0 && start < end && isWord(text, start - 1) && isWord(text, start)) start--;
      while (end < text.length && end > start && isWord(text, end - 1) && isWord(text, end)) end++;
      const quote = text.slice(start, end);
      const length = Array.from(quote).length;
      if (length < QUOTE_MIN || length > QUOTE_MAX) return null;
      return { text, start, end, quote };
    }

    function place(found) {
      const range = window.getSelection().getRangeAt(0);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      const last = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
      const box = body.getBoundingClientRect();
      // Outside the body, right after it: inside, its words would become part of the body's
      // text while shown, and shift every TextPositionSelector of the W3C export (Tab
      // reaches it all the same: see the keydown handler).
      if (action.previousElementSibling !== body) body.after(action);
      action.hidden = false;
      const width = action.offsetWidth;
      const frame = (action.offsetParent || document.documentElement).getBoundingClientRect();
      const left = Math.max(box.left, Math.min(last.right - width / 2, box.right - width));
      action.style.left = left - frame.left + "px";
      action.style.top = last.bottom - frame.top + 6 + "px";
    }

    // Whether Tab starts from the selection: focus is on no control, or in the body.
    function tabsFromSelection() {
      const focused = document.activeElement;
      return focused !== action && (!focused || focused === document.body || body.contains(focused));
    }

    function update() {
      if (document.activeElement === action) return; // keep it while a keyboard user is on it
      const found = template === null ? null : passage();
      if (!found) return hide();
      action.href = newFileUrl(button.href, fileFor(template, button.dataset.article, found), found.quote);
      place(found);
    }

    fetchTemplate(button.dataset.template)
      .then((text) => {
        template = text;
        document.addEventListener("selectionchange", update);
        window.addEventListener("resize", update);
        document.addEventListener("keydown", (event) => {
          if (event.altKey && event.shiftKey && event.code === "KeyA" && !action.hidden) {
            event.preventDefault();
            action.click();
          } else if (event.key === "Tab" && !event.shiftKey && !action.hidden && tabsFromSelection()) {
            // Next after the selection is its link, not whatever link follows in the text.
            event.preventDefault();
            action.focus();
          } else if (event.key === "Escape" && !action.hidden) {
            hide();
          }
        });
        update();
      })
      .catch(() => {}); // reported by the button above
  }

  // --- the prefilled file (pure functions over strings) ---------------------------------

  // Python's str.isspace() (what `\s` matches in generator/annotations.py), not JavaScript's.
  const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const SPACES = new RegExp(`[${SPACE}]+`, "g");
  const ONE_SPACE = new RegExp(`^[${SPACE}]$`);
  const QUOTES = { "’": "'", "‘": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"' };
  const WORD = /^[\p{L}\p{N}]$/u; // Python's str.isalnum()

  function isSpace(char) {
    return char !== undefined && ONE_SPACE.test(char);
  }

  // Whether the character at `index` (of a code unit; either half of a pair) is a letter or digit.
  function isWord(text, index) {
    if (index < 0 || index >= text.length) return false;
    const unit = text.charCodeAt(index);
    const at = unit >= 0xdc00 && unit <= 0xdfff && index > 0 ? index - 1 : index;
    return WORD.test(String.fromCodePoint(text.codePointAt(at)));
  }

  // annotations._normalised: curly quotes straight, whitespace runs one space, and for each
  // character of the result its offset in `text`.
  function normalised(text) {
    const translated = text.replace(/[’‘‚‛“”„‟]/g, (q) => QUOTES[q]);
    let out = "";
    const offsets = [];
    let position = 0;
    for (const run of translated.matchAll(SPACES)) {
      out += translated.slice(position, run.index) + " ";
      for (let i = position; i <= run.index; i++) offsets.push(i);
      position = run.index + run[0].length;
    }
    out += translated.slice(position);
    for (let i = position; i < translated.length; i++) offsets.push(i);
    return { text: out, offsets };
  }

  // annotations._occurrences: where `quote` occurs in `text` as whole words.
  function occurrences(text, quote) {
    const found = [];
    if (!quote) return found;
    for (let start = text.indexOf(quote); start >= 0; start = text.indexOf(quote, start + 1)) {
      const end = start + quote.length;
      if (start > 0 && isWord(quote, 0) && isWord(text, start - 1)) continue;
      if (end < text.length && isWord(quote, quote.length - 1) && isWord(text, end)) continue;
      found.push(start);
    }
    return found;
  }

  function contextFits(text, start, end, prefix, suffix) {
    const before = text.slice(0, start).trimEnd();
    const after = text.slice(end).trimStart();
    return (!prefix || before.endsWith(prefix.trimEnd())) && (!suffix || after.startsWith(suffix.trimStart()));
  }

  // annotations.context_for: the shortest prefix and suffix (whole words, a word at a time)
  // that make the quote at start:end of `body` the only fitting occurrence.
  function contextFor(body, start, end) {
    const { text, offsets } = normalised(body);
    const quote = normalised(body.slice(start, end)).text.trim();
    const starts = occurrences(text, quote);
    if (starts.length <= 1) return {};
    let here = offsets.findIndex((offset) => offset >= start);
    if (here < 0) here = offsets.length;
    const before = text.slice(0, here).split(" ").filter(Boolean);
    const after = text.slice(here + quote.length).split(" ").filter(Boolean);
    for (let words = 1; words <= Math.max(before.length, after.length); words++) {
      const prefix = before.slice(-words).join(" ");
      const suffix = after.slice(0, words).join(" ");
      const fitting = starts.filter((s) => contextFits(text, s, s + quote.length, prefix, suffix));
      if (fitting.length === 1 && fitting[0] === here) return { prefix: prefix || null, suffix: suffix || null };
    }
    return {};
  }

  // A YAML double-quoted scalar that reads back as `value`, whatever it holds: JSON's
  // escapes, plus those YAML needs for what JSON leaves bare (DEL and C1 controls, line
  // and paragraph separators, byte order mark, noncharacters).
  function yamlString(value) {
    return JSON.stringify(value).replace(
      /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
      (char) => "\\u" + char.charCodeAt(0).toString(16).padStart(4, "0")
    );
  }

  // The site's template with this article, today's date, the quote and its context.
  function fileFor(template, article, found) {
    const { prefix, suffix } = contextFor(found.text, found.start, found.end);
    return fillTemplate(template, article).replace(/^( *)- quote: .*$/m, (line, indent) =>
      [
        `${indent}- quote: ${yamlString(found.quote)}`,
        prefix ? `${indent}  prefix: ${yamlString(prefix)}` : null,
        suffix ? `${indent}  suffix: ${yamlString(suffix)}` : null,
      ]
        .filter((l) => l !== null)
        .join("\n")
    );
  }

  // A file name like `postilla annotate` gives: the date and the quote's first words.
  function fileName(quote) {
    const words = quote
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    let slug = "";
    for (const word of words) {
      if ((slug + "-" + word).length > 31) break;
      slug = slug ? slug + "-" + word : word;
    }
    return `${today()}-${slug || "nota"}.yml`;
  }

  function newFileUrl(base, file, quote) {
    const url = new URL(base, document.baseURI);
    url.searchParams.delete("value");
    url.searchParams.set("filename", fileName(quote));
    // %20, not URLSearchParams' "+", for spaces: as the Annotate button encodes them.
    return url.href + "&value=" + encodeURIComponent(file);
  }
})();

// The Cite block (generator/citations.py, cite_block): its BibTeX and CSL-JSON code blocks
// are empty in the page and filled from cite.bib and cite.json, beside the page, the first
// time the reader opens the block (Material's copy buttons copy what they then hold).
// Without this script the block's download links give the same files.
(function () {
  "use strict";

  function fill(block) {
    for (const pre of block.querySelectorAll("pre[data-src]")) {
      const code = pre.querySelector("code");
      if (!code || code.textContent) continue;
      pre.setAttribute("aria-busy", "true");
      fetch(pre.dataset.src)
        .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
        .then((text) => {
          code.textContent = text;
        })
        .catch(() => pre.removeAttribute("data-src"))
        .finally(() => pre.removeAttribute("aria-busy"));
    }
  }

  for (const block of document.querySelectorAll("details.postilla-cite")) {
    if (block.open) fill(block);
    block.addEventListener("toggle", () => block.open && fill(block));
  }
})();
