"""SQL queries per page and per API call, and EXPLAIN ANALYZE of the slowest ones.

In the harness process, with Django's test client and CaptureQueriesContext, on the
full corpus: each URL is requested twice and the second request counted (the first
pays for connection set-up and cold caches). The counts of the largest and the smallest
pair / condition / search are compared: they must be equal, since a page's query count
must not grow with its rows. With the page cache off (config.settings.bench reads
BENCH_PAGE_CACHE=0 at start-up), then on, warm.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from .corpus import Targets

PLAN_LINES = 40


@dataclass
class Counted:
    label: str
    url: str
    status: int
    queries: int
    sql_ms: float
    statements: list[tuple[float, str]]  # (ms, sql)


# Long function: a flat table of the URLs measured, one entry per page and API call.
def urls(targets: Targets) -> list[tuple[str, str, str]]:
    """(group, label, url): in each group, the version with the most rows comes first and
    must not run more queries than the second, which has about a tenth of them (the
    smallest, last, may take another path through the code: a pair small enough to
    draw whole, a condition without sub-conditions)."""
    big_c, big_t, big_n = targets.largest_pair
    mid_c, mid_t, mid_n = targets.tenth_pair
    small_c, small_t, small_n = targets.smallest_pair
    big_cond, big_v = targets.largest_condition
    mid_cond, mid_v = targets.tenth_condition
    small_cond, small_v = targets.smallest_condition
    q = urllib.parse.quote
    return [
        ("home", "home page", "/"),
        ("pair", f"pair page, largest pair ({big_n:,} studies)", f"/conditions/{big_c}/{big_t}/"),
        ("pair", f"pair page ({mid_n:,} studies)", f"/conditions/{mid_c}/{mid_t}/"),
        (
            "pair",
            f"pair page, smallest pair ({small_n:,} studies)",
            f"/conditions/{small_c}/{small_t}/",
        ),
        (
            "condition",
            f"condition page, most verdicts ({big_v})",
            f"/conditions/{big_cond}/",
        ),
        ("condition", f"condition page ({mid_v} verdicts)", f"/conditions/{mid_cond}/"),
        (
            "condition",
            f"condition page, fewest verdicts ({small_v})",
            f"/conditions/{small_cond}/",
        ),
        (
            "summary",
            f"summary API, most verdicts ({big_v})",
            f"/api/v1/conditions/{big_cond}/summary/",
        ),
        (
            "summary",
            f"summary API ({mid_v} verdicts)",
            f"/api/v1/conditions/{mid_cond}/summary/",
        ),
        (
            "summary",
            f"summary API, fewest verdicts ({small_v})",
            f"/api/v1/conditions/{small_cond}/summary/",
        ),
        (
            "search",
            f"search, common word '{targets.common_term}'",
            f"/search/?q={q(targets.common_term)}",
        ),
        (
            "search",
            f"search, a tenth as frequent word '{targets.tenth_term}'",
            f"/search/?q={q(targets.tenth_term)}",
        ),
        (
            "search",
            f"search, rare word '{targets.rare_term}'",
            f"/search/?q={q(targets.rare_term)}",
        ),
        (
            "search-kind",
            f"search references only, '{targets.common_term}'",
            f"/search/?q={q(targets.common_term)}&kind=references",
        ),
        (
            "search-kind",
            f"search references only, page 2, '{targets.common_term}'",
            f"/search/?q={q(targets.common_term)}&kind=references&page=2",
        ),
        (
            "search-kind",
            f"search references only, '{targets.tenth_term}'",
            f"/search/?q={q(targets.tenth_term)}&kind=references",
        ),
    ]


def count_queries(targets: Targets) -> list[tuple[str, Counted]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counted = []
    for group, label, url in urls(targets):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        statements = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        counted.append(
            (
                group,
                Counted(
                    label=label,
                    url=url,
                    status=response.status_code,
                    queries=len(statements),
                    sql_ms=sum(ms for ms, _ in statements),
                    statements=statements,
                ),
            )
        )
    return counted


def _shape(sql: str) -> str:
    """The statement with its literals blanked, to tell one query from another."""
    return re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", sql)


def slowest(counted: list[tuple[str, Counted]], n: int = 3) -> list[tuple[str, float, str]]:
    """The n slowest distinct statements: (label of the page, ms, sql)."""
    seen: set[str] = set()
    found = []
    every = [(ms, sql, c.label) for _, c in counted for ms, sql in c.statements]
    for ms, sql, label in sorted(every, key=lambda item: item[0], reverse=True):
        shape = _shape(sql)
        if shape in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(shape)
        found.append((label, ms, sql))
        if len(found) == n:
            break
    return found


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        # The statement is one the application itself just ran, literals included.
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


INDEX_NODE = re.compile(
    r"(?:Index Only Scan|Index Scan)(?: Backward)? using (\S+)|Bitmap Index Scan on (\S+)"
)
SEQ_NODE = re.compile(r"Seq Scan on (\S+)")


def plan_summary(plan: list[str]) -> tuple[list[str], list[str]]:
    """Indexes used and tables read sequentially, in plan order."""
    text = "\n".join(plan)
    indexes = list(dict.fromkeys(m.group(1) or m.group(2) for m in INDEX_NODE.finditer(text)))
    seq = list(dict.fromkeys(m.group(1) for m in SEQ_NODE.finditer(text)))
    return indexes, seq
