"""The page of one therapy for one condition, shaped to stay fast for thousands of studies.

What a clinician needs of a large pair is the answer box, the counts of its studies by
direction and design, the pooled estimates and a readable table, not thousands of rows
and citations at once. So:

- counts by direction and design come from one aggregate query;
- the study table is paginated (``STUDIES_PER_PAGE``); references are numbered per page,
  in the order the page first cites them (background sources, this page's studies,
  flagged studies listed in the warning, guideline positions, safety), so a page never
  formats more than a bounded number of citations;
- pooled estimates use every comparable study, read as bare numbers (values_list); the
  forest plot draws at most ``FOREST_MAX_STUDIES`` of them, those with the largest
  weights, and says so;
- the timeline draws one mark per study up to ``TIMELINE_MAX_STUDIES``; a larger pair
  gets the design x direction table instead.

A pair small enough for the timeline is read in one query of all its rows, and the page,
flagged studies, largest trial and forest plots come from those rows.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from references.models import RetractionStatus
from therapies.models import RegulatoryStatus, Therapy
from therapies.selectors import (
    Cited,
    CitedSafety,
    NumberedReference,
    ReferenceNumbering,
    safety_cite,
    therapy_safety,
)

from ..forest import ForestGroup, ForestInput, forest_groups
from ..models import (
    Condition,
    Design,
    GuidelinePosition,
    OutcomeFinding,
    Study,
    Verdict,
    VerdictReference,
)
from .common import FLAGGED_STUDY, DesignRow, DirectionCounts, design_rows

STUDIES_PER_PAGE = 50
TIMELINE_MAX_STUDIES = 400
FOREST_MAX_STUDIES = 20
FOREST_MAX_GROUPS = 3
FLAGGED_LIST_LIMIT = 20
# Oldest first, by title within a year: Study's copies of its reference's year and title
# (prefix), so that a page of a large pair is read from study_pair_order_idx without
# joining and sorting all of the pair's references.
STUDY_ORDER = (
    F("reference_year").asc(nulls_last=True),
    "reference_sort_title",
    "outcome",
    "id",
)


@dataclass(frozen=True)
class StudyRow:
    study: Study
    reference: NumberedReference
    on_page: bool = True  # False: a flagged study listed in the warning, from another page

    @property
    def is_flagged(self) -> bool:
        return self.reference.is_flagged


@dataclass(frozen=True)
class StudyPage:
    number: int
    page_count: int
    total: int
    per_page: int = STUDIES_PER_PAGE

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)

    @property
    def is_paginated(self) -> bool:
        return self.page_count > 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.page_count else None

    @property
    def numbers(self) -> list[int | None]:
        """Page links: the first, the last and two either side of this one (None: a gap)."""
        wanted = {1, self.page_count, *range(self.number - 2, self.number + 3)}
        shown = sorted(n for n in wanted if 1 <= n <= self.page_count)
        links: list[int | None] = []
        for n in shown:
            if links and n - (links[-1] or 0) > 1:
                links.append(None)
            links.append(n)
        return links


PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def page_number(value: str | None, *, allow_blank: bool = True) -> int:
    """The ?page= value as a number; Http404 naming the problem for anything else."""
    if value in (None, "") and allow_blank:
        return 1
    # ASCII digits only, and few enough of them: "²" is a digit to str.isdigit() but not
    # to int(), and int() refuses more than 4,300 digits.
    text = str(value)
    if not PAGE_NUMBER.fullmatch(text) or int(text) < 1:
        shown = text if len(text) <= 20 else f"{text[:20]}…"
        raise Http404(f"Page {shown!r} is not a page number: pages are numbered from 1.")
    return int(text)


@dataclass(frozen=True)
class Downgrade:
    """One GRADE domain for which the certainty of a finding was rated down."""

    domain: str  # "risk of bias"
    concern: str  # "Serious (−1)"
    levels: int  # 1 or 2


GRADE_DOMAINS = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
_CONCERN_LEVELS = {OutcomeFinding.Concern.SERIOUS: 1, OutcomeFinding.Concern.VERY_SERIOUS: 2}


@dataclass(frozen=True)
class FindingRow:
    """One outcome of the summary of findings, with the reasons its certainty is lower."""

    finding: OutcomeFinding
    downgrades: list[Downgrade]


def _finding_row(finding: OutcomeFinding) -> FindingRow:
    downgrades = []
    for name in GRADE_DOMAINS:
        value = getattr(finding, name)
        if value in _CONCERN_LEVELS:
            downgrades.append(
                Downgrade(
                    domain=str(OutcomeFinding._meta.get_field(name).verbose_name),
                    concern=OutcomeFinding.Concern(value).label,
                    levels=_CONCERN_LEVELS[value],
                )
            )
    return FindingRow(finding=finding, downgrades=downgrades)


SERIOUS_SEVERITIES = ("serious", "life_threatening")


@dataclass(frozen=True)
class PairEvidence:
    verdict: Verdict
    background: list[NumberedReference]
    studies: list[StudyRow]  # this page's rows
    direction_counts: DirectionCounts
    guideline_positions: list[Cited]
    regulatory_statuses: list[RegulatoryStatus]
    safety: CitedSafety
    references: list[NumberedReference]  # this page's, numbered as cited on it
    findings: list[FindingRow] = field(default_factory=list)
    forest_groups: list[ForestGroup] = field(default_factory=list)
    page: StudyPage | None = None
    design_rows: list[DesignRow] = field(default_factory=list)
    flagged_studies: list[StudyRow] = field(default_factory=list)  # at most FLAGGED_LIST_LIMIT
    flagged_study_count: int = 0
    largest_trial: Study | None = None  # the randomised trial with the most participants
    timeline_studies: list[Study] = field(default_factory=list)  # empty: too many to draw
    forest_group_count: int = 0  # outcomes with effect sizes; at most FOREST_MAX_GROUPS drawn

    @property
    def more_forest_groups(self) -> int:
        return self.forest_group_count - len(self.forest_groups)

    @property
    def condition(self) -> Condition:
        return self.verdict.condition

    @property
    def therapy(self) -> Therapy:
        return self.verdict.therapy

    @property
    def study_count(self) -> int:
        return self.direction_counts.total

    @property
    def more_flagged_studies(self) -> int:
        return self.flagged_study_count - len(self.flagged_studies)

    @property
    def flagged_background(self) -> list[NumberedReference]:
        return [item for item in self.background if item.is_flagged]

    @property
    def cites_flagged_reference(self) -> bool:
        return bool(self.flagged_study_count or self.flagged_background)

    @property
    def downgraded_domains(self) -> list[str]:
        """Every GRADE domain any finding was rated down for, in GRADE's order."""
        seen = {d.domain for row in self.findings for d in row.downgrades}
        names = [str(OutcomeFinding._meta.get_field(name).verbose_name) for name in GRADE_DOMAINS]
        return [name for name in names if name in seen]

    @property
    def serious_adverse_effects(self) -> list[Cited]:
        return [
            cited
            for cited in self.safety.adverse_effects
            if cited.item.severity in SERIOUS_SEVERITIES
        ]

    @property
    def absolute_contraindications(self) -> list[Cited]:
        return [cited for cited in self.safety.contraindications if cited.item.kind == "absolute"]


