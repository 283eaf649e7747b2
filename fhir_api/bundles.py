"""A condition's published evidence as one paged searchset Bundle: for each verdict of
the condition and its sub-conditions (latest published version), the verdict's
ArtifactAssessment, one per summary-of-findings row, an Evidence per study, then the
Citations they cite (each once, read live). Every entry counts as a match: the search
asks for everything about the condition, and ``total`` and the paging count them all.

The order of the entries is planned from the versions' content alone; only the
references a page shows are read, so a page costs the same few queries at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from . import selectors
from .resources.artifact_assessment import finding_assessment, verdict_assessment
from .resources.bundle import searchset
from .resources.citation import citation_resource
from .resources.evidence import evidence_resource

DEFAULT_COUNT = 50
MAX_COUNT = 200


@dataclass(frozen=True)
class Entry:
    kind: str  # "verdict", "finding", "study" or "citation"
    published: selectors.Published | None = None
    row: dict[str, Any] | None = None
    reference_id: int | None = None


def _cited(published: selectors.Published) -> list[int]:
    ids: list[int] = []
    for study in published.studies:
        ids += [(study.get("reference") or {}).get("id"), study.get("extraction_reference_id")]
    ids += [row.get("reference_id") for row in published.content.get("background") or []]
    ids += [row.get("reference_id") for row in published.content.get("guideline_positions") or []]
    return [ident for ident in ids if isinstance(ident, int)]


def plan(versions: list[selectors.Published]) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[int] = set()
    for published in versions:
        entries.append(Entry("verdict", published))
        entries += [Entry("finding", published, row) for row in published.findings]
        entries += [Entry("study", published, row) for row in published.studies]
        for ident in _cited(published):
            if ident not in seen:
                seen.add(ident)
                entries.append(Entry("citation", reference_id=ident))
    return entries


def _built(entry: Entry, references: dict, base_url: str) -> dict[str, Any] | None:
    if entry.kind == "verdict":
        return verdict_assessment(entry.published, base_url=base_url)
    if entry.kind == "finding":
        return finding_assessment(entry.published, entry.row, base_url=base_url)
    if entry.kind == "study":
        return evidence_resource(entry.published, entry.row)
    ref = references.get(entry.reference_id)
    return citation_resource(ref, list(ref.notices.all())) if ref else None


def condition_bundle(
    *, slug: str, page: int, count: int, base_url: str, query: dict[str, str]
) -> dict[str, Any] | None:
    """Page ``page`` (from 1) of ``count`` entries; None for an unknown condition."""
    condition_ids = selectors.condition_subtree(slug=slug)
    if condition_ids is None:
        return None
    entries = plan(selectors.published_for_conditions(condition_ids=condition_ids))
    shown = entries[(page - 1) * count : page * count]
    references = selectors.references_with_notices(
        ids={entry.reference_id for entry in shown if entry.kind == "citation"}
    )
    resources = [
        resource
        for resource in (_built(entry, references, base_url) for entry in shown)
        if resource is not None
    ]
    last = max(1, -(-len(entries) // count))
    return searchset(
        entries=resources,
        total=len(entries),
        base_url=base_url,
        links=_links(base_url, query, page=page, count=count, last=last),
    )


def _links(base_url: str, query: dict[str, str], *, page: int, count: int, last: int) -> dict:
    def url(number: int) -> str:
        return f"{base_url}/fhir/Bundle?" + urlencode({**query, "_count": count, "_page": number})

    links = {"self": url(page), "first": url(1)}
    if page > 1:
        links["previous"] = url(min(page - 1, last))
    if page < last:
        links["next"] = url(page + 1)
    links["last"] = url(last)
    return links
