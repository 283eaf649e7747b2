"""The shared plumbing of the upstream clients: Retry-After, backoff, User-Agent."""

import random
from datetime import UTC, datetime

import pytest

from references.sources import UpstreamBadResponse, UpstreamError, UpstreamUnavailable
from references.sources.crossref import _interval_seconds
from references.sources.http import RetryPolicy, parse_retry_after, user_agent


def test_user_agent_names_the_project_version_and_contact():
    assert user_agent("someone@example.org") == "Evidentia/0.1.0 (mailto:someone@example.org)"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2", 2.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(value, seconds):
    now = datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == seconds


def test_backoff_grows_exponentially_with_bounded_jitter():
    policy = RetryPolicy(backoff_seconds=1.0, max_backoff_seconds=30.0)
    rng = random.Random(7)

    delays = [policy.backoff(attempt, rng) for attempt in (1, 2, 3, 4, 10)]

    for delay, base in zip(delays, [1, 2, 4, 8, 30], strict=True):
        assert base <= delay <= base + 1.0
    assert len({round(d - b, 6) for d, b in zip(delays, [1, 2, 4, 8, 30], strict=True)}) > 1


def test_retry_policy_needs_one_attempt_at_least():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_error_hierarchy():
    unavailable = UpstreamUnavailable("down", retry_after=4.0, upstream="pubmed", status=503)
    assert isinstance(unavailable, UpstreamError) and unavailable.retryable
    assert (unavailable.retry_after, unavailable.upstream, unavailable.status) == (
        4.0,
        "pubmed",
        503,
    )
    assert issubclass(UpstreamBadResponse, UpstreamError)
    assert not UpstreamBadResponse("html").retryable


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1s", 1.0),
        ("60s", 60.0),
        ("500ms", 0.5),
        ("1m", 60.0),
        ("2", 2.0),
        ("x", None),
        (None, None),
    ],
)
def test_crossref_interval_header(value, seconds):
    assert _interval_seconds(value) == seconds
