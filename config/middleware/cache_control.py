"""Cache-Control for shared caches (a CDN, a reverse proxy) and for browsers.

Public pages (those config.page_cache serves: home, conditions, pairs, therapies, versions)
and read API answers are the same for every anonymous reader, so a shared cache may keep
them for a while and revalidate with a conditional request::

    Cache-Control: public, max-age=60, s-maxage=300, stale-while-revalidate=60
    Vary: Cookie, Authorization (and Accept for the API)

with validators: every such answer has an ETag (API lists get one here, a hash of the
body), pages and API details a Last-Modified where one is known, and a matching
``If-None-Match`` / ``If-Modified-Since`` gets a 304 with the same headers. The ages come
from settings (``CACHE_CONTROL_MAX_AGE``, ``CACHE_CONTROL_S_MAXAGE``,
``CACHE_CONTROL_STALE_WHILE_REVALIDATE``; docs/operations.md); ``CACHE_CONTROL_S_MAXAGE=0``
turns shared caching off (``no-cache``, as before).

Nothing personal is ever public. The same answers go out ``private, no-cache`` when the
request carries any cookie (a session, the CSRF cookie, queued messages) or an
``Authorization`` header, or comes from a signed-in user, and when the response sets a
cookie or the page used the CSRF token. Other responses (the admin, forms, writes,
errors) are left as their views made them.

Placed above the session, CSRF and messages middleware, so it sees the cookies they set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers

_MARK = "shared_cache_vary"
_READS = ("GET", "HEAD")
_API_PREFIX = "/api/"
PRIVATE = "private, no-cache"


def shareable(response: HttpResponseBase, *, vary: Sequence[str] = ()) -> HttpResponseBase:
    """Mark ``response`` as the same for every anonymous reader (what else it varies on:
    ``vary``), so the middleware may make it public."""
    setattr(response, _MARK, tuple(vary))
    return response


def policy(request: HttpRequest, response: HttpResponseBase) -> str:
    """The Cache-Control of a shareable answer to ``request``."""
    if _personal(request, response):
        return PRIVATE
    shared = settings.CACHE_CONTROL_S_MAXAGE
    if shared <= 0:
        return "no-cache"
    return (
        f"public, max-age={settings.CACHE_CONTROL_MAX_AGE}, s-maxage={shared}, "
        f"stale-while-revalidate={settings.CACHE_CONTROL_STALE_WHILE_REVALIDATE}"
    )


def _personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    if request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return True
    if response.cookies or response.has_header("Set-Cookie"):
        return True
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # get_token(): a token is in the page
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _api_read(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not request.path.startswith(_API_PREFIX) or response.streaming:
        return False
    control = response.get("Cache-Control", "no-cache")
    return response.status_code in (200, 304) and control == "no-cache"


def _with_etag(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if response.has_header("ETag") or response.status_code != 200:
        return response
    response["ETag"] = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    return get_conditional_response(request, etag=response["ETag"], response=response)


class CacheControlMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method not in _READS:
            return response
        vary = getattr(response, _MARK, None)
        if vary is None and _api_read(request, response):
            response, vary = _with_etag(request, response), ("Accept",)
        if vary is None or response.status_code not in (200, 304):
            return response
        patch_vary_headers(response, ("Cookie", "Authorization", *vary))
        response["Cache-Control"] = policy(request, response)
        return response
