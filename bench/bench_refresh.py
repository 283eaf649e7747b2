"""Citation refresh at scale: wall time against the rate-limit floor, upstream requests,
database queries.

Not a test. Creates a database of its own (``evidentia_bench_refresh`` on the PostgreSQL
server of DATABASE_URL; dropped at the end, so never name the corpus ``evidentia_bench``),
bulk-creates N references with PMIDs and DOIs, and serves a fake PubMed + Crossref
(bench/harness/refresh_fakes: tests/support/fake_upstream.RecordedUpstream in a process
of its own on 127.0.0.1) whose N PubmedArticle records are synthesized from a real
recorded article (PMID, DOI and title changed) with a matching Crossref work each. The
fake answers at once but holds the rate limits given (429 past them, counted).
It then refreshes every reference twice through the services the Celery task calls
(refresh_job_create + import_job_run):

- run 1: the fake's titles (and every other field) differ from the stored ones: updates;
- run 2: the same answers again: nothing changes.

The floor is the least time the rate limits alone allow for the requests a refresh must
make: ceil(N / PUBMED_BATCH_SIZE) efetch requests at the PubMed rate and ceil(N /
CROSSREF_FILTER_BATCH) Crossref requests at the Crossref rate, the two upstreams in
parallel (their limits are separate), so the larger of the two. Defaults: NCBI's limit
without a key (3/s) and the 50/s Crossref announced to its pools until late 2025.

For each run it reports wall time, the floor and the ratio, upstream requests by endpoint
(and 429s), SQL statements in total and per batch (reads and writes by table), time in
SQL, and the citations the run left to the references.format_citations task (formatted
afterwards, timed apart). Batches are delimited by wrapping jobs._run_chunk,
jobs._wanted and jobs.import_job_finish (a benchmark-only instrument).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia \\
          .venv/bin/python bench/bench_refresh.py --n 10000 --pubmed-rate 3
      (--profile DIR writes a pyinstrument profile of each run, if pyinstrument is installed)
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.harness.refresh_fakes import (  # noqa: E402
    FakeUpstream,
    database_url,
    recreate_database,
    seed,
)
from bench.harness.refresh_queries import QueryLog, instrument_batches, profiled, shape  # noqa: E402

# --- the benchmark -----------------------------------------------------------------------


@dataclass
class RunResult:
    label: str
    create_seconds: float
    create_queries: int
    run_seconds: float
    cpu_seconds: float
    log: QueryLog
    requests: Counter[str]
    rejected: Counter[str]
    upstream_seconds: float
    job: object
    floor: dict[str, float]
    left_unformatted: int = 0
    format_sample: int = 0
    format_sample_seconds: float = 0.0

    @property
    def wall_seconds(self) -> float:
        return self.create_seconds + self.run_seconds

    @property
    def floor_seconds(self) -> float:
        return max(self.floor.values())


def floor(n: int, args: argparse.Namespace) -> dict[str, float]:
    """Seconds the rate limits alone impose on each upstream for a refresh of n references."""
    from django.conf import settings

    return {
        "pubmed": math.ceil(n / settings.PUBMED_BATCH_SIZE) / args.pubmed_rate,
        "crossref": math.ceil(n / settings.CROSSREF_FILTER_BATCH) / args.crossref_rate,
    }


def refresh(label: str, ids: list[int], server: FakeUpstream, holder: list, args) -> RunResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from references.services.jobs import import_job_run, refresh_job_create

    server.reset()
    with CaptureQueriesContext(connection) as created:
        started = time.perf_counter()
        job = refresh_job_create(reference_ids=ids)
        create_seconds = time.perf_counter() - started
    log = QueryLog()
    holder[:] = [log]
    with connection.execute_wrapper(log), profiled(args.profile, label):
        started, cpu_started = time.perf_counter(), time.process_time()
        job = import_job_run(job_id=job.pk)
        run_seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    log.settle()
    stats = server.stats()
    result = RunResult(
        label,
        create_seconds,
        len(created),
        run_seconds,
        cpu_seconds,
        log,
        Counter(stats["requests"]),
        Counter(stats["rejected"]),
        stats["busy_seconds"],
        job,
        floor(len(ids), args),
    )
    _format_sample(result)
    return result


def _format_sample(result: RunResult, sample: int = 1000) -> None:
    """Time the references.format_citations task on up to ``sample`` of the references the
    run left unformatted (all of them would take minutes of citeproc, a worker's time)."""
    from references.models import Reference
    from references.services.formatting import references_format_pending

    result.left_unformatted = Reference.objects.filter(formatted_key="").count()
    started = time.perf_counter()
    while result.format_sample < min(sample, result.left_unformatted):
        result.format_sample += references_format_pending()
    result.format_sample_seconds = time.perf_counter() - started
    # The rest as if formatted, so the next run starts from stored citations.
    Reference.objects.filter(formatted_key="").update(formatted_key="seeded")


def describe(result: RunResult, n: int) -> list[str]:
    log, job = result.log, result.job
    batches = log.batches
    totals = [len(b.statements) for b in batches]
    all_queries = sum(len(p.statements) for p in log.phases)
    sql_seconds = sum(p.seconds for p in log.phases)
    lines = [
        f"### {result.label}",
        "",
        f"- Job: {job.status}; {job.created_count} created, {job.updated_count} updated, "
        f"{job.unchanged_count} unchanged, {job.failed_count} failed of {job.total}.",
        f"- Wall time: **{result.wall_seconds:.1f} s**, **{_ratio(result):.2f}x** the "
        f"rate-limit floor of {result.floor_seconds:.1f} s ("
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.floor.items())
        + f"); refresh_job_create {result.create_seconds:.2f} s, {result.create_queries} "
        f"queries; import_job_run {result.run_seconds:.1f} s, of which {sql_seconds:.1f} s "
        f"waiting for SQL; {result.cpu_seconds:.1f} s of CPU in this process, "
        f"{result.upstream_seconds:.1f} s in the fake upstream's (another process); "
        f"{n / result.wall_seconds:,.0f} references/s.",
        "- Upstream requests: "
        + ", ".join(
            f"{key} {result.requests.get(key, 0)}"
            for key in ("efetch.fcgi", "esearch.fcgi", "esummary.fcgi", "crossref")
        )
        + f" (goal: efetch {math.ceil(n / 200)}, esearch 0, crossref {math.ceil(n / 50)}); "
        + "answered 429 (over the rate limit): "
        + (", ".join(f"{k} {v}" for k, v in sorted(result.rejected.items())) or "none")
        + ".",
        _formatting(result),
        "- Time in SQL by statement: "
        + ", ".join(f"`{k}` {v:.1f} s" for k, v in list(_sql_by_kind(result).items())[:6])
        + ".",
        f"- SQL statements in import_job_run: {all_queries} = setup "
        f"{len(log.phases[0].statements)} + {len(batches)} batches x "
        + (f"{totals[0]}" if len(set(totals)) == 1 else f"{min(totals)}..{max(totals)}")
        + f" + finish {sum(len(p.statements) for p in log.phases if p.name == 'finish')}.",
        "",
        "Per batch (every batch alike: "
        + ("yes" if all(shape(b) == shape(batches[0]) for b in batches) else "**no**")
        + "):",
        "",
        "| statement | per batch |",
        "|---|---|",
    ]
    first = batches[0]
    for kind, counter in (("read", first.reads()), ("write", first.writes())):
        for key, count in sorted(counter.items()):
            lines.append(f"| {kind}: `{key}` | {count} |")
    for key, count in sorted(first.other().items()):
        lines.append(f"| transaction: `{key}` | {count} |")
    over = {k: c for k, c in first.writes().items() if c > 1}
    lines += [
        "",
        "Write statements per table per batch above one: "
        + (", ".join(f"`{k}` x{c}" for k, c in over.items()) if over else "none")
        + ".",
        "",
    ]
    return lines


