"""The charts' visual vocabulary: a shape and a colour for each direction of effect and each
verdict status, and GRADE's certainty circles (⊕⊕◯◯) as a small inline SVG.

Colours are dark enough for 4.5:1 against white, and never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from evidence.models import Direction, Verdict

from .svg import el, num, shape


@dataclass(frozen=True)
class Mark:
    shape: str
    colour: str
    filled: bool
    label: str


DIRECTION_MARKS: dict[str, Mark] = {
    Direction.BENEFIT: Mark("triangle-up", "#1f6f43", True, "Benefit"),
    Direction.NO_BENEFIT: Mark("circle", "#3d4a56", False, "No benefit"),
    Direction.MIXED: Mark("diamond", "#8a5a00", True, "Mixed"),
    Direction.HARM: Mark("triangle-down", "#b42318", True, "Harm"),
    Direction.UNCLEAR: Mark("square", "#5b4b8a", False, "Unclear"),
}

STATUS_COLOURS: dict[str, str] = {
    Verdict.Status.ESTABLISHED: "#1f6f43",
    Verdict.Status.SUPPORTED: "#2f6b2f",
    Verdict.Status.INVESTIGATIONAL: "#8a5a00",
    Verdict.Status.NOT_SUPPORTED: "#b42318",
    Verdict.Status.CONTRAINDICATED: "#7a1010",
}

# GRADE: high ⊕⊕⊕⊕, moderate ⊕⊕⊕◯, low ⊕⊕◯◯, very low ⊕◯◯◯.
CERTAINTY_LEVELS: dict[str, int] = {
    Verdict.Certainty.HIGH: 4,
    Verdict.Certainty.MODERATE: 3,
    Verdict.Certainty.LOW: 2,
    Verdict.Certainty.VERY_LOW: 1,
}


def mark_element(direction: str, cx: float, cy: float, r: float, *, dashed: bool = False) -> str:
    mark = DIRECTION_MARKS.get(direction, DIRECTION_MARKS[Direction.UNCLEAR])
    return shape(
        mark.shape,
        cx,
        cy,
        r,
        fill=mark.colour if mark.filled else "#ffffff",
        fill_opacity=0.85 if mark.filled else None,
        stroke=mark.colour,
        stroke_width=2,
        stroke_dasharray="2.5 1.5" if dashed else None,
    )


def certainty_circles(certainty: str, x: float, y: float, *, r: float = 6.0, colour: str) -> str:
    """Four circles from (x, y) (the first one's centre): filled ones carry a plus."""
    level = CERTAINTY_LEVELS.get(certainty, 0)
    parts = []
    for i in range(4):
        cx = x + i * (2 * r + 3)
        filled = i < level
        parts.append(
            el(
                "circle",
                {
                    "cx": cx,
                    "cy": y,
                    "r": r,
                    "fill": colour if filled else "#ffffff",
                    "stroke": colour,
                    "stroke-width": 1.5,
                },
            )
        )
        if filled:
            arm = r * 0.55
            parts.append(
                el(
                    "path",
                    {
                        "d": f"M{num(cx - arm)} {num(y)}H{num(cx + arm)}"
                        f"M{num(cx)} {num(y - arm)}V{num(y + arm)}",
                        "stroke": "#ffffff",
                        "stroke-width": 1.6,
                    },
                )
            )
    return "".join(parts)


def certainty_glyph(certainty: str, *, colour: str = "currentColor") -> SafeString:
    """GRADE's ⊕⊕◯◯ as decoration beside a visible certainty label (hidden from AT)."""
    r = 5.0
    width = 4 * 2 * r + 3 * 3 + 2
    svg = el(
        "svg",
        {
            "class": f"certainty-glyph certainty-glyph--{certainty}",
            "viewBox": f"0 0 {num(width)} {num(2 * r + 2)}",
            "width": num(width),
            "height": num(2 * r + 2),
            "aria-hidden": "true",
            "focusable": "false",
        },
        certainty_circles(certainty, r + 1, r + 1, r=r, colour=colour),
    )
    return mark_safe(svg)  # noqa: S308 - built by el(), which escapes every value


def direction_glyph(direction: str) -> SafeString:
    """A legend swatch: the direction's shape, decoration beside its visible label."""
    svg = el(
        "svg",
        {
            "class": "direction-glyph",
            "viewBox": "0 0 18 18",
            "width": 18,
            "height": 18,
            "aria-hidden": "true",
            "focusable": "false",
        },
        mark_element(direction, 9, 9.5, 6),
    )
    return mark_safe(svg)  # noqa: S308 - built by el(), which escapes every value
