"""URLs of config.settings.bench: the site's, plus the framework's ceiling for the harness.

``bench/ceiling/`` returns a constant JSON body through the same middleware as every
page, with no database or cache access: the throughput of this view on the benchmark
machine is the most any endpoint could reach, and bench/ reports each endpoint's
throughput as a fraction of it. It exists only in this URL configuration.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

CEILING_BODY = {"status": "ok", "detail": "constant body for the benchmark ceiling"}


def ceiling(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CEILING_BODY)


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench-ceiling"),
    path("", include("config.urls")),
]
