"""Closing an import job: its status from its items' outcomes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from references.models import ImportJob, ImportJobItem


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
