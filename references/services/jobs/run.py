"""Running import jobs: the pending items of a job, chunk by chunk, into References.

Running fetches every source for a chunk first and writes only when every source has
answered, so an upstream fault leaves the stored data as it was; the task retries the
chunk later. Items already resolved are never fetched again, so a job that is run twice
(a redelivered task) does the remaining work once.

A refresh or a file job fetches ahead: one thread asks the upstreams for the next chunks
(HTTP and parsing only, no database) while this one writes the current chunk, so the
upstreams' rate limits, not our own writing, set the pace. Fetches still run one after
another, so an upstream found down by one is not asked again by the next (_Clients.down).
An identifiers job runs chunk by chunk: which of its identifiers are already in the
library depends on what the chunk before it wrote.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from references.models import ImportJob, ImportJobItem, Reference
from references.parsers.records import BibRecord
from references.services.bulk import rows_update
from references.services.fetch import Fetched, FetchFailed, fetch_records
from references.services.upsert import Outcome, references_upsert
from references.sources import CrossrefClient, PubMedClient, upstream_config
from references.sources.http import UpstreamUnavailable

from .finish import import_job_finish
from .known import known_items_resolve
from .messages import (
    item_message,
    not_found_message,
    pending_enrichment_notes,
    waiting_message,
)
from .parse import import_job_parse, parsed_file_records

Progress = Callable[[ImportJob], None]

# A file job in these states has not been (completely) parsed into items yet.
_UNPARSED = (ImportJob.Status.PENDING, ImportJob.Status.PARSING)
# Chunks fetched ahead of the one being written: one waiting while the next is fetched.
PREFETCH = 2


def import_job_run(
    *, job_id: int, pubmed=None, crossref=None, progress: Progress | None = None
) -> ImportJob | None:
    """Do the pending work of a job, chunk by chunk. Raises UpstreamUnavailable to retry."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    parsed = None
    if job.kind == ImportJob.Kind.FILE and job.status in _UNPARSED:
        parsed = import_job_parse(job=job)
        if parsed is None:
            return ImportJob.objects.get(pk=job.pk)
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.RUNNING,
            started_at=job.started_at or timezone.now(),
            attempts=F("attempts") + 1,
            error="",
        )
    if parsed is not None:
        file_records = dict(enumerate(parsed.records))
    else:
        file_records = parsed_file_records(job) if job.kind == ImportJob.Kind.FILE else {}
    pending = list(job.items.filter(status=ImportJobItem.Status.PENDING).order_by("position"))
    # One efetch per chunk.
    chunk_size = upstream_config().pubmed_batch_size
    clients = _Clients(pubmed, crossref)
    chunks = [pending[start : start + chunk_size] for start in range(0, len(pending), chunk_size)]
    try:
        for chunk, local, fetched in _fetched_chunks(job, chunks, file_records, clients):
            _run_chunk(job, chunk, local, fetched, file_records)
            if progress:
                job.refresh_from_db()
                progress(job)
    except UpstreamUnavailable as exc:
        ImportJob.objects.filter(pk=job.pk).update(error=waiting_message(exc))
        raise
    finally:
        clients.close()
    return import_job_finish(job_id=job.pk)


class _Unreachable:
    """Stands in for an upstream found unavailable earlier in the run: a file job asks it
    once, not once per chunk, and stores the rest of the file from the file."""

    def __init__(self, exc: UpstreamUnavailable):
        self.exc = exc

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            raise self.exc

        return call


class _Lazy:
    """A client made when first asked something: making one costs tens of milliseconds
    (its TLS context), which a chunk of records without identifiers never needs."""

    def __init__(self, clients: _Clients, name: str):
        self._clients, self._name = clients, name

    def __getattr__(self, attribute: str):
        return getattr(self._clients.made(self._name), attribute)


