"""Writes of verdicts: the verdict of a pair, its background references, its saved
searches.

``Study.verdict`` mirrors the (therapy, condition) pair; ``verdict_upsert`` attaches the
pair's studies written before it (``study_upsert`` does the same the other way round).
"""

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from config.modelwrites import row_upsert
from references.models import Reference
from therapies.models import Therapy

from ..models import Condition, SavedSearch, Study, Verdict, VerdictReference


@transaction.atomic
def verdict_upsert(
    *,
    therapy: Therapy,
    condition: Condition,
    status: str,
    certainty: str,
    summary: str,
    key_takeaways: Sequence[str] = (),
    limitations: str = "",
    mechanism_notes: str = "",
    reviewed_on: date | None = None,
    review_interval_months: int = 12,
    references: Sequence[Reference] = (),
) -> Verdict:
    """Create or update the verdict of a pair and attach the pair's existing studies.

    ``needs_review`` and ``review_reasons`` are left alone: they are raised by other
    events (a retraction) and cleared by an editor, never by a re-load.
    """
    verdict = row_upsert(
        Verdict,
        lookup={"therapy": therapy, "condition": condition},
        values={
            "status": status,
            "certainty": certainty,
            "summary": summary,
            "key_takeaways": list(key_takeaways),
            "limitations": limitations,
            "mechanism_notes": mechanism_notes,
            "reviewed_on": reviewed_on,
            "review_interval_months": review_interval_months,
        },
    )
    verdict_references_set(verdict=verdict, references=references)
    # A bulk update: the link is derived from the pair, so it needs no history row.
    Study.objects.filter(therapy=therapy, condition=condition).exclude(verdict=verdict).update(
        verdict=verdict
    )
    return verdict


@transaction.atomic
def verdict_references_set(*, verdict: Verdict, references: Sequence[Reference]) -> None:
    """Make the verdict's background references exactly ``references``, in that order."""
    wanted = {reference.pk: position for position, reference in enumerate(references)}
    links = VerdictReference.objects.filter(verdict=verdict)
    links.exclude(reference_id__in=wanted).delete()
    existing = {link.reference_id: link for link in links}
    for reference_id, position in wanted.items():
        link = existing.get(reference_id)
        if link is None:
            VerdictReference.objects.create(
                verdict=verdict, reference_id=reference_id, position=position
            )
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


@transaction.atomic
def saved_search_upsert(*, verdict: Verdict, query: str, is_active: bool = True) -> SavedSearch:
    """Keep a PubMed query for a verdict's pair, keyed on (verdict, query)."""
    return row_upsert(
        SavedSearch,
        lookup={"verdict": verdict, "query": query.strip()},
        values={"is_active": is_active},
    )
