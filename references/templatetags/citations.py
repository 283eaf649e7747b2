"""Citations in templates, in the CSL style the page was asked for.

``{% bibliography refs style as entries %}`` formats a page's numbered references in one
go (one cache round trip; citeproc only for what the cache lacks) and gives
(numbered reference, FormattedCitation) pairs. ``{% cite reference style as c %}`` does
one reference; ``{% cite_page title reviewed_on style as c %}`` cites the page itself.
"""

from django import template
from django.utils import timezone

from references.citations import (
    DEFAULT_STYLE,
    CitationStyle,
    citation_style,
    format_items,
    format_references,
    page_item,
)

register = template.Library()


def _style(style) -> CitationStyle:
    return style if isinstance(style, CitationStyle) else citation_style(style or DEFAULT_STYLE)


@register.simple_tag
def bibliography(references, style=None):
    """``references``: NumberedReference items (``.reference``), in page order."""
    items = list(references)
    formatted = format_references([item.reference for item in items], style=_style(style))
    return list(zip(items, formatted, strict=True))


@register.simple_tag
def cite(reference, style=None):
    return format_references([reference], style=_style(style))[0]


@register.simple_tag(takes_context=True)
def cite_page(context, title, reviewed_on, style=None):
    """This page's own citation: its absolute URL, dated by its last review."""
    request = context["request"]
    item = page_item(
        title=title,
        url=request.build_absolute_uri(request.path),
        reviewed_on=reviewed_on,
        accessed_on=timezone.localdate(),
    )
    return format_items([item], style=_style(style))[0]


@register.filter
def web_url(url):
    """The URL if it is a web link, else nothing: escaping alone does not stop javascript:."""
    url = str(url or "")
    return url if url.lower().startswith(("https://", "http://")) else ""
