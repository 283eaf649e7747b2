"""Crossref REST API works (``/works/{doi}``, ``/works?filter=doi:...``) to BibRecords.

Field names follow the API's JSON (https://api.crossref.org/swagger-ui, "Work").
``updated-by`` lists notices about this work (a retraction, a correction), from the
publisher or from Retraction Watch; ``update-to`` means this work is itself such a
notice about other works.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from ..identifiers import InvalidIdentifier, normalise_doi
from .common import initials_of, orcid_of
from .jats import jats_abstract, markup_to_text
from .records import (
    Author,
    BibRecord,
    Notice,
    ParseError,
    iso_partial_date,
    plausible_year,
    scrub,
    small_int,
)

__all__ = ["UPDATE_TYPES", "crossref_author", "parse_crossref_work", "parse_crossref_works"]

MAX_JSON_BYTES = 50 * 1024 * 1024

# Crossref update types (Crossmark) to Notice.type. Unknown types become "update".
UPDATE_TYPES = {
    "retraction": "retraction",
    "withdrawal": "retraction",
    "removal": "retraction",
    "partial_retraction": "correction",
    "correction": "correction",
    "corrigendum": "correction",
    "erratum": "correction",
    "addendum": "correction",
    "clarification": "correction",
    "expression_of_concern": "expression_of_concern",
    "expression-of-concern": "expression_of_concern",
    "retracted_and_republished": "retracted_and_republished",
    "new_version": "update",
    "new_edition": "update",
    "reinstatement": "update",
}
_DATE_KEYS = ("issued", "published-print", "published-online", "published")


def parse_crossref_work(data: bytes | str | dict) -> BibRecord:
    """One work: a ``/works/{doi}`` answer (``{"status": "ok", "message": {...}}``) or a bare
    message. A body that is not JSON, or has no work in it, raises ParseError."""
    payload = _load(data)
    message = _message(payload)
    if message.get("items") is not None and "DOI" not in message:
        raise ParseError("Crossref answer is a list of works; use parse_crossref_works")
    return _scrubbed_work(message)


def parse_crossref_works(data: bytes | str | dict) -> list[BibRecord]:
    """A list answer (``/works?filter=doi:...``: ``message.items``), or a single work."""
    payload = _load(data)
    message = _message(payload)
    items = message.get("items")
    if items is None:
        return [_scrubbed_work(message)]
    if not isinstance(items, list):
        raise ParseError("Crossref answer has 'items' that is not a list")
    return [_scrubbed_work(item) for item in items if isinstance(item, dict)]


def _load(data: bytes | str | dict) -> Any:
    if isinstance(data, dict):
        return data
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_JSON_BYTES:
            raise ParseError(f"Crossref answer is too large: {len(data):,} bytes")
        if not bytes(data).strip():
            raise ParseError("Crossref answer is empty")
    try:
        return json.loads(data)
    except RecursionError:
        raise ParseError("Crossref answer is nested too deeply to be a work") from None
    except (ValueError, TypeError) as exc:
        start = bytes(data[:80]) if isinstance(data, bytes | bytearray) else str(data)[:80]
        raise ParseError(f"Crossref answer is not JSON ({exc}); it starts {start!r}") from None


def _message(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise ParseError(f"Crossref answer is a JSON {type(payload).__name__}, not an object")
    if "message" in payload:
        if payload.get("status") not in (None, "ok"):
            raise ParseError(f"Crossref answered status {payload.get('status')!r}")
        message = payload["message"]
        if not isinstance(message, dict):
            raise ParseError(f"Crossref answer has no work in it: message is {message!r:.80}")
        return message
    if "DOI" in payload or "items" in payload:
        return payload
    raise ParseError("Crossref answer lacks 'message' (and is not a bare work either)")


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value if isinstance(value, str) else ""


def _date_parts(value: Any) -> tuple[int | None, int | None, int | None]:
    try:
        parts = value["date-parts"][0]
    except (KeyError, IndexError, TypeError):
        return None, None, None
    if not isinstance(parts, list):
        return None, None, None
    numbers = [small_int(p) for p in parts[:3]]
    numbers += [None, None, None]
    year, month, day = numbers[:3]
    year = plausible_year(year)
    if month is not None and not 1 <= month <= 12:
        month = None
    if month is None or (day is not None and not 1 <= day <= 31):
        day = None
    return year, month, day


def _to_date(value: Any) -> datetime.date | None:
    year, month, day = _date_parts(value)
    if year is None:
        return None
    try:
        return datetime.date(year, month or 1, day or 1) if month and day else None
    except ValueError:
        return None


def _doi(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidIdentifier:
        return None


def crossref_author(item: dict) -> Author:
    """A Crossref (or CSL-JSON) contributor: given/family, ORCID, or a name for organisations."""
    given = (item.get("given") or "").strip() if isinstance(item.get("given"), str) else ""
    family = (item.get("family") or "").strip() if isinstance(item.get("family"), str) else ""
    collective = ""
    if not family and not given:
        collective = str(item.get("name") or item.get("literal") or "").strip()
    return Author(
        family=family,
        given=given,
        initials=initials_of(given),
        suffix=str(item.get("suffix") or "").strip(),
        orcid=orcid_of(item.get("ORCID")),
        collective=collective,
    )


def _notices(entries: Any) -> list[Notice]:
    notices = []
    if not isinstance(entries, list):
        return notices
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("type") or "").strip().lower().replace(" ", "_")
        notices.append(
            Notice(
                type=UPDATE_TYPES.get(kind, "update"),
                doi=_doi(entry.get("DOI")) or "",
                date=_to_date(entry.get("updated")),
                source=str(entry.get("source") or "publisher"),
                note=str(entry.get("label") or kind),
            )
        )
    return notices


def _scrubbed_work(message: dict) -> BibRecord:
    """A work with the text PostgreSQL cannot store (NUL, lone surrogates) taken out: an
    upstream answer is used as it comes, not refused over a stray character."""
    try:
        return _work(scrub(message))
    except RecursionError:
        raise ParseError("Crossref work is nested too deeply") from None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _work(message: dict) -> BibRecord:
    doi = _doi(message.get("DOI"))
    rec = BibRecord(source="crossref", doi=doi)
    title = markup_to_text(_first(message.get("title")))
    subtitle = markup_to_text(_first(message.get("subtitle")))
    # Crossref keeps subtitles apart; PubMed and Crossref's own citation formats join them.
    rec.title = f"{title}: {subtitle}" if title and subtitle and subtitle not in title else title
    rec.authors = [crossref_author(a) for a in _list(message.get("author")) if isinstance(a, dict)]
    rec.journal = markup_to_text(_first(message.get("container-title")))
    rec.journal_abbreviation = markup_to_text(_first(message.get("short-container-title")))
    for key in _DATE_KEYS:
        year, month, day = _date_parts(message.get(key))
        if year is not None:
            rec.year, rec.month, rec.day = year, month, day
            break
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
    rec.volume = str(message.get("volume") or "").strip()
    rec.issue = str(message.get("issue") or "").strip()
    rec.pages = str(message.get("page") or "").strip()
    kind = message.get("type")
    if isinstance(kind, str) and kind:
        rec.publication_types = [kind]
    abstract = message.get("abstract")
    abstract = abstract if isinstance(abstract, str) else ""
    rec.abstract, rec.abstract_sections = jats_abstract(abstract)
    rec.language = str(message.get("language") or "")
    rec.publisher = str(message.get("publisher") or "")
    rec.keywords = [s for s in _list(message.get("subject")) if isinstance(s, str)]
    url = message.get("URL")
    rec.url = url if isinstance(url, str) and url else (f"https://doi.org/{doi}" if doi else "")
    rec.notices = _notices(message.get("updated-by"))
    rec.amends = _notices(message.get("update-to"))
    relation = message.get("relation")
    rec.relations = relation if isinstance(relation, dict) else {}
    if rec.publication_types == ["book"] or kind in ("book", "monograph", "edited-book"):
        rec.is_book = True
    rec.raw = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return rec
