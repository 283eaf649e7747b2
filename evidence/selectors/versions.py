"""Reads of published versions for readers: a pair's versions, one version whole, the
difference between any two, the feeds' entries, and whom a reader follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import publication
from ..models import Condition, Design, Direction, Follow, Verdict, VerdictVersion
from .content import pair_content

FEED_ENTRIES = 50
# Conditions are nested a few levels deep; a feed walks at most this many levels down.
MAX_CONDITION_DEPTH = 8


def published_verdict(condition_slug: str, therapy_slug: str) -> Verdict:
    """The pair's verdict as last published; Http404 for a pair never published."""
    return get_object_or_404(
        Verdict.objects.published().select_related("therapy", "condition"),
        condition__slug=condition_slug,
        therapy__slug=therapy_slug,
    )


@dataclass(frozen=True)
class PairVersions:
    verdict: Verdict  # as last published
    versions: list[VerdictVersion]  # newest first, content not loaded


def pair_versions(*, condition_slug: str, therapy_slug: str) -> PairVersions:
    """Every published version of a pair, newest first. Two queries."""
    verdict = published_verdict(condition_slug, therapy_slug)
    versions = list(verdict.versions.defer("content").order_by("-number"))
    return PairVersions(verdict=verdict, versions=versions)


# Fields stored as choices, shown by their labels.
_CHOICES = {"status": Verdict.Status, "certainty": Verdict.Certainty}


def _shown(name: str, value: Any) -> list[str]:
    """A verdict field's value as the lines a reader sees (none for an empty value)."""
    if value in (None, "", []):
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    if name in _CHOICES:
        try:
            return [str(_CHOICES[name](value).label)]
        except ValueError:
            return [str(value)]
    return [str(value)]


@dataclass(frozen=True)
class FieldComparison:
    label: str
    old: list[str]  # the value's lines: a list field's items, else one line (or none)
    new: list[str]

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class VersionComparison:
    verdict: Verdict  # as last published
    older: VerdictVersion
    newer: VerdictVersion
    fields: list[FieldComparison]  # the verdict's fields side by side
    changes: list[str]  # everything that changed, in words (evidence.publication)
    older_study_count: int
    newer_study_count: int


def _version(verdict: Verdict, number: int) -> VerdictVersion:
    version = verdict.versions.filter(number=number).first()
    if version is None:
        raise Http404(f"This pair has no published version {number}.")
    return version


def version_compare(
    *, condition_slug: str, therapy_slug: str, older: int, newer: int
) -> VersionComparison:
    """Two versions of a pair side by side (in either order asked, older first). Three
    queries."""
    verdict = published_verdict(condition_slug, therapy_slug)
    older, newer = sorted((older, newer))
    old, new = _version(verdict, older), _version(verdict, newer)
    fields = [
        FieldComparison(
            label,
            _shown(name, old.content["verdict"].get(name)),
            _shown(name, new.content["verdict"].get(name)),
        )
        for name, label in publication.VERDICT_FIELDS.items()
    ]
    return VersionComparison(
        verdict=verdict,
        older=old,
        newer=new,
        fields=fields,
        changes=publication.changes(old.content, new.content)
        if older != newer
        else ["These are the same version."],
        older_study_count=len(old.content["studies"]),
        newer_study_count=len(new.content["studies"]),
    )


# A version page lists this many of its studies; the rest are counted.
VERSION_STUDIES_SHOWN = 200


@dataclass(frozen=True)
class VersionStudy:
    title: str
    year: int | None
    design: str
    participants: int | None
    outcome: str
    direction: str
    result: str


@dataclass(frozen=True)
class VersionView:
    verdict: Verdict  # as last published
    version: VerdictVersion
    is_latest: bool
    fields: list[tuple[str, list[str]]]  # the verdict's fields as published then
    findings: list[dict]  # the summary-of-findings rows as stored
    studies: list[VersionStudy]  # the first VERSION_STUDIES_SHOWN
    study_total: int

    @property
    def label(self) -> str:
        return f"Version {self.version.number}"

    @property
    def more_studies(self) -> int:
        return self.study_total - len(self.studies)


