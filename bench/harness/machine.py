"""What the figures were measured on: hardware, versions, commit, load."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

import django
import redis

from .options import ROOT, Options


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _run(*command: str) -> str:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return (done.stdout or done.stderr).strip()


def describe(options: Options) -> dict:
    import gunicorn
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    dirty = bool(_run("git", "status", "--porcelain"))
    return {
        "date": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(_ram_gib(), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgres": pg,
        "redis": redis.Redis.from_url(options.redis_url).info("server")["redis_version"],
        "wrk": _run("wrk", "-v").split(" Copyright")[0] or "wrk ?",
        "commit": _run("git", "rev-parse", "--short", "HEAD")
        + (" with uncommitted changes" if dirty else ""),
        "load_before": os.getloadavg(),
    }
