"""One corpus's figures for the growth stage of `make bench` (bench/harness/growth.py).

Not a test, and not run by hand as a rule: the growth stage runs it once per corpus size,
in a process of its own so that Django connects to that corpus's database.

- ``--part http``: gunicorn (page cache off) on DATABASE_URL, then wrk at concurrency 1
  on the home page, a condition page and a pair page of about the same rows at every size,
  the summary API of that condition, and the search page per class of query (the same
  words at every size: the generated corpora share one vocabulary);
- ``--part refresh``: N references (bench/harness/refresh_fakes: PMIDs from 20,000,000,
  which the generated corpus never uses) added to the corpus, refreshed twice against a
  fake PubMed + Crossref with the rate limits lifted (every one changed, then none), then
  deleted again: the cost of a fixed refresh inside a corpus of that size.

Figures go to ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import wrk  # noqa: E402
from bench.harness.options import OUT_DIR, from_environment  # noqa: E402

# The rows a page shows are held constant across sizes: the pair with the number of
# studies nearest PAIR_STUDIES, the condition with the verdicts nearest CONDITION_VERDICTS.
PAIR_STUDIES = 500
CONDITION_VERDICTS = 5
# One search per class, the same words at every size (devtools.corpus.text's vocabulary).
SEARCH_CLASSES = {
    "single word": "myositis",
    "common word": "patients",
    "phrase": '"randomised controlled"',
    "typo": "rheumatiod",
}


def _nearest(rows: list[tuple], want: int) -> tuple:
    return min(rows, key=lambda row: (abs(row[-1] - want), row[:-1]))


def targets() -> dict:
    from django.db.models import Count

    from evidence.models import Condition, Study, Verdict
    from evidence.selectors.home import HOME_CONDITION_LIMIT, HOME_THERAPY_LIMIT
    from references.models import Reference
    from therapies.models import Therapy

    verdict_pairs = set(Verdict.objects.values_list("condition_id", "therapy_id"))
    pairs = [
        (row["condition__slug"], row["therapy__slug"], row["n"])
        for row in Study.objects.order_by()
        .values("condition__slug", "therapy__slug", "condition_id", "therapy_id")
        .annotate(n=Count("id"))
        if (row["condition_id"], row["therapy_id"]) in verdict_pairs
    ]
    conditions = list(
        Condition.objects.annotate(n=Count("verdicts")).filter(n__gt=0).values_list("slug", "n")
    )
    return {
        "references": Reference.objects.count(),
        "studies": Study.objects.count(),
        # The home page lists the conditions and therapies up to its limits
        # (evidence.selectors.home): the rows it shows grow with the corpus only below them.
        "home_rows": min(Condition.objects.count(), HOME_CONDITION_LIMIT)
        + min(Therapy.objects.count(), HOME_THERAPY_LIMIT),
        "pair": _nearest(pairs, PAIR_STUDIES),
        "condition": _nearest(conditions, CONDITION_VERDICTS),
    }


def paths(target: dict) -> dict[str, str]:
    condition, therapy, _ = target["pair"]
    slug, _ = target["condition"]
    found = {
        "home": "/",
        "condition": f"/conditions/{slug}/",
        "pair": f"/conditions/{condition}/{therapy}/",
        "summary": f"/api/v1/conditions/{slug}/summary/",
    }
    for label, query in SEARCH_CLASSES.items():
        found[f"search: {label}"] = f"/search/?q={urllib.parse.quote(query)}"
    return found


def measure_http(seconds: int, runs: int) -> dict:
    from bench.harness.server import Gunicorn

    target = targets()
    urls = paths(target)
    samples: dict[str, list[dict]] = {name: [] for name in urls}
    options = from_environment()
    with Gunicorn(options, page_cache=False) as server:
        files = {}
        for name, path in urls.items():
            # Always http://127.0.0.1:<port>: the server this process started.
            with urllib.request.urlopen(server.url + path, timeout=120) as response:  # noqa: S310
                response.read()
            files[name] = OUT_DIR / f"growth-{uuid.uuid4().hex[:8]}.txt"
            files[name].write_text(path + "\n")
        for _ in range(runs):
            for name in urls:
                result = wrk.run(
                    server.url,
                    script="paths.lua",
                    args=[str(files[name])],
                    connections=1,
                    seconds=seconds,
                )
                samples[name].append(
                    {
                        "p50": result.latency_ms["p50"],
                        "p95": result.latency_ms["p95"],
                        "requests": result.requests,
                        "failed": result.non_2xx + result.socket_errors,
                    }
                )
        for file in files.values():
            file.unlink(missing_ok=True)
    return {"targets": target, "paths": urls, "measures": _medians(samples)}


def _medians(samples: dict[str, list[dict]]) -> dict:
    return {
        name: {
            "p50": statistics.median(s["p50"] for s in runs),
            "p95": statistics.median(s["p95"] for s in runs),
            "requests": sum(s["requests"] for s in runs),
            "failed": sum(s["failed"] for s in runs),
            "runs": runs,
        }
        for name, runs in samples.items()
    }


def _refresh_environment(n: int):
    from bench.harness.refresh_fakes import FakeServer

    server = FakeServer(n, 1000.0)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "PUBMED_BASE_URL": server.url("/pubmed/"),
            "CROSSREF_BASE_URL": server.url("/crossref/"),
            "PUBMED_RATE_LIMIT_PER_SECOND": "1000",
            "CROSSREF_RATE_LIMIT_PER_SECOND": "1000",
            "CROSSREF_CONCURRENCY_LIMIT": "1",
            "UPSTREAM_RATELIMIT_PREFIX": f"bench:{uuid.uuid4().hex}:ratelimit:",
        }
    )
    return server


def _delete(ids: list[int]) -> None:
    from references.models import Reference

    Reference.objects.filter(pk__in=ids).delete()


def measure_refresh(n: int) -> dict:
    """Refresh n added references twice (changed, then unchanged); wall seconds of each."""
    from bench.harness.refresh_fakes import FIRST_PMID
    from references.models import Reference
    from references.services.jobs import import_job_run, refresh_job_create

    pmids = [str(FIRST_PMID + i) for i in range(n)]
    # Left over by a run that was stopped: only the rows this function adds.
    left = Reference.objects.filter(pmid__in=pmids, doi__startswith="10.5555/bench.")
    _delete(list(left.values_list("pk", flat=True)))
    Reference.objects.bulk_create(
        (
            Reference(pmid=pmid, doi=f"10.5555/bench.{i}", title=f"Stored title {i}", year=2017)
            for i, pmid in enumerate(pmids)
        ),
        batch_size=2000,
    )
    ids = list(Reference.objects.filter(pmid__in=pmids).values_list("pk", flat=True))
    runs = []
    try:
        for label in ("changed", "unchanged"):
            started = time.perf_counter()
            job = refresh_job_create(reference_ids=ids)
            job = import_job_run(job_id=job.pk)
            runs.append(
                {
                    "label": label,
                    "seconds": time.perf_counter() - started,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "failed": job.failed_count,
                }
            )
    finally:
        _delete(ids)
    return {"n": n, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["http", "refresh"], required=True)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--refresh-n", type=int, default=1000)
    args = parser.parse_args()
    server = _refresh_environment(args.refresh_n) if args.part == "refresh" else None
    try:
        import django

        django.setup()
        if args.part == "http":
            figures = measure_http(args.seconds, args.runs)
        else:
            figures = measure_refresh(args.refresh_n)
    finally:
        if server:
            server.close()
    args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
