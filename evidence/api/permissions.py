"""The object rule (evidence.permissions) at the API's doors.

``ObjectRulePermissions`` asks the model permission of the method first, then, for an
object, ``user.has_perm(perm, obj)``: an object the user may not even read answers 404,
one they may read but not change 403. ``require_may_save`` checks what a POST or PATCH
would store, which only exists once the input is validated: the object as it will be
saved and, for a change, as it is stored must both be inside the user's rights.
"""

from __future__ import annotations

from django.db.models import Model
from rest_framework import exceptions, permissions

from evidence import permissions as rule


class ObjectRulePermissions(permissions.DjangoObjectPermissions):
    """Anyone may read (the evidence is public); writes need the model permission and
    the object inside the user's rights."""

    authenticated_users_only = False
    message = (
        "You may not do this: your role, or your editor scope (the conditions you may "
        "change), does not allow it."
    )
    perms_map = {
        **permissions.DjangoObjectPermissions.perms_map,
        "GET": [],
        "HEAD": [],
        "OPTIONS": [],
    }


class EditorialObjectPermissions(permissions.DjangoObjectPermissions):
    """Editorial records (not public): reading needs the view permission, POST actions
    the change permission, each on the object as well as the model."""

    perms_map = {
        **permissions.DjangoObjectPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
    message = ObjectRulePermissions.message


def require_may_save(user, new: Model, *, original: Model | None = None) -> None:
    """Refuse (403) to store ``new`` over ``original`` unless both are the user's."""
    perm = rule.permission_name(new, "add" if original is None else "change")
    if rule.may_save(user, perm, new, original=original):
        return
    conditions = [
        f"{obj.condition.slug!r}"
        for obj in (original, new)
        if obj is not None and getattr(obj, "condition_id", None) is not None
    ]
    named = f" ({' -> '.join(dict.fromkeys(conditions))})" if conditions else ""
    raise exceptions.PermissionDenied(
        f"Your editor scope does not include this {new._meta.verbose_name}'s condition{named}."
    )
