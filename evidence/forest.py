"""Comparable studies of a pair (same outcome, same effect measure) and their pooled estimate.

A study joins a forest plot when it records an effect size and its measure; it joins the
pooling when it also has a usable 95% confidence interval and is not retracted. A pooled
estimate is computed only from two or more such studies, with both random-effects
estimators (REML, the one drawn, and DerSimonian-Laird, for comparison).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .meta_analysis import (
    RATIO_MEASURES,
    Method,
    Pooled,
    StudyEffect,
    pool,
    study_effect,
    to_display_scale,
)
from .models import Study

MEASURE_LABELS = dict(Study.EffectMeasure.choices)


@dataclass(frozen=True)
class ForestStudy:
    row: Any  # evidence.selectors.StudyRow
    effect: StudyEffect | None
    excluded_because: str = ""  # why the study is drawn but not pooled

    @property
    def study(self) -> Study:
        return self.row.study

    @property
    def in_pool(self) -> bool:
        return self.effect is not None and not self.excluded_because


@dataclass(frozen=True)
class ForestGroup:
    outcome: str
    measure: str
    studies: list[ForestStudy]
    reml: Pooled | None
    dl: Pooled | None

    @property
    def measure_label(self) -> str:
        return MEASURE_LABELS.get(self.measure, self.measure)

    @property
    def is_ratio(self) -> bool:
        return self.measure in RATIO_MEASURES

    @property
    def null_value(self) -> float:
        return 1.0 if self.is_ratio else 0.0

    @property
    def pooled_studies(self) -> list[ForestStudy]:
        return [item for item in self.studies if item.in_pool]

    def display(self, value: float | None) -> float | None:
        return to_display_scale(value, measure=self.measure)

    def summary(self, pooled: Pooled) -> str:
        """'RR 0.49 (95% CI 0.34 to 0.70)' on the display scale."""
        return (
            f"{self.measure} {format_value(self.display(pooled.estimate))} "
            f"(95% CI {format_value(self.display(pooled.ci_lower))} to "
            f"{format_value(self.display(pooled.ci_upper))})"
        )

    def prediction_interval(self, pooled: Pooled) -> str:
        if not pooled.has_prediction_interval:
            return ""
        return (
            f"{format_value(self.display(pooled.pi_lower))} to "
            f"{format_value(self.display(pooled.pi_upper))}"
        )


def format_value(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _key(study: Study) -> tuple[str, str]:
    return (" ".join(study.outcome.split()).casefold(), study.effect_measure)


def forest_groups(rows: Iterable[Any]) -> list[ForestGroup]:
    """The pair's forest plots, from study rows already loaded (no queries)."""
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        study = row.study
        if study.effect_measure and study.effect_size is not None:
            grouped[_key(study)].append(row)
    groups = [_group(members) for members in grouped.values()]
    return sorted(groups, key=lambda group: (-len(group.studies), group.outcome.casefold()))


def _group(rows: Sequence[Any]) -> ForestGroup:
    studies = []
    for row in rows:
        study = row.study
        effect = study_effect(
            measure=study.effect_measure,
            effect=study.effect_size,
            lower=study.ci_lower,
            upper=study.ci_upper,
        )
        reason = ""
        if study.reference.retraction_status == "retracted":
            reason = "retracted"
        elif effect is None:
            reason = "no usable 95% CI"
        studies.append(ForestStudy(row=row, effect=effect, excluded_because=reason))
    effects = [item.effect for item in studies if item.in_pool]
    reml = dl = None
    if len(effects) >= 2:
        reml = pool(effects, method=Method.REML)
        dl = pool(effects, method=Method.DL)
    first = rows[0].study
    return ForestGroup(
        outcome=" ".join(first.outcome.split()) or "Unnamed outcome",
        measure=first.effect_measure,
        studies=studies,
        reml=reml,
        dl=dl,
    )
