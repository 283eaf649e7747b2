"""docs/benchmarks.md, written whole from one run's results (var/bench/results.json).

Nothing in the document is typed by hand except bench/analysis.md, which is included
as it is: the reasons behind the figures of the last full run.
"""

from __future__ import annotations

import math
from pathlib import Path

from .endpoints import CEILING, ENDPOINTS, LABELS, from_json, summarize
from .options import ROOT

ANALYSIS = ROOT / "bench" / "analysis.md"
P95_UNCACHED_MS = 100
P95_CACHED_MS = 10
SEARCH_P95_MS = 100
SUMMARY_CEILING_SHARE = 0.5
RSS_GROWTH_LIMIT = 0.10
# The all-kinds search runs a count per kind, then that kind's rows only when the count is
# not zero, and one more query for the pairs citing the references shown: its count
# depends on which kinds a word matches (at most 9), not on how many rows; the
# references-only search ("search-kind") is the one compared.
INFORMATIONAL_GROUPS = {"search"}


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _range(summary, key: str, fmt=_ms) -> str:
    return f"{fmt(summary.median[key])} ({fmt(summary.low[key])}–{fmt(summary.high[key])})"


def _rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def _latency_ok(s, limit: float) -> bool | None:
    """Under the limit, and every request answered: a timed-out request has no latency."""
    if s is None:
        return None
    return s.median["p95"] < limit and s.requests > 0 and not s.socket_errors and not s.non_2xx


def _p95(s) -> str:
    if s is None:
        return "not measured"
    failed = s.socket_errors + s.non_2xx
    note = f"; {failed} requests failed or timed out (wrk: 10 s)" if failed else ""
    if not s.requests:
        return f"no request completed{note}"
    return f"{_ms(s.median['p95'])} ms{note}"


