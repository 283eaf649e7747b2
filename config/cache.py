"""A Redis cache that degrades to no cache when Redis is down, instead of failing requests.

The cache only ever saves work (formatted citations, page fragments, API throttle
counters), so a lost Redis must not turn pages and reads into 500s: every operation that
cannot reach Redis behaves as a miss (reads) or a no-op (writes) and a warning is logged,
at most once per ``WARN_EVERY_SECONDS`` per process with the count of operations that
failed meanwhile, so an outage does not flood the logs.

A dead Redis must also cost milliseconds, not seconds: sockets get short connect / read
timeouts, redis-py's default of ten retries with backoff per command (about 2 s against a
refused port) is cut to one immediate retry (which is what reconnects a pooled connection
after Redis restarts), and after a failure the cache is skipped entirely for
``DOWN_SECONDS`` before Redis is tried again.

API throttling reads its counters through this cache, so with Redis down it fails open:
requests are served unthrottled, and the warning says so.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class _Health:
    """Whether one Redis location is reachable, shared by every thread of the process."""

    _by_location: dict[str, _Health] = {}
    _registry_lock = threading.Lock()

    def __init__(self, location: str, *, down_seconds: float, warn_every: float) -> None:
        self.location = location
        self.down_seconds = down_seconds
        self.warn_every = warn_every
        self.down_until = 0.0
        self.is_down = False
        self.failures = 0
        self.last_warning = float("-inf")
        self._lock = threading.Lock()

    @classmethod
    def for_location(cls, location: str, **options: float) -> _Health:
        with cls._registry_lock:
            if location not in cls._by_location:
                cls._by_location[location] = cls(location, **options)
            return cls._by_location[location]

    def skipping(self) -> bool:
        """True while a recent failure says not to try Redis yet."""
        if not self.is_down:
            return False
        with self._lock:
            if time.monotonic() < self.down_until:
                self.failures += 1
                return True
            return False

    def failed(self, operation: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.is_down = True
            self.down_until = now + self.down_seconds
            self.failures += 1
            if now - self.last_warning < self.warn_every:
                return
            self.last_warning = now
            failures, self.failures = self.failures, 0
        logger.warning(
            "cache unavailable (%s on %s: %s); serving without a cache, API throttling off; "
            "%d cache operation(s) failed since the last warning",
            operation,
            self.location,
            exc,
            failures,
        )

    def succeeded(self) -> None:
        if not self.is_down:
            return
        with self._lock:
            if not self.is_down:
                return
            self.is_down = False
            failures, self.failures = self.failures, 0
            self.last_warning = float("-inf")
        logger.warning(
            "cache available again at %s after %d failed operation(s)", self.location, failures
        )


class ResilientRedisCache(RedisCache):
    """django's RedisCache, with a lost Redis served as an empty cache (see module doc).

    OPTIONS beyond redis-py's: ``DOWN_SECONDS`` (default 1) and ``WARN_EVERY_SECONDS``
    (default 60).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        down_seconds = float(options.pop("DOWN_SECONDS", 1.0))
        warn_every = float(options.pop("WARN_EVERY_SECONDS", 60.0))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(server, {**params, "OPTIONS": options})
        self._health = _Health.for_location(
            ",".join(self._servers), down_seconds=down_seconds, warn_every=warn_every
        )

    def _guard(self, operation: str, fallback: Any, call, *args, **kwargs) -> Any:
        if self._health.skipping():
            return fallback
        try:
            result = call(*args, **kwargs)
        except REDIS_ERRORS as exc:
            self._health.failed(operation, exc)
            return fallback
        self._health.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guard("incr", missing, super().incr, key, delta, version)
        if result is missing:  # as for a key that is not there: callers handle ValueError
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", False, super().clear)
