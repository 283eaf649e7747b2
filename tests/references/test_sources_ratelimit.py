"""Rate and concurrency limiters: shared through real Redis, or within one process."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from references.sources.ratelimit import (
    LocalConcurrencyLimiter,
    LocalRateLimiter,
    RedisConcurrencyLimiter,
    RedisRateLimiter,
    concurrency_limiter,
    rate_limiter,
)

REPO = Path(__file__).resolve().parents[2]
# Scheduling noise allowed between a slot and the moment its thread wakes up.
TOLERANCE = 0.02


def assert_within_rate(stamps: list[float], rate: int, period: float) -> None:
    """No window of ``period`` seconds holds more than ``rate`` of the timestamps."""
    stamps = sorted(stamps)
    for earlier, later in zip(stamps, stamps[rate:], strict=False):
        assert later - earlier >= period - TOLERANCE, (earlier, later)


def acquire_in_threads(limiters, per_thread: int) -> list[float]:
    stamps: list[float] = []
    lock = threading.Lock()

    def work(limiter) -> None:
        for _ in range(per_thread):
            limiter.acquire()
            now = time.monotonic()
            with lock:
                stamps.append(now)

    threads = [threading.Thread(target=work, args=(limiter,)) for limiter in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return stamps


@pytest.mark.redis
def test_two_redis_limiters_together_keep_one_rate(settings, ratelimit_prefix):
    # Two instances, as two worker processes would build them, drawing from one key.
    first = rate_limiter(
        "pubmed", rate=20, redis_url=settings.REDIS_URL, key_prefix=ratelimit_prefix
    )
    second = rate_limiter(
        "pubmed", rate=20, redis_url=settings.REDIS_URL, key_prefix=ratelimit_prefix
    )
    assert isinstance(first, RedisRateLimiter) and first.key == f"{ratelimit_prefix}pubmed"

    started = time.monotonic()
    stamps = acquire_in_threads([first, second], per_thread=15)
    elapsed = time.monotonic() - started

    assert len(stamps) == 30
    assert_within_rate(stamps, rate=20, period=1.0)
    # Evenly spaced at 1/20 s: 30 slots take 29/20 s, not twice that.
    assert 29 / 20 - TOLERANCE <= elapsed < 29 / 20 + 0.5


@pytest.mark.redis
def test_one_redis_limiter_shared_by_two_threads(settings, ratelimit_prefix):
    limiter = rate_limiter(
        "crossref", rate=10, redis_url=settings.REDIS_URL, key_prefix=ratelimit_prefix
    )

    stamps = acquire_in_threads([limiter, limiter], per_thread=8)

    assert len(stamps) == 16
    assert_within_rate(stamps, rate=10, period=1.0)


WORKER = """
import json, sys, time
from references.sources.ratelimit import RedisRateLimiter
limiter = RedisRateLimiter(sys.argv[1], rate=10, redis_url=sys.argv[2])
stamps = []
for _ in range(8):
    limiter.acquire()
    stamps.append(time.time())
