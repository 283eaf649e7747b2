"""CapabilityStatement: what /fhir/ serves (GET /fhir/metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .common import validated

# (type, versioning, search parameters): Citations are read live, not versioned.
RESOURCES = (
    ("ArtifactAssessment", "versioned", []),
    (
        "Citation",
        "no-version",
        [("identifier", "token", "DOI, PMID or PMCID, as system|value or value")],
    ),
    ("Evidence", "versioned", []),
)

BUNDLE_SEARCH = {
    "type": "Bundle",
    "interaction": [{"code": "search-type"}],
    "searchParam": [
        {
            "name": "condition",
            "type": "token",
            "documentation": "A condition's slug: its published verdicts, their "
            "summary-of-findings rows, studies and citations, with its sub-conditions'",
        },
        {"name": "_count", "type": "number", "documentation": "Page size (1-200, default 50)"},
        {"name": "_page", "type": "number", "documentation": "Page number, from 1"},
    ],
}


def capability_statement(*, base_url: str, software_date: datetime) -> dict[str, Any]:
    return validated(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": software_date.isoformat(timespec="seconds"),
            "kind": "instance",
            "name": "EvidentiaFhir",
            "title": "Evidentia FHIR endpoint (read-only)",
            "description": (
                "Published evidence as FHIR R5 Citation, Evidence and ArtifactAssessment "
                "resources; a condition's evidence as a searchset Bundle at "
                "Bundle?condition=<slug>."
            ),
            "implementation": {"description": "Evidentia", "url": f"{base_url}/fhir"},
            "fhirVersion": "5.0.0",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {
                            "type": resource_type,
                            "interaction": [{"code": "read"}]
                            + ([{"code": "search-type"}] if params else []),
                            "versioning": versioning,
                            "readHistory": False,
                            "conditionalRead": "not-match",
                            "searchParam": [
                                {"name": name, "type": kind, "documentation": doc}
                                for name, kind, doc in params
                            ],
                        }
                        for resource_type, versioning, params in RESOURCES
                    ]
                    + [BUNDLE_SEARCH],
                }
            ],
        }
    )
