"""Settings come from the environment; production refuses to run without a secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.production"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_checks_with_no_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x9!kq" * 12 + "-long-random-enough-for-the-check",
            "DJANGO_ALLOWED_HOSTS": "evidence.example.org",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_local_settings_default_to_sqlite_and_eager_celery_without_services():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    engine, eager, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert cache.endswith("LocMemCache")


def test_redis_url_switches_celery_and_cache_to_redis():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "REDIS_URL": "redis://127.0.0.1:6379/5",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    broker, eager, cache = result.stdout.split()
    assert broker == "redis://127.0.0.1:6379/5"
    assert eager == "False"
    assert cache.endswith("RedisCache")


def test_production_responses_carry_hsts_and_the_content_security_policy():
    code = (
        "import django,json;django.setup();from django.test import Client;"
        "c=Client(HTTP_HOST='evidence.example.org');"
        "r=c.get('/api/v1/docs/',HTTP_X_FORWARDED_PROTO='https');"
        "plain=c.get('/api/v1/docs/');"
        "print(json.dumps({'status':r.status_code,'csp':r.get('Content-Security-Policy'),"
        "'hsts':r.get('Strict-Transport-Security'),'redirect':plain.status_code,"
        "'location':plain.get('Location')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x9!kq" * 12 + "-long-random-enough-for-the-check",
            "DJANGO_ALLOWED_HOSTS": "evidence.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert "default-src 'self'" in seen["csp"] and "frame-ancestors 'none'" in seen["csp"]
    assert "unsafe-inline" not in seen["csp"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    # Plain HTTP is sent to HTTPS before anything else happens.
    assert seen["redirect"] == 301
    assert seen["location"] == "https://evidence.example.org/api/v1/docs/"
