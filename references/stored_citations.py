"""Formatted citations stored on each reference, so that no request runs citeproc.

A reference's citation in every offered style is formatted when the reference is written
(``Reference.save()``, ``references_upsert``'s bulk writes, ``manage.py format_citations``
for rows written before) and kept in ``Reference.formatted`` ({style key: HTML}), with
``formatted_key``: a hash of exactly what was formatted (the CSL item and
``citations.FORMAT_VERSION``). A write reformats only when that hash changes, so a refresh
that changes nothing cited costs no formatting.

Readers (``stored_citations``) only read the column. The stored HTML was built by
``citations._format_item`` from escaped data; it is checked again on the way out and
shown as escaped text should anything but the formatter's own markup be in it (a row
written by hand, say). A reference with nothing stored (written by a path that bypasses
the services, such as a raw ``bulk_create``) gets a plain, escaped stand-in rather than a
request-time citeproc run; ``manage.py format_citations`` fills such rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils.html import escape

from . import citations
from .citations import STYLES, CitationStyle, FormattedCitation

# What every writer stores: reference.formatted and reference.formatted_key.
FIELDS = ("formatted", "formatted_key")
# The fields a citation is made from (citations.citation_item keeps no link or abstract).
CITED_FIELDS = frozenset(
    {
        "title",
        "authors",
        "journal",
        "journal_abbreviation",
        "year",
        "publication_date",
        "volume",
        "issue",
        "pages",
    }
)


def citation_key(reference: Any) -> str:
    """A hash of what the stored citations of ``reference`` are made from."""
    payload = json.dumps(
        {
            "version": citations.FORMAT_VERSION,
            "styles": sorted(STYLES),
            "item": citations.citation_item(reference),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:40]


def format_for_storage(reference: Any) -> dict[str, str]:
    """``reference`` formatted in every style: {style key: HTML built from escaped data}."""
    item = citations.citation_item(reference)
    return {key: citations._format_item(item, style) for key, style in STYLES.items()}


def refresh_formatting(reference: Any) -> bool:
    """Set ``reference.formatted`` and ``formatted_key`` (unsaved) if what is cited changed
    since they were made, or a style is missing. True when they were set."""
    key = citation_key(reference)
    stored = reference.formatted or {}
    if key == reference.formatted_key and all(style in stored for style in STYLES):
        return False
    reference.formatted = format_for_storage(reference)
    reference.formatted_key = key
    return True


def stored_citations(references: Iterable[Any], *, style: CitationStyle) -> list[FormattedCitation]:
    """The stored citations of ``references`` in ``style``; never formats."""
    results = []
    for reference in references:
        markup = (getattr(reference, "formatted", None) or {}).get(style.key)
        if markup is None:
            markup = _stand_in(reference)
        elif not citations._only_formatter_markup(markup):
            markup = escape(markup)
        results.append(citations._formatted(markup))
    return results


def _stand_in(reference: Any) -> str:
    parts = [
        " ".join(str(reference.title or "").split()).rstrip("."),
        reference.journal_abbreviation or reference.journal,
        str(reference.year or ""),
    ]
    return escape(". ".join(part for part in parts if part) + ".")


def store_missing(
    model: Any, *, batch_size: int = 500, shard: tuple[int, int] | None = None
) -> int:
    """Format and store the citations of every row of ``model`` (Reference, or its
    historical version in a migration) that has none or stale ones, ``batch_size`` rows
    to a bulk update; how many rows changed. ``shard`` (i, n) takes only the rows whose
    primary key is i modulo n, so that n processes can share a large backlog."""
    changed_total = 0
    pending: list[Any] = []
    rows = model._default_manager.order_by("pk")
    if shard is not None:
        index, count = shard
        rows = rows.alias(shard_index=F("pk") % count).filter(shard_index=index)
    for reference in rows.iterator(chunk_size=batch_size):
        if refresh_formatting(reference):
            pending.append(reference)
        if len(pending) >= batch_size:
            model._default_manager.bulk_update(pending, FIELDS)
            changed_total += len(pending)
            pending = []
    if pending:
        model._default_manager.bulk_update(pending, FIELDS)
        changed_total += len(pending)
    return changed_total
