"""Writes for the evidence app: conditions, studies, guideline positions, verdicts, the demo.

Every upsert is keyed on the record's natural key and saves only when a value actually
changed: simple_history writes a row on every save, so re-running a load must leave rows,
timestamps and history untouched.

``Study.verdict`` mirrors the (therapy, condition) pair; ``study_upsert`` and
``verdict_upsert`` keep it in step whichever of the two is written first.

A new study for a pair, or a new or changed guideline position, puts the pair's verdict
up for review (``verdict_mark_for_review``, reasons from evidence.editorial.rules); the
demo load opts out, its verdicts being reviewed with the data.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Left
from django.utils import timezone

from references.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from references.models import Reference, RetractionStatus
from therapies import services as therapy_services
from therapies.models import Therapy

from . import demo_data
from .editorial.rules import Reason, ReasonCode, merge_reasons, review_reason
from .models import (
    SORT_TITLE_LENGTH,
    Condition,
    GuidelinePosition,
    OutcomeFinding,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
)

M = TypeVar("M", bound=models.Model)


def _upsert(model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]) -> M:
    return _write(model, lookup=lookup, values=values)[0]


def _write(
    model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, dict[str, Any] | None]:
    """Create or update; returns the row and None if it was created, else the old value
    of each field that changed (empty when nothing did)."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        return instance, None
    return instance, _apply_changes(instance, values)


def _update_if_changed(instance: M, values: Mapping[str, Any]) -> M:
    _apply_changes(instance, values)
    return instance


def _apply_changes(instance: M, values: Mapping[str, Any]) -> dict[str, Any]:
    old: dict[str, Any] = {}
    for name, value in values.items():
        field = instance._meta.get_field(name)
        new = value.pk if isinstance(value, models.Model) else value
        current = getattr(instance, field.attname)
        if current != new:
            old[name] = current
            setattr(instance, name, value)
    if old:
        instance.full_clean()
        instance.save()
    return old


@transaction.atomic
def curated_reference_upsert(
    *,
    title: str,
    doi: str | None = None,
    pmid: str | None = None,
    pmcid: str | None = None,
    **fields: Any,
) -> Reference:
    """Create a reference from curated data (the demo's sources), or fill in its blanks.

    Keyed on the DOI, else the PMID, else the exact title. An existing reference only
    gains the fields it lacks: once a refresh from PubMed or Crossref (the references
    app) has filled in, say, the full author list, re-loading curated data keeps it.
    """
    doi = normalise_doi(doi) if doi else None
    pmid = normalise_pmid(pmid) if pmid else None
    pmcid = normalise_pmcid(pmcid) if pmcid else None
    if doi:
        lookup: dict[str, Any] = {"doi": doi}
    elif pmid:
        lookup = {"pmid": pmid}
    else:
        lookup = {"title": title, "doi__isnull": True, "pmid__isnull": True}
    values = {"title": title, "doi": doi, "pmid": pmid, "pmcid": pmcid, **fields}
    instance = Reference.objects.filter(**lookup).first()
    if instance is None:
        instance = Reference(**values)
        instance.full_clean()
        instance.save()
        return instance
    blanks = {name: value for name, value in values.items() if getattr(instance, name) in _BLANK}
    return _update_if_changed(instance, blanks)


_BLANK = (None, "", [], {})


@transaction.atomic
def condition_upsert(
    *,
    slug: str,
    name: str,
    synonyms: Sequence[str] = (),
    description: str = "",
    parent: Condition | None = None,
    prevalence_note: str = "",
    prevalence_reference: Reference | None = None,
) -> Condition:
    return _upsert(
        Condition,
        lookup={"slug": slug},
        values={
            "name": name,
            "synonyms": list(synonyms),
            "description": description,
            "parent": parent,
            "prevalence_note": prevalence_note,
            "prevalence_reference": prevalence_reference,
        },
    )


