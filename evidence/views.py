"""Evidence pages (placeholder until the page work lands)."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("Evidentia")


def condition_detail(request, slug):
    return HttpResponse(slug)


def pair_detail(request, condition_slug, therapy_slug):
    return HttpResponse(therapy_slug)
