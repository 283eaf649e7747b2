"""Import jobs: identifiers or a file in, References out, with a record of each item.

A job is created by an interface (admin page, API, command), then run by a Celery task
or inline. A file job is created holding only the file: the request that uploads it
checks what is cheap (empty, size, a look at the head of the file), and the run first
parses it into items, in batches, so a big file never holds a web request.

Running fetches every source for a chunk first and writes only when every source has
answered, so an upstream fault leaves the stored data as it was; the task retries the
chunk later. Items already resolved are never fetched again, so a job that is run twice
(a redelivered task) does the remaining work once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from references import parsers
from references.identifiers import InvalidIdentifier, extract_identifiers, parse_identifier
from references.models import ImportJob, ImportJobItem, Reference
from references.parsers.records import BibRecord, ParseError
from references.services.fetch import FetchFailed, fetch_records
from references.services.upsert import Outcome, references_upsert
from references.sources.http import UpstreamUnavailable

logger = logging.getLogger(__name__)

MAX_IDENTIFIERS = 5000
CHUNK_SIZE = 200
ITEM_BATCH_SIZE = 5000
# The quick look at an upload in the request: enough for detect_format's magic bytes and
# binary test, nothing that grows with the file.
SNIFF_BYTES = 65536
FILE_FORMATS = ("ris", "bibtex", "nbib", "csl-json")


class ImportRejected(ValueError):
    """The request cannot start a job at all (empty, too large, unreadable file)."""


@dataclass(frozen=True)
class LineError:
    line: int
    raw: str
    message: str


Progress = Callable[[ImportJob], None]


def import_job_create_for_identifiers(
    *, identifiers: Sequence[str] | None = None, text: str = "", user=None
) -> tuple[ImportJob, list[LineError]]:
    """Create a job for identifiers given as a list or as pasted text.

    Bad identifiers are returned (with their line) and recorded on the job as failed
    items; the good ones are imported.
    """
    errors: list[LineError] = []
    parsed = []
    if identifiers is not None:
        for line, raw in enumerate(identifiers, start=1):
            try:
                parsed.append((line, str(raw), parse_identifier(str(raw))))
            except InvalidIdentifier as exc:
                errors.append(LineError(line, str(raw), str(exc)))
    else:
        found, bad = extract_identifiers(text)
        parsed = [(None, f"{i.kind}:{i.value}", i) for i in found]
        errors = [LineError(line, raw, reason) for line, raw, reason in bad]
    seen: set[tuple[str, str]] = set()
    items: list[ImportJobItem] = []
    for line, raw, identifier in parsed:
        key = (identifier.kind, identifier.value)
        if key in seen:
            continue
        seen.add(key)
        items.append(
            ImportJobItem(raw=raw[:1000], kind=identifier.kind, value=identifier.value, line=line)
        )
    for error in errors:
        items.append(
            ImportJobItem(
                raw=error.raw[:1000],
                line=error.line,
                status=ImportJobItem.Status.FAILED,
                message=error.message,
            )
        )
    if not items:
        raise ImportRejected("No identifiers given: paste DOIs, PMIDs or PMCIDs, one per line.")
    if len(items) > MAX_IDENTIFIERS:
        raise ImportRejected(
            f"Too many identifiers ({len(items)}); the limit is {MAX_IDENTIFIERS}."
        )
    items.sort(key=lambda item: (item.line is None, item.line or 0))
    job = _create_job(kind=ImportJob.Kind.IDENTIFIERS, items=items, user=user)
    return job, errors


@transaction.atomic
def import_job_create_for_file(*, data: bytes | File, filename: str, user=None) -> ImportJob:
    """Create a job holding a reference-manager file; the run parses and imports it.

    ``data`` is the file's bytes or an uploaded file, whose size is checked before it is
    read. Only cheap checks happen here: a file that is empty, too large, or plainly not
    a reference export (an archive, an image, a binary file, an HTML page) is refused.
    Anything found while parsing (a wrong format, bad records, too many records) is
    recorded on the job by the run.
    """
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    size = data.size if isinstance(data, File) else len(data)
    if size > limit:
        raise ImportRejected(f"{filename}: {size:,} bytes is over the {limit:,}-byte limit.")
    if isinstance(data, File):
        data = data.read()
    if not data or not data.strip():
        raise ImportRejected(f"{filename}: the file is empty.")
    _sniff(data, filename)
    return ImportJob.objects.create(
        kind=ImportJob.Kind.FILE,
        created_by=user if user is not None and user.is_authenticated else None,
        filename=filename[:255],
        upload=data,
    )


def _sniff(data: bytes, filename: str) -> None:
    try:
        parsers.detect_format(data[:SNIFF_BYTES])
    except ParseError as exc:
        # Only what the head proves: "unknown format" is left to the parser the file's
        # extension names, which says more.
        if str(exc).startswith("unsupported file"):
            raise ImportRejected(f"{filename}: {exc}") from exc


def refresh_job_create(*, reference_ids: Iterable[int], user=None) -> ImportJob | None:
    """Create a job that re-fetches the given references from PubMed and Crossref."""
    items = []
    rows = (
        Reference.objects.filter(pk__in=list(reference_ids))
        .exclude(doi__isnull=True, pmid__isnull=True, pmcid__isnull=True)
        .order_by("pk")
        .values_list("pk", "pmid", "doi", "pmcid")
    )
    for pk, pmid, doi, pmcid in rows:
        kind, value = ("pmid", pmid) if pmid else ("doi", doi) if doi else ("pmcid", pmcid)
        items.append(ImportJobItem(raw=f"{kind}:{value}", kind=kind, value=value, reference_id=pk))
    if not items:
        return None
    return _create_job(kind=ImportJob.Kind.REFRESH, items=items, user=user)


def references_stale_ids(*, days: int | None) -> list[int]:
    """References with an identifier not refreshed for ``days`` days (all when None)."""
    queryset = Reference.objects.exclude(doi__isnull=True, pmid__isnull=True, pmcid__isnull=True)
    if days is not None:
        cutoff = timezone.now() - timezone.timedelta(days=days)
        queryset = queryset.filter(last_refreshed__lt=cutoff) | queryset.filter(
            last_refreshed__isnull=True
        )
    return list(queryset.order_by("last_refreshed", "pk").values_list("pk", flat=True))


@transaction.atomic
def _create_job(*, kind: str, items: list[ImportJobItem], user=None, **fields) -> ImportJob:
    failed = sum(1 for item in items if item.status == ImportJobItem.Status.FAILED)
    job = ImportJob.objects.create(
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        total=len(items),
        processed=failed,
        failed_count=failed,
        **fields,
    )
    for position, item in enumerate(items):
        item.job = job
        item.position = position
    ImportJobItem.objects.bulk_create(items, batch_size=1000)
    return job


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
        file_records = _file_records(job) if job.kind == ImportJob.Kind.FILE else {}
    pending = list(job.items.filter(status=ImportJobItem.Status.PENDING).order_by("position"))
    chunk_size = getattr(settings, "PUBMED_BATCH_SIZE", CHUNK_SIZE)
    clients = _Clients(pubmed, crossref)
    try:
        for start in range(0, len(pending), chunk_size):
            chunk = pending[start : start + chunk_size]
            _run_chunk(job, chunk, file_records, clients)
            job.refresh_from_db()
            if progress:
                progress(job)
    except UpstreamUnavailable as exc:
        ImportJob.objects.filter(pk=job.pk).update(error=f"Waiting to retry: {exc}")
        raise
    finally:
        clients.close()
    return import_job_finish(job_id=job.pk)


_UNPARSED = (ImportJob.Status.PENDING, ImportJob.Status.PARSING)


def import_job_parse(*, job: ImportJob) -> parsers.FileParseResult | None:
    """Parse a file job's upload into its items; None when the file fails as a whole.

    Items are written in committed batches and ``total`` follows them, so the job shows
    progress while a big file is read. Parsing is deterministic and a batch skips the
    positions already written, so a parse cut short (a killed worker) or run twice (a
    redelivered task) writes each item once. Ends with the job RUNNING.
    """
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PARSING,
        started_at=job.started_at or timezone.now(),
        attempts=F("attempts") + 1,
        error="",
    )
    filename = job.filename or "upload"
    try:
        parsed = parsers.parse_file(bytes(job.upload), filename=filename)
    except ParseError as exc:
        _fail_file_job(job, f"{filename}: {exc}")
        return None
    except Exception as exc:  # a parser bug must not leave the job "reading" forever
        logger.exception("import job %s: parsing %s failed", job.pk, filename)
        _fail_file_job(job, f"{filename}: the file could not be read ({type(exc).__name__}).")
        return None
    count = len(parsed.records) + len(parsed.errors)
    limit = settings.IMPORT_MAX_RECORDS
    if count > limit:
        _fail_file_job(
            job,
            f"{filename}: {count:,} records is over the {limit:,}-record limit; "
            "split the file and import the parts.",
        )
        return None
    if not count:
        _fail_file_job(job, f"{filename}: no records found.")
        return None
    # Records keep the parse order, so an item's position is its record's index (several
    # records can share a line, e.g. a PubMed XML file written on one line); the errors
    # follow them.
    items = _file_items(parsed, filename)
    failed = 0
    for start in range(0, len(items), ITEM_BATCH_SIZE):
        batch = items[start : start + ITEM_BATCH_SIZE]
        for position, item in enumerate(batch, start=start):
            item.job_id = job.pk
            item.position = position
        failed += sum(1 for item in batch if item.status == ImportJobItem.Status.FAILED)
        with transaction.atomic():
            ImportJobItem.objects.bulk_create(batch, batch_size=1000, ignore_conflicts=True)
            ImportJob.objects.filter(pk=job.pk).update(
                total=start + len(batch), processed=failed, failed_count=failed
            )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, file_format=parsed.format
    )
    return parsed


def _file_items(parsed: parsers.FileParseResult, filename: str) -> list[ImportJobItem]:
    items = [
        ImportJobItem(
            raw=_record_label(record)[:1000],
            kind="record",
            value=_record_identifier(record),
            line=record.line,
        )
        for record in parsed.records
    ]
    items += [
        ImportJobItem(
            raw=f"line {error.line}" if error.line else filename,
            line=error.line,
            status=ImportJobItem.Status.FAILED,
            message=error.message,
        )
        for error in parsed.errors
    ]
    return items


@transaction.atomic
def _fail_file_job(job: ImportJob, reason: str) -> None:
    """The file as a whole could not be imported: one failed item says why, as does the job.

    The item makes the failure show wherever failed items are listed (the admin's job
    page, the API's items, the import command's summary).
    """
    ImportJobItem.objects.filter(job_id=job.pk).delete()
    ImportJobItem.objects.create(
        job_id=job.pk,
        position=0,
        raw=(job.filename or "upload")[:1000],
        status=ImportJobItem.Status.FAILED,
        message=reason,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        total=1,
        processed=1,
        failed_count=1,
        created_count=0,
        updated_count=0,
        unchanged_count=0,
    )
    import_job_finish(job_id=job.pk, reason=reason)


def import_job_finish(*, job_id: int, reason: str = "") -> ImportJob:
    """Close a job; with a reason, its remaining items fail with that reason."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if reason:
            left = job.items.filter(status=ImportJobItem.Status.PENDING).update(
                status=ImportJobItem.Status.FAILED, message=reason
            )
            job.failed_count += left
            job.processed += left
            job.error = reason
        if job.failed_count == 0:
            job.status = ImportJob.Status.SUCCEEDED
        elif job.failed_count == job.total:
            job.status = ImportJob.Status.FAILED
        else:
            job.status = ImportJob.Status.PARTIAL
        if not reason and job.status != ImportJob.Status.FAILED:
            job.error = ""
        job.finished_at = timezone.now()
        job.save()
    return job