def _version_study(row: dict) -> VersionStudy:
    reference = row.get("reference") or {}
    return VersionStudy(
        title=reference.get("title") or "",
        year=reference.get("year"),
        design=_label(Design, row.get("design")),
        participants=row.get("participants"),
        outcome=row.get("outcome") or "",
        direction=_label(Direction, row.get("direction")),
        result=row.get("outcome_summary") or "",
    )


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def version_view(*, condition_slug: str, therapy_slug: str, number: int) -> VersionView:
    """One published version whole, as it was. Two queries."""
    verdict = published_verdict(condition_slug, therapy_slug)
    version = _version(verdict, number)
    content = version.content
    studies = content.get("studies", [])
    return VersionView(
        verdict=verdict,
        version=version,
        is_latest=number == verdict.published_number,
        fields=[
            (label, _shown(name, content["verdict"].get(name)))
            for name, label in publication.VERDICT_FIELDS.items()
        ],
        findings=content.get("findings", []),
        studies=[_version_study(row) for row in studies[:VERSION_STUDIES_SHOWN]],
        study_total=len(studies),
    )


def recent_versions(*, verdict: Verdict, limit: int = 5) -> list[VerdictVersion]:
    """The pair's last ``limit`` published versions, newest first. One query."""
    return list(verdict.versions.defer("content").order_by("-number")[:limit])


def _feed_versions() -> QuerySet:
    return (
        VerdictVersion.objects.select_related("verdict__therapy", "verdict__condition")
        .defer("content")
        .order_by("-published_at", "-pk")
    )


def feed_versions() -> list[VerdictVersion]:
    """The newest publications of every pair. One query."""
    return list(_feed_versions()[:FEED_ENTRIES])


def condition_tree_ids(condition: Condition) -> list[int]:
    """The condition and every condition below it. One query per level."""
    ids, level = [condition.pk], [condition.pk]
    for _ in range(MAX_CONDITION_DEPTH):
        level = list(Condition.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        if not level:
            break
        ids += level
    return ids


def condition_feed_versions(condition: Condition) -> list[VerdictVersion]:
    """The newest publications of the condition's and its sub-conditions' pairs."""
    tree = condition_tree_ids(condition)
    return list(_feed_versions().filter(verdict__condition_id__in=tree)[:FEED_ENTRIES])


def follows_of(user, *, verdict: Verdict | None = None, condition: Condition | None = None) -> bool:
    """Whether ``user`` follows this pair or condition."""
    if not (user and user.is_authenticated):
        return False
    target = {"verdict": verdict} if verdict is not None else {"condition": condition}
    return Follow.objects.filter(user=user, **target).exists()


def version_numbers(values: Sequence[str | None]) -> list[int]:
    """Query-string version numbers, each a positive whole number; Http404 naming the
    first that is not."""
    numbers = []
    for value in values:
        text = str(value or "")
        if not (text.isascii() and text.isdigit() and len(text) <= 9 and int(text) >= 1):
            shown = text if len(text) <= 20 else f"{text[:20]}…"
            raise Http404(f"{shown!r} is not a version number: versions are numbered from 1.")
        numbers.append(int(text))
    return numbers


@dataclass(frozen=True)
class DraftComparison:
    """A verdict's draft against its last published version, for editors."""

    published: VerdictVersion | None
    fields: list[FieldComparison]  # old: as published, new: the draft
    changes: list[str]  # what publishing the draft would change, in words

    @property
    def differs(self) -> bool:
        return self.published is None or bool(self.changes)


def draft_comparison(*, verdict: Verdict) -> DraftComparison:
    """What the draft changes against the last published version. Five queries."""
    published = verdict.versions.order_by("-number").first()
    draft = pair_content(verdict=verdict)
    before = published.content if published else {"verdict": {}}
    fields = [
        FieldComparison(
            label,
            _shown(name, before["verdict"].get(name)),
            _shown(name, draft["verdict"].get(name)),
        )
        for name, label in publication.VERDICT_FIELDS.items()
    ]
    changes = publication.changes(published.content, draft) if published else []
    return DraftComparison(published=published, fields=fields, changes=changes)
