"""Pieces shared by the evidence selectors: counts by direction and design."""

from dataclasses import dataclass

from django.db.models import Count, Q

from references.models import RetractionStatus

from ..models import Design, Direction

FLAGGED_REFERENCE = ~Q(reference__retraction_status=RetractionStatus.NONE)
# The same on Study's copy of its reference's status: counted without a join (pair page).
FLAGGED_STUDY = ~Q(reference_status=RetractionStatus.NONE)


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
