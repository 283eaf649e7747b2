"""Goals 2 and 4 to 7 of issue 18 (search, refresh, parsing, growth, past one machine), read
from the JSON each stage stores; a figure a stage did not write is "not measured"."""

from __future__ import annotations

import math
from typing import NamedTuple

from .formatting import ms

ONE_MILLION_FROM = 500_000  # references: a corpus at least this large is the 1M one
SEARCH_GOALS = ((False, 100), (True, 150))  # (the 1M corpus?, p95 ms)
# Goal 2's classes: a word in the class's label of search_timing.py, and the goal's words.
SEARCH_CLASSES = (
    ("single", "single words"),
    ("common", "common words"),
    ("phrase", "quoted phrases"),
    ("typo", "typos"),
)
REFRESH_FLOOR_RATIO = 1.5
REFRESH_RATE = 3.0
REFRESH_N = 10_000
PARSE_RATIO = 6.0
PARSE_SHARE = 0.6


class Row(NamedTuple):
    goal: str
    measured: str
    ceiling: str
    ok: bool | None  # None: not measured


def _number(data: dict, *words: str) -> float | None:
    """The first numeric value whose key contains every one of ``words``."""
    for key, value in data.items():
        if isinstance(value, int | float) and all(w in key.lower() for w in words):
            return float(value)
    return None


# --- goal 2: search ----------------------------------------------------------------------


def search_classes(timing: dict) -> dict[str, dict]:
    """{class label: {median, p95}} from bench/search_timing.py's JSON, whatever it calls
    the mapping (classes / per_class / by_class, or a list of {class, ...})."""
    for key in ("classes", "per_class", "by_class"):
        found = timing.get(key)
        if isinstance(found, dict):
            return {label: v for label, v in found.items() if isinstance(v, dict)}
        if isinstance(found, list):
            return {
                str(v.get("class") or v.get("label") or v.get("name")): v
                for v in found
                if isinstance(v, dict)
            }
    return {}


def _class_p95(classes: dict[str, dict], wanted: str) -> tuple[float, float | None] | None:
    for label, figures in classes.items():
        if wanted in label.lower():
            p95 = _number(figures, "p95")
            if p95 is not None:
                return p95, _number(figures, "median") or _number(figures, "p50")
    return None


def _search_ceiling(run: dict) -> str:
    c = run.get("ceiling") or {}
    if not c:
        return ""
    return (
        f"SELECT 1 p95 {ms(c['select1']['p95'])} ms; GIN scan alone "
        f"(`search_document @@ query`, 20 rows) p95 {ms(c['gin']['p95'])} ms"
    )


def search(results: dict) -> list[Row]:
    runs = list((results.get("search") or {}).get("runs", []))
    runs += _search_from_growth(results, {run.get("references", 0) for run in runs})
    rows = []
    for million, limit in SEARCH_GOALS:
        found = [r for r in runs if (r.get("references", 0) >= ONE_MILLION_FROM) == million]
        size = "1 million" if million else "200k"
        for wanted, words in SEARCH_CLASSES:
            goal = f"2. Search over {size} references, {words}: p95 under {limit} ms"
            if not found:
                rows.append(Row(goal, "not measured", "", None))
                continue
            run = max(found, key=lambda r: r.get("references", 0))
            figures = _class_p95(search_classes(run.get("timing") or {}), wanted)
            if figures is None:
                rows.append(Row(goal, f"not measured ({run.get('database')})", "", None))
                continue
            p95, median = figures
            median_text = f" (median {ms(median)})" if median is not None else ""
            rows.append(
                Row(
                    goal.replace(size, f"{run.get('references', 0):,}"),
                    f"{ms(p95)} ms{median_text}; {run.get('source', 'search_timing.py')}",
                    _search_ceiling(run),
                    p95 < limit,
                )
            )
    return rows


def _search_from_growth(results: dict, measured: set[int]) -> list[dict]:
    """The growth stage's search pages per class, for sizes the search stage did not time."""
    found = []
    for size in (results.get("growth") or {}).get("sizes", []):
        refs = size.get("references", 0)
        measures = size.get("measures") or {}
        if not refs or refs in measured or not any(k.startswith("search") for k in measures):
            continue
        classes = {
            name.removeprefix("search: "): {"p95": m["p95"], "median": m["p50"]}
            for name, m in measures.items()
            if name.startswith("search")
        }
        found.append(
            {
                "database": size["database"],
                "references": refs,
                "timing": {"classes": classes},
                "ceiling": size.get("search_ceiling"),
                "source": "search page through gunicorn, growth stage",
            }
        )
    return found


# --- goal 4: refresh ---------------------------------------------------------------------


def _floor(run: dict, rate: float | None) -> float | None:
    if run.get("floor_seconds") is not None:
        return float(run["floor_seconds"])
    efetch = run.get("requests", {}).get("efetch.fcgi", 0)
    return efetch / rate if rate else None


def _floor_parts(run: dict, rate: float) -> str:
    by = run.get("floor_seconds_by_upstream")
    if by:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in by.items())
    return f"{run.get('requests', {}).get('efetch.fcgi', 0)} efetch requests at {rate:g}/s"


