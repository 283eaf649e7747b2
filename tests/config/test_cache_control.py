"""Cache-Control and validators for shared caches (config/middleware/cache_control.py):
anonymous pages and read API answers are public and revalidate with 304s; nothing with a
cookie, a CSRF token, messages or a signed-in user's content is ever public."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.http import http_date
from rest_framework.authtoken.models import Token

from config.middleware.cache_control import PRIVATE, CacheControlMiddleware, shareable
from tests.factories import UserFactory

PAIR = reverse("evidence:pair-detail", args=["rheumatoid-arthritis", "ivig"])
PAGES = [
    reverse("evidence:home"),
    reverse("evidence:condition-detail", args=["rheumatoid-arthritis"]),
    PAIR,
    reverse("evidence:pair-versions", args=["rheumatoid-arthritis", "ivig"]),
    reverse("therapies:therapy-detail", args=["ivig"]),
]
API = [
    "/api/v1/conditions/rheumatoid-arthritis/summary/",
    "/api/v1/conditions/rheumatoid-arthritis/",
    "/api/v1/therapies/ivig/",
    "/api/v1/references/",
    "/api/v1/studies/",
    "/api/v1/verdicts/",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _public(settings) -> str:
    return (
        f"public, max-age={settings.CACHE_CONTROL_MAX_AGE}, "
        f"s-maxage={settings.CACHE_CONTROL_S_MAXAGE}, "
        f"stale-while-revalidate={settings.CACHE_CONTROL_STALE_WHILE_REVALIDATE}"
    )


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part}


@pytest.mark.parametrize("url", PAGES + API)
def test_anonymous_reads_are_public_and_revalidate_with_a_304(demo, settings, url):
    first = Client().get(url)
    assert first.status_code == 200, url
    assert first["Cache-Control"] == _public(settings)
    assert {"cookie", "authorization"} <= _vary(first)
    assert not first.cookies
    etag = first["ETag"]
    again = Client().get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == _public(settings)
    assert Client().get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    if url.startswith("/api/"):
        assert "accept" in _vary(first)


@pytest.mark.parametrize("url", [PAIR, API[0], API[1]])
def test_if_modified_since_answers_304_from_last_modified(demo, url):
    Client().get(url)  # the page cache now holds the page, with the time it was rendered
    response = Client().get(url)
    stamp = response["Last-Modified"]
    assert Client().get(url, headers={"If-Modified-Since": stamp}).status_code == 304
    older = http_date(0)
    assert Client().get(url, headers={"If-Modified-Since": older}).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_readers_pages_are_private(demo, url):
    client = Client()
    client.force_login(UserFactory(username="reader"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code in (200, 304)


def test_pages_with_a_csrf_token_are_private(demo):
    client = Client()
    client.force_login(UserFactory(username="follower"))
    response = client.get(PAIR)
    assert "csrfmiddlewaretoken" in response.content.decode()  # the follow form
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.parametrize("url", [PAIR, API[0], API[3]])
def test_any_cookie_or_authorization_makes_the_answer_private(demo, url):
    with_cookie = Client()
    with_cookie.cookies["messages"] = "anything"
    assert with_cookie.get(url)["Cache-Control"] == PRIVATE
    token = Token.objects.create(user=UserFactory(username="token-reader"))
    response = Client().get(url, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200 and response["Cache-Control"] == PRIVATE


def _through_middleware(view, request=None):
    request = request or RequestFactory().get("/somewhere/")
    return CacheControlMiddleware(view)(request)


def test_a_response_that_sets_a_cookie_or_used_the_csrf_token_is_never_public(settings):
    def sets_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return shareable(response)

    def uses_token(request):
        return shareable(HttpResponse(f"<input value='{get_token(request)}'>"))

    def plain(request):
        return shareable(HttpResponse("hello"))

    assert _through_middleware(sets_cookie)["Cache-Control"] == PRIVATE
    assert _through_middleware(uses_token)["Cache-Control"] == PRIVATE
    assert _through_middleware(plain)["Cache-Control"] == _public(settings)
    settings.CACHE_CONTROL_S_MAXAGE = 0
    assert _through_middleware(plain)["Cache-Control"] == "no-cache"


def test_a_page_showing_messages_is_private(demo):
    # Messages reach a page in the messages cookie (or the session's): either way a cookie.
    request = RequestFactory().get(PAIR)
    storage = CookieStorage(request)
    storage.add(constants.INFO, "Saved.")
    carrier = HttpResponse()
    storage.update(carrier)
    client = Client()
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get(PAIR)
    assert "Saved." in response.content.decode()
    assert response["Cache-Control"] == PRIVATE


def test_writes_and_other_pages_are_left_alone(demo):
    assert "Cache-Control" not in Client().post(PAIR)
    login = Client().get(reverse("admin:login"))
    assert "public" not in login.get("Cache-Control", "")


def test_nothing_public_carries_a_token_a_cookie_or_a_user(demo):
    client = Client()
    urls = [*PAGES, *API, reverse("admin:login"), reverse("search:search") + "?q=ivig"]
    urls += re.findall(r'href="(/conditions/[^"#?]+/)"', client.get(PAGES[0]).content.decode())
    for url in dict.fromkeys(urls):
        response = Client().get(url)
        if "public" not in response.get("Cache-Control", ""):
            continue
        body = response.content.decode()
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in body and "Sign out" not in body, url
