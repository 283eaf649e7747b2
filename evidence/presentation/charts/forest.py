"""A forest plot: each study's effect and 95% CI, and the pooled estimates as diamonds.

Ratio measures are drawn on a log scale, differences on a linear one; a vertical line marks
no effect (1 or 0). Squares are sized by the study's weight in the REML model. The REML
diamond is filled, the DerSimonian-Laird one hollow; the REML prediction interval is a
line with end caps under its diamond.
"""

from __future__ import annotations

import math

from django.utils.safestring import SafeString

from ..forest import ForestGroup, ForestStudy, format_value
from ..meta_analysis import Pooled
from .forest_layout import (
    COMPACT,
    COMPACT_MIN_FONT,
    FILL,
    TOP,
    WIDE,
    Layout,
    Scale,
    estimate_label,
    note_label,
    row_label,
)
from .svg import DANGER, GRID, INK, MUTED, el, figure, label, text


def _study_label(item: ForestStudy) -> str:
    """'[5] Muscat 1995': the reference's number on the page, first author, year."""
    return item.label or f"Study {item.study_id}"


def _diamond(group: ForestGroup, pooled: Pooled, scale: Scale, y: float, *, filled: bool) -> str:
    left = scale.x(group.display(pooled.ci_lower))
    centre = scale.x(group.display(pooled.estimate))
    right = scale.x(group.display(pooled.ci_upper))
    points = (
        f"{left:.1f},{y:.1f} {centre:.1f},{y - 8:.1f} {right:.1f},{y:.1f} {centre:.1f},{y + 8:.1f}"
    )
    return el(
        "polygon",
        {
            "points": points,
            "fill": FILL if filled else "#ffffff",
            "stroke": FILL,
            "stroke-width": 2,
            "class": f"pooled pooled--{pooled.method}",
            "data-role": "pooled",
            "data-method": pooled.method,
            "data-cx": centre,
            "data-estimate": f"{group.display(pooled.estimate):.4f}",
        },
    )


def forest_plot_svg(
    *, group: ForestGroup, chart_id: str, therapy: str, compact: bool = False
) -> SafeString:
    layout = COMPACT if compact else WIDE
    above = 14 if layout.labels_above else 0  # room for a label over the row
    pooled_models = [p for p in (group.reml, group.dl) if p is not None]
    scale = Scale(group, _plotted_values(group, pooled_models), layout)

    header_y = TOP + 16
    header = f"{group.measure} (95% CI)"
    body = [
        label(layout.plot_right, header_y, header, text_anchor="end", font_weight=700)
        if layout.labels_above
        else label(layout.estimate_left, header_y, header, font_weight=700)
    ]
    if not layout.labels_above:
        body.append(label(8, header_y, "Study", font_weight=700))
    y = TOP + layout.row + 6 + above
    largest_weight = max((item.weight or 0.0 for item in group.drawn), default=0.0) or 1.0
    rows_top = y - layout.row / 2
    for item in group.drawn:
        body.append(_study_row(group, item, scale, layout, y, largest_weight))
        y += layout.row + (10 if item.excluded_because else 0)

    for pooled in pooled_models:
        y += 6 + above
        row, y = _pooled_row(group, pooled, scale, layout, y, above)
        body.append(row)
        y += layout.row
    rows_bottom = y - layout.row / 2 + 4

    body += _axis(group, scale, layout, rows_top, rows_bottom)
    body += _captions(group, layout, therapy, rows_bottom)
    height = rows_bottom + (82 if layout.labels_above else 66)
    return figure(
        chart_id=chart_id,
        width=layout.width,
        height=height,
        title=f"Forest plot: {group.outcome}, {group.measure_label.lower()}",
        desc=_description(group),
        body=body,
        css_class=f"chart--forest chart--{layout.name}",
    )


def _plotted_values(group: ForestGroup, pooled_models: list[Pooled]) -> list[float]:
    """Every value the plot must show: the studies' estimates and intervals, the pooled
    intervals and prediction intervals."""
    values: list[float] = []
    for item in group.drawn:
        values.extend(v for v in (item.ci_lower, item.ci_upper, item.effect_size) if v is not None)
    for pooled in pooled_models:
        values.extend(group.display(v) for v in (pooled.ci_lower, pooled.ci_upper))
        if pooled.has_prediction_interval:
            values.extend(group.display(v) for v in (pooled.pi_lower, pooled.pi_upper))
    return values