class _Clients:
    """Upstream clients made on first use, closed at the end of a run."""

    def __init__(self, pubmed=None, crossref=None):
        self._given = {"pubmed": pubmed, "crossref": crossref}
        self._made: dict[str, object] = {}
        self.down: dict[str, UpstreamUnavailable] = {}

    def get(self, name: str):
        if name in self.down:
            return _Unreachable(self.down[name])
        if self._given[name] is not None:
            return self._given[name]
        return _Lazy(self, name)

    def made(self, name: str):
        if name not in self._made:
            self._made[name] = PubMedClient() if name == "pubmed" else CrossrefClient()
        return self._made[name]

    def close(self) -> None:
        for client in self._made.values():
            client.close()


def _wanted(job: ImportJob, chunk: list[ImportJobItem], file_records) -> tuple[dict, dict]:
    """The identifiers to ask upstream about, and the chunk's file records by position."""
    wanted: dict[str, set[str]] = {"doi": set(), "pmid": set(), "pmcid": set()}
    local: dict[int, BibRecord] = {}
    for item in chunk:
        if item.kind == "record":
            record = file_records.get(item.position)
            if record is not None:
                local[item.position] = record
                for kind in wanted:
                    if value := getattr(record, kind):
                        wanted[kind].add(value)
        elif item.kind in wanted:
            wanted[item.kind].add(item.value)
    if job.kind == ImportJob.Kind.REFRESH:  # ask about every identifier a reference has
        for doi, pmid in Reference.objects.filter(
            pk__in=[i.reference_id for i in chunk]
        ).values_list("doi", "pmid"):
            if doi:
                wanted["doi"].add(doi)
            if pmid:
                wanted["pmid"].add(pmid)
    return wanted, local


def _fetch(job: ImportJob, wanted: dict, clients: _Clients) -> Fetched:
    """Ask the upstreams about ``wanted``: HTTP and parsing, nothing written."""
    fetched = fetch_records(
        dois=sorted(wanted["doi"]),
        pmids=sorted(wanted["pmid"]),
        pmcids=sorted(wanted["pmcid"]),
        pubmed=clients.get("pubmed"),
        crossref=clients.get("crossref"),
        # A file brings its own metadata: with an upstream down, its records are stored
        # from the file and enriched by the next refresh, never imported again.
        tolerate_outages=job.kind == ImportJob.Kind.FILE,
    )
    clients.down.update(fetched.unavailable)
    return fetched


Fetching = Iterator[tuple[list[ImportJobItem], dict[int, BibRecord], Fetched]]


def _fetched_chunks(job: ImportJob, chunks: list, file_records, clients) -> Fetching:
    """Each chunk with its file records and what the upstreams said about it, in order."""
    if job.kind == ImportJob.Kind.IDENTIFIERS:
        for chunk in chunks:
            chunk = known_items_resolve(job=job, chunk=chunk)
            if chunk:
                wanted, local = _wanted(job, chunk, file_records)
                yield chunk, local, _fetch(job, wanted, clients)
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-fetch")
    ahead: deque = deque()
    try:
        for chunk in chunks:
            wanted, local = _wanted(job, chunk, file_records)
            ahead.append((chunk, local, pool.submit(_fetch, job, wanted, clients)))
            if len(ahead) > PREFETCH:
                chunk, local, future = ahead.popleft()
                yield chunk, local, future.result()
        while ahead:
            chunk, local, future = ahead.popleft()
            yield chunk, local, future.result()
    finally:
        # An outage (or a failed write) ends the run: fetches not begun are dropped.
        pool.shutdown(wait=True, cancel_futures=True)