@transaction.atomic
def verdict_upsert(
    *,
    therapy: Therapy,
    condition: Condition,
    status: str,
    certainty: str,
    summary: str,
    key_takeaways: Sequence[str] = (),
    limitations: str = "",
    mechanism_notes: str = "",
    reviewed_on: date | None = None,
    review_interval_months: int = 12,
    references: Sequence[Reference] = (),
) -> Verdict:
    """Create or update the verdict of a pair and attach the pair's existing studies.

    ``needs_review`` and ``review_reasons`` are left alone: they are raised by other
    events (a retraction) and cleared by an editor, never by a re-load.
    """
    verdict = _upsert(
        Verdict,
        lookup={"therapy": therapy, "condition": condition},
        values={
            "status": status,
            "certainty": certainty,
            "summary": summary,
            "key_takeaways": list(key_takeaways),
            "limitations": limitations,
            "mechanism_notes": mechanism_notes,
            "reviewed_on": reviewed_on,
            "review_interval_months": review_interval_months,
        },
    )
    verdict_references_set(verdict=verdict, references=references)
    # A bulk update: the link is derived from the pair, so it needs no history row.
    Study.objects.filter(therapy=therapy, condition=condition).exclude(verdict=verdict).update(
        verdict=verdict
    )
    return verdict


@transaction.atomic
def verdict_references_set(*, verdict: Verdict, references: Sequence[Reference]) -> None:
    """Make the verdict's background references exactly ``references``, in that order."""
    wanted = {reference.pk: position for position, reference in enumerate(references)}
    links = VerdictReference.objects.filter(verdict=verdict)
    links.exclude(reference_id__in=wanted).delete()
    existing = {link.reference_id: link for link in links}
    for reference_id, position in wanted.items():
        link = existing.get(reference_id)
        if link is None:
            VerdictReference.objects.create(
                verdict=verdict, reference_id=reference_id, position=position
            )
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


def study_reference_copies(reference: Reference) -> dict[str, Any]:
    """The values of Study's copies of ``reference`` (see Study.reference_year)."""
    return {
        "reference_year": reference.year,
        "reference_sort_title": reference.title[:SORT_TITLE_LENGTH],
        "reference_status": reference.retraction_status,
    }


def study_copy_reference(*, study: Study) -> None:
    """Set an unsaved study's copies from its reference: from the loaded reference when
    there is one (a service passed it), else read in one query."""
    if study.reference_id is None:
        return
    if Study.reference.is_cached(study):
        values = study_reference_copies(study.reference)
    else:
        row = (
            Reference.objects.filter(pk=study.reference_id)
            .values_list("year", "title", "retraction_status")
            .first()
        )
        if row is None:
            return
        values = study_reference_copies(
            Reference(year=row[0], title=row[1], retraction_status=row[2])
        )
    for name, value in values.items():
        setattr(study, name, value)


_REFRESH_POSTGRESQL = f"""
UPDATE evidence_study AS s
SET reference_year = r.year,
    reference_sort_title = LEFT(r.title, {SORT_TITLE_LENGTH}),
    reference_status = r.retraction_status
FROM references_reference AS r
WHERE r.id = s.reference_id AND r.id = ANY(%s)
  AND (s.reference_year IS DISTINCT FROM r.year
       OR s.reference_sort_title <> LEFT(r.title, {SORT_TITLE_LENGTH})
       OR s.reference_status <> r.retraction_status)
"""  # noqa: S608 - no interpolated input, only the constant length


def study_reference_copies_refresh(*, reference_ids: Iterable[int]) -> int:
    """Bring the copies of every study citing these references up to date, in one UPDATE
    (rows already current are left alone on PostgreSQL). Returns the rows written.

    Called for every change of a reference, however written: a save, a bulk refresh
    (references_upsert's ``citations_changed``), a notice (``references_amended``).
    QuerySet.update() sends no signal and does not touch the history, as wanted here:
    the study itself did not change."""
    ids = sorted(set(reference_ids))
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_POSTGRESQL, [ids])
            return cursor.rowcount
    cited = Reference.objects.filter(pk=OuterRef("reference_id"))
    return Study.objects.filter(reference_id__in=ids).update(
        reference_year=Subquery(cited.values("year")[:1]),
        reference_sort_title=Subquery(
            cited.annotate(prefix=Left("title", SORT_TITLE_LENGTH)).values("prefix")[:1]
        ),
        reference_status=Subquery(cited.values("retraction_status")[:1]),
    )


