"""Publishing a pair: a reviewer turns the pair's draft (its rows as they stand) into
the next numbered, dated and immutable version, with a note.

The content of a version is the verdict and everything its page shows, read in a fixed
number of queries; what changed against the version before is worked out once, here, by
evidence.publication.changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import publication
from ..editorial.roles import PUBLISH_PERMISSION
from ..models import (
    STUDY_EXTRACTED_FIELDS,
    GuidelinePosition,
    OutcomeFinding,
    Study,
    Verdict,
    VerdictReference,
    VerdictVersion,
)

VERDICT_CONTENT_FIELDS = (
    "status",
    "certainty",
    "certainty_override_reason",
    "summary",
    "key_takeaways",
    "limitations",
    "mechanism_notes",
)
FINDING_CONTENT_FIELDS = (
    "outcome",
    "importance",
    "position",
    *publication.FINDING_FIELDS,
)


def pair_content(*, verdict: Verdict) -> dict[str, Any]:
    """The verdict and everything its page shows, as plain data. Four queries."""
    pair = {"therapy_id": verdict.therapy_id, "condition_id": verdict.condition_id}
    studies = [
        {
            "id": row.pop("id"),
            "outcome": row.pop("outcome"),
            "reference": {
                "id": row.pop("reference_id"),
                "title": row.pop("reference__title"),
                "year": row.pop("reference__year"),
            },
            **row,
        }
        for row in Study.objects.filter(**pair)
        .order_by(F("reference__year").asc(nulls_last=True), "reference__title", "outcome", "id")
        .values(
            "id",
            "reference_id",
            "reference__title",
            "reference__year",
            "outcome",
            "extraction_reference_id",
            *(name for name in STUDY_EXTRACTED_FIELDS if name != "outcome"),
        )
    ]
    return {
        "verdict": {name: getattr(verdict, name) for name in VERDICT_CONTENT_FIELDS},
        "background": list(
            VerdictReference.objects.filter(verdict=verdict)
            .order_by("position", "id")
            .values("reference_id", "claim")
        ),
        "findings": list(
            OutcomeFinding.objects.filter(verdict=verdict)
            .order_by("position", "id")
            .values(*FINDING_CONTENT_FIELDS)
        ),
        "guideline_positions": [
            {"key": f"{row['issuing_body']} / {row['document']}", **row}
            for row in GuidelinePosition.objects.filter(**pair)
            .order_by("issuing_body", "document")
            .values("issuing_body", "document", "year", "position", "summary", "reference_id")
        ],
        "studies": studies,
    }


def can_publish(user, verdict: Verdict) -> bool:
    """May ``user`` publish ``verdict``'s draft? Reviewers of its condition may."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION, verdict))


@transaction.atomic
def verdict_publish(*, verdict: Verdict, user, note: str) -> VerdictVersion:
    """Publish the pair's draft as its next version, and sign its review off.

    PermissionDenied for anyone but a reviewer whose scope holds the verdict's condition;
    a ValidationError on ``note`` without one. The review reasons open at publication are
    kept on the version: the note says how they were handled.
    """
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if not can_publish(user, current):
        raise PermissionDenied("Only reviewers of the verdict's condition may publish it.")
    return _version_create(verdict=current, user=user, note=note)


@transaction.atomic
def verdict_publish_loaded(*, verdict: Verdict, note: str) -> VerdictVersion | None:
    """Version 1 of a verdict written by a load (``load_demo``), published by no one;
    None when it has a version already, so that a second load publishes nothing."""
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if current.versions.exists():
        return None
    return _version_create(verdict=current, user=None, note=note, sign_off=False)


def _version_create(*, verdict: Verdict, user, note: str, sign_off: bool = True) -> VerdictVersion:
    current = verdict
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what this version changes and why."}, code="required")
    previous = current.versions.order_by("-number").first()
    content = pair_content(verdict=current)
    version = VerdictVersion.objects.create(
        verdict=current,
        number=(previous.number + 1) if previous else 1,
        published_at=timezone.now(),
        published_by=user,
        note=note,
        content=content,
        changes=publication.changes(previous.content if previous else None, content),
        handled_reasons=list(current.review_reasons),
    )
    if sign_off:
        _sign_off(current, user=user, note=note)
    return version


def _sign_off(current: Verdict, *, user, note: str) -> None:
    current.reviewed_on = timezone.localdate()
    current.reviewed_by = user
    current.review_note = note
    current.needs_review = False
    current.review_reasons = []
    current._history_user = user
    current.save(
        update_fields=[
            "reviewed_on",
            "reviewed_by",
            "review_note",
            "needs_review",
            "review_reasons",
            "updated_at",
        ]
    )
