"""A pair's content as a published version keeps it: the verdict and everything its page
shows, as plain data (evidence.publication diffs two of them)."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from .. import publication
from ..models import (
    PUBLISHED_VERDICT_FIELDS,
    STUDY_EXTRACTED_FIELDS,
    GuidelinePosition,
    OutcomeFinding,
    Study,
    Verdict,
    VerdictReference,
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
        "verdict": {name: getattr(verdict, name) for name in PUBLISHED_VERDICT_FIELDS},
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
            .values("id", "issuing_body", "document", "year", "position", "summary", "reference_id")
        ],
        "studies": studies,
    }
