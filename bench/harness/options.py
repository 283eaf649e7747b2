"""What a run measures and where, from the environment (every BENCH_* variable has a default).

Full run (`make bench`) and quick mode (`make bench-quick`, BENCH_QUICK=1) differ only in
these defaults; quick mode writes its report under the output directory (BENCH_OUT_DIR, default
var/bench/) and leaves docs/benchmarks.md alone.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Results, logs and the quick report; BENCH_OUT_DIR gives a run its own directory so that
# runs side by side do not overwrite each other's results.json (relative to the checkout).
OUT_DIR = ROOT / (os.environ.get("BENCH_OUT_DIR", "").strip() or "var/bench")
DOC = ROOT / "docs" / "benchmarks.md"
SETTINGS_MODULE = "config.settings.bench"

# The corpus the issue asks for; generated into BENCH_DATABASE when it holds no studies.
CORPUS_ARGS = [
    "--conditions",
    "1000",
    "--therapies",
    "300",
    "--studies",
    "100000",
    "--references",
    "200000",
    "--seed",
    "1",
]


def corpus_args(scale: float = 1.0) -> list[str]:
    """CORPUS_ARGS with every size multiplied by ``scale`` (the growth stage's 20k corpus is
    a tenth: studies, conditions and therapies in proportion to references)."""
    args = list(CORPUS_ARGS)
    for i, arg in enumerate(args[:-2]):
        if arg.startswith("--") and arg != "--seed":
            args[i + 1] = str(max(1, round(int(args[i + 1]) * scale)))
    return args


# The switch for the rendered page / summary cache, read by config.settings.bench from
# BENCH_PAGE_CACHE; the one place the harness names it.
PAGE_CACHE_ENV = "BENCH_PAGE_CACHE"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class Options:
    quick: bool
    database_url: str  # the benchmark corpus
    server_url: str  # the PostgreSQL server, for creating databases
    redis_url: str  # the cache of the benchmarked server (FLUSHDB between phases)
    refresh_redis_url: str
    duration: int  # seconds per wrk run
    runs: int
    concurrency: list[int]
    workers: int
    worker_class: str
    threads: int
    load_duration: int  # seconds of the mixed load at the chosen concurrency
    load_step: int  # seconds per step while looking for the highest sustained rate
    load_concurrency: list[int]
    refresh_n: int
    parse_runs: int
    uncached_concurrency: list[int]  # the uncached phase's (goal 1 reads c=1)
    search_runs: int  # bench/search_timing.py --runs
    growth_seconds: int  # per wrk run of the growth stage, at concurrency 1
    growth_runs: int
    growth_refresh_n: int
    growth_sizes: list[str]  # of bench/harness/growth.SIZES: 20k 200k 1m
    stages: list[str] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)

    @property
    def database_name(self) -> str:
        return urllib.parse.urlsplit(self.database_url).path.lstrip("/")

    @property
    def report_path(self) -> Path:
        return OUT_DIR / "benchmarks-quick.md" if self.quick else DOC


ALL_STAGES = ["queries", "http", "load", "refresh", "parse", "search", "growth"]


def from_environment() -> Options:
    quick = _env("BENCH_QUICK", "0") not in {"0", "false", "no"}
    server = _env("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
    database = _env("BENCH_DATABASE", "evidentia_bench")
    return Options(
        quick=quick,
        database_url=f"{server.rstrip('/')}/{database}",
        server_url=f"{server.rstrip('/')}/postgres",
        redis_url=_env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        refresh_redis_url=_env("BENCH_REFRESH_REDIS_URL", "redis://127.0.0.1:6379/2"),
        duration=int(_env("BENCH_DURATION", "3" if quick else "5")),
        runs=int(_env("BENCH_RUNS", "1" if quick else "3")),
        concurrency=[
            int(c) for c in _env("BENCH_CONCURRENCY", "1 8" if quick else "1 8 32").split()
        ],
        # One process per core, threads to overlap waits on PostgreSQL and Redis, and
        # keep-alive (sync workers close every connection); see bench/analysis.md.
        workers=int(_env("BENCH_WORKERS", "2")),
        worker_class=_env("BENCH_WORKER_CLASS", "gthread"),
        threads=int(_env("BENCH_THREADS", "4")),
        load_duration=int(_env("BENCH_LOAD_DURATION", "20" if quick else "300")),
        load_step=int(_env("BENCH_LOAD_STEP", "5" if quick else "15")),
        load_concurrency=[int(c) for c in _env("BENCH_LOAD_CONCURRENCY", "2 4 8 16 32 64").split()],
        refresh_n=int(_env("BENCH_REFRESH_N", "1000" if quick else "10000")),
        parse_runs=int(_env("BENCH_PARSE_RUNS", "3" if quick else "9")),
        uncached_concurrency=[
            int(c) for c in _env("BENCH_UNCACHED_CONCURRENCY", "1" if quick else "1 8").split()
        ],
        search_runs=int(_env("BENCH_SEARCH_RUNS", "5" if quick else "10")),
        growth_seconds=int(_env("BENCH_GROWTH_SECONDS", "2" if quick else "3")),
        growth_runs=int(_env("BENCH_GROWTH_RUNS", "1" if quick else "3")),
        growth_refresh_n=int(_env("BENCH_GROWTH_REFRESH_N", "200" if quick else "1000")),
        growth_sizes=_env("BENCH_GROWTH_SIZES", "20k 200k 1m").split(),
        stages=_env("BENCH_STAGES", " ".join(ALL_STAGES)).split(),
        endpoints=_env(
            "BENCH_ENDPOINTS",
            "ceiling home condition pair search summary versions api-list api-detail",
        ).split(),
    )


# The Django setting that turns the page cache (config/page_cache.py) on and off; the harness
# process counts queries with it off, then on (config.settings.bench sets it from
# PAGE_CACHE_ENV for gunicorn).
PAGE_CACHE_SETTING: str | None = "EVIDENCE_PAGE_CACHE"
