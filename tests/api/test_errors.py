"""Every error is the same JSON body; odd requests never become a 500; rate limits; CORS."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.api.helpers import assert_error
from tests.factories import StudyFactory

pytestmark = pytest.mark.django_db


def test_400_401_403_404_405_406_415_share_one_body(anon, reader_client, editor_client):
    study = StudyFactory()
    cases = [
        (anon.get("/api/v1/studies/?year_min=abc"), 400, "invalid"),
        (anon.post("/api/v1/studies/", {}, format="json"), 401, "not_authenticated"),
        (reader_client.post("/api/v1/studies/", {}, format="json"), 403, "permission_denied"),
        (anon.get("/api/v1/conditions/nope/"), 404, "not_found"),
        (editor_client.put(f"/api/v1/studies/{study.pk}/", {}), 405, "method_not_allowed"),
        (anon.get("/api/v1/studies/", HTTP_ACCEPT="image/png"), 406, "not_acceptable"),
        (
            editor_client.patch(f"/api/v1/studies/{study.pk}/", "x", content_type="text/csv"),
            415,
            "unsupported_media_type",
        ),
    ]
    for response, status_code, code in cases:
        assert_error(response, status_code, code)


def test_a_bad_token_is_401(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(anon.get("/api/v1/conditions/"), 401, "authentication_failed")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/nothing-here/",
        "/api/v1/conditions",  # no trailing slash
        "/api/v1/conditions/line%0Abreak/",
        "/api/v1/references/1/extra/",
        "/api/v2/conditions/",
    ],
)
def test_unknown_api_paths_are_json_404s(anon, db, path):
    if path.startswith("/api/v2/"):
        assert anon.get(path).status_code == 404  # outside the API: the site's 404 page
    else:
        assert_error(anon.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/studies/?page=99999999999999999999999999999",
        "/api/v1/studies/?page=1.5",
        "/api/v1/studies/?page_size=-3",
        "/api/v1/studies/?page_size=abc",
        "/api/v1/studies/?year_min=1e400",
        "/api/v1/studies/?year_min=%00",
        "/api/v1/studies/?therapy=%00",
        "/api/v1/references/?search=%25%25%25_",
        "/api/v1/references/?search=" + "x" * 500,
        "/api/v1/references/?doi=" + "%F0%9F%92%A9",
        "/api/v1/references/?pmid=99999999999999999999999",
        "/api/v1/references/?retracted=maybe",
        "/api/v1/verdicts/?needs_review=2",
        "/api/v1/references/18446744073709551616/",
        "/api/v1/references/1e3/",
        "/api/v1/studies/%20/",
        "/api/v1/conditions/%E2%98%83/",
        "/api/v1/verdicts/1/history/?page=0",
    ],
)
def test_odd_requests_are_answered_without_a_server_error(anon, db, path):
    response = anon.get(path)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error(response, response.status_code)


def test_wrong_types_in_a_write_are_400s(editor_client, db):
    study = StudyFactory()
    for payload in ([1, 2], "text", {"participants": "many"}, {"reference": "abc"}):
        response = editor_client.patch(f"/api/v1/studies/{study.pk}/", payload, format="json")
        assert_error(response, 400)


def throttled(**rates):
    """The project's REST_FRAMEWORK settings with these rates (the test settings have none)."""
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    )


def test_anonymous_callers_are_throttled_per_ip(anon, db):
    with throttled(anon="3/minute", user=None):
        statuses = [anon.get("/api/v1/conditions/").status_code for _ in range(4)]
        response = anon.get("/api/v1/conditions/")

    assert statuses == [200, 200, 200, 429]
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_token_callers_are_throttled_per_user(reader_client, anon, db):
    with throttled(anon="100/minute", user="2/minute"):
        statuses = [reader_client.get("/api/v1/conditions/").status_code for _ in range(3)]
        other = anon.get("/api/v1/conditions/").status_code

    assert statuses == [200, 200, 429]
    assert other == 200  # another caller has its own budget


def test_cors_is_off_unless_origins_are_configured(anon, db):
    origin = "https://app.example.org"
    response = anon.get("/api/v1/conditions/", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in response

    with override_settings(CORS_ALLOWED_ORIGINS=[origin]):
        response = anon.get("/api/v1/conditions/", HTTP_ORIGIN=origin)
    assert response["Access-Control-Allow-Origin"] == origin
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.postgres  # SQLite stores a NUL; PostgreSQL refuses it
def test_a_nul_in_a_related_slug_is_a_400_not_a_500(db):
    from django.contrib.auth.models import Permission
    from rest_framework.test import APIClient

    from tests.factories import ReferenceFactory, UserFactory

    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="add_study"))
    client = APIClient()
    client.force_authenticate(editor)
    body = {
        "reference": ReferenceFactory().pk,
        "condition": "rheumatoid\x00arthritis",
        "therapy": "ivig",
        "design": "rct",
        "direction": "benefit",
    }

    response = client.post("/api/v1/studies/", body, format="json")

    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
