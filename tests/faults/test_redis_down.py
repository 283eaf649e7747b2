"""Redis (cache and broker) killed under the app, then brought back.

The app runs under gunicorn with production settings, its cache and broker a redis-server
of the test's own (killed with SIGKILL: nothing is saved, so queued messages are lost),
its database the test database (``transactional_db``: rows are committed, so the app and
the worker processes see them). A real Celery worker finishes what was queued.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from evidence.services import demo_load
from references.models import ImportJob, ImportJobItem, Reference
from tests.factories import UserFactory
from tests.references.test_worker import WAIT_SECONDS, Worker, _test_database_url
from tests.support.fake_upstream import FIXTURES, RecordedUpstream, load_pubmed_articles
from tests.support.services import AppServer, PrivateRedis, app_env

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

PAGES = [
    "/",
    "/conditions/rheumatoid-arthritis/",
    "/conditions/rheumatoid-arthritis/ivig/",
    "/api/v1/references/",
    "/api/v1/conditions/",
]
UPSTREAM_PATHS = re.compile(r"/(pubmed|crossref)/.*")


class App:
    """The app under gunicorn, a token of an editor who may import, and an HTTP client."""

    def __init__(self, server: AppServer, token: str) -> None:
        self.server = server
        self.http = httpx.Client(timeout=15)
        self.headers = {"Authorization": f"Token {token}"}

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self.server.url(path))

    def start_import(self, identifiers: list[str]) -> httpx.Response:
        return self.http.post(
            self.server.url("/api/v1/imports/"),
            json={"identifiers": identifiers},
            headers=self.headers,
        )


@pytest.fixture
def app(transactional_db, private_redis: PrivateRedis, tmp_path: Path):
    demo_load()
    editor = UserFactory(username="fault-editor")
    for codename in ("add_importjob", "view_importjob"):
        editor.user_permissions.add(
            Permission.objects.get(content_type__app_label="references", codename=codename)
        )
    token = Token.objects.create(user=editor).key
    server = AppServer(
        env=app_env(DATABASE_URL=_test_database_url(), REDIS_URL=private_redis.url()),
        log=tmp_path / "gunicorn.log",
    )
    client = App(server, token)
    try:
        yield client
    finally:
        client.http.close()
        server.stop()


@pytest.fixture
def recorded(upstream) -> RecordedUpstream:
    fake = RecordedUpstream(
        load_pubmed_articles(FIXTURES / "pubmed" / "efetch" / "baseline-30-articles.xml.gz")
    )
    upstream.on(UPSTREAM_PATHS, fake)
    return fake


def _worker(redis: PrivateRedis, upstream, ratelimit_prefix: str, tmp_path: Path) -> Worker:
    env = app_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_TASK_ALWAYS_EAGER="false",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=redis.url(),
        PUBMED_BASE_URL=upstream.url("/pubmed/"),
        CROSSREF_BASE_URL=upstream.url("/crossref/"),
        CONTACT_EMAIL="tests@example.org",
        UPSTREAM_RATELIMIT_PREFIX=ratelimit_prefix,
        PUBMED_RATE_LIMIT_PER_SECOND="1000",
        CROSSREF_RATE_LIMIT_PER_SECOND="1000",
        CROSSREF_CONCURRENCY_LIMIT="5",
        # Requeue a job as soon as its message is found missing (production waits 60 s).
        IMPORT_REQUEUE_PENDING_AFTER_SECONDS="0",
        CELERY_SKIP_CHECKS="1",
    )
    return Worker(name="fault-worker", queue="celery", env=env, log=tmp_path / "worker.log")


def _wait_finished(job_id: int, worker: Worker) -> ImportJob:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        assert worker.alive, worker.log_tail()
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not finish in {WAIT_SECONDS}s.\n{worker.log_tail()}")


def test_with_redis_down_pages_serve_and_imports_answer_503_storing_nothing(app, private_redis):
    assert [app.get(path).status_code for path in PAGES] == [200] * len(PAGES)
    assert app.start_import(["28731372"]).status_code == 202
    jobs_before = ImportJob.objects.count()

    private_redis.kill()
    statuses = [app.get(path).status_code for _ in range(5) for path in PAGES]
    started = time.monotonic()
    refused = [app.start_import([str(40_000_000 + i)]) for i in range(5)]
    seconds_per_refusal = (time.monotonic() - started) / len(refused)

    assert statuses == [200] * 5 * len(PAGES), app.server.log_tail()
    for response in refused:
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "30"
        error = response.json()["error"]
        assert error["code"] == "queue_unavailable"
        assert "nothing was stored" in error["message"]
    assert ImportJob.objects.count() == jobs_before
    assert not ImportJobItem.objects.filter(value__startswith="4000000").exists()
    log = app.server.log.read_text()
    assert "cache unavailable" in log
    assert "task queue unavailable" in log
    print(f"503 for an import with Redis down in {seconds_per_refusal * 1000:.0f} ms")

    private_redis.start()
    accepted = app.start_import(["40000000"])
    assert accepted.status_code == 202, accepted.text
    assert ImportJob.objects.count() == jobs_before + 1


def test_work_queued_before_redis_died_is_done_once_when_it_returns(
    app, private_redis, recorded, upstream, ratelimit_prefix, tmp_path
):
    pmids = sorted(recorded.articles)[:5]
    references_before = Reference.objects.count()  # the demo's
    accepted = app.start_import(pmids)
    assert accepted.status_code == 202, accepted.text
    job_id = int(accepted.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    # No worker yet: the message sits in Redis, which dies with it.
    private_redis.kill()
    assert app.start_import(["40000001"]).status_code == 503
    private_redis.start()  # empty: the queue and the job's "published" marker are gone

    worker = _worker(private_redis, upstream, ratelimit_prefix, tmp_path)
    try:
        job = _wait_finished(job_id, worker)
        assert "requeued 1 import job(s)" in worker.log_tail(200)

        assert job.status == ImportJob.Status.SUCCEEDED, (job.error, worker.log_tail())
        assert job.attempts == 1
        assert (job.processed, job.created_count) == (len(pmids), len(pmids))
        assert (
            sorted(Reference.objects.filter(pmid__in=pmids).values_list("pmid", flat=True)) == pmids
        )
        assert Reference.objects.count() == references_before + len(pmids)
        assert not Reference.objects.filter(title="").exists()
        assert ImportJob.objects.count() == 1  # the refused import left nothing

        # And new work flows again through the restarted Redis.
        again = app.start_import([sorted(recorded.articles)[5]])
        assert again.status_code == 202, again.text
        second = _wait_finished(
            int(again.headers["Location"].rstrip("/").rsplit("/", 1)[1]), worker
        )
        assert second.status == ImportJob.Status.SUCCEEDED, second.error
        assert Reference.objects.count() == references_before + len(pmids) + 1
        upstream.wait_idle()
        assert recorded.requests["efetch.fcgi"] == 2  # each job fetched once
    finally:
        worker.stop()