def _pair_verdict(condition_slug: str, therapy_slug: str) -> Verdict:
    return get_object_or_404(
        Verdict.objects.select_related("therapy", "condition", "condition__parent"),
        condition__slug=condition_slug,
        therapy__slug=therapy_slug,
    )


def _pair_studies(verdict: Verdict):
    return Study.objects.filter(therapy_id=verdict.therapy_id, condition_id=verdict.condition_id)


def _largest_trial(studies) -> Study | None:
    trials = [study for study in studies if study.design == Design.RCT]
    return max(trials, key=lambda study: study.participants or 0, default=None)


def _forest_inputs(studies) -> list[ForestInput]:
    return [
        ForestInput(
            study_id=study.pk,
            outcome=study.outcome,
            measure=study.effect_measure,
            effect_size=study.effect_size,
            ci_lower=study.ci_lower,
            ci_upper=study.ci_upper,
            retracted=study.reference.retraction_status == RetractionStatus.RETRACTED,
        )
        for study in studies
        if study.effect_measure and study.effect_size is not None
    ]


def pair_evidence(*, condition_slug: str, therapy_slug: str, page: int = 1) -> PairEvidence:
    """One page of the evidence on a therapy for a condition; Http404 without a verdict
    or for a page past the last. Thirteen queries for a pair small enough to draw whole,
    seventeen for a larger one, whatever its size."""
    verdict = _pair_verdict(condition_slug, therapy_slug)
    numbering = ReferenceNumbering()
    background = numbering.cite_all(
        link.reference
        for link in VerdictReference.objects.filter(verdict=verdict)
        .select_related("reference")
        .order_by("position", "id")
    )
    pair = _pair_studies(verdict)
    by_design: dict[tuple[str, str], int] = {}
    flagged_total = 0
    for row in (
        pair.order_by()
        .values("design", "direction")
        .annotate(n=Count("id"), flagged=Count("id", filter=FLAGGED_STUDY))
    ):
        by_design[(row["design"], row["direction"])] = row["n"]
        flagged_total += row["flagged"]
    direction_totals: dict[str, int] = defaultdict(int)
    for (_, direction), n in by_design.items():
        direction_totals[direction] += n
    total = sum(by_design.values())
    page_count = max(1, math.ceil(total / STUDIES_PER_PAGE))
    if page > page_count:
        raise Http404(f"There is no page {page}: the studies fill {page_count} page(s).")
    offset = (page - 1) * STUDIES_PER_PAGE
    rows = pair.select_related("reference").order_by(*STUDY_ORDER)

    forest_labels: dict[int, Study] = {}
    if total <= TIMELINE_MAX_STUDIES:
        everything = list(rows)
        page_studies = everything[offset : offset + STUDIES_PER_PAGE]
        flagged = [s for s in everything if s.reference.retraction_status != "none"]
        # The references are loaded anyway: their own status beats the copies, which a
        # write around the services (QuerySet.update) could have left behind.
        flagged_total = len(flagged)
        largest_trial = _largest_trial(everything)
        forest, forest_group_count = forest_groups(
            _forest_inputs(everything), max_drawn=FOREST_MAX_STUDIES, max_groups=FOREST_MAX_GROUPS
        )
        forest_labels = {study.pk: study for study in everything}
    else:
        everything = []
        # The page's ids first, from study_pair_order_idx alone, then the 50 rows with their
        # references: joined before the OFFSET, page 50 would read 2,500 references.
        page_ids = pair.order_by(*STUDY_ORDER).values("pk")[offset : offset + STUDIES_PER_PAGE]
        page_studies = list(rows.filter(pk__in=Subquery(page_ids)))
        flagged = list(rows.filter(FLAGGED_STUDY)[:FLAGGED_LIST_LIMIT]) if flagged_total else []
        largest_trial = (
            pair.filter(design=Design.RCT)
            .select_related("reference")
            .order_by(F("participants").desc(nulls_last=True), "id")
            .first()
        )
        forest, forest_group_count = forest_groups(
            [
                ForestInput(
                    study_id=pk,
                    outcome=outcome,
                    measure=measure,
                    effect_size=effect,
                    ci_lower=lower,
                    ci_upper=upper,
                    retracted=status == RetractionStatus.RETRACTED,
                )
                for pk, outcome, measure, effect, lower, upper, status in pair.exclude(
                    effect_measure=""
                )
                .filter(effect_size__isnull=False)
                .order_by(*STUDY_ORDER)
                .values_list(
                    "id",
                    "outcome",
                    "effect_measure",
                    "effect_size",
                    "ci_lower",
                    "ci_upper",
                    "reference_status",
                )
            ],
            max_drawn=FOREST_MAX_STUDIES,
            max_groups=FOREST_MAX_GROUPS,
        )
        drawn = {item.study_id for group in forest for item in group.drawn}
        if drawn:
            forest_labels = {
                study.pk: study
                for study in Study.objects.filter(pk__in=drawn).select_related("reference")
            }
    study_rows = [
        StudyRow(study=study, reference=numbering.cite(study.reference)) for study in page_studies
    ]
    on_page = {row.study.pk: row for row in study_rows}
    flagged_rows = [
        on_page.get(study.pk)
        or StudyRow(study=study, reference=numbering.cite(study.reference), on_page=False)
        for study in flagged[:FLAGGED_LIST_LIMIT]
    ]
    numbers = {row.study.pk: row.reference.number for row in [*study_rows, *flagged_rows]}
    forest = [group.labelled(forest_labels, numbers) for group in forest]

    guideline_positions = [
        Cited(
            item=position,
            references=[numbering.cite(position.reference)] if position.reference else [],
        )
        for position in GuidelinePosition.objects.filter(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
        )
        .select_related("reference")
        .order_by(F("year").desc(nulls_last=True), "issuing_body")
    ]
    regulatory_statuses = list(
        RegulatoryStatus.objects.filter(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
        ).order_by("agency")
    )
    safety = safety_cite(safety=therapy_safety(therapy=verdict.therapy), numbering=numbering)
    findings = [
        _finding_row(finding)
        for finding in OutcomeFinding.objects.filter(verdict=verdict).order_by("position", "id")
    ]
    return PairEvidence(
        verdict=verdict,
        background=background,
        studies=study_rows,
        direction_counts=DirectionCounts(**direction_totals),
        guideline_positions=guideline_positions,
        regulatory_statuses=regulatory_statuses,
        safety=safety,
        references=numbering.entries,
        findings=findings,
        forest_groups=forest,
        page=StudyPage(number=page, page_count=page_count, total=total),
        design_rows=design_rows(by_design),
        flagged_studies=flagged_rows,
        flagged_study_count=flagged_total,
        largest_trial=largest_trial,
        timeline_studies=everything,
        forest_group_count=forest_group_count,
    )


def pair_references(*, condition_slug: str, therapy_slug: str) -> list[NumberedReference]:
    """Every reference of the pair, numbered as a single page of all its studies would:
    background, studies (oldest first), guideline positions, safety. For downloads."""
    verdict = _pair_verdict(condition_slug, therapy_slug)
    numbering = ReferenceNumbering()
    numbering.cite_all(
        link.reference
        for link in VerdictReference.objects.filter(verdict=verdict)
        .select_related("reference")
        .order_by("position", "id")
    )
    for study in _pair_studies(verdict).select_related("reference").order_by(*STUDY_ORDER):
        numbering.cite(study.reference)
    for position in (
        GuidelinePosition.objects.filter(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
        )
        .select_related("reference")
        .order_by(F("year").desc(nulls_last=True), "issuing_body")
    ):
        if position.reference:
            numbering.cite(position.reference)
    safety_cite(safety=therapy_safety(therapy=verdict.therapy), numbering=numbering)
    return numbering.entries
