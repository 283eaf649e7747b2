"""Page-number pagination: ``?page=`` and ``?page_size=`` (capped at 200).

A page that does not exist (past the end, zero, not a number) is a 404 and a page size
that is not a positive whole number is a 400, both with the usual error body. List
querysets end their ordering with the primary key so a row never appears on two pages.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {MAX_PAGE_SIZE})."]}
            )
        # Capped without int() on a number of thousands of digits (a ValueError past 4,300).
        digits = raw.lstrip("0")
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; a page past the end is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page: default {self.page_size}, larger values are "
                f"capped at {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
