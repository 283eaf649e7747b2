"""CSL-JSON exports (Zotero, Mendeley, citeproc, doi.org content negotiation) to BibRecords.

Accepts an array of items or a single item. A Crossref ``/works`` answer uploaded as
JSON (``{"status": "ok", "message": ...}``) is read with the Crossref parser. Items
of an array are decoded one by one so each keeps its line number and a bad one is
reported without losing the rest.
"""

from __future__ import annotations

import json
import re

from .common import RecordProblems, check_size, clean, decode_text, first, pages
from .crossref import crossref_author, parse_crossref_works
from .dates import record_year
from .jats import jats_abstract, markup_to_text
from .records import (
    BibRecord,
    FileParseResult,
    ParseError,
    RecordError,
    iso_partial_date,
    plausible_year,
    small_int,
)

__all__ = ["parse_csljson"]

_BOOK_TYPES = {"book", "chapter"}
_DECODER = json.JSONDecoder()
# Python's json module recurses once per nesting level; a CSL item is a few levels deep.
_TOO_DEEP = "not a CSL-JSON file: arrays or objects nested too deeply"
_WS = " \t\n\r"


def parse_csljson(data: bytes) -> FileParseResult:
    check_size(data, "CSL-JSON file")
    text = decode_text(data, "CSL-JSON file")
    start = len(text) - len(text.lstrip(_WS))
    if start >= len(text) or text[start] not in "[{":
        raise ParseError("not a CSL-JSON file: expected a JSON array or object")
    if text[start] == "{":
        try:
            item = json.loads(text)
        except ValueError as exc:
            raise ParseError(f"not a CSL-JSON file: invalid JSON ({exc})") from None
        except RecursionError:
            raise ParseError(_TOO_DEEP) from None
        if isinstance(item, dict) and "message" in item and "status" in item:
            records = parse_crossref_works(item)
            for rec in records:
                rec.source = "file"
                rec.line = 1
            return FileParseResult(records=records, errors=[], format="crossref-json")
        if not _looks_like_csl(item):
            raise ParseError("not a CSL-JSON file: the object has no CSL fields (title, DOI...)")
        items = [(_line_of(text, start), item)]
    else:
        items = _array_items(text, start)
        if items and not any(_looks_like_csl(item) for _, item in items):
            raise ParseError("not a CSL-JSON file: no item has CSL fields (title, DOI...)")
    records: list[BibRecord] = []
    errors: list[RecordError] = []
    for line, item in items:
        if not isinstance(item, dict):
            errors.append(RecordError(line, f"expected a CSL item (an object), got {item!r:.40}"))
            continue
        rec, error = _record(line, item)
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    return FileParseResult(records=records, errors=errors, format="csljson")


_CSL_KEYS = {"title", "DOI", "type", "author", "container-title", "issued", "PMID", "PMCID", "URL"}


def _looks_like_csl(item: object) -> bool:
    return isinstance(item, dict) and not _CSL_KEYS.isdisjoint(item)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _array_items(text: str, start: int) -> list[tuple[int, object]]:
    """The items of a top-level JSON array with the line each starts on."""
    items: list[tuple[int, object]] = []
    pos = start + 1
    line = _line_of(text, start)
    counted = start
    while True:
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if pos >= len(text):
            raise ParseError("not a CSL-JSON file: the array is not closed (truncated?)")
        if text[pos] == "]":
            break
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except ValueError as exc:
            raise ParseError(f"not a CSL-JSON file: invalid JSON ({exc})", line=line) from None
        except RecursionError:
            raise ParseError(_TOO_DEEP, line=line) from None
        items.append((line, item))
        pos = end
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] != "]":
            raise ParseError(
                f"not a CSL-JSON file: expected ',' or ']' at line {_line_of(text, pos)}"
            )
    if text[pos + 1 :].strip():
        raise ParseError("not a CSL-JSON file: data after the closing ']'")
    return items


def _date(rec: BibRecord, value: object) -> tuple[int | None, int | None, int | None]:
    if not isinstance(value, dict):
        return None, None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = [_signed_int(p) for p in parts[0][:3]]
        numbers += [None, None]
        year, month, day = numbers[:3]
        if year is not None and plausible_year(year) is None:
            # CSL writes years before the Common Era as negative numbers.
            text = f"{-year} BC" if year < 0 else str(year)
            year = record_year(rec, text)
        if month is not None and not 1 <= month <= 12:
            month = None
        if month is None or (day is not None and not 1 <= day <= 31):
            day = None
        return year, month, day
    text = clean(value.get("literal") or value.get("raw"))
    return (
        record_year(rec, text, literal=not re.fullmatch(r"\d{4}(?:-\d\d){0,2}", text)),
        None,
        None,
    )


def _signed_int(value: object) -> int | None:
    if isinstance(value, str) and value.strip().startswith("-"):
        number = small_int(value.strip()[1:])
        return -number if number is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return value if value > -(10**9) else None
    return small_int(value)


def _record(line: int, item: dict) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=line)
    problems = RecordProblems(rec)
    kind = clean(item.get("type"))
    title = markup_to_text(first(item.get("title")))
    subtitle = markup_to_text(first(item.get("subtitle")))
    rec.title = f"{title}: {subtitle}" if title and subtitle and subtitle not in title else title
    authors = item.get("author")
    authors = authors if isinstance(authors, list) else []
    rec.authors = [crossref_author(a) for a in authors if isinstance(a, dict)]
    rec.journal = markup_to_text(first(item.get("container-title")))
    rec.journal_abbreviation = clean(
        first(item.get("container-title-short")) or first(item.get("journalAbbreviation"))
    )
    for key in ("issued", "published-print", "published-online"):
        year, month, day = _date(rec, item.get(key))
        if year is not None:
            rec.year, rec.month, rec.day = year, month, day
            break
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
    rec.volume = clean(item.get("volume"))
    rec.issue = clean(item.get("issue") or item.get("number"))
    rec.pages = pages(item.get("page"))
    abstract = item.get("abstract")
    if isinstance(abstract, str) and "<" in abstract:
        rec.abstract, rec.abstract_sections = jats_abstract(abstract)
    else:
        rec.abstract = clean(abstract)
    rec.language = clean(item.get("language"))
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        rec.keywords = [k.strip() for k in keywords.replace(";", ",").split(",") if k.strip()]
    rec.publisher = clean(item.get("publisher"))
    rec.url = clean(item.get("URL"))
    rec.publication_types = [kind] if kind else []
    rec.is_book = kind in _BOOK_TYPES
    problems.identifier("doi", item.get("DOI"))
    problems.identifier("pmid", item.get("PMID"))
    problems.identifier("pmcid", item.get("PMCID"))
    return rec, problems.error()
