"""Who may do what to which object: the one rule behind every door.

Every door (admin pages, inlines, actions, history views, custom admin views, API views
and actions) asks Django's own question, ``user.has_perm("app.action_model", obj)``.
With an object, Django's ModelBackend answers no; ``ObjectRuleBackend`` below (in
AUTHENTICATION_BACKENDS) answers instead, from this module, so apps below ``evidence``
(``references``, ``therapies``) ask it without importing it. Without an object, the
model permissions of the editorial roles decide as usual.

The rule, for an object:

1. Inactive users may do nothing; superusers may do everything.
2. The model permission comes first: without ``evidence.change_study`` no study may be
   changed, whatever the object.
3. Condition scopes. An editor with EditorScope rows may act only on objects whose
   condition is one of theirs or below one of theirs: verdicts, studies, guideline
   positions, summary-of-findings rows, verdict references, triage candidates, saved
   searches, editor scopes, and conditions themselves. That holds for every action,
   viewing included (the admin hides the rest; readers see all evidence on the public
   pages and the read API, which ask no permission). Regulatory statuses, which are
   given per therapy and condition, are scoped the same way. An editor with no rows
   keeps global rights.
4. A write is checked on the object as stored *and* as it will be saved
   (``may_save``), so nothing can be moved out of or into a scope the user lacks: a
   study moved to another condition, a history revert to a version under another
   condition, a condition given another parent.
4a. Conditions are part of the tree that defines scopes, so writing one (adding,
   changing, deleting) touches its parent too: a limited editor may add conditions under
   theirs and change or move the sub-conditions inside their scope, and only when the
   old and the new parent are both inside it. Their scope's root condition, whose parent
   lies outside, they may read but not change; a scope can never be widened by moving
   someone else's condition under one's own.
5. Import jobs (and their items) are seen only by their creator and by users with
   ``references.view_all_importjobs``.
6. Everything else (therapies, references) follows the model permissions alone.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from references.models import ImportJob, ImportJobItem
from therapies.models import RegulatoryStatus

from .models import (
    Candidate,
    Condition,
    EditorScope,
    GuidelinePosition,
    OutcomeFinding,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
)

# Conditions form a shallow tree (a disease and its subtypes); this bounds a cycle that a
# bad edit might still create despite the model's own-parent constraint.
_MAX_DEPTH = 20
_CACHE_ATTRIBUTE = "_evidentia_editable_condition_ids"

# How each condition-scoped model reaches its condition (a lookup path, "pk" for the
# condition itself).
CONDITION_PATHS: dict[type[Model], str] = {
    Condition: "pk",
    Verdict: "condition",
    Study: "condition",
    GuidelinePosition: "condition",
    EditorScope: "condition",
    OutcomeFinding: "verdict__condition",
    VerdictReference: "verdict__condition",
    Candidate: "verdict__condition",
    SavedSearch: "verdict__condition",
    RegulatoryStatus: "condition",
}


def editable_condition_ids(user) -> frozenset[int] | None:
    """The ids of the conditions ``user`` may act on, or None when they are not scoped.

    Cached on the user object, so an admin page or API request asks the database once.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return None
    if hasattr(user, _CACHE_ATTRIBUTE):
        return getattr(user, _CACHE_ATTRIBUTE)
    roots = set(EditorScope.objects.filter(user=user).values_list("condition_id", flat=True))
    ids: frozenset[int] | None = None
    if roots:
        found, frontier = set(roots), roots
        for _ in range(_MAX_DEPTH):
            frontier = set(
                Condition.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=found)
                .values_list("pk", flat=True)
            )
            if not frontier:
                break
            found |= frontier
        ids = frozenset(found)
    setattr(user, _CACHE_ATTRIBUTE, ids)
    return ids


def user_can_edit_condition(user, condition: Condition | int | None) -> bool:
    """Is this condition (an object or an id) inside ``user``'s scope?"""
    ids = editable_condition_ids(user)
    if ids is None:
        return True
    condition_id = condition.pk if isinstance(condition, Condition) else condition
    return condition_id in ids


