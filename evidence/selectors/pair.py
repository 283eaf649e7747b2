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
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from references.models import RetractionStatus
from therapies.models import RegulatoryStatus
from therapies.selectors import (
    Cited,
    NumberedReference,
    ReferenceNumbering,
    cite_statuses,
    safety_cite,
    therapy_safety,
)

from ..models import Design, PublishedStudy, StudyRecord, Verdict
from ..presentation.forest import ForestGroup, ForestInput, forest_groups
from .common import FLAGGED_STUDY, ReportCount, design_rows, grouped_by_design, report_counts
from .findings import FindingRow, finding_row
from .pages import STUDIES_PER_PAGE, StudyPage
from .pair_types import FLAGGED_LIST_LIMIT, PairEvidence, StudyRow
from .published import PublishedLists, published_lists
from .related import related_pairs

TIMELINE_MAX_STUDIES = 400
FOREST_MAX_STUDIES = 20
FOREST_MAX_GROUPS = 3
# Oldest first, by title within a year: Study's copies of its reference's year and title
# (prefix), so that a page of a large pair is read from study_pair_order_idx without
# joining and sorting all of the pair's references.
STUDY_ORDER = (
    F("reference_year").asc(nulls_last=True),
    "reference_sort_title",
    "outcome",
    "id",
)


def _pair_verdict(condition_slug: str, therapy_slug: str) -> Verdict:
    """The pair's verdict as last published; Http404 for a pair never published."""
    return get_object_or_404(
        Verdict.objects.published().select_related("therapy", "condition", "condition__parent"),
        condition__slug=condition_slug,
        therapy__slug=therapy_slug,
    )


def _pair_studies(verdict: Verdict):
    return PublishedStudy.objects.filter(
        therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
    )


def _largest_trial(studies) -> StudyRecord | None:
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


@dataclass(frozen=True)
class _PairSlice:
    """What a page reads of the pair's studies, by whichever branch suits its size."""

    page_studies: list[StudyRecord]
    flagged: list[StudyRecord]
    flagged_total: int
    largest_trial: StudyRecord | None
    forest: list[ForestGroup]
    forest_group_count: int
    forest_labels: dict[int, StudyRecord]
    timeline_studies: list[StudyRecord]


def _background(lists: PublishedLists, numbering: ReferenceNumbering) -> list[Cited]:
    """The verdict's background sources, each with what the verdict takes from it."""
    return [
        Cited(item=link.claim, references=[numbering.cite(link.reference)])
        for link in lists.background
    ]


def _design_counts(pair) -> tuple[list[ReportCount], int, int]:
    """Reports by (design, direction), and the study rows and flagged rows. One query."""
    counts = report_counts(pair, keys=("design",), flagged=FLAGGED_STUDY)
    rows = sum(count.rows for count in counts)
    return counts, rows, sum(count.flagged for count in counts)


def _small_pair_slice(rows, offset: int) -> _PairSlice:
    """Everything from one read of all the pair's rows."""
    everything = list(rows)
    # The references are loaded anyway: their own status beats the copies, which a
    # write around the services (QuerySet.update) could have left behind.
    flagged = [study for study in everything if study.is_flagged]
    forest, forest_group_count = forest_groups(
        _forest_inputs(everything), max_drawn=FOREST_MAX_STUDIES, max_groups=FOREST_MAX_GROUPS
    )
    return _PairSlice(
        page_studies=everything[offset : offset + STUDIES_PER_PAGE],
        flagged=flagged,
        flagged_total=len(flagged),
        largest_trial=_largest_trial(everything),
        forest=forest,
        forest_group_count=forest_group_count,
        forest_labels={study.pk: study for study in everything},
        timeline_studies=everything,
    )


def _outcome_key(outcome: str, measure: str) -> tuple[str, str]:
    """An outcome's forest plot, as evidence.presentation.forest.forest_groups keys it."""
    return (" ".join(outcome.split()).casefold(), measure)


