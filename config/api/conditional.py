"""ETag and Last-Modified for detail and summary endpoints, with 304 Not Modified.

The ETag is a hash of the serialized body and of the media type it is rendered as, so it
changes exactly when what the client would read changes, whichever row (a study, a
verdict, a reference's retraction status) the change came through. Last-Modified is the
newest timestamp among the rows a view reads (``updated_at``, or the simple_history
``history_date`` of models without one); it serves ``If-Modified-Since`` for clients
that do not keep ETags. When a request sends both, ``If-None-Match`` decides (RFC 9110).
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .exceptions import error_body


def data_etag(data: Any, media_type: str) -> str:
    payload = json.dumps(data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{media_type}\n{payload}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def latest(*sources: datetime | None | QuerySet | Iterable[datetime | None]) -> datetime | None:
    """The newest of some timestamps; a queryset counts as the Max of its only value field.

    ``latest(verdict.updated_at, Study.history.filter(...).values("history_date"))``
    """
    stamps: list[datetime] = []
    for source in sources:
        if isinstance(source, QuerySet):
            (field,) = source.query.values_select
            value = source.order_by().aggregate(newest=Max(field))["newest"]
            if value is not None:
                stamps.append(value)
        elif isinstance(source, datetime):
            stamps.append(source)
        elif source is not None:
            stamps.extend(stamp for stamp in source if stamp is not None)
    return max(stamps, default=None)


def conditional_response(
    request: Request, data: Any, *, last_modified: datetime | None, **kwargs: Any
) -> Response:
    """A 200 Response carrying ETag/Last-Modified, or a 304 when the client is current."""
    media_type = getattr(request, "accepted_media_type", None) or "application/json"
    etag = data_etag(data, media_type)
    response = Response(data, **kwargs)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    result = get_conditional_response(
        request, etag=etag, last_modified=timestamp, response=response
    )
    if result.status_code == status.HTTP_412_PRECONDITION_FAILED:
        return Response(
            error_body("precondition_failed", "The resource does not match If-Match."),
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
    return result
