"""Editor scopes in the API: a scoped editor writes only their conditions' studies.

The rule is evidence.permissions'. has_object_permission covers PATCH and DELETE of an
existing study; ``require_condition_in_scope`` covers the condition a POST or PATCH
asks for, which only exists once the input is validated. Both answer 403.
"""

from rest_framework import exceptions, permissions

from evidence.models import Condition
from evidence.permissions import user_can_edit_condition


class ConditionScope(permissions.BasePermission):
    message = "Your editor scope does not include this study's condition."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return user_can_edit_condition(request.user, obj.condition_id)


def require_condition_in_scope(user, condition: Condition | None) -> None:
    """Refuse (403) to put evidence under a condition outside ``user``'s editor scope."""
    if condition is not None and not user_can_edit_condition(user, condition):
        raise exceptions.PermissionDenied(
            f"Your editor scope does not include the condition {condition.slug!r}."
        )
