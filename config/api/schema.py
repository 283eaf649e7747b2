"""OpenAPI pieces shared by the apps: the error body, conditional-GET headers, and a hook
that documents the errors every operation can answer with."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

ERROR_COMPONENT = "Error"


class AutoSchema(SpectacularAutoSchema):
    """Documents reads under DjangoModelPermissionsOrAnonReadOnly as needing no credentials.

    drf-spectacular knows this only for AllowAny and IsAuthenticatedOrReadOnly.
    """

    def get_auth(self):
        auths = super().get_auth()
        anonymous_reads = any(
            isinstance(permission, permissions.DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


ErrorDetailSerializer = inline_serializer(
    "ErrorDetail",
    fields={
        "code": serializers.CharField(
            help_text="Stable, machine-readable: invalid, not_found, not_authenticated, "
            "permission_denied, method_not_allowed, not_acceptable, unsupported_media_type, "
            "throttled, parse_error, export_too_large, precondition_failed."
        ),
        "message": serializers.CharField(help_text="For people."),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Each offending input (a field, a query parameter, 'identifiers.2') "
            "with its messages; empty when the error is not about one input.",
        ),
    },
)
ErrorSerializer = inline_serializer(ERROR_COMPONENT, fields={"error": ErrorDetailSerializer})

CONDITIONAL_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An ETag from an earlier answer: 304 if the resource has not changed.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An HTTP date: 304 if nothing changed since (ignored with If-None-Match).",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Changes whenever the body would change.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="The newest change among the rows the answer is built from.",
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag / date given.")

_DESCRIPTIONS = {
    "400": "Invalid input (a body field, a filter or a parameter); see error.fields.",
    "401": "Not authenticated: send 'Authorization: Token <key>'.",
    "403": "Authenticated, but without the model permission this needs.",
    "404": "No such resource (unknown slug or id), or no such page.",
    "406": "None of the media types in Accept (or ?format=) is offered here.",
    "412": "If-Match / If-Unmodified-Since did not match.",
    "415": "The request body's Content-Type is not accepted here.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}


def _error_codes(path: str, method: str, operation: dict) -> list[str]:
    writes = method in {"post", "put", "patch", "delete"}
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    codes = ["406", "429"]
    if writes or has_query:
        codes.append("400")
    if writes or "/imports/" in path:
        codes += ["401", "403"]
    if "{" in path or has_query:
        codes.append("404")
    if method in {"post", "put", "patch"}:
        codes.append("415")
    if any(p.get("name") == "If-None-Match" for p in operation.get("parameters", [])):
        codes.append("412")
    return sorted(codes)


def add_error_responses(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOK: every operation documents the errors it can answer with."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, _ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(path, method, operation):
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
