"""Writes of conditions."""

from collections.abc import Sequence

from django.db import transaction

from config.modelwrites import row_upsert
from references.models import Reference

from ..models import Condition


@transaction.atomic
def condition_upsert(
    *,
    slug: str,
    name: str,
    synonyms: Sequence[str] = (),
    description: str = "",
    parent: Condition | None = None,
    prevalence_note: str = "",
    prevalence_reference: Reference | None = None,
) -> Condition:
    return row_upsert(
        Condition,
        lookup={"slug": slug},
        values={
            "name": name,
            "synonyms": list(synonyms),
            "description": description,
            "parent": parent,
            "prevalence_note": prevalence_note,
            "prevalence_reference": prevalence_reference,
        },
    )
