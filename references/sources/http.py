"""Shared HTTP plumbing of the upstream clients: errors, client construction, retries.

Every client holds one ``httpx.Client`` (connection reuse), identifies itself with
``Evidentia/<version> (mailto:CONTACT_EMAIL)`` as NCBI and Crossref ask, waits for the
shared rate limiter before each attempt and retries what can heal by itself:

- timeouts, connection errors, 5xx and 429: ``UpstreamUnavailable``, retried with
  exponential backoff plus jitter, or after ``Retry-After`` when the answer has one;
- a 200 whose body is not what was asked for (an HTML error page, an empty body, JSON
  that does not decode): ``UpstreamBadResponse``, retried once, because NCBI serves such
  pages while a backend restarts;
- any other 4xx: ``UpstreamBadResponse`` at once (the request is wrong; repeating it
  will not help). A 404 on a single-work lookup is an answer, not an error: ``None``.

A ``Retry-After`` longer than UPSTREAM_MAX_RETRY_AFTER_SECONDS is not slept through
inside the call: the client raises ``UpstreamUnavailable`` carrying ``retry_after`` so the
caller (a Celery task) can retry later without holding a worker.
"""

from __future__ import annotations

import email.utils
import importlib.metadata
import logging
import random
import ssl
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self, TypeVar, overload

import certifi
import httpx

from .config import UpstreamConfig
from .ratelimit import ConcurrencyLimiter, RateLimiter, Sleep

logger = logging.getLogger(__name__)

T = TypeVar("T")


class UpstreamError(Exception):
    """An upstream service could not give a usable answer."""

    retryable = False

    def __init__(
        self, message: str, *, upstream: str = "", status: int | None = None, url: str = ""
    ) -> None:
        super().__init__(message)
        self.upstream = upstream
        self.status = status
        self.url = url


