"""The growth stage's log-log chart (docs/benchmarks-growth.svg), as hand-written SVG:
axes with decade ticks, one polyline per measure, a legend; text at 12 px or more."""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 820, 520
LEFT, RIGHT, TOP, BOTTOM = 70, 300, 30, 60  # margins; the legend sits in the right one
COLOURS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#637939",
]


def _ticks(low: float, high: float) -> list[float]:
    """1, 2 and 5 times the powers of ten between low and high."""
    start, stop = math.floor(math.log10(low)), math.ceil(math.log10(high))
    found = [m * 10.0**e for e in range(start, stop + 1) for m in (1, 2, 5)]
    return [v for v in found if low <= v <= high]


def _label(value: float, unit: str = "") -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M{unit}"
    if value >= 1000:
        return f"{value / 1000:g}k{unit}"
    return f"{value:g}{unit}"


class _Scale:
    def __init__(self, low: float, high: float, start: float, length: float, flip: bool) -> None:
        self.low, self.high = math.log10(low), math.log10(high)
        self.start, self.length, self.flip = start, length, flip

    def __call__(self, value: float) -> float:
        share = (math.log10(value) - self.low) / (self.high - self.low or 1)
        return self.start + (1 - share if self.flip else share) * self.length


def _axes(x: _Scale, y: _Scale, xs: list[float], ys: list[float]) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>'
    ]
    for value in xs:
        px = x(value)
        out.append(
            f'<line x1="{px:.1f}" y1="{TOP}" x2="{px:.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>'
        )
        out.append(
            f'<text x="{px:.1f}" y="{TOP + plot_h + 18}" '
            f'text-anchor="middle">{_label(value)}</text>'
        )
    for value in ys:
        py = y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{py:.1f}" x2="{LEFT + plot_w}" y2="{py:.1f}" stroke="#ddd"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{_label(value)}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 15}" text-anchor="middle">'
        "references in the corpus (log scale)</text>"
    )
    out.append(
        f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 18 {TOP + plot_h / 2})">p50 ms at concurrency 1 (log scale)</text>'
    )
    return out


def _log_reference(series: dict, x: _Scale, y: _Scale, legend_x: float) -> list[str]:
    """A dashed line of a cost proportional to log N, from the first measure's first point."""
    if not series:
        return []
    points = next(iter(series.values()))["points"]
    n0, t0 = points[0]
    ns = [n0 * (points[-1][0] / n0) ** (i / 20) for i in range(21)]
    line = " ".join(f"{x(n):.1f},{y(t0 * math.log(n) / math.log(n0)):.1f}" for n in ns)
    dash = 'stroke="#555" stroke-width="1.5" stroke-dasharray="6 4"'
    return [
        f'<polyline points="{line}" fill="none" {dash}/>',
        f'<line x1="{legend_x}" y1="{TOP + 10}" x2="{legend_x + 18}" y2="{TOP + 10}" {dash}/>',
        f'<text x="{legend_x + 24}" y="{TOP + 14}">proportional to log N</text>',
    ]


def svg(fits: dict[str, dict], title: str) -> str:
    """One polyline per measure of ``fits`` ({name: {"points": [(N, ms)], "b": ...}})."""
    series = {name: fit for name, fit in fits.items() if len(fit["points"]) >= 2}
    ns = [n for fit in series.values() for n, _ in fit["points"]] or [1e4, 1e6]
    ts = [t for fit in series.values() for _, t in fit["points"]] or [1, 100]
    x_low, x_high = min(ns) / 1.4, max(ns) * 1.4
    y_low, y_high = min(ts) / 1.5, max(ts) * 1.5
    x = _Scale(x_low, x_high, LEFT, WIDTH - LEFT - RIGHT, flip=False)
    y = _Scale(y_low, y_high, TOP, HEIGHT - TOP - BOTTOM, flip=True)
    xs, ys = _ticks(x_low, x_high), _ticks(y_low, y_high)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        f'<text x="{LEFT}" y="18" font-size="14">{escape(title)}</text>',
        *_axes(x, y, xs, ys),
    ]
    legend_x = WIDTH - RIGHT + 15
    out += _log_reference(series, x, y, legend_x)
    for i, (name, fit) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(f"{x(n):.1f},{y(t):.1f}" for n, t in fit["points"])
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, t in fit["points"]:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y(t):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + 30 + i * 20
        out.append(
            f'<line x1="{legend_x}" y1="{ly}" x2="{legend_x + 18}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        out.append(
            f'<text x="{legend_x + 24}" y="{ly + 4}">{escape(name)} (b = {fit["b"]:.2f})</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
