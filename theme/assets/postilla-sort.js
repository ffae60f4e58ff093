// Sortable tables: click a heading of a table.postilla-sortable to sort by that column;
// click again to reverse. Numbers sort as numbers where the heading says data-sort="number".
(function () {
  "use strict";
  function sort(table, column, numeric, descending) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const key = (row) => row.cells[column].textContent.trim();
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, document.documentElement.lang);
      return descending ? -order : order;
    });
    body.append(...rows);
  }
  document.querySelectorAll("table.postilla-sortable").forEach((table) => {
    Array.from(table.tHead.rows[0].cells).forEach((heading, column) => {
      heading.tabIndex = 0;
      heading.setAttribute("role", "button");
      heading.addEventListener("click", () => {
        const descending = heading.getAttribute("aria-sort") === "ascending";
        Array.from(heading.parentElement.cells).forEach((h) => h.removeAttribute("aria-sort"));
        heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
        sort(table, column, heading.dataset.sort === "number", descending);
      });
    });
  });
})();
