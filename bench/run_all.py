"""`make bench`: every benchmark of the performance issue in one run, into docs/benchmarks.md.

Not a test. In order: the corpus (generated into BENCH_DATABASE when empty, plus the
demo), SQL queries per page with EXPLAIN ANALYZE, the pages and API through gunicorn
with wrk (page cache off, then on; the minimal view as the ceiling), the mixed load,
the citation refresh of 10,000 references at PubMed's rate limit, the PubMed parsing
benchmark, search timing per class of query (200k and 1M references) and the growth of
each cost with the corpus (20k, 200k, 1M; bench/harness/growth.py). Progress
goes to stdout; the figures to results.json in BENCH_OUT_DIR (default var/bench/, after
each stage) and then the report. Exits non-zero when any benchmarked request got a 5xx.

Run:  make bench          (or: .venv/bin/python -u bench/run_all.py)
      make bench-quick    (BENCH_QUICK=1: seconds per stage, report in BENCH_OUT_DIR)
Settings: BENCH_* environment variables, see bench/harness/options.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import environment, growth, report, stages  # noqa: E402
from bench.harness.corpus import editor_token, ensure_corpus, pick_targets  # noqa: E402
from bench.harness.machine import describe  # noqa: E402
from bench.harness.options import OUT_DIR, from_environment  # noqa: E402
from bench.harness.progress import say  # noqa: E402


def command_line(quick: bool) -> str:
    overrides = [
        f"{key}={value}"
        for key, value in sorted(os.environ.items())
        if key.startswith("BENCH_") and key not in {"BENCH_QUICK", "BENCH_SECRET_KEY"}
    ]
    return " ".join([*overrides, "make bench-quick" if quick else "make bench"])


def main() -> int:
    options = from_environment()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    environment.exit_on_sigterm()
    environment.prepare(options)
    say(f"stages: {' '.join(options.stages)}; corpus database {options.database_name}")
    ensure_corpus(options)
    environment.setup_django()
    results: dict = {
        "command": command_line(options.quick),
        "options": stages.options_json(options),
        "machine": describe(options),
    }
    targets = pick_targets()
    results["targets"] = targets.as_dict()
    say(f"largest pair {targets.largest_pair}, condition {targets.largest_condition}")
    token = editor_token()
    stages.save(results)

    if "queries" in options.stages:
        results["queries"] = stages.query_counts(options, targets)
        stages.save(results)
    if "http" in options.stages:
        stages.http(options, targets, results)
    if "load" in options.stages:
        results["load"] = stages.load(options, targets, token)
        stages.save(results)
    if "refresh" in options.stages:
        stages.refresh(options, results)
        stages.save(results)
    if "parse" in options.stages:
        stages.parse(options, results)
        stages.save(results)
    if "search" in options.stages:
        stages.search(options, results)
    if "growth" in options.stages:
        growth.run(options, results, stages.save)
    results["load_after"] = os.getloadavg()
    stages.save(results)
    report.write(results, options.report_path)
    say(f"report written to {options.report_path}")

    for row in report.Report(results).goals():
        if row.ok is False:
            say(f"goal not met: {row.goal} ({row.measured})")
    for error in results.get("errors", []):
        say(f"FAILED: {error}")
    load = results.get("load")
    if results.get("errors"):
        return 1
    if load and (load["run"]["5xx"] or load["server_5xx"]):
        say(f"FAILED: the mixed load got 5xx responses (see {OUT_DIR}/gunicorn-*.log)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