class _Clients:
    """Upstream clients made on first use, closed at the end of a run."""

    def __init__(self, pubmed=None, crossref=None):
        self._given = {"pubmed": pubmed, "crossref": crossref}
        self._made: dict[str, object] = {}

    def get(self, name: str):
        if self._given[name] is not None:
            return self._given[name]
        if name not in self._made:
            if name == "pubmed":
                from references.sources.pubmed import PubMedClient

                self._made[name] = PubMedClient.from_settings()
            else:
                from references.sources.crossref import CrossrefClient

                self._made[name] = CrossrefClient.from_settings()
        return self._made[name]

    def close(self) -> None:
        for client in self._made.values():
            client.close()


def _file_records(job: ImportJob) -> dict[int, BibRecord]:
    """The job's file records by index, which is their items' position."""
    parsed = parsers.parse_file(bytes(job.upload), filename=job.filename)
    return dict(enumerate(parsed.records))


def _record_label(record: BibRecord) -> str:
    ident = record.doi or (f"PMID {record.pmid}" if record.pmid else "")
    return f"{record.title[:200]} ({ident})" if ident else record.title[:200]


def _record_identifier(record: BibRecord) -> str:
    if record.doi:
        return f"doi:{record.doi}"
    if record.pmid:
        return f"pmid:{record.pmid}"
    return f"pmcid:{record.pmcid}" if record.pmcid else ""


