"""Reading the FHIR endpoint's ids and search parameters; a bad one is a BadSearch,
answered 400 with an OperationOutcome."""

from __future__ import annotations

import re

from django.http import QueryDict

from references.identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid

from .resources.common import IDENTIFIER_SYSTEM_ALIASES

# Parameters any FHIR read or search may carry and this server need not act on.
IGNORED = {"_format", "_pretty"}
_NUMBER = re.compile(r"^[0-9]{1,9}$")
_FINDING = re.compile(r"^([0-9]{1,9})-sof-([0-9a-f]{12})$")
NORMALISERS = {"doi": normalise_doi, "pmid": normalise_pmid, "pmcid": normalise_pmcid}


class BadSearch(ValueError):
    pass


def numeric_id(value: str) -> int | None:
    """A resource id made of digits (Citation, Evidence, a verdict's assessment)."""
    return int(value) if _NUMBER.match(value) else None


def finding_id(value: str) -> tuple[int, str] | None:
    """``<verdict id>-sof-<12 hex>``: a summary-of-findings row's assessment."""
    match = _FINDING.match(value)
    return (int(match.group(1)), match.group(2)) if match else None


def only(params: QueryDict, allowed: set[str]) -> dict[str, str]:
    """One value for each allowed parameter; BadSearch for any other, or a repeat."""
    unknown = sorted(set(params) - allowed - IGNORED)
    if unknown:
        raise BadSearch(f"Unsupported search parameter(s): {', '.join(unknown)}.")
    values = {}
    for name in allowed:
        given = params.getlist(name)
        if len(given) > 1:
            raise BadSearch(f"Give {name} once.")
        if given:
            values[name] = given[0]
    return values


def identifier_token(token: str) -> tuple[str, str]:
    """``system|value`` or a bare ``value`` -> (kind, normalised value), kind one of doi,
    pmid, pmcid. A bare value is read as whichever identifier it is."""
    system, bar, value = token.partition("|")
    if not bar:
        system, value = "", token
    value = value.strip()
    if not value:
        raise BadSearch("identifier needs a value: identifier=<system>|<value>.")
    kinds = [IDENTIFIER_SYSTEM_ALIASES.get(system.strip().lower())] if system else list(NORMALISERS)
    if kinds == [None]:
        raise BadSearch(
            "Unknown identifier system; use https://doi.org, https://pubmed.ncbi.nlm.nih.gov "
            "or https://www.ncbi.nlm.nih.gov/pmc."
        )
    for kind in kinds:
        try:
            return kind, NORMALISERS[kind](value)
        except (InvalidIdentifier, ValueError, TypeError):
            continue
    raise BadSearch(f"Not a valid {' or '.join(k.upper() for k in kinds)}: {value[:100]!r}.")


def positive(value: str | None, *, name: str, default: int, maximum: int | None = None) -> int:
    if value is None:
        return default
    if not _NUMBER.match(value) or int(value) < 1:
        raise BadSearch(f"{name} must be a whole number from 1.")
    number = int(value)
    if maximum is not None and number > maximum:
        raise BadSearch(f"{name} must be at most {maximum}.")
    return number
