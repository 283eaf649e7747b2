"""Study writes for the API, until they move to evidence.services.

evidence.services.study_upsert is keyed on (reference, therapy, condition, outcome), so
it would quietly update a study a client meant to add, and it cannot move a study to
another pair. These create, edit and delete exactly one study and, like the upsert, keep
``Study.verdict`` equal to the verdict of the study's (therapy, condition) pair.
"""

from typing import Any

from django.db import transaction

from evidence.models import Condition, Study, Verdict
from evidence.services import (
    study_copy_reference,
    study_reference_copies,
    verdict_flag_new_study,
)
from references.models import Reference
from therapies.models import Therapy


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
    # A new study for the pair puts its verdict up for review, as evidence.services does.
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
