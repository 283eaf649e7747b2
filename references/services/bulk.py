"""Writing many rows' fields in one set-based statement.

Django's ``bulk_update`` builds a ``CASE WHEN pk = ... THEN ...`` expression per row and
field: for a batch of 200 references and about 14 fields that is thousands of expression
nodes compiled in Python, which made most of a refresh's time. On PostgreSQL the rows go
instead as one ``UPDATE ... FROM (VALUES ...)``, each value cast to its column's type;
other databases (the demo's SQLite) keep ``bulk_update``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connections, models, router


def rows_update(objs: Sequence[models.Model], fields: Iterable[str]) -> int:
    """Write ``fields`` of every object in ``objs`` (one model, saved rows) in one statement;
    the number of rows updated. The caller provides the transaction."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    names = list(dict.fromkeys(fields))
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_update(objs, names)
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in names)]
    casts = [f"%s::{field.cast_db_type(connection)}" for field in columns]
    row = f"({', '.join(casts)})"
    params: list[object] = []
    for obj in objs:
        for field in columns:
            params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    names_sql = ", ".join(quote(f.column) for f in columns)
    key = quote(meta.pk.column)
    # Only the model's own table and column names are formatted in; values are parameters.
    sql = f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(objs))}) "  # noqa: S608
    # The key list as well as the join: the planner then always finds the rows through the
    # primary key, never by scanning the table to hash-join it with the VALUES.
    ids = ", ".join(["%s"] * len(objs))
    sql += f"AS v({names_sql}) WHERE {table}.{key} = v.{key} AND {table}.{key} IN ({ids})"
    params.extend(obj.pk for obj in objs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rows_history(objs: Sequence[models.Model], *, when: datetime) -> None:
    """Record an update ("~") in the history of every object in ``objs``, as
    django-simple-history's ``bulk_history_create(update=True)`` does (same user, no change
    reason), but copied by the database from the rows just written, in one
    ``INSERT ... SELECT``: building and sending a historical instance of each row was most
    of a changed batch's time. The caller provides the transaction."""
    objs = list(objs)
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    model = type(objs[0])
    history = model.history.model
    if hasattr(history, "history_relation"):
        model.history.bulk_history_create(objs, update=True, default_change_reason=None)
        return
    first = objs[0]
    user = getattr(first, "_history_user", history.get_default_history_user(first))
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    source = [model._meta.get_field(field.name).column for field in history.tracked_fields]
    target = [history._meta.get_field(field.name).column for field in history.tracked_fields]
    extra = ("history_date", "history_type", "history_change_reason", "history_user")
    columns = ", ".join(
        quote(c) for c in [*target, *(history._meta.get_field(n).column for n in extra)]
    )
    selected = ", ".join(quote(c) for c in source)
    ids = ", ".join(["%s"] * len(objs))
    # Only the models' own table and column names are formatted in; values are parameters.
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "  # noqa: S608
    sql += f"SELECT {selected}, %s, '~', NULL, %s FROM {table} WHERE {key} IN ({ids})"  # noqa: S608
    params = [when, getattr(user, "pk", None), *(obj.pk for obj in objs)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
