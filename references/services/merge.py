"""How upstream and file records merge into stored references: which source wins each
field, which notices are new, and what a batch of records changes before it is written
(references.services.upsert writes it)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache

from references.fields import IDENTIFIER_FIELDS, MERGED_FIELDS
from references.fingerprints import fingerprint
from references.models import (
    FINGERPRINT_SOURCE_FIELDS,
    Reference,
    ReferenceNotice,
    RetractionStatus,
)
from references.parsers.records import Author, BibRecord, Notice

logger = logging.getLogger(__name__)


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
_AUTHOR_FIELDS = tuple(f.name for f in fields(Author))


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


def _priority(source: str | None) -> int:
    if source is None:
        return FILE_PRIORITY + 1
    return SOURCE_PRIORITY.get(source, FILE_PRIORITY)


def identifiers_of(records: Iterable[BibRecord]) -> dict[str, set[str]]:
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


def record_fingerprint(record: BibRecord) -> str:
    """The fingerprint of a record without identifiers ("" for one that has any)."""
    if record.has_identifier:
        return ""
    return fingerprint(title=record.title, year=record.year, authors=record.authors)


class _Index:
    """References of a batch, found by any of their identifiers or by fingerprint."""

    def __init__(self, references: Iterable[Reference]):
        self.by: dict[str, dict[str, Reference]] = {name: {} for name in IDENTIFIER_FIELDS}
        self.by_fingerprint: dict[str, Reference] = {}
        self._fingerprints: dict[int, str] = {}  # id(reference) -> its indexed fingerprint
        # The oldest reference answers for a fingerprint several share.
        for reference in sorted(references, key=lambda r: r.pk or 0):
            self.add(reference)

    def add(self, reference: Reference) -> None:
        for name in IDENTIFIER_FIELDS:
            if value := getattr(reference, name):
                self.by[name][value] = reference
        # Only a reference's current fingerprint finds it, as in the database: a batch
        # matches as the next import of the same file will.
        old = self._fingerprints.get(id(reference))
        if old and old != reference.fingerprint and self.by_fingerprint.get(old) is reference:
            del self.by_fingerprint[old]
        if reference.fingerprint:
            self._fingerprints[id(reference)] = reference.fingerprint
            self.by_fingerprint.setdefault(reference.fingerprint, reference)

    def find(self, *, doi: str | None = None, pmid: str | None = None, pmcid=None):
        for name, value in (("doi", doi), ("pmid", pmid), ("pmcid", pmcid)):
            if value and value in self.by[name]:
                return self.by[name][value]
        return None


def _record_values(record: BibRecord) -> dict[str, object]:
    """The record's value for each merged field, in MERGED_FIELDS order (the order the
    merge records their sources in)."""
    values = {name: getattr(record, name) for name in MERGED_FIELDS}
    # What dataclasses.asdict gives, in its order, without its deep copy of every value
    # (the fields are strings): asdict was most of the time of an unchanged refresh.
    authors = [
        {name: value for name in _AUTHOR_FIELDS if (value := getattr(author, name))}
        for author in record.authors
    ]
    values["authors"] = [a for a in authors if a]
    values["publication_types"] = list(record.publication_types)
    values["url"] = record.url or (f"https://doi.org/{record.doi}" if record.doi else "")
    return values


@cache
def _max_length(name: str) -> int | None:
    return getattr(Reference._meta.get_field(name), "max_length", None)


def _truncate(name: str, value):
    max_length = _max_length(name)
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


def _settle_fingerprint(reference: Reference, changed: set[str]) -> set[str]:
    # Only a change of what it is made from changes a stored fingerprint (every writer
    # stores one); a reference without one gets it.
    if reference.fingerprint and not FINGERPRINT_SOURCE_FIELDS & changed:
        return set()
    value = reference.computed_fingerprint()
    if value == reference.fingerprint:
        return set()
    reference.fingerprint = value
    return {"fingerprint"}


def notice_key(notice: ReferenceNotice) -> tuple:
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


def notices_status(notices: Iterable[ReferenceNotice]) -> str:
    status = RetractionStatus.NONE
    for notice in notices:
        candidate = NOTICE_STATUS.get(notice.type, RetractionStatus.NONE)
        if STATUS_SEVERITY[candidate] > STATUS_SEVERITY[status]:
            status = candidate
    return status


class RecordBatch:
    """What a batch's records change, gathered in memory before anything is written."""

    def __init__(
        self, existing: list[Reference], notices_by_ref: dict[int, dict[tuple, ReferenceNotice]]
    ):
        self.index = _Index(existing)
        self.notices_by_ref = notices_by_ref
        self.result = UpsertResult()
        self.created: list[Reference] = []
        self.changed_fields: dict[int, set[str]] = {}  # id(reference) -> fields
        self.new_notices: list[tuple[Reference, ReferenceNotice]] = []
        self.pending_raw: dict[tuple[int, str], tuple[Reference, str, bytes]] = {}

    def add_record(self, record: BibRecord) -> None:
        """Merge one record into the reference it names, or into a new one."""
        reference = self.index.find(doi=record.doi, pmid=record.pmid, pmcid=record.pmcid)
        if reference is None and (key := record_fingerprint(record)):
            reference = self.index.by_fingerprint.get(key)
        if reference is None:
            if not record.title:
                self.result.references.append(None)
                self.result.outcomes.append(Outcome.UNCHANGED)
                self.result.warnings.append("record without title or known identifier skipped")
                return
            reference = Reference(title="")
            self.created.append(reference)
        fields = _merge(reference, record, self.index, self.result.warnings)
        fields |= _settle_fingerprint(reference, fields)
        if record.source in RAW_CONTENT_TYPES and reference.needs_enrichment:
            reference.needs_enrichment = False  # enriched (awaiting() may set it again)
            fields.add("needs_enrichment")
        self.index.add(reference)
        self.changed_fields.setdefault(id(reference), set()).update(fields)
        for notice in _own_notices(record):
            self.add_notice(reference, _as_notice(reference, notice, record.source))
        self._add_amendments(reference, record)
        if record.raw and record.source in RAW_CONTENT_TYPES:
            key = (id(reference), record.source)
            self.pending_raw[key] = (reference, record.source, record.raw)
        self.result.references.append(reference)

    def _add_amendments(self, reference: Reference, record: BibRecord) -> None:
        """Notices ``record`` is about other works (a retraction notice's target), filed
        with those works."""
        for notice in record.amends:
            target = self.index.find(doi=notice.doi or None, pmid=notice.pmid or None)
            if target is not None and target is not reference:
                amended = Notice(
                    type=notice.type,
                    doi=record.doi or "",
                    pmid=record.pmid or "",
                    date=notice.date,
                    source=notice.source or record.source,
                    note=f"Notice: {record.title[:200]}",
                )
                self.add_notice(target, _as_notice(target, amended, record.source))

    def add_notice(self, reference: Reference, notice: ReferenceNotice) -> None:
        """Keep ``notice`` for writing unless the reference already has it."""
        key = notice_key(notice)
        known = self.notices_by_ref.setdefault(id(reference), {})
        if key not in known:
            known[key] = notice
            self.new_notices.append((reference, notice))

    def awaiting(self, references: Iterable[Reference | None]) -> None:
        """Mark ``references`` as waiting for enrichment: stored from a file while the
        upstream that would enrich them could not be reached."""
        for reference in references:
            if reference is not None and not reference.needs_enrichment:
                reference.needs_enrichment = True
                self.changed_fields.setdefault(id(reference), set()).add("needs_enrichment")

    def touched(self) -> dict[int, Reference]:
        """Every reference a record named or a notice was added to, by id()."""
        touched = {id(r): r for r in self.result.references if r is not None}
        touched.update({id(r): r for r, _ in self.new_notices})
        return touched

    def settle_statuses(self, touched: dict[int, Reference]) -> list[Reference]:
        """Set each touched reference's status from its notices; those it changed."""
        # Statuses follow from every notice, old and new.
        amended: list[Reference] = []
        for key, reference in touched.items():
            status = notices_status(self.notices_by_ref.get(key, {}).values())
            if status != reference.retraction_status:
                reference.retraction_status = status
                self.changed_fields.setdefault(key, set()).add("retraction_status")
                amended.append(reference)
        return amended
