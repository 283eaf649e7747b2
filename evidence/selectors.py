"""Reads for the evidence pages (and, later, the API): plain dataclasses shaped per page.

Each selector runs a fixed number of queries whatever the number of studies: related rows
come with select_related / prefetch_related, and counts are aggregated in the database
(Count with filter=). Unknown slugs raise Http404.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q
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

from .forest import ForestGroup, forest_groups
from .models import (
    Condition,
    Direction,
    GuidelinePosition,
    OutcomeFinding,
    Study,
    Verdict,
    VerdictReference,
)

FLAGGED_REFERENCE = ~Q(reference__retraction_status=RetractionStatus.NONE)


@dataclass(frozen=True)
class DirectionCounts:
    benefit: int = 0
    no_benefit: int = 0
    mixed: int = 0
    harm: int = 0
    unclear: int = 0

    @property
    def total(self) -> int:
        return self.benefit + self.no_benefit + self.mixed + self.harm + self.unclear

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for every direction, in the order of Direction."""
        return [(value, label, getattr(self, value)) for value, label in Direction.choices]


def _direction_annotations() -> dict[str, Count]:
    return {value: Count("id", filter=Q(direction=value)) for value in Direction.values}


# --- Condition summary ------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictSummary:
    """One therapy's verdict for the condition, with the pair's study counts."""

    verdict: Verdict
    direction_counts: DirectionCounts
    flagged_study_count: int
    flagged_reference_count: int
    guideline_positions: list[GuidelinePosition]

    @property
    def therapy(self) -> Therapy:
        return self.verdict.therapy

    @property
    def study_count(self) -> int:
        return self.direction_counts.total

    @property
    def cites_flagged_reference(self) -> bool:
        return self.flagged_study_count > 0 or self.flagged_reference_count > 0


@dataclass(frozen=True)
class ConditionSummary:
    condition: Condition
    sub_conditions: list[Condition]  # each with .verdicts prefetched (therapy loaded)
    verdicts: list[VerdictSummary]

    @property
    def last_reviewed_on(self) -> date | None:
        dates = [item.verdict.reviewed_on for item in self.verdicts if item.verdict.reviewed_on]
        return max(dates, default=None)


def condition_evidence_summary(*, slug: str) -> ConditionSummary:
    """Every therapy with a verdict for one condition. Six queries at most."""
    condition = get_object_or_404(
        Condition.objects.select_related("parent", "prevalence_reference"), slug=slug
    )
    sub_conditions = list(
        Condition.objects.filter(parent=condition)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.select_related("therapy").order_by("therapy__name"),
            )
        )
    )
    verdicts = list(
        Verdict.objects.filter(condition=condition)
        .select_related("therapy")
        .annotate(
            flagged_reference_count=Count(
                "references",
                filter=~Q(references__retraction_status=RetractionStatus.NONE),
                distinct=True,
            )
        )
        .order_by("therapy__name")
    )
    # Grouped by pair rather than through Study.verdict, so the counts hold even for
    # studies written around the services.
    counts = {
        row["therapy_id"]: row
        for row in Study.objects.filter(condition=condition)
        .order_by()
        .values("therapy_id")
        .annotate(flagged=Count("id", filter=FLAGGED_REFERENCE), **_direction_annotations())
    }
    positions: dict[int, list[GuidelinePosition]] = defaultdict(list)
    for position in (
        GuidelinePosition.objects.filter(condition=condition)
        .select_related("reference")
        .order_by(F("year").desc(nulls_last=True), "issuing_body")
    ):
        positions[position.therapy_id].append(position)

    summaries = []
    for verdict in verdicts:
        row = counts.get(verdict.therapy_id, {})
        summaries.append(
            VerdictSummary(
                verdict=verdict,
                direction_counts=DirectionCounts(
                    **{value: row.get(value, 0) for value in Direction.values}
                ),
                flagged_study_count=row.get("flagged", 0),
                flagged_reference_count=verdict.flagged_reference_count,
                guideline_positions=positions[verdict.therapy_id],
            )
        )
    return ConditionSummary(condition=condition, sub_conditions=sub_conditions, verdicts=summaries)


# --- One therapy for one condition --------------------------------------------------------