@transaction.atomic
def study_upsert(
    *,
    reference: Reference,
    therapy: Therapy,
    condition: Condition,
    design: str,
    outcome_summary: str,
    direction: str,
    outcome: str = "",
    species: str = "human",
    participants: int | None = None,
    population: str = "",
    dose_regimen: str = "",
    comparator: str = "",
    follow_up: str = "",
    risk_of_bias: str = Study.RiskOfBias.UNCLEAR,
    effect_measure: str = "",
    effect_size: float | None = None,
    ci_lower: float | None = None,
    ci_upper: float | None = None,
    flag_for_review: bool = True,
) -> Study:
    """Create or update one study, keyed on (reference, therapy, condition, outcome).

    The study is attached to the verdict of its pair when there is one, and a new study
    puts that verdict up for review (unless ``flag_for_review`` is false).
    """
    verdict = Verdict.objects.filter(therapy=therapy, condition=condition).first()
    study, changed = _write(
        Study,
        lookup={
            "reference": reference,
            "therapy": therapy,
            "condition": condition,
            "outcome": outcome,
        },
        values={
            "verdict": verdict,
            "design": design,
            "species": species,
            "participants": participants,
            "population": population,
            "dose_regimen": dose_regimen,
            "comparator": comparator,
            "follow_up": follow_up,
            "outcome_summary": outcome_summary,
            "direction": direction,
            "risk_of_bias": risk_of_bias,
            "effect_measure": effect_measure,
            "effect_size": effect_size,
            "ci_lower": ci_lower,
            "ci_upper": ci_upper,
            **study_reference_copies(reference),
        },
    )
    if changed is None and flag_for_review:
        verdict_flag_new_study(study=study)
    return study


@transaction.atomic
def guideline_position_upsert(
    *,
    therapy: Therapy,
    condition: Condition,
    issuing_body: str,
    document: str,
    position: str,
    year: int | None = None,
    summary: str = "",
    reference: Reference | None = None,
    flag_for_review: bool = True,
) -> GuidelinePosition:
    """Create or update one position; a new one, or a new stance or year, puts the pair's
    verdict up for review (unless ``flag_for_review`` is false)."""
    guideline, changed = _write(
        GuidelinePosition,
        lookup={
            "therapy": therapy,
            "condition": condition,
            "issuing_body": issuing_body,
            "document": document,
        },
        values={"position": position, "year": year, "summary": summary, "reference": reference},
    )
    if flag_for_review and (changed is None or {"position", "year"} & set(changed)):
        verdict_flag_guideline_change(
            position=guideline, previous_position=(changed or {}).get("position")
        )
    return guideline


@transaction.atomic
def verdict_mark_for_review(*, verdict: Verdict, reasons: Sequence[Reason]) -> Verdict:
    """Put a verdict up for review, adding the reasons it does not already list.

    The row is re-read under a lock, so concurrent flags add up instead of overwriting
    each other, and its history row holds the verdict as stored. ``verdict`` is updated
    in place and returned.
    """
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    merged = merge_reasons(current.review_reasons, reasons)
    if current.needs_review and len(merged) == len(current.review_reasons):
        verdict.needs_review, verdict.review_reasons = True, current.review_reasons
        return verdict
    current.needs_review = True
    current.review_reasons = merged
    current.save(update_fields=["needs_review", "review_reasons", "updated_at"])
    verdict.needs_review = True
    verdict.review_reasons = merged
    verdict.updated_at = current.updated_at
    return verdict


def verdict_flag_new_study(*, study: Study) -> Verdict | None:
    """A study was added to a pair: its verdict (if any) needs review. Returns it."""
    verdict = (
        study.verdict
        or Verdict.objects.filter(
            therapy_id=study.therapy_id, condition_id=study.condition_id
        ).first()
    )
    if verdict is None:
        return None
    reason = review_reason(ReasonCode.NEW_STUDY, f"New study: {study}", at=timezone.localdate())
    return verdict_mark_for_review(verdict=verdict, reasons=[reason])


