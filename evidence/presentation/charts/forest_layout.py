"""The forest plot's geometry: its two layouts (wide and compact) and its value axis."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..forest import ForestGroup
from .svg import label, nice_step


@dataclass(frozen=True)
class Layout:
    """Wide: study labels in a column left of the plot. Compact (phones): each label
    above its row, so that the plot keeps a readable width."""

    name: str
    width: float
    label_right: float  # study labels end here (wide)
    plot_left: float
    plot_right: float
    estimate_left: float
    row: float
    labels_above: bool


WIDE = Layout("wide", 720, 176, 190, 540, 556, row=28, labels_above=False)
# Compact: narrow enough that a 320 px phone draws its 12-unit text at 11 px or more; each
# row's label and estimate share the line above it, so the plot takes the whole width.
COMPACT = Layout("compact", 300, 0, 12, 288, 288, row=46, labels_above=True)
# The smallest text a compact plot draws (the wide one may go smaller: it scrolls).
COMPACT_MIN_FONT = 12
TOP = 8
LOG_TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]
FILL = "#0b5cad"


class Scale:
    """Where a value falls on the plot: log for ratio measures, linear otherwise."""

    def __init__(self, group: ForestGroup, values: list[float], layout: Layout):
        self.left, self.right = layout.plot_left, layout.plot_right
        self.ratio = group.is_ratio
        values = [v for v in values if v is not None and (v > 0 or not self.ratio)]
        values.append(group.null_value)
        low, high = min(values), max(values)
        if self.ratio:
            # At least 0.5 to 2, so that a narrow interval still gets a readable axis.
            low, high = max(min(low, 0.5), 0.01), min(max(high, 2.0), 100)
            span = math.log(high) - math.log(low) or math.log(4)
            self.low = math.exp(math.log(low) - span * 0.08)
            self.high = math.exp(math.log(high) + span * 0.08)
        else:
            span = (high - low) or 1.0
            self.low, self.high = low - span * 0.08, high + span * 0.08

    def _t(self, value: float) -> float:
        return math.log(value) if self.ratio else value

    def x(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        fraction = (self._t(value) - self._t(self.low)) / (self._t(self.high) - self._t(self.low))
        return self.left + fraction * (self.right - self.left)

    def clipped(self, value: float) -> bool:
        return value < self.low or value > self.high

    def ticks(self) -> list[float]:
        if self.ratio:
            ticks = [t for t in LOG_TICKS if self.low <= t <= self.high]
            if len(ticks) > 7:
                ticks = [t for t in ticks if math.log10(t).is_integer()]
            return ticks
        step = nice_step(self.high - self.low, target=5)
        first = math.ceil(self.low / step) * step
        ticks, tick = [], first
        while tick <= self.high + 1e-9:
            ticks.append(round(tick, 10))
            tick += step
        return ticks


# --- Where a row's texts go in each layout ---------------------------------------------


def row_label(layout: Layout, y: float, value: str, **attrs: object) -> str:
    """A row's name: left of the plot (wide), or above the row (compact)."""
    if layout.labels_above:
        return label(layout.plot_left, y - 13, value, **compact_text(attrs))
    return label(layout.label_right, y + 4, value, text_anchor="end", **attrs)


def estimate_label(layout: Layout, y: float, value: str, **attrs: object) -> str:
    """A row's estimate: right of the plot (wide), or at the right end of the line above
    the row, beside its name (compact)."""
    if layout.labels_above:
        return label(layout.plot_right, y - 13, value, text_anchor="end", **compact_text(attrs))
    return label(layout.estimate_left, y + 4, value, **attrs)


def note_label(layout: Layout, y: float, value: str, **attrs: object) -> str:
    """A line under a row (why a study is not pooled): under the estimates (wide), or from
    the plot's left edge (compact)."""
    if layout.labels_above:
        return label(layout.plot_left, y, value, **compact_text(attrs))
    return label(layout.estimate_left, y, value, **attrs)


def compact_text(attrs: dict) -> dict:
    """A compact plot's text is never smaller than COMPACT_MIN_FONT."""
    size = max(float(attrs.get("font_size") or COMPACT_MIN_FONT), COMPACT_MIN_FONT)
    return {**attrs, "font_size": size}
