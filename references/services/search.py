"""Search PubMed for a query since a date and return the records found, parsed.

The one door through which other apps search PubMed (the saved searches of the editorial
triage): esearch by Entrez date, then efetch, in batches, of the PMIDs the library does not
hold yet, each answer parsed into BibRecords. Nothing is written here.

An unavailable PubMed (timeouts, 5xx, 429) raises UpstreamUnavailable so the caller can
retry later; a search PubMed rejects, or an answer that cannot be read, is reported in the
result, worded for the editor who reads it on the saved search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from references.models import Reference
from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import BibRecord, ParseError
from references.sources.http import UpstreamBadResponse, UpstreamUnavailable
from references.sources.pubmed import ESEARCH_MAX_RETMAX, PubMedClient

__all__ = ["SearchResult", "UpstreamUnavailable", "pubmed_client", "pubmed_search"]


@dataclass(frozen=True)
class SearchResult:
    pmids: list[str] = field(default_factory=list)  # what esearch found, in its order
    stored: dict[str, int] = field(default_factory=dict)  # PMID -> id, held already
    records: list[BibRecord] = field(default_factory=list)  # fetched: the others
    errors: list[str] = field(default_factory=list)  # answers that could not be used
    # PubMed did not accept the search: nothing was found or fetched.
    rejected: str = ""


def pubmed_client() -> PubMedClient:
    """A PubMed client to share between several searches; the caller closes it."""
    return PubMedClient()


def pubmed_search(
    *,
    query: str,
    since: date | None = None,
    pubmed: PubMedClient | None = None,
    max_results: int = ESEARCH_MAX_RETMAX,
) -> SearchResult:
    """PubMed's records for ``query`` by Entrez date from ``since`` on (all when None).

    Records the library holds already are not fetched again: their PMIDs are in
    ``stored``. ``pubmed`` is a client to reuse (its caller closes it); without one, a
    client is made for this search and closed after it.
    """
    client = pubmed or pubmed_client()
    try:
        try:
            pmids = client.esearch(query, mindate=since, retmax=max_results)
        except UpstreamBadResponse as exc:
            return SearchResult(rejected=f"PubMed did not accept the search: {exc}")
        stored = dict(Reference.objects.filter(pmid__in=pmids).values_list("pmid", "pk"))
        records, errors = _fetch(client, [pmid for pmid in pmids if pmid not in stored])
        return SearchResult(pmids=pmids, stored=stored, records=records, errors=errors)
    finally:
        if pubmed is None:
            client.close()


def _fetch(pubmed: PubMedClient, pmids: list[str]) -> tuple[list[BibRecord], list[str]]:
    records: list[BibRecord] = []
    errors: list[str] = []
    if not pmids:
        return records, errors
    try:
        for batch, body in pubmed.efetch(pmids):
            try:
                records.extend(parse_pubmed_xml(body).records)
            except ParseError as exc:
                errors.append(f"Unreadable efetch answer for {len(batch)} records: {exc}")
    except UpstreamBadResponse as exc:
        errors.append(f"PubMed answered efetch with an unusable response: {exc}")
    return records, errors
