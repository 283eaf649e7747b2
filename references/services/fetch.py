"""Fetch what PubMed and Crossref say about a set of identifiers, as parsed records.

Requests are batched: PMIDs go to efetch 200 at a time, DOIs and PMCIDs are resolved to
PMIDs with OR-ed esearch terms, and every DOI known at the end (asked for, or found in a
PubMed record) goes to Crossref's ``filter=doi:`` list endpoint. Nothing is written here.
An unavailable upstream (timeouts, 5xx, 429) raises UpstreamUnavailable so the caller
can retry before writing anything; an unreadable answer fails the identifiers it covers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from references.parsers.crossref import parse_crossref_work
from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import BibRecord, ParseError
from references.sources.http import UpstreamBadResponse, UpstreamUnavailable

logger = logging.getLogger(__name__)

ESEARCH_TERMS_PER_QUERY = 50


@dataclass(frozen=True)
class FetchFailed:
    kind: str
    value: str
    reason: str


@dataclass
class Fetched:
    records: list[BibRecord] = field(default_factory=list)
    failures: list[FetchFailed] = field(default_factory=list)
    # With tolerate_outages: the upstreams ("pubmed", "crossref") that could not be reached.
    unavailable: dict[str, UpstreamUnavailable] = field(default_factory=dict)


def _chunks(values: Sequence[str], size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _esearch_pmids(pubmed, values: Sequence[str], tag: str) -> list[str]:
    pmids: list[str] = []
    for chunk in _chunks(list(values), ESEARCH_TERMS_PER_QUERY):
        term = " OR ".join(f'"{value}"[{tag}]' for value in chunk)
        pmids.extend(pubmed.esearch(term))
    return pmids


def _efetch(pubmed, pmids: Sequence[str], fetched: Fetched) -> list[BibRecord]:
    records: list[BibRecord] = []
    for batch, body in pubmed.efetch(list(pmids)):
        try:
            parsed = parse_pubmed_xml(body)
        except ParseError as exc:
            reason = f"PubMed answered with an unreadable response: {exc}"
            fetched.failures.extend(FetchFailed("pmid", pmid, reason) for pmid in batch)
            continue
        asked = set(batch)
        # An upstream that answers with a record nobody asked for (a mixed-up cache, a
        # proxy serving the wrong body) must not slip an unrelated article into the library.
        for record in parsed.records:
            if record.pmid in asked:
                records.append(record)
            else:
                logger.warning("PubMed returned PMID %s, which was not requested", record.pmid)
        fetched.failures.extend(
            FetchFailed("pmid", pmid, "PubMed has deleted this citation.")
            for pmid in parsed.deleted_pmids
        )
    return records


def _pubmed(pubmed, *, dois, pmids, pmcids, fetched: Fetched) -> list[BibRecord]:
    try:
        records = _efetch(pubmed, sorted(set(pmids)), fetched) if pmids else []
        covered = {r.doi for r in records if r.doi}
        missing_dois = [doi for doi in dois if doi not in covered]
        extra = set()
        if missing_dois:
            extra.update(_esearch_pmids(pubmed, missing_dois, "doi"))
        if pmcids:
            extra.update(_esearch_pmids(pubmed, pmcids, "pmcid"))
        extra -= {r.pmid for r in records}
        extra -= set(pmids)
        if extra:
            records += _efetch(pubmed, sorted(extra), fetched)
    except UpstreamBadResponse as exc:
        reason = f"PubMed answered with an unusable response: {exc}"
        fetched.failures.extend(FetchFailed("pmid", p, reason) for p in pmids)
        fetched.failures.extend(FetchFailed("pmcid", p, reason) for p in pmcids)
        return []
    return records


def _crossref(crossref, dois: Sequence[str], fetched: Fetched) -> list[BibRecord]:
    if not dois:
        return []
    try:
        works = crossref.works(list(dois))
    except UpstreamBadResponse as exc:
        reason = f"Crossref answered with an unusable response: {exc}"
        fetched.failures.extend(FetchFailed("doi", doi, reason) for doi in dois)
        return []
    records = []
    for doi, message in works.items():
        try:
            record = parse_crossref_work(message)
        except ParseError as exc:
            fetched.failures.append(
                FetchFailed("doi", doi, f"Crossref record could not be read: {exc}")
            )
            continue
        if record.doi != doi:
            reason = f"Crossref answered with the record of another DOI ({record.doi})."
            fetched.failures.append(FetchFailed("doi", doi, reason))
            continue
        records.append(record)
    return records


def fetch_records(
    *,
    dois: Sequence[str] = (),
    pmids: Sequence[str] = (),
    pmcids: Sequence[str] = (),
    pubmed,
    crossref,
    tolerate_outages: bool = False,
) -> Fetched:
    """PubMed's records and Crossref's, PubMed's first in ``records`` so that merging
    prefers PubMed's fields.

    A DOI is Crossref's: the DOIs asked for go to Crossref before anything goes to
    PubMed, so when the job is about DOIs the service named in an outage is the one the
    DOIs belong to. PubMed (PMIDs, PMCIDs, and the DOIs' PubMed records) comes next, then
    Crossref once more for the DOIs only PubMed's records brought.

    An unavailable upstream raises UpstreamUnavailable, unless ``tolerate_outages``: then
    it is recorded in ``unavailable`` and the other upstream is still asked (a file's
    records are stored from the file and enriched later; see jobs/run.py).
    """
    fetched = Fetched()
    asked = sorted(set(dois))

    def from_crossref(values: list[str]) -> list[BibRecord]:
        if not values or "crossref" in fetched.unavailable:
            return []
        try:
            return _crossref(crossref, values, fetched)
        except UpstreamUnavailable as exc:
            if not tolerate_outages:
                raise
            fetched.unavailable["crossref"] = exc
            return []

    crossref_records = from_crossref(asked)
    try:
        pubmed_records = _pubmed(pubmed, dois=dois, pmids=pmids, pmcids=pmcids, fetched=fetched)
    except UpstreamUnavailable as exc:
        if not tolerate_outages:
            raise
        fetched.unavailable["pubmed"] = exc
        pubmed_records = []
    brought = sorted({r.doi for r in pubmed_records if r.doi} - set(asked))
    crossref_records += from_crossref(brought)
    fetched.records = pubmed_records + crossref_records
    return fetched
