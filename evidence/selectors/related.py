"""Evidence recorded under neighbouring conditions: a parent's sub-conditions and a
sub-condition's parent, with each pair's reports counted by kind of evidence."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from ..models import PublishedStudy, Verdict
from .common import FLAGGED_REFERENCE, GroupedCounts, report_counts


@dataclass(frozen=True)
class RelatedPair:
    """A verdict (condition and therapy loaded) with its pair's reports counted."""

    verdict: Verdict
    counts: GroupedCounts
    is_sub_condition: bool = True


def pair_counts(*, condition_ids: Iterable[int]) -> dict[tuple[int, int], GroupedCounts]:
    """{(condition id, therapy id): counts} for every pair of these conditions. One query."""
    by_pair: dict[tuple[int, int], dict[tuple[str, str], int]] = defaultdict(dict)
    for count in report_counts(
        PublishedStudy.objects.filter(condition_id__in=list(condition_ids)),
        keys=("condition_id", "therapy_id", "evidence_group"),
        flagged=FLAGGED_REFERENCE,
    ):
        condition_id, therapy_id, group = count.key
        by_pair[(condition_id, therapy_id)][(group, count.direction)] = count.reports
    return {pair: GroupedCounts.from_counts(counts) for pair, counts in by_pair.items()}


def related_pairs(*, verdict: Verdict) -> list[RelatedPair]:
    """The same therapy's verdicts for the condition's sub-conditions and its parent, each
    with its counts: where a pair with no studies of its own sends its reader. Two queries."""
    parent_id = verdict.condition.parent_id
    neighbours = Q(condition__parent_id=verdict.condition_id)
    if parent_id is not None:
        neighbours |= Q(condition_id=parent_id)
    verdicts = list(
        Verdict.objects.published()
        .filter(neighbours, therapy_id=verdict.therapy_id)
        .select_related("condition", "therapy")
        .order_by("condition__name")
    )
    if not verdicts:
        return []
    counts = pair_counts(condition_ids=[v.condition_id for v in verdicts])
    return [
        RelatedPair(
            verdict=v,
            counts=counts.get((v.condition_id, v.therapy_id), GroupedCounts()),
            is_sub_condition=v.condition_id != parent_id,
        )
        for v in verdicts
    ]
