"""`make serve`'s script end to end: gunicorn, a Celery worker and beat, production settings.

scripts/serve.sh runs against the test database and a Celery queue of this test's own, on
a free port, with the fake upstream for PubMed. The tests wait for /readyz, read a page, a
static file and the API, follow one request id from gunicorn's access log into the
worker's log lines, and stop the script: all its processes (gunicorn's and Celery's
children included, found by a marker in their environment) must be gone.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.authtoken.models import Token

from evidence.services import demo_load
from references.models import ImportJob, Reference
from tests.factories import UserFactory
from tests.support.fake_upstream import FIXTURES, RecordedUpstream, load_pubmed_articles

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120.0
WAIT_SECONDS = 60.0
STARTED = re.compile(r"serve: started (web|worker|beat) \(pid (\d+)\)")


def _test_database_url() -> str:
    """DATABASE_URL of the test database (NAME is test_...), for the served processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """One run of scripts/serve.sh in a session of its own, logging to a file."""

    def __init__(self, *, env: dict[str, str], log: Path, marker: str) -> None:
        self.log = log
        self.marker = marker
        self.base_url = f"http://{env['GUNICORN_BIND']}"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", "scripts/serve.sh"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.http = httpx.Client(base_url=self.base_url, timeout=10.0)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def json_lines(self) -> list[dict]:
        lines = []
        for line in self.text().splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return lines

    def pids(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.text())}

    def wait_ready(self) -> httpx.Response:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve.sh exited ({self.process.returncode}):\n{self.tail()}")
            try:
                response = self.http.get("/readyz")
                if response.status_code == 200:
                    return response
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        pytest.fail(f"/readyz not 200 after {START_SECONDS}s:\n{self.tail()}")

    def wait_exit(self) -> int:
        try:
            return self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"serve.sh still running {WAIT_SECONDS}s after being stopped:\n{self.tail()}"
            )

    def leftovers(self) -> list[int]:
        """Processes still running with this run's marker in their environment."""
        needle = f"SERVE_TEST_MARKER={self.marker}".encode()
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if needle in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
        return found

    def close(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        for pid in self.leftovers():
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture
def serve(transactional_db, upstream, ratelimit_prefix, tmp_path) -> Iterator:
    queue = f"test-serve-{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    runs: list[Served] = []
    keep = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "LOG_", "CELERY_", "GUNICORN_", "WEB_")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}

    def start(**extra: str) -> Served:
        marker = uuid.uuid4().hex
        env = {
            **base_env,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": queue,
            "GUNICORN_BIND": f"127.0.0.1:{_free_port()}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            "CELERY_CONCURRENCY": "1",
            "DJANGO_SECRET_KEY_FILE": str(tmp_path / "var" / "secret_key"),
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
            "PUBMED_BASE_URL": upstream.url("/pubmed/"),
            "CROSSREF_BASE_URL": upstream.url("/crossref/"),
            "CONTACT_EMAIL": "tests@example.org",
            "NCBI_API_KEY": "",
            "UPSTREAM_RATELIMIT_PREFIX": ratelimit_prefix,
            "PUBMED_RATE_LIMIT_PER_SECOND": "1000",
            "CROSSREF_RATE_LIMIT_PER_SECOND": "1000",
            "SERVE_STOP_TIMEOUT": "30",
            "SERVE_TEST_MARKER": marker,
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
        run = Served(env=env, log=tmp_path / f"serve-{len(runs) + 1}.log", marker=marker)
        runs.append(run)
        return run

    try:
        yield start
    finally:
        for run in runs:
            run.close()
        try:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        finally:
            client.close()


def _editor_token() -> str:
    user = UserFactory(username="serve-editor")
    for codename in ("add_importjob", "view_importjob"):
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="references", codename=codename)
        )
    return Token.objects.create(user=user).key


# Long function: one end-to-end scenario (start, serve, work, stop); its steps share the
# running processes, so they read in order in one test.
def test_serve_runs_web_worker_and_beat_with_production_settings_and_stops_cleanly(
    serve, upstream, tmp_path
):
    demo_load()
    token = _editor_token()
    upstream.on(
        re.compile(r"/(pubmed|crossref)/.*"),
        RecordedUpstream(
            load_pubmed_articles(FIXTURES / "pubmed" / "efetch" / "pmid-28731372-rct.xml")
        ),
    )
    run = serve()

    ready = run.wait_ready().json()
    assert ready["status"] == "ok"
    assert {name: check["status"] for name, check in ready["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
    }
    assert run.http.get("/healthz").json() == {"status": "ok"}
    page = run.http.get("/conditions/rheumatoid-arthritis/ivig/")
    assert page.status_code == 200
    assert "IVIG" in page.text
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])
    # Production settings behind a TLS proxy: HSTS once the proxy says the request was https.
    assert "Strict-Transport-Security" not in page.headers
    proxied = run.http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in proxied.headers["Strict-Transport-Security"]
    assert run.http.get("/static/css/site.css").status_code == 200  # collectstatic ran

    request_id = f"serve-{uuid.uuid4().hex[:12]}"
    response = run.http.post(
        "/api/v1/imports/",
        json={"identifiers": ["28731372"]},
        headers={"Authorization": f"Token {token}", "X-Request-ID": request_id},
    )
    assert response.status_code == 202, response.text
    assert response.headers["X-Request-ID"] == request_id
    job_id = response.json()["id"]
    deadline = time.monotonic() + WAIT_SECONDS
    job = ImportJob.objects.get(pk=job_id)
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, (job.status, job.error, run.tail())
    assert Reference.objects.filter(pmid="28731372").count() == 1

    pids = run.pids()
    assert set(pids) == {"web", "worker", "beat"}
    key = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "generated one into" in run.text()

    os.kill(run.process.pid, signal.SIGTERM)
    assert run.wait_exit() == 0, run.tail()
    assert "serve: stopped (exit status 0)" in run.text()
    assert run.leftovers() == []

    lines = run.json_lines()
    access = [
        line
        for line in lines
        if line["logger"] == "gunicorn.access" and line.get("path") == "/api/v1/imports/"
    ]
    assert [(a["method"], a["status"], a["request_id"]) for a in access] == [
        ("POST", 202, request_id)
    ]
    task_lines = [line for line in lines if line.get("task_name") == "references.run_import_job"]
    assert task_lines, run.tail()
    assert {line["request_id"] for line in task_lines} == {request_id}
    assert any(line["logger"] == "celery.beat" for line in lines)


def test_when_one_process_dies_serve_stops_the_others_and_fails(serve):
    run = serve()
    run.wait_ready()
    pids = run.pids()

    os.kill(pids["beat"], signal.SIGKILL)

    assert run.wait_exit() != 0
    assert f"serve: beat (pid {pids['beat']}) exited with status 137" in run.text(), run.tail()
    assert run.leftovers() == []
