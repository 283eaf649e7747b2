"""django-axes: repeated wrong passwords lock a (username, IP) out of the admin login and
of the token endpoint alike, for the cool-off; a successful login resets the count."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests.api.helpers import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
LOGIN = "/admin/login/?next=/admin/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def staff():
    return UserFactory(username="editor-1", is_staff=True)


def _login(client, password, ip="198.51.100.7"):
    return client.post(LOGIN, {"username": "editor-1", "password": password}, REMOTE_ADDR=ip)


def test_the_limit_comes_from_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_after_five_failures_even_the_right_password_is_refused(staff):
    client = Client()
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form, with its error
    assert _login(client, "wrong").status_code == 429  # the fifth failure locks

    sixth = _login(client, PASSWORD)

    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in sixth.content.decode().lower()


def test_the_lockout_is_per_address(staff):
    for _ in range(5):
        _login(Client(), "wrong", ip="198.51.100.7")

    other = Client()
    response = _login(other, PASSWORD, ip="203.0.113.9")

    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(staff.pk)


def test_a_successful_login_resets_the_count(staff):
    client = Client()
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="editor-1", failures_since_start__gt=0)

    again = Client()
    for _ in range(4):
        assert _login(again, "wrong").status_code == 200
    assert _login(again, PASSWORD).status_code == 302


def test_the_cool_off_ends_the_lockout(staff):
    client = Client()
    for _ in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )

    assert _login(client, PASSWORD).status_code == 302


def test_the_token_endpoint_says_locked_out_rather_than_wrong_password(anon, staff):
    for _ in range(4):
        response = anon.post(TOKEN_URL, {"username": "editor-1", "password": "x"}, format="json")
        assert_error(response, 400, "invalid")

    fifth = anon.post(TOKEN_URL, {"username": "editor-1", "password": "x"}, format="json")
    right = anon.post(TOKEN_URL, {"username": "editor-1", "password": PASSWORD}, format="json")

    for response in (fifth, right):
        error = assert_error(response, 429, "locked_out")
        assert "failed logins" in error["message"]
        assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_a_lockout_from_the_api_also_closes_the_admin(anon, staff):
    for _ in range(5):
        anon.post(TOKEN_URL, {"username": "editor-1", "password": "x"}, format="json")

    assert _login(Client(), PASSWORD, ip="127.0.0.1").status_code == 429


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "token": "3/minute"},
    }
)
def test_token_requests_are_throttled_per_address_across_usernames(anon):
    for n in range(3):
        response = anon.post(TOKEN_URL, {"username": f"user-{n}", "password": "x"}, format="json")
        assert response.status_code == 400

    response = anon.post(TOKEN_URL, {"username": "user-9", "password": "x"}, format="json")

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
