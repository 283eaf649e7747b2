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
    """Bulk-add ``n`` studies, each from its own new reference, to a therapy x condition pair.

    Every seventh reference is retracted, so pages also render their warnings at scale.
    The pair's verdict, if it has one, is then published (``publish=False``: left as a
    draft), since readers see only what a reviewer has published.
    """
    from evidence.models import Design, Direction, Study, Verdict
    from references.models import Reference, RetractionStatus
    from tests.support.publishing import publish as publish_verdicts

    pmids = itertools.count(80_000_000)
    designs = list(Design.values)
    directions = list(Direction.values)
    authors = [{"family": f"Author{i}", "initials": "AB"} for i in range(8)]

    def add(n, *, therapy, condition, prefix="bulk", publish=True):
        references = Reference.objects.bulk_create(
            [
                Reference(
                    doi=f"10.9999/{prefix}.{i}",
                    pmid=str(next(pmids)),
                    title=f"{prefix} study {i}",
                    authors=authors,
                    journal="Journal of Bulk Studies",
                    journal_abbreviation="J Bulk Stud",
                    year=1980 + i % 45,
                    volume=str(i % 40),
                    issue="1",
                    pages=f"{i}-{i + 9}",
                    retraction_status=(
                        RetractionStatus.RETRACTED if i % 7 == 0 else RetractionStatus.NONE
                    ),
                )
                for i in range(n)
            ]
        )
        verdict = Verdict.objects.filter(therapy=therapy, condition=condition).first()
        studies = Study.objects.bulk_create(
            [
                Study(
                    reference=reference,
                    therapy=therapy,
                    condition=condition,
                    verdict=verdict,
                    design=designs[i % len(designs)],
                    participants=10 + i,
                    dose_regimen="2 g/kg over 5 days",
                    outcome="Pain",
                    outcome_summary=f"Result {i}.",
                    direction=directions[i % len(directions)],
                )
                for i, reference in enumerate(references)
            ]
        )
        if verdict is not None and publish:
            publish_verdicts(verdict, note=f"{n} studies added.")
        return studies

    return add
