"""What an import job says about each record, in plain words, said once.

An item keeps its line (``line``), what the record is (``raw``: its title or first author)
and what happened (``message``); ImportJobItem.summary joins them as
``line 12 ("Effect of IVIG on …" / Smith): not a DOI: "10.x"``. So a message never
repeats the line or the record, and the label is written here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

from references.parsers.records import BibRecord, scrub
from references.sources.http import UpstreamUnavailable

LABEL_TITLE_CHARACTERS = 60
UPSTREAM_NAMES = {"pubmed": "PubMed", "crossref": "Crossref"}


def record_label(*, title: str = "", first_author: str = "") -> str:
    """'"Effect of IVIG on …" / Smith': the record's title (shortened), its first author.

    Scrubbed of what no database column can hold (a NUL, a lone surrogate): the label of
    a record refused for holding one must itself be storable."""
    title = " ".join(str(scrub(title or "")).split())
    first_author = str(scrub(first_author or ""))
    if len(title) > LABEL_TITLE_CHARACTERS:
        title = title[: LABEL_TITLE_CHARACTERS - 1].rstrip() + " …"
    parts = [f'"{title}"' if title else "", first_author.strip()]
    return " / ".join(part for part in parts if part)


def label_of(record: BibRecord) -> str:
    first = record.authors[0] if record.authors else None
    author = (first.collective or first.family) if first is not None else ""
    return record_label(title=record.title, first_author=author)


def record_warnings(record: BibRecord | None) -> list[str]:
    """What the parser noticed about a record it kept (a year outside the range, say)."""
    # getattr: the parsers' ``warnings`` is newer than this module's callers' records.
    return [str(w) for w in getattr(record, "warnings", None) or [] if str(w).strip()]


def item_message(record: BibRecord | None, note: str | None = None) -> str:
    """The message of a record that was stored: pending enrichment, then its warnings."""
    return "; ".join(part for part in (note, *record_warnings(record)) if part)


def plain_reason(exc: UpstreamUnavailable) -> str:
    name = UPSTREAM_NAMES.get(exc.upstream, exc.upstream or "the service")
    if exc.status:
        return f"{name} answered with HTTP {exc.status}"
    if "timed out" in str(exc):
        return f"{name} did not answer in time"
    return f"{name} could not be reached"


# An item whose identifier the library holds already is not fetched again; it is reported
# with a link to that reference (the admin's job page), not as a failure.
ALREADY_IN_LIBRARY = "already in the library"

# What to say when the service an identifier belongs to has no record of it.
NOT_FOUND = {
    "pmid": "Not found: PubMed has no record with this PMID.",
    "pmcid": "Not found: PubMed has no article with this PMCID.",
    "doi": "Not found: Crossref has no work with this DOI, and PubMed no article.",
}


def not_found_message(kind: str) -> str:
    return NOT_FOUND.get(kind, "Not found: neither PubMed nor Crossref has a record of it.")


def what_happened(exc: UpstreamUnavailable) -> str:
    """An outage in plain words, for an editor: which service, and what it did."""
    name = UPSTREAM_NAMES.get(exc.upstream, exc.upstream or "The service")
    if exc.status == 429:
        return f"{name} asked us to slow down (HTTP 429) and kept refusing"
    if exc.status and exc.status >= 500:
        return f"{name} had a fault on its side (HTTP {exc.status})"
    if exc.status:
        return f"{name} refused the request (HTTP {exc.status})"
    if "timed out" in str(exc):
        return f"{name} did not answer in time"
    return f"{name} could not be reached (no connection: is this computer offline?)"


def outage_message(exc: UpstreamUnavailable) -> str:
    """Why a job gave up on its remaining items, and what the editor can do about it."""
    name = UPSTREAM_NAMES.get(exc.upstream, exc.upstream or "the service")
    return (
        f"Not imported: {what_happened(exc)}. Nothing was changed. "
        f"Press Retry on this job once {name} can be reached."
    )


def waiting_message(exc: UpstreamUnavailable) -> str:
    return f"Waiting to retry: {what_happened(exc)}."


def _needs(record: BibRecord) -> list[str]:
    """The upstreams that enrich a record: PubMed for a PMID or PMCID, Crossref for a DOI."""
    needs = []
    if record.pmid or record.pmcid:
        needs.append("pubmed")
    if record.doi:
        needs.append("crossref")
    return needs


def pending_enrichment_notes(
    records: Mapping[int, BibRecord], unavailable: Mapping[str, UpstreamUnavailable]
) -> dict[int, str]:
    """For each record (by position) that an unavailable upstream would have enriched:
    "stored from the file; enrichment from Crossref pending (Crossref could not be reached)"."""
    if not unavailable:
        return {}
    notes = {}
    for position, record in records.items():
        down = [name for name in _needs(record) if name in unavailable]
        if down:
            names = " and ".join(UPSTREAM_NAMES[name] for name in down)
            reasons = "; ".join(plain_reason(unavailable[name]) for name in down)
            notes[position] = f"stored from the file; enrichment from {names} pending ({reasons})"
    return notes
