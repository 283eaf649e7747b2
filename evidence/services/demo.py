"""The IVIG demo load: the curated data of evidence/demo/ivig.yaml written through the
services, idempotently."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from references.models import Reference
from therapies import services as therapy_services
from therapies.models import Therapy

from ..demo.loader import DemoData, demo_data_load
from ..models import Condition, Verdict
from .conditions import condition_upsert
from .findings import outcome_finding_upsert
from .guidelines import guideline_position_upsert
from .references import curated_reference_upsert
from .studies import study_upsert
from .verdicts import saved_search_upsert, verdict_upsert


@dataclass(frozen=True)
class DemoLoadSummary:
    references: int
    conditions: int
    studies: int
    verdicts: int
    safety_facts: int


def _refs(keys: Iterable[str], references: Mapping[str, Reference]) -> list[Reference]:
    return [references[key] for key in keys]


def _demo_conditions(
    data: DemoData, *, references: Mapping[str, Reference]
) -> dict[str, Condition]:
    """The conditions by slug; a parent comes before its sub-conditions in the file."""
    conditions: dict[str, Condition] = {}
    for item in data.conditions:
        fields = dict(item)
        parent = fields.pop("parent", None)
        prevalence_reference = fields.pop("prevalence_reference", None)
        conditions[fields["slug"]] = condition_upsert(
            **fields,
            parent=conditions[parent] if parent else None,
            prevalence_reference=references[prevalence_reference] if prevalence_reference else None,
        )
    return conditions


def _demo_therapy_facts(
    data: DemoData,
    *,
    therapy: Therapy,
    conditions: Mapping[str, Condition],
    references: Mapping[str, Reference],
) -> None:
    """The therapy's regulatory statuses and safety facts."""
    for item in data.regulatory_statuses:
        fields = dict(item)
        therapy_services.regulatory_status_upsert(
            therapy=therapy, condition=conditions[fields.pop("condition")], **fields
        )
    for item in data.adverse_effects:
        fields = dict(item)
        therapy_services.adverse_effect_upsert(
            therapy=therapy, references=_refs(fields.pop("references"), references), **fields
        )
    for item in data.contraindications:
        fields = dict(item)
        therapy_services.contraindication_upsert(
            therapy=therapy, references=_refs(fields.pop("references"), references), **fields
        )
    for item in data.formulations:
        therapy_services.formulation_upsert(therapy=therapy, **item)


@transaction.atomic
def demo_load(*, data: DemoData | None = None) -> DemoLoadSummary:
    """Load the IVIG demo (evidence/demo/ivig.yaml, checked before anything is written).
    Running it again changes nothing."""
    data = data or demo_data_load()
    references = {
        key: curated_reference_upsert(**fields) for key, fields in data.references.items()
    }
    therapy = therapy_services.therapy_upsert(**data.therapy)

    conditions = _demo_conditions(data, references=references)

    # Verdicts before studies, so that each study is attached as it is written. The demo's
    # studies and guideline positions are what its verdicts were reviewed on, so they
    # raise no review flags.
    verdicts: dict[str, Verdict] = {}
    for item in data.verdicts:
        fields = dict(item)
        slug = fields.pop("condition")
        verdicts[slug] = verdict_upsert(
            therapy=therapy,
            condition=conditions[slug],
            references=_refs(fields.pop("references"), references),
            reviewed_on=data.reviewed_on,
            **fields,
        )
    for item in data.studies:
        fields = dict(item)
        study_upsert(
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            flag_for_review=False,
            **fields,
        )
    for item in data.guideline_positions:
        fields = dict(item)
        guideline_position_upsert(
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            flag_for_review=False,
            **fields,
        )
    for item in data.saved_searches:
        saved_search_upsert(verdict=verdicts[item["condition"]], query=item["query"])
    for item in data.outcome_findings:
        fields = dict(item)
        outcome_finding_upsert(verdict=verdicts[fields.pop("condition")], **fields)
    _demo_therapy_facts(data, therapy=therapy, conditions=conditions, references=references)

    return DemoLoadSummary(
        references=len(references),
        conditions=len(conditions),
        studies=len(data.studies),
        verdicts=len(data.verdicts),
        safety_facts=len(data.adverse_effects)
        + len(data.contraindications)
        + len(data.formulations),
    )
