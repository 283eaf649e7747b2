"""Citation: one reference, read live (references are not versioned), so a retraction,
a correction or an expression of concern shows as soon as it is stored."""

from __future__ import annotations

import re
from typing import Any

from references.models import Reference, ReferenceNotice, RetractionStatus

from .common import (
    CITED_ARTIFACT_CLASSIFICATION,
    CITED_ARTIFACT_STATUS,
    IDENTIFIER_SYSTEMS,
    ORCID_SYSTEM,
    coding,
    meta,
    text,
    validated,
)

# A publication date FHIR's dateTime takes as it is (year, year-month or a full date).
_FHIR_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

# How each kind of notice relates the notice to the work (FHIR related-artifact-type).
NOTICE_RELATION = {
    ReferenceNotice.Type.RETRACTION: "retracted-by",
    ReferenceNotice.Type.RETRACTED_AND_REPUBLISHED: "retracted-by",
    ReferenceNotice.Type.CORRECTION: "correction-in",
    ReferenceNotice.Type.EXPRESSION_OF_CONCERN: "comment-in",
    ReferenceNotice.Type.UPDATE: "amended-with",
}


def citation_resource(ref: Reference, notices: list[ReferenceNotice]) -> dict[str, Any]:
    """The Citation of ``ref``; ``notices`` are its notices (prefetched by the caller)."""
    stamps = [ref.updated_at, *(notice.created_at for notice in notices)]
    return validated(
        {
            "resourceType": "Citation",
            "id": str(ref.pk),
            "meta": meta(last_updated=max(stamp for stamp in stamps if stamp)),
            "status": "active",
            "title": ref.title[:1000] if ref.title else None,
            "citedArtifact": _cited_artifact(ref, notices),
        }
    )


def _cited_artifact(ref: Reference, notices: list[ReferenceNotice]) -> dict[str, Any]:
    return {
        "identifier": identifiers_of(ref),
        "title": [{"text": ref.title}],
        "abstract": [{"text": ref.abstract}] if ref.abstract else [],
        "currentState": [_current_state(ref.retraction_status)],
        "relatesTo": [_relates_to(notice) for notice in notices],
        "publicationForm": [_publication_form(ref)],
        "webLocation": [{"url": url} for url in _urls(ref)],
        "classification": [
            {
                "type": coding(CITED_ARTIFACT_CLASSIFICATION, "publication-type"),
                "classifier": [text(kind) for kind in ref.publication_types or [] if kind],
            }
        ],
        "contributorship": {"entry": _authors(ref.authors or [])},
    }


def identifiers_of(ref: Reference) -> list[dict[str, str]]:
    return [
        {"system": IDENTIFIER_SYSTEMS[kind], "value": getattr(ref, kind)}
        for kind in ("doi", "pmid", "pmcid")
        if getattr(ref, kind)
    ]


def _current_state(status: str) -> dict[str, Any] | None:
    """Retracted has FHIR's code; a correction or an expression of concern has none, so
    it is said in words; an unflagged work states nothing (we do not store its state)."""
    if status == RetractionStatus.RETRACTED:
        return {
            **coding(CITED_ARTIFACT_STATUS, "retracted", "Retracted"),
            "text": "Retracted",
        }
    if status != RetractionStatus.NONE:
        return text(RetractionStatus(status).label)
    return None


def _relates_to(notice: ReferenceNotice) -> dict[str, Any]:
    ident = None
    if notice.doi:
        ident = {"system": IDENTIFIER_SYSTEMS["doi"], "value": notice.doi}
    elif notice.pmid:
        ident = {"system": IDENTIFIER_SYSTEMS["pmid"], "value": notice.pmid}
    label = notice.get_type_display()
    return {
        "type": NOTICE_RELATION.get(notice.type, "amended-with"),
        "classifier": [text(label)],
        "display": " ".join(
            part for part in (label, notice.date.isoformat() if notice.date else "") if part
        ),
        "resourceReference": {"identifier": ident} if ident else None,
        "citation": notice.note or None,
    }


def _publication_form(ref: Reference) -> dict[str, Any]:
    date = (ref.publication_date or "").strip()
    return {
        "publishedIn": {"title": ref.journal or None},
        "volume": ref.volume,
        "issue": ref.issue,
        "pageString": ref.pages,
        "articleDate": date if _FHIR_DATE.match(date) else (str(ref.year) if ref.year else None),
        "publicationDateText": date or (str(ref.year) if ref.year else None),
    }


def _urls(ref: Reference) -> list[str]:
    urls = [ref.doi_url, ref.pubmed_url, ref.url]
    seen: list[str] = []
    for url in urls:
        if url and url not in seen:
            seen.append(url)
    return seen


def _authors(authors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for author in authors:
        if not isinstance(author, dict):
            continue
        name = author.get("collective") or " ".join(
            part for part in (author.get("given"), author.get("family")) if part
        )
        if not name:
            continue
        orcid = author.get("orcid")
        entries.append(
            {
                "contributor": {
                    "display": name,
                    "identifier": {"system": ORCID_SYSTEM, "value": orcid} if orcid else None,
                },
                "forenameInitials": author.get("initials") or None,
                "rankingOrder": len(entries) + 1,
            }
        )
    return entries
