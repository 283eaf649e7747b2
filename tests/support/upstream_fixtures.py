"""Fixtures for upstream I/O: a fake upstream (a real HTTP server on 127.0.0.1 serving
recorded answers) and settings pointing the clients at it."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from pytest_httpserver import HTTPServer
from pytest_httpserver.httpserver import METHOD_ALL
from werkzeug import Request, Response

from references.sources import CrossrefClient, PubMedClient

Handler = Callable[[Request], Response]


@dataclass
class Call:
    """One request the fake upstream received."""

    method: str
    path: str
    params: dict[str, str]  # query string and form body together
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class FakeUpstream:
    """A threaded HTTP server; ``calls`` records every request in arrival order."""

    server: HTTPServer
    calls: list[Call] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: int = 0

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def on(self, path: str | re.Pattern[str], handler: Handler, *, method: str = "") -> None:
        """Answer requests for ``path`` with ``handler(request)``."""

        def recorded(request: Request) -> Response:
            query = dict(request.args.items())
            form = dict(request.form.items())
            call = Call(
                method=request.method,
                path=request.path,
                params={**query, **form},
                query=query,
                form=form,
                headers=dict(request.headers.items()),
                at=time.monotonic(),
            )
            with self._lock:
                self.calls.append(call)
                self._in_flight += 1
            try:
                return handler(request)
            finally:
                with self._lock:
                    self._in_flight -= 1

        self.server.expect_request(path, method=method or METHOD_ALL).respond_with_handler(recorded)

    def sequence(self, path: str | re.Pattern[str], *responses: Response | Handler) -> None:
        """Answer successive requests with ``responses`` in turn; the last one repeats."""
        remaining = list(responses)

        def handler(request: Request) -> Response:
            answer = remaining.pop(0) if len(remaining) > 1 else remaining[0]
            return (
                answer(request) if callable(answer) and not isinstance(answer, Response) else answer
            )

        self.on(path, handler)

    @staticmethod
    def json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(
            json.dumps(payload),
            status=status,
            headers=headers,
            content_type="application/json; charset=UTF-8",
        )

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Let handlers still blocked on ``release`` finish, so none leaks into the next test."""
        self.release.set()
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture(scope="session")
def _upstream_server() -> Iterator[HTTPServer]:
    # Threaded, so a handler that sleeps (a timeout test) does not hold up the next request.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def upstream(_upstream_server: HTTPServer) -> Iterator[FakeUpstream]:
    _upstream_server.clear()
    fake = FakeUpstream(_upstream_server)
    yield fake
    fake.wait_idle()
    _upstream_server.check_assertions()
    _upstream_server.clear()


@pytest.fixture
def upstream_settings(settings: Any, upstream: FakeUpstream, ratelimit_prefix: str) -> Any:
    """Settings pointing the clients at the fake upstream: tiny backoffs, fast rate limits
    under a key prefix of this test's own (in Redis when REDIS_URL is set)."""
    settings.PUBMED_BASE_URL = upstream.url("/pubmed/")
    settings.CROSSREF_BASE_URL = upstream.url("/crossref/")
    settings.CONTACT_EMAIL = "tests@example.org"
    settings.NCBI_API_KEY = ""
    settings.UPSTREAM_TIMEOUT_SECONDS = 2.0
    settings.UPSTREAM_MAX_ATTEMPTS = 3
    settings.UPSTREAM_BACKOFF_SECONDS = 0.001
    settings.UPSTREAM_MAX_RETRY_AFTER_SECONDS = 60.0
    settings.UPSTREAM_RATELIMIT_PREFIX = ratelimit_prefix
    settings.PUBMED_RATE_LIMIT_PER_SECOND = 1000.0
    settings.PUBMED_BATCH_SIZE = 200
    settings.PUBMED_POST_ABOVE_IDS = 50
    settings.CROSSREF_FILTER_BATCH = 50
    settings.CROSSREF_RATE_LIMIT_PER_SECOND = 1000.0
    settings.CROSSREF_CONCURRENCY_LIMIT = 5
    return settings


@pytest.fixture
def ratelimit_prefix(settings: Any) -> Iterator[str]:
    """A rate-limit key prefix of this test's own; its Redis keys are deleted after."""
    prefix = f"test:{uuid.uuid4().hex}:ratelimit:"
    yield prefix
    delete_keys(settings.REDIS_URL, prefix)


def delete_keys(redis_url: str, prefix: str) -> None:
    if not redis_url:
        return
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class SleepRecorder:
    """An injectable ``sleep``: records each requested delay, really sleeps at most 10 ms."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(min(seconds, 0.01))


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def pubmed(upstream_settings: Any, sleeps: SleepRecorder) -> Iterator[PubMedClient]:
    with PubMedClient.from_settings(sleep=sleeps) as client:
        yield client


@pytest.fixture
def crossref(upstream_settings: Any, sleeps: SleepRecorder) -> Iterator[CrossrefClient]:
    with CrossrefClient.from_settings(sleep=sleeps) as client:
        yield client
