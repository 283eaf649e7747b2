"""The small lists a pair's page shows, as last published: background sources, guideline
positions and summary-of-findings rows, read from its PublishedVerdict as unsaved model
instances (so templates and presenters read them as they read the draft's), with their
references loaded live in one query, so that a retraction shows at once."""

from __future__ import annotations

from dataclasses import dataclass

from references.models import Reference

from ..models import GuidelinePosition, OutcomeFinding, Verdict, VerdictReference

_FINDING_FIELDS = {field.name for field in OutcomeFinding._meta.concrete_fields}
_POSITION_FIELDS = {field.name for field in GuidelinePosition._meta.concrete_fields} | {
    "reference_id"
}


@dataclass(frozen=True)
class PublishedLists:
    background: list[VerdictReference]  # in the verdict's order, reference loaded
    guideline_positions: list[GuidelinePosition]  # newest first, reference loaded or None
    findings: list[OutcomeFinding]  # in the table's order


def _position_order(position: GuidelinePosition) -> tuple:
    return (position.year is None, -(position.year or 0), position.issuing_body)


def published_lists(verdict: Verdict) -> PublishedLists:
    """The lists of ``verdict``'s last published version (loaded by
    Verdict.objects.published()). One query, for their references."""
    return published_lists_of([verdict])[verdict.pk]


def published_lists_of(verdicts: list[Verdict]) -> dict[int, PublishedLists]:
    """published_lists for each verdict, by id, in one query however many they are."""
    wanted: set[int] = set()
    for verdict in verdicts:
        wanted |= {row["reference_id"] for row in verdict.published.background}
        wanted |= {row["reference_id"] for row in verdict.published.guideline_positions}
    wanted.discard(None)
    references = Reference.objects.in_bulk(sorted(wanted)) if wanted else {}
    return {verdict.pk: _lists(verdict, references) for verdict in verdicts}


def _lists(verdict: Verdict, references: dict[int, Reference]) -> PublishedLists:
    published = verdict.published
    background = [
        VerdictReference(
            verdict=verdict,
            reference=references[row["reference_id"]],
            claim=row.get("claim", ""),
        )
        for row in published.background
        if row["reference_id"] in references
    ]
    positions = []
    for row in published.guideline_positions:
        fields = {name: value for name, value in row.items() if name in _POSITION_FIELDS}
        position = GuidelinePosition(
            therapy_id=verdict.therapy_id, condition_id=verdict.condition_id, **fields
        )
        position.reference = references.get(row.get("reference_id"))
        positions.append(position)
    findings = [
        OutcomeFinding(verdict=verdict, **{k: v for k, v in row.items() if k in _FINDING_FIELDS})
        for row in published.findings
    ]
    return PublishedLists(
        background=background,
        guideline_positions=sorted(positions, key=_position_order),
        findings=findings,
    )