class UpstreamUnavailable(UpstreamError):
    """Timeout, connection error, 5xx or 429: worth retrying later (``retry_after`` s)."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UpstreamBadResponse(UpstreamError):
    """An answer that is not what was asked for (HTML page, empty body, bad JSON, 4xx)."""


@cache
def evidentia_version() -> str:
    try:
        return importlib.metadata.version("evidentia")
    except importlib.metadata.PackageNotFoundError:
        # Run from a checkout without `pip install -e .`: read the version from pyproject.
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            with pyproject.open("rb") as fh:
                return str(tomllib.load(fh)["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0"


def user_agent(contact_email: str) -> str:
    return f"Evidentia/{evidentia_version()} (mailto:{contact_email})"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(tz=UTC)
    return max((when - now).total_seconds(), 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    max_retry_after_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")

    @classmethod
    def from_config(cls, config: UpstreamConfig) -> RetryPolicy:
        return cls(
            max_attempts=max(1, config.max_attempts),
            backoff_seconds=config.backoff_seconds,
            max_retry_after_seconds=config.max_retry_after_seconds,
        )

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay after failed attempt ``attempt`` (1-based): base * 2**(n-1), capped, + jitter."""
        uniform = (rng or random).uniform
        delay = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
        # Jitter spreads out workers that failed together so they do not retry in step.
        return delay + uniform(0, self.backoff_seconds)


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one loads the CA bundle,
    about 30 ms, which an import job of a small file would otherwise pay per upstream."""
    return ssl.create_default_context(cafile=certifi.where())


def build_http_client(
    *,
    base_url: str,
    timeout: float,
    contact_email: str,
    headers: Mapping[str, str] | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` with the project's timeouts and User-Agent."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent(contact_email), **(headers or {})},
        follow_redirects=False,
        verify=_tls_context(),
    )


class UpstreamClient:
    """Base of the upstream clients: one connection pool, rate limit, retries, counting.

    ``requests_made`` counts HTTP attempts (retries included), for benchmarks.
    """

    upstream = "upstream"

    def __init__(
        self,
        *,
        base_url: str,
        contact_email: str,
        timeout: float,
        limiter: RateLimiter,
        concurrency: ConcurrencyLimiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        self.contact_email = contact_email
        self.limiter = limiter
        self.concurrency = concurrency
        self.retry = retry or RetryPolicy()
        self.requests_made = 0
        self._count_lock = threading.Lock()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311
        self._http = build_http_client(
            base_url=base_url, timeout=timeout, contact_email=contact_email
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _observe(self, response: httpx.Response) -> None:
        """Hook: learn from each response's headers (Crossref announces its limits)."""

    @overload
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        data: Mapping[str, Any] | None = ...,
        decode: Callable[[httpx.Response], T],
        not_found_is_none: Literal[False] = ...,
    ) -> T: ...

    @overload
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        data: Mapping[str, Any] | None = ...,
        decode: Callable[[httpx.Response], T],
        not_found_is_none: Literal[True],
    ) -> T | None: ...

    # Long function: the outcomes of an attempt and the retry decision read best in one loop.
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        decode: Callable[[httpx.Response], T],
        not_found_is_none: bool = False,
    ) -> T | None:
        """Send with retries; ``decode`` turns a 2xx into the result or raises BadResponse."""
        bad_bodies = 0
        failure: UpstreamError = UpstreamUnavailable("no attempt made", upstream=self.upstream)
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                response = self._send(method, path, params=params, data=data)
            except httpx.TimeoutException as exc:
                failure = UpstreamUnavailable(
                    f"{self.upstream} timed out: {exc!r}",
                    upstream=self.upstream,
                    url=str(exc.request.url),
                )
            except httpx.TransportError as exc:
                failure = UpstreamUnavailable(
                    f"{self.upstream} unreachable: {exc!r}",
                    upstream=self.upstream,
                    url=str(exc.request.url),
                )
            else:
                status = response.status_code
                url = str(response.request.url)
                if status == 404 and not_found_is_none:
                    return None
                if status == 429 or status >= 500:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    failure = UpstreamUnavailable(
                        f"{self.upstream} answered {status}",
                        retry_after=retry_after,
                        upstream=self.upstream,
                        status=status,
                        url=url,
                    )
                    if retry_after is not None and retry_after > self.retry.max_retry_after_seconds:
                        raise failure
                elif not 200 <= status < 300:
                    raise UpstreamBadResponse(
                        f"{self.upstream} answered {status}: {response.text[:200]!r}",
                        upstream=self.upstream,
                        status=status,
                        url=url,
                    )
                else:
                    try:
                        return decode(response)
                    except UpstreamBadResponse as exc:
                        exc.upstream, exc.status, exc.url = self.upstream, status, url
                        bad_bodies += 1
                        if bad_bodies > 1:
                            raise
                        failure = exc
            if attempt == self.retry.max_attempts:
                break
            delay = self._delay(attempt, failure)
            logger.warning(
                "%s attempt %d/%d failed (%s); retrying in %.2fs",
                self.upstream,
                attempt,
                self.retry.max_attempts,
                failure,
                delay,
            )
            self._sleep(delay)
        raise failure

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
    ) -> httpx.Response:
        with self.concurrency.slot() if self.concurrency else nullcontext():
            self.limiter.acquire()
            with self._count_lock:
                self.requests_made += 1
            response = self._http.request(method, path, params=params, data=data)
        self._observe(response)
        return response

    def _delay(self, attempt: int, failure: UpstreamError) -> float:
        retry_after = getattr(failure, "retry_after", None)
        if retry_after is not None:
            return retry_after + self._rng.uniform(0, self.retry.backoff_seconds)  # noqa: S311
        return self.retry.backoff(attempt, self._rng)


def expect_xml(response: httpx.Response) -> bytes:
    """The body, if it looks like XML (not an HTML error page, not empty)."""
    body = response.content
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    content_type = response.headers.get("content-type", "").lower()
    if not head:
        raise UpstreamBadResponse("empty body where XML was expected")
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        raise UpstreamBadResponse(f"HTML page where XML was expected: {head[:80]!r}")
    if "json" in content_type or not head.startswith(b"<"):
        raise UpstreamBadResponse(f"not XML ({content_type or 'no content type'}): {head[:80]!r}")
    return body


def expect_json(response: httpx.Response) -> dict[str, Any]:
    """The decoded body, if it is a JSON object."""
    body = response.content
    content_type = response.headers.get("content-type", "").lower()
    head = body[:512].lstrip().lower()
    if not head:
        raise UpstreamBadResponse("empty body where JSON was expected")
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        raise UpstreamBadResponse(f"HTML page where JSON was expected: {head[:80]!r}")
    try:
        payload = response.json()
    except ValueError as exc:
        raise UpstreamBadResponse(f"JSON does not decode: {exc}") from exc
    if not isinstance(payload, dict):
        raise UpstreamBadResponse(f"JSON is a {type(payload).__name__}, not an object")
    return payload
