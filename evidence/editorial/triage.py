"""Living evidence: saved PubMed searches feed a triage queue of candidate studies.

Each active SavedSearch is run on PubMed through references.services.search (from the day
of its last run on, by Entrez date); the records new to the library are merged into
References (references_upsert), and every record not seen before for the pair becomes a Candidate.
A Candidate is unique per (verdict, reference) and kept after the editor's decision, so a
record is never queued twice and an excluded one never returns; a record a study of the
pair already cites is not queued at all.

An editor includes a candidate (it becomes a Study of the pair, whose verdict is then
put up for review) or excludes it with a reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evidence import permissions
from evidence.models import Candidate, Design, Direction, SavedSearch, Study, Verdict
from evidence.services import study_upsert
from references.models import Reference
from references.services.search import pubmed_client, pubmed_search
from references.services.upsert import references_upsert

from .rules import suggested_design

logger = logging.getLogger(__name__)

# The pair page shows a study as soon as it exists; until an editor extracts its results
# it says so, with direction "unclear".
PLACEHOLDER_SUMMARY = "Results not yet summarised by the editors."


class CandidateAlreadyDecided(Exception):
    """The candidate was decided the other way; that decision is not undone here."""


@dataclass(frozen=True)
class SearchRun:
    saved_search_id: int
    found: int  # PMIDs esearch returned
    fetched: int  # records fetched with efetch (the others were stored already)
    queued: int  # new candidates
    error: str = ""


def saved_searches_run(
    *, pubmed=None, ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[SearchRun]:
    """Run every active saved search (or those of ``ids``) once.

    UpstreamUnavailable propagates (retry later); a search PubMed rejects is recorded on
    that search and the others still run.
    """
    client = pubmed or pubmed_client()
    try:
        searches = SavedSearch.objects.filter(is_active=True).select_related("verdict")
        if ids is not None:
            searches = searches.filter(pk__in=list(ids))
        return [
            saved_search_run(saved_search=search, pubmed=client, now=now)
            for search in searches.order_by("pk")
        ]
    finally:
        if pubmed is None:
            client.close()


def saved_search_run(
    *, saved_search: SavedSearch, pubmed, now: datetime | None = None
) -> SearchRun:
    """Run one saved search and queue what it finds.

    ``last_run_at`` moves on only after a complete run, so records missed because of an
    unreadable answer are searched for again next time (and queued once).
    """
    now = now or timezone.now()
    last_run = saved_search.last_run_at
    since = timezone.localdate(last_run) if last_run else None
    found = pubmed_search(query=saved_search.query, since=since, pubmed=pubmed)
    if found.rejected:
        _record_run(saved_search, queued=0, error=found.rejected, now=None)
        return SearchRun(saved_search.pk, found=0, fetched=0, queued=0, error=found.rejected)

    with transaction.atomic():
        reference_ids = set(found.stored.values())
        if found.records:
            result = references_upsert(records=found.records)
            reference_ids.update(ref.pk for ref in result.references if ref is not None)
        queued = candidates_queue(
            verdict=saved_search.verdict, reference_ids=reference_ids, saved_search=saved_search
        )
        error = "; ".join(found.errors)
        _record_run(saved_search, queued=queued, error=error, now=None if error else now)
    return SearchRun(
        saved_search.pk,
        found=len(found.pmids),
        fetched=len(found.records),
        queued=queued,
        error=error,
    )


def _record_run(saved_search: SavedSearch, *, queued: int, error: str, now) -> None:
    # Run bookkeeping, not an editorial change: written without a history row.
    values: dict = {"last_run_found": queued, "last_error": error}
    if now is not None:
        values["last_run_at"] = now
    SavedSearch.objects.filter(pk=saved_search.pk).update(**values)
    for name, value in values.items():
        setattr(saved_search, name, value)


@transaction.atomic
def candidates_queue(
    *,
    verdict: Verdict,
    reference_ids: Iterable[int],
    saved_search: SavedSearch | None = None,
) -> int:
    """Queue the references not yet seen for the verdict's pair; returns how many."""
    ids = set(reference_ids)
    if not ids:
        return 0
    ids -= set(
        Candidate.objects.filter(verdict=verdict, reference_id__in=ids).values_list(
            "reference_id", flat=True
        )
    )
    ids -= set(
        Study.objects.filter(
            therapy_id=verdict.therapy_id,
            condition_id=verdict.condition_id,
            reference_id__in=ids,
        ).values_list("reference_id", flat=True)
    )
    if not ids:
        return 0
    references = Reference.objects.filter(pk__in=ids).only("id", "publication_types")
    candidates = [
        Candidate(
            verdict=verdict,
            reference=reference,
            saved_search=saved_search,
            suggested_design=suggested_design(reference.publication_types or []),
        )
        for reference in references.order_by("pk")
    ]
    # A concurrent run may queue the same record: the unique constraint keeps one.
    Candidate.objects.bulk_create(candidates, ignore_conflicts=True)
    return len(candidates)


