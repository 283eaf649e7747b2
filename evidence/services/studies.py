"""Every write of a study: the idempotent upsert of loads and triage, and the create /
update / delete of the API, plus Study's copies of its reference.

``study_upsert`` is keyed on (reference, therapy, condition, outcome), so it would quietly
update a study a client meant to add, and it cannot move a study to another pair; the API
uses ``study_create`` / ``study_update`` / ``study_delete``, which write exactly one study.
All of them keep ``Study.verdict`` equal to the verdict of the study's (therapy,
condition) pair, and a new study puts that verdict up for review.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left

from config.modelwrites import row_write
from references.models import Reference
from therapies.models import Therapy

from ..models import SORT_TITLE_LENGTH, Condition, PublishedStudy, Study, StudyRecord, Verdict
from .flags import verdict_flag_new_study


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
UPDATE {{table}} AS s
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
    """Bring the copies of every study citing these references up to date, draft and
    published, in one UPDATE each (rows already current are left alone on PostgreSQL), so
    that a retraction shows on the published page at once. Returns the rows written.

    Called for every change of a reference, however written: a save, a bulk refresh
    (references_upsert's ``citations_changed``), a notice (``references_amended``).
    QuerySet.update() sends no signal and does not touch the history, as wanted here:
    the study itself did not change."""
    ids = sorted(set(reference_ids))
    if not ids:
        return 0
    return sum(_copies_refresh(model, ids) for model in (Study, PublishedStudy))


def _copies_refresh(model: type[StudyRecord], ids: list[int]) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_POSTGRESQL.format(table=model._meta.db_table), [ids])
            return cursor.rowcount
    cited = Reference.objects.filter(pk=OuterRef("reference_id"))
    return model.objects.filter(reference_id__in=ids).update(
        reference_year=Subquery(cited.values("year")[:1]),
        reference_sort_title=Subquery(
            cited.annotate(prefix=Left("title", SORT_TITLE_LENGTH)).values("prefix")[:1]
        ),
        reference_status=Subquery(cited.values("retraction_status")[:1]),
    )


# Long function: one typed keyword per extracted field, so that a loader's misspelt field
# is a TypeError rather than a silently dropped detail.
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
    extraction_source: str = Study._meta.get_field("extraction_source").default,
    extraction_reference: Reference | None = None,
    extraction_note: str = "",
    flag_for_review: bool = True,
) -> Study:
    """Create or update one study, keyed on (reference, therapy, condition, outcome).

    The study is attached to the verdict of its pair when there is one, and a new study
    puts that verdict up for review (unless ``flag_for_review`` is false).
    """
    verdict = Verdict.objects.filter(therapy=therapy, condition=condition).first()
    study, changed = row_write(
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
            "extraction_source": extraction_source,
            "extraction_reference": extraction_reference,
            "extraction_note": extraction_note,
            **study_reference_copies(reference),
        },
    )
    if changed is None and flag_for_review:
        verdict_flag_new_study(study=study)
    return study


def _pair_verdict(*, therapy: Therapy, condition: Condition) -> Verdict | None:
    return Verdict.objects.filter(therapy=therapy, condition=condition).first()


@transaction.atomic
def study_create(
    *, reference: Reference, therapy: Therapy, condition: Condition, **fields: Any
) -> Study:
    """Add a study; a duplicate (reference, therapy, condition, outcome) is a ValidationError."""
    study = Study(
        reference=reference,
        therapy=therapy,
        condition=condition,
        verdict=_pair_verdict(therapy=therapy, condition=condition),
        **fields,
        **study_reference_copies(reference),
    )
    study.full_clean()
    study.save()
    # A new study for the pair puts its verdict up for review, as study_upsert does.
    verdict_flag_new_study(study=study)
    return study


@transaction.atomic
def study_update(*, study: Study, **fields: Any) -> Study:
    """Change some fields; moving the study to another pair re-attaches it to that verdict."""
    changed = False
    for name, value in fields.items():
        field = study._meta.get_field(name)
        current = getattr(study, field.attname)
        new = value.pk if hasattr(value, "pk") and field.is_relation else value
        if current != new:
            setattr(study, name, value)
            changed = True
    verdict = _pair_verdict(therapy=study.therapy, condition=study.condition)
    if study.verdict_id != (verdict.pk if verdict else None):
        study.verdict = verdict
        changed = True
    if "reference" in fields:
        study_copy_reference(study=study)
    if changed:
        study.full_clean()
        study.save()
    return study


@transaction.atomic
def study_delete(*, study: Study) -> None:
    study.delete()
