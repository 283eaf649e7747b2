"""The stages of a run, each adding its figures to the results dict (saved after each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict

from . import endpoints, mixed, queries
from .corpus import Targets
from .options import OUT_DIR, ROOT, Options
from .progress import say
from .server import Gunicorn

RESULTS = OUT_DIR / "results.json"


def save(results: dict, path=RESULTS) -> None:
    path.write_text(json.dumps(results, indent=1, default=str))


def query_counts(options: Options, targets: Targets) -> dict:
    from django.test import override_settings

    from .options import PAGE_CACHE_SETTING

    say("counting SQL queries per page (test client, page cache off)")
    counted = queries.count_queries(targets)
    rows = [
        {
            "group": group,
            "label": c.label,
            "url": c.url,
            "status": c.status,
            "queries": c.queries,
            "sql_ms": c.sql_ms,
        }
        for group, c in counted
    ]
    for row in rows:
        say(f"  {row['queries']:3d} queries  {row['sql_ms']:8.1f} ms SQL  {row['label']}")
    explained = []
    for label, ms, sql in queries.slowest(counted):
        plan = queries.explain(sql)
        indexes, seq = queries.plan_summary(plan)
        explained.append(
            {
                "label": label,
                "ms": ms,
                "sql": sql,
                "plan": plan,
                "indexes": indexes,
                "seq_scans": seq,
            }
        )
        say(f"  EXPLAIN {ms:.1f} ms ({label}): indexes {indexes}, seq scans {seq}")
    cached_rows = []
    if PAGE_CACHE_SETTING:
        endpoints.flush_cache(options)
        with override_settings(**{PAGE_CACHE_SETTING: True}):
            cached_rows = [
                {"group": g, "url": c.url, "queries": c.queries}
                for g, c in queries.count_queries(targets)
            ]
    return {"uncached": rows, "cached": cached_rows, "explain": explained}


def http(options: Options, targets: Targets, results: dict) -> None:
    results["server"] = Gunicorn(options, page_cache=False).description
    results["http"] = {}
    for phase, page_cache in (("uncached", False), ("cached", True)):
        say(f"HTTP benchmarks, {phase}")
        try:
            samples = endpoints.measure(options, targets, page_cache=page_cache)
        except endpoints.WarmUpFailed as error:
            # Recorded, and the run goes on: an unattended run still ends with a report.
            say(f"{phase} phase not measured: {error} (see {OUT_DIR}/gunicorn-*.log)")
            results.setdefault("errors", []).append(f"HTTP, {phase}: not measured: {error}")
            continue
        results["http"][phase] = endpoints.to_json(samples)
        save(results)


def load(options: Options, targets: Targets, token: str) -> dict:
    say("mixed load")
    scenario = mixed.build_scenario(targets, token)
    result = mixed.run_load(options, scenario)
    result["left_over"] = mixed.clean_up()
    return result


def refresh(options: Options, results: dict) -> None:
    out = OUT_DIR / "refresh.json"
    out.unlink(missing_ok=True)
    say(f"citation refresh benchmark, N = {options.refresh_n:,} (bench/bench_refresh.py)")
    env = {
        **os.environ,
        "DATABASE_URL": options.server_url,
        "REDIS_URL": options.refresh_redis_url,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [
            sys.executable,
            "-u",
            "bench/bench_refresh.py",
            "--n",
            str(options.refresh_n),
            "--database",
            "evidentia_bench_refresh",
            "--json",
            str(out),
            # Goal 4: the refresh against an upstream that holds PubMed's rate limit.
            "--pubmed-rate",
            "3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_refresh.py failed:\n{done.stdout}\n{done.stderr}")
    results["refresh"] = json.loads(out.read_text())
    results["refresh_text"] = done.stdout
    for run in results["refresh"]["runs"]:
        say(
            f"  {run['label']}: {run['wall_seconds']:.1f} s, requests {run['requests']}, "
            f"{run['queries']} queries, writes per table per batch <= "
            f"{run['max_writes_per_table_per_batch']}"
        )


def parse(options: Options, results: dict) -> None:
    say(f"PubMed parsing benchmark ({options.parse_runs} runs)")
    out = OUT_DIR / "parse.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-u",
        "bench/bench_pubmed_parse.py",
        "--runs",
        str(options.parse_runs),
    ]
    done = _run(command + ["--json", str(out)])
    if done.returncode != 0 and "--json" in done.stderr:
        done = _run(command)  # a bench_pubmed_parse.py without --json: the text only
    if done.returncode != 0:
        raise RuntimeError(f"bench_pubmed_parse.py failed:\n{done.stdout}\n{done.stderr}")
    results["parse_text"] = done.stdout
    if out.exists():
        results["parse"] = json.loads(out.read_text())
    say("  " + done.stdout.strip().splitlines()[-1])


def _run(command: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def search(options: Options, results: dict) -> None:
    """Goal 2: bench/search_timing.py --json on the main corpus and, when it is there, the
    1M corpus of the growth stage; the ceiling (SELECT 1, the GIN scan alone) beside it."""
    from .growth import SIZES, database_url, reference_count, search_ceiling

    runs = results.setdefault("search", {})["runs"] = []
    databases = [options.database_name] + [db for _, scale, db in SIZES if db and scale > 1]
    for database in databases:
        url = database_url(options, database)
        refs = reference_count(url)
        if not refs:
            say(f"search timing: {database} is not there; not measured")
            continue
        say(f"search timing on {database} ({refs:,} references, bench/search_timing.py)")
        out = OUT_DIR / f"search-{database}.json"
        out.unlink(missing_ok=True)
        command = [sys.executable, "-u", "bench/search_timing.py", "--runs"]
        command += [str(options.search_runs), "--json", str(out)]
        done = _run(command, env={**os.environ, "DATABASE_URL": url})
        run = {"database": database, "references": refs, "ceiling": search_ceiling(url)}
        if done.returncode == 0 and out.exists():
            run["timing"] = json.loads(out.read_text())
        else:
            run["error"] = (done.stderr or done.stdout)[-2000:]
            say(f"  not measured: {run['error'].strip().splitlines()[-1:]}")
        run["text"] = done.stdout
        runs.append(run)
        save(results)


def options_json(options: Options) -> dict:
    data = asdict(options)
    data["database"] = options.database_name
    return data
