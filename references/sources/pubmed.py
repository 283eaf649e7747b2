"""NCBI E-utilities client for PubMed: efetch (XML bytes), esearch and DOI -> PMID lookups.

NCBI's rules (https://www.ncbi.nlm.nih.gov/books/NBK25497/): identify with ``tool`` and
``email``; at most 3 requests per second per client, 10 with an API key (shared by all
workers, see ratelimit.py; PUBMED_RATE_LIMIT_PER_SECOND overrides it, meant only for a
local fake server or to go slower); send more than about 200 ids by POST. We cap efetch
batches at PUBMED_BATCH_SIZE (200) and switch to POST above PUBMED_POST_ABOVE_IDS ids (50):
50 eight-digit PMIDs make a URL of about 700 characters, comfortably below the limits of
proxies on the way, while 200 do not.

esearch is asked for JSON (``retmode=json``) so that this module stays free of XML parsing,
which lives in references/parsers/. efetch returns the XML untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Self, TypeVar

import httpx

from .config import UpstreamConfig, upstream_config
from .http import RetryPolicy, UpstreamBadResponse, UpstreamClient, expect_json, expect_xml
from .ratelimit import rate_limiter

logger = logging.getLogger(__name__)

T = TypeVar("T")

ESEARCH_MAX_RETMAX = 10_000
# PubMed's date filters cannot start earlier than this; used when only maxdate is given.
EARLIEST_DATE = date(1800, 1, 1)


class PubMedClient(UpstreamClient):
    upstream = "pubmed"
    tool = "evidentia"
    # DOIs per esearch in pmids_for_dois(): 50 quoted DOIs make a term of about 2,000
    # characters, which goes by POST.
    doi_batch_size = 50
    esearch_post_above_chars = 1_000

    def __init__(self, *, config: UpstreamConfig | None = None, **overrides: Any) -> None:
        """A client configured from ``config`` (default: upstream_config()); keyword
        arguments override it (``api_key``, ``batch_size``, ``post_above_ids``, or any
        of UpstreamClient's)."""
        config = config or upstream_config()
        api_key = overrides.pop("api_key", config.ncbi_api_key)
        batch_size = overrides.pop("batch_size", config.pubmed_batch_size)
        post_above_ids = overrides.pop("post_above_ids", config.pubmed_post_above_ids)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        options: dict[str, Any] = {
            "base_url": config.pubmed_base_url,
            "contact_email": config.contact_email,
            "timeout": config.timeout_seconds,
            "retry": RetryPolicy.from_config(config),
            **overrides,
        }
        if "limiter" not in options:
            rate = config.pubmed_rate_limit_per_second or ncbi_rate_limit(api_key=api_key)
            options["limiter"] = rate_limiter(
                "pubmed", rate=rate, redis_url=config.redis_url, key_prefix=config.ratelimit_prefix
            )
        super().__init__(**options)
        self.api_key = api_key
        self.batch_size = batch_size
        self.post_above_ids = post_above_ids

    @classmethod
    def from_settings(cls, **overrides: Any) -> Self:
        """A client configured from the current settings; keyword arguments override them."""
        return cls(**overrides)

    def efetch(self, pmids: Sequence[str]) -> Iterator[tuple[list[str], bytes]]:
        """Yield ``(batch pmids, PubmedArticleSet XML)`` per batch of at most batch_size.

        PMIDs are stripped and de-duplicated (first occurrence kept). PMIDs PubMed does not
        know are simply absent from the XML. Errors surface while iterating.
        """
        ids = _clean_pmids(pmids)
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start : start + self.batch_size]
            params = {"db": "pubmed", "retmode": "xml", "id": ",".join(batch)}
            body = self._eutil(
                "efetch.fcgi", params, post=len(batch) > self.post_above_ids, decode=_expect_efetch
            )
            yield batch, body

    def esearch(
        self,
        term: str,
        *,
        mindate: date | None = None,
        maxdate: date | None = None,
        retmax: int = ESEARCH_MAX_RETMAX,
    ) -> list[str]:
        """PMIDs matching ``term``, optionally by Entrez date (``datetype=edat``).

        PubMed wants mindate and maxdate together; a missing end is filled with today, a
        missing start with 1800-01-01. esearch cannot page beyond 10,000 results; when
        more match, the first ``retmax`` are returned and a warning is logged.
        """
        if not 0 <= retmax <= ESEARCH_MAX_RETMAX:
            raise ValueError(f"retmax must be within 0..{ESEARCH_MAX_RETMAX}, got {retmax}")
        params: dict[str, Any] = {"db": "pubmed", "term": term, "retmode": "json", "retmax": retmax}
        if mindate or maxdate:
            params["datetype"] = "edat"
            params["mindate"] = _entrez_date(mindate or EARLIEST_DATE)
            params["maxdate"] = _entrez_date(maxdate or datetime.now(tz=UTC).date())
        result = self._eutil(
            "esearch.fcgi",
            params,
            post=len(term) > self.esearch_post_above_chars,
            decode=_decode_esearch,
        )
        ids = [str(pmid) for pmid in result["idlist"]]
        count = int(result.get("count") or len(ids))
        if count > len(ids):
            logger.warning("esearch %r matched %d, returned the first %d", term, count, len(ids))
        return ids

    def pmid_for_doi(self, doi: str) -> str | None:
        """The PMID of the article with this DOI, or None if there is none or several."""
        ids = self.esearch(_doi_term(doi), retmax=2)
        if len(ids) > 1:
            logger.warning("DOI %s matches several PMIDs %s; not choosing", doi, ids)
        return ids[0] if len(ids) == 1 else None

    def pmids_for_dois(self, dois: Sequence[str]) -> dict[str, str]:
        """``{lower-cased doi: pmid}`` for the DOIs PubMed knows, two requests per batch.

        One esearch ``"d1"[doi] OR "d2"[doi] ...`` finds the PMIDs, then one esummary
        (JSON, whose ``articleids`` list each record's DOI) maps them back to their DOIs.
        A DOI carried by several PMIDs is left out, as in pmid_for_doi().
        """
        if isinstance(dois, str):
            raise TypeError("dois must be a sequence of DOIs, not one string")
        wanted = list(dict.fromkeys(d.strip().lower() for d in dois if d.strip()))
        found: dict[str, set[str]] = {}
        for start in range(0, len(wanted), self.doi_batch_size):
            batch = wanted[start : start + self.doi_batch_size]
            pmids = self.esearch(" OR ".join(_doi_term(d) for d in batch))
            if not pmids:
                continue
            for pmid, doi in self._esummary_dois(pmids):
                if doi in batch:
                    found.setdefault(doi, set()).add(pmid)
        return {doi: pmids.pop() for doi, pmids in found.items() if len(pmids) == 1}

    def _esummary_dois(self, pmids: list[str]) -> Iterator[tuple[str, str]]:
        payload = self._eutil(
            "esummary.fcgi",
            {"db": "pubmed", "id": ",".join(pmids), "retmode": "json"},
            post=len(pmids) > self.post_above_ids,
            decode=_decode_esummary,
        )
        for uid in payload.get("uids", []):
            record = payload.get(uid) or {}
            for article_id in record.get("articleids", []):
                if article_id.get("idtype") == "doi" and article_id.get("value"):
                    yield str(uid), article_id["value"].strip().lower()

    def _eutil(
        self,
        endpoint: str,
        params: Mapping[str, Any],
        *,
        post: bool,
        decode: Callable[[httpx.Response], T],
    ) -> T:
        params = {**params, **self._identity()}
        if post:
            return self._call("POST", endpoint, data=params, decode=decode)
        return self._call("GET", endpoint, params=params, decode=decode)

    def _identity(self) -> dict[str, str]:
        identity = {"tool": self.tool, "email": self.contact_email}
        if self.api_key:
            identity["api_key"] = self.api_key
        return identity


