"""Time the site-search selector over a generated corpus, per class of query (not a test).

    DATABASE_URL=postgres://.../evidentia_bench .venv/bin/python bench/search_timing.py \
        [--runs 20] [--json PATH]

Each query runs ``--runs`` times through ``search.selectors.site_search`` as the search
page calls it: every kind at once (the page's first view), and the references of one
kind (the "more references" page). The classes, the goal's (issue 18, goal 2) and a few
more, the data-dependent queries picked from the corpus itself:

- ``single word``: middling title and abstract words, a therapy and a condition word;
- ``rare word``: words in a handful of references;
- ``common word``: words in most references ("patients"), alone and two together;
- ``phrase``: quoted phrases of common words, frequent ones ("standard care", in every
  abstract) and rare ones (two common words seldom side by side);
- ``typo``: misspelt condition and abstract words ("rheumatiod", "spondilitis");
- ``author``, ``identifier`` (a DOI and a PMID), ``excluded word`` ("arthritis -juvenile").

Prints the median and p95 per query and per class and overall. With ``--json PATH`` it
also writes::

    {"references": <references in the database>, "studies": <published studies>,
     "runs": <runs per query and kind>,
     "classes": {"<class>": {"median_ms": .., "p95_ms": .., "searches": <timed calls>,
                             "queries": [<the queries>]}, ...},
     "overall": {"median_ms": .., "p95_ms": .., "searches": ..}}

Figures go to docs/benchmarks.md (bench/run_all.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from devtools.corpus.text import vocabulary  # noqa: E402
from evidence.models import PublishedStudy  # noqa: E402
from references.models import Reference  # noqa: E402
from search.selectors import site_search  # noqa: E402
from therapies.models import Therapy  # noqa: E402

GOAL_CLASSES = ("single word", "rare word", "common word", "phrase", "typo")


def queries() -> list[tuple[str, str]]:
    """(class, query), the data-dependent ones picked from the corpus itself."""
    sample = Reference.objects.filter(doi__startswith="10.5555/").order_by("id")
    middle = sample[sample.count() // 2]
    family = next(a["family"] for a in middle.authors if a.get("family"))
    words, _ = vocabulary()
    therapy = Therapy.objects.order_by("id").values_list("name", flat=True)[0]
    return [
        ("single word", words[200]),
        ("single word", words[1000]),
        ("single word", therapy),
        ("single word", "myositis"),
        ("rare word", words[-1]),
        ("rare word", words[-500]),
        ("rare word", words[8000]),
        ("common word", "patients"),
        ("common word", "treatment"),
        ("common word", "efficacy safety"),
        ("common word", "autoimmune arthritis"),
        ("phrase", '"randomised controlled"'),
        ("phrase", '"standard care"'),
        ("phrase", '"safety endpoint"'),
        ("phrase", '"serum sample"'),
        ("phrase", '"larger trials are needed"'),
        ("typo", "rheumatiod"),
        ("typo", "spondilitis"),
        ("typo", "amyloidsis"),
        ("typo", "hetrogeneity"),
        ("typo", "rheumatiod arthritis"),
        ("author", family),
        ("identifier", middle.doi),
        ("identifier", middle.pmid or middle.doi),
        ("excluded word", "arthritis -juvenile"),
    ]


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_p95(timings), 1),
        "searches": len(timings),
    }


def _time(query: str, kind: str | None, runs: int) -> tuple[list[float], int, int]:
    # Untimed, first: capturing costs a little, and it warms this query's plans and pages.
    with CaptureQueriesContext(connection) as captured:
        results = site_search(query=query, kind=kind)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        site_search(query=query, kind=kind)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(captured), results.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write per-class figures here")
    args = parser.parse_args()
    by_class: dict[str, list[float]] = {}
    asked: dict[str, list[str]] = {}
    print(f"{'class':<14} {'query':<28} {'kind':<10} {'median':>7} {'p95':>7} {'SQL':>4}  found")
    for label, query in queries():
        asked.setdefault(label, []).append(query)
        for kind in (None, "references"):
            timings, sql, found = _time(query, kind, args.runs)
            by_class.setdefault(label, []).extend(timings)
            print(
                f"{label:<14} {query[:28]:<28} {kind or 'all':<10} "
                f"{statistics.median(timings):7.1f} {_p95(timings):7.1f} {sql:4d}  {found}",
                flush=True,
            )
    every = [t for timings in by_class.values() for t in timings]
    report = {
        "references": Reference.objects.count(),
        "studies": PublishedStudy.objects.count(),
        "runs": args.runs,
        "classes": {
            label: {**_summary(timings), "queries": asked[label]}
            for label, timings in by_class.items()
        },
        "overall": _summary(every),
    }
    print(f"\n{report['references']:,} references; ms per search (median / p95):")
    for label, figures in report["classes"].items():
        goal = "  (goal class)" if label in GOAL_CLASSES else ""
        print(f"  {label:<14} {figures['median_ms']:7.1f} {figures['p95_ms']:7.1f}{goal}")
    overall = report["overall"]
    print(f"  {'overall':<14} {overall['median_ms']:7.1f} {overall['p95_ms']:7.1f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
