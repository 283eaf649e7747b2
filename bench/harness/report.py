"""docs/benchmarks.md, written whole from one run's results (var/bench/results.json).

Nothing in the document is typed by hand except bench/analysis.md, which is included
as it is: the reasons behind the figures of the last full run.
"""

from __future__ import annotations

from pathlib import Path

from . import report_growth, report_runs
from .endpoints import CEILING, ENDPOINTS, LABELS, from_json, summarize
from .formatting import met, rps, spread
from .goals import Goals, Row
from .options import ROOT

ANALYSIS = ROOT / "bench" / "analysis.md"


class Report:
    def __init__(self, results: dict) -> None:
        self.r = results
        self.lines: list[str] = []
        self.http = {phase: from_json(data) for phase, data in results.get("http", {}).items()}

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # --- goals ------------------------------------------------------------------------------

    def goals(self) -> list[Row]:
        return Goals(self.r, self.http).rows()

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
            "BENCH_REFRESH_N, BENCH_DATABASE, BENCH_STAGES, BENCH_UNCACHED_CONCURRENCY, "
            "BENCH_SEARCH_RUNS, BENCH_GROWTH_SECONDS, BENCH_GROWTH_RUNS, BENCH_GROWTH_REFRESH_N "
            "(see bench/harness/options.py); "
            "`make bench-quick` is a short version that writes benchmarks-quick.md into "
            "BENCH_OUT_DIR (default var/bench/).",
            "",
        )

    def goals_section(self) -> None:
        self.add(
            "## Goals",
            "",
            "The goals of issue 18, numbered as there, then the standing ones. Each figure "
            "beside the ceiling measured in the same run: the minimal view (constant JSON "
            "through the same gunicorn) for pages and API calls, a bare `SELECT 1` and the "
            "GIN index scan alone for search, the rate-limit floor (PubMed requests / 3 per "
            "second) for the refresh, a bare lxml iterparse for parsing, and a logarithm's "
            "growth over the same range of sizes for goal 6.",
            "",
            "| goal | measured (median) | ceiling, same run | |",
            "|---|---|---|---|",
        )
        for row in self.goals():
            self.add(f"| {row.goal} | {row.measured} | {row.ceiling} | {met(row.ok)} |")
        for error in self.r.get("errors", []):
            self.add(f"| Stage completed: {error} | | | **not met** |")
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
                        f"| {LABELS[endpoint]} | {c} | {spread(s, 'rps', rps)} | {share} | "
                        f"{spread(s, 'p50')} | {spread(s, 'p95')} | {spread(s, 'p99')} | "
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
        report_runs.load_section(self)

    def refresh_section(self) -> None:
        report_runs.refresh_section(self)

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

    def search_section(self) -> None:
        report_growth.search_section(self)

    def analysis(self) -> None:
        if ANALYSIS.exists():
            self.add(ANALYSIS.read_text().strip(), "")

    def render(self, path: Path | None = None) -> str:
        self.header()
        self.goals_section()
        self.corpus()
        self.endpoints_section()
        self.queries_section()
        self.load_section()
        self.refresh_section()
        self.parse_section()
        self.search_section()
        report_growth.growth_section(self, path)
        self.analysis()
        return "\n".join(self.lines).rstrip() + "\n"


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(Report(results).render(path))
