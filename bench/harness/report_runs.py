"""The report's sections on the mixed load (bench/load_mixed.py) and the citation refresh
(bench/bench_refresh.py): each takes the Report and adds its lines."""

from __future__ import annotations

from .formatting import ms, rps


def load_section(report) -> None:
    load = report.r.get("load")
    if not load:
        return
    when = (
        f"run separately with `make load`, {load.get('date', '')}"
        if load.get("separate")
        else "part of this run"
    )
    report.add(
        "## Mixed load",
        "",
        f"`bench/load_mixed.py` ({when}): "
        "reading traffic and an Editor's writes through the API with a token, on the "
        "synthetic corpus plus the demo, page cache on. Mix (% of requests): "
        + ", ".join(f"{kind} {share}" for kind, share in load["mix"])
        + " (each new study is deleted by the next request on its connection).",
        "",
        "Finding the highest sustained rate (wrk is closed-loop: more connections until "
        f"throughput stops rising; {report.r['options'].get('load_step', '?')} s per step):",
        "",
        "| connections | req/s | p99 ms | 5xx | non-2xx |",
        "|---:|---:|---:|---:|---:|",
    )
    for step in load["steps"]:
        report.add(
            f"| {step['connections']} | {rps(step['rps'])} | {ms(step['p99'])} | "
            f"{step['5xx']} | {step['non_2xx']} |"
        )
    _load_run(report, load)
    _load_memory(report, load)
    if load.get("workers_replaced"):
        report.add("", f"Workers replaced during the run: {load['workers_replaced']}.")
    if load.get("left_over"):
        report.add("", f"Studies left by POSTs in flight at the end, deleted: {load['left_over']}.")
    report.add("")


def _load_run(report, load: dict) -> None:
    run = load["run"]
    lat = run["latency_ms"]
    report.add(
        "",
        f"**Run: {run['seconds']:.0f} s at {load['connections']} connections: "
        f"{run['requests']:,} requests, {rps(run['rps'])} req/s, p50 {ms(lat['p50'])} ms, "
        f"p99 {ms(lat['p99'])} ms, max {ms(lat['max'])} ms (wrk); "
        f"5xx: {run['5xx']} (wrk), {load['server_5xx']} (gunicorn's access log).** "
        f"Statuses: {run['statuses']}; socket errors: {run['socket_errors']}.",
        "",
        "Server-side time per kind of request (gunicorn's access log, ms):",
        "",
        "| kind | requests | p50 | p95 | p99 | max | statuses |",
        "|---|---:|---:|---:|---:|---:|---|",
    )
    for kind, k in load["per_kind"].items():
        report.add(
            f"| {kind} | {k['requests']:,} | {ms(k['p50'])} | {ms(k['p95'])} | "
            f"{ms(k['p99'])} | {ms(k['max'])} | {k['statuses']} |"
        )


def _load_memory(report, load: dict) -> None:
    before, after = load["rss_mib"]["before"], load["rss_mib"]["after"]
    report.add(
        "",
        "Workers' memory (VmRSS, MiB) after start-up, before the run (after the steps "
        "above), every 30 s during it, and after:",
        "",
        "| worker pid | after start | before | "
        + " | ".join(f"{int(t)} s" for t, _ in load.get("rss_samples", []))
        + " | after | change |",
        "|---|---:|---:|" + "---:|" * len(load.get("rss_samples", [])) + "---:|---:|",
    )
    for pid, mib in before.items():
        samples = [f"{s.get(pid, 0):.0f}" for _, s in load.get("rss_samples", [])]
        start = load["rss_mib"].get("after start", {}).get(pid, 0)
        report.add(
            f"| {pid} | {start:.0f} | {mib:.0f} | "
            + "".join(f"{x} | " for x in samples)
            + f"{after.get(pid, 0):.0f} | {after.get(pid, 0) - mib:+.1f} |"
        )


def refresh_section(report) -> None:
    refresh = report.r.get("refresh")
    if not refresh:
        return
    n = refresh["n"]
    report.add(
        f"## Citation refresh (N = {n:,})",
        "",
        f"`bench/bench_refresh.py --n {n}` (in its own database, dropped afterwards): "
        "the services the Celery task calls (`refresh_job_create` + `import_job_run`) "
        "against a fake PubMed + Crossref on 127.0.0.1 (tests/support/fake_upstream) that "
        "answers at once, with PubMed's rate limit held at "
        f"{refresh.get('pubmed_rate', '?')} requests/s; run 1 updates every reference, "
        "run 2 finds nothing changed. "
        "Its full per-batch breakdown follows the table.",
        "",
        "| | " + " | ".join(run["label"] for run in refresh["runs"]) + " |",
        "|---|" + "---:|" * len(refresh["runs"]) + "",
    )
    runs = refresh["runs"]

    def row(name: str, fn) -> None:
        report.add(f"| {name} | " + " | ".join(fn(run) for run in runs) + " |")

    row(
        "wall time",
        lambda r: f"{r['wall_seconds']:.1f} s ({n / r['wall_seconds']:.0f} references/s)",
    )
    row(
        "rate-limit floor (goal: within 1.5x)",
        lambda r: (
            f"{r['floor_seconds']:.1f} s ({r['wall_seconds'] / r['floor_seconds']:.2f}x)"
            if r.get("floor_seconds")
            else "not measured"
        ),
    )
    row("CPU time of the process", lambda r: f"{r['cpu_seconds']:.1f} s")
    row("time inside SQL", lambda r: f"{r['sql_seconds']:.1f} s")
    row(
        "upstream requests: efetch / esearch / crossref",
        lambda r: " / ".join(
            str(r["requests"].get(k, 0)) for k in ("efetch.fcgi", "esearch.fcgi", "crossref")
        ),
    )
    row(
        "SQL statements (import_job_run)",
        lambda r: (
            f"{r['queries']} ({r['batches']} batches of "
            + "/".join(map(str, r["queries_per_batch"]))
            + ")"
        ),
    )
    row(
        "write statements per table per batch, at most",
        lambda r: str(r["max_writes_per_table_per_batch"]),
    )
    row("every batch alike", lambda r: "yes" if r["batches_alike"] else "no")
    report.add("", "<details><summary>bench_refresh.py's own report</summary>", "")
    report.add(*report.r.get("refresh_text", "").splitlines(), "", "</details>", "")
