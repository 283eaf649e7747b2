"""Therapy pages: one therapy across the conditions it is used for.

Anonymous reads are served from the evidence page cache (evidence.cache), whose tokens
the evidence app replaces when a therapy's facts change.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from evidence import cache

from . import selectors


def therapy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        overview = selectors.therapy_overview(slug=slug)
        return render(request, "therapies/therapy_detail.html", {"overview": overview})

    return cache.cached_page(
        request, kind="therapy", scopes=[cache.therapy_scope(slug)], parts=[slug], render=page
    )