def verdict_flag_guideline_change(
    *, position: GuidelinePosition, previous_position: str | None = None
) -> Verdict | None:
    """A guideline position was added or changed: the pair's verdict needs review."""
    verdict = Verdict.objects.filter(
        therapy_id=position.therapy_id, condition_id=position.condition_id
    ).first()
    if verdict is None:
        return None
    source = f"{position.issuing_body}, {position.document}"
    if position.year:
        source += f" ({position.year})"
    stance = position.get_position_display()
    if previous_position and previous_position != position.position:
        before = GuidelinePosition.Position(previous_position).label
        message = f"Guideline position changed: {source}: {before} to {stance}."
    else:
        message = f"Guideline position recorded: {source}: {stance}."
    reason = review_reason(ReasonCode.GUIDELINE_CHANGED, message, at=timezone.localdate())
    return verdict_mark_for_review(verdict=verdict, reasons=[reason])


@transaction.atomic
def verdicts_flag_amended_references(*, reference_ids: Iterable[int]) -> int:
    """Mark for review every verdict that rests on a reference whose status just changed.

    A verdict rests on a reference through a study of its pair, a guideline position of
    its pair, or a background reference. Returns how many verdicts were flagged.
    """
    ids = set(reference_ids)
    if not ids:
        return 0
    today = timezone.localdate()
    references = Reference.objects.in_bulk(ids)
    cited_by_pair: dict[tuple[int, int], set[int]] = defaultdict(set)
    for model in (Study, GuidelinePosition):
        for therapy_id, condition_id, reference_id in model.objects.filter(
            reference_id__in=ids
        ).values_list("therapy_id", "condition_id", "reference_id"):
            cited_by_pair[(therapy_id, condition_id)].add(reference_id)
    cited_by_verdict: dict[int, set[int]] = defaultdict(set)
    for verdict_id, reference_id in VerdictReference.objects.filter(
        reference_id__in=ids
    ).values_list("verdict_id", "reference_id"):
        cited_by_verdict[verdict_id].add(reference_id)

    matches = Q(pk__in=list(cited_by_verdict))
    for therapy_id, condition_id in cited_by_pair:
        matches |= Q(therapy_id=therapy_id, condition_id=condition_id)
    flagged = 0
    for verdict in Verdict.objects.filter(matches).order_by("pk").select_for_update():
        cited = (
            cited_by_pair[(verdict.therapy_id, verdict.condition_id)] | cited_by_verdict[verdict.pk]
        )
        reasons = [
            _amended_reason(references[pk], today) for pk in sorted(cited) if pk in references
        ]
        verdict_mark_for_review(verdict=verdict, reasons=[r for r in reasons if r])
        flagged += 1
    return flagged


# An expression of concern doubts the findings as a retraction does, so it counts as one.
_AMENDED_CODES = {
    RetractionStatus.RETRACTED: ReasonCode.RETRACTED_STUDY,
    RetractionStatus.EXPRESSION_OF_CONCERN: ReasonCode.RETRACTED_STUDY,
    RetractionStatus.CORRECTED: ReasonCode.CORRECTED_STUDY,
}


def _amended_reason(reference: Reference, today: date) -> Reason | None:
    code = _AMENDED_CODES.get(reference.retraction_status)
    if code is None:
        return None
    status = reference.get_retraction_status_display().lower()
    return review_reason(code, f"Cited reference now marked {status}: {reference}", at=today)


@transaction.atomic
def saved_search_upsert(*, verdict: Verdict, query: str, is_active: bool = True) -> SavedSearch:
    """Keep a PubMed query for a verdict's pair, keyed on (verdict, query)."""
    return _upsert(
        SavedSearch,
        lookup={"verdict": verdict, "query": query.strip()},
        values={"is_active": is_active},
    )


