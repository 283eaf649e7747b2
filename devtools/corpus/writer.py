"""Bulk writes for the synthetic corpus: ids reserved up front, rows streamed in batches.

Ids are reserved before the rows are built so that rows can point at each other without
reading anything back (a study names its reference, verdict and pair by id). On
PostgreSQL rows go in with COPY, several times faster than multi-row INSERTs for 200,000
references with long abstracts; elsewhere (SQLite, small test corpora) with bulk_create.
Each batch is its own transaction. No history rows are written: synthetic data has no
editorial past.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

BATCH_SIZE = 5_000


def reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive primary keys that no other insert will take."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def _batches(rows: Iterable[Sequence[Any]], size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The concrete fields not in ``given`` and the value each gets. COPY bypasses Django,
    so a column with only a Python-side default (a counter someone adds later, the
    auto_now timestamps) must be filled here or it would be NULL."""
    now = timezone.now()
    names, values = [], []
    for field in model._meta.concrete_fields:
        # A generated column is the database's to fill (Study.evidence_group).
        if field.attname in given or field.generated:
            continue
        names.append(field.attname)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append(now)
        else:
            values.append(field.get_default())
    return names, values


def write(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``: attribute names such as
    ``reference_id``); returns how many were written. Without "id" in ``fields`` the rows
    get consecutive new ids; fields left out get their default."""
    if "id" not in fields:
        rows = list(rows)
        first = reserve_ids(model, len(rows)) if rows else 0
        rows = [(first + i, *row) for i, row in enumerate(rows)]
        fields = ["id", *fields]
    extra_names, extra_values = _defaults(model, fields)
    fields = [*fields, *extra_names]
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    concrete = [by_attname[name] for name in fields]
    json_columns = {i for i, field in enumerate(concrete) if isinstance(field, models.JSONField)}
    rows = ((*row, *extra_values) for row in rows)
    meta = model._meta
    written = 0
    for batch in _batches(rows, BATCH_SIZE):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(meta.db_table, [field.column for field in concrete], batch, json_columns)
            else:
                model._default_manager.bulk_create(
                    [model(**dict(zip(fields, row, strict=True))) for row in batch],
                    batch_size=500,
                )
        written += len(batch)
    return written


def _copy(table: str, columns: list[str], batch: list[Sequence[Any]], json_columns: set[int]):
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy:
            for row in batch:
                if json_columns:
                    row = [
                        json.dumps(value) if i in json_columns else value
                        for i, value in enumerate(row)
                    ]
                copy.write_row(row)


def delete_where(queryset: models.QuerySet) -> int:
    """DELETE the rows of ``queryset`` in one statement: no model instances, no signals,
    so no history rows for 100,000 synthetic studies."""
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    pk = connection.ops.quote_name(queryset.model._meta.pk.column)
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608
        return cursor.rowcount


@contextmanager
def gin_indexes_deferred(models_: Sequence[type[models.Model]], *, log=lambda _: None):
    """On PostgreSQL, drop the GIN (full-text and trigram) indexes of these tables for the
    duration and build them again after: one CREATE INDEX over 200,000 rows is several
    times faster than as many incremental GIN insertions. The definitions are logged, and
    rebuilt even if the load fails."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef ILIKE %s",
            [tables, "% USING gin %"],
        )
        indexes = cursor.fetchall()
        for name, definition in indexes:
            log(f"deferring {definition}")
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