@dataclass(frozen=True)
class StudyRow:
    study: Study
    reference: NumberedReference

    @property
    def is_flagged(self) -> bool:
        return self.reference.is_flagged


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
    studies: list[StudyRow]
    direction_counts: DirectionCounts
    guideline_positions: list[Cited]
    regulatory_statuses: list[RegulatoryStatus]
    safety: CitedSafety
    references: list[NumberedReference]
    findings: list[FindingRow] = field(default_factory=list)
    forest_groups: list[ForestGroup] = field(default_factory=list)

    @property
    def condition(self) -> Condition:
        return self.verdict.condition

    @property
    def therapy(self) -> Therapy:
        return self.verdict.therapy

    @property
    def flagged_studies(self) -> list[StudyRow]:
        return [row for row in self.studies if row.is_flagged]

    @property
    def flagged_background(self) -> list[NumberedReference]:
        return [item for item in self.background if item.is_flagged]

    @property
    def cites_flagged_reference(self) -> bool:
        return bool(self.flagged_studies or self.flagged_background)

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

    @property
    def largest_trial(self) -> Study | None:
        """The randomised trial with the most participants, if any."""
        trials = [row.study for row in self.studies if row.study.design == "rct"]
        return max(trials, key=lambda study: study.participants or 0, default=None)


def pair_evidence(*, condition_slug: str, therapy_slug: str) -> PairEvidence:
    """The evidence on one therapy for one condition; Http404 without a verdict. Eleven queries.

    References are numbered in the order the page first cites them: the verdict's
    background sources, the studies (oldest first), guideline positions, then safety.
    """
    verdict = get_object_or_404(
        Verdict.objects.select_related("therapy", "condition", "condition__parent"),
        condition__slug=condition_slug,
        therapy__slug=therapy_slug,
    )
    numbering = ReferenceNumbering()
    background = numbering.cite_all(
        link.reference
        for link in VerdictReference.objects.filter(verdict=verdict)
        .select_related("reference")
        .order_by("position", "id")
    )
    studies = [
        StudyRow(study=study, reference=numbering.cite(study.reference))
        for study in Study.objects.filter(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
        )
        .select_related("reference")
        .order_by(F("reference__year").asc(nulls_last=True), "reference__title", "outcome", "id")
    ]
    direction_totals = defaultdict(int)
    for row in studies:
        direction_totals[row.study.direction] += 1
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
        studies=studies,
        direction_counts=DirectionCounts(**direction_totals),
        guideline_positions=guideline_positions,
        regulatory_statuses=regulatory_statuses,
        safety=safety,
        references=numbering.entries,
        findings=findings,
        forest_groups=forest_groups(studies),
    )


# --- Home ---------------------------------------------------------------------------------


@dataclass
class ConditionNode:
    condition: Condition
    children: list["ConditionNode"] = field(default_factory=list)


@dataclass(frozen=True)
class MatrixCell:
    therapy: Therapy
    verdict: Verdict | None  # only status and certainty loaded


@dataclass(frozen=True)
class MatrixRow:
    condition: Condition
    depth: int  # 0 for a top-level condition, 1 for a sub-condition ...
    cells: list[MatrixCell]


@dataclass(frozen=True)
class HomeIndex:
    conditions: list[ConditionNode]  # top-level conditions, sub-conditions nested
    therapies: list[Therapy]  # each annotated with verdict_count
    matrix: list[MatrixRow] = field(default_factory=list)  # conditions x therapies


def home_index() -> HomeIndex:
    """Conditions as a tree, therapies, and the verdicts of every pair. Three queries."""
    conditions = Condition.objects.annotate(verdict_count=Count("verdicts")).order_by("name")
    nodes = {condition.pk: ConditionNode(condition=condition) for condition in conditions}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.condition.parent_id)
        (parent.children if parent else roots).append(node)
    therapies = list(Therapy.objects.annotate(verdict_count=Count("verdicts")).order_by("name"))
    verdicts = {
        (verdict.condition_id, verdict.therapy_id): verdict
        for verdict in Verdict.objects.only(
            "id", "condition_id", "therapy_id", "status", "certainty"
        )
    }
    with_verdicts = [therapy for therapy in therapies if therapy.verdict_count]
    matrix: list[MatrixRow] = []

    def walk(node: ConditionNode, depth: int) -> None:
        matrix.append(
            MatrixRow(
                condition=node.condition,
                depth=depth,
                cells=[
                    MatrixCell(
                        therapy=therapy, verdict=verdicts.get((node.condition.pk, therapy.pk))
                    )
                    for therapy in with_verdicts
                ],
            )
        )
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return HomeIndex(conditions=roots, therapies=therapies, matrix=matrix)