@transaction.atomic
def outcome_finding_upsert(
    *,
    verdict: Verdict,
    outcome: str,
    certainty: str,
    importance: str = OutcomeFinding.Importance.CRITICAL,
    position: int = 0,
    studies_count: int = 0,
    participants: int | None = None,
    relative_effect: str = "",
    absolute_effect: str = "",
    risk_of_bias: str = OutcomeFinding.Concern.NOT_SERIOUS,
    inconsistency: str = OutcomeFinding.Concern.NOT_SERIOUS,
    indirectness: str = OutcomeFinding.Concern.NOT_SERIOUS,
    imprecision: str = OutcomeFinding.Concern.NOT_SERIOUS,
    publication_bias: str = OutcomeFinding.Concern.NOT_SERIOUS,
    comment: str = "",
) -> OutcomeFinding:
    """One row of a verdict's summary of findings, keyed on (verdict, outcome)."""
    return _upsert(
        OutcomeFinding,
        lookup={"verdict": verdict, "outcome": outcome},
        values={
            "certainty": certainty,
            "importance": importance,
            "position": position,
            "studies_count": studies_count,
            "participants": participants,
            "relative_effect": relative_effect,
            "absolute_effect": absolute_effect,
            "risk_of_bias": risk_of_bias,
            "inconsistency": inconsistency,
            "indirectness": indirectness,
            "imprecision": imprecision,
            "publication_bias": publication_bias,
            "comment": comment,
        },
    )


@dataclass(frozen=True)
class DemoLoadSummary:
    references: int
    conditions: int
    studies: int
    verdicts: int
    safety_facts: int


def _refs(keys: Iterable[str], references: Mapping[str, Reference]) -> list[Reference]:
    return [references[key] for key in keys]


@transaction.atomic
def demo_load() -> DemoLoadSummary:
    """Load the IVIG demo (evidence.demo_data). Running it again changes nothing."""
    references = {
        key: curated_reference_upsert(**fields) for key, fields in demo_data.REFERENCES.items()
    }
    therapy = therapy_services.therapy_upsert(**demo_data.THERAPY)

    conditions: dict[str, Condition] = {}
    for item in demo_data.CONDITIONS:
        fields = dict(item)
        parent = fields.pop("parent", None)
        prevalence_reference = fields.pop("prevalence_reference", None)
        conditions[fields["slug"]] = condition_upsert(
            **fields,
            parent=conditions[parent] if parent else None,
            prevalence_reference=references[prevalence_reference] if prevalence_reference else None,
        )

    # Verdicts before studies, so that each study is attached as it is written. The demo's
    # studies and guideline positions are what its verdicts were reviewed on, so they
    # raise no review flags.
    verdicts: dict[str, Verdict] = {}
    for item in demo_data.VERDICTS:
        fields = dict(item)
        slug = fields.pop("condition")
        verdicts[slug] = verdict_upsert(
            therapy=therapy,
            condition=conditions[slug],
            references=_refs(fields.pop("references"), references),
            reviewed_on=demo_data.REVIEWED_ON,
            **fields,
        )
    for item in demo_data.STUDIES:
        fields = dict(item)
        study_upsert(
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            flag_for_review=False,
            **fields,
        )
    for item in demo_data.GUIDELINE_POSITIONS:
        fields = dict(item)
        guideline_position_upsert(
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            flag_for_review=False,
            **fields,
        )
    for item in demo_data.SAVED_SEARCHES:
        saved_search_upsert(verdict=verdicts[item["condition"]], query=item["query"])
    for item in demo_data.OUTCOME_FINDINGS:
        fields = dict(item)
        outcome_finding_upsert(verdict=verdicts[fields.pop("condition")], **fields)
    for item in demo_data.REGULATORY_STATUSES:
        fields = dict(item)
        therapy_services.regulatory_status_upsert(
            therapy=therapy, condition=conditions[fields.pop("condition")], **fields
        )
    for item in demo_data.ADVERSE_EFFECTS:
        fields = dict(item)
        therapy_services.adverse_effect_upsert(
            therapy=therapy, references=_refs(fields.pop("references"), references), **fields
        )
    for item in demo_data.CONTRAINDICATIONS:
        fields = dict(item)
        therapy_services.contraindication_upsert(
            therapy=therapy, references=_refs(fields.pop("references"), references), **fields
        )
    for item in demo_data.FORMULATIONS:
        therapy_services.formulation_upsert(therapy=therapy, **item)

    return DemoLoadSummary(
        references=len(references),
        conditions=len(conditions),
        studies=len(demo_data.STUDIES),
        verdicts=len(demo_data.VERDICTS),
        safety_facts=len(demo_data.ADVERSE_EFFECTS)
        + len(demo_data.CONTRAINDICATIONS)
        + len(demo_data.FORMULATIONS),
    )