def condition_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its condition, or None for unscoped models."""
    for scoped, path in CONDITION_PATHS.items():
        if issubclass(model, scoped):
            return path
    return None


def scoped_queryset(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` narrowed to the rows ``user`` may act on (rules 3 and 5)."""
    model = queryset.model
    if issubclass(model, ImportJob):
        return queryset.filter(pk__in=ImportJob.objects.visible_to(user).values("pk"))
    if issubclass(model, ImportJobItem):
        return queryset.filter(job__in=ImportJob.objects.visible_to(user).values("pk"))
    path = condition_path(model)
    ids = editable_condition_ids(user)
    if path is None or ids is None:
        return queryset
    return queryset.filter(Q(**{f"{path}__in": ids}))


def _concrete(obj: Model) -> Model:
    """A simple-history record stands for the object as it was."""
    instance = getattr(obj, "instance", None)
    return instance if isinstance(instance, Model) and hasattr(obj, "history_id") else obj


def object_condition_ids(obj: Model, *, action: str = "change") -> set[int | None] | None:
    """The conditions ``obj`` belongs to, or None when it belongs to none (unscoped).

    A condition is written as part of the tree: changing, deleting or adding one also
    touches its parent, so a write needs both inside the scope (a limited editor's own
    root condition, whose parent is outside, is theirs to read, not to move or edit).
    """
    obj = _concrete(obj)
    if isinstance(obj, Condition):
        own = {obj.pk} if obj.pk is not None else set()
        return own if action == "view" else own | {obj.parent_id}
    path = condition_path(type(obj))
    if path is None:
        return None
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        if getattr(target, f"{hop}_id", None) is None:
            return {None}
        target = getattr(target, hop)
    return {getattr(target, f"{last}_id", None)}


def _in_scope(user, obj: Model, action: str) -> bool:
    if isinstance(obj, ImportJob | ImportJobItem):
        job = obj if isinstance(obj, ImportJob) else obj.job
        return job.is_visible_to(user)
    ids = editable_condition_ids(user)
    if ids is None:
        return True
    conditions = object_condition_ids(obj, action=action)
    return conditions is None or conditions <= ids


def _action(perm: str) -> str:
    return perm.partition(".")[2].partition("_")[0]


def has_object_permission(user, perm: str, obj: Model) -> bool:
    """May ``user`` use permission ``perm`` ("app.action_model") on ``obj``?"""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    if not user.has_perm(perm):
        return False
    return _in_scope(user, obj, _action(perm))


def may_save(user, perm: str, new: Model, *, original: Model | None = None) -> bool:
    """May ``user`` save ``new`` (unsaved changes) over ``original`` (as stored)?

    Both states must pass the rule, so nothing leaves or enters a scope the user lacks.
    """
    if not has_object_permission(user, perm, new):
        return False
    return original is None or has_object_permission(user, perm, original)


def require(user, perm: str, obj: Model) -> None:
    """Refuse (PermissionDenied) unless ``user`` may; ``None`` is the system itself
    (a scheduled task, a data load), which acts on no one's behalf."""
    if user is not None and not user.has_perm(perm, obj):
        raise PermissionDenied(f"You may not do this to {obj}: it is outside your rights.")


def with_changes(obj: Model, changes: dict[str, Any]) -> Model:
    """An unsaved copy of ``obj`` with ``changes`` applied, to check before saving."""
    new = copy.copy(obj)
    new._state = copy.copy(obj._state)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def permission_name(model: type[Model] | Model, action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


class ObjectRuleBackend(BaseBackend):
    """Django's authentication backend hook for object permissions: this module's rule.

    Authenticates nobody; answers ``has_perm`` only when an object is given (without
    one, ModelBackend's answer from the groups stands).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None:
            return False
        return has_object_permission(user_obj, perm, obj)

    def filter_queryset(self, user_obj, queryset: QuerySet) -> QuerySet:
        """Not a Django hook: config.admin asks every backend that has it for the rows
        a user may act on, so admin lists and choices follow this rule too."""
        return scoped_queryset(queryset, user_obj)
