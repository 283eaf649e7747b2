"""What an import job tells an editor: the service tried (PubMed for PMIDs, Crossref for
DOIs), what happened in plain words, and what to do: Retry on a failed job, and a link
to the reference when an identifier is already in the library.

Upstream is the recorded fake on 127.0.0.1 (tests.support.fake_upstream), or a closed
port on 127.0.0.1 for a service that cannot be reached; Celery runs eagerly.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.editorial.roles import EDITOR, roles_sync
from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_create_for_identifiers, import_job_run
from references.tasks import MAX_RETRIES, run_import_job
from tests.references.test_import import WAKEFIELD_DOI, recorded  # noqa: F401 - the fixture
from tests.support.doors import signed_in, staff
from tests.support.fake_upstream import status_fault

pytestmark = pytest.mark.django_db

CLOSED = "http://127.0.0.1:9/"  # nothing listens on the discard port
RAW_EXCEPTION_MARKS = ("ConnectError", "Errno", "('", "unreachable:", "Traceback")


def _given_up(identifiers: list[str]) -> ImportJob:
    """A job run as the task's last retry runs it: it gives up and says why."""
    job, _ = import_job_create_for_identifiers(identifiers=identifiers)
    run_import_job.apply(args=[job.pk], retries=MAX_RETRIES)
    job.refresh_from_db()
    return job


@pytest.fixture
def offline(recorded, settings):  # noqa: F811 - the fixture imported above
    """PubMed and Crossref cannot be reached; ``recorded`` answers once they are back."""
    settings.PUBMED_BASE_URL = CLOSED
    settings.CROSSREF_BASE_URL = CLOSED
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    return recorded


def test_an_unreachable_crossref_is_named_for_a_doi_in_plain_words(offline):
    job = _given_up([WAKEFIELD_DOI])

    assert job.status == ImportJob.Status.FAILED
    item = job.items.get()
    assert item.status == ImportJobItem.Status.FAILED
    for text in (job.error, item.message):
        assert "Crossref could not be reached" in text
        assert "PubMed" not in text
        assert "Press Retry" in text
        assert not any(mark in text for mark in RAW_EXCEPTION_MARKS), text


def test_an_unreachable_pubmed_is_named_for_a_pmid(offline):
    job = _given_up(["28731372"])

    assert "PubMed could not be reached" in job.error
    assert "Crossref" not in job.error
    assert not any(mark in job.error for mark in RAW_EXCEPTION_MARKS), job.error


def test_a_crossref_fault_says_what_crossref_did(recorded, settings):  # noqa: F811
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    recorded.faults += [status_fault(503, path="works") for _ in range(MAX_RETRIES + 2)]

    job = _given_up([WAKEFIELD_DOI])

    assert job.error.startswith("Not imported: Crossref had a fault on its side (HTTP 503).")
    assert "Nothing was changed" in job.error
    assert Reference.objects.count() == 0


def test_an_identifier_crossref_does_not_know_is_reported_as_such(recorded):  # noqa: F811
    job, _ = import_job_create_for_identifiers(identifiers=["10.5555/no-such-work"])
    job = import_job_run(job_id=job.pk)

    assert job.items.get().message == (
        "Not found: Crossref has no work with this DOI, and PubMed no article."
    )


def test_an_identifier_already_in_the_library_is_not_a_failure_and_is_not_fetched(
    recorded,  # noqa: F811
):
    import_job_run(job_id=import_job_create_for_identifiers(identifiers=["28731372"])[0].pk)
    held = Reference.objects.get(pmid="28731372")
    recorded.requests.clear()

    job, _ = import_job_create_for_identifiers(identifiers=["PMID: 28731372", held.doi])
    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.failed_count, job.unchanged_count, job.processed) == (0, 2, 2)
    assert {(i.status, i.message, i.reference_id) for i in job.items.all()} == {
        (ImportJobItem.Status.UNCHANGED, "already in the library", held.pk)
    }
    assert sum(recorded.requests.values()) == 0


def test_the_job_page_links_an_identifier_already_in_the_library(recorded, admin_client):  # noqa: F811
    import_job_run(job_id=import_job_create_for_identifiers(identifiers=["28731372"])[0].pk)
    held = Reference.objects.get(pmid="28731372")
    job, _ = import_job_create_for_identifiers(identifiers=["28731372"])
    import_job_run(job_id=job.pk)

    page = admin_client.get(reverse("admin:references_importjob_change", args=[job.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "already in the library" in html
    assert reverse("admin:references_reference_change", args=[held.pk]) in html
    assert "retry-form" not in html  # nothing failed


def test_retry_asks_again_once_the_service_is_back(
    offline, upstream, settings, django_capture_on_commit_callbacks
):
    roles_sync()
    editor = staff("editor", EDITOR)
    job, _ = import_job_create_for_identifiers(identifiers=[WAKEFIELD_DOI], user=editor)
    run_import_job.apply(args=[job.pk], retries=MAX_RETRIES)
    client = signed_in(editor)
    page = client.get(reverse("admin:references_importjob_change", args=[job.pk]))
    assert "retry-form" in page.content.decode()
    assert "Crossref could not be reached" in page.content.decode()

    settings.PUBMED_BASE_URL = upstream.url("/pubmed/")
    settings.CROSSREF_BASE_URL = upstream.url("/crossref/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:references_importjob_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.created_count, job.failed_count, job.error) == (1, 0, "")
    assert Reference.objects.filter(doi=WAKEFIELD_DOI).exists()


def test_retry_is_a_post_on_ones_own_failed_job(offline):
    roles_sync()
    editor, other = staff("editor", EDITOR), staff("other", EDITOR)
    job, _ = import_job_create_for_identifiers(identifiers=["28731372"], user=other)
    run_import_job.apply(args=[job.pk], retries=MAX_RETRIES)
    url = reverse("admin:references_importjob_retry", args=[job.pk])

    assert signed_in(other).get(url).status_code == 405
    assert signed_in(editor).post(url).status_code == 404  # someone else's job
    assert signed_in(editor).post(url.replace(str(job.pk), "not-a-number")).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_retry_refuses_a_job_with_nothing_to_retry(recorded, admin_client):  # noqa: F811
    job, _ = import_job_create_for_identifiers(identifiers=["28731372", "not an identifier"])
    import_job_run(job_id=job.pk)

    response = admin_client.post(
        reverse("admin:references_importjob_retry", args=[job.pk]), follow=True
    )

    assert response.status_code == 200
    assert "Nothing to retry" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PARTIAL
