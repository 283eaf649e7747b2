"""Publishing a pair's draft (issue 16): how long a reviewer waits, by the pair's size.

Not a test. A publication reads the pair's content (every study, for the version kept
whole), works out what changed against the version before, and copies the studies readers
see with one INSERT ... SELECT. The script builds its own database (as bench_first_view.py
does, on the PostgreSQL server of DATABASE_URL, dropped at the end), loads the demo, adds
``--studies`` studies to rheumatoid arthritis x IVIG, then publishes ``--repeat`` times as a
superuser, each time after changing one study's result: the time, the queries and the size
of the version's stored content.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia \\
          .venv/bin/python bench/bench_publish.py --studies 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_first_view as own  # noqa: E402
from bench.statements import statements_sent  # noqa: E402

own.DATABASE = "evidentia_bench_publish"


def _publications(repeat: int) -> list[tuple[float, int, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from evidence.models import Study, Verdict
    from evidence.services.publication import verdict_publish

    user = get_user_model().objects.create(username="bench-reviewer", is_superuser=True)
    verdict = Verdict.objects.get(condition__slug=own.PAIR[0], therapy__slug=own.PAIR[1])
    study = Study.objects.filter(verdict=verdict).order_by("id").first()
    figures = []
    for run in range(repeat):
        study.outcome_summary = f"Result reread, run {run}."
        study.save()
        with statements_sent(connection) as queries:
            started = time.perf_counter()
            version = verdict_publish(verdict=verdict, user=user, note=f"Run {run}.")
            elapsed = time.perf_counter() - started
        figures.append((elapsed, len(queries), len(json.dumps(version.content))))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    admin = own._use_own_database()
    import django
    import psycopg
    from django.core.management import call_command

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        from evidence.services import demo_load

        demo_load()
        own._add_studies(args.studies)
        figures = _publications(args.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{own.DATABASE}" WITH (FORCE)')
    times = [elapsed for elapsed, _, _ in figures]
    print(
        f"studies in the pair: {args.studies + 6}; publication: median "
        f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max "
        f"{max(times) * 1000:.0f}), {figures[0][1]} queries; stored content "
        f"{figures[0][2] / 1e6:.1f} MB; runs: {args.repeat}"
    )


if __name__ == "__main__":
    main()