def _run_chunk(job: ImportJob, chunk, local: dict, fetched: Fetched, file_records) -> None:
    notes = pending_enrichment_notes(local, fetched.unavailable)
    records = list(local.values()) + fetched.records
    awaiting = [i for i, position in enumerate(local) if position in notes]
    with transaction.atomic():
        # Another run of this job (a task redelivered while the first still works) may have
        # resolved some of these items meanwhile: lock the ones still pending, do only those.
        still_pending = set(
            ImportJobItem.objects.select_for_update()
            .filter(pk__in=[item.pk for item in chunk], status=ImportJobItem.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chunk = [item for item in chunk if item.pk in still_pending]
        if not chunk:
            return
        result = references_upsert(records=records, awaiting_enrichment=awaiting)
        _resolve_items(job, chunk, records, result, fetched.failures, file_records, notes=notes)
        if job.kind == ImportJob.Kind.REFRESH:
            _stamp_refreshed(chunk)


def _stamp_refreshed(chunk: list[ImportJobItem]) -> None:
    """One UPDATE: the unchanged references' refresh time (created and updated ones were
    stamped by the upsert's own write), and no reference of the chunk waits for enrichment
    any more: upstream answered for every one (an outage raises before this), and one it
    does not know (a DOI Crossref never registered) waits for nothing more."""
    unchanged = [i.reference_id for i in chunk if i.status == ImportJobItem.Status.UNCHANGED]
    if not unchanged and all(i.status != ImportJobItem.Status.FAILED for i in chunk):
        return  # the upsert wrote every reference, enrichment flag included
    Reference.objects.filter(pk__in=[i.reference_id for i in chunk]).filter(
        Q(pk__in=unchanged) | Q(needs_enrichment=True)
    ).update(
        last_refreshed=Case(
            When(pk__in=unchanged, then=timezone.now()), default=F("last_refreshed")
        ),
        needs_enrichment=False,
    )


def _resolve_items(
    job, chunk, records, result, failures: list[FetchFailed], file_records: dict, *, notes
) -> None:
    by_identifier: dict[tuple[str, str], tuple[Reference, str]] = {}
    rank = {Outcome.CREATED: 2, Outcome.UPDATED: 1, Outcome.UNCHANGED: 0}
    for record, reference, outcome in zip(records, result.references, result.outcomes, strict=True):
        if reference is None:
            continue
        for kind in ("doi", "pmid", "pmcid"):
            values = {getattr(record, kind), getattr(reference, kind)} - {None, ""}
            for value in values:
                known = by_identifier.get((kind, value))
                if known is None or rank[outcome] > rank[known[1]]:
                    by_identifier[(kind, value)] = (reference, outcome)
    reasons = {(f.kind, f.value): f.reason for f in failures}
    counts = {Outcome.CREATED: 0, Outcome.UPDATED: 0, Outcome.UNCHANGED: 0, "failed": 0}
    created_by: dict[int, ImportJobItem] = {}  # reference pk -> the item credited with it
    for item in chunk:
        kind, _, value = (
            item.value.partition(":") if item.kind == "record" else (item.kind, ":", item.value)
        )
        found = by_identifier.get((kind, value))
        if item.kind == "record" and found is None:
            found = _record_result(file_records.get(item.position), records, result)
        if found is None:
            item.status = ImportJobItem.Status.FAILED
            item.message = reasons.get((kind, value)) or not_found_message(kind)
            counts["failed"] += 1
            continue
        reference, outcome = found
        item.reference = reference
        item.status = outcome
        item.message = item_message(file_records.get(item.position), notes.get(item.position))
        if outcome == Outcome.CREATED:
            first = created_by.setdefault(reference.pk, item)
            if first is not item:  # a second record of a work the chunk created
                item.status = outcome = Outcome.UPDATED
                item.message = "; ".join(filter(None, [_same_work(first), item.message]))
        counts[outcome] += 1
    rows_update(chunk, ["status", "message", "reference"])
    ImportJob.objects.filter(pk=job.pk).update(
        processed=F("processed") + len(chunk),
        created_count=F("created_count") + counts[Outcome.CREATED],
        updated_count=F("updated_count") + counts[Outcome.UPDATED],
        unchanged_count=F("unchanged_count") + counts[Outcome.UNCHANGED],
        failed_count=F("failed_count") + counts["failed"],
    )


def _same_work(first: ImportJobItem) -> str:
    where = f"line {first.line}" if first.line else (first.raw or f"item {first.position + 1}")
    return f"the same work as {where}, merged into its reference"


def _record_result(wanted: BibRecord | None, records, result):
    for record, reference, outcome in zip(records, result.references, result.outcomes, strict=True):
        if record is wanted and reference is not None:
            return reference, outcome
    return None
