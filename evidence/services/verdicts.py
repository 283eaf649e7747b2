"""Writes of verdicts: the verdict of a pair, its background references, its saved
searches.

``Study.verdict`` mirrors the (therapy, condition) pair; ``verdict_upsert`` attaches the
pair's studies written before it (``study_upsert`` does the same the other way round).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.modelwrites import row_upsert
from references.models import Reference
from therapies.models import Therapy

from .. import grade, permissions
from ..models import (
    PUBLISHED_VERDICT_FIELDS,
    Condition,
    OutcomeFinding,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
)


@transaction.atomic
def verdict_upsert(
    *,
    therapy: Therapy,
    condition: Condition,
    status: str,
    certainty: str,
    summary: str,
    certainty_override_reason: str = "",
    key_takeaways: Sequence[str] = (),
    limitations: str = "",
    mechanism_notes: str = "",
    reviewed_on: date | None = None,
    review_interval_months: int = 12,
    references: Sequence[Reference] = (),
    reference_claims: Mapping[int, str] | None = None,
) -> Verdict:
    """Create or update the verdict of a pair and attach the pair's existing studies.
    ``reference_claims`` says, per reference id, what the verdict takes from it.

    ``needs_review`` and ``review_reasons`` are left alone: they are raised by other
    events (a retraction) and cleared by an editor, never by a re-load.

    The certainty may not be higher than the lowest among the verdict's critical outcomes
    (GRADE) unless ``certainty_override_reason`` says why: a ValidationError on
    ``certainty`` otherwise.
    """
    existing = Verdict.objects.filter(therapy=therapy, condition=condition).first()
    if existing is not None:
        verdict_certainty_check(
            certainty=certainty,
            findings=OutcomeFinding.objects.filter(verdict=existing),
            override_reason=certainty_override_reason,
        )
    verdict = row_upsert(
        Verdict,
        lookup={"therapy": therapy, "condition": condition},
        values={
            "status": status,
            "certainty": certainty,
            "certainty_override_reason": certainty_override_reason.strip(),
            "summary": summary,
            "key_takeaways": list(key_takeaways),
            "limitations": limitations,
            "mechanism_notes": mechanism_notes,
            "reviewed_on": reviewed_on,
            "review_interval_months": review_interval_months,
        },
    )
    verdict_references_set(verdict=verdict, references=references, claims=reference_claims)
    # A bulk update: the link is derived from the pair, so it needs no history row.
    Study.objects.filter(therapy=therapy, condition=condition).exclude(verdict=verdict).update(
        verdict=verdict
    )
    return verdict


def verdict_certainty_check(
    *, certainty: str, findings: Iterable[grade.Finding], override_reason: str = ""
) -> None:
    """Raise a ValidationError on ``certainty`` if it breaks GRADE's rule (evidence.grade)."""
    problem = grade.certainty_problem(certainty, findings, override_reason)
    if problem is not None:
        raise ValidationError({"certainty": problem}, code="certainty_above_critical_outcomes")


@transaction.atomic
def verdict_references_set(
    *,
    verdict: Verdict,
    references: Sequence[Reference],
    claims: Mapping[int, str] | None = None,
) -> None:
    """Make the verdict's background references exactly ``references``, in that order,
    each with its claim (what the verdict takes from it) from ``claims``."""
    claims = claims or {}
    wanted = {reference.pk: position for position, reference in enumerate(references)}
    links = VerdictReference.objects.filter(verdict=verdict)
    links.exclude(reference_id__in=wanted).delete()
    existing = {link.reference_id: link for link in links}
    for reference_id, position in wanted.items():
        claim = claims.get(reference_id, "").strip()
        link = existing.get(reference_id)
        if link is None:
            VerdictReference.objects.create(
                verdict=verdict, reference_id=reference_id, position=position, claim=claim
            )
        elif (link.position, link.claim) != (position, claim):
            link.position, link.claim = position, claim
            link.save(update_fields=["position", "claim"])


@transaction.atomic
def saved_search_upsert(*, verdict: Verdict, query: str, is_active: bool = True) -> SavedSearch:
    """Keep a PubMed query for a verdict's pair, keyed on (verdict, query)."""
    return row_upsert(
        SavedSearch,
        lookup={"verdict": verdict, "query": query.strip()},
        values={"is_active": is_active},
    )


# What an editor changes of a verdict's draft through the API (the rest is the review's).
DRAFT_FIELDS = (*PUBLISHED_VERDICT_FIELDS, "review_interval_months")
# What a sign-off writes.
SIGN_OFF_FIELDS = (
    "reviewed_on",
    "reviewed_by",
    "review_note",
    "needs_review",
    "review_reasons",
    "updated_at",
)


@transaction.atomic
def verdict_review_record(*, verdict: Verdict, user, note: str, today: date | None = None) -> None:
    """Write a sign-off on ``verdict`` (a row locked by the caller, who has checked the
    user may): reviewed today by ``user`` with ``note``, flags cleared. The caller is the
    sign-off (evidence.editorial.review) or a publication, which signs off too."""
    verdict.reviewed_on = today or timezone.localdate()
    verdict.reviewed_by = user
    verdict.review_note = note.strip()
    verdict.needs_review = False
    verdict.review_reasons = []
    # Recorded as the reviewer's change even outside a request (a task, the shell).
    verdict._history_user = user
    verdict.save(update_fields=list(SIGN_OFF_FIELDS))


@transaction.atomic
def verdict_draft_update(*, verdict: Verdict, user, **changes) -> Verdict:
    """Change the draft of a verdict: nothing the public reads changes until a reviewer
    publishes it (evidence.services.publication). The GRADE rule holds for the draft as
    for anything published: a ValidationError on ``certainty`` otherwise, and
    PermissionDenied for anyone the permission rule (condition scopes included) refuses."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: "This field is not part of a verdict's draft." for name in unknown}
        )
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    permissions.require(user, permissions.permission_name(Verdict, "change"), current)
    for name, value in changes.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    verdict_certainty_check(
        certainty=current.certainty,
        findings=OutcomeFinding.objects.filter(verdict=current),
        override_reason=current.certainty_override_reason,
    )
    current._history_user = user
    current.save(update_fields=[*changes, "updated_at"])
    return current