print(json.dumps(stamps))
"""


@pytest.mark.redis
def test_two_processes_share_the_redis_rate(settings, ratelimit_prefix):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    key = f"{ratelimit_prefix}pubmed"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, key, settings.REDIS_URL],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    stamps = []
    for worker in workers:
        out, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0
        stamps += json.loads(out)

    assert len(stamps) == 16
    assert_within_rate(stamps, rate=10, period=1.0)


def test_redis_limiter_falls_back_to_the_process_when_redis_is_down(ratelimit_prefix):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = RedisRateLimiter(
        f"{ratelimit_prefix}pubmed", rate=20, redis_url=f"redis://127.0.0.1:{port}/0"
    )

    stamps = acquire_in_threads([limiter], per_thread=5)

    assert len(stamps) == 5
    assert_within_rate(stamps, rate=1, period=1 / 20)


def test_in_process_fallback_when_redis_is_not_configured(ratelimit_prefix):
    first = rate_limiter("pubmed", rate=20, redis_url="", key_prefix=ratelimit_prefix)
    second = rate_limiter("pubmed", rate=20, redis_url="", key_prefix=ratelimit_prefix)
    assert isinstance(first, LocalRateLimiter)

    stamps = acquire_in_threads([first, second], per_thread=15)

    assert len(stamps) == 30
    assert_within_rate(stamps, rate=20, period=1.0)


def test_in_process_limiters_of_different_upstreams_do_not_wait_for_each_other(ratelimit_prefix):
    pubmed = rate_limiter("pubmed", rate=2, redis_url="", key_prefix=ratelimit_prefix)
    crossref = rate_limiter("crossref", rate=2, redis_url="", key_prefix=ratelimit_prefix)

    assert pubmed.acquire() == 0
    assert crossref.acquire() == 0
    assert pubmed._reserve() > 0.4  # the next pubmed slot is half a second away


def test_set_rate_changes_the_spacing(ratelimit_prefix):
    limiter = rate_limiter("crossref", rate=1000, redis_url="", key_prefix=ratelimit_prefix)
    limiter.acquire()
    limiter.set_rate(4, 1.0)

    started = time.monotonic()
    for _ in range(3):
        limiter.acquire()

    assert limiter.interval == 0.25
    assert time.monotonic() - started >= 2 * 0.25 - TOLERANCE


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        LocalRateLimiter("x", rate=0)


def hold_slots(limiters, holders: int, hold: float = 0.05) -> int:
    """Run ``holders`` threads that each hold a slot for ``hold`` s; the most at once."""
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def work(limiter) -> None:
        nonlocal in_flight, most
        with limiter.slot():
            with lock:
                in_flight += 1
                most = max(most, in_flight)
            time.sleep(hold)
            with lock:
                in_flight -= 1

    threads = [
        threading.Thread(target=work, args=(limiters[n % len(limiters)],)) for n in range(holders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return most


@pytest.mark.redis
def test_redis_semaphore_limits_concurrency_across_instances(settings, ratelimit_prefix):
    limiters = [
        concurrency_limiter(
            "crossref", limit=2, redis_url=settings.REDIS_URL, key_prefix=ratelimit_prefix
        )
        for _ in range(2)
    ]
    assert isinstance(limiters[0], RedisConcurrencyLimiter)

    assert hold_slots(limiters, holders=6) == 2


@pytest.mark.redis
def test_redis_semaphore_lease_frees_the_slot_of_a_crashed_holder(settings, ratelimit_prefix):
    crashed = RedisConcurrencyLimiter(
        f"{ratelimit_prefix}crossref:concurrency",
        limit=1,
        redis_url=settings.REDIS_URL,
        lease_seconds=0.3,
    )
    other = RedisConcurrencyLimiter(
        f"{ratelimit_prefix}crossref:concurrency", limit=1, redis_url=settings.REDIS_URL
    )
    crashed.acquire()  # never released

    started = time.monotonic()
    token = other.acquire()
    waited = time.monotonic() - started
    other.release(token)

    assert 0.3 - TOLERANCE <= waited < 2.0


def test_in_process_semaphore_limits_concurrency(ratelimit_prefix):
    limiters = [
        concurrency_limiter("crossref", limit=2, redis_url="", key_prefix=ratelimit_prefix)
        for _ in range(2)
    ]
    assert isinstance(limiters[0], LocalConcurrencyLimiter)

    assert hold_slots(limiters, holders=6) == 2
    limiters[0].set_limit(1)
    limiters[1].set_limit(1)
    assert hold_slots(limiters, holders=4) == 1


def _late_then_on_time(late, on_time) -> list[float]:
    """``late`` takes the next slot and wakes 60 ms after it; ``on_time`` takes the one after."""
    late.acquire()  # the first send: nothing to wait for
    stamps: dict[str, float] = {}

    def send(name, limiter) -> None:
        limiter.acquire()
        stamps[name] = time.monotonic()

    first = threading.Thread(target=send, args=("late", late))
    first.start()
    time.sleep(0.01)  # so that it reserves first
    second = threading.Thread(target=send, args=("on_time", on_time))
    second.start()
    first.join(timeout=5)
    second.join(timeout=5)
    return [stamps["late"], stamps["on_time"]]


@pytest.mark.parametrize("kind", ["local", "redis"])
def test_a_caller_woken_late_pushes_the_next_send_back(kind, settings, ratelimit_prefix):
    def oversleep(seconds: float) -> None:
        time.sleep(seconds + 0.06)

    key = f"{ratelimit_prefix}late-{kind}"
    if kind == "local":
        late = LocalRateLimiter(key, rate=10, sleep=oversleep)
        on_time = LocalRateLimiter(key, rate=10)
    else:
        if not settings.REDIS_URL:
            pytest.skip("needs REDIS_URL")
        late = RedisRateLimiter(key, rate=10, redis_url=settings.REDIS_URL, sleep=oversleep)
        on_time = RedisRateLimiter(key, rate=10, redis_url=settings.REDIS_URL)
    sent_late, sent_on_time = _late_then_on_time(late, on_time)
    # Its own slot was 100 ms after the late one's; without the claim it would send 40 ms
    # after the late caller did.
    assert sent_on_time - sent_late >= 0.1 - TOLERANCE
