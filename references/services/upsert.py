"""Create or update References from parsed records, merging what each source says.

One call handles a whole batch with a fixed number of queries: one read of the matching
references, their notices and raw records, then bulk writes. Fields an editor locked are
never overwritten; a source only replaces a field that a source of lower priority (or no
known source) supplied; an empty value never blanks a stored one; notices are only ever
added, so a later answer that omits a retraction cannot erase it.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from references.citations import citations_changed
from references.models import Reference, ReferenceNotice, ReferenceSourceRecord, RetractionStatus
from references.parsers.records import BibRecord, Notice
from references.signals import references_amended

logger = logging.getLogger(__name__)

MERGED_FIELDS = (
    "title",
    "authors",
    "journal",
    "journal_abbreviation",
    "year",
    "publication_date",
    "volume",
    "issue",
    "pages",
    "abstract",
    "publication_types",
    "url",
)
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid")

# PubMed's indexers curate titles, authors and abstracts; Crossref is what the publisher
# deposited; a file is what some reference manager exported. "manual" is an editor.
SOURCE_PRIORITY = {"manual": 0, "pubmed": 1, "crossref": 2}
FILE_PRIORITY = 3

STATUS_SEVERITY = {
    RetractionStatus.NONE: 0,
    RetractionStatus.CORRECTED: 1,
    RetractionStatus.EXPRESSION_OF_CONCERN: 2,
    RetractionStatus.RETRACTED: 3,
}
NOTICE_STATUS = {
    ReferenceNotice.Type.RETRACTION: RetractionStatus.RETRACTED,
    ReferenceNotice.Type.RETRACTED_AND_REPUBLISHED: RetractionStatus.RETRACTED,
    ReferenceNotice.Type.EXPRESSION_OF_CONCERN: RetractionStatus.EXPRESSION_OF_CONCERN,
    ReferenceNotice.Type.CORRECTION: RetractionStatus.CORRECTED,
    ReferenceNotice.Type.UPDATE: RetractionStatus.NONE,
}
RAW_CONTENT_TYPES = {"pubmed": "application/xml", "crossref": "application/json"}
CONFLICT_RETRIES = 3


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class UpsertResult:
    """What became of each record, in input order (None where a record matched nothing)."""

    references: list[Reference | None] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    amended_ids: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o == outcome)


def references_upsert(
    *, records: Sequence[BibRecord], refreshed_at: datetime | None = None
) -> UpsertResult:
    """Merge ``records`` into References, creating those not stored yet.

    Records may describe the same work twice (PubMed and Crossref for one DOI); they are
    merged in order. Two concurrent calls for the same new work leave one Reference: the
    loser's insert hits the unique constraint and the batch is redone against the winner.
    """
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            with transaction.atomic():
                return _upsert_batch(records, refreshed_at or timezone.now())
        except IntegrityError:
            if attempt == CONFLICT_RETRIES:
                raise
            logger.info("reference upsert conflicted with a concurrent writer; retrying")
    raise AssertionError("unreachable")


def _priority(source: str | None) -> int:
    if source is None:
        return FILE_PRIORITY + 1
    return SOURCE_PRIORITY.get(source, FILE_PRIORITY)


def _identifiers(records: Iterable[BibRecord]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {"doi": set(), "pmid": set(), "pmcid": set()}
    for record in records:
        for name in IDENTIFIER_FIELDS:
            if value := getattr(record, name):
                ids[name].add(value)
        for notice in record.amends:
            if notice.doi:
                ids["doi"].add(notice.doi)
            if notice.pmid:
                ids["pmid"].add(notice.pmid)
    return ids


class _Index:
    """References of a batch, found by any of their identifiers."""

    def __init__(self, references: Iterable[Reference]):
        self.by: dict[str, dict[str, Reference]] = {name: {} for name in IDENTIFIER_FIELDS}
        for reference in references:
            self.add(reference)

    def add(self, reference: Reference) -> None:
        for name in IDENTIFIER_FIELDS:
            if value := getattr(reference, name):
                self.by[name][value] = reference

    def find(self, *, doi: str | None = None, pmid: str | None = None, pmcid=None):
        for name, value in (("doi", doi), ("pmid", pmid), ("pmcid", pmcid)):
            if value and value in self.by[name]:
                return self.by[name][value]
        return None


def _record_values(record: BibRecord) -> dict[str, object]:
    authors = [{k: v for k, v in asdict(author).items() if v} for author in record.authors]
    url = record.url or (f"https://doi.org/{record.doi}" if record.doi else "")
    return {
        "title": record.title,
        "authors": [a for a in authors if a],
        "journal": record.journal,
        "journal_abbreviation": record.journal_abbreviation,
        "year": record.year,
        "publication_date": record.publication_date,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "abstract": record.abstract,
        "publication_types": list(record.publication_types),
        "url": url,
    }


def _truncate(name: str, value):
    max_length = getattr(Reference._meta.get_field(name), "max_length", None)
    if max_length and isinstance(value, str) and len(value) > max_length:
        return value[: max_length - 1] + "…"
    return value


def _merge(reference: Reference, record: BibRecord, index: _Index, warnings: list[str]) -> set:
    changed: set[str] = set()
    locked = set(reference.locked_fields or [])
    sources = dict(reference.sources or {})
    for name in IDENTIFIER_FIELDS:
        value = getattr(record, name)
        current = getattr(reference, name)
        if not value or value == current or name in locked:
            continue
        owner = index.find(**{name: value})
        if owner is not None and owner is not reference:
            warnings.append(
                f"{name} {value} already belongs to another reference; not merged into "
                f"{reference.doi or reference.pmid or reference.title[:60]}"
            )
            continue
        if current:
            warnings.append(f"{name} of reference {reference.pk} is {current}; {value} ignored")
            continue
        setattr(reference, name, value)
        sources[name] = record.source
        changed.add(name)
    for name, value in _record_values(record).items():
        if name in locked or value in (None, "", []):
            continue
        value = _truncate(name, value)
        current = getattr(reference, name)
        if current in (None, "", []) or _priority(record.source) <= _priority(sources.get(name)):
            if current != value:
                setattr(reference, name, value)
                changed.add(name)
            sources[name] = record.source
    if sources != (reference.sources or {}):
        reference.sources = sources
        changed.add("sources")
    index.add(reference)
    return changed


def _notice_key(notice: ReferenceNotice) -> tuple:
    return (notice.type, notice.doi, notice.pmid)


def _as_notice(reference: Reference, notice: Notice, default_source: str) -> ReferenceNotice:
    return ReferenceNotice(
        reference=reference,
        type=notice.type if notice.type in ReferenceNotice.Type.values else "update",
        doi=notice.doi or "",
        pmid=notice.pmid or "",
        date=notice.date,
        source=(notice.source or default_source)[:64],
        note=notice.note or "",
    )


def _own_notices(record: BibRecord) -> list[Notice]:
    notices = list(record.notices)
    retracted_type = any(t.lower() == "retracted publication" for t in record.publication_types)
    if retracted_type and not any(n.type == "retraction" for n in notices):
        notices.append(
            Notice(type="retraction", source=record.source, note="Publication type: Retracted")
        )
    return notices


def _status(notices: Iterable[ReferenceNotice]) -> str:
    status = RetractionStatus.NONE
    for notice in notices:
        candidate = NOTICE_STATUS.get(notice.type, RetractionStatus.NONE)
        if STATUS_SEVERITY[candidate] > STATUS_SEVERITY[status]:
            status = candidate
    return status


def _gzip(raw: bytes) -> bytes:
    return gzip.compress(raw, mtime=0)


def _upsert_batch(records: Sequence[BibRecord], now: datetime) -> UpsertResult:
    ids = _identifiers(records)
    lookup = Q(pk__in=[])
    for name, values in ids.items():
        if values:
            lookup |= Q(**{f"{name}__in": values})
    existing = list(Reference.objects.filter(lookup))
    index = _Index(existing)
    # Keyed by id(): references created in this batch have no pk yet.
    notices_by_ref: dict[int, dict[tuple, ReferenceNotice]] = {id(r): {} for r in existing}
    by_pk = {r.pk: r for r in existing}
    for notice in ReferenceNotice.objects.filter(reference__in=existing):
        notices_by_ref[id(by_pk[notice.reference_id])][_notice_key(notice)] = notice
    raw_by_key = {
        (raw.reference_id, raw.source): raw
        for raw in ReferenceSourceRecord.objects.filter(reference__in=existing).only(
            "id", "reference_id", "source", "raw_gzip"
        )
    }

    result = UpsertResult()
    created: list[Reference] = []
    changed_fields: dict[int, set[str]] = {}  # id(reference) -> fields
    new_notices: list[tuple[Reference, ReferenceNotice]] = []
    pending_raw: dict[tuple[int, str], tuple[Reference, str, bytes]] = {}

    def add_notice(reference: Reference, notice: ReferenceNotice) -> None:
        key = _notice_key(notice)
        known = notices_by_ref.setdefault(id(reference), {})
        if key not in known:
            known[key] = notice
            new_notices.append((reference, notice))

    for record in records:
        reference = index.find(doi=record.doi, pmid=record.pmid, pmcid=record.pmcid)
        if reference is None:
            if not record.title:
                result.references.append(None)
                result.outcomes.append(Outcome.UNCHANGED)
                result.warnings.append("record without title or known identifier skipped")
                continue
            reference = Reference(title="")
            created.append(reference)
        fields = _merge(reference, record, index, result.warnings)
        changed_fields.setdefault(id(reference), set()).update(fields)
        for notice in _own_notices(record):
            add_notice(reference, _as_notice(reference, notice, record.source))
        for notice in record.amends:
            target = index.find(doi=notice.doi or None, pmid=notice.pmid or None)
            if target is not None and target is not reference:
                amended = Notice(
                    type=notice.type,
                    doi=record.doi or "",
                    pmid=record.pmid or "",
                    date=notice.date,
                    source=notice.source or record.source,
                    note=f"Notice: {record.title[:200]}",
                )
                add_notice(target, _as_notice(target, amended, record.source))
        if record.raw and record.source in RAW_CONTENT_TYPES:
            pending_raw[(id(reference), record.source)] = (reference, record.source, record.raw)
        result.references.append(reference)

    # Statuses follow from every notice, old and new.
    touched = {id(r): r for r in result.references if r is not None}
    touched.update({id(r): r for r, _ in new_notices})
    amended: list[Reference] = []
    for key, reference in touched.items():
        status = _status(notices_by_ref.get(key, {}).values())
        if status != reference.retraction_status:
            reference.retraction_status = status
            changed_fields.setdefault(key, set()).add("retraction_status")
            amended.append(reference)

    created_ids = {id(r) for r in created}
    for reference in created:
        reference.last_refreshed = now
    if created:
        # Every writer inserts new works in one order, so two batches sharing new works wait
        # for each other (then the loser redoes its batch) instead of deadlocking on the
        # unique indexes.
        created.sort(key=lambda r: (r.doi or "", r.pmid or "", r.pmcid or ""))
        bulk_create_with_history(created, Reference)
    to_update = [
        r for key, r in touched.items() if key not in created_ids and changed_fields.get(key)
    ]
    if to_update:
        for reference in to_update:
            reference.last_refreshed = now
        fields = sorted(set().union(*(changed_fields[id(r)] for r in to_update)))
        bulk_update_with_history(to_update, Reference, fields=[*fields, "last_refreshed"])

    if new_notices:
        for reference, notice in new_notices:
            notice.reference = reference
        ReferenceNotice.objects.bulk_create([n for _, n in new_notices], ignore_conflicts=True)

    _write_raw(pending_raw.values(), raw_by_key, now)

    result.outcomes = [
        _outcome(r, created_ids, changed_fields) if r is not None else Outcome.UNCHANGED
        for r in result.references
    ]
    result.amended_ids = {r.pk for r in amended if r.retraction_status != RetractionStatus.NONE}
    if to_update:
        citations_changed.send(sender=Reference, reference_ids=sorted(r.pk for r in to_update))
    if amended:
        references_amended.send(sender=Reference, reference_ids=sorted(r.pk for r in amended))
    return result


def _outcome(reference: Reference, created_ids: set[int], changed: dict[int, set]) -> str:
    if id(reference) in created_ids:
        return Outcome.CREATED
    return Outcome.UPDATED if changed.get(id(reference)) else Outcome.UNCHANGED


def _write_raw(pending, existing: dict, now: datetime) -> None:
    creates, updates = [], []
    for reference, source, raw in pending:
        compressed = _gzip(raw)
        current = existing.get((reference.pk, source))
        if current is None:
            creates.append(
                ReferenceSourceRecord(
                    reference=reference,
                    source=source,
                    content_type=RAW_CONTENT_TYPES[source],
                    raw_gzip=compressed,
                    fetched_at=now,
                )
            )
        elif bytes(current.raw_gzip) != compressed:
            current.raw_gzip = compressed
            current.fetched_at = now
            updates.append(current)
    if creates:
        ReferenceSourceRecord.objects.bulk_create(creates)
    if updates:
        ReferenceSourceRecord.objects.bulk_update(updates, ["raw_gzip", "fetched_at"])


def raw_record(reference: Reference, source: str) -> bytes | dict | None:
    """The stored upstream record of ``reference`` from ``source``, decompressed."""
    stored = reference.source_records.filter(source=source).first()
    if stored is None:
        return None
    raw = gzip.decompress(bytes(stored.raw_gzip))
    return json.loads(raw) if stored.content_type == "application/json" else raw
