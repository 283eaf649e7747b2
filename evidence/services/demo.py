"""The IVIG demo load: the curated data of evidence/demo/ivig.yaml written through the
services, idempotently."""

import datetime
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from references.models import Reference
from therapies import services as therapy_services
from therapies.models import Therapy

from ..demo.loader import DemoData, demo_data_load
from ..models import Condition, Verdict
from .conditions import condition_upsert
from .findings import outcome_finding_upsert
from .guidelines import guideline_position_upsert
from .publication import verdict_publish_loaded
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


def _key(item: str | Mapping[str, str]) -> str:
    return item["reference"] if isinstance(item, Mapping) else item


def _refs(
    items: Iterable[str | Mapping[str, str]], references: Mapping[str, Reference]
) -> list[Reference]:
    return [references[_key(item)] for item in items]


def _claims(
    items: Iterable[str | Mapping[str, str]], references: Mapping[str, Reference]
) -> dict[int, str]:
    """{reference id: claim} for the items that state what is taken from the source."""
    return {
        references[item["reference"]].pk: item.get("claim", "")
        for item in items
        if isinstance(item, Mapping)
    }


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
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            **fields,
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
        fields = dict(item)
        therapy_services.formulation_upsert(
            therapy=therapy, references=_refs(fields.pop("references"), references), **fields
        )


@contextmanager
def _history_dated(day: datetime.date) -> Iterator[None]:
    """Date the history of the rows created inside the block at the start of ``day``
    (never later than now); records of rows that existed before keep the time they are
    written.

    The demo's content is what its verdicts were reviewed on, so its first versions are
    dated at the review date: a pair page then reads "published" on the day it was
    "last reviewed", never after it. A re-load that restores a value an editor changed
    makes a change now, after that review, and is dated now so it lists after it.
    simple_history's ``_history_date`` needs the instance before its save, which happens
    inside the services; hence the signal, heard only on this thread and only here.
    """
    at = min(
        datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone()),
        timezone.now(),
    )
    thread = threading.get_ident()
    created: set[tuple[str, Any]] = set()

    def backdate(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
        if threading.get_ident() != thread:
            return
        row = (instance._meta.label, instance.pk)
        if history_instance.history_type == "+":
            created.add(row)
        if row in created:
            history_instance.history_date = at

    pre_create_historical_record.connect(backdate, weak=False)
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(backdate)


@transaction.atomic
def demo_load(*, data: DemoData | None = None) -> DemoLoadSummary:
    """Load the IVIG demo (evidence/demo/ivig.yaml, checked before anything is written).
    Running it again changes nothing."""
    data = data or demo_data_load()
    with _history_dated(data.reviewed_on):
        return _demo_write(data)


def _demo_studies_and_positions(
    data: DemoData,
    *,
    therapy: Therapy,
    conditions: Mapping[str, Condition],
    references: Mapping[str, Reference],
) -> None:
    """The pairs' studies and guideline positions: what the verdicts were reviewed on, so
    they raise no review flags."""
    for item in data.studies:
        fields = dict(item)
        source = fields.pop("extraction_reference", None)
        study_upsert(
            therapy=therapy,
            condition=conditions[fields.pop("condition")],
            reference=references[fields.pop("reference")],
            extraction_reference=references[source] if source else None,
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


def _demo_write(data: DemoData) -> DemoLoadSummary:
    references = {
        key: curated_reference_upsert(**fields) for key, fields in data.references.items()
    }
    therapy = therapy_services.therapy_upsert(**data.therapy)

    conditions = _demo_conditions(data, references=references)

    # Verdicts before studies, so that each study is attached as it is written.
    verdicts: dict[str, Verdict] = {}
    for item in data.verdicts:
        fields = dict(item)
        slug = fields.pop("condition")
        cited = fields.pop("references")
        verdicts[slug] = verdict_upsert(
            therapy=therapy,
            condition=conditions[slug],
            references=_refs(cited, references),
            reference_claims=_claims(cited, references),
            reviewed_on=data.reviewed_on,
            **fields,
        )
    _demo_studies_and_positions(data, therapy=therapy, conditions=conditions, references=references)
    for item in data.saved_searches:
        saved_search_upsert(verdict=verdicts[item["condition"]], query=item["query"])
    for item in data.outcome_findings:
        fields = dict(item)
        outcome_finding_upsert(verdict=verdicts[fields.pop("condition")], **fields)
    _demo_therapy_facts(data, therapy=therapy, conditions=conditions, references=references)
    for verdict in verdicts.values():
        verdict_publish_loaded(verdict=verdict, note="Version 1: the demo's reviewed evidence.")

    return DemoLoadSummary(
        references=len(references),
        conditions=len(conditions),
        studies=len(data.studies),
        verdicts=len(data.verdicts),
        safety_facts=len(data.adverse_effects)
        + len(data.contraindications)
        + len(data.formulations),
    )
