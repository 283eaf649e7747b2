"""SQL statements a block of benchmarked code sends, counted where they are executed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def statements_sent(connection) -> Iterator[list[str]]:
    """The SQL ``connection`` executes inside the block. Unlike CaptureQueriesContext it
    survives the request_started signal, which empties Django's query log."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent
