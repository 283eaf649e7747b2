"""Editor scopes in the admin: a scoped editor sees, changes and deletes only the
objects of their conditions, and can pick only those conditions in forms.

The rule is evidence.permissions'; this mixin only applies it to a ModelAdmin. Hiding
out-of-scope rows (rather than showing them read-only) also keeps them out of bulk
actions and list_editable, which check permissions without an object. Readers see
everything on the public pages and the API.
"""

from __future__ import annotations

from django.db.models import Model

from evidence import permissions
from evidence.models import Condition


def _condition_id(obj: Model, path: str) -> int | None:
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class ConditionScopedAdminMixin:
    # The lookup from the admin's model to its condition.
    condition_path = "condition"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return permissions.editable_by(queryset, request.user, condition_path=self.condition_path)

    def _in_scope(self, request, obj) -> bool:
        if obj is None or obj.pk is None:
            return True
        return permissions.user_can_edit_condition(
            request.user, _condition_id(obj, self.condition_path)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = permissions.editable_condition_ids(request.user)
        if db_field.name == "condition" and ids is not None:
            kwargs["queryset"] = Condition.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def limit_condition_autocomplete(request, queryset):
    """For ConditionAdmin.get_search_results: the condition autocomplete of a scoped
    model's form offers only the editor's conditions (the form would refuse others)."""
    scoped_models = {"verdict", "study", "guidelineposition"}
    if (
        request.GET.get("app_label") == "evidence"
        and request.GET.get("model_name") in scoped_models
        and request.GET.get("field_name") == "condition"
    ):
        return permissions.editable_by(queryset, request.user, condition_path="pk")
    return queryset
