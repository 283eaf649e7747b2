"""The page cache: rendered pages and API summaries in Django's cache, never stale after an edit.

It lives in the project package, below the apps, because more than one app's pages use it
(evidence's and therapies'); the scopes are named here so every app keys them alike.

Every cached entry is keyed on generation tokens: ``all`` (names shown everywhere),
``home``, one per condition (``c:<slug>``) and one per therapy (``t:<slug>``). A page's
key holds the tokens of what it shows, so a write that replaces a token makes every entry
built on the old one unreachable; nothing has to be found and deleted. Which writes
replace which tokens is in evidence/receivers.py (model signals, the references layer's
signals) and in the services that write in bulk.

A token is a fresh random value, never a counter: a token evicted from Redis is simply
replaced by a new one, so an old entry can never match again. Reads fetch the tokens
before the database, and writes replace them both at once and after their transaction
commits, so a page rendered from data read before a commit is stored under a token that
the commit has already replaced.

Only anonymous GET and HEAD requests are served from the cache (editors may be signed
in); the day is part of every key because pages say when a review is overdue. Cache
errors never break a page: it is rendered as if the cache were off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from config import db_router
from config.middleware import cache_control

logger = logging.getLogger(__name__)

ALL = "all"
HOME = "home"
_TOKEN_PREFIX = "evidence:gen:"  # noqa: S105 - a cache key prefix
_ENTRY_PREFIX = "evidence:page:"
# The attribute of a response that config.middleware.cached_pages may keep (see mark()).
LOOKUP_MARK = "page_cache_lookup"
# Entries outlive no token anyway; the timeout only bounds what an idle page keeps.
ENTRY_TIMEOUT = 60 * 60 * 24


def condition_scope(slug: str) -> str:
    return f"c:{slug}"


def therapy_scope(slug: str) -> str:
    return f"t:{slug}"


def enabled() -> bool:
    return bool(getattr(settings, "EVIDENCE_PAGE_CACHE", True))


# --- Generation tokens --------------------------------------------------------------------


def _new_token(position: str | None = None) -> str:
    # With replicas, a token replaced after a commit carries the primary's WAL position
    # then: a page is rendered under it only from a replica that has replayed that far.
    return f"{secrets.token_hex(8)}@{position}" if position else secrets.token_hex(8)


def tokens(scopes: Sequence[str]) -> list[str] | None:
    """The current token of each scope (new ones for scopes without); None if the cache
    cannot be read."""
    keys = [_TOKEN_PREFIX + scope for scope in scopes]
    try:
        found = cache.get_many(keys)
        missing = {key: _new_token() for key in keys if key not in found}
        if missing:
            cache.set_many(missing, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("page cache unavailable: reading generation tokens", exc_info=True)
        return None
    return [found.get(key) or missing[key] for key in keys]


def _replace(scopes: Iterable[str], *, after_commit: bool = False) -> None:
    position = db_router.primary_position() if after_commit else None
    fresh = {_TOKEN_PREFIX + scope: _new_token(position) for scope in set(scopes)}
    if not fresh:
        return
    try:
        cache.set_many(fresh, timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable: could not invalidate %s", sorted(fresh))


def invalidate(scopes: Iterable[str]) -> None:
    """Make every cached page and summary built on ``scopes`` unreachable: now (so the
    writing transaction's own later reads see the change) and again after it commits
    (so a page read by another request before the commit is not kept)."""
    scopes = sorted(set(scopes))
    if not scopes:
        return
    _replace(scopes)
    transaction.on_commit(lambda: _replace(scopes, after_commit=True))


def invalidate_all() -> None:
    """After writes no signal reports (bulk_create, QuerySet.update, raw SQL, a corpus
    load): every cached page and summary."""
    invalidate([ALL, HOME])


# --- Entries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str
    content_type: str
    last_modified: int | None = None  # a Unix timestamp, for the API's Last-Modified
    tokens: tuple[str, ...] = ()  # the generation tokens it was rendered under


@dataclass(frozen=True)
class Lookup:
    """Where an entry lives, the tokens now current, and the entry if it is current."""

    key: str
    tokens: tuple[str, ...]
    entry: Entry | None
    token_keys: tuple[str, ...] = ()  # the cache keys of ``tokens``

    def store(self, entry: Entry) -> None:
        try:
            cache.set(self.key, dataclasses.replace(entry, tokens=self.tokens), ENTRY_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("page cache unavailable: storing an entry", exc_info=True)


def mark(response: HttpResponseBase, found: Lookup) -> HttpResponseBase:
    """Say that ``response`` was served from the entry ``found`` holds, for the fast path
    (config.middleware.cached_pages) to keep as it leaves the middleware."""
    setattr(response, LOOKUP_MARK, found)
    return response


def etag_of(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def lookup(kind: str, scopes: Sequence[str], parts: Sequence[Any]) -> Lookup | None:
    """The entry for ``parts`` and the tokens of ``scopes`` (and ``all``) in one round
    trip: an entry holds the tokens it was rendered under and counts only while they are
    the current ones. None if the cache cannot be read."""
    raw = "\n".join([kind, timezone.localdate().isoformat(), *map(str, parts)])
    key = f"{_ENTRY_PREFIX}{kind}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"
    token_keys = [_TOKEN_PREFIX + scope for scope in [ALL, *scopes]]
    try:
        found = cache.get_many([*token_keys, key])
        missing = {name: _new_token() for name in token_keys if name not in found}
        if missing:
            cache.set_many(missing, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("page cache unavailable: reading an entry", exc_info=True)
        return None
    current = tuple(found.get(name) or missing[name] for name in token_keys)
    entry = found.get(key)
    if not isinstance(entry, Entry) or entry.tokens != current:
        entry = None
        db_router.read_primary_unless_replayed(t.partition("@")[2] for t in current if "@" in t)
    return Lookup(key=key, tokens=current, entry=entry, token_keys=tuple(token_keys))


def is_anonymous(request: HttpRequest) -> bool:
    """True without looking up a session when the request carries none (no query)."""
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def cacheable(request: HttpRequest) -> bool:
    return enabled() and request.method in ("GET", "HEAD") and is_anonymous(request)


# --- Pages --------------------------------------------------------------------------------


def _conditional(
    request: HttpRequest, response: HttpResponse, etag: str, last_modified: int | None = None
) -> HttpResponseBase:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    # Browsers keep the page but ask again each time; an unchanged page costs a 304.
    # config.middleware.cache_control makes it public for anonymous readers.
    response["Cache-Control"] = "no-cache"
    result = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    return cache_control.shareable(result)


def cached_page(
    request: HttpRequest,
    *,
    kind: str,
    scopes: Sequence[str],
    parts: Sequence[Any],
    render: Callable[[], HttpResponse],
) -> HttpResponseBase:
    """The page from the cache, or ``render()``'d and stored. ``parts``: everything else
    the page varies with (slugs, page number, citation style). Scheme and host are added:
    pages cite their own absolute address."""
    if not cacheable(request):
        response = render()
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        return (
            response
            if response.streaming
            else _conditional(request, response, etag_of(response.content))
        )
    found = lookup(kind, scopes, [request.scheme, request.get_host(), *parts])
    if found is not None and found.entry is not None:
        entry = found.entry
        response = HttpResponse(entry.body, content_type=entry.content_type)
        return mark(_conditional(request, response, entry.etag, entry.last_modified), found)
    response = render()
    if response.status_code != 200 or response.streaming:
        return response
    etag = etag_of(response.content)
    if found is None:
        return _conditional(request, response, etag)
    # The entry's Last-Modified is when it was rendered: a page is re-rendered only after
    # a write replaced one of its tokens (or the day or the cache changed).
    rendered_at = int(time.time())
    found.store(Entry(response.content, etag, response["Content-Type"], rendered_at))
    return _conditional(request, response, etag, rendered_at)