def refresh(results: dict) -> list[Row]:
    data = results.get("refresh")
    if not data:
        return [
            Row(
                "4. Refresh of 10,000 references within 1.5x the rate-limit floor",
                "not measured",
                "",
                None,
            )
        ]
    n, rate = data["n"], data.get("pubmed_rate")
    rows = []
    for run in data["runs"]:
        floor = _floor(run, rate)
        goal = (
            f"4. Refresh of {n:,} references at {rate or '?'} PubMed requests/s, "
            f"{run['label']}: within {REFRESH_FLOOR_RATIO}x of the rate-limit floor"
        )
        if not floor or rate is None or rate > REFRESH_RATE:
            rows.append(
                Row(goal, f"{run['wall_seconds']:.1f} s; not at {REFRESH_RATE:g}/s", "", None)
            )
            continue
        ratio = run.get("ratio_to_floor") or run["wall_seconds"] / floor
        rows.append(
            Row(
                goal,
                f"{run['wall_seconds']:.1f} s = {ratio:.2f}x the floor",
                f"floor {floor:.1f} s ({_floor_parts(run, rate)})",
                ratio <= REFRESH_FLOOR_RATIO and n >= REFRESH_N,
            )
        )
    want = math.ceil(n / 200)
    efetch = [run["requests"].get("efetch.fcgi", 0) for run in data["runs"]]
    writes = max(run["max_writes_per_table_per_batch"] for run in data["runs"])
    rows += [
        Row(
            f"Refresh of {n:,} references: ceil({n:,}/200) = {want} PubMed requests",
            " / ".join(str(e) for e in efetch) + " (per run)",
            "",
            all(e == want for e in efetch) and n >= REFRESH_N,
        ),
        Row(
            "Refresh: at most one write query per batch per table",
            f"at most {writes}",
            "",
            writes <= 1,
        ),
    ]
    return rows


# --- goal 5: parsing ---------------------------------------------------------------------


def _parse_sets(data, path: str = "") -> list[tuple[str, dict]]:
    """Every dict of bench_pubmed_parse.py's JSON with a ratio to Biopython, by its path."""
    if not isinstance(data, dict):
        return []
    measured = "ratio_vs_biopython" in data and "share_of_ceiling" in data
    found = [(path or "overall", data)] if measured and path != "goal" else []
    for key, value in data.items():
        found += _parse_sets(value, f"{path} {key}".strip().replace("_", " "))
    return found


def parse(results: dict) -> list[Row]:
    sets = _parse_sets(results.get("parse") or {})
    if not sets:
        return [
            Row(
                "5. PubMed parse: at least 6x Biopython and 60% of the ceiling (default settings)",
                "not measured",
                "",
                None,
            )
        ]
    rows = []
    for label, d in sets:
        own = _number(d, "default") or _number(d, "records") or _number(d, "parse")
        bio = _number(d, "biopython", "per") or _number(d, "biopython", "rec")
        ceiling = _number(d, "iterparse") or _number(d, "ceiling", "rec")
        ratio, share = d.get("ratio_vs_biopython"), d.get("share_of_ceiling")
        rates = f"{own:,.0f} records/s" if own else ""
        rows.append(
            Row(
                f"5. PubMed parse, {label}, default settings: at least {PARSE_RATIO:g}x Biopython",
                f"{ratio:.2f}x" + (f" ({rates})" if rates else "")
                if ratio is not None
                else "not measured",
                f"Biopython {bio:,.0f} records/s" if bio else "",
                None if ratio is None else ratio >= PARSE_RATIO,
            )
        )
        rows.append(
            Row(
                f"5. PubMed parse, {label}, default settings: at least {PARSE_SHARE:.0%} "
                "of the ceiling",
                f"{share:.0%}" if share is not None else "not measured",
                f"bare iterparse {ceiling:,.0f} records/s" if ceiling else "bare iterparse",
                None if share is None else share >= PARSE_SHARE,
            )
        )
    return rows


# --- goals 6 and 7 -----------------------------------------------------------------------


def growth(results: dict) -> list[Row]:
    data = results.get("growth") or {}
    fits = data.get("fits") or {}
    if not fits:
        return [
            Row(
                "6. Growth with corpus size: no faster than the logarithm", "not measured", "", None
            )
        ]
    sizes = len([s for s in data.get("sizes", []) if s.get("measures")])
    rows = []
    for name, fit in fits.items():
        points = " → ".join(f"{ms(t)}" for _, t in fit["points"])
        se = f" ± {fit['se']:.3f}" if fit.get("se") is not None else ""
        ceiling = f"log N over the same range: b = {fit['log_b']:.3f}"
        limit = fit["log_b"]
        if fit.get("rows_b") is not None:
            # Goal 6's exception: what is proportional to the rows shown may grow with them.
            ceiling += f"; the rows it shows: b = {fit['rows_b']:.3f}"
            limit = max(limit, fit["rows_b"] + fit["log_b"])
        rows.append(
            Row(
                f"6. {name}: grows no faster than log N, or than the rows it shows "
                f"({sizes} of 3 corpus sizes)",
                f"b = {fit['b']:.3f}{se} (p50 ms {points})",
                ceiling,
                fit["b"] <= limit,
            )
        )
    return rows


def past_one_machine() -> Row:
    return Row(
        "7. Past one machine: Cache-Control and validators, read replicas, N machines",
        "tests, not benchmarks: tests/operations/test_replicas.py and the conditional-request "
        "tests (`make test`); docs/operations.md",
        "",
        None,
    )
