"""Reading field-tagged text (RIS, Web of Science, Ovid) into records of (tag, value) pairs.

The formats differ in how a tag line looks, where a record starts and ends, and how a
value continues onto the next line; each parser passes a ``Dialect`` saying so. Tags
keep their order, which rispy's dictionaries lose (an ``A1`` and an ``AU`` author of
one record must stay in the order the file gives them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .common import record_label
from .records import BibRecord, FileParseResult, ParseError, RecordError

__all__ = ["Dialect", "Record", "parse_tagged", "read_records"]


@dataclass
class Record:
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False

    def values(self, *tags: str) -> list[str]:
        return [value for tag, value in self.fields if tag in tags and value]

    def first(self, *tags: str) -> str:
        """The first non-empty value of the first tag of ``tags`` the record has."""
        for tag in tags:
            for have, value in self.fields:
                if have == tag and value:
                    return value
        return ""


@dataclass(frozen=True)
class Dialect:
    tag_line: re.Pattern[str]  # group 1 the tag, group 2 (optional) the value
    starts: Callable[[str, str], bool]  # (tag, value) -> a new record begins
    ends: Callable[[str, str], bool] = lambda tag, value: False
    header: re.Pattern[str] | None = None  # a line before a record's first tag ("<1. >")
    list_tags: frozenset[str] = frozenset()  # continuation lines are further values
    joiner: str = " "
    ignore: frozenset[str] = frozenset()  # file-level tags (Web of Science "FN", "EF")
    # Outside a record, a tag not of the format is not a lost record (Ovid's RIS writes
    # "NL  - journal" after ER); empty means every tag outside a record is reported.
    record_tags: frozenset[str] = frozenset()
    outside: str = "tag outside a record"  # the message for tag lines before any record


def read_records(lines: list[str], dialect: Dialect) -> tuple[list[Record], list[RecordError]]:
    """Records in file order, and one error per run of tag lines outside any record."""
    records: list[Record] = []
    stray: list[RecordError] = []
    current: Record | None = None
    stray_start: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            continue
        if dialect.header is not None and dialect.header.match(line):
            continue
        match = dialect.tag_line.match(line)
        if match is None:
            if current is not None and current.fields:
                _continue(current, line.strip(), dialect)
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in dialect.ignore:
            continue
        if dialect.starts(tag, value):
            if current is not None:
                records.append(current)
            current = Record(line=number)
        elif current is None:
            if dialect.record_tags and tag not in dialect.record_tags:
                continue
            if stray_start is None:
                stray_start = number
                stray.append(RecordError(number, f"{dialect.outside}: {line[:60]!r}"))
            continue
        stray_start = None
        if dialect.ends(tag, value):
            current.closed = True
            records.append(current)
            current = None
            continue
        current.fields.append((tag, value))
    if current is not None:
        records.append(current)
    return records, stray


def _continue(record: Record, text: str, dialect: Dialect) -> None:
    tag, value = record.fields[-1]
    if tag in dialect.list_tags:
        record.fields.append((tag, text))
    else:
        record.fields[-1] = (tag, f"{value}{dialect.joiner}{text}" if value else text)


def parse_tagged(
    text: str,
    dialect: Dialect,
    *,
    build: Callable[[Record], tuple[BibRecord, RecordError | None]],
    missing: str,
    format: str,
    close_tag: str = "",
) -> FileParseResult:
    """The records ``build`` makes of each record ``dialect`` finds in ``text``, and an
    error for each it refuses, each left open (no ``close_tag``) and each stray run of tags,
    in line order; ParseError(``missing``) when the text holds no record at all."""
    found, stray = read_records(text.splitlines(), dialect)
    if not found:
        raise ParseError(missing)
    records: list[BibRecord] = []
    errors: list[RecordError] = list(stray)
    for raw in found:
        rec, error = build(raw)
        if error is None and close_tag and not raw.closed:
            error = RecordError(
                raw.line,
                f"record is not closed by '{close_tag}' (truncated file?)",
                record_label(rec),
            )
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    errors.sort(key=lambda e: e.line or 0)
    return FileParseResult(records=records, errors=errors, format=format)
