"""One page of references in the API's brief form, for the endpoints that list what a
condition or a verdict cites."""

from rest_framework.response import Response

from references.api.serializers import ReferenceBriefSerializer


def paginated_references(view, references) -> Response:
    page = view.paginate_queryset(references)
    data = ReferenceBriefSerializer(page, many=True, context=view.get_serializer_context()).data
    return view.get_paginated_response(data)