def _large_pair_forest(pair) -> tuple[list[ForestGroup], int]:
    """The forest plots from every comparable study read as bare numbers, and how many
    outcomes there are. Only the studies of the outcomes drawn become ForestInputs: a large
    pair has a hundred outcomes, and forest_groups pools and draws the few largest."""
    grouped: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in (
        pair.exclude(effect_measure="")
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
    ):
        grouped[_outcome_key(row[1], row[2])].append(row)
    # forest_groups' own choice of the largest outcomes, so it draws the same ones.
    largest = sorted(
        grouped.values(), key=lambda rows: (-len(rows), _outcome_key(rows[0][1], rows[0][2])[0])
    )[:FOREST_MAX_GROUPS]
    inputs = [
        ForestInput(
            study_id=pk,
            outcome=outcome,
            measure=measure,
            effect_size=effect,
            ci_lower=lower,
            ci_upper=upper,
            retracted=status == RetractionStatus.RETRACTED,
        )
        for rows in largest
        for pk, outcome, measure, effect, lower, upper, status in rows
    ]
    forest, _ = forest_groups(inputs, max_drawn=FOREST_MAX_STUDIES, max_groups=FOREST_MAX_GROUPS)
    return forest, len(grouped)


def _drawn_studies(forest: list[ForestGroup]) -> dict[int, StudyRecord]:
    """The studies the forest plots draw, by id, to label them."""
    drawn = {item.study_id for group in forest for item in group.drawn}
    if not drawn:
        return {}
    return {
        study.pk: study
        for study in PublishedStudy.objects.filter(pk__in=drawn).select_related("reference")
    }


def _large_pair_slice(pair, rows, offset: int, flagged_total: int) -> _PairSlice:
    """A bounded number of rows per query, whatever the pair's size."""
    # The page's ids first, from study_pair_order_idx alone, then the 50 rows with their
    # references: joined before the OFFSET, page 50 would read 2,500 references.
    page_ids = pair.order_by(*STUDY_ORDER).values("pk")[offset : offset + STUDIES_PER_PAGE]
    page_studies = list(rows.filter(pk__in=Subquery(page_ids)))
    flagged = list(rows.flagged()[:FLAGGED_LIST_LIMIT]) if flagged_total else []
    # The largest trial's id is sorted out of narrow rows, then its one row read whole:
    # sorting the pair's trials with their references costs more than scanning them.
    largest_id = (
        pair.filter(design=Design.RCT)
        .order_by(F("participants").desc(nulls_last=True), "id")
        .values("pk")[:1]
    )
    largest_trial = (
        pair.filter(pk=Subquery(largest_id)).select_related("reference").order_by("pk").first()
    )
    forest, forest_group_count = _large_pair_forest(pair)
    return _PairSlice(
        page_studies=page_studies,
        flagged=flagged,
        flagged_total=flagged_total,
        largest_trial=largest_trial,
        forest=forest,
        forest_group_count=forest_group_count,
        forest_labels=_drawn_studies(forest),
        timeline_studies=[],
    )


def _cite_studies(
    pair_slice: _PairSlice, numbering: ReferenceNumbering
) -> tuple[list[StudyRow], list[StudyRow]]:
    """The page's study rows and the flagged ones, cited in that order."""
    study_rows = [
        StudyRow(
            study=study,
            reference=numbering.cite(study.reference),
            source=numbering.cite(study.extraction_reference)
            if study.extraction_reference_id
            else None,
        )
        for study in pair_slice.page_studies
    ]
    on_page = {row.study.pk: row for row in study_rows}
    flagged_rows = [
        on_page.get(study.pk)
        or StudyRow(study=study, reference=numbering.cite(study.reference), on_page=False)
        for study in pair_slice.flagged[:FLAGGED_LIST_LIMIT]
    ]
    return study_rows, flagged_rows


def _guideline_positions(lists: PublishedLists, numbering: ReferenceNumbering) -> list[Cited]:
    return [
        Cited(
            item=position,
            references=[numbering.cite(position.reference)] if position.reference else [],
        )
        for position in lists.guideline_positions
    ]


