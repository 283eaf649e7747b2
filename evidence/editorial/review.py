"""Services of the review cycle: overdue verdicts are flagged, reviewers sign them off.

Other reasons for review are raised where their event happens: a new study or guideline
position in evidence.services, a retraction or correction through the references layer's
``references_amended`` signal (evidence.receivers), a new study from the triage queue in
evidence.editorial.triage.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from evidence.models import Verdict
from evidence.services import verdict_mark_for_review
from evidence.services.verdicts import SIGN_OFF_FIELDS, verdict_review_record

from .roles import SIGNOFF_PERMISSION
from .rules import ReasonCode, is_overdue, overdue_message, reason_key, review_reason


def verdicts_flag_overdue(*, today: date | None = None) -> int:
    """Mark every verdict past its review interval (or never reviewed) as needing review.

    Each verdict is written only when it gains the reason, so the daily run leaves
    verdicts already flagged, and their history, alone. Returns how many were flagged.
    """
    today = today or timezone.localdate()
    flagged = 0
    verdicts = Verdict.objects.only(
        "id", "reviewed_on", "review_interval_months", "needs_review", "review_reasons"
    ).order_by("pk")
    for verdict in verdicts.iterator():
        if not is_overdue(
            reviewed_on=verdict.reviewed_on,
            interval_months=verdict.review_interval_months,
            today=today,
        ):
            continue
        reason = review_reason(
            ReasonCode.OVERDUE,
            overdue_message(
                reviewed_on=verdict.reviewed_on, interval_months=verdict.review_interval_months
            ),
            at=today,
        )
        listed = {reason_key(item) for item in verdict.review_reasons}
        if verdict.needs_review and reason_key(reason) in listed:
            continue
        verdict_mark_for_review(verdict=verdict, reasons=[reason])
        flagged += 1
    return flagged


def verdict_request_review(*, verdict: Verdict, message: str = "") -> Verdict:
    """An editor puts a verdict up for review by hand."""
    reason = review_reason(
        ReasonCode.MANUAL,
        message.strip() or "Put up for review by an editor.",
        at=timezone.localdate(),
    )
    return verdict_mark_for_review(verdict=verdict, reasons=[reason])


def can_sign_off(user, verdict: Verdict | None = None) -> bool:
    """May ``user`` sign off reviews (of ``verdict``, when given: scopes apply)?"""
    if not (user and user.is_active):
        return False
    return user.has_perm(SIGNOFF_PERMISSION, verdict)


@transaction.atomic
def verdict_sign_off(*, verdict: Verdict, user, note: str = "", today: date | None = None):
    """A reviewer confirms the verdict as it stands: reviewed today, flags cleared.

    Only users with ``evidence.signoff_verdict`` (the Reviewer role) whose scope holds
    the verdict's condition may; anyone else gets PermissionDenied. ``verdict`` is
    updated in place and returned.
    """
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if not can_sign_off(user, current):
        raise PermissionDenied("Only reviewers of the verdict's condition may sign it off.")
    verdict_review_record(verdict=current, user=user, note=note, today=today)
    for name in SIGN_OFF_FIELDS:
        setattr(verdict, name, getattr(current, name))
    return verdict
