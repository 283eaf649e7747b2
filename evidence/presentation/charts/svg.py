"""A very small SVG writer: every attribute value and every text node is escaped here.

Elements are plain strings built by ``el``; ``children`` must be strings that ``el`` made
(or ``text``), never raw data. The finished chart is marked safe once, in ``figure``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape  # the same five characters as Django's, without its lazy wrapper

from django.utils.safestring import SafeString, mark_safe

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1d2329"
MUTED = "#4a545e"
GRID = "#cfd6dd"
DANGER = "#b42318"


def num(value: float) -> str:
    """Coordinates with at most one decimal place: short, stable markup."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: Mapping[str, object] | None) -> str:
    parts = []
    for name, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if isinstance(value, float):
            value = num(value)
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return "".join(parts)


def el(name: str, attrs: Mapping[str, object] | None = None, *children: str) -> str:
    inner = "".join(children)
    if not inner:
        return f"<{name}{_attrs(attrs)}/>"
    return f"<{name}{_attrs(attrs)}>{inner}</{name}>"


def text(value: object) -> str:
    return str(escape(str(value)))


def label(x: float, y: float, value: object, **attrs: object) -> str:
    """A text element; ``value`` is escaped."""
    return el("text", {"x": x, "y": y, **attrs}, text(value))


def figure(
    *,
    chart_id: str,
    width: float,
    height: float,
    title: str,
    desc: str,
    body: Iterable[str],
    css_class: str,
) -> SafeString:
    """The whole chart: role="img", labelled by its <title> and described by its <desc>."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "class": f"chart {css_class}",
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "width": num(width),
            "height": num(height),
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "font-family": FONT,
            "font-size": 12,
            "fill": INK,
        },
        el("title", {"id": title_id}, text(title)),
        el("desc", {"id": desc_id}, text(desc)),
        *body,
    )
    return mark_safe(svg)  # noqa: S308 - built by el(), which escapes every value


# --- Marks ---------------------------------------------------------------------------------


def shape(kind: str, cx: float, cy: float, r: float, **attrs: object) -> str:
    """A mark of about the area of a circle of radius ``r`` (so size stays comparable)."""
    if kind == "circle":
        return el("circle", {"cx": cx, "cy": cy, "r": r, **attrs})
    if kind == "square":
        half = r * math.sqrt(math.pi) / 2
        return el(
            "rect", {"x": cx - half, "y": cy - half, "width": 2 * half, "height": 2 * half, **attrs}
        )
    if kind == "diamond":
        d = r * math.sqrt(math.pi / 2)
        points = [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
    elif kind in ("triangle-up", "triangle-down"):
        # An equilateral triangle of the circle's area, centred on its centroid.
        side = r * math.sqrt(4 * math.pi / math.sqrt(3))
        height = side * math.sqrt(3) / 2
        sign = 1 if kind == "triangle-up" else -1
        apex = (cx, cy - sign * 2 * height / 3)
        base_y = cy + sign * height / 3
        points = [apex, (cx + side / 2, base_y), (cx - side / 2, base_y)]
    else:
        raise ValueError(f"Unknown shape {kind!r}")
    return el("polygon", {"points": " ".join(f"{num(x)},{num(y)}" for x, y in points), **attrs})


def nice_step(span: float, *, target: int = 6) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``target`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude
