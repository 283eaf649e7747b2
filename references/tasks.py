"""Celery tasks for citations: thin interfaces over references.services.jobs.

Tasks take ids, re-read the job, and do only its pending items, so a redelivered task
(acks_late, a killed worker) completes the job once without duplicating references.

The database, not the broker, is the record of what is to be done: Redis keeps nothing on
disk, so a restart loses queued messages. Each publish of a job's task sets a marker key
in the broker's Redis (lost together with the message); ``requeue_import_jobs`` (beat,
every few minutes, and at every worker start) publishes again the unfinished jobs that
have no marker. A job published twice is still done once (see above).
"""

import logging
import random
from collections.abc import Sequence
from functools import cache

import redis
from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.backoff import NoBackoff
from redis.retry import Retry

from references.models import ImportJob
from references.services.formatting import references_format_all_pending
from references.services.jobs import (
    import_job_create_for_identifiers,
    import_job_finish,
    import_job_run,
    outage_message,
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
    """Run an import or refresh job (a file job's file is parsed into items first), retrying
    upstream outages."""
    try:
        job = import_job_run(job_id=job_id)
    except UpstreamUnavailable as exc:
        # Run eagerly (the demo, tests) there is no broker to retry through later, and
        # waiting out a backoff would hold the web request: record why and stop.
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.warning(
                "import job %s gave up after %s retries: %s", job_id, self.request.retries, exc
            )
            import_job_finish(job_id=job_id, reason=outage_message(exc))
            return None
        raise self.retry(
            exc=exc, countdown=retry_countdown(self.request.retries, exc.retry_after)
        ) from exc
    if job is None:
        return None
    if job.is_finished:
        _forget_published(job.pk)
    if job.created_count or job.updated_count:
        _format_citations_later()
    return {"job": job.pk, "status": job.status, "failed": job.failed_count}


def _format_citations_later() -> None:
    """A large job leaves its citations to be formatted after it (services.formatting). With
    the queue out of reach they wait for the next job or ``manage.py format_citations``;
    readers meanwhile see the plain stand-in, so the job itself is not failed for it."""
    try:
        format_citations.delay()
    except (KombuError, OSError, redis.RedisError) as exc:
        logger.warning("could not queue the formatting of citations: %s", exc)


@shared_task(name="references.format_citations", acks_late=True, ignore_result=True)
def format_citations() -> int:
    """Format the stored citations an import or refresh left for later; how many."""
    return references_format_all_pending()


@shared_task(name="references.import_identifiers", acks_late=True)
def import_identifiers(identifiers: list[str]) -> int:
    """Import DOIs / PMIDs / PMCIDs; returns the id of the job that records the outcome."""
    job, _errors = import_job_create_for_identifiers(identifiers=identifiers)
    publish_import_job(job.pk)
    return job.pk


@shared_task(name="references.refresh_references", acks_late=True)
def refresh_references(reference_ids: list[int]) -> int | None:
    """Re-fetch references from PubMed and Crossref (batched per source)."""
    job = refresh_job_create(reference_ids=reference_ids)
    if job is None:
        return None
    publish_import_job(job.pk)
    return job.pk


@shared_task(name="references.refresh_stale_references", acks_late=True)
def refresh_stale_references(days: int | None = None) -> int | None:
    """The periodic refresh: references waiting for enrichment (stored from a file while
    upstream was down) first, then those not refreshed for ``days`` (default from settings)."""
    stale_days = settings.REFERENCE_STALE_DAYS if days is None else days
    ids = references_stale_ids(days=stale_days)
    if not ids:
        return None
    return refresh_references(ids)


@shared_task(name="references.requeue_import_jobs", acks_late=True, ignore_result=True)
def requeue_import_jobs(queue: str | None = None) -> list[int]:
    """Publish again the unfinished jobs whose task was lost (see the module docstring).

    A pending job counts as lost once it is IMPORT_REQUEUE_PENDING_AFTER_SECONDS old, a
    running (or parsing) one once it started IMPORT_REQUEUE_RUNNING_AFTER_SECONDS ago (longer than a
    run with all its retries), and only when no marker says its task is still queued.
    """
    now = timezone.now()
    pending_before = now - timezone.timedelta(seconds=settings.IMPORT_REQUEUE_PENDING_AFTER_SECONDS)
    running_before = now - timezone.timedelta(seconds=settings.IMPORT_REQUEUE_RUNNING_AFTER_SECONDS)
    candidates = ImportJob.objects.filter(
        status=ImportJob.Status.PENDING, created_at__lte=pending_before
    ) | ImportJob.objects.filter(
        status__in=[ImportJob.Status.PARSING, ImportJob.Status.RUNNING],
        started_at__lte=running_before,
    )
    requeued = []
    for job_id in (
        candidates.filter(attempts__lt=MAX_REQUEUE_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        if publish_import_job(job_id, queue=queue):
            requeued.append(job_id)
    if requeued:
        logger.warning("requeued %d import job(s) whose task was lost: %s", len(requeued), requeued)
    return requeued


# --- publishing --------------------------------------------------------------------------

QUEUE_UNAVAILABLE_MESSAGE = "The task queue is unavailable; nothing was stored; try again shortly."
QUEUE_RETRY_AFTER_SECONDS = 30
# A job run this many times (retries included) is failing for a reason a requeue won't fix.
MAX_REQUEUE_ATTEMPTS = 20
PUBLISHED_KEY = "evidentia:import-job:{}:published"
# Longer than a job's task can legitimately wait in the queue and retry.
PUBLISHED_TTL_SECONDS = 60 * 60
BROKER_CHECK_SECONDS = 2.0


class QueueUnavailable(Exception):
    """The broker cannot take a job's task now; nothing was stored."""


def _queue_is_eager() -> bool:
    return bool(current_app.conf.task_always_eager)


@cache
def _markers_client(url: str) -> redis.Redis:
    # Fail fast: redis-py's default of ten retries with backoff costs ~2 s per command.
    return redis.Redis.from_url(
        url, socket_connect_timeout=1.0, socket_timeout=2.0, retry=Retry(NoBackoff(), 1)
    )


def _markers() -> redis.Redis | None:
    url = current_app.conf.broker_url or ""
    return _markers_client(url) if url.startswith(("redis://", "rediss://")) else None


def _published_key(job_id: int) -> str | None:
    """The job's marker key, or None if the job is gone.

    Keyed by the job's creation time as well as its id: ids repeat across databases that
    share one Redis (a recreated or restored database, test databases), and a stranger's
    marker must never stop a new job from being queued.
    """
    created_at = ImportJob.objects.filter(pk=job_id).values_list("created_at", flat=True).first()
    if created_at is None:
        return None
    return PUBLISHED_KEY.format(f"{job_id}:{created_at.timestamp():.6f}")


def _forget_published(job_id: int) -> None:
    markers = None if _queue_is_eager() else _markers()
    key = _published_key(job_id) if markers is not None else None
    if key is None:
        return
    try:
        markers.delete(key)
    except redis.RedisError:
        logger.warning("could not clear the published marker of import job %s", job_id)


def broker_check() -> None:
    """Raise QueueUnavailable unless the broker answers within about two seconds."""
    if _queue_is_eager():
        return
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0.2, interval_step=0.2, timeout=BROKER_CHECK_SECONDS
            )
    except (KombuError, OSError, redis.RedisError) as exc:
        logger.warning("task queue unavailable: %s", exc)
        raise QueueUnavailable(QUEUE_UNAVAILABLE_MESSAGE) from exc


def publish_import_job(job_id: int, *, queue: str | None = None) -> bool:
    """Publish a job's task unless a marker says it is already queued; False if it was.

    Raises QueueUnavailable when the broker does not take it.
    """
    if _queue_is_eager():
        run_import_job.delay(job_id)
        return True
    markers = _markers()
    key = _published_key(job_id)
    if key is None:
        return False
    try:
        if markers is not None and not markers.set(key, "1", nx=True, ex=PUBLISHED_TTL_SECONDS):
            return False
        try:
            run_import_job.apply_async(args=[job_id], queue=queue)
        except BaseException:
            if markers is not None:
                markers.delete(key)
            raise
    except (KombuError, OSError, redis.RedisError) as exc:
        logger.warning("could not publish import job %s: %s", job_id, exc)
        raise QueueUnavailable(QUEUE_UNAVAILABLE_MESSAGE) from exc
    return True


def enqueue_import_jobs(job_ids: Sequence[int]) -> None:
    """Start jobs' tasks once the transaction that created the jobs has committed.

    With a broker, a publish that fails deletes the jobs and raises QueueUnavailable out
    of the commit, so the caller answers 503 and nothing is left behind. Run eagerly (the
    demo, tests) the task runs in the commit hook; its failure is logged, not raised,
    and the job records its own state.
    """
    job_ids = list(job_ids)
    if _queue_is_eager():
        for job_id in job_ids:
            transaction.on_commit(lambda job_id=job_id: run_import_job.delay(job_id), robust=True)
        return

    def publish_or_discard() -> None:
        try:
            for job_id in job_ids:
                publish_import_job(job_id)
        except QueueUnavailable:
            ImportJob.objects.filter(pk__in=job_ids).delete()
            raise

    transaction.on_commit(publish_or_discard)


def enqueue_import_job(job_id: int) -> None:
    """enqueue_import_jobs for one job."""
    enqueue_import_jobs([job_id])
