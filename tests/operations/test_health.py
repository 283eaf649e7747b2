"""/healthz (the process answers) and /readyz (the database and the broker answer)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _dead_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database_redis_or_a_session(client, settings):
    # No django_db mark: any database access would raise. Redis points at a closed port.
    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    settings.CELERY_BROKER_URL = dead
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response  # no session, no CSRF cookie
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_health_endpoints_refuse_writes(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert client.head("/readyz").status_code in (200, 503)


@pytest.mark.django_db
def test_readyz_reports_each_check_with_its_latency(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latency_ms"], float) and check["latency_ms"] >= 0
    assert "failed" not in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_redis_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_dead_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["status"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # details go to the log only


@pytest.mark.postgres
def test_readyz_is_503_naming_the_database_when_postgresql_does_not_answer(
    client, transactional_db
):
    # Point this process's connection at a closed port; the shared server is not touched.
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_dead_port())
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError",
        "latency_ms": body["checks"]["database"]["latency_ms"],
    }
    assert body["checks"]["broker"]["status"] == "ok"
    # and the next request reconnects to the real database
    assert client.get("/readyz").status_code == 200


def test_production_probes_are_not_redirected_to_https_but_pages_are():
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(c.get('/healthz').status_code, c.get('/readyz').status_code != 301,"
        " c.get('/conditions/x/').status_code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="probe-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "True", "301"]
