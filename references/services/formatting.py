"""Formatting the stored citations a large import or refresh left for later.

references_upsert formats a batch's citations itself only when the batch has a few to
format (upsert.FORMAT_INLINE_MAX); otherwise it stores the references with no formatted
citation (``formatted_key`` empty; readers show the plain stand-in) and this service,
run after the job (references_format_all_pending: by the references.format_citations task
for jobs the queue runs, inline for the management commands), formats them.
"""

from __future__ import annotations

from django.db import transaction

from references import stored_citations
from references.citations import citations_changed
from references.models import Reference

from .bulk import rows_update

BATCH_SIZE = 200


@transaction.atomic
def references_format_pending(*, batch_size: int = BATCH_SIZE) -> int:
    """Format one batch of the references waiting for their citations; how many were
    formatted (0: none is waiting). Rows another worker is formatting are skipped."""
    batch = list(
        Reference.objects.select_for_update(skip_locked=True)
        .filter(formatted_key="")
        .order_by("pk")[:batch_size]
    )
    for reference in batch:
        stored_citations.refresh_formatting(reference)
    rows_update(batch, stored_citations.FIELDS)
    if batch:
        # Pages that showed the stand-in are rendered again with the formatted citation.
        citations_changed.send(sender=Reference, reference_ids=[r.pk for r in batch])
    return len(batch)


def references_format_all_pending(*, batch_size: int = BATCH_SIZE) -> int:
    """Format every reference waiting for its citations, one batch (and transaction) at a
    time, so that a long backlog never holds its locks at once; how many were formatted."""
    total = 0
    while done := references_format_pending(batch_size=batch_size):
        total += done
    return total
