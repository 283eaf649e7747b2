"""Shared fixtures, and the rule for tests that need real services.

A test marked ``postgres`` or ``redis`` skips with a reason when that service is not
configured; in CI (CI=true) the same condition is a failure, so a missing service can
never turn a red run green.
"""

import importlib.util
import itertools
import os
from pathlib import Path

import pytest
from django.conf import settings

pytest_plugins = ["tests.support.upstream_fixtures"]


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" or marker == "worker":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser":
        if not Path("/usr/bin/chromium").exists():
            return "needs Debian's chromium: apt-get install -y chromium"
        if importlib.util.find_spec("playwright") is None:
            return "needs the playwright package: make install"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _service_missing(marker)
        if reason is None:
            continue
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: a missing service is a failure, not a skip)")
        pytest.skip(reason)


@pytest.fixture
def demo(db):
    """The IVIG demo (evidence/demo/ivig.yaml), loaded through the services."""
    from evidence.services import demo_load

    return demo_load()


@pytest.fixture
def add_studies(db):
    """``add(n, therapy=, condition=, prefix=, publish=)``: tests.support.bulk_studies, with
    PubMed ids unique across the calls of one test."""
    from tests.support.bulk_studies import studies_bulk_add

    pmids = itertools.count(80_000_000)

    def add(n, *, therapy, condition, prefix="bulk", publish=True):
        return studies_bulk_add(
            n, therapy=therapy, condition=condition, prefix=prefix, publish=publish, pmids=pmids
        )

    return add
