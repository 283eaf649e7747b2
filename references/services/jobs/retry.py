"""Retrying a finished import or refresh job: its failed identifiers go back to pending.

What failed because a service could not be reached, or answered with something unusable,
is asked again; identifiers that were never valid (a mistyped line) stay failed, as
asking again would not change them. A file job is not retried: its records failed for
what the file holds (an upstream outage never fails one; the record is stored from the
file and enriched later). The caller queues the job once this has committed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from references.models import ImportJob, ImportJobItem

from .create import ImportRejected

RETRY_PERMISSION = "references.add_importjob"
RETRYABLE_KINDS = ("doi", "pmid", "pmcid")


def _retryable_items(job: ImportJob):
    return job.items.filter(status=ImportJobItem.Status.FAILED, kind__in=RETRYABLE_KINDS)


def import_job_can_retry(*, job: ImportJob) -> bool:
    """Whether the job's page offers Retry: a finished identifier or refresh job with
    failed identifiers."""
    return (
        job.is_finished
        and job.kind in (ImportJob.Kind.IDENTIFIERS, ImportJob.Kind.REFRESH)
        and job.failed_count > 0
        and _retryable_items(job).exists()
    )


@transaction.atomic
def import_job_retry(*, job_id: int, user) -> ImportJob:
    """Put a finished job's failed identifiers back to pending; returns the job.

    Asks the object rule (the right to start imports, on this job: one's own, or any
    with the right to see every job). Raises ImportRejected when there is nothing to
    retry (a job still running, a file job, no failed identifier).
    """
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ImportRejected("This import job no longer exists.")
    if user is not None and not user.has_perm(RETRY_PERMISSION, job):
        raise PermissionDenied("You may not retry this import job.")
    if not job.is_finished:
        raise ImportRejected("This job is still running: there is nothing to retry yet.")
    if job.kind == ImportJob.Kind.FILE:
        raise ImportRejected(
            "A file import is not retried: its failed records failed for what the file "
            "holds. Correct them in the file and import it again."
        )
    retried = _retryable_items(job).update(status=ImportJobItem.Status.PENDING, message="")
    if not retried:
        raise ImportRejected("Nothing to retry: no identifier of this job failed.")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PENDING,
        failed_count=F("failed_count") - retried,
        processed=F("processed") - retried,
        error="",
        attempts=0,
        finished_at=None,
    )
    job.refresh_from_db()
    return job
