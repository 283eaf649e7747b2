"""A real streaming replica of the test database's PostgreSQL server, for the router tests.

``scripts/pg_replica.sh`` makes (or finds) a second local cluster in streaming replication
from the primary; the replica then holds a copy of the test database pytest-django created
on the primary. ``attach`` adds it to Django as ``replica_0`` once the test databases
exist (not before: Django would try to create a test database on a read-only server); the
tests then turn the router on with settings.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg_replica.sh"
ALIAS = "replica_0"


def start(host: str, port: int) -> tuple[int | None, str]:
    """(the replica's port, "") when it streams from the primary, else (None, why not)."""
    if host not in ("127.0.0.1", "localhost", ""):
        return None, f"the primary ({host}) is not on this machine"
    env = {**os.environ, "PRIMARY_HOST": host or "127.0.0.1", "PRIMARY_PORT": str(port)}
    try:
        done = subprocess.run(  # noqa: S603
            ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"scripts/pg_replica.sh did not finish: {error}"
    if done.returncode != 0:
        return None, f"scripts/pg_replica.sh failed: {done.stderr.strip()[-500:]}"
    return int(done.stdout.strip().splitlines()[-1]), ""


def scalar(alias: str, sql: str, params: tuple = ()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 60) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = scalar("default", "select pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    sql = "select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0"
    while not scalar(ALIAS, sql, (target,)):
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")
        time.sleep(0.05)


@contextmanager
def paused_replay() -> Iterator[None]:
    """The replica stops applying the primary's changes (it keeps receiving them)."""
    scalar(ALIAS, "select pg_wal_replay_pause()::text")
    while scalar(ALIAS, "select pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.02)
    try:
        yield
    finally:
        scalar(ALIAS, "select pg_wal_replay_resume()::text")


def attach(port: int) -> str:
    """``replica_0``: the test database on the replica. A mirror of the primary for the
    test framework, so that no test flushes or sets it up (it is read-only)."""
    primary = connections["default"].settings_dict
    connections.settings[ALIAS] = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    return ALIAS


def detach() -> None:
    if scalar(ALIAS, "select pg_is_wal_replay_paused()"):
        scalar(ALIAS, "select pg_wal_replay_resume()::text")
    connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]
