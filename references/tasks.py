"""Celery tasks for citations: thin interfaces over references.services.jobs.

Tasks take ids, re-read the job, and do only its pending items, so a redelivered task
(acks_late, a killed worker) completes the job once without duplicating references.
"""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import transaction

from references.services.jobs import (
    import_job_create_for_identifiers,
    import_job_finish,
    import_job_run,
    references_stale_ids,
    refresh_job_create,
)
from references.sources.http import UpstreamUnavailable

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def retry_countdown(
    retries: int, retry_after: float | None, *, step: float = 30.0, cap: float = 600.0
) -> float:
    """Seconds before a task retries an upstream outage: exponential, jittered, and never
    sooner than the upstream's Retry-After."""
    base = getattr(settings, "UPSTREAM_BACKOFF_SECONDS", 1.0)
    backoff = min(cap, base * step * 2**retries)
    jittered = backoff * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography
    return max(jittered, retry_after or 0.0)


@shared_task(bind=True, name="references.run_import_job", acks_late=True, max_retries=MAX_RETRIES)
def run_import_job(self, job_id: int) -> dict | None:
    """Run the pending items of an import or refresh job, retrying upstream outages."""
    try:
        job = import_job_run(job_id=job_id)
    except UpstreamUnavailable as exc:
        # Run eagerly (the demo, tests) there is no broker to retry through later, and
        # waiting out a backoff would hold the web request: record why and stop.
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.warning("import job %s gave up after %s retries: %s", job_id, exc, exc)
            import_job_finish(job_id=job_id, reason=f"Upstream unavailable: {exc}")
            return None
        raise self.retry(
            exc=exc, countdown=retry_countdown(self.request.retries, exc.retry_after)
        ) from exc
    if job is None:
        return None
    return {"job": job.pk, "status": job.status, "failed": job.failed_count}


@shared_task(name="references.import_identifiers", acks_late=True)
def import_identifiers(identifiers: list[str]) -> int:
    """Import DOIs / PMIDs / PMCIDs; returns the id of the job that records the outcome."""
    job, _errors = import_job_create_for_identifiers(identifiers=identifiers)
    run_import_job.delay(job.pk)
    return job.pk


@shared_task(name="references.refresh_references", acks_late=True)
def refresh_references(reference_ids: list[int]) -> int | None:
    """Re-fetch references from PubMed and Crossref (batched per source)."""
    job = refresh_job_create(reference_ids=reference_ids)
    if job is None:
        return None
    run_import_job.delay(job.pk)
    return job.pk


@shared_task(name="references.refresh_stale_references", acks_late=True)
def refresh_stale_references(days: int | None = None) -> int | None:
    """The periodic refresh: references not refreshed for ``days`` (default from settings)."""
    stale_days = settings.REFERENCE_STALE_DAYS if days is None else days
    ids = references_stale_ids(days=stale_days)
    if not ids:
        return None
    return refresh_references(ids)


def enqueue_import_job(job_id: int) -> None:
    """Start a job's task once the transaction that created the job has committed."""
    # robust: a failure to start the task must not turn the request that created the
    # job into an error; the job stays pending and the periodic refresh or an editor
    # can run it again.
    transaction.on_commit(lambda: run_import_job.delay(job_id), robust=True)
