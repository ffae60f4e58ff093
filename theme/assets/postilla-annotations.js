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
  document.querySelectorAll("a.postilla-annotate[data-template]").forEach((button) => {
    fetch(button.dataset.template)
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.statusText))))
      .then((template) => {
        const today = new Date().toISOString().slice(0, 10);
        const filled = template
          .replaceAll(ARTICLE_PLACEHOLDER, button.dataset.article)
          .replace(/date: "\d{4}-\d{2}-\d{2}"/, `date: "${today}"`);
        button.href += "&value=" + encodeURIComponent(filled);
        button.dataset.filled = "";
      })
      .catch((error) => console.warn("annotation template:", error));
  });
})();
