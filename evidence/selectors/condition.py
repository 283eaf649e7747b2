"""The condition page (and the summary API): every therapy with a verdict for one condition."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from references.models import RetractionStatus

from ..models import Condition, GuidelinePosition, PublishedStudy, Verdict
from .common import FLAGGED_REFERENCE, PUBLISHED_VERDICTS, GroupedCounts, PairSummary, report_counts
from .published import published_lists_of
from .related import RelatedPair, pair_counts

# --- Condition summary ------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictSummary(PairSummary):
    """One therapy's verdict for the condition, with the pair's study counts."""

    flagged_study_count: int
    flagged_reference_count: int
    guideline_positions: list[GuidelinePosition]


@dataclass(frozen=True)
class SubConditionRow:
    """A sub-condition on its parent's page: its verdicts, or the first few of them."""

    condition: Condition
    verdicts: list[RelatedPair]  # therapy loaded, with the pair's counts
    verdict_count: int

    @property
    def more_verdicts(self) -> int:
        return self.verdict_count - len(self.verdicts)


# A condition can have a hundred sub-conditions with hundreds of verdicts between them;
# the parent's page names them all but shows verdicts for the first few only, so its cost
# does not grow with them (each sub-condition's own page has the full list).
SUB_CONDITIONS_WITH_VERDICTS = 10
VERDICTS_PER_SUB_CONDITION = 6


@dataclass(frozen=True)
class ConditionSummary:
    condition: Condition
    sub_conditions: list[Condition]  # each with .verdicts prefetched (therapy loaded)
    verdicts: list[VerdictSummary]
    sub_condition_rows: list[SubConditionRow] = field(default_factory=list)

    @property
    def last_reviewed_on(self) -> date | None:
        dates = [item.verdict.reviewed_on for item in self.verdicts if item.verdict.reviewed_on]
        return max(dates, default=None)


def _sub_condition_rows(condition: Condition) -> list[SubConditionRow]:
    """Every sub-condition with its verdict count; verdicts for the first few, with their
    pairs' counts. Three queries."""
    subs = Condition.objects.filter(parent=condition).order_by("name", "id")
    shown: dict[int, list[Verdict]] = defaultdict(list)
    for verdict in (
        Verdict.objects.published()
        .filter(condition__in=subs.values("id")[:SUB_CONDITIONS_WITH_VERDICTS])
        .select_related("therapy")
        # Slicing per sub-condition would need a window function; the total is bounded.
        .order_by("condition_id", "therapy__name")
    ):
        if len(shown[verdict.condition_id]) < VERDICTS_PER_SUB_CONDITION:
            shown[verdict.condition_id].append(verdict)
    counts = pair_counts(condition_ids=shown) if shown else {}
    return [
        SubConditionRow(
            condition=sub,
            verdicts=[
                RelatedPair(v, counts.get((v.condition_id, v.therapy_id), GroupedCounts()))
                for v in shown.get(sub.pk, [])
            ],
            verdict_count=sub.n,
        )
        for sub in subs.annotate(n=Count("verdicts", filter=PUBLISHED_VERDICTS))
    ]


def _count_sub_verdicts(sub_conditions: list[Condition]) -> None:
    """Give each prefetched sub-condition verdict its pair's counts, as an annotation
    would (``grouped_counts``). One query."""
    counts = pair_counts(condition_ids=[sub.pk for sub in sub_conditions])
    for sub in sub_conditions:
        for verdict in sub.verdicts.all():
            verdict.grouped_counts = counts.get(
                (verdict.condition_id, verdict.therapy_id), GroupedCounts()
            )


# Long function: the page's queries read as one sequence, against its pinned count.
def condition_evidence_summary(*, slug: str, all_sub_verdicts: bool = True) -> ConditionSummary:
    """Every therapy with a verdict for one condition. Six queries, seven with
    sub-conditions (their pairs' counts).

    With ``all_sub_verdicts`` (the API) every sub-condition comes with all its verdicts;
    without (the page), sub_condition_rows bounds them (see SUB_CONDITIONS_WITH_VERDICTS).
    """
    condition = get_object_or_404(
        Condition.objects.select_related("parent", "prevalence_reference"), slug=slug
    )
    sub_conditions: list[Condition] = []
    sub_condition_rows: list[SubConditionRow] = []
    if all_sub_verdicts:
        sub_conditions = list(
            Condition.objects.filter(parent=condition)
            .order_by("name")
            .prefetch_related(
                Prefetch(
                    "verdicts",
                    queryset=Verdict.objects.published()
                    .select_related("therapy")
                    .order_by("therapy__name"),
                )
            )
        )
        if sub_conditions:
            _count_sub_verdicts(sub_conditions)
    else:
        sub_condition_rows = _sub_condition_rows(condition)
    verdicts = list(
        Verdict.objects.published()
        .filter(condition=condition)
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
    by_group: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    flagged: dict[int, int] = defaultdict(int)
    for count in report_counts(
        PublishedStudy.objects.filter(condition=condition),
        keys=("therapy_id", "evidence_group"),
        flagged=FLAGGED_REFERENCE,
    ):
        therapy_id, group = count.key
        by_group[therapy_id][(group, count.direction)] = count.reports
        flagged[therapy_id] += count.flagged
    lists = published_lists_of(verdicts)

    summaries = []
    for verdict in verdicts:
        summaries.append(
            VerdictSummary(
                verdict=verdict,
                grouped_counts=GroupedCounts.from_counts(by_group[verdict.therapy_id]),
                flagged_study_count=flagged[verdict.therapy_id],
                flagged_reference_count=verdict.flagged_reference_count,
                guideline_positions=lists[verdict.pk].guideline_positions,
            )
        )
    return ConditionSummary(
        condition=condition,
        sub_conditions=sub_conditions,
        verdicts=summaries,
        sub_condition_rows=sub_condition_rows,
    )
