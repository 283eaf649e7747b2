"""What every resource builder shares: code systems, identifier systems, empty-value
pruning, meta, and validation against the fhir.resources R5 models."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

# Identifier systems for the three identifiers a reference can carry. The search
# accepts these and the other spellings in IDENTIFIER_SYSTEM_ALIASES.
DOI_SYSTEM = "https://doi.org"
PMID_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"
PMCID_SYSTEM = "https://www.ncbi.nlm.nih.gov/pmc"
ORCID_SYSTEM = "https://orcid.org"
IDENTIFIER_SYSTEMS = {"doi": DOI_SYSTEM, "pmid": PMID_SYSTEM, "pmcid": PMCID_SYSTEM}
IDENTIFIER_SYSTEM_ALIASES = {
    "doi": "doi",
    "https://doi.org": "doi",
    "https://doi.org/": "doi",
    "http://doi.org": "doi",
    "urn:doi": "doi",
    "pmid": "pmid",
    "https://pubmed.ncbi.nlm.nih.gov": "pmid",
    "https://pubmed.ncbi.nlm.nih.gov/": "pmid",
    "http://www.ncbi.nlm.nih.gov/pubmed": "pmid",
    "https://www.ncbi.nlm.nih.gov/pubmed": "pmid",
    "pmcid": "pmcid",
    "https://www.ncbi.nlm.nih.gov/pmc": "pmcid",
    "https://www.ncbi.nlm.nih.gov/pmc/": "pmcid",
    "https://pmc.ncbi.nlm.nih.gov": "pmcid",
}

CITED_ARTIFACT_STATUS = "http://hl7.org/fhir/cited-artifact-status-type"
CITED_ARTIFACT_CLASSIFICATION = "http://hl7.org/fhir/cited-artifact-classification-type"
CERTAINTY_TYPE = "http://hl7.org/fhir/certainty-type"
CERTAINTY_RATING = "http://hl7.org/fhir/certainty-rating"
STATISTIC_TYPE = "http://terminology.hl7.org/CodeSystem/statistic-type"
ATTRIBUTE_ESTIMATE_TYPE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
VARIABLE_ROLE = "http://hl7.org/fhir/variable-role"
USAGE_CONTEXT_TYPE = "http://terminology.hl7.org/CodeSystem/usage-context-type"

NOT_REPORTED = "Not reported"


def coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display or None}]}


def text(value: str | None) -> dict[str, Any] | None:
    """A CodeableConcept of our own words only: no code is claimed for them."""
    return {"text": value} if value else None


def reference(resource_type: str, ident: Any, display: str = "") -> dict[str, Any]:
    return {"reference": f"{resource_type}/{ident}", "display": display or None}


def instant(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat(timespec="seconds")


def meta(*, version: Any = None, last_updated: datetime | str | None) -> dict[str, Any]:
    return {
        "versionId": str(version) if version is not None else None,
        "lastUpdated": instant(last_updated),
    }


def pruned(value: Any) -> Any:
    """``value`` without None, blank strings and the lists and objects left empty: FHIR
    forbids empty elements, and an unstored detail is left out rather than invented."""
    if isinstance(value, dict):
        kept = {key: pruned(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if not _empty(item)}
    if isinstance(value, list | tuple):
        kept_items = [pruned(item) for item in value]
        return [item for item in kept_items if not _empty(item)]
    if isinstance(value, str):
        return value.strip()
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# The fhir.resources module of each resource type we serve.
_MODULES = {
    "ArtifactAssessment": "artifactassessment",
    "Bundle": "bundle",
    "CapabilityStatement": "capabilitystatement",
    "Citation": "citation",
    "Evidence": "evidence",
    "OperationOutcome": "operationoutcome",
}


def model_of(resource_type: str):
    module = importlib.import_module(f"fhir.resources.{_MODULES[resource_type]}")
    return getattr(module, resource_type)


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` pruned, checked by its FHIR R5 model, and dumped as FHIR JSON.

    A pydantic ValidationError here is our bug, not the client's: the view answers it
    with a 500 OperationOutcome and the tests validate every resource they can make.
    """
    clean = pruned(resource)
    model = model_of(clean["resourceType"]).model_validate(clean)
    return dict(model.model_dump(mode="json"))