def _run_chunk(job: ImportJob, chunk: list[ImportJobItem], file_records, clients) -> None:
    wanted = {"doi": set(), "pmid": set(), "pmcid": set()}
    local: list[BibRecord] = []
    for item in chunk:
        if item.kind == "record":
            record = file_records.get(item.position)
            if record is not None:
                local.append(record)
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
    fetched = fetch_records(
        dois=sorted(wanted["doi"]),
        pmids=sorted(wanted["pmid"]),
        pmcids=sorted(wanted["pmcid"]),
        pubmed=clients.get("pubmed"),
        crossref=clients.get("crossref"),
    )
    records = local + fetched.records
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
        result = references_upsert(records=records)
        _resolve_items(job, chunk, records, result, fetched.failures, file_records)
        if job.kind == ImportJob.Kind.REFRESH:
            # Created and updated references were stamped by the upsert's own write; one
            # more UPDATE would rewrite the same rows.
            unchanged = [
                i.reference_id for i in chunk if i.status == ImportJobItem.Status.UNCHANGED
            ]
            if unchanged:
                Reference.objects.filter(pk__in=unchanged).update(last_refreshed=timezone.now())


def _resolve_items(
    job, chunk, records, result, failures: list[FetchFailed], file_records: dict
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
    for item in chunk:
        kind, _, value = (
            item.value.partition(":") if item.kind == "record" else (item.kind, ":", item.value)
        )
        found = by_identifier.get((kind, value))
        if item.kind == "record" and found is None:
            found = _record_result(file_records.get(item.position), records, result)
        if found is None:
            item.status = ImportJobItem.Status.FAILED
            item.message = reasons.get((kind, value)) or "Not found in PubMed or Crossref."
            counts["failed"] += 1
            continue
        reference, outcome = found
        item.reference = reference
        item.status = outcome
        item.message = ""
        counts[outcome] += 1
    ImportJobItem.objects.bulk_update(chunk, ["status", "message", "reference"])
    ImportJob.objects.filter(pk=job.pk).update(
        processed=F("processed") + len(chunk),
        created_count=F("created_count") + counts[Outcome.CREATED],
        updated_count=F("updated_count") + counts[Outcome.UPDATED],
        unchanged_count=F("unchanged_count") + counts[Outcome.UNCHANGED],
        failed_count=F("failed_count") + counts["failed"],
    )


def _record_result(wanted: BibRecord | None, records, result):
    for record, reference, outcome in zip(records, result.references, result.outcomes, strict=True):
        if record is wanted and reference is not None:
            return reference, outcome
    return None
