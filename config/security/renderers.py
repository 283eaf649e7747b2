"""The browsable API under the site's Content-Security-Policy, which has no 'unsafe-inline'.

DRF's templates carry a handful of fixed ``style="..."`` attributes (float: right on the
filter buttons, widths on forms). Rather than copy and edit DRF's base template, each
response of this renderer allows exactly those attribute values by hash
(``style-src-attr 'unsafe-hashes' 'sha256-...'``): no other inline style, and no inline
script, can run. Pygments' inline ``<style>`` for code highlighting in view descriptions
is dropped; the descriptions still render, uncoloured.
"""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import rest_framework
from rest_framework import renderers

_STYLE_ATTRIBUTE = re.compile(r'style="([^"{}]*)"')


@cache
def drf_style_attribute_sources() -> tuple[str, ...]:
    """CSP sources allowing the literal style attributes in DRF's templates, and no others."""
    templates = Path(rest_framework.__file__).parent / "templates"
    values = {
        match.group(1)
        for path in templates.rglob("*.html")
        for match in _STYLE_ATTRIBUTE.finditer(path.read_text(encoding="utf-8"))
    }
    hashes = sorted(
        base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() for value in values
    )
    return ("'unsafe-hashes'", *(f"'sha256-{digest}'" for digest in hashes))


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        response = renderer_context.get("response")
        if response is not None:
            # django-csp 4 merges this into the policy of this one response.
            response._csp_update = {"style-src-attr": list(drf_style_attribute_sources())}
        return context
