"""Citations in templates, in the CSL style the page was asked for.

``{% bibliography refs style as entries %}`` gives a page's numbered references as
(numbered reference, FormattedCitation) pairs; ``{% cite reference style as c %}`` does one
reference; ``{% cite_page title reviewed_on style as c %}`` cites the page itself. None of
them formats: references carry their stored citations (references.stored_citations) and the
page's citation is filled in from a template (references.page_citations).
"""

from django import template
from django.utils import timezone

from references.citations import DEFAULT_STYLE, CitationStyle, citation_style
from references.page_citations import page_citation
from references.stored_citations import stored_citations

register = template.Library()


def _style(style) -> CitationStyle:
    return style if isinstance(style, CitationStyle) else citation_style(style or DEFAULT_STYLE)


@register.simple_tag
def bibliography(references, style=None):
    """``references``: NumberedReference items (``.reference``), in page order."""
    items = list(references)
    formatted = stored_citations([item.reference for item in items], style=_style(style))
    return list(zip(items, formatted, strict=True))


@register.simple_tag
def cite(reference, style=None):
    return stored_citations([reference], style=_style(style))[0]


@register.simple_tag(takes_context=True)
def cite_page(context, title, reviewed_on, style=None):
    """This page's own citation: its absolute URL, dated by its last review."""
    request = context["request"]
    return page_citation(
        title=title,
        url=request.build_absolute_uri(request.path),
        reviewed_on=reviewed_on,
        accessed_on=timezone.localdate(),
        style=_style(style),
    )


@register.filter
def web_url(url):
    """The URL if it is a web link, else nothing: escaping alone does not stop javascript:."""
    url = str(url or "")
    return url if url.lower().startswith(("https://", "http://")) else ""
