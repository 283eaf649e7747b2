"""503 Service Unavailable, with Retry-After, when a backing service is down.

A database that is restarting (or unreachable) must cost a client a clear "try again
shortly", never a 500 and a traceback: pages get a small HTML page, /api/ gets the
project's JSON error body. The HTML is written here rather than rendered from a template
because the site's templates read the database (the user, the menus) which is the thing
that is down. Persistent connections (CONN_MAX_AGE with CONN_HEALTH_CHECKS) are dropped
by Django at the end of a request that saw an error, so the app reconnects by itself once
the database is back.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_MESSAGE = "The database is unavailable for a moment; try again shortly."

# SQLSTATE classes that mean "no usable connection" or "the server is going away / not
# ready yet" (psycopg errors with no SQLSTATE never reached a server at all).
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


class ServiceUnavailable(exceptions.APIException):
    """A 503 in the API's error format; ``wait`` becomes the Retry-After header."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = "The service is unavailable for a moment; try again shortly."

    def __init__(self, detail: str | None = None, *, code: str | None = None, wait: int = 5):
        super().__init__(detail, code)
        self.wait = wait


def is_database_unavailable(exc: BaseException) -> bool:
    """True for a lost or refused database connection, not for a bad query."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", "missing")
    if sqlstate == "missing":  # not psycopg: SQLite's only transient error is a lock
        return "locked" in str(exc)
    return sqlstate is None or sqlstate.startswith(_CONNECTION_SQLSTATES)


def unavailable_response(
    request: HttpRequest, message: str, *, retry_after: int, code: str = "service_unavailable"
) -> HttpResponse:
    """The 503 answer: JSON under /api/, a minimal HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    else:
        response = HttpResponse(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Temporarily unavailable</title></head><body>"
            f"<h1>Temporarily unavailable</h1><p>{message}</p></body></html>\n",
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database connection error raised by a view into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        return unavailable_response(
            request,
            DATABASE_MESSAGE,
            retry_after=DATABASE_RETRY_AFTER_SECONDS,
            code="database_unavailable",
        )


def api_exception_handler(exc: Exception, context: dict):
    """The API's exception handler, with a lost database answered as a 503, not a 500."""
    from config.api.exceptions import api_exception_handler as project_handler

    if is_database_unavailable(exc):
        request = context.get("request")
        path = request.path if request is not None else "?"
        logger.warning("database unavailable for API %s: %s", path, exc)
        exc = ServiceUnavailable(
            DATABASE_MESSAGE, code="database_unavailable", wait=DATABASE_RETRY_AFTER_SECONDS
        )
    return project_handler(exc, context)