class Report:
    def __init__(self, results: dict) -> None:
        self.r = results
        self.lines: list[str] = []
        self.http = {phase: from_json(data) for phase, data in results.get("http", {}).items()}

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # --- goals ------------------------------------------------------------------------------

    def _at(self, phase: str, endpoint: str, c: int):
        runs = self.http.get(phase, {}).get(endpoint, {}).get(c)
        return summarize(runs) if runs else None

    def goals(self) -> list[tuple[str, str, bool | None]]:
        rows: list[tuple[str, str, bool | None]] = []
        targets = self.r.get("targets", {})
        c1 = min(self.r["options"]["concurrency"])
        top = max(self.r["options"]["concurrency"])
        pair_n = targets.get("largest_pair", [None, None, 0])[2]
        refs = targets.get("counts", {}).get("references", 0)
        for endpoint, name in (
            ("pair", f"Pair page, largest pair ({pair_n:,} studies)"),
            ("condition", "Condition page"),
        ):
            for phase, limit in (("uncached", P95_UNCACHED_MS), ("cached", P95_CACHED_MS)):
                s = self._at(phase, endpoint, c1)
                ok = _latency_ok(s, limit)
                if endpoint == "pair" and ok is not None and pair_n < 2000:
                    ok = False
                rows.append((f"{name}: p95 under {limit} ms {phase} (c={c1})", _p95(s), ok))
        for phase in ("cached",):
            s, ceiling = self._at(phase, "summary", top), self._at(phase, CEILING, top)
            if s and ceiling:
                share = s.median["rps"] / ceiling.median["rps"]
                rows.append(
                    (
                        f"Summary API {phase}: at least 50% of the minimal view's "
                        f"throughput (c={top})",
                        f"{share:.0%} ({_rps(s.median['rps'])} of "
                        f"{_rps(ceiling.median['rps'])} req/s)",
                        share >= SUMMARY_CEILING_SHARE,
                    )
                )
            else:
                rows.append(("Summary API cached: 50% of the minimal view", "not measured", None))
        s = self._at("uncached", "search", c1)
        rows.append(
            (
                f"Search over {refs:,} references: p95 under {SEARCH_P95_MS} ms (c={c1})",
                _p95(s),
                None if s is None else (_latency_ok(s, SEARCH_P95_MS) and refs >= 200_000),
            )
        )
        refresh = self.r.get("refresh")
        if refresh:
            n = refresh["n"]
            want = math.ceil(n / 200)
            efetch = [run["requests"].get("efetch.fcgi", 0) for run in refresh["runs"]]
            writes = max(run["max_writes_per_table_per_batch"] for run in refresh["runs"])
            rows.append(
                (
                    f"Refresh of {n:,} references: ceil({n:,}/200) = {want} PubMed requests",
                    " / ".join(str(e) for e in efetch) + " (run 1 / run 2)",
                    all(e == want for e in efetch) and n >= 10_000,
                )
            )
            rows.append(
                (
                    "Refresh: at most one write query per batch per table",
                    f"at most {writes}",
                    writes <= 1,
                )
            )
        queries = self.r.get("queries")
        if queries:
            grown = [g for g, ok in self._query_groups().items() if not ok]
            rows.append(
                (
                    "SQL queries per page / API call do not grow with rows",
                    "never more for the larger version"
                    if not grown
                    else "differ: " + ", ".join(grown),
                    not grown,
                )
            )
        non_2xx = sum(
            summarize(runs).non_2xx + summarize(runs).socket_errors
            for by_c in self.http.values()
            for by_endpoint in by_c.values()
            for runs in by_endpoint.values()
        )
        if self.http:
            rows.append(
                ("Every benchmarked request answered 2xx", f"{non_2xx} failures", non_2xx == 0)
            )
        load = self.r.get("load")
        if load:
            fives = load["run"]["5xx"] + load["server_5xx"]
            rows.append(("Mixed load: zero 5xx", f"{fives}", fives == 0))
            growth = self._rss_growth(load)
            rows.append(
                (
                    f"Mixed load: no memory growth (workers' RSS, under {RSS_GROWTH_LIMIT:.0%})",
                    f"{growth:+.1%} (largest worker change)",
                    growth < RSS_GROWTH_LIMIT and not load.get("workers_replaced"),
                )
            )
        return rows

    @staticmethod
    def _rss_growth(load: dict) -> float:
        before, after = load["rss_mib"]["before"], load["rss_mib"]["after"]
        return max(((after.get(pid, 0) - mib) / mib for pid, mib in before.items()), default=0.0)

    def _query_groups(self) -> dict[str, bool]:
        """Per group, whether the version with the most rows (listed first) runs no more
        queries than the next, with about a tenth of them (see queries.urls)."""
        groups: dict[str, list[int]] = {}
        for row in self.r["queries"]["uncached"]:
            if row["group"] in INFORMATIONAL_GROUPS:
                continue
            groups.setdefault(row["group"], []).append(row["queries"])
        return {g: counts[0] <= counts[min(1, len(counts) - 1)] for g, counts in groups.items()}

    # --- sections -----------------------------------------------------------------------------

    def header(self) -> None:
        m, o = self.r["machine"], self.r["options"]
        self.add(
            "# Benchmarks",
            "",
            "Written whole by `make bench` (bench/run_all.py) from one run; do not edit by hand "
            "(the analysis at the end comes from bench/analysis.md). "
            f"Run of {m['date']}, commit {m['commit']}.",
            "",
            "## Machine",
            "",
            f"- {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}",
            f"- PostgreSQL {m['postgres']} and Redis {m['redis']} on the same machine, "
            f"Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, {m['wrk']}",
            f"- Load average {m['load_before'][0]:.1f} at the start and "
            f"{self.r.get('load_after', [0])[0]:.1f} at the end of the run. The machine is shared "
            "with other engineers' test suites and benchmarks, so figures move between runs "
            "(that is why each is the median of several runs, with the range); the load "
            "generator (wrk, one thread) runs on the same two cores as gunicorn, PostgreSQL "
            "and Redis.",
            "",
            "## Command",
            "",
            "```",
            self.r["command"],
            "```",
            "",
            f"Settings: {o['duration']} s per wrk run, {o['runs']} runs (median and min–max "
            f"reported), concurrency {' '.join(map(str, o['concurrency']))} connections; "
            f"server: {self.r.get('server', '?')} (`config.settings.bench`, `config.urls_bench`). "
            "Overrides: BENCH_DURATION, BENCH_RUNS, BENCH_CONCURRENCY, BENCH_WORKERS, "
            "BENCH_WORKER_CLASS, BENCH_THREADS, BENCH_LOAD_DURATION, BENCH_LOAD_CONCURRENCY, "
            "BENCH_REFRESH_N, BENCH_DATABASE, BENCH_STAGES (see bench/harness/options.py); "
            "`make bench-quick` is a short version that writes var/bench/benchmarks-quick.md.",
            "",
        )

    def goals_section(self) -> None:
        self.add("## Goals", "", "| goal | measured (median) | |", "|---|---|---|")
        for goal, measured, ok in self.goals():
            self.add(f"| {goal} | {measured} | {_met(ok)} |")
        for error in self.r.get("errors", []):
            self.add(f"| Stage completed: {error} | | **not met** |")
        self.add(
            "",
            "Latency goals are read at concurrency 1: the server's own time per request, "
            "with no queueing behind other requests (at higher concurrency, requests wait for "
            "a free worker, and the tables below show by how much).",
            "",
        )

    def corpus(self) -> None:
        t = self.r.get("targets")
        if not t:
            return
        counts = ", ".join(f"{n:,} {name}" for name, n in t["counts"].items())
        c, th, n = t["largest_pair"]
        self.add(
            "## Corpus",
            "",
            f"Database `{self.r['options']['database']}`: {counts} "
            "(`manage.py generate_corpus` with the sizes in bench/harness/options.py, plus "
            "`load_demo`).",
            "",
            f"- Largest pair: `/conditions/{c}/{th}/`, {n:,} studies.",
            f"- Condition page and summary API: `{t['largest_condition'][0]}`, the condition "
            f"with the most verdicts ({t['largest_condition'][1]}).",
            f"- Search: {len(t['search_terms'])} terms taken in turn (frequent, middling and rare "
            "title words, condition and therapy names, two-word queries, a typo): "
            + ", ".join(f"`{x}`" for x in t["search_terms"][:12])
            + " ...",
            "",
        )

    def endpoints_section(self) -> None:
        if not self.http:
            return
        self.add(
            "## Pages and API through gunicorn",
            "",
            "wrk on 127.0.0.1, one thread, keep-alive; req/s, and latency percentiles in ms "
            "from wrk's distribution (as the client sees them). Each cell: median of the runs "
            "(min–max). *Share* is the endpoint's median throughput over the minimal view's at "
            "the same concurrency in the same phase. **Uncached**: the rendered page / summary "
            "cache turned off (`BENCH_PAGE_CACHE=0`, a fresh server); other caches "
            "(e.g. formatted citations) are warm, as in production. **Cached**: cache on, "
            "Redis DB flushed, then every URL requested once before measuring.",
            "",
        )
        for phase, by_endpoint in self.http.items():
            self.add(
                f"### {phase.capitalize()}",
                "",
                "| endpoint | conc. | req/s | share | p50 | p95 | p99 | non-2xx |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            )
            for endpoint in ENDPOINTS:
                for c, runs in sorted(by_endpoint.get(endpoint, {}).items()):
                    s = summarize(runs)
                    ceiling = summarize(by_endpoint[CEILING][c]) if CEILING in by_endpoint else None
                    share = (
                        f"{s.median['rps'] / ceiling.median['rps']:.0%}"
                        if ceiling and endpoint != CEILING
                        else "—"
                    )
                    self.add(
                        f"| {LABELS[endpoint]} | {c} | {_range(s, 'rps', _rps)} | {share} | "
                        f"{_range(s, 'p50')} | {_range(s, 'p95')} | {_range(s, 'p99')} | "
                        f"{s.non_2xx + s.socket_errors} |"
                    )
            self.add("")

    def queries_section(self) -> None:
        q = self.r.get("queries")
        if not q:
            return
        self.add(
            "## SQL queries per page and per API call",
            "",
            "Django's test client in the harness process against the same database "
            "(`config.settings.bench`), CaptureQueriesContext around the second request of "
            "each URL. The version of a page with the most rows (listed first) must not run "
            "more queries than the next, with about a tenth of the rows; the smallest, last, "
            "may take another path through the code (a pair small enough to draw whole). "
            "The searches over every kind are not compared: each kind costs a count, then "
            "its rows only when the count is not zero, plus one query for the pairs citing "
            "the references shown, so the total (at most 9) depends on which kinds a word "
            "matches; the references-only searches are compared.",
            "",
            "| page / call | status | queries, cache off | SQL ms | queries, cache on |",
            "|---|---:|---:|---:|---:|",
        )
        cached = {row["url"]: row for row in q.get("cached", [])}
        for row in q["uncached"]:
            warm = cached.get(row["url"])
            self.add(
                f"| {row['label']} | {row['status']} | {row['queries']} | "
                f"{row['sql_ms']:.1f} | {warm['queries'] if warm else '—'} |"
            )
        self.add("", "### EXPLAIN (ANALYZE, BUFFERS) of the three slowest statements", "")
        for item in q.get("explain", []):
            indexes = ", ".join(f"`{i}`" for i in item["indexes"]) or "none"
            seq = ", ".join(f"`{t}`" for t in item["seq_scans"]) or "none"
            sql = item["sql"] if len(item["sql"]) < 1500 else item["sql"][:1500] + " ..."
            plan = item["plan"]
            trimmed = plan[:40] + ([f"... ({len(plan) - 40} more lines)"] if len(plan) > 40 else [])
            self.add(
                f"**{item['label']}**: {item['ms']:.1f} ms when captured. Indexes used: "
                f"{indexes}. Sequential scans: {seq}.",
                "",
                "```sql",
                sql,
                "```",
                "",
                "```",
                *trimmed,
                "```",
                "",
            )

    def load_section(self) -> None:
        load = self.r.get("load")
        if not load:
            return
        run = load["run"]
        when = (
            f"run separately with `make load`, {load.get('date', '')}"
            if load.get("separate")
            else "part of this run"
        )
        self.add(
            "## Mixed load",
            "",
            f"`bench/load_mixed.py` ({when}): "
            "reading traffic and an Editor's writes through the API with a token, on the "
            "synthetic corpus plus the demo, page cache on. Mix (% of requests): "
            + ", ".join(f"{kind} {share}" for kind, share in load["mix"])
            + " (each new study is deleted by the next request on its connection).",
            "",
            "Finding the highest sustained rate (wrk is closed-loop: more connections until "
            f"throughput stops rising; {self.r['options'].get('load_step', '?')} s per step):",
            "",
            "| connections | req/s | p99 ms | 5xx | non-2xx |",
            "|---:|---:|---:|---:|---:|",
        )
        for step in load["steps"]:
            self.add(
                f"| {step['connections']} | {_rps(step['rps'])} | {_ms(step['p99'])} | "
                f"{step['5xx']} | {step['non_2xx']} |"
            )
        lat = run["latency_ms"]
        self.add(
            "",
            f"**Run: {run['seconds']:.0f} s at {load['connections']} connections: "
            f"{run['requests']:,} requests, {_rps(run['rps'])} req/s, p50 {_ms(lat['p50'])} ms, "
            f"p99 {_ms(lat['p99'])} ms, max {_ms(lat['max'])} ms (wrk); "
            f"5xx: {run['5xx']} (wrk), {load['server_5xx']} (gunicorn's access log).** "
            f"Statuses: {run['statuses']}; socket errors: {run['socket_errors']}.",
            "",
            "Server-side time per kind of request (gunicorn's access log, ms):",
            "",
            "| kind | requests | p50 | p95 | p99 | max | statuses |",
            "|---|---:|---:|---:|---:|---:|---|",
        )
        for kind, k in load["per_kind"].items():
            self.add(
                f"| {kind} | {k['requests']:,} | {_ms(k['p50'])} | {_ms(k['p95'])} | "
                f"{_ms(k['p99'])} | {_ms(k['max'])} | {k['statuses']} |"
            )
        before, after = load["rss_mib"]["before"], load["rss_mib"]["after"]
        self.add(
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
            self.add(
                f"| {pid} | {start:.0f} | {mib:.0f} | "
                + "".join(f"{x} | " for x in samples)
                + f"{after.get(pid, 0):.0f} | {after.get(pid, 0) - mib:+.1f} |"
            )
        if load.get("workers_replaced"):
            self.add("", f"Workers replaced during the run: {load['workers_replaced']}.")
        if load.get("left_over"):
            self.add(
                "", f"Studies left by POSTs in flight at the end, deleted: {load['left_over']}."
            )
        self.add("")

    def refresh_section(self) -> None:
        refresh = self.r.get("refresh")
        if not refresh:
            return
        n = refresh["n"]
        self.add(
            f"## Citation refresh (N = {n:,})",
            "",
            f"`bench/bench_refresh.py --n {n}` (in its own database, dropped afterwards): "
            "the services the Celery task calls (`refresh_job_create` + `import_job_run`) "
            "against a fake PubMed + Crossref on 127.0.0.1 (tests/support/fake_upstream), "
            "rate limits lifted; run 1 updates every reference, run 2 finds nothing changed. "
            "Its full per-batch breakdown follows the table.",
            "",
            "| | " + " | ".join(run["label"] for run in refresh["runs"]) + " |",
            "|---|" + "---:|" * len(refresh["runs"]) + "",
        )
        runs = refresh["runs"]

        def row(name: str, fn) -> None:
            self.add(f"| {name} | " + " | ".join(fn(run) for run in runs) + " |")

        row(
            "wall time",
            lambda r: f"{r['wall_seconds']:.1f} s ({n / r['wall_seconds']:.0f} references/s)",
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
        self.add("", "<details><summary>bench_refresh.py's own report</summary>", "")
        self.add(*self.r.get("refresh_text", "").splitlines(), "", "</details>", "")

    def parse_section(self) -> None:
        text = self.r.get("parse_text")
        if not text:
            return
        self.add(
            "## PubMed XML parsing",
            "",
            "`bench/bench_pubmed_parse.py` (records per second of `parse_pubmed_xml` against "
            "Biopython and a bare lxml parse, on the same >= 1,000 real records; see its "
            "docstring):",
            "",
            "```",
            *text.strip().splitlines(),
            "```",
            "",
        )

    def analysis(self) -> None:
        if ANALYSIS.exists():
            self.add(ANALYSIS.read_text().strip(), "")

    def render(self) -> str:
        self.header()
        self.goals_section()
        self.corpus()
        self.endpoints_section()
        self.queries_section()
        self.load_section()
        self.refresh_section()
        self.parse_section()
        self.analysis()
        return "\n".join(self.lines).rstrip() + "\n"


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(Report(results).render())
