"""Which conditions an editor may change: the one rule behind the admin and the API.

An editor with no EditorScope rows keeps global rights (subject to their model
permissions, as before scopes existed). With rows, they may change or delete only the
verdicts, studies, guideline positions and outcome findings whose condition is one of
theirs or below one of theirs. Superusers are never scoped. Model permissions still
decide whether someone may edit a kind of object at all; scopes only narrow which ones.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Condition, EditorScope

# Conditions form a shallow tree (a disease and its subtypes); this bounds a cycle that a
# bad edit might still create despite the model's own-parent constraint.
_MAX_DEPTH = 20
_CACHE_ATTRIBUTE = "_evidentia_editable_condition_ids"


def editable_condition_ids(user) -> frozenset[int] | None:
    """The ids of the conditions ``user`` may edit, or None when they are not scoped.

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
    """May ``user`` change evidence about this condition (given as an object or an id)?"""
    ids = editable_condition_ids(user)
    if ids is None:
        return True
    condition_id = condition.pk if isinstance(condition, Condition) else condition
    return condition_id in ids


def editable_by(queryset: QuerySet, user, *, condition_path: str) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may edit; ``condition_path`` leads to the
    row's condition (``"condition"``, ``"verdict__condition"``)."""
    ids = editable_condition_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(**{f"{condition_path}__in": ids}))
