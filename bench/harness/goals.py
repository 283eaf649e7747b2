"""The goals a benchmark run is held to (issue 18), and whether one run's results meet them.

Each row holds the figure, the goal, and the ceiling measured in the same run: the minimal
view (bench/ceiling/) for HTTP, the bare database round trip and GIN index scan for search,
the rate-limit floor for the refresh, the bare lxml iterparse for parsing, and a
logarithm's growth for goal 6. Read by the report (the Goals table of docs/benchmarks.md)
and by bench/run_all.py, which says which goals are not met.
"""

from __future__ import annotations

from . import goals_more
from .endpoints import CEILING, LABELS, summarize
from .formatting import latency_ok, p95, rps
from .goals_more import Row

P95_UNCACHED_MS = 100
HOME_P95_MS = 50
P95_CACHED_MS = 10
CACHED_SHARE = 0.6
CACHED_SHARE_CONCURRENCY = (8, 32)
CACHED_SHARE_ENDPOINTS = ("summary", "home", "condition", "pair", "versions")
LARGEST_PAIR_MIN = 2000
RSS_GROWTH_LIMIT = 0.10
# The all-kinds search runs a count per kind, then that kind's rows only when the count is
# not zero, and one more query for the pairs citing the references shown: its count
# depends on which kinds a word matches (at most 9), not on how many rows; the
# references-only search ("search-kind") is the one compared.
INFORMATIONAL_GROUPS = {"search"}


class Goals:
    """One run's results (results.json) against the goals; ``http`` is the results' wrk
    runs by phase, endpoint and concurrency."""

    def __init__(self, results: dict, http: dict) -> None:
        self.r = results
        self.http = http

    def _at(self, phase: str, endpoint: str, c: int):
        runs = self.http.get(phase, {}).get(endpoint, {}).get(c)
        return summarize(runs) if runs else None

    def rows(self) -> list[Row]:
        """One Row per goal measured; a goal's stage not run gives 'not measured' rows."""
        return [
            *self._uncached_latency(),
            *self._cached_latency(),
            *goals_more.search(self.r),
            *self._cached_share(),
            *goals_more.refresh(self.r),
            *goals_more.parse(self.r),
            *goals_more.growth(self.r),
            goals_more.past_one_machine(),
            *self._queries(),
            *self._answered(),
            *self._load(),
        ]

    def _endpoint_name(self, endpoint: str) -> str:
        if endpoint == "pair":
            n = self.r.get("targets", {}).get("largest_pair", [None, None, 0])[2]
            return f"Pair page, largest pair ({n:,} studies)"
        label = LABELS.get(endpoint, endpoint)
        return label[:1].upper() + label[1:]

    def _uncached_latency(self) -> list[Row]:
        measured = self.http.get("uncached", {})
        if not measured:
            return [
                Row(
                    "1. Every page and API call uncached: p95 under 100 ms",
                    "not measured",
                    "",
                    None,
                )
            ]
        rows: list[Row] = []
        ceiling = self._at("uncached", CEILING, 1)
        for endpoint in [e for e in LABELS if e in measured and e != CEILING]:
            limit = HOME_P95_MS if endpoint == "home" else P95_UNCACHED_MS
            s = self._at("uncached", endpoint, 1)
            ok = latency_ok(s, limit)
            if endpoint == "pair" and ok is not None:
                n = self.r.get("targets", {}).get("largest_pair", [None, None, 0])[2]
                ok = ok and n >= LARGEST_PAIR_MIN
            rows.append(
                Row(
                    f"1. {self._endpoint_name(endpoint)}: p95 under {limit} ms uncached (c=1)",
                    p95(s),
                    f"minimal view p95 {p95(ceiling)}",
                    ok,
                )
            )
        return rows

    def _cached_latency(self) -> list[Row]:
        rows: list[Row] = []
        ceiling = self._at("cached", CEILING, 1)
        for endpoint in ("pair", "condition"):
            s = self._at("cached", endpoint, 1)
            if s is None:
                continue
            rows.append(
                Row(
                    f"{self._endpoint_name(endpoint)}: p95 under {P95_CACHED_MS} ms cached (c=1)",
                    p95(s),
                    f"minimal view p95 {p95(ceiling)}",
                    latency_ok(s, P95_CACHED_MS),
                )
            )
        return rows

    def _cached_share(self) -> list[Row]:
        cached = self.http.get("cached", {})
        rows: list[Row] = []
        for endpoint in [e for e in CACHED_SHARE_ENDPOINTS if e in cached]:
            for c in CACHED_SHARE_CONCURRENCY:
                s, ceiling = self._at("cached", endpoint, c), self._at("cached", CEILING, c)
                goal = (
                    f"3. {self._endpoint_name(endpoint)} cached: at least "
                    f"{CACHED_SHARE:.0%} of the minimal view's throughput (c={c})"
                )
                if not (s and ceiling):
                    rows.append(Row(goal, "not measured", "", None))
                    continue
                share = s.median["rps"] / ceiling.median["rps"]
                rows.append(
                    Row(
                        goal,
                        f"{share:.0%} ({rps(s.median['rps'])} req/s)",
                        f"minimal view {rps(ceiling.median['rps'])} req/s",
                        share >= CACHED_SHARE and not s.non_2xx and not s.socket_errors,
                    )
                )
        if not rows:
            rows.append(
                Row(
                    "3. Summary API and pages cached: 60% of the minimal view",
                    "not measured",
                    "",
                    None,
                )
            )
        return rows

    def _queries(self) -> list[Row]:
        if not self.r.get("queries"):
            return []
        grown = [g for g, ok in self.query_groups().items() if not ok]
        return [
            Row(
                "SQL queries per page / API call do not grow with rows",
                "never more for the larger version" if not grown else "differ: " + ", ".join(grown),
                "",
                not grown,
            )
        ]

    def _answered(self) -> list[Row]:
        if not self.http:
            return []
        non_2xx = sum(
            summarize(runs).non_2xx + summarize(runs).socket_errors
            for by_c in self.http.values()
            for by_endpoint in by_c.values()
            for runs in by_endpoint.values()
        )
        return [
            Row("Every benchmarked request answered 2xx", f"{non_2xx} failures", "", non_2xx == 0)
        ]

    def _load(self) -> list[Row]:
        load = self.r.get("load")
        if not load:
            return []
        fives = load["run"]["5xx"] + load["server_5xx"]
        growth = rss_growth(load)
        return [
            Row("Mixed load: zero 5xx", f"{fives}", "", fives == 0),
            Row(
                f"Mixed load: no memory growth (workers' RSS, under {RSS_GROWTH_LIMIT:.0%})",
                f"{growth:+.1%} (largest worker change)",
                "",
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
