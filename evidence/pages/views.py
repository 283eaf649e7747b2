"""Evidence pages: the index, one condition, one therapy for one condition (and its
references as RIS, BibTeX or CSL-JSON). Search lives in the search app.

Anonymous reads are served from the page cache (config.page_cache) when it holds the page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config import page_cache
from evidence import selectors
from evidence.selectors import versions
from references.citations import STYLES, citation_style
from references.exporters import EXPORT_FORMATS


def home(request: HttpRequest) -> HttpResponse:
    return page_cache.cached_page(
        request,
        kind="home",
        scopes=[page_cache.HOME],
        parts=[],
        render=lambda: render(request, "evidence/home.html", {"index": selectors.home_index()}),
    )


def condition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        summary = selectors.condition_evidence_summary(slug=slug, all_sub_verdicts=False)
        following = versions.follows_of(request.user, condition=summary.condition)
        context = {"summary": summary, "following": following}
        return render(request, "evidence/condition_detail.html", context)

    return page_cache.cached_page(
        request,
        kind="condition",
        scopes=[page_cache.condition_scope(slug)],
        parts=[slug],
        render=page,
    )


def pair_detail(request: HttpRequest, condition_slug: str, therapy_slug: str) -> HttpResponse:
    number = selectors.page_number(request.GET.get("page"))
    style = citation_style(request.GET.get("style"))

    def page() -> HttpResponse:
        evidence = selectors.pair_evidence(
            condition_slug=condition_slug, therapy_slug=therapy_slug, page=number
        )
        context = {
            "evidence": evidence,
            "recent_versions": versions.recent_versions(verdict=evidence.verdict),
            "citation_style": style,
            "citation_styles": STYLES.values(),
            "following": versions.follows_of(request.user, verdict=evidence.verdict),
        }
        return render(request, "evidence/pair_detail.html", context)

    return page_cache.cached_page(
        request,
        kind="pair",
        scopes=[page_cache.condition_scope(condition_slug), page_cache.therapy_scope(therapy_slug)],
        parts=[condition_slug, therapy_slug, number, style.key],
        render=page,
    )


# File extension in the URL -> key of references.exporters.EXPORT_FORMATS.
EXPORT_EXTENSIONS = {"ris": "ris", "bib": "bibtex", "json": "csl-json"}


def pair_references_export(
    request: HttpRequest, condition_slug: str, therapy_slug: str, extension: str
) -> HttpResponse:
    """The pair's references, numbered as one page of all its studies would, as a file."""
    references = selectors.pair_references(condition_slug=condition_slug, therapy_slug=therapy_slug)
    content_type, _, write = EXPORT_FORMATS[EXPORT_EXTENSIONS[extension]]
    body = write([item.reference for item in references])
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"{therapy_slug}-{condition_slug}-references.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
