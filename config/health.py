"""Health checks for load balancers and orchestrators.

``/healthz`` (liveness): the process answers HTTP. It touches neither the database nor
Redis, so a database outage never makes an orchestrator restart healthy web processes.
``/readyz`` (readiness): the database answers ``SELECT 1`` and the Celery broker answers
PING, each within a short timeout; 200 with each check's latency, or 503 naming what
failed, so a balancer stops sending traffic to a host that cannot serve it.

Both are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT in production settings),
never cached, and use no session. Error details go to the log, not to the (public)
response, which names only the check and the kind of error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

# Seconds each readiness check may take; a probe usually times out after a few seconds.
CHECK_TIMEOUT_SECONDS = 2.0


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _run(check_database), "broker": _run(check_broker)}
    failed = [name for name, result in checks.items() if result["status"] != "ok"]
    body: dict[str, object] = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def check_database() -> str | None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A half-open connection must not be reused by the next request in this thread.
        connection.close()
        raise
    return None


def check_broker() -> str | None:
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return "in-process broker: tasks run eagerly"
    if scheme in ("redis", "rediss"):
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
            socket_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return None
    with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    return None


def _run(check: Callable[[], str | None]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:
        # Any failure means "not ready"; the class names it, the log has the whole story.
        logger.warning("readiness check %s failed: %r", check.__name__, exc)
        result: dict[str, object] = {"status": "error", "error": type(exc).__name__}
    else:
        result = {"status": "ok"}
        if detail:
            result["detail"] = detail
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result
