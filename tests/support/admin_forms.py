"""Post an admin change form as a browser would: the data its page was rendered with."""

from __future__ import annotations

from typing import Any


def _value(bound_field) -> Any:
    value = bound_field.value()  # already prepared for the widget (JSON as text, pks)
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def admin_form_data(response) -> dict[str, Any]:
    """The POST data of the change form (and its inlines) a GET of its page rendered."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for bound_field in form:
            value = _value(bound_field)
            if value is not None:
                data[bound_field.html_name] = value
    return data
