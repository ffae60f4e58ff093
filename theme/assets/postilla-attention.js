// The comparison of attention over time (attention/index.html): the reader chooses entities
// or sources in the form; their articles by month, read from series.json beside the page,
// are drawn as lines (inline SVG) with a legend and a table of the numbers. The markup is
// generator/attention.py's (compare_svg, compare_legend, compare_table): keep them alike.
// Without this script the page shows the default comparison that attention.py drew.
(function () {
  "use strict";
  const root = document.querySelector(".postilla-compare[data-src]");
  if (!root) return;
  const WIDTH = 640, HEIGHT = 200, PAD = 24;
  const text = root.dataset;
  const esc = (value) => String(value).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");

  function svg(series, months) {
    const peak = Math.max(1, ...series.map((s) => Math.max(0, ...s.counts)));
    const step = (WIDTH - 2 * PAD) / Math.max(1, months.length - 1);
    const point = (i, n) =>
      (PAD + i * step).toFixed(1) + "," + (HEIGHT - PAD - ((HEIGHT - 2 * PAD) * n) / peak).toFixed(1);
    const lines = series.map((s, number) =>
      '<polyline class="postilla-series postilla-series-' + number + '" fill="none" points="' +
      s.counts.map((n, i) => point(i, n)).join(" ") + '"><title>' + esc(s.name) + "</title></polyline>"
    ).join("");
    const label = text.label.replace("{names}", () => series.map((s) => s.name).join(", "));
    return '<svg class="postilla-compare-svg" role="img" aria-label="' + esc(label) + '" viewBox="0 0 ' +
      WIDTH + " " + HEIGHT + '" width="' + WIDTH + '" height="' + HEIGHT + '">' +
      '<line class="postilla-axis" x1="' + PAD + '" y1="' + (HEIGHT - PAD) + '" x2="' + (WIDTH - PAD) +
      '" y2="' + (HEIGHT - PAD) + '"/>' +
      '<text x="' + PAD + '" y="' + (HEIGHT - 6) + '">' + esc(months[0] || "") + "</text>" +
      '<text x="' + (WIDTH - PAD) + '" y="' + (HEIGHT - 6) + '" text-anchor="end">' +
      esc(months[months.length - 1] || "") + "</text>" +
      '<text x="' + PAD + '" y="14">' + peak + "</text>" + lines + "</svg>";
  }

  function total(s) {
    return s.counts.reduce((a, b) => a + b, 0) + s.undated;
  }

  function figure(series, months) {
    const legend = '<ul class="postilla-legend">' + series.map((s, n) =>
      '<li><span class="postilla-swatch postilla-series-' + n + '" aria-hidden="true"></span>' +
      esc(text.legend.replace(/\{(name|n|undated)\}/g, (_, key) =>
        String({ name: s.name, n: total(s), undated: s.undated }[key]))) +
      "</li>").join("") + "</ul>";
    const head = series.map((s) => '<th scope="col">' + esc(s.name) + "</th>").join("");
    const rows = months.map((m, i) => '<tr><th scope="row">' + esc(m) + "</th>" +
      series.map((s) => "<td>" + s.counts[i] + "</td>").join("") + "</tr>").join("");
    const last = '<tr><th scope="row">' + esc(text.withoutMonth) + "</th>" +
      series.map((s) => "<td>" + s.undated + "</td>").join("") + "</tr>";
    return svg(series, months) + legend +
      '<details class="postilla-compare-numbers"><summary>' + esc(text.table) + "</summary>" +
      '<table class="postilla-compare-table"><thead><tr><th scope="col">' + esc(text.month) +
      "</th>" + head + "</tr></thead><tbody>" + rows + last + "</tbody></table></details>";
  }

  fetch(text.src)
    .then((response) => {
      if (!response.ok) throw new Error(text.src + ": " + response.status);
      return response.json();
    })
    .then((data) => {
      const byKey = new Map(data.series.map((s) => [s.key, s]));
      const form = root.querySelector("form");
      const select = form.querySelector("select");
      const target = root.querySelector(".postilla-compare-figure");
      const max = Number(text.max) || 8;
      function draw() {
        const chosen = Array.from(select.selectedOptions)
          .map((option) => byKey.get(option.value))
          .filter(Boolean)
          .slice(0, max);
        target.innerHTML = figure(chosen, data.months);
        target.dataset.drawn = chosen.map((s) => s.key).join(" ");
      }
      form.addEventListener("submit", (event) => event.preventDefault());
      select.addEventListener("change", draw);
      form.hidden = false;
      draw();
    })
    .catch((error) => console.warn("postilla-attention:", error));
})();
