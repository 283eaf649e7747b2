"""Writes for therapies and their safety facts.

Every upsert is keyed on the record's natural key and saves only when a value actually
changed (config.modelwrites): simple_history writes a row on every save, so an idempotent
load must not save an unchanged record.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal

from config.modelwrites import row_upsert
from references.models import Reference

from .models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    FormulationReference,
    RegulatoryStatus,
    Therapy,
)

# Sent with ``therapy_id`` when a safety fact's references are replaced in bulk, which no
# model signal reports; the evidence app's page cache listens (evidence/receivers.py).
safety_references_changed = Signal()


def _sourced(references: Iterable[Reference], what: str) -> list[Reference]:
    """``references`` as a list; a ValidationError when there is none: every safety and
    regulatory fact shown to a clinician names where it comes from."""
    cited = list(references)
    if not cited:
        raise ValidationError(
            {"references": f"{what} must cite at least one reference."}, code="unsourced"
        )
    return cited


def _references_set(
    through: type[models.Model],
    *,
    owner_field: str,
    owner: models.Model,
    references: Iterable[Reference],
) -> None:
    wanted = {reference.pk for reference in references}
    links = through._default_manager.filter(**{owner_field: owner})
    existing = set(links.values_list("reference_id", flat=True))
    links.exclude(reference_id__in=wanted).delete()
    through._default_manager.bulk_create(
        [through(**{owner_field: owner, "reference_id": pk}) for pk in wanted - existing]
    )
    if wanted != existing:
        safety_references_changed.send(sender=through, therapy_id=owner.therapy_id)


@transaction.atomic
def therapy_upsert(
    *,
    slug: str,
    name: str,
    drug_class: str = "",
    description: str = "",
    aliases: Sequence[str] = (),
    cost_and_supply_note: str = "",
) -> Therapy:
    return row_upsert(
        Therapy,
        lookup={"slug": slug},
        values={
            "name": name,
            "drug_class": drug_class,
            "description": description,
            "aliases": list(aliases),
            "cost_and_supply_note": cost_and_supply_note,
        },
    )


@transaction.atomic
def formulation_upsert(
    *,
    therapy: Therapy,
    references: Iterable[Reference],
    brand: str = "",
    manufacturer: str = "",
    stabiliser: str = "",
    iga_content: str = "",
    route: str = Formulation.Route.INTRAVENOUS,
    notes: str = "",
) -> Formulation:
    """A product, keyed on its brand; a product named only by kind (no brand) is keyed
    on its stabiliser and route."""
    cited = _sourced(references, "A formulation")
    values = {
        "manufacturer": manufacturer,
        "stabiliser": stabiliser,
        "iga_content": iga_content,
        "route": route,
        "notes": notes,
    }
    if brand:
        lookup = {"therapy": therapy, "brand": brand}
    else:
        lookup = {"therapy": therapy, "brand": "", "stabiliser": stabiliser, "route": route}
        del values["stabiliser"], values["route"]
    formulation = row_upsert(Formulation, lookup=lookup, values=values)
    _references_set(
        FormulationReference, owner_field="formulation", owner=formulation, references=cited
    )
    return formulation


@transaction.atomic
def adverse_effect_upsert(
    *,
    therapy: Therapy,
    name: str,
    frequency: str = AdverseEffect.Frequency.UNKNOWN,
    frequency_note: str = "",
    severity: str = AdverseEffect.Severity.MODERATE,
    risk_factors: str = "",
    notes: str = "",
    references: Iterable[Reference] = (),
) -> AdverseEffect:
    references = _sourced(references, "An adverse effect")
    effect = row_upsert(
        AdverseEffect,
        lookup={"therapy": therapy, "name": name},
        values={
            "frequency": frequency,
            "frequency_note": frequency_note,
            "severity": severity,
            "risk_factors": risk_factors,
            "notes": notes,
        },
    )
    _references_set(
        AdverseEffectReference, owner_field="adverse_effect", owner=effect, references=references
    )
    return effect


@transaction.atomic
def contraindication_upsert(
    *,
    therapy: Therapy,
    name: str,
    reason: str,
    kind: str = Contraindication.Kind.ABSOLUTE,
    references: Iterable[Reference] = (),
) -> Contraindication:
    references = _sourced(references, "A contraindication")
    contraindication = row_upsert(
        Contraindication,
        lookup={"therapy": therapy, "name": name},
        values={"kind": kind, "reason": reason},
    )
    _references_set(
        ContraindicationReference,
        owner_field="contraindication",
        owner=contraindication,
        references=references,
    )
    return contraindication


@transaction.atomic
def regulatory_status_upsert(
    *,
    therapy: Therapy,
    condition: models.Model,
    agency: str,
    status: str,
    reference: Reference | None,
    date: date | None = None,
    notes: str = "",
) -> RegulatoryStatus:
    # The condition is an evidence.Condition; it is typed loosely so that this layer never
    # imports the evidence app above it.
    if reference is None:
        raise ValidationError(
            {"reference": "A regulatory status must cite the source that states it."},
            code="unsourced",
        )
    return row_upsert(
        RegulatoryStatus,
        lookup={"therapy": therapy, "condition": condition, "agency": agency},
        values={"status": status, "date": date, "notes": notes, "reference": reference},
    )
