"""Evidence pages: the index, search, one condition, one therapy for one condition."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/home.html", {"index": selectors.home_index()})


def search(request: HttpRequest) -> HttpResponse:
    results = selectors.search_index(query=request.GET.get("q", ""))
    return render(request, "evidence/search.html", {"results": results, "query": results.query})


def condition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    summary = selectors.condition_evidence_summary(slug=slug)
    return render(request, "evidence/condition_detail.html", {"summary": summary})


def pair_detail(request: HttpRequest, condition_slug: str, therapy_slug: str) -> HttpResponse:
    evidence = selectors.pair_evidence(condition_slug=condition_slug, therapy_slug=therapy_slug)
    return render(request, "evidence/pair_detail.html", {"evidence": evidence})
