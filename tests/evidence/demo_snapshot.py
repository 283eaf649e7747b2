"""A full, order-independent snapshot of the rows the IVIG demo writes.

Every concrete field of every model of references, therapies and evidence (history and
many-to-many tables included) goes in, except what differs from one run to the next:
primary keys and timestamps. A foreign key, or a history row's copy of the original's id,
is written as a digest of the row it points at, so two loads compare equal whatever ids
the database handed out. Used by test_demo_snapshot.py; run that test with
EVIDENTIA_WRITE_DEMO_SNAPSHOT=1 to rewrite tests/fixtures/demo_snapshot.json.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

APPS = ("references", "therapies", "evidence")
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "demo_snapshot.json"


# PublishedVerdict's lists that name references by id.
_ID_LISTS = ("background", "guideline_positions")


def _skipped(field: models.Field) -> bool:
    return field.primary_key or isinstance(field, models.DateTimeField)


class _Digests:
    """The digest of a row: its non-skipped fields, foreign keys followed recursively."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, Any], str] = {}

    def of(self, model: type[models.Model], pk: Any) -> str | None:
        if pk is None:
            return None
        key = (model._meta.label, pk)
        if key not in self._cache:
            row = model._default_manager.filter(pk=pk).first()
            if row is None:
                self._cache[key] = f"missing {model._meta.label}"
            else:
                text = json.dumps(self.row(row), sort_keys=True, default=str)
                self._cache[key] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self._cache[key]

    def row(self, instance: models.Model) -> dict[str, Any]:
        values: dict[str, Any] = {}
        original = getattr(type(instance), "instance_type", None)
        for field in instance._meta.concrete_fields:
            if _skipped(field):
                continue
            value = getattr(instance, field.attname)
            if field.is_relation:
                value = self.of(field.related_model, value)
            elif original is not None and field.attname == original._meta.pk.attname:
                value = self.of(original, value)
            elif isinstance(value, bytes | memoryview):
                value = hashlib.sha256(bytes(value)).hexdigest()
            elif field.name == "content" and type(instance).__name__ == "VerdictVersion":
                # A published version's content names rows by id, which differ from one
                # database to the next: kept as what it holds, section by section.
                value = _shape(value)
            elif type(instance).__name__ == "PublishedVerdict" and field.name in _ID_LISTS:
                value = len(value)  # rows naming references by id, as above
            values[field.name] = value
        return values


def _shape(content: dict[str, Any]) -> dict[str, Any]:
    """A version's content without ids: the verdict as is, each list by its length."""
    return {
        key: value if key == "verdict" else len(value) for key, value in sorted(content.items())
    }


def demo_snapshot() -> dict[str, list[dict[str, Any]]]:
    digests = _Digests()
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = [digests.row(instance) for instance in model._default_manager.all()]
            snapshot[model._meta.label] = sorted(
                rows, key=lambda row: json.dumps(row, sort_keys=True, default=str)
            )
    return json.loads(json.dumps(snapshot, sort_keys=True, default=str))
