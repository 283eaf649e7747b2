"""A real Celery worker (a subprocess) running import jobs: retries and redelivery.

The worker reads the test database (``transactional_db``: rows are committed, so another
process sees them), consumes a Redis queue of this test's own and fetches from the fake
upstream served in this process on 127.0.0.1. Every wait is bounded; on failure the
message includes the end of the worker's log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from config import celery_app
from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_create_for_identifiers
from references.tasks import run_import_job
from tests.support.fake_upstream import (
    FIXTURES,
    RecordedUpstream,
    load_pubmed_articles,
    status_fault,
)

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60.0
VISIBILITY_TIMEOUT = 3  # seconds; production keeps 900 (CELERY_VISIBILITY_TIMEOUT)
UPSTREAM_PATHS = re.compile(r"/(pubmed|crossref)/.*")


def _test_database_url() -> str:
    """DATABASE_URL of the test database (NAME is test_...), for the worker process."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    """One ``celery worker`` process in a process group of its own, logging to a file."""

    def __init__(self, *, name: str, queue: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--hostname",
            f"{name}@%h",
            # Nothing to learn from other workers; they only slow the start down.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no ack, no cleanup."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self) -> None:
        if not self.alive:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Workers:
    """Starts workers on this test's own queue; enqueues jobs there; waits for them."""

    def __init__(self, *, env: dict[str, str], tmp_path: Path) -> None:
        self.queue = f"test-worker-{uuid.uuid4().hex[:12]}"
        self.env = env
        self.tmp_path = tmp_path
        self.started: list[Worker] = []
        self.task_ids: list[str] = []

    def start(self, **env: str) -> Worker:
        name = f"{self.queue}-{len(self.started) + 1}"
        worker = Worker(
            name=name,
            queue=self.queue,
            env={**self.env, **env},
            log=self.tmp_path / f"{name}.log",
        )
        self.started.append(worker)
        return worker

    def enqueue(self, job_id: int):
        result = run_import_job.apply_async(args=[job_id], queue=self.queue)
        self.task_ids.append(result.id)
        return result

    def wait_until_finished(self, job_id: int, worker: Worker) -> ImportJob:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            job = ImportJob.objects.get(pk=job_id)
            if job.is_finished:
                return job
            if not worker.alive:
                pytest.fail(
                    f"worker {worker.name} exited ({worker.process.returncode}) before job "
                    f"{job_id} finished ({job.status}, {job.processed}/{job.total}).\n"
                    f"{worker.log_tail()}"
                )
            time.sleep(0.1)
        job = ImportJob.objects.get(pk=job_id)
        pytest.fail(
            f"job {job_id} not finished after {WAIT_SECONDS}s: {job.status}, "
            f"{job.processed}/{job.total} processed, attempts {job.attempts}, error "
            f"{job.error!r}.\n{worker.log_tail()}"
        )

    def close(self) -> None:
        for worker in self.started:
            worker.stop()
        self._forget_queue()

    def _forget_queue(self) -> None:
        """Delete what this test left in Redis: its queue, bindings, unacked copies, results."""
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            client.delete(
                self.queue,
                f"_kombu.binding.{self.queue}",
                f"_kombu.binding_permanent.{self.queue}",
            )
            for tag, payload in client.hscan_iter("unacked"):
                if self.queue.encode() in payload:
                    client.hdel("unacked", tag)
                    client.zrem("unacked_index", tag)
            for member in client.smembers("_kombu.binding.celery.pidbox"):
                if self.queue.encode() in member:
                    client.srem("_kombu.binding.celery.pidbox", member)
            for task_id in self.task_ids:
                client.delete(f"celery-task-meta-{task_id}")
        finally:
            client.close()


@pytest.fixture
def workers(transactional_db, upstream, ratelimit_prefix, tmp_path) -> Iterator[Workers]:
    # This process only publishes; it must use the broker the workers consume from.
    assert celery_app.conf.broker_url == settings.REDIS_URL, celery_app.conf.broker_url
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PUBMED_BASE_URL": upstream.url("/pubmed/"),
        "CROSSREF_BASE_URL": upstream.url("/crossref/"),
        "CONTACT_EMAIL": "tests@example.org",
        "NCBI_API_KEY": "",
        "UPSTREAM_TIMEOUT_SECONDS": "30",  # longer than the test holds a request back
        # Celery's countdown is 30 * this * 2**retries (with jitter): 30-120 ms here.
        "UPSTREAM_BACKOFF_SECONDS": "0.001",
        "UPSTREAM_RATELIMIT_PREFIX": ratelimit_prefix,
        "PUBMED_RATE_LIMIT_PER_SECOND": "1000",
        "CROSSREF_RATE_LIMIT_PER_SECOND": "1000",
        "CROSSREF_CONCURRENCY_LIMIT": "5",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
        # Django's system checks are not under test here; they only slow each start down.
        "CELERY_SKIP_CHECKS": "1",
    }
    pool = Workers(env=env, tmp_path=tmp_path)
    try:
        yield pool
    finally:
        pool.close()
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def baseline() -> RecordedUpstream:
    """30 recorded PubMed articles (NLM baseline), each with a DOI Crossref does not know."""
    return RecordedUpstream(
        load_pubmed_articles(
            FIXTURES / "pubmed" / "efetch" / "pmid-28731372-rct.xml",
            FIXTURES / "pubmed" / "efetch" / "baseline-30-articles.xml.gz",
        )
    )


