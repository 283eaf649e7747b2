"""The evidence timeline of a therapy x condition pair.

Each study is a mark: across by publication year, in the row of its design (human
studies at the top, strongest designs first; reviews, then preclinical work below), its
area proportional to the number of participants (a dashed outline at the smallest size
when the number is unknown), its shape and colour the direction of effect. A retracted
study is struck through and labelled.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from evidence.models import Design, Direction

from .glyphs import DIRECTION_MARKS, mark_element
from .svg import DANGER, GRID, INK, MUTED, el, figure, label, nice_step, text

# Human studies first, strongest designs at the top; then reviews and guidelines, which
# summarise studies rather than add to them; preclinical work last.
DESIGN_ORDER = [
    Design.RCT,
    Design.NON_RANDOMISED,
    Design.COHORT,
    Design.CASE_CONTROL,
    Design.CASE_SERIES,
    Design.CASE_REPORT,
    Design.CLINICAL_STUDY,
    Design.SYSTEMATIC_REVIEW,
    Design.META_ANALYSIS,
    Design.NARRATIVE_REVIEW,
    Design.GUIDELINE,
    Design.ANIMAL,
    Design.IN_VITRO,
]
DESIGN_LABELS = dict(Design.choices)


@dataclass(frozen=True)
class Layout:
    """Wide: design labels in a column on the left. Compact (phones): each label above
    its row, so that the years get the whole width at a readable size."""

    name: str
    width: float
    left: float
    row: float
    labels_above: bool
    ticks: int
    r_max: float


WIDE = Layout("wide", width=720, left=232, row=52, labels_above=False, ticks=6, r_max=16.0)
# Compact is narrow enough that a 320 px phone draws its 12 px text at 11 px or more.
COMPACT = Layout("compact", width=300, left=18, row=64, labels_above=True, ticks=4, r_max=13.0)
RIGHT = 24
TOP = 14
AXIS = 44
LABEL_BAND = 18  # the label's strip at the top of a compact row
R_MIN = 6.5
# The compact layout doubles the chart's markup; past this many studies phones scroll.
COMPACT_LIMIT = 150
# Listing every study in <desc> stops helping a screen-reader user beyond this.
DESC_LIST_LIMIT = 25


def _retraction(study: Any) -> tuple[bool, str]:
    status = study.reference.retraction_status
    if status == "none":
        return False, ""
    return status == "retracted", study.reference.get_retraction_status_display()


def _radius(participants: int | None, largest: int, r_max: float) -> float:
    if not participants or largest <= 0:
        return R_MIN
    return max(R_MIN, r_max * math.sqrt(participants / largest))


@dataclass(frozen=True)
class _Years:
    """The year axis: whole years from ``start`` to ``end``, a tick every ``step``."""

    left: float
    width: float
    start: int
    end: int
    step: int

    def x(self, year: float) -> float:
        return self.left + (year - self.start) / (self.end - self.start) * self.width


def _years(layout: Layout, first: int, last: int) -> _Years:
    # Whole years only. The axis ends at the current year (or the last study's, should a
    # reference carry a later one): rounding it up to a tick past the data would show
    # years that have not happened yet. The start may round down; a short span still
    # gets a couple of years before it.
    end = max(timezone.localdate().year, last)
    if end - first < 6:
        step, start = 1, first - 2
    else:
        step = max(1, round(nice_step(end - first, target=layout.ticks)))
        start = math.floor((first - 1) / step) * step
    return _Years(layout.left, layout.width - layout.left - RIGHT, start, end, step)


def timeline_svg(
    *, studies: Sequence[Any], chart_id: str, subject: str, compact: bool = False
) -> SafeString | None:
    """``studies``: every study of the pair, each with its reference loaded."""
    layout = COMPACT if compact else WIDE
    dated = [study for study in studies if study.reference.year]
    undated = len(studies) - len(dated)
    if not dated or (compact and len(dated) > COMPACT_LIMIT):
        return None
    designs = [design for design in DESIGN_ORDER if any(s.design == design for s in dated)]
    row_of = {design: index for index, design in enumerate(designs)}
    years = [s.reference.year for s in dated]
    first, last = min(years), max(years)
    axis = _years(layout, first, last)
    body = _rows(layout, axis, row_of)
    body += _year_axis(axis, TOP + layout.row * len(designs))
    body += _marks(dated, layout, axis, row_of)
    return figure(
        chart_id=chart_id,
        width=layout.width,
        height=TOP + layout.row * len(designs) + AXIS,
        title=f"Timeline of the studies of {subject}",
        desc=_description(dated, undated, first, last),
        body=body,
        css_class=f"chart--timeline chart--{layout.name}",
    )


def _rows(layout: Layout, axis: _Years, row_of: dict[str, int]) -> list[str]:
    """A band per design (every other one shaded) and its label."""
    left, row_height = layout.left, layout.row
    body: list[str] = []
    for design, index in row_of.items():
        y = TOP + index * row_height
        if index % 2 == 0:
            body.append(
                el(
                    "rect",
                    {
                        "x": left,
                        "y": y,
                        "width": axis.width,
                        "height": row_height,
                        "fill": "#f4f6f8",
                    },
                )
            )
        if layout.labels_above:
            body.append(
                label(left + 4, y + 14, DESIGN_LABELS[design], font_weight=600, font_size=13)
            )
        else:
            body.append(
                label(
                    left - 10,
                    y + row_height / 2,
                    DESIGN_LABELS[design],
                    text_anchor="end",
                    dominant_baseline="middle",
                    class_="timeline__design",
                )
            )
    return body


def _year_axis(axis: _Years, axis_y: float) -> list[str]:
    left, plot_width = axis.left, axis.width
    body = [
        el("line", {"x1": left, "x2": left + plot_width, "y1": axis_y, "y2": axis_y, "stroke": INK})
    ]
    tick = axis.start
    while tick <= axis.end + 1e-9:
        x = axis.x(tick)
        body.append(el("line", {"x1": x, "x2": x, "y1": TOP, "y2": axis_y, "stroke": GRID}))
        body.append(el("line", {"x1": x, "x2": x, "y1": axis_y, "y2": axis_y + 5, "stroke": INK}))
        body.append(label(x, axis_y + 18, int(tick), text_anchor="middle", fill=MUTED))
        tick += axis.step
    body.append(
        label(left + plot_width / 2, axis_y + 36, "Year of publication", text_anchor="middle")
    )
    return body


def _marks(dated: Sequence[Any], layout: Layout, axis: _Years, row_of: dict[str, int]) -> list[str]:
    row_height = layout.row
    largest = max((s.participants or 0 for s in dated), default=0)
    crowd: Counter[tuple[int, str]] = Counter()
    marks = []
    # Biggest first, so small marks are drawn on top and stay visible.
    for study in sorted(dated, key=lambda s: -(s.participants or 0)):
        year, design = study.reference.year, study.design
        nth = crowd[(year, design)]
        crowd[(year, design)] += 1
        # Studies of the same year and design fan out within their row.
        offset = ((nth + 1) // 2) * (1 if nth % 2 else -1) * 9
        cx = axis.x(year) + offset * 0.6
        middle = (row_height + LABEL_BAND) / 2 if layout.labels_above else row_height / 2
        cy = TOP + row_of[design] * row_height + middle + offset * 0.35
        marks.append(_mark(study, cx, cy, _radius(study.participants, largest, layout.r_max)))
    return marks


def _mark(study: Any, cx: float, cy: float, r: float) -> str:
    """One study's mark, struck through and labelled when its reference is retracted."""
    retracted, status = _retraction(study)
    parts = [
        el("title", {}, text(_mark_title(study, status))),
        mark_element(study.direction, cx, cy, r, dashed=study.participants is None),
    ]
    if retracted:
        reach = r + 5
        parts.append(
            el(
                "line",
                {
                    "x1": cx - reach,
                    "y1": cy + reach,
                    "x2": cx + reach,
                    "y2": cy - reach,
                    "stroke": DANGER,
                    "stroke-width": 2.5,
                    "class": "strike",
                },
            )
        )
    if status:
        parts.append(
            label(
                cx + r + 6,
                cy - r - 2,
                status,
                fill=DANGER,
                font_weight=700,
                class_="timeline__flag",
            )
        )
    return el(
        "g",
        {
            "class": f"mark mark--{study.direction}" + (" is-retracted" if retracted else ""),
            "data-study": study.pk,
            "data-year": study.reference.year,
            "data-design": study.design,
            "data-direction": study.direction,
            "data-participants": study.participants if study.participants else "unknown",
            "data-radius": round(r, 2),
            "data-retracted": "true" if retracted else None,
        },
        *parts,
    )


