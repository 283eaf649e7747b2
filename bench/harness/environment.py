"""The process environment of a run: settings module, database, Redis, a fresh secret key.

Set before anything starts, so that manage.py, gunicorn and Django in the harness
process all see the same values.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys

from .options import PAGE_CACHE_ENV, SETTINGS_MODULE, Options


def prepare(options: Options, *, page_cache: bool = False) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": options.database_url,
            "REDIS_URL": options.redis_url,
            "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "LOG_LEVEL": "WARNING",
            PAGE_CACHE_ENV: "1" if page_cache else "0",
        }
    )


def exit_on_sigterm() -> None:
    """SIGTERM (a stopped run) unwinds like an exception, so the gunicorn this run started
    is stopped too."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def setup_django() -> None:
    import django

    django.setup()
