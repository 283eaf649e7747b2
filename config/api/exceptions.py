"""One JSON error body for every API error.

Every error answers ``{"error": {"code", "message", "fields"}}``: ``code`` is a stable
machine-readable word (``not_found``, ``invalid``, ``throttled`` ...), ``message`` a
sentence for people, and ``fields`` maps each offending input (``identifiers.2``,
``year_min``, ``non_field_errors``) to its messages. Errors are always JSON, even when the
request negotiated RIS or BibTeX, so a client can always read why it failed.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

MESSAGES = {
    "invalid": "The request is invalid; see fields.",
    "server_error": "Something went wrong on our side; the error has been logged.",
}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"identifiers": {"2": ["bad"]}} -> {"identifiers.2": ["bad"]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def _first_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    while isinstance(codes, dict | list):
        if not codes:
            return exc.default_code
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Raised while DRF reads the body, so inside the view: Django's own 400 for it
        # never applies, and unhandled it would be a 500.
        exc = PayloadTooLarge(
            f"The request body is over the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}-byte "
            "limit; upload a file (multipart) or send fewer identifiers."
        )
    elif isinstance(exc, SuspiciousOperation):  # too many fields or files, and the like
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, DataError | OverflowError):
        # The database refused a value the validators let through (a NUL in a slug looked
        # up by a related field, a number past its column's range, which SQLite's driver
        # refuses as an OverflowError before the query): the client's input, not our
        # fault, so a 400; logged, as it names a validator to tighten.
        logger.warning("database refused a request value: %s", exc)
        set_rollback()
        exc = exceptions.ParseError(
            "A value in the request cannot be stored or looked up (a NUL character, or "
            "a number out of range)."
        )

    request = context.get("request")
    if request is not None and not isinstance(
        getattr(request, "accepted_renderer", None), JSONRenderer | BrowsableAPIRenderer
    ):
        # An error for a request that asked for RIS or BibTeX is still explained in JSON.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(
            error_body("server_error", MESSAGES["server_error"]),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", MESSAGES["invalid"], _flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
        response.data = error_body(_first_code(exc), message)
    return response


@csrf_exempt  # whatever the method, the answer is this 404, not a CSRF failure page
def not_found(request, exception=None) -> JsonResponse:
    """Any /api/ path that matches no endpoint."""
    return JsonResponse(
        error_body("not_found", "No API endpoint at this address."),
        status=status.HTTP_404_NOT_FOUND,
    )
