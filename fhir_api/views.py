"""The read-only FHIR R5 endpoint at /fhir/: parse the request, call one selector or
builder, answer FHIR JSON (``application/fhir+json``) with ETag, Last-Modified and 304s.

Reads are open to anyone and throttled like the REST API (its throttle classes and
rates); any other method is a 405. Every error is an OperationOutcome, never a 500 page.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.conditional import data_etag
from config.middleware.unavailable import api_exception_handler

from . import bundles, params, selectors
from .resources.artifact_assessment import finding_assessment, finding_id, verdict_assessment
from .resources.bundle import searchset
from .resources.capability_statement import capability_statement
from .resources.citation import citation_resource
from .resources.common import pruned
from .resources.evidence import evidence_resource
from .resources.operation_outcome import operation_outcome

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
STARTED = datetime.now().astimezone()


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "json"
    charset = "utf-8"


class AlwaysFhirJSON(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says: the endpoint has no other format."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def fhir_exception_handler(exc: Exception, context: dict) -> Response:
    """The API's handler decides the status (and logs); the body becomes an
    OperationOutcome."""
    if isinstance(exc, params.BadSearch):
        exc = exceptions.ValidationError({"search": [str(exc)]})
    response = api_exception_handler(exc, context)
    error = (response.data or {}).get("error", {}) if isinstance(response.data, dict) else {}
    message = error.get("message") or str(exc)
    fields = error.get("fields") or {}
    if fields:
        message = " ".join(" ".join(messages) for messages in fields.values()) or message
    response.data = operation_outcome(response.status_code, message)
    request = context.get("request")
    if request is not None:
        # The API's handler turns any renderer but JSON into JSON, and a write refused
        # before negotiation has none yet: errors are FHIR JSON too.
        request.accepted_renderer = FhirJSONRenderer()
        request.accepted_media_type = FHIR_JSON
    return response


class FhirView(APIView):
    renderer_classes = [FhirJSONRenderer]
    content_negotiation_class = AlwaysFhirJSON
    parser_classes: list = []
    permission_classes = [AllowAny]
    schema = None  # not part of the REST API's OpenAPI schema

    def initial(self, request, *args, **kwargs):
        # Before authentication and throttling: a write is refused the same way for all.
        if request.method not in ("GET", "HEAD"):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_exception_handler(self):
        return fhir_exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/").rstrip("/")

    def answer(self, resource: dict[str, Any] | None, *, what: str) -> Response:
        if resource is None:
            raise exceptions.NotFound(f"No published {what} with this id.")
        etag = data_etag(resource, FHIR_JSON)
        response = Response(resource)
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        updated = (resource.get("meta") or {}).get("lastUpdated")
        timestamp = int(datetime.fromisoformat(updated).timestamp()) if updated else None
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        result = get_conditional_response(
            self.request, etag=etag, last_modified=timestamp, response=response
        )
        if result.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise exceptions.APIException(code="precondition_failed")
        return result


class MetadataView(FhirView):
    def get(self, request):
        params.only(request.query_params, set())
        return self.answer(
            capability_statement(base_url=self.base_url(), software_date=STARTED), what="x"
        )


class CitationReadView(FhirView):
    def get(self, request, ident: str):
        params.only(request.query_params, set())
        pk = params.numeric_id(ident)
        refs = selectors.references_with_notices(ids=[pk]) if pk is not None else {}
        ref = refs.get(pk)
        resource = citation_resource(ref, list(ref.notices.all())) if ref else None
        return self.answer(resource, what="Citation")


class CitationSearchView(FhirView):
    def get(self, request):
        query = params.only(request.query_params, {"identifier"})
        if "identifier" not in query:
            raise params.BadSearch("Search Citations by identifier=<system>|<value>.")
        kind, value = params.identifier_token(query["identifier"])
        ref = selectors.reference_by_identifier(kind=kind, value=value)
        entries = [citation_resource(ref, list(ref.notices.all()))] if ref else []
        url = request.build_absolute_uri()
        return self.answer(
            searchset(
                entries=entries, total=len(entries), base_url=self.base_url(), links={"self": url}
            ),
            what="x",
        )


class EvidenceReadView(FhirView):
    def get(self, request, ident: str):
        params.only(request.query_params, set())
        pk = params.numeric_id(ident)
        found = selectors.published_study(study_id=pk) if pk is not None else None
        return self.answer(evidence_resource(*found) if found else None, what="Evidence")


class ArtifactAssessmentReadView(FhirView):
    def get(self, request, ident: str):
        params.only(request.query_params, set())
        return self.answer(self._resource(ident), what="ArtifactAssessment")

    def _resource(self, ident: str) -> dict[str, Any] | None:
        verdict_id = params.numeric_id(ident)
        row = params.finding_id(ident)
        if row is not None:
            verdict_id = row[0]
        if verdict_id is None:
            return None
        published = selectors.published_verdict(verdict_id=verdict_id)
        if published is None:
            return None
        if row is None:
            return verdict_assessment(published, base_url=self.base_url())
        for finding in published.findings:
            if finding_id(verdict_id, finding.get("outcome") or "") == ident:
                return finding_assessment(published, finding, base_url=self.base_url())
        return None


class BundleSearchView(FhirView):
    def get(self, request):
        query = params.only(request.query_params, {"condition", "_count", "_page"})
        if "condition" not in query:
            raise params.BadSearch("Search Bundles by condition=<slug>.")
        count = params.positive(
            query.get("_count"),
            name="_count",
            default=bundles.DEFAULT_COUNT,
            maximum=bundles.MAX_COUNT,
        )
        page = params.positive(query.get("_page"), name="_page", default=1)
        bundle = bundles.condition_bundle(
            slug=query["condition"],
            page=page,
            count=count,
            base_url=self.base_url(),
            query=pruned({"condition": query["condition"]}),
        )
        if bundle is None:
            raise exceptions.NotFound("No condition with this slug.")
        return self.answer(bundle, what="x")


class NotFoundView(FhirView):
    """Any other /fhir/ address: an unsupported resource type or interaction."""

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("This FHIR endpoint serves no resource at this address.")
