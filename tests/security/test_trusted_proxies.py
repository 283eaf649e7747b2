"""Whose address is it: TRUSTED_PROXY_COUNT decides for the API throttles and the login
lockout alike. By default only REMOTE_ADDR counts, so a client cannot reset its throttle by
sending a new X-Forwarded-For each time; behind one proxy, the last hop is the client."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests.api.helpers import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"
READ_URL = "/api/v1/conditions/"
LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct-horse-battery-staple"


def _rates(num_proxies=None, **rates):
    config = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, **rates},
    }
    if num_proxies is not None:
        config["NUM_PROXIES"] = num_proxies
    return override_settings(REST_FRAMEWORK=config)


def test_by_default_only_remote_addr_is_trusted():
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "config.security.client_ip.client_ip"


@_rates(anon="3/minute")
def test_a_forged_x_forwarded_for_does_not_reset_the_anonymous_throttle(anon):
    for n in range(3):
        response = anon.get(READ_URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200

    response = anon.get(READ_URL, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert_error(response, 429, "throttled")


@_rates(token="3/minute")
def test_a_forged_x_forwarded_for_does_not_reset_the_token_throttle(anon):
    for n in range(3):
        response = anon.post(
            TOKEN_URL,
            {"username": f"user-{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        assert response.status_code == 400

    response = anon.post(
        TOKEN_URL,
        {"username": "user-9", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert_error(response, 429, "throttled")


def _login(password, *, forwarded, remote="127.0.0.1"):
    client = Client()
    response = client.post(
        LOGIN,
        {"username": "editor-1", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response


def test_a_forged_x_forwarded_for_does_not_dodge_the_lockout():
    UserFactory(username="editor-1", is_staff=True)
    for n in range(5):
        _login("wrong", forwarded=f"203.0.113.{n}")

    assert _login(PASSWORD, forwarded="203.0.113.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@_rates(num_proxies=1, anon="2/minute")
def test_behind_one_proxy_the_last_hop_is_the_client_for_the_throttle(anon):
    # What the client put in front of the proxy's hop changes nothing: one client.
    for forged in ("10.0.0.1", "10.0.0.2"):
        response = anon.get(READ_URL, HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.7")
        assert response.status_code == 200
    throttled = anon.get(READ_URL, HTTP_X_FORWARDED_FOR="10.0.0.3, 198.51.100.7")

    # Another client behind the same proxy (same REMOTE_ADDR) has its own allowance.
    other = anon.get(READ_URL, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert_error(throttled, 429, "throttled")
    assert other.status_code == 200


@_rates(num_proxies=1, token="2/minute")
def test_behind_one_proxy_the_last_hop_is_the_client_for_the_token_throttle(anon):
    def attempt(forwarded):
        return anon.post(
            TOKEN_URL,
            {"username": "someone", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert attempt("10.0.0.1, 198.51.100.7").status_code == 400
    assert attempt("10.0.0.2, 198.51.100.7").status_code == 400
    assert_error(attempt("10.0.0.3, 198.51.100.7"), 429, "throttled")
    assert attempt("198.51.100.8").status_code == 400


@_rates(num_proxies=1)
def test_behind_one_proxy_the_last_hop_is_the_client_for_the_lockout():
    staff = UserFactory(username="editor-1", is_staff=True)
    for n in range(5):
        _login("wrong", forwarded=f"10.0.0.{n}, 198.51.100.7")

    locked = _login(PASSWORD, forwarded="10.0.0.99, 198.51.100.7")
    other = Client()
    allowed = other.post(
        LOGIN,
        {"username": "editor-1", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )

    assert locked.status_code == 429
    assert allowed.status_code == 302
    assert other.session["_auth_user_id"] == str(staff.pk)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


@pytest.mark.parametrize("name", ["TRUSTED_PROXY_COUNT", "AXES_PROXY_COUNT"])
def test_one_environment_setting_feeds_drf_and_axes(name):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "from axes.helpers import get_client_ip_address;from django.test import RequestFactory;"
        "r=RequestFactory().get('/',REMOTE_ADDR='127.0.0.1',"
        "HTTP_X_FORWARDED_FOR='10.0.0.1, 198.51.100.7');"
        "from rest_framework.throttling import BaseThrottle;"
        "print(s.TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'],"
        " get_client_ip_address(r), BaseThrottle().get_ident(r))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT", "AXES_PROXY_COUNT")
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", name: "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "198.51.100.7", "198.51.100.7"]