def _study_row(
    group: ForestGroup,
    item: ForestStudy,
    scale: Scale,
    layout: Layout,
    cy: float,
    largest_weight: float,
) -> str:
    parts = [row_label(layout, cy, _study_label(item))]
    parts += _study_interval(item, scale, cy)
    weight = item.weight
    side = 7 + 11 * math.sqrt(weight / largest_weight) if weight else 8
    cx = scale.x(item.effect_size)
    parts.append(
        el(
            "rect",
            {
                "x": cx - side / 2,
                "y": cy - side / 2,
                "width": side,
                "height": side,
                "fill": FILL if item.in_pool else "#ffffff",
                "stroke": FILL,
                "stroke-width": 1.5,
            },
        )
    )
    estimate = format_value(item.effect_size)
    interval = (
        f" [{format_value(item.ci_lower)}, {format_value(item.ci_upper)}]"
        if item.ci_lower is not None and item.ci_upper is not None
        else ""
    )
    parts.append(estimate_label(layout, cy, f"{estimate}{interval}"))
    parts += _exclusion_marks(item, layout, cx, cy)
    parts.insert(
        0, el("title", {}, text(f"{_study_label(item)}: {group.measure} {estimate}{interval}"))
    )
    retracted = item.excluded_because == "retracted"
    return el(
        "g",
        {
            "class": "forest__study",
            "data-study": item.study_id,
            "data-pooled": "true" if item.in_pool else "false",
            "data-retracted": "true" if retracted else None,
        },
        *parts,
    )


def _study_interval(item: ForestStudy, scale: Scale, cy: float) -> list[str]:
    """The study's 95% CI as a line, with an arrow head where the axis cuts it off."""
    if item.ci_lower is None or item.ci_upper is None:
        return []
    x1, x2 = scale.x(item.ci_lower), scale.x(item.ci_upper)
    parts = [
        el("line", {"x1": x1, "x2": x2, "y1": cy, "y2": cy, "stroke": INK, "stroke-width": 1.5})
    ]
    for bound, x in ((item.ci_lower, x1), (item.ci_upper, x2)):
        if scale.clipped(bound):
            direction = -1 if x == x1 else 1
            parts.append(
                el(
                    "path",
                    {
                        "d": f"M{x - direction * 6:.1f} {cy - 4:.1f}L{x:.1f} {cy:.1f}"
                        f"L{x - direction * 6:.1f} {cy + 4:.1f}",
                        "fill": "none",
                        "stroke": INK,
                    },
                )
            )
    return parts


def _exclusion_marks(item: ForestStudy, layout: Layout, cx: float, cy: float) -> list[str]:
    """Why a study is left out of the pooled estimate; a retracted one is struck through."""
    parts = []
    retracted = item.excluded_because == "retracted"
    if retracted:
        parts.append(
            el(
                "line",
                {
                    "x1": cx - 10,
                    "y1": cy + 8,
                    "x2": cx + 10,
                    "y2": cy - 8,
                    "stroke": DANGER,
                    "stroke-width": 2.5,
                    "class": "strike",
                },
            )
        )
    if item.excluded_because:
        parts.append(
            note_label(
                layout,
                cy + 17,
                f"{item.excluded_because.capitalize()}: not pooled",
                fill=DANGER if retracted else MUTED,
                font_size=11.5,
                font_weight=700 if retracted else None,
            )
        )
    return parts


def _pooled_row(
    group: ForestGroup, pooled: Pooled, scale: Scale, layout: Layout, y: float, above: float
) -> tuple[str, float]:
    """One pooled estimate's diamond (and, for REML, its prediction interval under it);
    returns the row and the y of its last line."""
    is_reml = pooled is group.reml
    name = "Pooled, REML" if is_reml else "Pooled, DerSimonian-Laird"
    parts = [
        row_label(layout, y, name, font_weight=700 if is_reml else 400),
        _diamond(group, pooled, scale, y, filled=is_reml),
        estimate_label(
            layout,
            y,
            f"{format_value(group.display(pooled.estimate))} "
            f"[{format_value(group.display(pooled.ci_lower))}, "
            f"{format_value(group.display(pooled.ci_upper))}]",
            font_weight=700 if is_reml else 400,
        ),
    ]
    if is_reml and pooled.has_prediction_interval:
        y += 18 + above
        parts += _prediction_interval(group, pooled, scale, layout, y)
    return el("g", {"class": f"forest__pooled forest__pooled--{pooled.method}"}, *parts), y