def _formatting(result: RunResult) -> str:
    line = f"- Citations left to the references.format_citations task: {result.left_unformatted:,}"
    if not result.format_sample:
        return line + "."
    each = result.format_sample_seconds / result.format_sample
    return (
        f"{line}; it formatted {result.format_sample:,} of them in "
        f"{result.format_sample_seconds:.1f} s ({1000 * each:.1f} ms each, about "
        f"{result.left_unformatted * each:.0f} s of a worker for all)."
    )


def figures(results: list[RunResult], args: argparse.Namespace, pg_version: str) -> dict:
    """What make bench's report needs, per run: requests, statements, writes, times."""
    runs = []
    for result in results:
        batches = result.log.batches
        runs.append(
            {
                "label": result.label,
                "status": str(result.job.status),
                "updated": result.job.updated_count,
                "unchanged": result.job.unchanged_count,
                "failed": result.job.failed_count,
                "wall_seconds": result.wall_seconds,
                "floor_seconds": result.floor_seconds,
                "floor_seconds_by_upstream": result.floor,
                "ratio_to_floor": _ratio(result),
                "rejected": dict(result.rejected),
                "left_unformatted": result.left_unformatted,
                "format_seconds_per_reference": (
                    result.format_sample_seconds / result.format_sample
                    if result.format_sample
                    else None
                ),
                "cpu_seconds": result.cpu_seconds,
                "sql_seconds": sum(p.seconds for p in result.log.phases),
                "sql_seconds_by_statement": _sql_by_kind(result),
                "requests": dict(result.requests),
                "queries": sum(len(p.statements) for p in result.log.phases),
                "create_queries": result.create_queries,
                "batches": len(batches),
                "queries_per_batch": sorted({len(b.statements) for b in batches}),
                "max_writes_per_table_per_batch": max(
                    (count for b in batches for count in b.writes().values()), default=0
                ),
                "writes_per_batch": dict(batches[0].writes()) if batches else {},
                "reads_per_batch": dict(batches[0].reads()) if batches else {},
                "batches_alike": all(shape(b) == shape(batches[0]) for b in batches),
            }
        )
    return {
        "n": args.n,
        "pubmed_rate": args.pubmed_rate,
        "crossref_rate": args.crossref_rate,
        "postgres": pg_version,
        "runs": runs,
    }


