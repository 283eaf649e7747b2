"""A request id for every request: taken from X-Request-ID or made up, logged, echoed back.

A proxy or client that already has an id for the request (X-Request-ID) keeps it, so one
id follows the request through the balancer, gunicorn's access log, Django's log lines
and the Celery tasks the request starts (see config.celery). An incoming value that is
too long or holds anything but letters, digits and ``._:-`` is replaced, so no one can
write arbitrary text into the logs through the header.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.logging import request_id_var

HEADER = "X-Request-ID"
MAX_LENGTH = 128
VALID_REQUEST_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")


def request_id_from(value: str | None) -> str:
    """The incoming id if it is safe to log, otherwise a new one (32 hex digits)."""
    if value and VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds ``request.request_id`` for the request's log records and sets X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
