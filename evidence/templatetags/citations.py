"""Template filter: ``{% with c=reference|vancouver %}`` gives a Citation to render."""

from django import template

from evidence.citations import Citation, vancouver

register = template.Library()


@register.filter(name="vancouver")
def vancouver_filter(reference) -> Citation:
    return vancouver(reference)
