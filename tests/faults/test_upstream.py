"""Upstreams that stay down (429 / 5xx storms, timeouts) or lie, run through the task.

The task runs eagerly, as it would on its last retry: what was stored stays exactly as it
was, and the job says why it failed. Single faults and garbage bodies are covered in
tests/references/test_import.py and test_sources_*.py; these are the sustained ones.
"""

from __future__ import annotations

import re
import time

import pytest
from werkzeug import Response

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import (
    import_job_create_for_identifiers,
    import_job_run,
    refresh_job_create,
)
from references.tasks import MAX_RETRIES, run_import_job
from tests.support.fake_upstream import (
    FIXTURES,
    RecordedUpstream,
    load_crossref_works,
    load_pubmed_articles,
)

pytestmark = pytest.mark.django_db

EFETCH = FIXTURES / "pubmed" / "efetch"
PMID = "28731372"


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream(
        load_pubmed_articles(*sorted(EFETCH.glob("*.xml")), EFETCH / "baseline-30-articles.xml.gz"),
        load_crossref_works(*sorted((FIXTURES / "crossref" / "works").glob("*.json"))),
    )
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


def _stored() -> list[tuple]:
    """Every reference as stored, every field."""
    return [
        tuple(row.values())
        for row in Reference.objects.order_by("pk").values()  # all columns
    ]


def _always(status: int, *, path: str, counter: list, headers: dict | None = None):
    """A fault that answers every matching request, counting them (never used up)."""

    def fault(request):
        if path not in request.path:
            return None
        counter.append(request.path)
        return Response(f"status {status}", status=status, headers=headers or {})

    return fault


class Storm(list):
    """A RecordedUpstream fault list whose faults are never used up."""

    def __init__(self, fault) -> None:
        super().__init__([fault])

    def __delitem__(self, index) -> None:  # RecordedUpstream removes a fault once it answers
        pass


@pytest.mark.parametrize(
    ("status", "headers", "path", "reason"),
    [
        (429, {"Retry-After": "0"}, "efetch", "429"),
        (503, {}, "efetch", "503"),
        (500, {}, "works", "500"),
    ],
    ids=["429-storm", "503-storm", "crossref-500-storm"],
)
def test_an_upstream_that_stays_down_changes_nothing_and_the_job_says_why(
    recorded, settings, status, headers, path, reason
):
    _run(import_job_create_for_identifiers(identifiers=[PMID])[0])
    before = _stored()
    answered: list[str] = []
    recorded.faults = Storm(_always(status, path=path, counter=answered, headers=headers))
    job = refresh_job_create(reference_ids=[r.pk for r in Reference.objects.all()])

    # Every retry of the task meets the storm; the last one gives up and records why.
    for _ in range(MAX_RETRIES):
        with pytest.raises(Exception, match=reason):
            import_job_run(job_id=job.pk)
    run_import_job.apply(args=[job.pk], retries=MAX_RETRIES)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert reason in job.error and job.error.startswith("Not imported: ")
    assert job.items.get().status == ImportJobItem.Status.FAILED
    assert reason in job.items.get().message
    assert _stored() == before  # not one field of the stored reference changed
    expected = (MAX_RETRIES + 1) * settings.UPSTREAM_MAX_ATTEMPTS
    assert len(answered) == expected
    print(f"\n{path} answered {status} {len(answered)} times; references unchanged")


def test_an_upstream_that_never_answers_in_time_changes_nothing(recorded, settings):
    settings.UPSTREAM_TIMEOUT_SECONDS = 0.2
    settings.UPSTREAM_MAX_ATTEMPTS = 2
    _run(import_job_create_for_identifiers(identifiers=[PMID])[0])
    before = _stored()

    def hang(request):
        if "efetch" not in request.path:
            return None
        time.sleep(0.5)
        return Response("<PubmedArticleSet/>", content_type="text/xml")

    recorded.faults = Storm(hang)
    job = refresh_job_create(reference_ids=[r.pk for r in Reference.objects.all()])
    run_import_job.apply(args=[job.pk], retries=MAX_RETRIES)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "did not answer in time" in job.error
    assert _stored() == before


def test_pubmed_answering_with_another_articles_record_updates_nothing(recorded):
    _run(import_job_create_for_identifiers(identifiers=[PMID])[0])
    before = _stored()
    other = next(pmid for pmid in sorted(recorded.articles) if pmid != PMID)

    def lie(request):
        if "efetch" not in request.path:
            return None
        body = b'<?xml version="1.0"?><PubmedArticleSet>' + recorded.articles[other]
        return Response(body + b"</PubmedArticleSet>", content_type="text/xml")

    recorded.faults = Storm(lie)
    job = _run(refresh_job_create(reference_ids=[r.pk for r in Reference.objects.all()]))

    item = job.items.get()
    assert item.status == ImportJobItem.Status.FAILED
    assert item.message
    # The reference asked about is untouched, and the stranger's record is not stored.
    assert _stored() == before
    assert not Reference.objects.filter(pmid=other).exists()


def test_crossref_answering_with_a_different_dois_work_updates_nothing(recorded):
    doi = next(iter(recorded.works))
    other = next(d for d in recorded.works if d != doi)

    def lie(request):
        if "/works" not in request.path:
            return None
        return Response(
            '{"status": "ok", "message-type": "work-list", "message": {"total-results": 1,'
            f' "items": [{_json(recorded.works[other])}]}}}}',
            content_type="application/json",
        )

    recorded.faults = Storm(lie)
    job = _run(import_job_create_for_identifiers(identifiers=[doi])[0])

    assert job.items.get().status == ImportJobItem.Status.FAILED
    assert not Reference.objects.filter(doi=doi).exists()
    assert not Reference.objects.filter(doi=other).exists()


def _json(value) -> str:
    import json

    return json.dumps(value)


def _run(job):
    return import_job_run(job_id=job.pk)