def test_a_task_that_fails_twice_is_retried_by_celery_and_then_succeeds(
    workers, upstream, baseline
):
    upstream.on(UPSTREAM_PATHS, baseline)
    baseline.faults += [status_fault(500, path="efetch"), status_fault(500, path="efetch")]
    job, _ = import_job_create_for_identifiers(identifiers=["28731372"])
    # One HTTP attempt per call: each 500 reaches the task as UpstreamUnavailable.
    worker = workers.start(UPSTREAM_MAX_ATTEMPTS="1")

    result = workers.enqueue(job.pk)
    job = workers.wait_until_finished(job.pk, worker)

    assert job.status == ImportJob.Status.SUCCEEDED, (job.error, worker.log_tail())
    assert job.attempts == 3
    assert job.error == ""
    assert Reference.objects.filter(pmid="28731372").count() == 1
    assert Reference.objects.count() == 1
    assert baseline.requests["efetch.fcgi"] == 3
    assert result.get(timeout=WAIT_SECONDS) == {"job": job.pk, "status": "succeeded", "failed": 0}
    assert worker.log_tail(200).count("retry: Retry in") == 2, worker.log_tail()


# Long function: one scenario around a real SIGKILL; split, its steps would have to pass
# live worker processes between tests.
def test_a_worker_killed_mid_batch_has_the_batch_redone_exactly_once(workers, upstream, baseline):
    pmids = sorted(set(baseline.articles) - {"28731372"})
    job, _ = import_job_create_for_identifiers(identifiers=pmids)
    batch_size = 10
    inside_batch = threading.Event()
    # The fixture's teardown sets upstream.release too, so a failing test leaves no handler
    # blocked behind it.
    release = upstream.release
    efetches = Counter[str]()
    lock = threading.Lock()

    # Block the second efetch (the job's second batch) until the test lets it go; blocked
    # here, outside RecordedUpstream, whose faults run under its lock.
    def block_second_batch(request):
        if "efetch" in request.path:
            with lock:
                efetches["seen"] += 1
                second = efetches["seen"] == 2
            if second:
                inside_batch.set()
                release.wait(WAIT_SECONDS)
        return baseline(request)

    upstream.on(UPSTREAM_PATHS, block_second_batch)
    first = workers.start(PUBMED_BATCH_SIZE=str(batch_size))
    task = workers.enqueue(job.pk)

    assert inside_batch.wait(WAIT_SECONDS), (
        f"the worker did not reach the second batch within {WAIT_SECONDS}s.\n{first.log_tail()}"
    )
    reached = time.monotonic()
    job.refresh_from_db()
    assert (job.processed, Reference.objects.count()) == (batch_size, batch_size)

    first.kill()
    release.set()
    assert not first.alive

    # kombu hands an unacked message back to its queue once it is older than the
    # visibility timeout, in a sweep run when a worker starts and then only every
    # unacked_restore_interval * unacked_restore_throttle (10 * 10 s). Start the second
    # worker after the timeout, so that its first sweep redelivers the task.
    time.sleep(max(0.0, reached + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    second = workers.start(PUBMED_BATCH_SIZE=str(batch_size))
    job = workers.wait_until_finished(job.pk, second)

    assert job.status == ImportJob.Status.SUCCEEDED, (job.error, second.log_tail())
    assert f"run_import_job[{task.id}] received" in second.log_tail(200)  # redelivered
    assert job.attempts == 2
    assert job.processed == job.total == len(pmids)
    assert job.created_count == len(pmids)
    assert job.updated_count == job.unchanged_count == job.failed_count == 0
    assert not job.items.exclude(status=ImportJobItem.Status.CREATED).exists()
    assert not job.items.filter(reference__isnull=True).exists()
    # Exactly once: one reference per PMID and per DOI, none half-written.
    assert Counter(Reference.objects.values_list("pmid", flat=True)) == Counter(pmids)
    dois = list(Reference.objects.values_list("doi", flat=True))
    assert None not in dois and len(set(dois)) == len(dois) == len(pmids)
    assert not Reference.objects.filter(title="").exists()
    assert Reference.objects.filter(source_records__source="pubmed").count() == len(pmids)
    assert Reference.history.filter(history_type="+").count() == len(pmids)
    # Batch 1 was not fetched again: the killed batch and the last one, once more each.
    upstream.wait_idle()
    assert efetches["seen"] == 4
