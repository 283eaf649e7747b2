"""Reads of the editorial workflow: the review queue, triage counts, a verdict's public
history ("What changed") and the admin's one-page overview of a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from evidence.models import Candidate, GuidelinePosition, SavedSearch, Study, Verdict
from references.models import Reference

from .roles import REVIEWER
from .rules import is_overdue, review_due_on

# --- Triage counts ------------------------------------------------------------------------


def untriaged_candidate_total() -> int:
    return Candidate.objects.filter(status=Candidate.Status.UNTRIAGED).count()


def verdicts_needing_review_total() -> int:
    return Verdict.objects.filter(needs_review=True).count()


# --- The review queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQueueRow:
    verdict: Verdict  # therapy and condition loaded, annotated with untriaged
    due_on: date | None
    days_overdue: int | None  # None: never reviewed; negative: due in that many days
    overdue: bool

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return self.verdict.review_reasons

    @property
    def untriaged(self) -> int:
        return self.verdict.untriaged


def review_queue(
    *, verdicts: QuerySet[Verdict] | None = None, today: date | None = None
) -> list[ReviewQueueRow]:
    """Verdicts (of ``verdicts``, else all) that need review, or are overdue though not
    flagged yet, most urgent first: never reviewed, then overdue longest, then most
    reasons. One query."""
    today = today or timezone.localdate()
    verdicts = (
        (Verdict.objects.all() if verdicts is None else verdicts)
        .select_related("therapy", "condition")
        .annotate(
            untriaged=Count("candidates", filter=Q(candidates__status=Candidate.Status.UNTRIAGED))
        )
        .order_by("condition__name", "therapy__name", "pk")
    )
    rows = []
    for verdict in verdicts:
        overdue = is_overdue(
            reviewed_on=verdict.reviewed_on,
            interval_months=verdict.review_interval_months,
            today=today,
        )
        if not (verdict.needs_review or overdue):
            continue
        due = review_due_on(
            reviewed_on=verdict.reviewed_on, interval_months=verdict.review_interval_months
        )
        rows.append(
            ReviewQueueRow(
                verdict=verdict,
                due_on=due,
                days_overdue=(today - due).days if due else None,
                overdue=overdue,
            )
        )
    rows.sort(
        key=lambda row: (
            row.days_overdue is not None,
            -(row.days_overdue or 0),
            -len(row.reasons),
        )
    )
    return rows


# --- "What changed": a verdict's public history ------------------------------------------

# The fields a reader cares about, in the order a change lists them.
PUBLIC_FIELDS = (
    "status",
    "certainty",
    "summary",
    "key_takeaways",
    "limitations",
    "mechanism_notes",
    "review_interval_months",
)
TEXT_FIELDS = {"summary", "limitations", "mechanism_notes"}
HISTORY_LIMIT = 20


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    kind: str  # "value", "text" or "list"
    old: Any = None
    new: Any = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerdictChange:
    at: datetime
    by: str  # a role, never a name: "Reviewer", "Editor" or "Automatic check"
    kind: str  # "published", "updated", "flagged", "reviewed"
    changes: list[FieldChange]
    reasons: list[str]  # the reasons for review this change added
    reviewed_on: date | None

    @property
    def title(self) -> str:
        return {
            "published": "Verdict published",
            "updated": "Verdict updated",
            "flagged": "Put up for review",
            "reviewed": "Reviewed and signed off",
        }[self.kind]


def _label(name: str) -> str:
    if name == "review_interval_months":
        return "Review interval"
    return str(Verdict._meta.get_field(name).verbose_name).capitalize()


def _display(name: str, value: Any) -> Any:
    if name == "status" and value:
        return Verdict.Status(value).label
    if name == "certainty" and value:
        return Verdict.Certainty(value).label
    if name == "review_interval_months" and value is not None:
        return f"{value} month{'s' if value != 1 else ''}"
    return value


def _field_changes(old, new) -> list[FieldChange]:
    changes = []
    for name in PUBLIC_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name == "key_takeaways":
            before, after = list(before or []), list(after or [])
            changes.append(
                FieldChange(
                    field=name,
                    label=_label(name),
                    kind="list",
                    added=[item for item in after if item not in before],
                    removed=[item for item in before if item not in after],
                )
            )
        else:
            changes.append(
                FieldChange(
                    field=name,
                    label=_label(name),
                    kind="text" if name in TEXT_FIELDS else "value",
                    old=_display(name, before),
                    new=_display(name, after),
                )
            )
    return changes


def _messages(reasons) -> list[str]:
    return [r.get("message", "") if isinstance(r, dict) else str(r) for r in reasons or []]


def with_author_roles(records: QuerySet) -> QuerySet:
    """History records annotated with ``by_reviewer``: was their author a Reviewer?"""
    reviewer = Exists(
        get_user_model()
        .groups.through.objects.filter(user_id=OuterRef("history_user_id"))
        .filter(group__name=REVIEWER)
    )
    return records.annotate(by_reviewer=reviewer)


def author_role(record, kind: str = "") -> str:
    """Who saved a history record, as the public may read it: a role, never a name."""
    if record.history_user_id is None:
        # Saved by no one signed in: a scheduled check or event, or a data load.
        return "Automatic check" if kind == "flagged" else "Editors"
    return "Reviewer" if record.by_reviewer else "Editor"


def verdict_changes(*, verdict: Verdict, limit: int = HISTORY_LIMIT) -> list[VerdictChange]:
    """The verdict's last ``limit`` meaningful changes, newest first. One query.

    Saves that changed nothing a reader sees (a timestamp, who reviewed) are left out;
    who made a change is given as a role.
    """
    records = list(
        with_author_roles(verdict.history.all()).order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    records.reverse()
    has_start = len(records) <= limit  # the oldest record is the verdict's first version
    changes: list[VerdictChange] = []
    for index, record in enumerate(records):
        previous = records[index - 1] if index else None
        if previous is None:
            if has_start and record.history_type == "+":
                changes.append(
                    VerdictChange(
                        at=record.history_date,
                        by=author_role(record, "published"),
                        kind="published",
                        changes=[],
                        reasons=[],
                        reviewed_on=record.reviewed_on,
                    )
                )
            continue
        field_changes = _field_changes(previous, record)
        new_reasons = (
            [
                message
                for message in _messages(record.review_reasons)
                if message not in _messages(previous.review_reasons)
            ]
            if record.needs_review
            else []
        )
        reviewed = record.reviewed_on != previous.reviewed_on and record.reviewed_on is not None
        if reviewed:
            kind = "reviewed"
        elif new_reasons or (record.needs_review and not previous.needs_review):
            kind = "flagged"
        elif field_changes:
            kind = "updated"
        else:
            continue
        changes.append(
            VerdictChange(
                at=record.history_date,
                by=author_role(record, kind),
                kind=kind,
                changes=field_changes,
                reasons=new_reasons,
                reviewed_on=record.reviewed_on,
            )
        )
    changes.reverse()
    return changes


# --- The admin's overview of one verdict --------------------------------------------------


@dataclass(frozen=True)
class VerdictOverview:
    verdict: Verdict
    studies: list[Study]  # reference loaded
    background: list[Reference]
    guideline_positions: list[GuidelinePosition]  # reference loaded
    saved_searches: list[SavedSearch]
    candidate_counts: dict[str, int]
    changes: list[VerdictChange]  # the last meaningful changes, newest first

    @property
    def untriaged(self) -> int:
        return self.candidate_counts.get(Candidate.Status.UNTRIAGED, 0)

    @property
    def flagged_references(self) -> list[Reference]:
        seen: dict[int, Reference] = {}
        for reference in (
            [s.reference for s in self.studies]
            + self.background
            + [g.reference for g in self.guideline_positions if g.reference]
        ):
            if reference.retraction_status != "none":
                seen.setdefault(reference.pk, reference)
        return list(seen.values())


def verdict_overview(*, verdict: Verdict, history_limit: int = 10) -> VerdictOverview:
    """Everything the verdict rests on and its recent changes, for its admin page.
    Six queries."""
    pair = Q(therapy_id=verdict.therapy_id, condition_id=verdict.condition_id)
    studies = list(
        Study.objects.filter(pair)
        .select_related("reference")
        .order_by(F("reference__year").asc(nulls_last=True), "reference__title", "id")
    )
    background = list(
        Reference.objects.filter(verdictreference__verdict=verdict).order_by(
            "verdictreference__position", "verdictreference__id"
        )
    )
    positions = list(
        GuidelinePosition.objects.filter(pair)
        .select_related("reference")
        .order_by(F("year").desc(nulls_last=True), "issuing_body")
    )
    searches = list(SavedSearch.objects.filter(verdict=verdict).order_by("pk"))
    counts = dict(
        Candidate.objects.filter(verdict=verdict)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return VerdictOverview(
        verdict=verdict,
        studies=studies,
        background=background,
        guideline_positions=positions,
        saved_searches=searches,
        candidate_counts=counts,
        changes=verdict_changes(verdict=verdict, limit=history_limit),
    )
