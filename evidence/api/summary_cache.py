"""The condition summary endpoint served from the page cache (config.page_cache).

Anonymous plain-JSON reads of /api/v1/conditions/<slug>/summary/ skip DRF's request
wrapping, serializer and renderer when the cache holds a current answer.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from config import page_cache


def _plain_json(request: HttpRequest) -> bool:
    """Asked for JSON as DRF renders it by default (not the browsable API, not indented)."""
    accept = request.META.get("HTTP_ACCEPT", "").strip()
    return request.GET.get("format") in (None, "json") and accept in ("", "*/*", "application/json")


def cached_summary(view, request: HttpRequest, slug: str) -> HttpResponseBase | None:
    """The condition summary's JSON from the page cache, or None for the full DRF path.

    The tokens are read before the database, so the full path stores its answer under
    them (``request.summary_cache_lookup``) and an edit committed meanwhile is never kept.
    """
    if not page_cache.cacheable(request) or not _plain_json(request):
        return None
    found = page_cache.lookup(
        "summary", [page_cache.condition_scope(slug)], [request.scheme, request.get_host(), slug]
    )
    if found is None:
        return None
    request.summary_cache_lookup = found
    entry = found.entry
    if entry is None:
        return None
    for throttle in view.get_throttles():
        if not throttle.allow_request(request, view):
            return None  # DRF's own path answers 429 with its error body
    response = HttpResponse(entry.body, content_type=entry.content_type)
    response["ETag"] = entry.etag
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Accept"
    if entry.last_modified is not None:
        response["Last-Modified"] = http_date(entry.last_modified)
    response = get_conditional_response(
        request, etag=entry.etag, last_modified=entry.last_modified, response=response
    )
    return page_cache.mark(response, found)
