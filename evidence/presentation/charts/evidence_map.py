"""The evidence map of one therapy: each condition a row, each verdict status a column.

A condition's mark sits in the column of its verdict's status (position is the cue that
needs no colour); the mark is GRADE's four certainty circles, labelled in words beneath.
The status axis ends at the data: it runs from the first status a verdict has to the last,
so that no screen is filled with columns nobody is in. Phones get a compact layout (each
status a band, its conditions listed beneath) whose text stays at its drawn size.
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
# Compact: narrow enough for a 320 px phone at about its drawn size.
COMPACT_WIDTH = 300
COMPACT_LINE = 17
COMPACT_NAME_CHARS = 30


def _condition_label(condition: Any) -> str:
    name = condition.name
    return name if len(name) <= 40 else name[:39] + "…"


def _statuses(verdicts: Sequence[Any]) -> list[Verdict.Status]:
    """The statuses from the first one a verdict has to the last, in the scale's order."""
    present = [STATUSES.index(v.verdict.status) for v in verdicts if v.verdict.status in STATUSES]
    if not present:
        return STATUSES[:1]
    return STATUSES[min(present) : max(present) + 1]


def evidence_map_svg(
    *, verdicts: Sequence[Any], chart_id: str, therapy: str, compact: bool = False
) -> SafeString | None:
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
    statuses = _statuses(verdicts)
    if compact:
        width, height, body = _compact(verdicts, statuses)
    else:
        width = LEFT + COLUMN * len(statuses) + 10
        height = TOP + ROW * len(verdicts) + BOTTOM
        body = _columns(statuses, len(verdicts))
        for row, item in enumerate(verdicts):
            body += _row(item.verdict, statuses, TOP + row * ROW + ROW / 2, width)
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
        css_class="chart--map chart--compact" if compact else "chart--map",
    )


def _columns(statuses: list[Verdict.Status], rows: int) -> list[str]:
    """A shaded column per verdict status, its name on top (a word a line)."""
    body: list[str] = []
    for index, status in enumerate(statuses):
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
                )
            )
    return body


def _row(verdict: Any, statuses: list[Verdict.Status], cy: float, width: float) -> list[str]:
    """One condition: its rule, its name, and its verdict's mark in the status's column."""
    condition = verdict.condition
    column = statuses.index(verdict.status) if verdict.status in statuses else 0
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
            label(x + 25, cy + 15, certainty, text_anchor="middle", fill=colour),
        ),
    ]


def _wrapped(name: str) -> list[str]:
    """A condition's name in lines of at most COMPACT_NAME_CHARS, broken between words."""
    lines = [""]
    for word in name.split():
        joined = f"{lines[-1]} {word}".strip()
        if len(joined) <= COMPACT_NAME_CHARS or not lines[-1]:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


def _compact(verdicts: Sequence[Any], statuses: list[Verdict.Status]):
    """Each status a band with its name on top; its conditions listed beneath, each with
    its certainty circles and words. Returns (width, height, body)."""
    body: list[str] = []
    y = 4.0
    for status in statuses:
        colour = STATUS_COLOURS.get(status, MUTED)
        rows = [item.verdict for item in verdicts if item.verdict.status == status]
        body.append(label(8, y + 16, status.label, font_weight=700, font_size=14, fill=colour))
        y += 26
        if not rows:
            body.append(label(8, y + 12, "No condition", fill=MUTED))
            y += COMPACT_LINE + 8
        for verdict in rows:
            y = _compact_row(body, verdict, y, colour)
        body.append(el("line", {"x1": 0, "x2": COMPACT_WIDTH, "y1": y, "y2": y, "stroke": GRID}))
        y += 4
    return COMPACT_WIDTH, y, body


def _compact_row(body: list[str], verdict: Any, y: float, colour: str) -> float:
    """One condition in a compact band; returns the y below it."""
    condition = verdict.condition
    certainty = CERTAINTY_LABELS.get(verdict.certainty, verdict.certainty)
    indent = 20 if condition.parent_id else 8
    lines = _wrapped(condition.name)
    weight = 400 if condition.parent_id else 700
    parts = [el("title", {}, text(f"{condition.name}: {certainty.lower()} certainty"))]
    for number, line in enumerate(lines):
        parts.append(
            label(indent, y + 13 + COMPACT_LINE * number, line, font_weight=weight, font_size=13)
        )
    marks_y = y + 13 + COMPACT_LINE * len(lines)
    parts += [
        certainty_circles(verdict.certainty, indent + 6, marks_y - 4, r=5.5, colour=colour),
        label(indent + 62, marks_y, f"{certainty} certainty", fill=colour),
    ]
    body.append(
        el(
            "g",
            {
                "class": "map__verdict",
                "data-condition": condition.slug,
                "data-status": verdict.status,
                "data-certainty": verdict.certainty,
            },
            *parts,
        )
    )
    return y + COMPACT_LINE * (len(lines) + 1) + 10
