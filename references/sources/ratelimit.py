"""Rate and concurrency limits for upstream services, shared by every worker process.

NCBI and Crossref count requests per client (API key, mailto or IP), not per process, so
with REDIS_URL set the limits live in Redis and every Celery worker draws from the same
budget. Without Redis (the demo, a single process) an in-process limiter keyed by the
same name is shared by every client object of the process.

Rate limits use GCRA with no burst: every ``acquire()`` reserves the next free slot, one
``period / rate`` after the previous one, then sleeps until it. Strict spacing is the most
conservative reading of "N requests per second" (no window ever holds more than N), and
reserving instead of polling keeps waiting callers in arrival order with one Redis round
trip each. Time comes from the Redis server (``TIME``) so the processes' clocks do not
need to agree.

Concurrency limits (Crossref's ``x-concurrency-limit``) are counting semaphores: in Redis a
sorted set of holder tokens scored by lease expiry, so a worker killed mid-request frees
its slot when the lease runs out.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import redis

from .config import upstream_config

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]

# Reserve the next slot: returns how many microseconds the caller must wait for it.
_GCRA_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat),
           'PX', math.ceil((new_tat - now) / 1000) + 1000)
return tat - now
"""

# Claim the send after waking: returns 0 and records now when the last send was at least
# one interval ago, else how many microseconds remain (a caller woken late pushes the
# next one back, so no two sends are ever closer than the interval).
_CLAIM_SEND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]))
if last and now < last + interval then return last + interval - now end
redis.call('SET', KEYS[1], string.format('%d', now), 'PX', math.ceil(interval / 1000) + 1000)
return 0
"""

# Take a semaphore slot if fewer than ARGV[1] unexpired holders exist: 1 taken, 0 full.
_SEMAPHORE_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
  return 1
end
return 0
"""


@cache
def _redis(url: str) -> redis.Redis:
    # One connection pool per URL and process, shared by every limiter.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


class RateLimiter:
    """At most ``rate`` acquisitions per ``period`` seconds for the upstream ``name``."""

    def __init__(
        self, key: str, *, rate: float, period: float = 1.0, sleep: Sleep = time.sleep
    ) -> None:
        self.key = key
        self._sleep = sleep
        self.set_rate(rate, period)

    @property
    def interval(self) -> float:
        return self.period / self.rate

    def set_rate(self, rate: float, period: float = 1.0) -> None:
        if rate <= 0 or period <= 0:
            raise ValueError(f"rate and period must be positive, got {rate}/{period}s")
        self.rate = float(rate)
        self.period = float(period)

    def acquire(self) -> float:
        """Block until a slot is free; return the seconds waited.

        The reserved slot keeps callers in arrival order; the claim after it keeps a
        caller that woke late (a busy machine) from sending right before the next one."""
        waited, wait = 0.0, self._reserve()
        while True:
            if wait > 0:
                self._sleep(wait)
                waited += wait
            wait = self._claim()
            if wait <= 0:
                return waited

    def _reserve(self) -> float:
        raise NotImplementedError

    def _claim(self) -> float:
        raise NotImplementedError


class LocalRateLimiter(RateLimiter):
    """In-process limiter: instances with the same key share one schedule."""

    _lock = threading.Lock()
    _next_slot: dict[str, float] = {}  # key -> monotonic time of the next free slot
    _last_send: dict[str, float] = {}  # key -> monotonic time of the last claimed send

    def _reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(self._next_slot.get(self.key, now), now)
            self._next_slot[self.key] = slot + self.interval
        return slot - now

    def _claim(self) -> float:
        with self._lock:
            now = time.monotonic()
            last = self._last_send.get(self.key)
            if last is not None and now < last + self.interval:
                return last + self.interval - now
            self._last_send[self.key] = now
        return 0.0


