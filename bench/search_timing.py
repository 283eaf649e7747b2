"""Time the site-search selector over a generated corpus (not a test).

    DATABASE_URL=postgres://.../evidentia_bench .venv/bin/python bench/search_timing.py [--runs 20]

Runs each typical query (common words, rare words, an author, a DOI, typos) ``--runs``
times through ``search.selectors.site_search`` (every kind, as the search page does, and
the references page of one kind) and prints the median and p95 per query and overall.
Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402

from devtools.corpus.text import vocabulary  # noqa: E402
from references.models import Reference  # noqa: E402
from search.selectors import site_search  # noqa: E402
from therapies.models import Therapy  # noqa: E402


def queries() -> list[tuple[str, str]]:
    """(label, query), the data-dependent ones picked from the corpus itself."""
    sample = Reference.objects.filter(doi__startswith="10.5555/").order_by("id")
    middle = sample[sample.count() // 2]
    family = next(a["family"] for a in middle.authors if a.get("family"))
    words, _ = vocabulary()
    return [
        ("common word", "patients"),
        ("common words", "efficacy safety"),
        ("condition words", "autoimmune arthritis"),
        ("therapy name", Therapy.objects.order_by("id").values_list("name", flat=True)[0]),
        ("rare word", words[-1]),
        ("rare-ish word", words[500]),
        ("author", family),
        ("DOI", middle.doi),
        ("typo", "rheumatiod"),
        ("typo", "spondilitis"),
        ("excluded word", "arthritis -juvenile"),
        # Not in the p95: a phrase of common words is checked row by row (see docs).
        ("phrase", '"randomised controlled"'),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    every: list[float] = []
    print(
        f"{'query':<16} {'kind':<11} {'median ms':>9} {'p95 ms':>7} {'queries':>7}  matches",
        flush=True,
    )
    for label, query in queries():
        for kind in (None, "references"):
            timings = []
            for _ in range(args.runs):
                reset_queries()
                started = time.perf_counter()
                results = site_search(query=query, kind=kind)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            if label != "phrase":
                every.extend(timings)
            print(
                f"{label:<16} {kind or 'all':<11} {statistics.median(timings):9.1f} {p95:7.1f} "
                f"{len(connection.queries):7d}  {results.count}"
            )
    every.sort()
    print(
        f"overall: median {statistics.median(every):.1f} ms, "
        f"p95 {every[int(len(every) * 0.95)]:.1f} ms over {len(every)} searches (phrase excluded)"
    )


if __name__ == "__main__":
    main()
