"""Citation refresh at scale: upstream requests, database queries and wall time.

Not a test. Creates a database of its own (``evidentia_bench_refresh`` on the PostgreSQL
server of DATABASE_URL; dropped at the end, so never name the corpus ``evidentia_bench``),
bulk-creates N references with PMIDs and DOIs, and serves a fake PubMed + Crossref
(tests/support/fake_upstream.RecordedUpstream in a werkzeug server thread on 127.0.0.1)
whose N PubmedArticle records are synthesized from a real recorded article (PMID, DOI and
title changed) with a matching Crossref work each.
It then refreshes every reference twice through the services the Celery task calls
(refresh_job_create + import_job_run):

- run 1: the fake's titles (and every other field) differ from the stored ones: updates;
- run 2: the same answers again: nothing changes.

For each run it reports upstream requests by endpoint, SQL statements in total and per
batch (reads and writes by table), time spent in SQL, and wall time. Batches are
delimited by wrapping jobs._run_chunk / jobs.import_job_finish (a benchmark-only
instrument; the services are not changed).

Rate limits are lifted by default (1000 requests/s each, and the fake announces the same
in Crossref's x-rate-limit-* headers), so the figures measure our own work; pass
``--pubmed-rate 3 --crossref-rate 50`` to pay NCBI's and Crossref's real limits.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia \\
          .venv/bin/python bench/bench_refresh.py --n 10000
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.harness.refresh_fakes import (  # noqa: E402
    FIRST_PMID,
    FakeServer,
    database_url,
    recreate_database,
)

WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"([^"]+)"', re.IGNORECASE)
READ = re.compile(r'\bFROM\s+"([^"]+)"', re.IGNORECASE)


# --- counting queries --------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    statements: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def writes(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            if match := WRITE.match(sql):
                found[f"{match.group(1).split()[0].upper()} {match.group(2)}"] += 1
        return found

    def reads(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            if sql.lstrip().upper().startswith("SELECT"):
                match = READ.search(sql)
                lock = " FOR UPDATE" if "FOR UPDATE" in sql.upper() else ""
                found[f"SELECT {match.group(1) if match else '?'}{lock}"] += 1
        return found

    def other(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            head = sql.lstrip().upper()
            if not head.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                found[" ".join(re.sub(r'"[^"]*"', "", head).split()[:2])] += 1
        return found


class QueryLog:
    """Every SQL statement of a run, by phase: setup, batch 1..k, finish."""

    def __init__(self) -> None:
        self.phases: list[Phase] = [Phase("setup")]

    def begin(self, name: str) -> None:
        self.phases.append(Phase(name))

    def __call__(self, execute, sql, params, many, context):
        phase = self.phases[-1]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            phase.seconds += time.perf_counter() - started
            phase.statements.append(sql)

    @property
    def batches(self) -> list[Phase]:
        return [p for p in self.phases if p.name.startswith("batch")]


def instrument_batches(log_holder: list[QueryLog]) -> None:
    """Start a new phase at each chunk and at the finish of import_job_run."""
    from references.services.jobs import run as jobs

    run_chunk, finish = jobs._run_chunk, jobs.import_job_finish

    def counted_chunk(*args, **kwargs):
        log = log_holder[0]
        log.begin(f"batch {len(log.batches) + 1}")
        return run_chunk(*args, **kwargs)

    def counted_finish(*args, **kwargs):
        log_holder[0].begin("finish")
        return finish(*args, **kwargs)

    jobs._run_chunk = counted_chunk
    jobs.import_job_finish = counted_finish


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
    upstream_seconds: float
    job: object


def seed(n: int) -> list[int]:
    from references.models import Reference

    Reference.objects.bulk_create(
        (
            Reference(
                pmid=str(FIRST_PMID + i),
                doi=f"10.5555/bench.{i}",
                title=f"Stored title {i}",
                year=2017,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    return list(Reference.objects.order_by("pk").values_list("pk", flat=True))


def refresh(label: str, ids: list[int], server: FakeServer, holder: list) -> RunResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from references.services.jobs import import_job_run, refresh_job_create

    server.fake.requests.clear()
    server.busy_seconds = 0.0
    with CaptureQueriesContext(connection) as created:
        started = time.perf_counter()
        job = refresh_job_create(reference_ids=ids)
        create_seconds = time.perf_counter() - started
    log = QueryLog()
    holder[:] = [log]
    with connection.execute_wrapper(log):
        started, cpu_started = time.perf_counter(), time.process_time()
        job = import_job_run(job_id=job.pk)
        run_seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    return RunResult(
        label,
        create_seconds,
        len(created),
        run_seconds,
        cpu_seconds,
        log,
        Counter(server.fake.requests),
        server.busy_seconds,
        job,
    )


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
        f"- Wall time: **{result.create_seconds + result.run_seconds:.1f} s** "
        f"(refresh_job_create {result.create_seconds:.2f} s, {result.create_queries} queries; "
        f"import_job_run {result.run_seconds:.1f} s, of which {sql_seconds:.1f} s waiting "
        f"for SQL and {result.upstream_seconds:.1f} s in the fake upstream's handlers; "
        f"{result.cpu_seconds:.1f} s of CPU in this process); "
        f"{n / (result.create_seconds + result.run_seconds):,.0f} references/s.",
        "- Upstream requests: "
        + ", ".join(
            f"{key} {result.requests.get(key, 0)}"
            for key in ("efetch.fcgi", "esearch.fcgi", "esummary.fcgi", "crossref")
        )
        + f" (goal: efetch {math.ceil(n / 200)}, esearch 0, crossref {math.ceil(n / 50)}).",
        f"- SQL statements in import_job_run: {all_queries} = setup "
        f"{len(log.phases[0].statements)} + {len(batches)} batches x "
        + (f"{totals[0]}" if len(set(totals)) == 1 else f"{min(totals)}..{max(totals)}")
        + f" + finish {sum(len(p.statements) for p in log.phases if p.name == 'finish')}.",
        "",
        "Per batch (every batch alike: "
        + ("yes" if all(_shape(b) == _shape(batches[0]) for b in batches) else "**no**")
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
                "wall_seconds": result.create_seconds + result.run_seconds,
                "cpu_seconds": result.cpu_seconds,
                "sql_seconds": sum(p.seconds for p in result.log.phases),
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
                "batches_alike": all(_shape(b) == _shape(batches[0]) for b in batches),
            }
        )
    return {
        "n": args.n,
        "pubmed_rate": args.pubmed_rate,
        "crossref_rate": args.crossref_rate,
        "postgres": pg_version,
        "runs": runs,
    }


def _shape(phase: Phase) -> tuple:
    return (sorted(phase.reads().items()), sorted(phase.writes().items()))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="references to refresh")
    parser.add_argument(
        "--database", default="evidentia_bench_refresh", help="created, then dropped"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here, for make bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--pubmed-rate", type=float, default=1000.0, help="requests/s")
    parser.add_argument("--crossref-rate", type=float, default=1000.0, help="requests/s")
    return parser.parse_args()


def _environment(url: str, args: argparse.Namespace, server: FakeServer) -> dict[str, str]:
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
    server = FakeServer(args.n, args.crossref_rate)
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
            refresh("Run 1: every reference updated", ids, server, holder),
            refresh("Run 2: nothing changed", ids, server, holder),
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
