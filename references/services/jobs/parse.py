"""Parsing a file job's upload into its items, in committed batches.

Parsing happens in the run, not in the request that uploads the file, so a big file never
holds a web request; a file that fails as a whole fails its job with one item saying why.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from references import parsers
from references.models import ImportJob, ImportJobItem
from references.parsers.records import BibRecord, ParseError, RecordError

from .finish import import_job_finish
from .messages import label_of, record_label

logger = logging.getLogger(__name__)

ITEM_BATCH_SIZE = 5000


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
        _fail_file_job(job, exc.message, line=exc.line)
        return None
    except Exception as exc:  # a parser bug must not leave the job "reading" forever
        logger.exception("import job %s: parsing %s failed", job.pk, filename)
        _fail_file_job(job, f"the file could not be read ({type(exc).__name__}).")
        return None
    count = len(parsed.records) + len(parsed.errors)
    limit = settings.IMPORT_MAX_RECORDS
    if count > limit:
        _fail_file_job(
            job,
            f"{count:,} records is over the {limit:,}-record limit; "
            "split the file and import the parts.",
        )
        return None
    if not count:
        _fail_file_job(job, "no records found.")
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
    # The line is the item's own field and the message the parser's reason: neither
    # repeats the other (ImportJobItem.summary joins them).
    items += [
        ImportJobItem(
            raw=_error_label(error, filename),
            line=error.line,
            status=ImportJobItem.Status.FAILED,
            message=_without_line(error.message, error.line),
        )
        for error in parsed.errors
    ]
    return items


def _error_label(error: RecordError, filename: str) -> str:
    # getattr: RecordError.label is newer than some parsers' errors.
    label = getattr(error, "label", "")
    if label:
        return record_label(title=label)[:1000]
    return "" if error.line else filename[:1000]


def _without_line(message: str, line: int | None) -> str:
    """A reason without the line number its item already has."""
    if line is None:
        return message
    for prefix in (f"line {line}: ", f"Line {line}: "):
        while message.startswith(prefix):
            message = message[len(prefix) :]
    return message.removesuffix(f" (line {line})")


@transaction.atomic
def _fail_file_job(job: ImportJob, reason: str, *, line: int | None = None) -> None:
    """The file as a whole could not be imported: one failed item says why, as does the job.

    The item makes the failure show wherever failed items are listed (the admin's job
    page, the API's items, the import command's summary); it names the file in ``raw``,
    the job's error names it in front of the reason.
    """
    filename = job.filename or "upload"
    ImportJobItem.objects.filter(job_id=job.pk).delete()
    ImportJobItem.objects.create(
        job_id=job.pk,
        position=0,
        raw=filename[:1000],
        line=line,
        status=ImportJobItem.Status.FAILED,
        message=reason,
    )
    where = f" (line {line})" if line else ""
    ImportJob.objects.filter(pk=job.pk).update(
        total=1,
        processed=1,
        failed_count=1,
        created_count=0,
        updated_count=0,
        unchanged_count=0,
    )
    import_job_finish(job_id=job.pk, reason=f"{filename}: {reason}{where}")


def parsed_file_records(job: ImportJob) -> dict[int, BibRecord]:
    """The job's file records by index, which is their items' position."""
    parsed = parsers.parse_file(bytes(job.upload), filename=job.filename)
    return dict(enumerate(parsed.records))


def _record_label(record: BibRecord) -> str:
    ident = record.doi or (f"PMID {record.pmid}" if record.pmid else "")
    label = label_of(record)
    return f"{label} ({ident})" if ident and label else (label or ident)


def _record_identifier(record: BibRecord) -> str:
    if record.doi:
        return f"doi:{record.doi}"
    if record.pmid:
        return f"pmid:{record.pmid}"
    return f"pmcid:{record.pmcid}" if record.pmcid else ""
