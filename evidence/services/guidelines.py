"""Writes of guideline positions; a new or changed stance puts the pair's verdict up for
review."""

from django.core.exceptions import ValidationError
from django.db import transaction

from config.modelwrites import row_write
from references.models import Reference
from therapies.models import Therapy

from ..models import Condition, GuidelinePosition
from .flags import verdict_flag_guideline_change


@transaction.atomic
def guideline_position_upsert(
    *,
    therapy: Therapy,
    condition: Condition,
    issuing_body: str,
    document: str,
    position: str,
    year: int | None = None,
    reference: Reference | None,
    summary: str = "",
    flag_for_review: bool = True,
) -> GuidelinePosition:
    """Create or update one position; a new one, or a new stance or year, puts the pair's
    verdict up for review (unless ``flag_for_review`` is false). The position must cite
    the guideline's reference."""
    if reference is None:
        raise ValidationError(
            {"reference": "A guideline position must cite the guideline it comes from."},
            code="unsourced",
        )
    guideline, changed = row_write(
        GuidelinePosition,
        lookup={
            "therapy": therapy,
            "condition": condition,
            "issuing_body": issuing_body,
            "document": document,
        },
        values={"position": position, "year": year, "summary": summary, "reference": reference},
    )
    if flag_for_review and (changed is None or {"position", "year"} & set(changed)):
        verdict_flag_guideline_change(
            position=guideline, previous_position=(changed or {}).get("position")
        )
    return guideline
