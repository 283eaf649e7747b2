"""/api/v1/auth/token/: apps exchange a username and password for a token (POST) and
revoke it (DELETE); staff revoke anyone's token in the admin."""

import pytest
from django.test import Client
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


def test_revoking_a_token_makes_it_fail_with_401(anon):
    user = UserFactory(username="app-user")
    token = Token.objects.create(user=user).key
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = anon.delete("/api/v1/auth/token/")

    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert_error(anon.get("/api/v1/conditions/"), 401, "authentication_failed")
    anon.credentials()
    again = anon.post(
        "/api/v1/auth/token/",
        {"username": "app-user", "password": "correct-horse-battery-staple"},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["token"] != token


def test_revoking_needs_a_caller_and_touches_only_their_token(anon):
    other = Token.objects.create(user=UserFactory(username="other")).key

    assert_error(anon.delete("/api/v1/auth/token/"), 401, "not_authenticated")

    anon.force_authenticate(UserFactory(username="app-user"))
    assert anon.delete("/api/v1/auth/token/").status_code == 204
    assert Token.objects.filter(key=other).exists()


def test_staff_revoke_another_users_token_in_the_admin(admin_user):
    token = Token.objects.create(user=UserFactory(username="app-user"))
    client = Client()
    client.force_login(admin_user)

    response = client.post(f"/admin/authtoken/tokenproxy/{token.user_id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
