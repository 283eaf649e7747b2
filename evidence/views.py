"""Evidence pages: the index, one condition, one therapy for one condition (and its
references as RIS, BibTeX or CSL-JSON). Search lives in the search app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from references.citations import STYLES, citation_style
from references.exporters import EXPORT_FORMATS

from . import selectors
from .editorial.selectors import verdict_changes


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/home.html", {"index": selectors.home_index()})


def condition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    summary = selectors.condition_evidence_summary(slug=slug)
    return render(request, "evidence/condition_detail.html", {"summary": summary})


def pair_detail(request: HttpRequest, condition_slug: str, therapy_slug: str) -> HttpResponse:
    evidence = selectors.pair_evidence(condition_slug=condition_slug, therapy_slug=therapy_slug)
    changes = verdict_changes(verdict=evidence.verdict)
    context = {
        "evidence": evidence,
        "changes": changes,
        "citation_style": citation_style(request.GET.get("style")),
        "citation_styles": STYLES.values(),
    }
    return render(request, "evidence/pair_detail.html", context)


# File extension in the URL -> key of references.exporters.EXPORT_FORMATS.
EXPORT_EXTENSIONS = {"ris": "ris", "bib": "bibtex", "json": "csl-json"}


def pair_references_export(
    request: HttpRequest, condition_slug: str, therapy_slug: str, extension: str
) -> HttpResponse:
    """The pair page's references, numbered as on the page, as a bibliography file."""
    evidence = selectors.pair_evidence(condition_slug=condition_slug, therapy_slug=therapy_slug)
    content_type, _, write = EXPORT_FORMATS[EXPORT_EXTENSIONS[extension]]
    body = write([item.reference for item in evidence.references])
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"{therapy_slug}-{condition_slug}-references.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
