"""Importing the whole interop corpus (tests/fixtures/interop) with PubMed and Crossref off.

Not a test. Every corpus file goes through the import job service as an upload would
(import_job_create_for_file + import_job_run: parse, items, upsert), with both upstreams
pointed at a closed port on 127.0.0.1, so every record with an identifier is stored from
the file and marked for enrichment (issue 15). Then the corpus is imported a second time,
which must create nothing. Prints records per second for each pass and per format family.

The database is one of the script's own: a fresh SQLite file in a temporary directory by
default; with ``--postgres`` a database (``--database``, default
``evidentia_bench_interop``) on the server of DATABASE_URL, created and dropped by the
script.

Run:  .venv/bin/python bench/interop_import.py
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
          .venv/bin/python bench/interop_import.py --postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "evidentia_bench_interop"


def _configure(args: argparse.Namespace, workdir: Path) -> str | None:
    """Point Django at the script's own database; the PostgreSQL URL, if any."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("REDIS_URL", None)  # rate limits in-process: no shared Redis touched
    if not args.postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'interop.sqlite3'}"
        return None
    from bench.harness.refresh_fakes import database_url, recreate_database

    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        raise SystemExit("--postgres needs DATABASE_URL=postgres://...")
    recreate_database(server, args.database)
    os.environ["DATABASE_URL"] = database_url(server, args.database)
    return server


def _import_all(files) -> tuple[float, Counter, Counter, int]:
    from references.services.jobs import import_job_create_for_file, import_job_run

    records, created, failed = Counter(), Counter(), 0
    started = time.perf_counter()
    for corpus_file in files:
        data = corpus_file.path.read_bytes()
        job = import_job_create_for_file(data=data, filename=corpus_file.path.name)
        job = import_job_run(job_id=job.pk)
        family = corpus_file.id.split("/")[0]
        records[family] += job.total - job.failed_count
        created[family] += job.created_count
        failed += job.failed_count
    elapsed = time.perf_counter() - started
    return elapsed, records, created, failed


def _report(name: str, elapsed: float, records: Counter, created: Counter, failed: int) -> None:
    total = sum(records.values())
    print(
        f"{name}: {total} records in {elapsed:.2f} s = {total / elapsed:,.0f} records/s "
        f"({sum(created.values())} references created, {failed} items failed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL (DATABASE_URL)")
    parser.add_argument("--database", default=DATABASE, help="the database --postgres creates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = _configure(args, Path(tmp))
        try:
            _run()
        finally:
            if server:
                from django.db import connections

                connections.close_all()
                from bench.harness.refresh_fakes import recreate_database

                recreate_database(server, args.database, drop_only=True)


def _run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tests.references.interop.corpus import corpus_files
    from tests.references.interop.offline import switch_upstream_off

    call_command("migrate", verbosity=0)
    switch_upstream_off(settings, ratelimit_prefix="bench-interop:ratelimit:")
    files = corpus_files()
    families = Counter(f.id.split("/")[0] for f in files)
    listed = ", ".join(f"{name} {count}" for name, count in sorted(families.items()))
    print(f"{len(files)} corpus files ({listed}); database: {connection.vendor}; upstream off")
    first = _import_all(files)
    _report("first import", *first)
    for family, count in sorted(first[1].items()):
        print(f"  {family}: {count} records, {first[2][family]} references created")
    second = _import_all(files)
    _report("second import (must create nothing)", *second)


if __name__ == "__main__":
    main()
