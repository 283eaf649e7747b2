"""Content negotiation where an unknown ``?format=`` is a 406, like an unmet Accept.

DRF answers 404 for a format it does not know, which reads as "no such resource".
"""

from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404 as exc:
            formats = ", ".join(renderer.format for renderer in renderers if renderer.format)
            raise NotAcceptable(f"Unknown format; this endpoint offers: {formats}.") from exc
