"""Merging two references that describe one work: everything that cites the duplicate
moves to the survivor, the survivor takes what it lacks, the duplicate is deleted.

What points at a reference is found through Reference's own reverse relations, so this
module names no model of the apps above (studies, verdict references, guideline
positions, safety citations, triage candidates, a condition's prevalence source, import
items...): a relation added later is moved too. A row that would break a unique
constraint on the survivor (the verdict already cites the survivor) says nothing the
survivor's row does not, and is dropped. History records stay as they were; moved and
dropped rows of models with history get a record of the change, by the merging user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from simple_history.models import HistoricalChanges

from references.fields import IDENTIFIER_FIELDS, MERGED_FIELDS
from references.models import Reference
from references.signals import references_amended

from .merge import STATUS_SEVERITY, notices_status

CHANGE_REASON_LENGTH = 100
_EMPTY = (None, "", [], {})


@dataclass
class MergeResult:
    survivor: Reference
    duplicate_id: int
    moved: Counter = field(default_factory=Counter)  # model label -> rows moved
    dropped: Counter = field(default_factory=Counter)  # model label -> rows dropped
    filled: list[str] = field(default_factory=list)  # survivor fields taken from duplicate


def _relations() -> list[models.ForeignKey]:
    """Every foreign key to Reference whose rows must follow a merge (not history's)."""
    found = []
    for relation in Reference._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.many_to_many:  # its through model's foreign key is listed itself
            continue
        if issubclass(relation.related_model, HistoricalChanges):
            continue
        found.append(relation.field)
    return found


def _unique_sets(fk: models.ForeignKey) -> list[tuple[tuple[str, ...], models.Q | None]]:
    """The other columns of each unique constraint that includes ``fk``, with its condition."""
    model = fk.model
    sets: list[tuple[tuple[str, ...], models.Q | None]] = []
    if fk.unique:
        sets.append(((), None))
    groups = [(c.fields, c.condition) for c in model._meta.constraints if _is_unique(c)]
    groups += [(tuple(names), None) for names in model._meta.unique_together]
    for names, condition in groups:
        if fk.name in names:
            others = tuple(model._meta.get_field(n).attname for n in names if n != fk.name)
            sets.append((others, condition))
    return sets


def _is_unique(constraint) -> bool:
    return isinstance(constraint, models.UniqueConstraint) and bool(constraint.fields)


def _conflicts(fk, row, survivor, taken: dict) -> bool:
    """Would ``row``, moved to ``survivor``, repeat a row the survivor already has?"""
    manager = fk.model._default_manager
    for index, (others, condition) in enumerate(_unique_sets(fk)):
        if condition is not None and not manager.filter(condition, pk=row.pk).exists():
            continue
        if index not in taken:
            rows = manager.filter(**{fk.name: survivor})
            if condition is not None:
                rows = rows.filter(condition)
            if others:
                taken[index] = {tuple(values) for values in rows.values_list(*others)}
            else:
                taken[index] = {()} if rows.exists() else set()
        key = tuple(getattr(row, name) for name in others)
        if None in key:  # NULLs never collide in a unique index
            continue
        if key in taken[index]:
            return True
        taken[index].add(key)
    return False


def _move_rows(fk, survivor: Reference, duplicate: Reference, user, result: MergeResult):
    reason = f"Reference #{duplicate.pk} merged into #{survivor.pk}"[:CHANGE_REASON_LENGTH]
    taken: dict = {}
    label = fk.model._meta.label
    for row in fk.model._default_manager.filter(**{fk.name: duplicate}).order_by("pk"):
        row._history_user = user
        row._change_reason = reason
        if _conflicts(fk, row, survivor, taken):
            row.delete()
            result.dropped[label] += 1
            continue
        setattr(row, fk.name, survivor)
        # A full save: the models' own signals (copies of the reference on a study, page
        # caches) and history see the move as they see any edit.
        row.save()
        result.moved[label] += 1


def _take_missing(survivor: Reference, duplicate: Reference) -> list[str]:
    """Fill the survivor's empty fields and identifiers from the duplicate."""
    filled = []
    sources = dict(survivor.sources or {})
    locked = list(survivor.locked_fields or [])
    for name in (*IDENTIFIER_FIELDS, *MERGED_FIELDS):
        value = getattr(duplicate, name)
        if getattr(survivor, name) not in _EMPTY or value in _EMPTY:
            continue
        setattr(survivor, name, value)
        filled.append(name)
        if name in (duplicate.sources or {}):
            sources[name] = duplicate.sources[name]
        if name in (duplicate.locked_fields or []) and name not in locked:
            locked.append(name)
    survivor.sources, survivor.locked_fields = sources, locked
    return filled


def _settle_status(survivor: Reference, duplicate: Reference) -> bool:
    """The most serious status of the two and of the notices now on the survivor."""
    candidates = [
        survivor.retraction_status,
        duplicate.retraction_status,
        notices_status(survivor.notices.all()),
    ]
    status = max(candidates, key=lambda s: STATUS_SEVERITY.get(s, 0))
    changed = status != survivor.retraction_status
    survivor.retraction_status = status
    return changed


@transaction.atomic
def reference_merge(*, survivor: Reference, duplicate: Reference, user) -> MergeResult:
    """Merge ``duplicate`` into ``survivor`` in one transaction (see the module docstring).

    The user needs the change permission on the survivor and the delete permission on the
    duplicate, as the object rule answers them; else PermissionDenied and nothing changes.
    """
    if survivor.pk == duplicate.pk:
        raise ValueError("A reference cannot be merged into itself.")
    if not (
        user.has_perm("references.change_reference", survivor)
        and user.has_perm("references.delete_reference", duplicate)
    ):
        raise PermissionDenied("Merging needs change on the survivor and delete on the duplicate.")
    locked = {
        r.pk: r
        for r in Reference.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise Reference.DoesNotExist("One of the two references no longer exists.")
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    result = MergeResult(survivor=survivor, duplicate_id=duplicate.pk)
    for fk in _relations():
        _move_rows(fk, survivor, duplicate, user, result)
    result.filled = _take_missing(survivor, duplicate)
    if any(name in IDENTIFIER_FIELDS for name in result.filled):
        survivor.needs_enrichment = True  # a new identifier: the next refresh asks about it
    survivor.needs_enrichment = survivor.needs_enrichment or duplicate.needs_enrichment
    amended = _settle_status(survivor, duplicate)
    duplicate._history_user = user
    duplicate._change_reason = f"Merged into reference #{survivor.pk}"
    duplicate_pk = duplicate.pk
    # Deleted first: the identifiers it holds are unique, and the survivor takes them.
    duplicate.delete()
    duplicate.pk = duplicate_pk
    survivor._history_user = user
    survivor._change_reason = f"Merged reference #{duplicate_pk} into this one"
    survivor.save()
    if amended:
        references_amended.send(sender=Reference, reference_ids=[survivor.pk])
    return result
