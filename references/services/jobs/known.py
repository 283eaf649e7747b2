"""Identifiers the library holds already: importing one again is neither a fetch nor a
failure. Its item is resolved at once, pointing at the reference it names, and reported
as "already in the library" (the job page links to it). A refresh, not an import, is how
a held reference is fetched again (the references admin's action, the periodic refresh).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from references.models import ImportJob, ImportJobItem, Reference

from .messages import ALREADY_IN_LIBRARY

KINDS = ("doi", "pmid", "pmcid")


def _held(chunk: list[ImportJobItem]) -> dict[tuple[str, str], Reference]:
    wanted: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for item in chunk:
        if item.kind in wanted:
            wanted[item.kind].add(item.value)
    query = Q()
    for kind, values in wanted.items():
        if values:
            query |= Q(**{f"{kind}__in": values})
    if not query:
        return {}
    held = {}
    for reference in Reference.objects.filter(query).only("id", *KINDS):
        for kind in KINDS:
            if value := getattr(reference, kind):
                held[(kind, value)] = reference
    return held


@transaction.atomic
def known_items_resolve(*, job: ImportJob, chunk: list[ImportJobItem]) -> list[ImportJobItem]:
    """Resolve the items of an identifier job whose identifier is held already; returns
    the items left to fetch."""
    held = _held(chunk)
    if not held:
        return chunk
    # Another run of this job may have resolved some of them meanwhile (see run.py).
    pending = set(
        ImportJobItem.objects.select_for_update()
        .filter(pk__in=[item.pk for item in chunk], status=ImportJobItem.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    known, rest = [], []
    for item in chunk:
        if item.pk not in pending:
            continue
        reference = held.get((item.kind, item.value))
        if reference is None:
            rest.append(item)
            continue
        item.status = ImportJobItem.Status.UNCHANGED
        item.reference = reference
        item.message = ALREADY_IN_LIBRARY
        known.append(item)
    if known:
        ImportJobItem.objects.bulk_update(known, ["status", "message", "reference"])
        ImportJob.objects.filter(pk=job.pk).update(
            processed=F("processed") + len(known),
            unchanged_count=F("unchanged_count") + len(known),
        )
    return rest
