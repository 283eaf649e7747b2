"""Evidence: one study row of a pair's latest published version (design, participants,
population, intervention and comparator, outcome, direction, effect estimate with its
95% CI), citing the reference it reports."""

from __future__ import annotations

from typing import Any

from django.db import models

from evidence.models import Design, Direction, ExtractionSource, Study

from ..selectors import Published
from .common import (
    ATTRIBUTE_ESTIMATE_TYPE,
    CERTAINTY_TYPE,
    NOT_REPORTED,
    STATISTIC_TYPE,
    USAGE_CONTEXT_TYPE,
    VARIABLE_ROLE,
    coding,
    meta,
    reference,
    text,
    validated,
)

# Study.EffectMeasure -> (statistic-type code, display) of HL7's StatisticType.
STATISTIC_CODES = {
    "RR": ("C93152", "Relative Risk"),
    "OR": ("C16932", "Odds Ratio"),
    "HR": ("C93150", "Hazard Ratio"),
    "RD": ("0000424", "Risk Difference"),
    "MD": ("0000457", "Mean Difference"),
    "SMD": ("0000100", "Standardized Mean Difference"),
}


def label(choices: type[models.TextChoices], value: Any) -> str:
    """The label of a stored choice; the value itself if a later vocabulary dropped it."""
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def evidence_resource(published: Published, study: dict[str, Any]) -> dict[str, Any]:
    ref = study.get("reference") or {}
    extraction_ref = study.get("extraction_reference_id")
    outcome = study.get("outcome") or ""
    return validated(
        {
            "resourceType": "Evidence",
            "id": str(study["id"]),
            "meta": meta(version=published.number, last_updated=published.published_at),
            "status": "active",
            "title": f"{published.pair_name}: {outcome}" if outcome else published.pair_name,
            "date": published.published_at.isoformat(timespec="seconds"),
            "useContext": [
                {
                    "code": {"system": USAGE_CONTEXT_TYPE, "code": "focus"},
                    "valueCodeableConcept": text(published.condition_name),
                }
            ],
            "citeAsReference": reference("Citation", ref.get("id"), ref.get("title") or ""),
            "relatedArtifact": [
                {
                    "type": "derived-from",
                    "label": "Details read in",
                    "resourceReference": reference("Citation", extraction_ref),
                }
            ]
            if extraction_ref
            else [],
            "description": study.get("outcome_summary"),
            "assertion": _direction(study.get("direction")),
            "note": _notes(study),
            "variableDefinition": _variables(published, study),
            "studyDesign": [text(label(Design, study.get("design")))],
            "statistic": _statistics(study),
            "certainty": [
                {
                    "description": "Risk of bias of this study, as the editor rated it",
                    "type": coding(CERTAINTY_TYPE, "RiskOfBias", "Risk of bias"),
                    "rating": text(label(Study.RiskOfBias, study.get("risk_of_bias"))),
                }
            ]
            if study.get("risk_of_bias")
            else [],
        }
    )


def _direction(value: Any) -> str | None:
    return f"Direction of effect: {label(Direction, value)}." if value else None


def _notes(study: dict[str, Any]) -> list[dict[str, str]]:
    notes = []
    if study.get("species"):
        notes.append(f"Species: {study['species']}")
    if study.get("follow_up"):
        notes.append(f"Follow-up: {study['follow_up']}")
    if study.get("extraction_source"):
        notes.append(f"Details read in: {label(ExtractionSource, study['extraction_source'])}")
    if study.get("extraction_note"):
        notes.append(f"Extraction note: {study['extraction_note']}")
    return [{"text": note} for note in notes]


def _variable(role: str, description: str) -> dict[str, Any]:
    return {"description": description, "variableRole": coding(VARIABLE_ROLE, role)}


def _variables(published: Published, study: dict[str, Any]) -> list[dict[str, Any]]:
    dose = study.get("dose_regimen")
    exposure = published.therapy_name + (f"; dose and regimen: {dose}" if dose else "")
    return [
        _variable("population", study.get("population") or NOT_REPORTED),
        _variable("exposure", exposure),
        _variable("referenceExposure", study.get("comparator") or NOT_REPORTED),
        _variable("measuredVariable", study.get("outcome") or NOT_REPORTED),
    ]


def _statistics(study: dict[str, Any]) -> list[dict[str, Any]]:
    participants = study.get("participants")
    sample = {"numberOfParticipants": participants} if participants is not None else None
    measure, size = study.get("effect_measure"), study.get("effect_size")
    if not measure or size is None:
        if sample is None:
            return []
        return [{"description": "Effect estimate: not reported", "sampleSize": sample}]
    code, display = STATISTIC_CODES.get(measure, ("", ""))
    statistic: dict[str, Any] = {
        "statisticType": coding(STATISTIC_TYPE, code, display) if code else text(measure),
        "quantity": {"value": size},
        "sampleSize": sample,
    }
    low, high = study.get("ci_lower"), study.get("ci_upper")
    if low is not None and high is not None:
        statistic["attributeEstimate"] = [
            {
                "type": coding(ATTRIBUTE_ESTIMATE_TYPE, "C53324", "Confidence interval"),
                "level": 0.95,
                "range": {"low": {"value": low}, "high": {"value": high}},
            }
        ]
    return [statistic]