def ncbi_rate_limit(*, api_key: str) -> int:
    """NCBI's published limit: 3 requests per second without an API key, 10 with one."""
    return 10 if api_key else 3


def _clean_pmids(pmids: Sequence[str]) -> list[str]:
    if isinstance(pmids, str):
        raise TypeError("pmids must be a sequence of PMIDs, not one string")
    cleaned = [str(pmid).strip() for pmid in pmids]
    bad = [pmid for pmid in cleaned if not pmid.isdigit()]
    if bad:
        raise ValueError(f"not PMIDs: {bad[:5]}")
    return list(dict.fromkeys(cleaned))


def _doi_term(doi: str) -> str:
    # Quotes keep PubMed from splitting the DOI into words; a quote inside would end them.
    return f'"{doi.strip().replace(chr(34), "")}"[doi]'


def _entrez_date(value: date) -> str:
    return value.strftime("%Y/%m/%d")


def _expect_efetch(response: httpx.Response) -> bytes:
    body = expect_xml(response)
    # NCBI reports backend failures as 200 with <eFetchResult><ERROR>...: not a result.
    head = body[:2048]
    if b"<eFetchResult" in head and b"<ERROR>" in head:
        raise UpstreamBadResponse(f"efetch error: {head[-300:]!r}")
    return body


def _decode_esearch(response: httpx.Response) -> dict[str, Any]:
    payload = expect_json(response)
    result = payload.get("esearchresult")
    if not isinstance(result, dict):
        raise UpstreamBadResponse(f"esearch answer without esearchresult: {str(payload)[:200]}")
    if result.get("ERROR"):
        raise UpstreamBadResponse(f"esearch error: {result['ERROR']}")
    if not isinstance(result.get("idlist"), list):
        raise UpstreamBadResponse(f"esearch answer without idlist: {str(result)[:200]}")
    return result


def _decode_esummary(response: httpx.Response) -> dict[str, Any]:
    payload = expect_json(response)
    result = payload.get("result")
    if not isinstance(result, dict):
        raise UpstreamBadResponse(f"esummary answer without result: {str(payload)[:200]}")
    return result
