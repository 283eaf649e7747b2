"""Location headers through a real WSGI server, not only the test client (issue 12).

The serializers' ``url`` is a DRF Hyperlink, a str subclass; Django's test client takes
it, but wsgiref (runserver, so ``make demo``, and pytest-django's live_server) accepts
only exact str header values and answered 500 after the row was created. These posts go
over HTTP to live_server with httpx.
"""

from __future__ import annotations

import httpx
import pytest
from rest_framework.authtoken.models import Token

from evidence.models import Study
from references.models import ImportJob
from tests.factories import ReferenceFactory, VerdictFactory
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def http(live_server, editor):
    token, _ = Token.objects.get_or_create(user=editor)
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Token {token.key}"}, timeout=30
    ) as client:
        yield client


@pytest.fixture
def no_upstream(settings):
    """Celery is eager in tests, so the job runs after the commit: let it fail fast."""
    settings.PUBMED_BASE_URL = "http://127.0.0.1:9/"
    settings.CROSSREF_BASE_URL = "http://127.0.0.1:9/"
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    settings.UPSTREAM_BACKOFF_SECONDS = 0


def assert_location_resolves(http: httpx.Client, response: httpx.Response, path: str) -> None:
    location = response.headers["Location"]
    assert location.startswith(("http://", "https://")) and location.endswith(path), location
    assert http.get(location).status_code == 200


def test_post_imports_answers_202_with_a_location_over_wsgi(http, no_upstream):
    response = http.post("/api/v1/imports/", json={"identifiers": ["PMID: 12345"]})

    assert response.status_code == 202, response.text
    job = ImportJob.objects.get()
    assert_location_resolves(http, response, f"/api/v1/imports/{job.pk}/")


def test_post_imports_with_a_file_answers_202_with_a_location_over_wsgi(http, no_upstream):
    files = {"file": ("refs.ris", b"TY  - JOUR\nTI  - Over the wire\nER  - \n")}

    response = http.post("/api/v1/imports/", files=files)

    assert response.status_code == 202, response.text
    job = ImportJob.objects.get()
    assert_location_resolves(http, response, f"/api/v1/imports/{job.pk}/")


def test_post_studies_answers_201_with_a_location_over_wsgi(http):
    verdict = VerdictFactory(therapy__slug="ivig", condition__slug="gbs")
    payload = {
        "reference": ReferenceFactory().pk,
        "therapy": "ivig",
        "condition": "gbs",
        "design": "rct",
        "direction": "benefit",
        "outcome": "Disability at 4 weeks",
        "outcome_summary": "Faster recovery.",
        "participants": 150,
    }

    response = http.post("/api/v1/studies/", json=payload)

    assert response.status_code == 201, response.text
    study = Study.objects.get()
    # The new study is the pair's draft: its Location reads the draft for its editor.
    assert_location_resolves(http, response, f"/api/v1/studies/{study.pk}/?version=draft")
    publish(verdict)  # readers see it once published
    assert http.get(f"/api/v1/studies/{study.pk}/").status_code == 200
