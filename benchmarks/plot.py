"""Plot the scale benchmark: build time and site size against the number of articles.

    python -m benchmarks.plot

Reads ``benchmarks/results/scale-*.json`` (written by ``python -m benchmarks.scale``) and
writes ``benchmarks/results/scale.svg``: two line charts side by side, total build time
(s) and site size (MB), each against the article count on a logarithmic x axis, every
point labelled with its value. Plain SVG written by hand: no plotting library needed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
CHART_WIDTH, CHART_HEIGHT = 420, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 30, 40, 50
FONT = "font-family='system-ui, sans-serif' font-size='12'"


@dataclass(frozen=True)
class Series:
    title: str
    unit: str
    points: list[tuple[float, float]]  # (articles, value)
    color: str


def load_rows(folder: Path = RESULTS) -> list[dict]:
    """The benchmark results, smallest archive first."""
    rows = [json.loads(p.read_text("utf-8")) for p in folder.glob("scale-*.json")]
    return sorted(rows, key=lambda row: row["articles"])


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten (and 2× and 5× between them when the range is narrow) in [low, high]."""
    ticks = []
    steps = (1, 2, 5) if high / low < 1000 else (1,)
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ticks += [s * 10**exponent for s in steps if low <= s * 10**exponent <= high]
    return ticks


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `high`."""
    raw = high / count if high > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(math.ceil(high / step) + 1)]


def tick_label(tick: float, step: float) -> str:
    """An axis label with as many decimals as the tick step needs (0, 0.25, 0.5…)."""
    decimals = 0
    while decimals < 4 and abs(round(step, decimals) - step) > 1e-9:
        decimals += 1
    return f"{tick:,.{decimals}f}"


def number(value: float) -> str:
    """A short label: 1,000 / 12.5 / 0.84 / 0."""
    if value == 0 or value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def chart(series: Series, left: float) -> list[str]:
    """The SVG elements of one chart whose frame starts at x = `left`."""
    xs = [x for x, _ in series.points]
    low, high = min(xs), max(xs)
    if low == high:  # one size only: a decade around it
        low, high = low / math.sqrt(10), high * math.sqrt(10)
    low, high = low / 1.3, high * 1.3
    y_ticks = nice_ticks(max(y for _, y in series.points) * 1.1)
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    x0, y0 = left + MARGIN_LEFT, MARGIN_TOP + plot_h

    def px(x: float) -> float:
        return (
            x0 + (math.log10(x) - math.log10(low)) / (math.log10(high) - math.log10(low)) * plot_w
        )

    def py(y: float) -> float:
        return y0 - y / y_ticks[-1] * plot_h

    out = [
        f"<text x='{left + CHART_WIDTH / 2}' y='22' text-anchor='middle' {FONT} "
        f"font-weight='bold'>{escape(series.title)}</text>",
        f"<line x1='{x0}' y1='{y0}' x2='{x0 + plot_w}' y2='{y0}' stroke='#444'/>",
        f"<line x1='{x0}' y1='{y0}' x2='{x0}' y2='{MARGIN_TOP}' stroke='#444'/>",
    ]
    for tick in y_ticks:
        y = py(tick)
        out.append(f"<line x1='{x0}' y1='{y:.1f}' x2='{x0 + plot_w}' y2='{y:.1f}' stroke='#eee'/>")
        out.append(
            f"<text x='{x0 - 6}' y='{y + 4:.1f}' text-anchor='end' {FONT}>{tick_label(tick, y_ticks[1])}</text>"
        )
    for tick in log_ticks(low, high):
        x = px(tick)
        out.append(f"<line x1='{x:.1f}' y1='{y0}' x2='{x:.1f}' y2='{y0 + 5}' stroke='#444'/>")
        out.append(
            f"<text x='{x:.1f}' y='{y0 + 18}' text-anchor='middle' {FONT}>{tick:,.0f}</text>"
        )
    out.append(
        f"<text x='{x0 + plot_w / 2}' y='{CHART_HEIGHT - 10}' text-anchor='middle' {FONT}>"
        "articles (log scale)</text>"
    )
    out.append(
        f"<text transform='translate({left + 16} {MARGIN_TOP + plot_h / 2}) rotate(-90)' "
        f"text-anchor='middle' {FONT}>{escape(series.unit)}</text>"
    )
    path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in series.points)
    out.append(f"<polyline points='{path}' fill='none' stroke='{series.color}' stroke-width='2'/>")
    for x, y in series.points:
        out.append(f"<circle cx='{px(x):.1f}' cy='{py(y):.1f}' r='4' fill='{series.color}'/>")
        out.append(
            f"<text x='{px(x):.1f}' y='{py(y) - 9:.1f}' text-anchor='middle' {FONT}>"
            f"{number(y)}</text>"
        )
    return out


def svg(rows: list[dict]) -> str:
    """The two charts as one SVG document."""
    time = Series(
        "Total build time", "seconds", [(r["articles"], r["build_s"]) for r in rows], "#3f51b5"
    )
    size = Series(
        "Site size", "MB", [(r["articles"], r["site_bytes"] / 1e6) for r in rows], "#e65100"
    )
    width = 2 * CHART_WIDTH
    body = chart(time, 0) + chart(size, CHART_WIDTH)
    return "\n".join(
        [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{CHART_HEIGHT}' "
            f"viewBox='0 0 {width} {CHART_HEIGHT}'>",
            f"<rect width='{width}' height='{CHART_HEIGHT}' fill='white'/>",
            *body,
            "</svg>",
            "",
        ]
    )


def main() -> None:
    rows = load_rows()
    if not rows:
        raise SystemExit(f"no results in {RESULTS} — run python -m benchmarks.scale first")
    target = RESULTS / "scale.svg"
    target.write_text(svg(rows), encoding="utf-8")
    print(f"wrote {target} ({len(rows)} sizes: {', '.join(str(r['articles']) for r in rows)})")


if __name__ == "__main__":
    main()
