"""Crossref REST API client: one work by DOI, or many through the ``doi:`` filter.

Crossref's etiquette (https://www.crossref.org/documentation/retrieve-metadata/rest-api/):
a ``mailto`` parameter and User-Agent put us in the "polite" pool, and every answer
announces the pool's limits in ``x-rate-limit-limit`` / ``x-rate-limit-interval`` (for
example "50" / "1s") and ``x-concurrency-limit``. The client starts from conservative
limits (CROSSREF_RATE_LIMIT_PER_SECOND, CROSSREF_CONCURRENCY_LIMIT) and adopts what the
headers say. Both limits are shared by all worker processes through Redis when REDIS_URL
is set: the rate with the same limiter as PubMed's, the concurrency with a Redis
semaphore whose slots are leased, so a killed worker cannot hold one for ever. Each process
adopts announced limits from the answers it sees itself; until its first answer it uses
the conservative defaults, which only makes it slower.

The clients return Crossref's ``message`` objects (the work records) as parsed JSON.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import quote

import httpx

from .config import UpstreamConfig, upstream_config
from .http import RetryPolicy, UpstreamBadResponse, UpstreamClient, expect_json
from .ratelimit import concurrency_limiter, rate_limiter

logger = logging.getLogger(__name__)

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class CrossrefClient(UpstreamClient):
    upstream = "crossref"

    def __init__(self, *, config: UpstreamConfig | None = None, **overrides: Any) -> None:
        """A client configured from ``config`` (default: upstream_config()); keyword
        arguments override it (``filter_batch``, or any of UpstreamClient's)."""
        config = config or upstream_config()
        filter_batch = overrides.pop("filter_batch", config.crossref_filter_batch)
        if filter_batch < 1:
            raise ValueError(f"filter_batch must be at least 1, got {filter_batch}")
        timeout = overrides.get("timeout", config.timeout_seconds)
        options: dict[str, Any] = {
            "base_url": config.crossref_base_url,
            "contact_email": config.contact_email,
            "timeout": timeout,
            "retry": RetryPolicy.from_config(config),
            **overrides,
        }
        where = {"redis_url": config.redis_url, "key_prefix": config.ratelimit_prefix}
        if "limiter" not in options:
            options["limiter"] = rate_limiter(
                "crossref", rate=config.crossref_rate_limit_per_second, **where
            )
        if "concurrency" not in options:
            options["concurrency"] = concurrency_limiter(
                "crossref",
                limit=config.crossref_concurrency_limit,
                # A lease outlives any request (a few read timeouts while a body trickles in).
                lease_seconds=max(60.0, 4 * timeout),
                **where,
            )
        super().__init__(**options)
        self.filter_batch = filter_batch

    @classmethod
    def from_settings(cls, **overrides: Any) -> Self:
        """A client configured from the current settings; keyword arguments override them."""
        return cls(**overrides)

    def work(self, doi: str) -> dict[str, Any] | None:
        """The work record for ``doi``, or None when Crossref does not know it (404)."""
        doi = doi.strip()
        if not doi:
            raise ValueError("empty DOI")
        return self._call(
            "GET",
            f"works/{quote(doi, safe='')}",
            params={"mailto": self.contact_email},
            decode=_decode_work,
            not_found_is_none=True,
        )

    def works(self, dois: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{lower-cased DOI: work record}`` for the DOIs Crossref knows.

        DOIs go CROSSREF_FILTER_BATCH at a time through ``filter=doi:a,doi:b``. A DOI that
        contains a comma cannot be written in that filter and is fetched on its own.
        """
        if isinstance(dois, str):
            raise TypeError("dois must be a sequence of DOIs, not one string")
        wanted = list(dict.fromkeys(d.strip().lower() for d in dois if d.strip()))
        found: dict[str, dict[str, Any]] = {}
        for doi in [d for d in wanted if "," in d]:
            record = self.work(doi)
            if record is not None:
                found[doi] = record
        filterable = [d for d in wanted if "," not in d]
        for start in range(0, len(filterable), self.filter_batch):
            batch = filterable[start : start + self.filter_batch]
            items = self._call(
                "GET",
                "works",
                params={
                    "filter": ",".join(f"doi:{doi}" for doi in batch),
                    "rows": len(batch),
                    "mailto": self.contact_email,
                },
                decode=_decode_work_list,
            )
            for item in items:
                doi = str(item.get("DOI", "")).lower()
                if doi in batch:
                    found[doi] = item
        return found

    def _observe(self, response: httpx.Response) -> None:
        limit = _positive_int(response.headers.get("x-rate-limit-limit"))
        period = _interval_seconds(response.headers.get("x-rate-limit-interval"))
        if limit and period and (limit, period) != (self.limiter.rate, self.limiter.period):
            logger.info("crossref rate limit now %d per %gs", limit, period)
            self.limiter.set_rate(limit, period)
        concurrency = _positive_int(response.headers.get("x-concurrency-limit"))
        if concurrency and self.concurrency and concurrency != self.concurrency.limit:
            logger.info("crossref concurrency limit now %d", concurrency)
            self.concurrency.set_limit(concurrency)


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _interval_seconds(value: str | None) -> float | None:
    match = _INTERVAL.match(value or "")
    if not match:
        return None
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    return seconds if seconds > 0 else None


def _message(response: httpx.Response) -> Any:
    payload = expect_json(response)
    if payload.get("status") != "ok" or "message" not in payload:
        raise UpstreamBadResponse(f"crossref answer not ok: {str(payload)[:200]}")
    return payload["message"]


def _decode_work(response: httpx.Response) -> dict[str, Any]:
    message = _message(response)
    if not isinstance(message, dict) or not message.get("DOI"):
        raise UpstreamBadResponse(f"crossref work without DOI: {str(message)[:200]}")
    return message


def _decode_work_list(response: httpx.Response) -> list[dict[str, Any]]:
    message = _message(response)
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise UpstreamBadResponse(f"crossref work list without items: {str(message)[:200]}")
    return [item for item in items if isinstance(item, dict)]
