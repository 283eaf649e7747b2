"""A verdict's past versions as "who, when, what changed", from django-simple-history."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from evidence.editorial.selectors import author_role

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _older_than(records: QuerySet, record) -> Any:
    return (
        records.filter(
            Q(history_date__lt=record.history_date)
            | Q(history_date=record.history_date, history_id__lt=record.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )


def _all_fields(record) -> list[dict[str, Any]]:
    fields = sorted(
        (f for f in record.tracked_fields if f.editable and not f.primary_key),
        key=lambda f: f.name,
    )
    return [{"field": f.name, "old": None, "new": getattr(record, f.attname)} for f in fields]


def verdict_versions(
    page: Sequence, *, all_records: QuerySet, show_names: bool
) -> list[dict[str, Any]]:
    """Each record of ``page`` (newest first) diffed against the version before it.

    Who saved it is given as a role; the account name only when ``show_names`` (staff
    who may view verdicts in the admin). ``page`` comes from ``all_records``, annotated
    by ``with_author_roles``. The version before the last one on the page is read with
    one more query, so a page costs two queries whatever its size.
    """
    records = list(page)
    previous = _older_than(all_records, records[-1]) if records else None
    versions = []
    for index, record in enumerate(records):
        before = records[index + 1] if index + 1 < len(records) else previous
        if before is None:
            changes = _all_fields(record)
        else:
            delta = record.diff_against(before)
            changes = [
                {"field": change.field, "old": change.old, "new": change.new}
                for change in delta.changes
            ]
        user = record.history_user
        versions.append(
            {
                "history_id": record.history_id,
                "date": record.history_date,
                "role": author_role(record),
                "user": user.get_username() if show_names and user is not None else None,
                "type": HISTORY_TYPES.get(record.history_type, "changed"),
                "change_reason": record.history_change_reason,
                "changes": changes,
            }
        )
    return versions