def _mark_title(study: Any, status: str) -> str:
    author = study.reference.first_author_label
    parts = [
        f"{author} {study.reference.year}".strip(),
        DESIGN_LABELS.get(study.design, study.design),
        f"{study.participants} participants" if study.participants else "participants unknown",
        DIRECTION_MARKS[study.direction].label if study.direction in DIRECTION_MARKS else "",
        status,
    ]
    return "; ".join(text for text in parts if text)


def _description(dated: Sequence[Any], undated: int, first: int, last: int) -> str:
    count = len(dated)
    span = f"in {first}" if first == last else f"from {first} to {last}"
    sentences = [f"{count} stud{'y' if count == 1 else 'ies'} published {span}."]
    if count <= DESC_LIST_LIMIT:
        for study in sorted(dated, key=lambda s: (s.reference.year, s.pk)):
            retracted, status = _retraction(study)
            participants = (
                f"{study.participants} participants"
                if study.participants
                else "number of participants unknown"
            )
            direction = Direction(study.direction).label.lower()
            flag = f", {status.lower()}" if status else ""
            sentences.append(
                f"{study.reference.year}: {DESIGN_LABELS[study.design].lower()}, "
                f"{participants}, {direction}{flag}."
            )
    else:
        by_design = Counter(DESIGN_LABELS[s.design].lower() for s in dated)
        by_direction: dict[str, int] = defaultdict(int)
        for s in dated:
            by_direction[Direction(s.direction).label.lower()] += 1
        sentences.append(
            "By design: " + ", ".join(f"{name} {n}" for name, n in by_design.most_common()) + "."
        )
        sentences.append(
            "By direction of effect: "
            + ", ".join(f"{name} {n}" for name, n in by_direction.items())
            + "."
        )
        retracted = sum(1 for s in dated if _retraction(s)[0])
        if retracted:
            sentences.append(f"{retracted} retracted.")
    if undated:
        sentences.append(f"{undated} without a publication year not shown.")
    sentences.append("The studies table lists each study in full.")
    return " ".join(sentences)
