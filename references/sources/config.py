"""The upstream clients' configuration, read from Django settings in one place.

The clients in this package know only HTTP; this module is the one that knows where their
settings live. ``upstream_config()`` reads them on each call rather than at import, so a
client built after a settings change (a test's ``settings`` fixture, a reloaded worker)
sees the new values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class UpstreamConfig:
    contact_email: str
    timeout_seconds: float
    max_attempts: int
    backoff_seconds: float
    max_retry_after_seconds: float
    # Empty: rate and concurrency limits are kept in-process instead of in Redis.
    redis_url: str
    ratelimit_prefix: str
    pubmed_base_url: str
    ncbi_api_key: str
    pubmed_batch_size: int
    pubmed_post_above_ids: int
    # None: NCBI's published limit, which depends on whether there is an API key.
    pubmed_rate_limit_per_second: float | None
    crossref_base_url: str
    crossref_filter_batch: int
    crossref_rate_limit_per_second: float
    crossref_concurrency_limit: int


def upstream_config() -> UpstreamConfig:
    """The current settings of the upstream clients (see config/settings/base.py)."""
    return UpstreamConfig(
        contact_email=settings.CONTACT_EMAIL,
        timeout_seconds=settings.UPSTREAM_TIMEOUT_SECONDS,
        max_attempts=settings.UPSTREAM_MAX_ATTEMPTS,
        backoff_seconds=settings.UPSTREAM_BACKOFF_SECONDS,
        max_retry_after_seconds=settings.UPSTREAM_MAX_RETRY_AFTER_SECONDS,
        redis_url=settings.REDIS_URL,
        ratelimit_prefix=settings.UPSTREAM_RATELIMIT_PREFIX,
        pubmed_base_url=settings.PUBMED_BASE_URL,
        ncbi_api_key=settings.NCBI_API_KEY,
        pubmed_batch_size=settings.PUBMED_BATCH_SIZE,
        pubmed_post_above_ids=settings.PUBMED_POST_ABOVE_IDS,
        pubmed_rate_limit_per_second=settings.PUBMED_RATE_LIMIT_PER_SECOND,
        crossref_base_url=settings.CROSSREF_BASE_URL,
        crossref_filter_batch=settings.CROSSREF_FILTER_BATCH,
        crossref_rate_limit_per_second=settings.CROSSREF_RATE_LIMIT_PER_SECOND,
        crossref_concurrency_limit=settings.CROSSREF_CONCURRENCY_LIMIT,
    )
