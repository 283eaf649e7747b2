"""Create or update References from parsed records, merging what each source says.

One call handles a whole batch with a fixed number of queries: one read of the matching
references, their notices and raw records, then bulk writes. Fields an editor locked are
never overwritten; a source only replaces a field that a source of lower priority (or no
known source) supplied; an empty value never blanks a stored one; notices are only ever
added, so a later answer that omits a retraction cannot erase it.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Collection, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from references import stored_citations
from references.citations import citations_changed
from references.models import (
    Reference,
    ReferenceNotice,
    ReferenceSourceRecord,
    RetractionStatus,
    raw_digest,
)
from references.parsers.records import BibRecord
from references.signals import references_amended

from .bulk import rows_history, rows_update
from .merge import (
    RAW_CONTENT_TYPES,
    Outcome,
    RecordBatch,
    UpsertResult,
    identifiers_of,
    notice_key,
    record_fingerprint,
)

logger = logging.getLogger(__name__)


# PubMed's indexers curate titles, authors and abstracts; Crossref is what the publisher
# deposited; a file is what some reference manager exported. "manual" is an editor.
CONFLICT_RETRIES = 3
# citeproc takes 10-20 ms a reference for the offered styles. A batch with at most this many
# references to (re)format formats them itself; a larger one stores them unformatted
# (readers show the plain stand-in, built from the fields just written) and leaves them to
# references_format_pending (the references.format_citations task), so that refreshing
# thousands of changed references goes at the pace of the upstream's rate limit.
FORMAT_INLINE_MAX = 5
# Level 6 (zlib's default) compresses a record about 3x faster than gzip's default 9 and
# within a few percent of its size; records are compressed only when they changed.
GZIP_LEVEL = 6


def references_upsert(
    *,
    records: Sequence[BibRecord],
    refreshed_at: datetime | None = None,
    awaiting_enrichment: Collection[int] = (),
) -> UpsertResult:
    """Merge ``records`` into References, creating those not stored yet.

    Records may describe the same work twice (PubMed and Crossref for one DOI); they are
    merged in order. A record without identifiers is matched by its fingerprint (title,
    year, first author), so a file imported again updates what it created. Two concurrent
    calls for the same new work leave one Reference: the loser's insert hits the unique
    constraint and the batch is redone against the winner.

    The references of the records at the indexes ``awaiting_enrichment`` (file records
    whose upstream could not be reached) are marked as waiting for enrichment; any other
    reference that an upstream record (PubMed, Crossref) merged into is unmarked.
    """
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            with transaction.atomic():
                return _upsert_batch(
                    records, refreshed_at or timezone.now(), set(awaiting_enrichment)
                )
        except IntegrityError:
            if attempt == CONFLICT_RETRIES:
                raise
            logger.info("reference upsert conflicted with a concurrent writer; retrying")
    raise AssertionError("unreachable")


def _gzip(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)


def _matching_references(records: Sequence[BibRecord]) -> list[Reference]:
    """The stored references any record (or any notice it carries) names."""
    lookup = Q(pk__in=[])
    for name, values in identifiers_of(records).items():
        if values:
            lookup |= Q(**{f"{name}__in": values})
    fingerprints = {key for record in records if (key := record_fingerprint(record))}
    if fingerprints:
        lookup |= Q(fingerprint__in=fingerprints)
    return list(Reference.objects.filter(lookup))


def _stored_notices(existing: list[Reference]) -> dict[int, dict[tuple, ReferenceNotice]]:
    """The notices of ``existing``, keyed by id() of their reference, then notice_key."""
    # Keyed by id(): references created in this batch have no pk yet.
    notices_by_ref: dict[int, dict[tuple, ReferenceNotice]] = {id(r): {} for r in existing}
    by_pk = {r.pk: r for r in existing}
    for notice in ReferenceNotice.objects.filter(reference__in=existing):
        notices_by_ref[id(by_pk[notice.reference_id])][notice_key(notice)] = notice
    return notices_by_ref


def _stored_raw(existing: list[Reference]) -> dict[tuple[int, str], ReferenceSourceRecord]:
    """The raw records of ``existing`` (their digests, not their bytes), by (reference id,
    source)."""
    return {
        (raw.reference_id, raw.source): raw
        for raw in ReferenceSourceRecord.objects.filter(reference__in=existing).only(
            "id", "reference_id", "source", "raw_digest"
        )
    }


def _format(references: list[Reference]) -> bool:
    """Format the stored citations of ``references`` now, or mark them for later when there
    are more than FORMAT_INLINE_MAX; True when any reference's citation columns changed."""
    if len(references) <= FORMAT_INLINE_MAX:
        return sum([stored_citations.refresh_formatting(r) for r in references]) > 0
    for reference in references:
        reference.formatted, reference.formatted_key = {}, ""
    return bool(references)


