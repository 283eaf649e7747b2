"""Reads for the FHIR endpoint: the latest published version of each verdict (never a
draft), a study's pair, a condition's subtree, and references with their notices.

Every selector runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery

from evidence.models import Condition, VerdictVersion
from references.models import Reference, ReferenceNotice


@dataclass(frozen=True)
class Published:
    """The latest published version of one verdict, with the names it is shown under."""

    verdict_id: int
    number: int
    published_at: datetime
    content: dict[str, Any]
    therapy_name: str
    therapy_slug: str
    condition_name: str
    condition_slug: str
    reviewed_on: Any = None  # the verdict's live review date (see docs/api.md)

    @property
    def pair_name(self) -> str:
        return f"{self.therapy_name} for {self.condition_name}"

    @property
    def studies(self) -> list[dict[str, Any]]:
        return list(self.content.get("studies") or [])

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.content.get("findings") or [])

    def study(self, study_id: int) -> dict[str, Any] | None:
        return next((row for row in self.studies if row.get("id") == study_id), None)


def _latest_versions():
    newest = VerdictVersion.objects.filter(verdict=OuterRef("verdict")).order_by("-number")
    return VerdictVersion.objects.filter(number=Subquery(newest.values("number")[:1]))


def _published(version: VerdictVersion) -> Published:
    verdict = version.verdict
    return Published(
        verdict_id=verdict.pk,
        number=version.number,
        published_at=version.published_at,
        content=version.content or {},
        therapy_name=verdict.therapy.name,
        therapy_slug=verdict.therapy.slug,
        condition_name=verdict.condition.name,
        condition_slug=verdict.condition.slug,
        reviewed_on=verdict.reviewed_on,
    )


def _shaped(queryset):
    return queryset.select_related("verdict__therapy", "verdict__condition").only(
        "number",
        "published_at",
        "content",
        "verdict__id",
        "verdict__reviewed_on",
        "verdict__therapy__name",
        "verdict__therapy__slug",
        "verdict__condition__name",
        "verdict__condition__slug",
    )


def published_verdict(*, verdict_id: int) -> Published | None:
    """The latest version of a verdict; None when it has none. One query."""
    version = (
        _shaped(VerdictVersion.objects.filter(verdict_id=verdict_id)).order_by("-number").first()
    )
    return _published(version) if version else None


def published_study(*, study_id: int) -> tuple[Published, dict[str, Any]] | None:
    """The version of the pair that publishes a study now, and the study's row in it;
    None when no published version holds the study (unknown, or a draft not yet
    published). One query: the published copy of a study names its version."""
    version = _shaped(VerdictVersion.objects.filter(published_studies__pk=study_id)).first()
    if version is None:
        return None
    published = _published(version)
    row = published.study(study_id)
    return (published, row) if row is not None else None


def condition_subtree(*, slug: str) -> list[int] | None:
    """The ids of a condition and all its sub-conditions, the condition first; None for
    an unknown slug. One query: the tree is small, and is walked here."""
    rows = list(Condition.objects.values_list("id", "parent_id", "slug"))
    root = next((pk for pk, _parent, row_slug in rows if row_slug == slug), None)
    if root is None:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent, _slug in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, queue = [root], [root]
    while queue:
        for child in children.get(queue.pop(0), []):
            if child not in found:
                found.append(child)
                queue.append(child)
    return found


def published_for_conditions(*, condition_ids: Iterable[int]) -> list[Published]:
    """The latest version of every verdict of these conditions, in a stable order. One
    query."""
    versions = _shaped(_latest_versions().filter(verdict__condition_id__in=list(condition_ids)))
    ordered = versions.order_by("verdict__condition__name", "verdict__therapy__name", "verdict")
    return [_published(version) for version in ordered]


def references_with_notices(*, ids: Iterable[int]) -> dict[int, Reference]:
    """References by id, each with its notices prefetched. Two queries."""
    notices = Prefetch("notices", queryset=ReferenceNotice.objects.order_by("date", "id"))
    return {
        ref.pk: ref for ref in Reference.objects.filter(pk__in=list(ids)).prefetch_related(notices)
    }


def reference_by_identifier(*, kind: str, value: str) -> Reference | None:
    """The reference with this normalised DOI, PMID or PMCID, with its notices."""
    notices = Prefetch("notices", queryset=ReferenceNotice.objects.order_by("date", "id"))
    return Reference.objects.filter(**{kind: value}).prefetch_related(notices).first()
