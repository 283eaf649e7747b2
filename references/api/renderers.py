"""Bibliography formats by content negotiation (Accept) or ``?format=ris|bibtex|csl-json``.

Views that offer them write the text with references.exporters and hand the renderer a
string; anything else that reaches these renderers (an error body) is answered as JSON.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request

from references import exporters

DEFAULT_EXPORT_MAX_REFERENCES = 5000


class _BibliographyRenderer(BaseRenderer):
    charset = "utf-8"
    extension = ""
    schema = OpenApiTypes.STR  # the body, as documented in the OpenAPI schema
    write: Callable[[Iterable], str]

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, str):
            # An empty bibliography is still a file: DRF drops the Content-Type of an
            # empty body.
            return data.encode(self.charset) or b"\n"
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = JSONRenderer.media_type
        return JSONRenderer().render(data, JSONRenderer.media_type, renderer_context)


class RISRenderer(_BibliographyRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"
    extension = "ris"
    write = staticmethod(exporters.to_ris)


class BibTeXRenderer(_BibliographyRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    extension = "bib"
    write = staticmethod(exporters.to_bibtex)


class CSLJSONRenderer(_BibliographyRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl-json"
    extension = "json"
    # A JSON array of CSL items; "any" because drf-spectacular would wrap a documented
    # array of a list endpoint in the pagination envelope, which exports do not have.
    schema = OpenApiTypes.ANY
    write = staticmethod(exporters.to_csl_json)


EXPORT_RENDERERS = [RISRenderer, BibTeXRenderer, CSLJSONRenderer]
BIBLIOGRAPHY_RENDERERS = [JSONRenderer, BrowsableAPIRenderer, *EXPORT_RENDERERS]
EXPORT_FORMAT_NAMES = [renderer.format for renderer in EXPORT_RENDERERS]


class ExportTooLarge(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "export_too_large"
    default_detail = "Too many references match to export at once; narrow the filters."


def export_max_references() -> int:
    return getattr(settings, "API_EXPORT_MAX_REFERENCES", DEFAULT_EXPORT_MAX_REFERENCES)


def export_renderer(request: Request) -> _BibliographyRenderer | None:
    """The bibliography renderer the request negotiated, or None for JSON / HTML."""
    renderer = getattr(request, "accepted_renderer", None)
    return renderer if isinstance(renderer, _BibliographyRenderer) else None


def export_text(renderer: _BibliographyRenderer, references: Iterable) -> str:
    return renderer.write(references)


def attachment_headers(renderer: _BibliographyRenderer, stem: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{stem}.{renderer.extension}"'}
