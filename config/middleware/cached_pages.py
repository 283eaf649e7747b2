"""Cached pages and summaries answered before the rest of the middleware runs.

config.page_cache serves a current page from Redis, but only once the request has been
through every middleware (CSP, sessions, CSRF, auth, messages, history, axes), URL
resolution and, for the API, DRF's dispatch. For an anonymous reader none of that changes
the answer, so this middleware, placed just below SecurityMiddleware, keeps the final
response the slow path gave (status 200, every header the inner middleware added, the
body) and answers the same request from it with one round trip to Redis: the entry and the
generation tokens it was built under, read together (MGET).

Served only to GET and HEAD requests that carry no cookie at all, no Authorization, no
Origin (CORS headers vary with it) and no conditional or precondition header (those go
the slow path, which answers 304 and 412 as it always has). An entry is kept only from
such a request whose response config.page_cache marked as a cached page or summary, with
status 200 and no cookie set; the tokens it holds are the ones the slow path read before
the database, so an edit committed meanwhile has already replaced them. Which tokens a URL
depends on is learnt, per process, from the responses it keeps: a URL this process has not
seen cached costs nothing here (the benchmark's minimal view included). API answers are
keyed on the Accept header too, and are throttled here as DRF's default throttles would.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from rest_framework.settings import api_settings

from config import page_cache

logger = logging.getLogger(__name__)

_PREFIX = "evidence:fast:"
_API_PREFIX = "/api/"
_READS = ("GET", "HEAD")
# Asked for by a conditional or precondition header: the slow path answers those.
_SLOW_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_ORIGIN",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)
# Per process: URL -> the token keys its entry depends on. Bounded; cleared when full.
_KNOWN_LIMIT = 20_000
_known: dict[str, tuple[str, ...]] = {}
_known_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """A final response as the slow path gave it, and the tokens it was built under."""

    headers: tuple[tuple[str, str], ...]
    body: bytes
    token_keys: tuple[str, ...]
    tokens: tuple[str, ...]
    api: bool


def _url_key(request: HttpRequest) -> str | None:
    """The request's identity for the fast path, or None when it must take the slow path."""
    if request.method not in _READS or not page_cache.enabled():
        return None
    meta = request.META
    if any(meta.get(name) for name in _SLOW_HEADERS):
        return None
    static = settings.STATIC_URL or "/static/"
    path = request.path
    if path.startswith(static):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    accept = meta.get("HTTP_ACCEPT", "") if path.startswith(_API_PREFIX) else ""
    query = meta.get("QUERY_STRING", "")
    return f"{request.scheme}\n{host}\n{path}\n{query}\n{accept}"


def _entry_key(url_key: str) -> str:
    raw = f"{timezone.localdate().isoformat()}\n{url_key}"
    return _PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _throttled(request: HttpRequest) -> bool:
    """True if DRF's default throttles would refuse this anonymous API request."""
    throttles = [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]
    if all(getattr(throttle, "rate", None) is None for throttle in throttles):
        return False
    # The throttles read only the user and the client's address (request.META).
    request.user = AnonymousUser()
    try:
        return not all(throttle.allow_request(request, None) for throttle in throttles)
    finally:
        del request.user


def _current(url_key: str, entry_key: str) -> Snapshot | None:
    """The snapshot for the URL if its tokens are still the current ones: one MGET."""
    token_keys = _known.get(url_key)
    if token_keys is None:
        return None
    try:
        found = cache.get_many([*token_keys, entry_key])
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("page cache unavailable: reading a fast entry", exc_info=True)
        return None
    snapshot = found.get(entry_key)
    if not isinstance(snapshot, Snapshot) or snapshot.token_keys != token_keys:
        return None
    if any(found.get(key) != token for key, token in zip(token_keys, snapshot.tokens, strict=True)):
        return None
    return snapshot


def _keep(url_key: str, entry_key: str, response: HttpResponseBase) -> None:
    """Store the slow path's response for the fast path, if it may be served to anyone."""
    found = getattr(response, page_cache.LOOKUP_MARK, None)
    if (
        found is None
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Set-Cookie")
        or "private" in response.get("Cache-Control", "private")
    ):
        return
    snapshot = Snapshot(
        headers=tuple(response.items()),
        body=response.content,
        token_keys=found.token_keys,
        tokens=found.tokens,
        api=url_key.split("\n", 3)[2].startswith(_API_PREFIX),
    )
    try:
        cache.set(entry_key, snapshot, page_cache.ENTRY_TIMEOUT)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable: storing a fast entry", exc_info=True)
        return
    with _known_lock:
        if len(_known) >= _KNOWN_LIMIT:
            _known.clear()
        _known[url_key] = found.token_keys


class CachedPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        url_key = _url_key(request)
        if url_key is None:
            return self.get_response(request)
        entry_key = _entry_key(url_key)
        snapshot = _current(url_key, entry_key)
        if snapshot is not None and not (snapshot.api and _throttled(request)):
            return HttpResponse(snapshot.body, headers=dict(snapshot.headers))
        response = self.get_response(request)
        if request.method == "GET":
            _keep(url_key, entry_key, response)
        return response