@transaction.atomic
def candidate_include(
    *, candidate: Candidate, user=None, design: str = "", note: str = ""
) -> Candidate:
    """Make the candidate a Study of its pair and put the verdict up for review.

    The study gets ``design`` (else the suggested design) and direction "unclear" until
    an editor extracts its results. Including an included candidate changes nothing; an
    excluded one raises CandidateAlreadyDecided. Returns the candidate, updated.
    """
    current = (
        Candidate.objects.select_for_update()
        .select_related("verdict__therapy", "verdict__condition", "reference")
        .get(pk=candidate.pk)
    )
    permissions.require(user, "evidence.change_candidate", current)
    if current.status == Candidate.Status.INCLUDED:
        return current
    if current.status == Candidate.Status.EXCLUDED:
        raise CandidateAlreadyDecided(
            f"This record was excluded ({current.get_exclusion_reason_display()})."
        )
    design = design or current.suggested_design
    if design not in Design.values:
        raise ValidationError(
            {"design": ["Choose the study's design: PubMed's publication types suggest none."]}
        )
    verdict = current.verdict
    study = (
        Study.objects.filter(
            reference_id=current.reference_id,
            therapy_id=verdict.therapy_id,
            condition_id=verdict.condition_id,
        )
        .order_by("pk")
        .first()
    )
    if study is None:
        study = study_upsert(
            reference=current.reference,
            therapy=verdict.therapy,
            condition=verdict.condition,
            design=design,
            outcome_summary=PLACEHOLDER_SUMMARY,
            direction=Direction.UNCLEAR,
        )
    current.status = Candidate.Status.INCLUDED
    current.study = study
    current.note = note.strip() or current.note
    _decided(current, user)
    current.save()
    return current


@transaction.atomic
def candidate_exclude(*, candidate: Candidate, reason: str, user=None, note: str = "") -> Candidate:
    """Exclude the candidate for ``reason`` (a Candidate.ExclusionReason); it never returns.

    Excluding again updates the reason; an included candidate raises
    CandidateAlreadyDecided (delete its study instead).
    """
    if reason not in Candidate.ExclusionReason.values:
        raise ValidationError(
            {"reason": [f"One of: {', '.join(Candidate.ExclusionReason.values)}."]}
        )
    current = Candidate.objects.select_for_update().select_related("verdict").get(pk=candidate.pk)
    permissions.require(user, "evidence.change_candidate", current)
    if current.status == Candidate.Status.INCLUDED:
        raise CandidateAlreadyDecided("This record was included as a study already.")
    current.status = Candidate.Status.EXCLUDED
    current.exclusion_reason = reason
    current.note = note.strip() or current.note
    _decided(current, user)
    current.save()
    return current


def _decided(candidate: Candidate, user) -> None:
    candidate.decided_at = timezone.now()
    candidate.decided_by = user if user is not None and user.is_authenticated else None


@dataclass
class TriageOutcome:
    done: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)


def candidates_include(*, candidates: Iterable[Candidate], user=None) -> TriageOutcome:
    """Include several candidates, each on its own; those that cannot be are skipped."""
    outcome = TriageOutcome()
    for candidate in candidates:
        try:
            outcome.done.append(candidate_include(candidate=candidate, user=user))
        except (ValidationError, CandidateAlreadyDecided, PermissionDenied) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcome.skipped.append((candidate, message))
    return outcome


def candidates_exclude(*, candidates: Iterable[Candidate], reason: str, user=None) -> TriageOutcome:
    """Exclude several candidates for one reason; included ones are skipped."""
    outcome = TriageOutcome()
    for candidate in candidates:
        try:
            outcome.done.append(candidate_exclude(candidate=candidate, reason=reason, user=user))
        except (CandidateAlreadyDecided, PermissionDenied) as exc:
            outcome.skipped.append((candidate, str(exc)))
    return outcome
