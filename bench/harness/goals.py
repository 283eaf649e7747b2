"""The goals a benchmark run is held to, and whether one run's results meet them.

Read by the report (the Goals table of docs/benchmarks.md) and by bench/run_all.py, which
exits non-zero when a goal is not met.
"""

from __future__ import annotations

import math

from .endpoints import CEILING, summarize
from .formatting import latency_ok, p95, rps

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

Row = tuple[str, str, bool | None]


class Goals:
    """One run's results (var/bench/results.json) against the goals; ``http`` is the
    results' wrk runs by phase, endpoint and concurrency."""

    def __init__(self, results: dict, http: dict) -> None:
        self.r = results
        self.http = http

    def _at(self, phase: str, endpoint: str, c: int):
        runs = self.http.get(phase, {}).get(endpoint, {}).get(c)
        return summarize(runs) if runs else None

    def rows(self) -> list[Row]:
        """(goal, what was measured, met) per goal; met is None when not measured."""
        return [
            *self._page_latency(),
            *self._summary_share(),
            *self._search(),
            *self._refresh(),
            *self._queries(),
            *self._answered(),
            *self._load(),
        ]

    def _page_latency(self) -> list[Row]:
        rows: list[Row] = []
        c1 = min(self.r["options"]["concurrency"])
        pair_n = self.r.get("targets", {}).get("largest_pair", [None, None, 0])[2]
        for endpoint, name in (
            ("pair", f"Pair page, largest pair ({pair_n:,} studies)"),
            ("condition", "Condition page"),
        ):
            for phase, limit in (("uncached", P95_UNCACHED_MS), ("cached", P95_CACHED_MS)):
                s = self._at(phase, endpoint, c1)
                ok = latency_ok(s, limit)
                if endpoint == "pair" and ok is not None and pair_n < 2000:
                    ok = False
                rows.append((f"{name}: p95 under {limit} ms {phase} (c={c1})", p95(s), ok))
        return rows

    def _summary_share(self) -> list[Row]:
        rows: list[Row] = []
        top = max(self.r["options"]["concurrency"])
        for phase in ("cached",):
            s, ceiling = self._at(phase, "summary", top), self._at(phase, CEILING, top)
            if s and ceiling:
                share = s.median["rps"] / ceiling.median["rps"]
                rows.append(
                    (
                        f"Summary API {phase}: at least 50% of the minimal view's "
                        f"throughput (c={top})",
                        f"{share:.0%} ({rps(s.median['rps'])} of "
                        f"{rps(ceiling.median['rps'])} req/s)",
                        share >= SUMMARY_CEILING_SHARE,
                    )
                )
            else:
                rows.append(("Summary API cached: 50% of the minimal view", "not measured", None))
        return rows

    def _search(self) -> list[Row]:
        c1 = min(self.r["options"]["concurrency"])
        refs = self.r.get("targets", {}).get("counts", {}).get("references", 0)
        s = self._at("uncached", "search", c1)
        return [
            (
                f"Search over {refs:,} references: p95 under {SEARCH_P95_MS} ms (c={c1})",
                p95(s),
                None if s is None else (latency_ok(s, SEARCH_P95_MS) and refs >= 200_000),
            )
        ]

    def _refresh(self) -> list[Row]:
        refresh = self.r.get("refresh")
        if not refresh:
            return []
        n = refresh["n"]
        want = math.ceil(n / 200)
        efetch = [run["requests"].get("efetch.fcgi", 0) for run in refresh["runs"]]
        writes = max(run["max_writes_per_table_per_batch"] for run in refresh["runs"])
        return [
            (
                f"Refresh of {n:,} references: ceil({n:,}/200) = {want} PubMed requests",
                " / ".join(str(e) for e in efetch) + " (run 1 / run 2)",
                all(e == want for e in efetch) and n >= 10_000,
            ),
            (
                "Refresh: at most one write query per batch per table",
                f"at most {writes}",
                writes <= 1,
            ),
        ]

    def _queries(self) -> list[Row]:
        if not self.r.get("queries"):
            return []
        grown = [g for g, ok in self.query_groups().items() if not ok]
        return [
            (
                "SQL queries per page / API call do not grow with rows",
                "never more for the larger version" if not grown else "differ: " + ", ".join(grown),
                not grown,
            )
        ]

    def _answered(self) -> list[Row]:
        non_2xx = sum(
            summarize(runs).non_2xx + summarize(runs).socket_errors
            for by_c in self.http.values()
            for by_endpoint in by_c.values()
            for runs in by_endpoint.values()
        )
        if not self.http:
            return []
        return [("Every benchmarked request answered 2xx", f"{non_2xx} failures", non_2xx == 0)]

    def _load(self) -> list[Row]:
        load = self.r.get("load")
        if not load:
            return []
        fives = load["run"]["5xx"] + load["server_5xx"]
        growth = rss_growth(load)
        return [
            ("Mixed load: zero 5xx", f"{fives}", fives == 0),
            (
                f"Mixed load: no memory growth (workers' RSS, under {RSS_GROWTH_LIMIT:.0%})",
                f"{growth:+.1%} (largest worker change)",
                growth < RSS_GROWTH_LIMIT and not load.get("workers_replaced"),
            ),
        ]

    def query_groups(self) -> dict[str, bool]:
        """Per group, whether the version with the most rows (listed first) runs no more
        queries than the next, with about a tenth of them (see queries.urls)."""
        groups: dict[str, list[int]] = {}
        for row in self.r["queries"]["uncached"]:
            if row["group"] in INFORMATIONAL_GROUPS:
                continue
            groups.setdefault(row["group"], []).append(row["queries"])
        return {g: counts[0] <= counts[min(1, len(counts) - 1)] for g, counts in groups.items()}


def rss_growth(load: dict) -> float:
    before, after = load["rss_mib"]["before"], load["rss_mib"]["after"]
    return max(((after.get(pid, 0) - mib) / mib for pid, mib in before.items()), default=0.0)
