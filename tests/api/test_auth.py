"""POST /api/v1/auth/token/: apps exchange a username and password for a token."""

import pytest
from rest_framework.authtoken.models import Token

from tests.api.helpers import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_obtain_a_token_and_use_it(anon):
    user = UserFactory(username="app-user")

    response = anon.post(
        "/api/v1/auth/token/",
        {"username": "app-user", "password": "correct-horse-battery-staple"},
        format="json",
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=user).key
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get("/api/v1/conditions/").status_code == 200


def test_wrong_credentials_are_a_400_in_the_error_body(anon):
    UserFactory(username="app-user")

    response = anon.post(
        "/api/v1/auth/token/", {"username": "app-user", "password": "wrong"}, format="json"
    )

    error = assert_error(response, 400, "invalid")
    assert "non_field_errors" in error["fields"]
