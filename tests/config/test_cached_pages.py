"""The fast path for cached pages (config/middleware/cached_pages.py): the same bytes and
headers as the slow path, never to a signed-in reader or a request with a cookie, never
after an edit, and conditional requests answered by the slow path as before."""

import dataclasses

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from config import page_cache
from config.middleware import cached_pages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FAST = "config.middleware.cached_pages.CachedPageMiddleware"
PAIR = reverse("evidence:pair-detail", args=["rheumatoid-arthritis", "ivig"])
SUMMARY = "/api/v1/conditions/rheumatoid-arthritis/summary/"
URLS = [
    reverse("evidence:home"),
    reverse("evidence:condition-detail", args=["rheumatoid-arthritis"]),
    PAIR,
    PAIR + "?page=1&style=apa",
    reverse("evidence:pair-versions", args=["rheumatoid-arthritis", "ivig"]),
    reverse("therapies:therapy-detail", args=["ivig"]),
    SUMMARY,
]
# Set per request, outside the cached response.
PER_REQUEST = {"X-Request-ID"}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.EVIDENCE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k not in PER_REQUEST}


def _entry_key(url: str) -> str:
    path, _, query = url.partition("?")
    request = RequestFactory().get(path, QUERY_STRING=query)
    return cached_pages._entry_key(cached_pages._url_key(request))


def _kept(url: str) -> cached_pages.Snapshot:
    """Fill the page cache and the fast path's entry: a miss, then a hit it keeps."""
    for _ in range(2):
        assert Client().get(url).status_code == 200
    snapshot = cache.get(_entry_key(url))
    assert isinstance(snapshot, cached_pages.Snapshot)
    return snapshot


def _tamper(url: str) -> None:
    """Make the fast entry say so, to tell which path answered."""
    snapshot = _kept(url)
    cache.set(_entry_key(url), dataclasses.replace(snapshot, body=b"FAST PATH"))


@pytest.mark.parametrize("url", URLS)
def test_the_fast_path_gives_the_slow_paths_bytes_and_headers(
    demo, settings, url, django_assert_num_queries
):
    _kept(url)
    with django_assert_num_queries(0):
        fast = Client().get(url)
        head = Client().head(url)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != FAST]
    slow = Client().get(url)
    assert fast.status_code == slow.status_code == head.status_code == 200
    assert fast.content == slow.content
    assert _headers(fast) == _headers(slow) == _headers(head)
    assert fast["Cache-Control"].startswith("public")
    assert fast["X-Request-ID"] != slow["X-Request-ID"]


@pytest.mark.parametrize("url", [PAIR, SUMMARY])
def test_the_fast_path_answers_anonymous_reads(demo, url):
    _tamper(url)
    assert Client().get(url).content == b"FAST PATH"


@pytest.mark.parametrize("url", [PAIR, SUMMARY])
def test_never_a_signed_in_reader_a_cookie_or_a_token(demo, url):
    _tamper(url)
    signed_in = Client()
    signed_in.force_login(UserFactory())
    token = Token.objects.create(user=UserFactory()).key
    answers = [
        signed_in.get(url),
        Client().get(url, HTTP_COOKIE="sessionid=whatever"),
        Client().get(url, HTTP_COOKIE="csrftoken=abc"),
        Client().get(url, HTTP_AUTHORIZATION=f"Token {token}"),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.content != b"FAST PATH"
        assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("url", [PAIR, SUMMARY])
def test_conditional_requests_are_answered_as_before(demo, url):
    _tamper(url)
    etag = cache.get(_entry_key(url)).headers
    etag = dict(etag)["ETag"]
    not_modified = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    assert not_modified["Cache-Control"].startswith("public")
    changed = Client().get(url, HTTP_IF_NONE_MATCH='W/"other"')
    assert changed.status_code == 200
    assert changed.content != b"FAST PATH"


def test_an_edit_makes_the_fast_entry_unreachable(demo):
    _tamper(PAIR)
    page_cache.invalidate([page_cache.condition_scope("rheumatoid-arthritis")])
    response = Client().get(PAIR)
    assert response.status_code == 200
    assert response.content != b"FAST PATH"


def test_the_setting_turns_the_fast_path_off(demo, settings):
    _tamper(PAIR)
    settings.EVIDENCE_PAGE_CACHE = False
    assert Client().get(PAIR).content != b"FAST PATH"


def test_other_pages_and_answers_are_never_kept(demo):
    for url in ["/healthz", "/search/?q=ivig", "/api/v1/studies/", PAIR + "?page=9"]:
        Client().get(url)
        Client().get(url)
        assert cache.get(_entry_key(url)) is None
