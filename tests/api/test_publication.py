"""The publication API: a reviewer publishes, anyone reads the published versions."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, REVIEWER
from evidence.models import Verdict, VerdictVersion
from tests.api.helpers import assert_error
from tests.support.doors import staff

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def ra(demo):
    return Verdict.objects.get(condition__slug="rheumatoid-arthritis")


def test_a_reviewer_publishes_and_the_versions_list_it(ra):
    reviewer = _client(staff("rev", REVIEWER))
    Verdict.objects.filter(pk=ra.pk).update(summary="A reworded summary of the evidence.")

    response = reviewer.post(
        f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "Summary reworded."}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    assert response["Location"].endswith(f"/api/v1/verdicts/{ra.pk}/versions/2/")
    listed = APIClient().get(f"/api/v1/verdicts/{ra.pk}/versions/").json()["results"]
    assert [(v["number"], v["note"]) for v in listed] == [
        (1, "Version 1: the demo's reviewed evidence."),
        (2, "Summary reworded."),
    ]
    assert listed[1]["changes"] == ["Summary reworded"]
    whole = APIClient().get(f"/api/v1/verdicts/{ra.pk}/versions/1/").json()
    assert whole["content"]["verdict"]["summary"].startswith("IVIG is not an established")
    assert len(whole["content"]["studies"]) == 6


@pytest.mark.parametrize("role", [None, EDITOR])
def test_no_one_else_publishes(ra, role):
    client = _client(staff("someone", role)) if role else APIClient()
    response = client.post(f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "Mine."}, format="json")
    assert response.status_code in (401, 403)
    assert VerdictVersion.objects.filter(verdict=ra).count() == 1


def test_a_publication_without_a_note_is_400_naming_it(ra):
    response = _client(staff("rev", REVIEWER)).post(
        f"/api/v1/verdicts/{ra.pk}/publish/", {"note": " "}, format="json"
    )
    assert "note" in assert_error(response, 400)["fields"]


def test_an_unknown_version_is_404(ra):
    assert APIClient().get(f"/api/v1/verdicts/{ra.pk}/versions/9/").status_code == 404
    assert APIClient().get("/api/v1/verdicts/999999/versions/").status_code == 404


@pytest.mark.parametrize("bad_id", ["56127262660804073408878652424192", "abc", "0"])
def test_a_version_of_an_impossible_verdict_is_404(db, bad_id):
    assert_error(APIClient().get(f"/api/v1/verdicts/{bad_id}/versions/1/"), 404)