def _regulatory_statuses(verdict: Verdict, numbering: ReferenceNumbering) -> list[Cited]:
    return cite_statuses(
        RegulatoryStatus.objects.filter(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
        )
        .select_related("reference")
        .order_by("agency"),
        numbering,
    )


def _findings(lists: PublishedLists) -> list[FindingRow]:
    return [finding_row(finding) for finding in lists.findings]


def pair_evidence(*, condition_slug: str, therapy_slug: str, page: int = 1) -> PairEvidence:
    """One page of the evidence on a therapy for a condition; Http404 without a verdict
    or for a page past the last. Fourteen queries for a pair small enough to draw whole,
    eighteen for a larger one, whatever its size; two more for a pair with no studies
    (where its evidence is: evidence.selectors.related)."""
    verdict = _pair_verdict(condition_slug, therapy_slug)
    # One numbering for the whole page: references are numbered in the order the page
    # cites them, so the calls below that cite must keep their order.
    numbering = ReferenceNumbering()
    lists = published_lists(verdict)
    background_claims = _background(lists, numbering)
    pair = _pair_studies(verdict)
    by_design, total, flagged_total = _design_counts(pair)
    page_count = max(1, math.ceil(total / STUDIES_PER_PAGE))
    if page > page_count:
        raise Http404(f"There is no page {page}: the studies fill {page_count} page(s).")
    offset = (page - 1) * STUDIES_PER_PAGE
    rows = pair.select_related("reference", "extraction_reference").order_by(*STUDY_ORDER)
    if total <= TIMELINE_MAX_STUDIES:
        pair_slice = _small_pair_slice(rows, offset)
    else:
        pair_slice = _large_pair_slice(pair, rows, offset, flagged_total)
    study_rows, flagged_rows = _cite_studies(pair_slice, numbering)
    numbers = {row.study.pk: row.reference.number for row in [*study_rows, *flagged_rows]}
    forest = [group.labelled(pair_slice.forest_labels, numbers) for group in pair_slice.forest]
    guideline_positions = _guideline_positions(lists, numbering)
    regulatory_statuses = _regulatory_statuses(verdict, numbering)
    safety = safety_cite(safety=therapy_safety(therapy=verdict.therapy), numbering=numbering)
    findings = _findings(lists)
    return PairEvidence(
        verdict=verdict,
        background=[cited.references[0] for cited in background_claims],
        background_claims=background_claims,
        studies=study_rows,
        grouped_counts=grouped_by_design(by_design),
        guideline_positions=guideline_positions,
        regulatory_statuses=regulatory_statuses,
        safety=safety,
        references=numbering.entries,
        findings=findings,
        forest_groups=forest,
        page=StudyPage(number=page, page_count=page_count, total=total),
        design_rows=design_rows(by_design),
        flagged_studies=flagged_rows,
        flagged_study_count=pair_slice.flagged_total,
        largest_trial=pair_slice.largest_trial,
        timeline_studies=pair_slice.timeline_studies,
        forest_group_count=pair_slice.forest_group_count,
        related=related_pairs(verdict=verdict) if total == 0 else [],
    )


def pair_references(*, condition_slug: str, therapy_slug: str) -> list[NumberedReference]:
    """Every reference of the pair, numbered as a single page of all its studies would:
    background, studies (oldest first), guideline positions, safety. For downloads."""
    verdict = _pair_verdict(condition_slug, therapy_slug)
    lists = published_lists(verdict)
    numbering = ReferenceNumbering()
    numbering.cite_all(link.reference for link in lists.background)
    for study in _pair_studies(verdict).select_related("reference").order_by(*STUDY_ORDER):
        numbering.cite(study.reference)
    for position in lists.guideline_positions:
        if position.reference:
            numbering.cite(position.reference)
    safety_cite(safety=therapy_safety(therapy=verdict.therapy), numbering=numbering)
    return numbering.entries
