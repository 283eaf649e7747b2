"""Pieces shared by the evidence selectors: counts by direction and design, the flagged
study filters, and the part every summary of one pair has (PairSummary)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from therapies.models import Therapy

from ..models import Condition, Design, Direction, Verdict, study_flagged

# Both from the one definition (evidence.models.study_flagged): through the reference's own
# status where the query joins it anyway (condition page), on Study's copy of it where the
# count must come from an index of Study alone (pair page).
FLAGGED_REFERENCE: Q = study_flagged(through_reference=True)
FLAGGED_STUDY: Q = study_flagged()


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


@dataclass(frozen=True)
class DesignRow:
    """One design's studies, counted by direction of effect."""

    design: str
    label: str
    counts: DirectionCounts


def direction_annotations() -> dict[str, Count]:
    return {value: Count("id", filter=Q(direction=value)) for value in Direction.values}


def design_rows(counts: dict[tuple[str, str], int]) -> list[DesignRow]:
    """``counts``: {(design, direction): n} -> one row per design that has studies."""
    rows = []
    for value, label in Design.choices:
        per_direction = {
            direction: counts.get((value, direction), 0) for direction in Direction.values
        }
        if any(per_direction.values()):
            rows.append(DesignRow(value, label, DirectionCounts(**per_direction)))
    return rows


@dataclass(frozen=True)
class PairSummary:
    """What every summary of one therapy for one condition offers: the verdict, its studies
    counted by direction, and whether it cites a flagged reference.

    A subclass provides ``flagged_study_count`` and ``flagged_reference_count`` (flagged
    background references of the verdict), as fields or properties.
    """

    verdict: Verdict
    direction_counts: DirectionCounts

    if TYPE_CHECKING:  # not fields here: each subclass decides how it holds them
        flagged_study_count: int
        flagged_reference_count: int

    @property
    def therapy(self) -> Therapy:
        return self.verdict.therapy

    @property
    def condition(self) -> Condition:
        return self.verdict.condition

    @property
    def study_count(self) -> int:
        return self.direction_counts.total

    @property
    def cites_flagged_reference(self) -> bool:
        return self.flagged_study_count > 0 or self.flagged_reference_count > 0
