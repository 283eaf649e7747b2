"""Therapy pages: one therapy across the conditions it is used for."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def therapy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    overview = selectors.therapy_overview(slug=slug)
    return render(request, "therapies/therapy_detail.html", {"overview": overview})
