"""Lists of short texts (a verdict's key takeaways, a condition's synonyms) edited in the
admin as lists: one field per item, with add, remove and reorder buttons.

The form field is a textarea holding one item per line, which is all there is without
JavaScript and all the server reads. static/evidentia/admin/list_widget.js turns it into
one input per item and writes the items back into the (hidden) textarea as they change,
so both ways submit the same thing and one parser reads it.

A ModelAdmin edits its model's JSON lists so with ``formfield_overrides = LIST_OVERRIDES``
(every JSONField of the model), or names some of them in ``ListFieldsMixin.list_fields``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

LIST_HELP = "One item per line."
MAX_ITEMS = 50


class ListWidget(forms.Textarea):
    """A textarea of one item per line, enhanced into a list editor by list_widget.js."""

    class Media:
        js = ["evidentia/admin/list_widget.js"]
        css = {"all": ["evidentia/admin/list_widget.css"]}

    def __init__(self, attrs=None, *, item_label: str = "item"):
        super().__init__({"rows": 4, "data-list-widget": item_label, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return super().format_value(value)


class ListField(forms.Field):
    """A list of non-empty, single-line texts, from a textarea of one item per line."""

    widget = ListWidget

    def __init__(self, *, max_item_length: int = 500, max_items: int = MAX_ITEMS, **kwargs):
        self.max_item_length = max_item_length
        self.max_items = max_items
        # JSONField.formfield passes its own help text ("" when unset) and its JSON coders.
        kwargs["help_text"] = kwargs.get("help_text") or LIST_HELP
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # The text the textarea holds (and a re-posted form sends back): one item a line.
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, list | tuple):
            lines = [str(item) for item in value]
        else:
            lines = str(value).splitlines()
        return [" ".join(line.split()) for line in lines if line.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(
                f"At most {self.max_items} items; this list has {len(value)}.", code="max_items"
            )
        for number, item in enumerate(value, start=1):
            if len(item) > self.max_item_length:
                raise ValidationError(
                    f"Item {number} is {len(item)} characters long; the limit is "
                    f"{self.max_item_length}.",
                    code="item_too_long",
                )

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


LIST_OVERRIDES = {models.JSONField: {"form_class": ListField, "widget": ListWidget}}


class ListFieldsMixin:
    """ModelAdmin (or inline) mixin: the model fields named in ``list_fields`` (JSON lists
    of strings) are edited with ListField."""

    list_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.list_fields:
            return ListField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                help_text=db_field.help_text or LIST_HELP,
                widget=ListWidget(item_label=str(db_field.verbose_name)),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
