"""Fixtures for the operations tests: log records as the production formatter writes them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from config.logging import ContextFilter, JsonFormatter


class JsonLines(logging.Handler):
    """Keeps each record as the dict JsonFormatter writes for it (through ContextFilter)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def find(self, **fields) -> list[dict]:
        return [line for line in self.lines if all(line.get(k) == v for k, v in fields.items())]


@pytest.fixture
def json_logs() -> Iterator[JsonLines]:
    handler = JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
