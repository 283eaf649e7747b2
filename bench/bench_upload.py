"""How long POST /api/v1/imports/ holds the request for a big reference-manager file.

Not a test. Issue 12: a 5 MB RIS of 160,000 minimal records held the request for more
than two minutes under runserver, because the file was parsed and its items written
inside the request. Now the request stores the file and answers 202; the worker parses.

The script creates a database of its own (``evidentia_bench_upload`` on the PostgreSQL
server of DATABASE_URL, dropped at the end), starts a private redis-server as the broker
(so no worker of anyone else's takes the message), serves the app with
``manage.py runserver`` (the server of ``make demo`` and of the report) under
config.settings.bench, and posts the file ``--repeat`` times with httpx, as a superuser's
token. No worker runs, so each job stays pending with no items, which the script checks.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia \\
          .venv/bin/python bench/bench_upload.py --records 160000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import environ  # noqa: E402
import httpx  # noqa: E402
import psycopg  # noqa: E402

from tests.support.services import PrivateRedis, free_port, wait_for_port  # noqa: E402

DATABASE = "evidentia_bench_upload"
PYTHON = sys.executable


def minimal_ris(records: int) -> bytes:
    """32-byte RIS records: 160,000 of them are the issue's 5 MB file."""
    return b"".join(b"TY  - JOUR\nTI  - R%06d\nER  - \n" % i for i in range(records))


def _admin_url(url: str) -> str:
    db = environ.Env.db_url_config(url)
    port = f":{db['PORT']}" if db.get("PORT") else ""
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}{port}/postgres", db


def _recreate(admin_url: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, **kwargs
    )


CREATE_USER = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
print(Token.objects.create(user=user).key)
"""


# Long function: one script read top to bottom: arguments, server, the timed uploads, report.
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=160_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (a database of its own is created there).")
    admin_url, db = _admin_url(database_url)
    data = minimal_ris(options.records)
    print(f"file: {options.records:,} records, {len(data):,} bytes")

    redis = PrivateRedis().start()
    server = None
    _recreate(admin_url)
    try:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "DATABASE_URL": database_url.rsplit("/", 1)[0] + f"/{DATABASE}",
            "REDIS_URL": redis.url(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        }
        _manage(env, "migrate", "--verbosity", "0")
        token = _manage(env, "shell", "-c", CREATE_USER, capture_output=True).stdout.split()[-1]
        server = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_port(port, timeout=60):
            sys.exit("runserver did not start")
        headers = {"Authorization": f"Token {token}"}
        timings = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            for _ in range(options.repeat):
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/imports/", files={"file": ("big.ris", data)}, timeout=600
                )
                timings.append(time.perf_counter() - started)
                if response.status_code != 202:
                    sys.exit(f"expected 202, got {response.status_code}: {response.text[:500]}")
                job = client.get(response.headers["Location"]).json()
                assert (job["status"], job["items"]) == ("pending", []), job
        print(
            f"POST /api/v1/imports/ under runserver, {options.repeat} runs: "
            f"median {statistics.median(timings):.3f} s, min {min(timings):.3f} s, "
            f"max {max(timings):.3f} s; each answered 202 with a pending job of 0 items"
        )
        print(f"PostgreSQL {db.get('HOST')}; load average {os.getloadavg()[0]:.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        redis.kill()
        _recreate(admin_url, drop_only=True)


if __name__ == "__main__":
    main()
