"""Idempotent row writes shared by the apps' services: create a row, or save it only when a
value actually changed.

simple_history writes a history row on every save, so a re-run of a load must not save a
row whose values are all as stored. Lives in config, below every app, because references,
therapies and evidence may all use it and none may import a higher layer.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def row_upsert(model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]) -> M:
    """The row of ``model`` matching ``lookup``, created or brought up to ``values``."""
    return row_write(model, lookup=lookup, values=values)[0]


def row_write(
    model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, dict[str, Any] | None]:
    """Create or update; returns the row and None if it was created, else the old value
    of each field that changed (empty when nothing did)."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        return instance, None
    return instance, row_apply_changes(instance, values)


def row_update_if_changed(instance: M, values: Mapping[str, Any]) -> M:
    row_apply_changes(instance, values)
    return instance


def row_apply_changes(instance: M, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set ``values`` on ``instance`` and save it if any differed; returns the old values
    of the fields that changed. A related object compares by its primary key."""
    old: dict[str, Any] = {}
    for name, value in values.items():
        field = instance._meta.get_field(name)
        new = value.pk if isinstance(value, models.Model) else value
        current = getattr(instance, field.attname)
        if current != new:
            old[name] = current
            setattr(instance, name, value)
    if old:
        instance.full_clean()
        instance.save()
    return old
