"""Therapy pages (placeholder until the page work lands)."""

from django.http import HttpResponse


def therapy_detail(request, slug):
    return HttpResponse(slug)
