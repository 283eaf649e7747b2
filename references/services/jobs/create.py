"""Creating import jobs: from identifiers (a list or pasted text), from an uploaded file,
or to refresh stored references.

A job is created by an interface (admin page, API, command), then run by a Celery task
or inline (see run.py). A file job is created holding only the file: the request that
uploads it checks what is cheap (empty, size, a look at the head of the file), and the
run parses it into items (see parse.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from references import parsers
from references.identifiers import InvalidIdentifier, extract_identifiers, parse_identifier
from references.models import ImportJob, ImportJobItem, Reference
from references.parsers.records import ParseError

MAX_IDENTIFIERS = 5000
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
    """Create a job that re-fetches the given references from PubMed and Crossref; those
    waiting for enrichment (stored from a file while upstream was down) come first."""
    items = []
    rows = (
        Reference.objects.filter(pk__in=list(reference_ids))
        .exclude(doi__isnull=True, pmid__isnull=True, pmcid__isnull=True)
        .order_by("-needs_enrichment", "pk")
        .values_list("pk", "pmid", "doi", "pmcid")
    )
    for pk, pmid, doi, pmcid in rows:
        kind, value = ("pmid", pmid) if pmid else ("doi", doi) if doi else ("pmcid", pmcid)
        items.append(ImportJobItem(raw=f"{kind}:{value}", kind=kind, value=value, reference_id=pk))
    if not items:
        return None
    return _create_job(kind=ImportJob.Kind.REFRESH, items=items, user=user)


def references_stale_ids(*, days: int | None) -> list[int]:
    """References with an identifier waiting for enrichment (first), then those not
    refreshed for ``days`` days (all when None)."""
    queryset = Reference.objects.exclude(doi__isnull=True, pmid__isnull=True, pmcid__isnull=True)
    if days is not None:
        cutoff = timezone.now() - timezone.timedelta(days=days)
        queryset = queryset.filter(
            Q(needs_enrichment=True) | Q(last_refreshed__lt=cutoff) | Q(last_refreshed__isnull=True)
        )
    ordered = queryset.order_by("-needs_enrichment", "last_refreshed", "pk")
    return list(ordered.values_list("pk", flat=True))


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
