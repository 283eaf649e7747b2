"""Reads for therapy pages: safety facts, and a therapy across the conditions it is used for.

Each selector runs a fixed number of queries, whatever the number of studies or facts.
Verdicts, studies and regulatory statuses are reached through the reverse relations that
the evidence app declares on Therapy, so this layer never imports the evidence app.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from references.models import Reference, RetractionStatus

from .models import AdverseEffect, Contraindication, Formulation, RegulatoryStatus, Therapy

FLAGGED_REFERENCE = ~Q(reference__retraction_status=RetractionStatus.NONE)


@dataclass(frozen=True)
class NumberedReference:
    number: int
    reference: Reference

    @property
    def anchor(self) -> str:
        return f"ref-{self.number}"

    @property
    def is_flagged(self) -> bool:
        """Retracted, corrected or under an expression of concern."""
        return self.reference.retraction_status != RetractionStatus.NONE


@dataclass
class ReferenceNumbering:
    """Numbers references in the order a page first cites them (Vancouver style)."""

    _numbers: dict[int, NumberedReference] = field(default_factory=dict)

    def cite(self, reference: Reference) -> NumberedReference:
        numbered = self._numbers.get(reference.pk)
        if numbered is None:
            numbered = NumberedReference(number=len(self._numbers) + 1, reference=reference)
            self._numbers[reference.pk] = numbered
        return numbered

    def cite_all(self, references: Iterable[Reference]) -> list[NumberedReference]:
        return [self.cite(reference) for reference in references]

    @property
    def entries(self) -> list[NumberedReference]:
        return list(self._numbers.values())


@dataclass(frozen=True)
class Cited:
    """A fact shown on a page together with the numbered references behind it."""

    item: Any
    references: list[NumberedReference]


@dataclass(frozen=True)
class TherapySafety:
    adverse_effects: list[AdverseEffect]
    contraindications: list[Contraindication]
    formulations: list[Formulation]


@dataclass(frozen=True)
class CitedSafety:
    adverse_effects: list[Cited]
    contraindications: list[Cited]
    formulations: list[Cited]


def therapy_safety(*, therapy: Therapy) -> TherapySafety:
    """Adverse effects, contraindications and formulations, with their references.

    Six queries.
    """
    references = Prefetch(
        "references",
        queryset=Reference.objects.order_by(F("year").asc(nulls_last=True), "title", "pk"),
    )
    severity_order = list(AdverseEffect.Severity.values)[::-1]
    adverse_effects = sorted(
        AdverseEffect.objects.filter(therapy=therapy).prefetch_related(references),
        key=lambda effect: (severity_order.index(effect.severity), effect.name),
    )
    contraindications = list(
        Contraindication.objects.filter(therapy=therapy).prefetch_related(references)
    )
    formulations = list(
        Formulation.objects.filter(therapy=therapy)
        .order_by("brand", "stabiliser", "route")
        .prefetch_related(references)
    )
    return TherapySafety(
        adverse_effects=adverse_effects,
        contraindications=contraindications,
        formulations=formulations,
    )


def cite_statuses(
    statuses: Iterable[RegulatoryStatus], numbering: ReferenceNumbering
) -> list[Cited]:
    """Regulatory statuses with their sources numbered, continuing ``numbering``."""
    return [
        Cited(item=status, references=numbering.cite_all(filter(None, [status.reference])))
        for status in statuses
    ]


def safety_cite(*, safety: TherapySafety, numbering: ReferenceNumbering) -> CitedSafety:
    """Number the references of the safety facts, continuing ``numbering``."""
    return CitedSafety(
        adverse_effects=[
            Cited(item=effect, references=numbering.cite_all(effect.references.all()))
            for effect in safety.adverse_effects
        ],
        contraindications=[
            Cited(item=item, references=numbering.cite_all(item.references.all()))
            for item in safety.contraindications
        ],
        formulations=[
            Cited(item=item, references=numbering.cite_all(item.references.all()))
            for item in safety.formulations
        ],
    )


@dataclass(frozen=True)
class ConditionVerdict:
    """The verdict on this therapy for one condition, with counts of the pair's reports:
    human studies (the headline), reviews and preclinical work apart."""

    verdict: Any  # evidence.Verdict with condition (and its parent) loaded
    study_count: int
    flagged_study_count: int
    review_count: int = 0
    preclinical_count: int = 0

    @property
    def condition(self) -> Any:
        return self.verdict.condition

    @property
    def has_warning(self) -> bool:
        return self.verdict.needs_review or self.flagged_study_count > 0


@dataclass(frozen=True)
class TherapyOverview:
    therapy: Therapy
    verdicts: list[ConditionVerdict]
    regulatory_statuses: list[Cited]
    safety: CitedSafety
    references: list[NumberedReference]


# The values of Study.evidence_group, which the database derives from the design.
_GROUPS = ("human", "reviews", "preclinical")


def _study_counts(therapy: Therapy) -> dict[int, dict[str, int]]:
    """Per condition: reports (one per reference) of each kind, and flagged study rows."""
    rows = (
        therapy.published_studies.order_by()
        .values("condition_id")
        .annotate(
            flagged=Count("id", filter=FLAGGED_REFERENCE),
            **{
                group: Count("reference_id", distinct=True, filter=Q(evidence_group=group))
                for group in _GROUPS
            },
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("flagged", *_GROUPS), 0))
    for row in rows:
        counts[row.pop("condition_id")] = row
    return counts


def therapy_overview(*, slug: str) -> TherapyOverview:
    """One therapy across conditions; raises Http404 for an unknown slug. Ten queries."""
    therapy = get_object_or_404(Therapy, slug=slug)
    verdicts: QuerySet = (
        therapy.verdicts.published()
        .select_related("therapy", "condition", "condition__parent")
        .order_by("condition__name")
    )
    counts = _study_counts(therapy)
    rows = [
        ConditionVerdict(
            verdict=verdict,
            study_count=counts[verdict.condition_id]["human"],
            flagged_study_count=counts[verdict.condition_id]["flagged"],
            review_count=counts[verdict.condition_id]["reviews"],
            preclinical_count=counts[verdict.condition_id]["preclinical"],
        )
        for verdict in verdicts
    ]
    numbering = ReferenceNumbering()
    regulatory_statuses = cite_statuses(
        therapy.regulatory_statuses.select_related("condition", "reference").order_by(
            "condition__name", "agency"
        ),
        numbering,
    )
    safety = safety_cite(safety=therapy_safety(therapy=therapy), numbering=numbering)
    return TherapyOverview(
        therapy=therapy,
        verdicts=rows,
        regulatory_statuses=regulatory_statuses,
        safety=safety,
        references=numbering.entries,
    )
