"""The cache with its Redis down: an empty cache and one warning, never an error.

Each test starts a redis-server of its own (tests/support/services.py) and kills it.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import caches

from config.cache import ResilientRedisCache
from tests.support.services import PrivateRedis


def _cache(server: PrivateRedis, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        server.url(), {"KEY_PREFIX": "fault-test", "OPTIONS": {"DOWN_SECONDS": 0.05, **options}}
    )


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "config.cache"]


def test_a_dead_redis_is_a_miss_for_reads_and_a_no_op_for_writes(private_redis, caplog):
    cache = _cache(private_redis)
    cache.set("kept", "value")
    assert cache.get("kept") == "value"

    private_redis.kill()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        results = [cache.get("kept", "default") for _ in range(200)]
        cache.set("new", 1)
        assert cache.add("other", 1) is False
        assert cache.get_many(["kept", "new"]) == {}
        assert cache.has_key("kept") is False
        assert cache.delete("kept") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.get_or_set("computed", lambda: 42) == 42
        with pytest.raises(ValueError, match="unavailable"):
            cache.incr("counter")

    assert results == ["default"] * 200
    # One warning for the whole outage, not one per operation.
    warnings = _warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "cache unavailable" in warnings[0]
    assert f"127.0.0.1:{private_redis.port}" in warnings[0]


def test_the_cache_is_used_again_once_redis_is_back(private_redis, caplog):
    cache = _cache(private_redis)
    private_redis.kill()
    assert cache.get("key") is None

    private_redis.start()  # the same port, empty
    time.sleep(0.1)  # past DOWN_SECONDS, so the next call tries Redis again
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        cache.set("key", "back")
        assert cache.get("key") == "back"

    assert any("available again" in message for message in _warnings(caplog))


def test_pages_and_the_read_api_are_served_with_the_cache_down(
    client, demo, settings, private_redis, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": private_redis.url(),
            "KEY_PREFIX": "fault-test",
        }
    }
    # Throttling on, so the API reads and writes its counters through the dead cache.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "1000/minute"},
    }
    paths = [
        "/",
        "/conditions/rheumatoid-arthritis/",
        "/conditions/rheumatoid-arthritis/ivig/",
        "/api/v1/references/",
        "/api/v1/conditions/",
    ]
    assert [client.get(path).status_code for path in paths] == [200] * len(paths)
    assert caches["default"].get("throttle_anon_127.0.0.1") is not None  # Redis is used

    private_redis.kill()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        statuses = [client.get(path).status_code for path in paths for _ in range(3)]

    assert statuses == [200] * len(paths) * 3
    assert any("cache unavailable" in message for message in _warnings(caplog))
