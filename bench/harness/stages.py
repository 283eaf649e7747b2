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
    done = subprocess.run(
        [sys.executable, "-u", "bench/bench_pubmed_parse.py", "--runs", str(options.parse_runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_pubmed_parse.py failed:\n{done.stdout}\n{done.stderr}")
    results["parse_text"] = done.stdout
    say("  " + done.stdout.strip().splitlines()[-1])


def options_json(options: Options) -> dict:
    data = asdict(options)
    data["database"] = options.database_name
    return data
