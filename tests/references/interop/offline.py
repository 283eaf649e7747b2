"""Importing corpus files with PubMed and Crossref switched off (the corpus import test and
bench/interop_import.py), and how many distinct works a file's expected records hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from references.fingerprints import fingerprint
from references.parsers import BibRecord
from tests.support.services import free_port

IDENTIFIERS = ("doi", "pmid", "pmcid")


def switch_upstream_off(settings: Any, *, ratelimit_prefix: str = "offline:ratelimit:") -> None:
    """Point both upstreams at a closed port on 127.0.0.1: every request is refused at once,
    as when PubMed and Crossref cannot be reached."""
    closed = f"http://127.0.0.1:{free_port()}/"
    settings.PUBMED_BASE_URL = closed
    settings.CROSSREF_BASE_URL = closed
    settings.CONTACT_EMAIL = "tests@example.org"
    settings.NCBI_API_KEY = ""
    settings.UPSTREAM_TIMEOUT_SECONDS = 1.0
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    settings.UPSTREAM_BACKOFF_SECONDS = 0.001
    settings.UPSTREAM_RATELIMIT_PREFIX = ratelimit_prefix
    settings.PUBMED_RATE_LIMIT_PER_SECOND = 1000.0
    settings.CROSSREF_RATE_LIMIT_PER_SECOND = 1000.0


def _value(expected: dict, parsed: BibRecord | None, name: str):
    if name in expected:
        return expected[name]
    return getattr(parsed, name, None) if parsed is not None else None


def _authors(expected: dict, parsed: BibRecord | None) -> list[dict]:
    if "authors" not in expected and parsed is not None:
        return [{"family": a.family, "collective": a.collective} for a in parsed.authors]
    names = expected.get("authors") or []
    if not names:
        return []
    family = names[0].partition(",")[0] if "," in names[0] else names[0]
    return [{"family": family}]


def distinct_works(expected: Sequence[dict], parsed: Sequence[BibRecord] = ()) -> int:
    """How many references a file's records should make: records of one work (the same
    DOI, PMID or PMCID; without identifiers, the same fingerprint) count once.

    Mirrors the import's matching in record order: a record with identifiers joins the
    work holding the first of them (DOI, then PMID, then PMCID); one without joins the
    work whose fingerprint it shares. A field the expected record does not list is taken
    from the parsed record at its index.
    """
    parsed_by_index = dict(enumerate(parsed)) if len(parsed) == len(expected) else {}
    owner: dict[tuple[str, str], int] = {}
    by_fingerprint: dict[str, int] = {}
    works = 0
    for index, record in enumerate(expected):
        rec = parsed_by_index.get(index)
        ids = [
            (name, str(value).lower())
            for name in IDENTIFIERS
            if (value := _value(record, rec, name))
        ]
        key = fingerprint(
            title=_value(record, rec, "title") or "",
            year=_value(record, rec, "year"),
            authors=_authors(record, rec),
        )
        found = next((owner[i] for i in ids if i in owner), None)
        if found is None and not ids and key:
            found = by_fingerprint.get(key)
        if found is None:
            works += 1
            found = works
        for identifier in ids:
            owner.setdefault(identifier, found)
        if key:
            by_fingerprint.setdefault(key, found)
    return works
