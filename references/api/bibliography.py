"""Bibliography answers shared by every API that lists references: the ``format``
parameter, the JSON-or-file responses for the schema, and whole-list exports."""

from django.db.models import F, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.schema import NOT_MODIFIED

from . import renderers
from .serializers import REFERENCE_EXPORT_FIELDS

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["json", *renderers.EXPORT_FORMAT_NAMES],
    description="Overrides Accept: ris (application/x-research-info-systems), bibtex "
    "(application/x-bibtex) or csl-json (application/vnd.citationstyles.csl+json).",
)


def bibliography_responses(json_response, *, conditional: bool = False) -> dict:
    """The 200 answer in JSON and in each bibliography format (text)."""
    responses = {(200, "application/json"): json_response}
    for renderer in renderers.EXPORT_RENDERERS:
        responses[(200, renderer.media_type)] = OpenApiResponse(
            renderer.schema,
            description=f"A {renderer.format} file (attachment)"
            + (": a JSON array of CSL items." if renderer.format == "csl-json" else "."),
        )
    if conditional:
        responses[304] = NOT_MODIFIED
    return responses


def ordered_references(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("year").desc(nulls_last=True), "title", "id")


def export_response(request: Request, references: QuerySet, *, stem: str) -> Response:
    """The whole of ``references`` (not one page) as the negotiated bibliography format.

    One row more than API_EXPORT_MAX_REFERENCES is read: if it exists the client is told
    to narrow the filter rather than get a silently truncated bibliography.
    """
    renderer = renderers.export_renderer(request)
    limit = renderers.export_max_references()
    references = references.only(*REFERENCE_EXPORT_FIELDS)
    rows = list(references[: limit + 1])
    if len(rows) > limit:
        raise renderers.ExportTooLarge(
            f"More than {limit} references match; exports are limited to {limit}. "
            "Narrow the filters (for example year_min / year_max) and export in parts."
        )
    return Response(
        renderers.export_text(renderer, rows), headers=renderers.attachment_headers(renderer, stem)
    )
