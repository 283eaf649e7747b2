"""Throughput and latency of each endpoint through gunicorn, with wrk, at each concurrency.

Round-robin: run 1 of every (endpoint, concurrency), then run 2 ..., so that a slow
spell on the shared machine hits every endpoint rather than one. The minimal view
(bench/ceiling/) runs in the same rounds and is each endpoint's denominator.
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

import redis

from . import wrk
from .corpus import Targets
from .options import OUT_DIR, Options
from .progress import say
from .server import Gunicorn

CEILING = "ceiling"
ENDPOINTS = [
    CEILING,
    "home",
    "condition",
    "pair",
    "search",
    "summary",
    "versions",
    "api-list",
    "api-detail",
]
LABELS = {
    CEILING: "minimal view (constant JSON): the ceiling",
    "home": "home page",
    "condition": "condition page",
    "pair": "pair page, largest pair",
    "search": "search (varied terms)",
    "summary": "summary API",
    "versions": "versions pages of the largest pair (list, version 1)",
    "api-list": "read API lists (conditions, verdicts, therapies, a condition's references)",
    "api-detail": "read API details (condition, therapy, verdict, study, reference)",
}


def endpoint_paths(targets: Targets) -> dict[str, list[str]]:
    condition, therapy, _ = targets.largest_pair
    slug, _ = targets.largest_condition
    ids = targets.api_ids
    return {
        CEILING: ["/bench/ceiling/"],
        "home": ["/"],
        "condition": [f"/conditions/{slug}/"],
        "pair": [f"/conditions/{condition}/{therapy}/"],
        "search": [f"/search/?q={urllib.parse.quote(term)}" for term in targets.search_terms],
        "summary": [f"/api/v1/conditions/{slug}/summary/"],
        "versions": [
            f"/conditions/{condition}/{therapy}/versions/",
            f"/conditions/{condition}/{therapy}/versions/1/",
        ],
        "api-list": [
            "/api/v1/conditions/",
            "/api/v1/verdicts/",
            "/api/v1/therapies/",
            f"/api/v1/conditions/{slug}/references/",
        ],
        "api-detail": [
            f"/api/v1/conditions/{condition}/",
            f"/api/v1/therapies/{therapy}/",
            f"/api/v1/verdicts/{ids.get('verdict', 0)}/",
            f"/api/v1/studies/{ids.get('study', 0)}/",
            f"/api/v1/references/{ids.get('reference', 0)}/",
        ],
    }


@dataclass(frozen=True)
class Sample:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    non_2xx: int
    socket_errors: int


class WarmUpFailed(RuntimeError):
    """A URL to measure did not answer 200 before measuring."""


def warm(server: Gunicorn, paths: dict[str, list[str]]) -> None:
    """Every path once (filling the caches when they are on), but only a few searches
    (not cached, and each may be slow); anything but 200 stops the run."""
    for endpoint, endpoint_paths_ in paths.items():
        for path in endpoint_paths_[:3] if endpoint == "search" else endpoint_paths_:
            url = server.url + path
            try:
                # Always http://127.0.0.1:<port>: the server this harness started.
                with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310
                    response.read()
            except urllib.error.HTTPError as error:
                raise WarmUpFailed(f"{endpoint}: GET {path} answered {error.code}") from error


def drain(server: Gunicorn, *, deadline_s: float = 600) -> float:
    """Wait until the server is idle again; the seconds waited.

    When wrk stops, the requests it leaves queued (slow pages at high concurrency) are
    still served by the sync workers, which would slow the next measurement: a probe of
    the minimal view that comes back fast says the backlog is gone."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        probe = time.monotonic()
        try:
            # Always http://127.0.0.1:<port>: the server this harness started.
            with urllib.request.urlopen(server.url + "/bench/ceiling/", timeout=120) as r:  # noqa: S310
                r.read()
        except OSError:
            pass
        if time.monotonic() - probe < 0.1:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def flush_cache(options: Options) -> None:
    """Empty the benchmarked server's own Redis database (BENCH_REDIS_URL, DB 12 by default)."""
    redis.Redis.from_url(options.redis_url).flushdb()


def measure(
    options: Options, targets: Targets, *, page_cache: bool
) -> dict[str, dict[int, list[Sample]]]:
    paths = endpoint_paths(targets)
    files = {}
    for endpoint, endpoint_paths_ in paths.items():
        files[endpoint] = OUT_DIR / f"paths-{endpoint}.txt"
        files[endpoint].write_text("\n".join(endpoint_paths_) + "\n")
    flush_cache(options)
    # Goal 1 reads the uncached phase at c=1 only: it runs fewer concurrencies.
    concurrency = options.concurrency if page_cache else options.uncached_concurrency
    samples: dict[str, dict[int, list[Sample]]] = {
        e: {c: [] for c in concurrency} for e in ENDPOINTS if e in options.endpoints
    }
    label = "cached" if page_cache else "uncached"
    with Gunicorn(options, page_cache=page_cache) as server:
        warm(server, {e: p for e, p in paths.items() if e in options.endpoints})
        for run in range(1, options.runs + 1):
            for endpoint in [e for e in ENDPOINTS if e in options.endpoints]:
                for c in concurrency:
                    result = wrk.run(
                        server.url,
                        script="paths.lua",
                        args=[str(files[endpoint])],
                        connections=c,
                        seconds=options.duration,
                    )
                    sample = Sample(
                        rps=result.rps,
                        p50=result.latency_ms["p50"],
                        p95=result.latency_ms["p95"],
                        p99=result.latency_ms["p99"],
                        requests=result.requests,
                        non_2xx=result.non_2xx,
                        socket_errors=result.socket_errors,
                    )
                    samples[endpoint][c].append(sample)
                    waited = drain(server)
                    say(
                        f"{label} run {run}/{options.runs} {endpoint:9} c={c:<3} "
                        f"{sample.rps:8.1f} req/s  p50 {sample.p50:7.1f}  p95 {sample.p95:7.1f}"
                        f"  p99 {sample.p99:7.1f} ms  non-2xx {sample.non_2xx}"
                        f"  socket errors {sample.socket_errors}"
                        + (f"  (server busy {waited:.0f} s afterwards)" if waited > 1 else "")
                    )
    return samples


@dataclass(frozen=True)
class Summary:
    """Median and range over the runs of one (endpoint, concurrency)."""

    median: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    non_2xx: int
    socket_errors: int
    requests: int


def summarize(samples: list[Sample]) -> Summary:
    keys = ("rps", "p50", "p95", "p99")
    values = {k: [getattr(s, k) for s in samples] for k in keys}
    return Summary(
        median={k: statistics.median(v) for k, v in values.items()},
        low={k: min(v) for k, v in values.items()},
        high={k: max(v) for k, v in values.items()},
        non_2xx=sum(s.non_2xx for s in samples),
        socket_errors=sum(s.socket_errors for s in samples),
        requests=sum(s.requests for s in samples),
    )


def to_json(samples: dict[str, dict[int, list[Sample]]]) -> dict:
    return {
        e: {str(c): [asdict(s) for s in runs] for c, runs in by_c.items()}
        for e, by_c in samples.items()
    }


def from_json(data: dict) -> dict[str, dict[int, list[Sample]]]:
    return {
        e: {int(c): [Sample(**s) for s in runs] for c, runs in by_c.items()}
        for e, by_c in data.items()
    }