class RedisRateLimiter(RateLimiter):
    """Limiter shared by every process using the same Redis and key."""

    def __init__(
        self,
        key: str,
        *,
        rate: float,
        period: float = 1.0,
        redis_url: str,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(key, rate=rate, period=period, sleep=sleep)
        self._script = _redis(redis_url).register_script(_GCRA_RESERVE)
        self._claim_script = _redis(redis_url).register_script(_CLAIM_SEND)
        # Used only while Redis is unreachable: fail towards the per-process limit rather
        # than stopping every import because the limiter's store is down.
        self._fallback = LocalRateLimiter(key, rate=rate, period=period, sleep=sleep)

    def set_rate(self, rate: float, period: float = 1.0) -> None:
        super().set_rate(rate, period)
        if hasattr(self, "_fallback"):
            self._fallback.set_rate(rate, period)

    def _reserve(self) -> float:
        try:
            waited_us = self._script(keys=[self.key], args=[round(self.interval * 1_000_000)])
        except redis.RedisError:
            logger.warning("Redis unavailable for rate limit %s; limiting per process", self.key)
            return self._fallback._reserve()
        return int(waited_us) / 1_000_000

    def _claim(self) -> float:
        try:
            remaining_us = self._claim_script(
                keys=[f"{self.key}:sent"], args=[round(self.interval * 1_000_000)]
            )
        except redis.RedisError:
            return self._fallback._claim()
        return int(remaining_us) / 1_000_000


class ConcurrencyLimiter:
    """At most ``limit`` requests in flight at once for the upstream ``name``."""

    def __init__(self, key: str, *, limit: int, sleep: Sleep = time.sleep) -> None:
        self.key = key
        self._sleep = sleep
        self.set_limit(limit)

    def set_limit(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency limit must be at least 1, got {limit}")
        self.limit = int(limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        token = self.acquire()
        try:
            yield
        finally:
            self.release(token)

    def acquire(self) -> str:
        raise NotImplementedError

    def release(self, token: str) -> None:
        raise NotImplementedError


class LocalConcurrencyLimiter(ConcurrencyLimiter):
    """In-process semaphore: instances with the same key share one count."""

    _condition = threading.Condition()
    _in_flight: dict[str, int] = {}

    def set_limit(self, limit: int) -> None:
        super().set_limit(limit)
        with self._condition:
            self._condition.notify_all()

    def acquire(self) -> str:
        with self._condition:
            self._condition.wait_for(lambda: self._in_flight.get(self.key, 0) < self.limit)
            self._in_flight[self.key] = self._in_flight.get(self.key, 0) + 1
        return self.key

    def release(self, token: str) -> None:
        with self._condition:
            self._in_flight[self.key] -= 1
            self._condition.notify_all()


class RedisConcurrencyLimiter(ConcurrencyLimiter):
    """Semaphore shared by every process using the same Redis and key.

    ``lease_seconds`` bounds how long a crashed holder keeps its slot; it should exceed
    the longest request (a few upstream timeouts). Waiters poll every ``poll_seconds``.
    """

    def __init__(
        self,
        key: str,
        *,
        limit: int,
        redis_url: str,
        lease_seconds: float = 120.0,
        poll_seconds: float = 0.02,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(key, limit=limit, sleep=sleep)
        self._client = _redis(redis_url)
        self._script = self._client.register_script(_SEMAPHORE_ACQUIRE)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds

    def acquire(self) -> str:
        token = uuid.uuid4().hex
        lease_ms = round(self.lease_seconds * 1000)
        while True:
            try:
                if self._script(keys=[self.key], args=[self.limit, lease_ms, token]):
                    return token
            except redis.RedisError:
                logger.warning("Redis unavailable for concurrency limit %s; not limiting", self.key)
                return ""
            self._sleep(self.poll_seconds)

    def release(self, token: str) -> None:
        if not token:
            return
        try:
            self._client.zrem(self.key, token)
        except redis.RedisError:
            logger.warning("Redis unavailable releasing %s; the lease will expire", self.key)


def rate_limiter(
    name: str,
    *,
    rate: float,
    period: float = 1.0,
    redis_url: str | None = None,
    key_prefix: str | None = None,
    sleep: Sleep = time.sleep,
) -> RateLimiter:
    """The limiter for upstream ``name``: in Redis when REDIS_URL is set, else in-process."""
    redis_url, key = _where(name, redis_url, key_prefix)
    if redis_url:
        return RedisRateLimiter(key, rate=rate, period=period, redis_url=redis_url, sleep=sleep)
    return LocalRateLimiter(key, rate=rate, period=period, sleep=sleep)


def concurrency_limiter(
    name: str,
    *,
    limit: int,
    redis_url: str | None = None,
    key_prefix: str | None = None,
    lease_seconds: float = 120.0,
    sleep: Sleep = time.sleep,
) -> ConcurrencyLimiter:
    """The semaphore for upstream ``name``: in Redis when REDIS_URL is set, else in-process."""
    redis_url, key = _where(f"{name}:concurrency", redis_url, key_prefix)
    if redis_url:
        return RedisConcurrencyLimiter(
            key, limit=limit, redis_url=redis_url, lease_seconds=lease_seconds, sleep=sleep
        )
    return LocalConcurrencyLimiter(key, limit=limit, sleep=sleep)


def _where(name: str, redis_url: str | None, key_prefix: str | None) -> tuple[str, str]:
    if redis_url is None or key_prefix is None:
        config = upstream_config()
        redis_url = config.redis_url if redis_url is None else redis_url
        key_prefix = config.ratelimit_prefix if key_prefix is None else key_prefix
    return redis_url, f"{key_prefix}{name}"
