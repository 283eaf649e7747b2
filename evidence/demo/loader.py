"""Reads the demo data file and checks every entry before anything is written.

A bad entry stops the load with a DemoDataError naming where it is, for example
``studies[3].design: 'rtc' is not one of 'rct', 'non_randomised_trial', ...``. The checks
follow the models: a key must be a field of the entry's model (or one of the links below),
a choice field must hold one of its choices, required keys must be present, and every
reference key and condition slug an entry points at must be defined in the file.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from references.models import Reference
from therapies.models import AdverseEffect, Contraindication, Formulation, RegulatoryStatus, Therapy

from ..models import Condition, GuidelinePosition, OutcomeFinding, SavedSearch, Study, Verdict

IVIG = Path(__file__).resolve().parent / "ivig.yaml"

# Keys that name another entry of the file instead of holding a field's value. A list of
# reference keys may hold {reference: key, claim: text} instead of a key, to say what the
# entry takes from that source.
REFERENCE, REFERENCES, CONDITION = "reference key", "list of reference keys", "condition slug"


@dataclass(frozen=True)
class Section:
    model: type[models.Model]
    required: tuple[str, ...]
    links: dict[str, str]
    many: bool = True  # a list of entries; False: one entry


SECTIONS: dict[str, Section] = {
    "therapy": Section(Therapy, ("slug", "name"), {}, many=False),
    "conditions": Section(
        Condition,
        ("slug", "name"),
        {"parent": CONDITION, "prevalence_reference": REFERENCE},
    ),
    "verdicts": Section(
        Verdict,
        ("condition", "status", "certainty", "summary", "references"),
        {"condition": CONDITION, "references": REFERENCES},
    ),
    "studies": Section(
        Study,
        ("condition", "reference", "design", "outcome_summary", "direction", "extraction_source"),
        {"condition": CONDITION, "reference": REFERENCE, "extraction_reference": REFERENCE},
    ),
    "guideline_positions": Section(
        GuidelinePosition,
        ("condition", "reference", "issuing_body", "document", "position"),
        {"condition": CONDITION, "reference": REFERENCE},
    ),
    "saved_searches": Section(SavedSearch, ("condition", "query"), {"condition": CONDITION}),
    "outcome_findings": Section(
        OutcomeFinding, ("condition", "outcome", "certainty"), {"condition": CONDITION}
    ),
    "regulatory_statuses": Section(
        RegulatoryStatus,
        ("condition", "agency", "status", "reference"),
        {"condition": CONDITION, "reference": REFERENCE},
    ),
    "adverse_effects": Section(AdverseEffect, ("name", "references"), {"references": REFERENCES}),
    "contraindications": Section(
        Contraindication, ("name", "references"), {"references": REFERENCES}
    ),
    "formulations": Section(Formulation, ("references",), {"references": REFERENCES}),
}


class DemoDataError(ValueError):
    """The demo data file holds an entry the loader cannot write."""


@dataclass(frozen=True)
class DemoData:
    reviewed_on: datetime.date
    therapy: dict[str, Any]
    references: dict[str, dict[str, Any]]
    conditions: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    studies: list[dict[str, Any]]
    guideline_positions: list[dict[str, Any]]
    saved_searches: list[dict[str, Any]]
    outcome_findings: list[dict[str, Any]]
    regulatory_statuses: list[dict[str, Any]]
    adverse_effects: list[dict[str, Any]]
    contraindications: list[dict[str, Any]]
    formulations: list[dict[str, Any]]


def demo_data_load(path: Path = IVIG) -> DemoData:
    """The checked content of a demo data file; DemoDataError for the first bad entry."""
    with path.open(encoding="utf-8") as stream:
        try:
            raw = yaml.safe_load(stream)
        except yaml.YAMLError as error:
            raise DemoDataError(f"{path.name}: not valid YAML: {error}") from error
    return demo_data_check(raw)


def demo_data_check(raw: Any) -> DemoData:
    """``raw`` (the parsed file) as DemoData, once every entry passed the checks."""
    if not isinstance(raw, dict):
        raise DemoDataError("the file must hold a mapping of sections")
    expected = {"reviewed_on", "references", *SECTIONS}
    _keys(raw, "", allowed=expected, required=expected)
    if not isinstance(raw["reviewed_on"], datetime.date):
        raise DemoDataError(f"reviewed_on: {raw['reviewed_on']!r} is not a date (YYYY-MM-DD)")
    references = raw["references"]
    if not isinstance(references, dict):
        raise DemoDataError("references: must map a key to each reference")
    for key, entry in references.items():
        _entry(entry, f"references.{key}", Reference, ("title",), {})
    slugs = {entry.get("slug") for entry in _list(raw["conditions"], "conditions")}
    known = {REFERENCE: set(references), CONDITION: slugs}
    for name, section in SECTIONS.items():
        entries = [raw[name]] if not section.many else _list(raw[name], name)
        for index, entry in enumerate(entries):
            where = name if not section.many else f"{name}[{index}]"
            _entry(entry, where, section.model, section.required, section.links, known)
    return DemoData(**raw)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DemoDataError(f"{where}: must be a list of entries")
    return value


def _keys(entry: dict, where: str, *, allowed: set[str], required: set[str]) -> None:
    prefix = f"{where}." if where else ""
    for key in entry:
        if key not in allowed:
            raise DemoDataError(
                f"{prefix}{key}: unknown key (allowed: {', '.join(sorted(allowed))})"
            )
    for key in sorted(required):
        if key not in entry:
            raise DemoDataError(f"{prefix}{key}: missing")


def _entry(
    entry: Any,
    where: str,
    model: type[models.Model],
    required: tuple[str, ...],
    links: dict[str, str],
    known: dict[str, set[str]] | None = None,
) -> None:
    if not isinstance(entry, dict):
        raise DemoDataError(f"{where}: must be a mapping of fields")
    fields = {field.name for field in model._meta.get_fields() if not field.auto_created}
    _keys(entry, where, allowed=fields | set(links), required=set(required))
    for key, value in entry.items():
        if key in links:
            _link(value, f"{where}.{key}", links[key], known or {})
            continue
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:  # pragma: no cover - _keys allowed only fields
            continue
        if field.choices and value not in {choice for choice, _ in field.choices}:
            choices = ", ".join(repr(choice) for choice, _ in field.choices)
            raise DemoDataError(f"{where}.{key}: {value!r} is not one of {choices}")


def _link(value: Any, where: str, kind: str, known: dict[str, set[str]]) -> None:
    if kind == REFERENCES:
        for index, item in enumerate(_list(value, where)):
            at = f"{where}[{index}]"
            if isinstance(item, dict):  # {reference: key, claim: what is taken from it}
                _keys(item, at, allowed={"reference", "claim"}, required={"reference"})
                item = item["reference"]
                at = f"{at}.reference"
            _link(item, at, REFERENCE, known)
        return
    if value not in known.get(kind, set()):
        raise DemoDataError(f"{where}: {value!r} is not a {kind} defined in the file")