def _insert_created(created: list[Reference], now: datetime) -> None:
    for reference in created:
        reference.last_refreshed = now
    _format(created)
    if created:
        # Every writer inserts new works in one order, so two batches sharing new works wait
        # for each other (then the loser redoes its batch) instead of deadlocking on the
        # unique indexes.
        created.sort(key=lambda r: (r.doi or "", r.pmid or "", r.pmcid or ""))
        bulk_create_with_history(created, Reference)


def _update_changed(
    touched: dict[int, Reference],
    created_ids: set[int],
    changed_fields: dict[int, set[str]],
    now: datetime,
) -> list[Reference]:
    """Write the changed fields of the stored references; those written."""
    to_update = [
        r for key, r in touched.items() if key not in created_ids and changed_fields.get(key)
    ]
    if to_update:
        for reference in to_update:
            reference.last_refreshed = now
        fields = sorted(set().union(*(changed_fields[id(r)] for r in to_update)))
        fields.append("last_refreshed")
        # Reformat only what a cited field changed in; the citations ride in the same update.
        cited = [r for r in to_update if stored_citations.CITED_FIELDS & changed_fields[id(r)]]
        if _format(cited):
            fields.extend(stored_citations.FIELDS)
        rows_update(to_update, fields)
        rows_history(to_update, when=now)
    return to_update


def _insert_notices(new_notices: list[tuple[Reference, ReferenceNotice]]) -> None:
    if new_notices:
        for reference, notice in new_notices:
            notice.reference = reference
        ReferenceNotice.objects.bulk_create([n for _, n in new_notices], ignore_conflicts=True)


def _upsert_batch(records: Sequence[BibRecord], now: datetime, awaiting: set[int]) -> UpsertResult:
    existing = _matching_references(records)
    batch = RecordBatch(existing, _stored_notices(existing))
    raw_by_key = _stored_raw(existing)
    for record in records:
        batch.add_record(record)
    batch.awaiting(r for i, r in enumerate(batch.result.references) if i in awaiting)
    touched = batch.touched()
    amended = batch.settle_statuses(touched)
    created_ids = {id(r) for r in batch.created}
    _insert_created(batch.created, now)
    to_update = _update_changed(touched, created_ids, batch.changed_fields, now)
    _insert_notices(batch.new_notices)
    _write_raw(batch.pending_raw.values(), raw_by_key, now)

    result = batch.result
    result.outcomes = [
        _outcome(r, created_ids, batch.changed_fields) if r is not None else Outcome.UNCHANGED
        for r in result.references
    ]
    result.amended_ids = {r.pk for r in amended if r.retraction_status != RetractionStatus.NONE}
    if to_update:
        citations_changed.send(sender=Reference, reference_ids=sorted(r.pk for r in to_update))
    if amended:
        references_amended.send(sender=Reference, reference_ids=sorted(r.pk for r in amended))
    return result


def _outcome(reference: Reference, created_ids: set[int], changed: dict[int, set]) -> str:
    if id(reference) in created_ids:
        return Outcome.CREATED
    return Outcome.UPDATED if changed.get(id(reference)) else Outcome.UNCHANGED


def _write_raw(pending, existing: dict, now: datetime) -> None:
    """Store the raw records that are new or whose digest differs from the stored one; an
    unchanged record is neither compressed nor written."""
    creates, updates = [], []
    for reference, source, raw in pending:
        digest = raw_digest(raw)
        current = existing.get((reference.pk, source))
        if current is None:
            creates.append(
                ReferenceSourceRecord(
                    reference=reference,
                    source=source,
                    content_type=RAW_CONTENT_TYPES[source],
                    raw_gzip=_gzip(raw),
                    raw_digest=digest,
                    fetched_at=now,
                )
            )
        elif current.raw_digest != digest:
            current.raw_gzip, current.raw_digest, current.fetched_at = _gzip(raw), digest, now
            updates.append(current)
    if creates:
        ReferenceSourceRecord.objects.bulk_create(creates)
    rows_update(updates, ["raw_gzip", "raw_digest", "fetched_at"])


def raw_record(reference: Reference, source: str) -> bytes | dict | None:
    """The stored upstream record of ``reference`` from ``source``, decompressed."""
    stored = reference.source_records.filter(source=source).first()
    if stored is None:
        return None
    raw = gzip.decompress(bytes(stored.raw_gzip))
    return json.loads(raw) if stored.content_type == "application/json" else raw
