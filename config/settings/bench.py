"""Benchmark settings (bench/, `make bench`): production's, served over plain HTTP on 127.0.0.1.

Production-like on purpose (DEBUG off, persistent database connections, the real Redis
cache), so the figures say what production would do on this machine; only what stands
between a load generator on 127.0.0.1 and the pages is lifted: the HTTPS redirect and
HSTS, and API throttling, which would otherwise answer the load generator with 429s.
The harness generates DJANGO_SECRET_KEY for each run. ``BENCH_PAGE_CACHE=0`` turns the
rendered page / summary cache off, to measure uncached pages.
"""

from django.core.exceptions import ImproperlyConfigured

from .production import *  # noqa: F403
from .production import INSTALLED_APPS, REST_FRAMEWORK, STATIC_ROOT, env

if not env("REDIS_URL", default=""):
    raise ImproperlyConfigured("config.settings.bench needs REDIS_URL: it measures the real cache.")

# The harness generates its corpus with manage.py generate_corpus under these settings.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "config.urls_bench"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# The rendered page / summary cache (config/page_cache.py); the harness turns it off for the
# "uncached" figures.
EVIDENCE_PAGE_CACHE = env.bool("BENCH_PAGE_CACHE", default=True)

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: None for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}

# whitenoise warns at start-up when STATIC_ROOT is missing; the load generator never asks
# for static files, so they are not collected.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
