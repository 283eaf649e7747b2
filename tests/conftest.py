"""Shared fixtures, and the rule for tests that need real services.

A test marked ``postgres`` or ``redis`` skips with a reason when that service is not
configured; in CI (CI=true) the same condition is a failure, so a missing service can
never turn a red run green.
"""

import os

import pytest
from django.conf import settings


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" or marker == "worker":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "worker"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _service_missing(marker)
        if reason is None:
            continue
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: a missing service is a failure, not a skip)")
        pytest.skip(reason)
