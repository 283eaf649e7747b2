"""Celery tasks of the editorial workflow: thin interfaces over evidence.editorial.

All three are scheduled daily by the data migration 0007_periodic_editorial_tasks and
are safe to run twice: a flag already raised is not raised again, a record already
queued is not queued again, and a digest reports only what is new since the last one.
"""

import logging

from celery import shared_task

from evidence.editorial.digest import review_digest_send
from evidence.editorial.review import verdicts_flag_overdue
from evidence.editorial.triage import saved_searches_run
from evidence.services import follows
from references.services.search import UpstreamUnavailable
from references.tasks import retry_countdown

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(name="evidence.flag_overdue_verdicts", acks_late=True)
def flag_overdue_verdicts() -> int:
    """Mark verdicts past their review interval (or never reviewed) as needing review."""
    return verdicts_flag_overdue()


@shared_task(bind=True, name="evidence.run_saved_searches", acks_late=True, max_retries=MAX_RETRIES)
def run_saved_searches(self, saved_search_ids: list[int] | None = None) -> dict:
    """Run every active saved search (or those given) and queue new records for triage.

    PubMed being unavailable retries the whole run later (searches already done find
    nothing new the second time); a search PubMed rejects is recorded on it.
    """
    try:
        runs = saved_searches_run(ids=saved_search_ids)
    except UpstreamUnavailable as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("saved searches gave up after %s retries: %s", self.max_retries, exc)
            raise
        raise self.retry(
            exc=exc,
            countdown=retry_countdown(self.request.retries, exc.retry_after, step=60.0, cap=3600.0),
        ) from exc
    return {
        "searches": len(runs),
        "queued": sum(run.queued for run in runs),
        "failed": sum(1 for run in runs if run.error),
    }


@shared_task(name="evidence.send_review_digest", acks_late=True)
def send_review_digest() -> dict:
    """E-mail reviewers what newly needs review and the new candidates, if anything."""
    log = review_digest_send()
    return {"recipients": log.recipients, "verdicts": log.verdict_count}


@shared_task(name="evidence.notify_version_followers", acks_late=True)
def version_notify_followers(version_id: int) -> int:
    """Email the followers of a newly published version, each once."""
    return follows.version_notify_followers(version_id=version_id)
