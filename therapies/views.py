"""Therapy pages: one therapy across the conditions it is used for.

Anonymous reads are served from the shared page cache (config.page_cache), whose therapy
tokens the evidence app replaces when a therapy's facts change.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config import page_cache

from . import selectors


def therapy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        overview = selectors.therapy_overview(slug=slug)
        return render(request, "therapies/therapy_detail.html", {"overview": overview})

    return page_cache.cached_page(
        request, kind="therapy", scopes=[page_cache.therapy_scope(slug)], parts=[slug], render=page
    )
