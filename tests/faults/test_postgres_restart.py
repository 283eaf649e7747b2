"""PostgreSQL stopped and started again under load: 503s while it is down, then 200s.

A private cluster (tests/support/services.py) is migrated and loaded with the demo; the
app runs under gunicorn with production settings and persistent connections
(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS); client threads read pages and the API throughout.
The app is never restarted.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.services import AppServer, PrivatePostgres, app_env, manage

# Needs no DATABASE_URL (the cluster is its own), but runs with the PostgreSQL tests.
pytestmark = pytest.mark.postgres

PATHS = [
    "/conditions/rheumatoid-arthritis/ivig/",
    "/conditions/rheumatoid-arthritis/",
    "/api/v1/references/",
    "/api/v1/studies/",
    "/api/v1/conditions/rheumatoid-arthritis/",
]
CLIENTS = 4
CLIENT_TIMEOUT_SECONDS = 10.0
# Each phase lasts until every client has had this many answers in it (bounded in time),
# so the test asks the same of a slow machine as of a fast one.
ROUNDS_PER_PHASE = 3
PHASE_LIMIT_SECONDS = 60.0


class Load:
    """Client threads requesting PATHS in turn, each answer filed under the current phase."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.phase = "before"
        self.results: list[tuple[str, str, int | str, str | None]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(CLIENTS)]

    def _run(self, index: int) -> None:
        with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS) as client:
            n = index
            while not self._stop.is_set():
                path = PATHS[n % len(PATHS)]
                n += 1
                try:
                    response = client.get(self.server.url(path))
                    outcome: int | str = response.status_code
                    retry_after = response.headers.get("Retry-After")
                except httpx.HTTPError as exc:  # a hang or a dropped connection: a failure
                    outcome, retry_after = type(exc).__name__, None
                with self._lock:  # filed under the phase in which the answer came
                    self.results.append((self.phase, path, outcome, retry_after))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT_SECONDS + 5)

    def run_phase(self, phase: str, *, until_all_ok: int = 0) -> None:
        """Stay in ``phase`` for ROUNDS_PER_PHASE answers per client and, with
        ``until_all_ok``, until that many answers in a row in it are 200s."""
        self.phase = phase
        deadline = time.monotonic() + PHASE_LIMIT_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                answers = [outcome for p, _, outcome, _ in self.results if p == phase]
            recent = answers[-until_all_ok:] if until_all_ok else []
            if len(answers) >= CLIENTS * ROUNDS_PER_PHASE and (
                len(recent) == until_all_ok and set(recent) <= {200}
            ):
                return
            time.sleep(0.05)

    def statuses(self, phase: str) -> Counter:
        return Counter(outcome for p, _, outcome, _ in self.results if p == phase)


@pytest.fixture
def demo_cluster(private_postgres: PrivatePostgres) -> str:
    url = private_postgres.createdb("evidentia")
    env = app_env(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)
    return url


def test_requests_fail_cleanly_while_postgres_is_down_and_recover_without_a_restart(
    private_postgres: PrivatePostgres, demo_cluster: str, tmp_path: Path
):
    server = AppServer(
        env=app_env(DATABASE_URL=demo_cluster, DJANGO_CONN_MAX_AGE="60"),
        log=tmp_path / "gunicorn.log",
    )
    try:
        for path in PATHS:  # warm up: each gunicorn worker imports and connects
            assert httpx.get(server.url(path), timeout=30).status_code == 200
        with Load(server) as load:
            load.run_phase("before")
            load.phase = "stopping"
            private_postgres.stop("fast")  # terminates the app's open connections
            load.run_phase("down")
            load.phase = "starting"
            private_postgres.start()
            load.run_phase("after", until_all_ok=CLIENTS * len(PATHS))
    finally:
        server.stop()

    phases = ("before", "stopping", "down", "starting", "after")
    summary = {phase: dict(load.statuses(phase)) for phase in phases}
    print(f"\nrequests by phase and status: {summary}; total {len(load.results)}")
    outcomes = Counter(outcome for _, _, outcome, _ in load.results)
    assert set(outcomes) <= {200, 503}, (outcomes, server.log_tail())
    assert load.statuses("before") == Counter({200: sum(load.statuses("before").values())})
    assert load.statuses("down")[503] > 0, summary
    assert all(retry_after == "5" for _, _, outcome, retry_after in load.results if outcome == 503)
    # Back without restarting the app: every path answers again, and the last round of
    # each client is all 200s.
    after = [(path, outcome) for phase, path, outcome, _ in load.results if phase == "after"]
    assert {path for path, outcome in after if outcome == 200} == set(PATHS), summary
    assert [outcome for _, outcome in after[-CLIENTS * len(PATHS) :]] == [200] * (
        CLIENTS * len(PATHS)
    ), summary
    log = server.log.read_text()
    assert "database unavailable" in log
    assert "Traceback" not in log