def _prediction_interval(
    group: ForestGroup, pooled: Pooled, scale: Scale, layout: Layout, y: float
) -> list[str]:
    x1, x2 = (
        scale.x(group.display(pooled.pi_lower)),
        scale.x(group.display(pooled.pi_upper)),
    )
    return [
        el(
            "path",
            {
                "d": f"M{x1:.1f} {y - 4:.1f}V{y + 4:.1f}M{x1:.1f} {y:.1f}H{x2:.1f}"
                f"M{x2:.1f} {y - 4:.1f}V{y + 4:.1f}",
                "stroke": FILL,
                "stroke-width": 1.5,
                "stroke-dasharray": "4 2",
                "fill": "none",
                "data-role": "prediction-interval",
            },
        ),
        row_label(layout, y, "Prediction interval", fill=MUTED),
        estimate_label(
            layout,
            y,
            f"[{group.prediction_interval(pooled).replace(' to ', ', ')}]",
            fill=MUTED,
            font_size=11.5,
        ),
    ]


def _axis(
    group: ForestGroup, scale: Scale, layout: Layout, rows_top: float, axis_y: float
) -> list[str]:
    """The line of no effect through the rows, and the value axis with its ticks."""
    null_x = scale.x(group.null_value)
    body = [
        el(
            "line",
            {
                "x1": null_x,
                "x2": null_x,
                "y1": rows_top,
                "y2": axis_y,
                "stroke": INK,
                "stroke-width": 1.5,
                "data-role": "no-effect",
                "data-value": group.null_value,
            },
        ),
        el(
            "line",
            {
                "x1": layout.plot_left,
                "x2": layout.plot_right,
                "y1": axis_y,
                "y2": axis_y,
                "stroke": INK,
            },
        ),
    ]
    for tick in scale.ticks():
        x = scale.x(tick)
        body.append(el("line", {"x1": x, "x2": x, "y1": axis_y, "y2": axis_y + 5, "stroke": INK}))
        body.append(label(x, axis_y + 18, f"{tick:g}", text_anchor="middle", fill=MUTED))
    return body


def _captions(group: ForestGroup, layout: Layout, therapy: str, axis_y: float) -> list[str]:
    """The axis's name and which side favours the therapy; the rule under the header."""
    scale_name = f"{group.measure_label} ({'log scale' if group.is_ratio else 'linear scale'})"
    return [
        label(
            (layout.plot_left + layout.plot_right) / 2,
            axis_y + 36,
            scale_name,
            text_anchor="middle",
        ),
        label(
            layout.plot_left,
            axis_y + 54,
            f"← Lower with {therapy}",
            fill=MUTED,
            font_size=COMPACT_MIN_FONT if layout.labels_above else 11.5,
        ),
        label(
            layout.plot_right,
            axis_y + (70 if layout.labels_above else 54),
            f"Higher with {therapy} →",
            text_anchor="end",
            fill=MUTED,
            font_size=COMPACT_MIN_FONT if layout.labels_above else 11.5,
        ),
        el(
            "line",
            {
                "x1": layout.plot_left,
                "x2": layout.plot_right,
                "y1": TOP + 22,
                "y2": TOP + 22,
                "stroke": GRID,
            },
        ),
    ]


def _description(group: ForestGroup) -> str:
    count = len(group.studies)
    sentences = [
        f"{count} stud{'y' if count == 1 else 'ies'} of "
        f"{group.outcome.lower()}, as {group.measure_label.lower()} with 95% confidence "
        f"intervals; no effect is {format_value(group.null_value)}."
    ]
    if group.is_partial:
        sentences.append(
            f"Shown: the {len(group.drawn)} with the largest weights in the pooled estimate."
        )
    for item in group.drawn:
        study = item
        interval = (
            f" (95% CI {format_value(study.ci_lower)} to {format_value(study.ci_upper)})"
            if study.ci_lower is not None and study.ci_upper is not None
            else ""
        )
        note = f", {item.excluded_because}, not pooled" if item.excluded_because else ""
        sentences.append(
            f"{_study_label(item)}: {format_value(study.effect_size)}{interval}{note}."
        )
    if group.reml and group.dl:
        sentences.append(
            f"Pooled by random effects, REML: {group.summary(group.reml)}; "
            f"DerSimonian-Laird: {group.summary(group.dl)}."
        )
        if group.reml.has_prediction_interval:
            sentences.append(f"95% prediction interval {group.prediction_interval(group.reml)}.")
        sentences.append(
            f"Heterogeneity: I² {group.reml.i2 * 100:.0f}%, tau² {group.reml.tau2:.3f}."
        )
    else:
        sentences.append("Too few comparable studies to pool.")
    return " ".join(sentences)
