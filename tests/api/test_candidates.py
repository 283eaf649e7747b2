"""/api/v1/candidates/: the triage queue for editors (evidence/api/candidates.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, VIEWER, roles_sync
from evidence.models import Candidate, Study, Verdict
from tests.api.helpers import assert_error
from tests.factories import ReferenceFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/candidates/"
# token, the user's permissions (2), the user's editor scope, count, page (reference,
# verdict, therapy, condition joined)
LIST_QUERIES = 6


def _client(role: str | None) -> APIClient:
    roles_sync()
    user = UserFactory(username=f"api-{role or 'none'}")
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def triage_editor():
    return _client(EDITOR)


@pytest.fixture
def queue(db):
    verdict = VerdictFactory()
    other = VerdictFactory()
    rct = Candidate.objects.create(
        verdict=verdict,
        reference=ReferenceFactory(publication_types=["Randomized Controlled Trial"]),
        suggested_design="rct",
    )
    blank = Candidate.objects.create(verdict=verdict, reference=ReferenceFactory())
    elsewhere = Candidate.objects.create(
        verdict=other, reference=ReferenceFactory(), suggested_design="cohort"
    )
    return {"verdict": verdict, "rct": rct, "blank": blank, "elsewhere": elsewhere}


def test_anonymous_callers_cannot_see_the_queue(anon, queue):
    assert_error(anon.get(URL), 401, "not_authenticated")
    assert_error(anon.post(f"{URL}{queue['rct'].pk}/include/", {}, format="json"), 401)


def test_users_without_the_permission_cannot_see_it(queue):
    assert_error(_client(None).get(URL), 403, "permission_denied")


def test_viewers_read_but_do_not_decide(queue):
    viewer = _client(VIEWER)
    assert viewer.get(URL).status_code == 200
    response = viewer.post(f"{URL}{queue['rct'].pk}/include/", {}, format="json")
    assert_error(response, 403, "permission_denied")


def test_editors_list_and_filter_the_queue(triage_editor, queue):
    body = triage_editor.get(URL).json()
    assert body["count"] == 3

    mine = triage_editor.get(URL, {"verdict": queue["verdict"].pk, "status": "untriaged"}).json()
    assert {row["id"] for row in mine["results"]} == {queue["rct"].pk, queue["blank"].pk}
    row = next(row for row in mine["results"] if row["id"] == queue["rct"].pk)
    assert row["suggested_design"] == "rct"
    assert row["publication_types"] == ["Randomized Controlled Trial"]
    assert row["reference"]["doi"] == queue["rct"].reference.doi
    assert row["verdict"]["therapy"]["slug"] == queue["verdict"].therapy.slug
    assert row["status"] == "untriaged" and row["study"] is None

    by_slug = triage_editor.get(URL, {"condition": queue["verdict"].condition.slug}).json()
    assert by_slug["count"] == 2
    assert triage_editor.get(URL, {"status": "excluded"}).json()["count"] == 0
    assert_error(triage_editor.get(URL, {"status": "maybe"}), 400, "invalid")


def test_include_creates_the_study_and_flags_the_verdict(triage_editor, queue):
    response = triage_editor.post(f"{URL}{queue['rct'].pk}/include/", {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "included"
    study = Study.objects.get(candidate=queue["rct"].pk)
    assert body["study"].endswith(f"/api/v1/studies/{study.pk}/")
    assert (study.design, study.direction, study.verdict) == ("rct", "unclear", queue["verdict"])
    verdict = Verdict.objects.get(pk=queue["verdict"].pk)
    assert verdict.needs_review and verdict.review_reasons[0]["code"] == "new_study"

    again = triage_editor.post(f"{URL}{queue['rct'].pk}/include/", {}, format="json")
    assert again.status_code == 200 and again.json()["study"] == body["study"]


def test_include_needs_a_design_when_none_is_suggested(triage_editor, queue):
    url = f"{URL}{queue['blank'].pk}/include/"
    error = assert_error(triage_editor.post(url, {}, format="json"), 400, "invalid")
    assert "design" in error["fields"]

    response = triage_editor.post(url, {"design": "case_series"}, format="json")
    assert response.status_code == 200
    assert Study.objects.get(candidate=queue["blank"].pk).design == "case_series"


def test_exclude_needs_a_known_reason(triage_editor, queue):
    url = f"{URL}{queue['blank'].pk}/exclude/"
    assert "reason" in assert_error(triage_editor.post(url, {}, format="json"), 400)["fields"]
    assert_error(triage_editor.post(url, {"reason": "boring"}, format="json"), 400, "invalid")

    response = triage_editor.post(
        url, {"reason": "wrong_population", "note": "Children only."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["exclusion_reason"], body["note"]) == (
        "excluded",
        "wrong_population",
        "Children only.",
    )


def test_a_decided_candidate_is_not_reversed(triage_editor, queue):
    triage_editor.post(f"{URL}{queue['blank'].pk}/exclude/", {"reason": "other"}, format="json")
    response = triage_editor.post(
        f"{URL}{queue['blank'].pk}/include/", {"design": "rct"}, format="json"
    )
    assert_error(response, 409, "conflict")


def test_unknown_candidates_are_404(triage_editor, queue):
    assert_error(triage_editor.get(f"{URL}999999/"), 404, "not_found")
    assert_error(triage_editor.post(f"{URL}999999/include/", {}, format="json"), 404)


@pytest.mark.parametrize("n", [3, 210])
def test_the_list_query_count_does_not_grow(triage_editor, n, django_assert_max_num_queries):
    verdicts = [VerdictFactory() for _ in range(3)]
    Candidate.objects.bulk_create(
        [
            Candidate(verdict=verdicts[i % 3], reference=ReferenceFactory(), suggested_design="rct")
            for i in range(n)
        ]
    )

    with django_assert_max_num_queries(LIST_QUERIES):
        response = triage_editor.get(URL, {"page_size": 200})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(n, 200)


@pytest.mark.parametrize("value", ["-1.6e202", "1e30", "1.5", "0", "abc"])
def test_a_verdict_filter_that_is_not_an_id_is_a_400(value, db):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client = APIClient()
    client.force_authenticate(user)

    response = client.get("/api/v1/candidates/", {"verdict": value})

    assert response.status_code == 400
    assert "verdict" in response.json()["error"]["fields"]
