"""The evidence map of one therapy: each condition a row, each verdict status a column.

A condition's mark sits in the column of its verdict's status (position is the cue that
needs no colour); the mark is GRADE's four certainty circles, labelled in words beneath.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString

from evidence.models import Verdict

from .glyphs import STATUS_COLOURS, certainty_circles
from .svg import GRID, MUTED, el, figure, label, text

LEFT = 290
COLUMN = 104
TOP = 44
ROW = 50
BOTTOM = 10
STATUSES = list(Verdict.Status)
CERTAINTY_LABELS = dict(Verdict.Certainty.choices)


def _condition_label(condition: Any) -> str:
    name = condition.name
    return name if len(name) <= 40 else name[:39] + "…"


def evidence_map_svg(*, verdicts: Sequence[Any], chart_id: str, therapy: str) -> SafeString | None:
    """``verdicts``: rows with ``.verdict`` (its condition and the parent loaded)."""
    if not verdicts:
        return None
    # Each parent condition followed by its sub-conditions, indented.
    verdicts = sorted(
        verdicts,
        key=lambda item: (
            (item.verdict.condition.parent or item.verdict.condition).name.casefold(),
            item.verdict.condition.parent_id is not None,
            item.verdict.condition.name.casefold(),
        ),
    )
    width = LEFT + COLUMN * len(STATUSES) + 10
    height = TOP + ROW * len(verdicts) + BOTTOM
    body = _columns(len(verdicts))
    for row, item in enumerate(verdicts):
        body += _row(item.verdict, TOP + row * ROW + ROW / 2, width)
    desc = " ".join(
        [f"Verdicts on {therapy} for {len(verdicts)} condition{'s' if len(verdicts) != 1 else ''}."]
        + [
            f"{item.verdict.condition.name}: {item.verdict.get_status_display().lower()}, "
            f"{CERTAINTY_LABELS.get(item.verdict.certainty, '').lower()} certainty."
            for item in verdicts
        ]
    )
    return figure(
        chart_id=chart_id,
        width=width,
        height=height,
        title=f"Evidence map: {therapy} by condition",
        desc=desc,
        body=body,
        css_class="chart--map",
    )


def _columns(rows: int) -> list[str]:
    """A shaded column per verdict status, its name on top (a word a line)."""
    body: list[str] = []
    for index, status in enumerate(STATUSES):
        x = LEFT + index * COLUMN
        body.append(
            el(
                "rect",
                {
                    "x": x + 2,
                    "y": TOP - 4,
                    "width": COLUMN - 4,
                    "height": ROW * rows + 4,
                    "fill": "#f4f6f8",
                },
            )
        )
        words = status.label.split(" ")
        for line, word in enumerate(words):
            body.append(
                label(
                    x + COLUMN / 2,
                    14 + line * 14 + (7 if len(words) == 1 else 0),
                    word,
                    text_anchor="middle",
                    font_weight=700,
                    font_size=11.5,
                )
            )
    return body


def _row(verdict: Any, cy: float, width: float) -> list[str]:
    """One condition: its rule, its name, and its verdict's mark in the status's column."""
    condition = verdict.condition
    column = STATUSES.index(verdict.status) if verdict.status in STATUSES else 0
    x = LEFT + column * COLUMN + COLUMN / 2 - 25
    colour = STATUS_COLOURS.get(verdict.status, MUTED)
    certainty = CERTAINTY_LABELS.get(verdict.certainty, verdict.certainty)
    return [
        el(
            "line",
            {"x1": 8, "x2": width - 8, "y1": cy + ROW / 2, "y2": cy + ROW / 2, "stroke": GRID},
        ),
        label(
            34 if condition.parent_id else 14,
            cy + 4,
            _condition_label(condition),
            font_weight=400 if condition.parent_id else 700,
        ),
        el(
            "g",
            {
                "class": "map__verdict",
                "data-condition": condition.slug,
                "data-status": verdict.status,
                "data-certainty": verdict.certainty,
            },
            el(
                "title",
                {},
                text(
                    f"{condition.name}: {verdict.get_status_display()}, "
                    f"{certainty.lower()} certainty"
                ),
            ),
            certainty_circles(verdict.certainty, x + 3, cy - 6, r=5.5, colour=colour),
            label(x + 25, cy + 15, certainty, text_anchor="middle", font_size=11, fill=colour),
        ),
    ]
