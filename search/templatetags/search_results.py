"""Template filters for search results: ``{{ text|highlight:terms }}``, ``|snippet:terms``."""

from django import template

from search.highlight import highlight as highlight_text

register = template.Library()

SNIPPET_LENGTH = 220


@register.filter
def highlight(value, terms):
    """A string, or a list of them (joined by commas), escaped with matches marked."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return highlight_text(value, terms or [])


@register.filter
def snippet(value, terms):
    """About two lines of ``value`` around the first match, highlighted."""
    return highlight_text(value, terms or [], limit=SNIPPET_LENGTH)
