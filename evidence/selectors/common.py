"""Pieces shared by the evidence selectors: counts by direction and design, the flagged
study filters, and the part every summary of one pair has (PairSummary)."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet

from config.db_router import read_connection
from therapies.models import Therapy

from ..models import (
    Condition,
    Design,
    Direction,
    EvidenceGroup,
    Verdict,
    evidence_group_of,
    study_flagged,
)

# Both from the one definition (evidence.models.study_flagged): through the reference's own
# status where the query joins it anyway (condition page), on Study's copy of it where the
# count must come from an index of Study alone (pair page).
FLAGGED_REFERENCE: Q = study_flagged(through_reference=True)
# A condition's or therapy's verdicts as the public counts them: those published.
PUBLISHED_VERDICTS: Q = Q(verdicts__published__isnull=False)
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

    @property
    def present(self) -> list[tuple[str, str, int]]:
        """``rows`` without the directions no study has."""
        return [row for row in self.rows if row[2]]


@dataclass(frozen=True)
class GroupedCounts:
    """Reports counted by kind of evidence and direction: the human studies are the
    headline, reviews and preclinical work are counted beside them, never with them."""

    human: DirectionCounts = field(default_factory=DirectionCounts)
    reviews: DirectionCounts = field(default_factory=DirectionCounts)
    preclinical: DirectionCounts = field(default_factory=DirectionCounts)

    @classmethod
    def from_counts(cls, counts: dict[tuple[str, str], int]) -> "GroupedCounts":
        """``counts``: {(evidence group, direction): n}."""
        return cls(
            **{
                group: DirectionCounts(
                    **{value: counts.get((group, value), 0) for value in Direction.values}
                )
                for group in EvidenceGroup.values
            }
        )

    @property
    def groups(self) -> list[tuple[str, str, DirectionCounts]]:
        """(value, label, counts) for every kind of evidence, human studies first."""
        return [(value, label, getattr(self, value)) for value, label in EvidenceGroup.choices]

    @property
    def total(self) -> int:
        return self.human.total + self.reviews.total + self.preclinical.total

    @property
    def directions_present(self) -> list[tuple[str, str]]:
        """(value, label) of each direction some report has, for a chart's legend."""
        return [
            (value, label)
            for value, label in Direction.choices
            if any(getattr(counts, value) for _, _, counts in self.groups)
        ]


@dataclass(frozen=True)
class ReportCount:
    """One group of a pair's reports with one direction: ``reports`` counts each report
    (reference) once, its outcomes together; ``rows`` and ``flagged`` count study rows."""

    key: tuple
    direction: str
    reports: int
    rows: int
    flagged: int


def report_counts(studies: QuerySet, *, keys: tuple[str, ...], flagged: Q) -> list[ReportCount]:
    """``studies`` counted per ``keys`` and direction, one report counted once. One query.

    A review with two outcomes is one review: the rows of one reference are folded into
    one report first, whose direction is theirs when they agree and "mixed" when not.
    """
    per_report = (
        studies.order_by()
        .values(*keys, "reference_id")
        .annotate(
            low=Min("direction"),
            high=Max("direction"),
            row_count=Count("id"),
            flagged_count=Count("id", filter=flagged),
        )
    )
    inner, params = per_report.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(f"t.{quote(key)}" for key in keys)
    positions = ", ".join(str(n) for n in range(1, len(keys) + 2))
    # Only quoted field names of ours and Django's own compiled SQL are interpolated; every
    # value travels as a parameter.
    sql = (
        f"SELECT {columns}, CASE WHEN t.low = t.high THEN t.low ELSE %s END, COUNT(*), "  # noqa: S608
        f"SUM(t.row_count), SUM(t.flagged_count) FROM ({inner}) t GROUP BY {positions}"
    )
    with read_connection().cursor() as cursor:  # raw SQL: the router's choice by hand
        cursor.execute(sql, (Direction.MIXED, *params))
        return [
            ReportCount(
                key=tuple(row[: len(keys)]),
                direction=row[len(keys)],
                reports=row[-3],
                rows=int(row[-2]),
                flagged=int(row[-1]),
            )
            for row in cursor.fetchall()
        ]


def grouped_by_design(counts: list[ReportCount]) -> GroupedCounts:
    """Counts keyed by (design,) summed into kinds of evidence."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for count in counts:
        totals[(evidence_group_of(count.key[0]), count.direction)] += count.reports
    return GroupedCounts.from_counts(totals)


@dataclass(frozen=True)
class DesignRow:
    """One design's studies, counted by direction of effect."""

    design: str
    label: str
    counts: DirectionCounts


def design_rows(report_counts: list[ReportCount]) -> list[DesignRow]:
    """Counts keyed by (design,) -> one row per design that has studies."""
    counts = {(count.key[0], count.direction): count.reports for count in report_counts}
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
    counted by kind of evidence and direction, and whether it cites a flagged reference.

    A subclass provides ``flagged_study_count`` and ``flagged_reference_count`` (flagged
    background references of the verdict), as fields or properties.
    """

    verdict: Verdict
    grouped_counts: GroupedCounts

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
    def direction_counts(self) -> DirectionCounts:
        """The headline: human studies by direction."""
        return self.grouped_counts.human

    @property
    def study_count(self) -> int:
        """Human studies; reviews and preclinical work are counted in grouped_counts."""
        return self.grouped_counts.human.total

    @property
    def cites_flagged_reference(self) -> bool:
        return self.flagged_study_count > 0 or self.flagged_reference_count > 0