def _sql_by_kind(result: RunResult) -> dict[str, float]:
    total = Counter[str]()
    for phase in result.log.phases:
        total.update(phase.seconds_by_kind())
    return {kind: round(seconds, 3) for kind, seconds in total.most_common()}


def _ratio(result: RunResult) -> float:
    return result.wall_seconds / result.floor_seconds


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="references to refresh")
    parser.add_argument(
        "--database", default="evidentia_bench_refresh", help="created, then dropped"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here, for make bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--pubmed-rate", type=float, default=3.0, help="requests/s (NCBI without a key: 3)"
    )
    parser.add_argument("--crossref-rate", type=float, default=50.0, help="requests/s")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile per run here")
    return parser.parse_args()


def _environment(url: str, args: argparse.Namespace, server: FakeUpstream) -> dict[str, str]:
    """The settings of the Django this process sets up: its own database, the fakes."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url(url, args.database),
        "PUBMED_BASE_URL": server.url("/pubmed/"),
        "CROSSREF_BASE_URL": server.url("/crossref/"),
        "PUBMED_RATE_LIMIT_PER_SECOND": str(args.pubmed_rate),
        "CROSSREF_RATE_LIMIT_PER_SECOND": str(args.crossref_rate),
        "CROSSREF_CONCURRENCY_LIMIT": "1",
        "UPSTREAM_RATELIMIT_PREFIX": f"bench:{uuid.uuid4().hex}:ratelimit:",
    }


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (the server to create the bench database on).")

    load_before = os.getloadavg()
    started = time.perf_counter()
    server = FakeUpstream(args.n, pubmed_rate=args.pubmed_rate, crossref_rate=args.crossref_rate)
    print(f"fake upstream: {args.n:,} articles and works in {time.perf_counter() - started:.1f} s")
    recreate_database(url, args.database)
    os.environ.update(_environment(url, args, server))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        ids = seed(args.n)
        print(f"seeded {len(ids):,} references in {time.perf_counter() - t0:.1f} s")
        holder: list[QueryLog] = []
        instrument_batches(holder)
        results = [
            refresh("Run 1: every reference updated", ids, server, holder, args),
            refresh("Run 2: nothing changed", ids, server, holder, args),
        ]
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
        report = [
            f"Measured {today} on {platform.node()}: "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"PostgreSQL {pg_version}, all on one machine; rate limits "
            f"PubMed {args.pubmed_rate:g}/s, Crossref {args.crossref_rate:g}/s; load average "
            f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after.",
            "",
        ]
        for result in results:
            report += describe(result, args.n)
        print("\n".join(report))
        if args.json:
            args.json.write_text(json.dumps(figures(results, args, pg_version), indent=1))
        connections.close_all()
    finally:
        server.close()
        if not args.keep_database:
            recreate_database(url, args.database, drop_only=True)


if __name__ == "__main__":
    main()
