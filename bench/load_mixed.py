"""`make load`: the mixed load alone (it is also a stage of `make bench`).

Not a test. Reading traffic (pages, the summary API, search) and an Editor's writes
through the API, on the benchmark corpus plus the demo, through gunicorn with
config.settings.bench, at the highest rate this machine sustains, for
BENCH_LOAD_DURATION seconds (default 300). Exits non-zero, loudly, on any 5xx. See
bench/harness/mixed.py for the traffic and how the rate is found.

The figures go to var/bench/load.json; when var/bench/results.json holds a full
`make bench` run, they replace its mixed-load section and docs/benchmarks.md is written
again (saying that this section comes from a separate run).

Run:  make load   (or: .venv/bin/python -u bench/load_mixed.py)
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import environment, report, stages  # noqa: E402
from bench.harness.corpus import editor_token, ensure_corpus, pick_targets  # noqa: E402
from bench.harness.options import OUT_DIR, from_environment  # noqa: E402
from bench.harness.progress import say  # noqa: E402


def main() -> int:
    options = from_environment()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    environment.exit_on_sigterm()
    environment.prepare(options, page_cache=True)
    ensure_corpus(options)
    environment.setup_django()
    targets = pick_targets()
    result = stages.load(options, targets, editor_token())
    result["separate"] = True
    result["date"] = datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (OUT_DIR / "load.json").write_text(json.dumps(result, indent=1, default=str))
    if stages.RESULTS.exists() and not options.quick:
        results = json.loads(stages.RESULTS.read_text())
        if not results.get("options", {}).get("quick"):
            results["load"] = result
            stages.save(results)
            report.write(results, options.report_path)
            say(f"mixed-load section of {options.report_path} replaced")
    fives = result["run"]["5xx"] + result["server_5xx"]
    if fives:
        print(
            f"\n*** MIXED LOAD FAILED: {fives} responses were 5xx ***\n"
            f"per kind: { {k: v['statuses'] for k, v in result['per_kind'].items()} }\n"
            "see var/bench/gunicorn-*.log for the tracebacks\n",
            file=sys.stderr,
            flush=True,
        )
        return 1
    say(f"mixed load passed: zero 5xx, p99 {result['run']['latency_ms']['p99']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
