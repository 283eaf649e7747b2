"""Reads on PostgreSQL replicas (``DATABASE_REPLICA_URLS``), writes on the primary.

Only what cannot need its own writes goes to a replica: the reads of an anonymous GET or
HEAD request (no session cookie, no ``Authorization``), which ``ReplicaReadsMiddleware``
marks for one replica chosen at random for the whole request, so a page reads one
consistent snapshot. Everything else reads the primary:

- any request with a session or a token (editors, reviewers, API clients), so whoever
  writes always reads their own writes, in that request and the next ones;
- POST, PUT, PATCH, DELETE;
- inside a transaction (``atomic``), and for the rest of a request once it has written;
- outside requests (Celery tasks, management commands), which read what they then write.

Replicas lag the primary by however long replay takes (milliseconds on a healthy LAN);
an anonymous reader may see an edit that much later, but never keeps seeing it through the
page cache: config.page_cache stamps the generation tokens a write replaces with the
primary's WAL position (``primary_position``), and a request that would render a page from
a replica that has not replayed that far reads the primary instead
(``read_primary_unless_replayed``). A replica out of reach is skipped (reads go to another
or to the primary) and tried again after REPLICA_RETRY_SECONDS. ``migrate`` runs on the
primary only.
docs/operations.md ("Read replicas") says how to run it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

# Replicas found out of reach, and until when (time.monotonic()) they are not tried again.
_down_until: dict[str, float] = {}
# The replica the current request may read from; None: the primary.
_read_alias: ContextVar[str | None] = ContextVar("evidentia_read_alias", default=None)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a read the ORM does not route (raw SQL through a cursor)."""
    return connections[router.db_for_read(None)]


def primary_position() -> str | None:
    """Where the primary's WAL is now ("0/3000148"), when replicas are in use: what a
    replica must have replayed to show every commit so far."""
    if not replica_aliases() or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _lsn(text: str) -> int:
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def read_primary_unless_replayed(positions: Iterable[str]) -> None:
    """If this request reads a replica that has not replayed up to every one of
    ``positions`` (from ``primary_position``), read the primary for the rest of it."""
    alias = _read_alias.get()
    wanted = max((_lsn(position) for position in positions), default=None)
    if alias is None or wanted is None:
        return
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        (replayed,) = cursor.fetchone()
    if replayed is None or _lsn(replayed) < wanted:
        _read_alias.set(None)


def _reachable(alias: str) -> bool:
    """Whether ``alias`` answers; one that does not is left alone for REPLICA_RETRY_SECONDS,
    so readers wait on no dead replica and a recovered one takes reads again."""
    if _down_until.get(alias, 0.0) > time.monotonic():
        return False
    try:
        # A kept connection whose server went away fails this check (CONN_HEALTH_CHECKS)
        # and is closed, so the connect below finds out.
        connections[alias].close_if_health_check_failed()
        connections[alias].ensure_connection()
    except DatabaseError as error:
        _down_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning("replica %s is out of reach, reading the primary: %s", alias, error)
        return False
    _down_until.pop(alias, None)
    return True


def reads_from(request: HttpRequest) -> str | None:
    """The replica ``request`` may read from, or None for the primary (also when no
    replica answers: reads fall back to the primary, never to an error)."""
    replicas = replica_aliases()
    if not replicas or request.method not in _SAFE_METHODS:
        return None
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    # Spreading load, not a secret.
    for alias in random.sample(replicas, len(replicas)):
        if _reachable(alias):
            return alias
    return None


class ReplicaRouter:
    """settings.DATABASE_ROUTERS, when DATABASE_REPLICA_URLS names replicas."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        _read_alias.set(None)  # read your own writes for the rest of the request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data, wherever it was read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Lets an anonymous read request's queries go to one replica (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _read_alias.set(reads_from(request))
        try:
            return self.get_response(request)
        finally:
            _read_alias.reset(token)
