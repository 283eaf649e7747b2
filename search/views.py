"""The site search page: /search/?q=...[&kind=references&page=2]."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def search(request: HttpRequest) -> HttpResponse:
    results = selectors.site_search(
        query=request.GET.get("q", ""),
        kind=request.GET.get("kind"),
        page=request.GET.get("page", 1),
    )
    return render(request, "search/results.html", {"results": results, "query": results.query})
