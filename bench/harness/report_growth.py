"""The report's sections on search timing (goal 2) and growth with corpus size (goal 6):
each takes the Report and adds its lines; the growth chart is written beside the report."""

from __future__ import annotations

from pathlib import Path

from .formatting import ms
from .goals_more import search_classes
from .growth_chart import svg

CHART = "benchmarks-growth.svg"


def search_section(report) -> None:
    runs = (report.r.get("search") or {}).get("runs") or []
    if not runs:
        return
    report.add(
        "## Search timing per class of query",
        "",
        "`bench/search_timing.py --json` (the site-search selector in one process, each query "
        f"{report.r['options'].get('search_runs', '?')} times) on each corpus. The ceiling: a "
        "bare `SELECT 1` round trip, and the GIN index scan of the references' stored "
        "documents alone (`search_document @@ websearch_to_tsquery('english', 'patients')`, "
        "20 ids, nothing ranked or counted), 30 times each.",
        "",
        "| corpus | class | median ms | p95 ms |",
        "|---|---|---:|---:|",
    )
    for run in runs:
        corpus = f"{run['database']} ({run['references']:,} references)"
        classes = search_classes(run.get("timing") or {})
        if not classes:
            report.add(f"| {corpus} | not measured | | |")
        for label, figures in classes.items():
            median = next((v for k, v in figures.items() if "median" in k or "p50" in k), None)
            p95 = next((v for k, v in figures.items() if "p95" in k), None)
            report.add(
                f"| {corpus} | {label} | {ms(median) if median is not None else '—'} | "
                f"{ms(p95) if p95 is not None else '—'} |"
            )
        c = run.get("ceiling")
        if c:
            report.add(
                f"| {corpus} | ceiling: `SELECT 1` / GIN scan alone | "
                f"{ms(c['select1']['p50'])} / {ms(c['gin']['p50'])} | "
                f"{ms(c['select1']['p95'])} / {ms(c['gin']['p95'])} |"
            )
    report.add("")


def growth_section(report, report_path: Path | None) -> None:
    growth = report.r.get("growth") or {}
    sizes = growth.get("sizes") or []
    if not sizes:
        return
    o = report.r["options"]
    report.add(
        "## How cost grows with the corpus (goal 6)",
        "",
        "`bench/harness/growth.py`: three corpora, about 20k references (generate_corpus with a "
        "tenth of every size), the main 200k corpus, and about 1M (a copy of the main corpus "
        "made five times larger by `manage.py replicate_corpus --factor 5`), studies in "
        "proportion. On each, `bench/growth_measure.py` starts gunicorn with the page cache "
        f"off and runs wrk at concurrency 1, {o.get('growth_seconds', '?')} s per URL, "
        f"{o.get('growth_runs', '?')} rounds (median of the rounds). The rows shown are held "
        "constant: the pair page is the pair with the number of studies nearest 500 and the "
        "condition page and summary API the condition with the verdicts nearest 5, at every "
        "size; the search words are the same everywhere (the corpora share one vocabulary), "
        "so only the matches they count grow with the corpus. The home page lists the "
        "conditions and therapies up to its limits (200 each), so its rows grow with the "
        "corpus only below them (goal 6's exception: its exponent is held to that of its "
        "rows plus the logarithm's). The refresh adds "
        f"{o.get('growth_refresh_n', '?')} references to the corpus, refreshes them twice "
        "against the fake upstream with rate limits lifted (every one changed, then none; one "
        "run each) and deletes them again.",
        "",
        "The exponent b of time ≈ a·N^b is the least-squares slope of log p50 on log N "
        "(± its standard error); a cost proportional to log N would show the exponent in the "
        "last column over the same range.",
        "",
    )
    _size_table(report, sizes)
    _fit_table(report, growth.get("fits") or {})
    if growth.get("fits") and report_path is not None:
        (report_path.parent / CHART).write_text(
            svg(growth["fits"], "p50 at concurrency 1 by corpus size (log-log)")
        )
        report.add(f"![p50 by corpus size, log-log]({CHART})", "")


def _size_table(report, sizes: list[dict]) -> None:
    report.add(
        "| corpus | references | studies | pair page | condition page |", "|---|---:|---:|---|---|"
    )
    for size in sizes:
        if not size.get("measures"):
            report.add(
                f"| {size['database']} | not measured: {size.get('error', '?')[:200]} | | | |"
            )
            continue
        t = size["targets"]
        c, th, n = t["pair"]
        report.add(
            f"| {size['database']} | {size['references']:,} | {size['studies']:,} | "
            f"`/conditions/{c}/{th}/` ({n:,} studies) | "
            f"`/conditions/{t['condition'][0]}/` ({t['condition'][1]} verdicts) |"
        )
    for size in sizes:
        if size.get("provenance"):
            report.add(f"- `{size['database']}`: {size['provenance']}.")
    report.add("")


def _fit_table(report, fits: dict) -> None:
    sizes = [s for s in report.r["growth"]["sizes"] if s.get("measures")]
    if not sizes:
        return
    report.add(
        "| measure | p50 ms by size | p95 ms by size | b | log N's b |",
        "|---|---|---|---:|---:|",
    )
    for name in dict.fromkeys(n for s in sizes for n in s["measures"]):
        at = [s["measures"][name] for s in sizes if name in s["measures"]]
        fit = fits.get(name)
        b = _exponent(fit) if fit else "—"
        report.add(
            f"| {name} | {' → '.join(ms(m['p50']) for m in at)} | "
            f"{' → '.join(ms(m['p95']) for m in at)} | {b} | "
            f"{fit['log_b']:.3f}{_rows(fit)} |"
            if fit
            else f"| {name} | {' → '.join(ms(m['p50']) for m in at)} | "
            f"{' → '.join(ms(m['p95']) for m in at)} | {b} | — |"
        )
    report.add("")


def _exponent(fit: dict) -> str:
    se = fit.get("se")
    return f"{fit['b']:.3f}" + (f" ± {se:.3f}" if se is not None else "")


def _rows(fit: dict) -> str:
    rows_b = fit.get("rows_b")
    return f" (rows shown: {rows_b:.3f})" if rows_b is not None else ""
