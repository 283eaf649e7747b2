"""Comparable studies of a pair (same outcome, same effect measure) and their pooled estimate.

A study joins a forest plot when it records an effect size and its measure; it joins the
pooling when it also has a usable 95% confidence interval and is not retracted. A pooled
estimate is computed only from two or more such studies, with both random-effects
estimators (REML, the one drawn, and DerSimonian-Laird, for comparison).

Pooling reads bare numbers (``ForestInput``), so it covers every comparable study of a
large pair cheaply; the plot draws at most ``max_drawn`` of them, those that weigh most
in the REML estimate, and the page says how many it shows.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evidence.models import Study

from .meta_analysis import (
    RATIO_MEASURES,
    Method,
    Pooled,
    StudyEffect,
    pool,
    study_effect,
    to_display_scale,
)

MEASURE_LABELS = dict(Study.EffectMeasure.choices)


@dataclass(frozen=True)
class ForestInput:
    """What pooling needs of a study: numbers, no model instance."""

    study_id: int
    outcome: str
    measure: str
    effect_size: float
    ci_lower: float | None
    ci_upper: float | None
    retracted: bool


@dataclass(frozen=True)
class ForestStudy:
    study_id: int
    effect_size: float
    ci_lower: float | None
    ci_upper: float | None
    effect: StudyEffect | None
    excluded_because: str = ""  # why the study is drawn but not pooled
    weight: float | None = None  # its REML weight, when pooled
    label: str = ""  # '[5] Muscat 1995', for the studies drawn

    @property
    def in_pool(self) -> bool:
        return self.effect is not None and not self.excluded_because


@dataclass(frozen=True)
class ForestGroup:
    outcome: str
    measure: str
    studies: list[ForestStudy]  # every comparable study, in page order
    reml: Pooled | None
    dl: Pooled | None
    drawn: list[ForestStudy]  # those the plot shows, in page order

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

    @property
    def is_partial(self) -> bool:
        return len(self.drawn) < len(self.studies)

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

    def labelled(self, studies: Mapping[int, Any], numbers: Mapping[int, int]) -> ForestGroup:
        """The group with its drawn studies labelled '[n] Author year' (n: the reference's
        number on this page, when the page cites it) from ``studies`` (id -> Study)."""
        drawn = []
        for item in self.drawn:
            study = studies.get(item.study_id)
            parts: list[Any] = []
            if item.study_id in numbers:
                parts.append(f"[{numbers[item.study_id]}]")
            if study is not None:
                parts += [study.reference.first_author_label, study.reference.year]
            label = " ".join(str(part) for part in parts if part) or f"Study {item.study_id}"
            drawn.append(dataclasses.replace(item, label=label))
        return dataclasses.replace(self, drawn=drawn)


def format_value(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _key(item: ForestInput) -> tuple[str, str]:
    return (" ".join(item.outcome.split()).casefold(), item.measure)


def forest_groups(
    inputs: Iterable[ForestInput], *, max_drawn: int, max_groups: int | None = None
) -> tuple[list[ForestGroup], int]:
    """The pair's forest plots from studies with an effect size, in page order (no
    queries): the ``max_groups`` outcomes with the most studies, pooled, and how many
    outcomes there are in all. Pooling costs milliseconds per outcome, so the outcomes
    that are not drawn are not pooled."""
    grouped: dict[tuple[str, str], list[ForestInput]] = defaultdict(list)
    for item in inputs:
        grouped[_key(item)].append(item)
    largest = sorted(grouped.values(), key=lambda members: (-len(members), _key(members[0])[0]))[
        :max_groups
    ]
    groups = [_group(members, max_drawn) for members in largest]
    ordered = sorted(groups, key=lambda group: (-len(group.studies), group.outcome.casefold()))
    return ordered, len(grouped)


def _group(inputs: Sequence[ForestInput], max_drawn: int) -> ForestGroup:
    studies = []
    for item in inputs:
        effect = study_effect(
            measure=item.measure, effect=item.effect_size, lower=item.ci_lower, upper=item.ci_upper
        )
        reason = ""
        if item.retracted:
            reason = "retracted"
        elif effect is None:
            reason = "no usable 95% CI"
        studies.append(
            ForestStudy(
                study_id=item.study_id,
                effect_size=item.effect_size,
                ci_lower=item.ci_lower,
                ci_upper=item.ci_upper,
                effect=effect,
                excluded_because=reason,
            )
        )
    effects = [item.effect for item in studies if item.in_pool]
    reml = dl = None
    if len(effects) >= 2:
        reml = pool(effects, method=Method.REML)
        dl = pool(effects, method=Method.DL)
        weights = iter(reml.weights)
        studies = [
            dataclasses.replace(item, weight=next(weights)) if item.in_pool else item
            for item in studies
        ]
    drawn = studies
    if len(studies) > max_drawn:
        # The heaviest pooled studies first; those outside the pool only fill what is left.
        ranked = sorted(studies, key=lambda item: (not item.in_pool, -(item.weight or 0.0)))
        keep = {item.study_id for item in ranked[:max_drawn]}
        drawn = [item for item in studies if item.study_id in keep]
    first = inputs[0]
    return ForestGroup(
        outcome=" ".join(first.outcome.split()) or "Unnamed outcome",
        measure=first.measure,
        studies=studies,
        reml=reml,
        dl=dl,
        drawn=drawn,
    )
