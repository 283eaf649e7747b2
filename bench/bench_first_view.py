"""The first, uncached view of a pair page with many studies (issue 18, goal 1).

Not a test. Before citations were stored, the first view of such a page formatted every
reference it showed with citeproc (about 15 ms a reference and style). The script builds a
database of its own (``evidentia_bench_first_view`` on the PostgreSQL server of
DATABASE_URL, dropped at the end), loads the demo, adds ``--studies`` studies to the
rheumatoid arthritis x IVIG pair with tests/support/bulk_studies.py (a bulk load,
then ``manage.py format_citations`` where that exists, timed apart: it is the write side),
then, ``--repeat`` times, empties every cache and asks for the pair page in the Django test
client under config.settings.test with the page cache off: the first view, then a second
one (with the formatted-citation cache of the older code warm).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia \\
          .venv/bin/python bench/bench_first_view.py --studies 1000 --repeat 3
It also runs on a checkout from before stored citations (copy the file there), which is how
the "before" figures of docs/benchmarks.md were taken.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import environ  # noqa: E402
import psycopg  # noqa: E402

from bench.statements import statements_sent  # noqa: E402

DATABASE = "evidentia_bench_first_view"
PAIR = ("rheumatoid-arthritis", "ivig")


def _use_own_database() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/evidentia")
    db = environ.Env.db_url_config(url)
    auth = db.get("USER") or "postgres"
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    admin = f"postgres://{auth}@{host}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = f"postgres://{auth}@{host}/{DATABASE}"
    os.environ.pop("REDIS_URL", None)  # the in-process cache: nothing shared with others
    os.environ["EVIDENCE_PAGE_CACHE"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return admin


def _add_studies(n: int) -> None:
    """tests/conftest.py's add_studies, for the rheumatoid arthritis x IVIG pair."""
    from evidence.models import Verdict
    from tests.support.bulk_studies import studies_bulk_add

    verdict = Verdict.objects.get(condition__slug=PAIR[0], therapy__slug=PAIR[1])
    studies_bulk_add(n, therapy=verdict.therapy, condition=verdict.condition)


def _views(repeat: int) -> list[tuple[float, float, int]]:
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    # As Django's test runner does: a request must not close the connection being watched.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client, url = Client(), f"/conditions/{PAIR[0]}/{PAIR[1]}/"
    figures = []
    for _ in range(repeat):
        cache.clear()
        with statements_sent(connection) as queries:
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            first = time.perf_counter() - started
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        figures.append((first, time.perf_counter() - started, len(queries)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    admin = _use_own_database()
    import django
    from django.core.management import call_command

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        from evidence.services import demo_load

        demo_load()
        _add_studies(args.studies)
        started = time.perf_counter()
        try:
            call_command("format_citations", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            stored = f"{time.perf_counter() - started:.1f} s"
        except Exception:  # noqa: BLE001 - the older code has no such command
            stored = "no such command (before stored citations)"
        figures = _views(args.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    first = [f for f, _, _ in figures]
    print(f"studies added: {args.studies}; format_citations after the bulk load: {stored}")
    print(
        f"first view: median {statistics.median(first) * 1000:.0f} ms "
        f"(min {min(first) * 1000:.0f}, max {max(first) * 1000:.0f}), "
        f"{figures[0][2]} queries; second view: median "
        f"{statistics.median(s for _, s, _ in figures) * 1000:.0f} ms; runs: {args.repeat}"
    )


if __name__ == "__main__":
    main()
