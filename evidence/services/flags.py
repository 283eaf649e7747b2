"""Putting verdicts up for review: a new study, a guideline change, an amended reference.

Reasons come from evidence.editorial.rules; the flags add up (a verdict lists every reason
it is up for review) and only an editor's sign-off clears them.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from references.models import Reference, RetractionStatus

from ..editorial.rules import Reason, ReasonCode, merge_reasons, review_reason
from ..models import GuidelinePosition, Study, Verdict, VerdictReference


@transaction.atomic
def verdict_mark_for_review(*, verdict: Verdict, reasons: Sequence[Reason]) -> Verdict:
    """Put a verdict up for review, adding the reasons it does not already list.

    The row is re-read under a lock, so concurrent flags add up instead of overwriting
    each other, and its history row holds the verdict as stored. ``verdict`` is updated
    in place and returned.
    """
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    merged = merge_reasons(current.review_reasons, reasons)
    if current.needs_review and len(merged) == len(current.review_reasons):
        verdict.needs_review, verdict.review_reasons = True, current.review_reasons
        return verdict
    current.needs_review = True
    current.review_reasons = merged
    current.save(update_fields=["needs_review", "review_reasons", "updated_at"])
    verdict.needs_review = True
    verdict.review_reasons = merged
    verdict.updated_at = current.updated_at
    return verdict


def verdict_flag_new_study(*, study: Study) -> Verdict | None:
    """A study was added to a pair: its verdict (if any) needs review. Returns it."""
    verdict = (
        study.verdict
        or Verdict.objects.filter(
            therapy_id=study.therapy_id, condition_id=study.condition_id
        ).first()
    )
    if verdict is None:
        return None
    reason = review_reason(ReasonCode.NEW_STUDY, f"New study: {study}", at=timezone.localdate())
    return verdict_mark_for_review(verdict=verdict, reasons=[reason])


def verdict_flag_guideline_change(
    *, position: GuidelinePosition, previous_position: str | None = None
) -> Verdict | None:
    """A guideline position was added or changed: the pair's verdict needs review."""
    verdict = Verdict.objects.filter(
        therapy_id=position.therapy_id, condition_id=position.condition_id
    ).first()
    if verdict is None:
        return None
    source = f"{position.issuing_body}, {position.document}"
    if position.year:
        source += f" ({position.year})"
    stance = position.get_position_display()
    if previous_position and previous_position != position.position:
        before = GuidelinePosition.Position(previous_position).label
        message = f"Guideline position changed: {source}: {before} to {stance}."
    else:
        message = f"Guideline position recorded: {source}: {stance}."
    reason = review_reason(ReasonCode.GUIDELINE_CHANGED, message, at=timezone.localdate())
    return verdict_mark_for_review(verdict=verdict, reasons=[reason])


@transaction.atomic
def verdicts_flag_amended_references(*, reference_ids: Iterable[int]) -> int:
    """Mark for review every verdict that rests on a reference whose status just changed.

    A verdict rests on a reference through a study of its pair, a guideline position of
    its pair, or a background reference. Returns how many verdicts were flagged.
    """
    ids = set(reference_ids)
    if not ids:
        return 0
    today = timezone.localdate()
    references = Reference.objects.in_bulk(ids)
    cited_by_pair: dict[tuple[int, int], set[int]] = defaultdict(set)
    for model in (Study, GuidelinePosition):
        for therapy_id, condition_id, reference_id in model.objects.filter(
            reference_id__in=ids
        ).values_list("therapy_id", "condition_id", "reference_id"):
            cited_by_pair[(therapy_id, condition_id)].add(reference_id)
    cited_by_verdict: dict[int, set[int]] = defaultdict(set)
    for verdict_id, reference_id in VerdictReference.objects.filter(
        reference_id__in=ids
    ).values_list("verdict_id", "reference_id"):
        cited_by_verdict[verdict_id].add(reference_id)

    matches = Q(pk__in=list(cited_by_verdict))
    for therapy_id, condition_id in cited_by_pair:
        matches |= Q(therapy_id=therapy_id, condition_id=condition_id)
    flagged = 0
    for verdict in Verdict.objects.filter(matches).order_by("pk").select_for_update():
        cited = (
            cited_by_pair[(verdict.therapy_id, verdict.condition_id)] | cited_by_verdict[verdict.pk]
        )
        reasons = [
            _amended_reason(references[pk], today) for pk in sorted(cited) if pk in references
        ]
        verdict_mark_for_review(verdict=verdict, reasons=[r for r in reasons if r])
        flagged += 1
    return flagged


# An expression of concern doubts the findings as a retraction does, so it counts as one.
_AMENDED_CODES = {
    RetractionStatus.RETRACTED: ReasonCode.RETRACTED_STUDY,
    RetractionStatus.EXPRESSION_OF_CONCERN: ReasonCode.RETRACTED_STUDY,
    RetractionStatus.CORRECTED: ReasonCode.CORRECTED_STUDY,
}


def _amended_reason(reference: Reference, today: date) -> Reason | None:
    code = _AMENDED_CODES.get(reference.retraction_status)
    if code is None:
        return None
    status = reference.get_retraction_status_display().lower()
    return review_reason(code, f"Cited reference now marked {status}: {reference}", at=today)
