"""ArtifactAssessment: a verdict (status, GRADE certainty with the rating-down reasons of
its outcomes, summary, review date) and each row of its summary of findings, from the
verdict's latest published version."""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse

from evidence.models import GuidelinePosition, OutcomeFinding, Verdict

from ..selectors import Published
from .common import CERTAINTY_RATING, CERTAINTY_TYPE, coding, meta, reference, text, validated
from .evidence import label

# Verdict.Certainty -> certainty-rating code.
CERTAINTY_CODES = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very-low"}
# OutcomeFinding.Concern -> certainty-rating code.
CONCERN_CODES = {
    "not_serious": ("no-concern", "no serious concern"),
    "serious": ("serious-concern", "serious concern"),
    "very_serious": ("very-serious-concern", "very serious concern"),
}
# The GRADE domains a summary-of-findings row rates, as certainty-type codes.
DOMAINS = (
    ("risk_of_bias", "RiskOfBias", "Risk of bias"),
    ("inconsistency", "Inconsistency", "Inconsistency"),
    ("indirectness", "Indirectness", "Indirectness"),
    ("imprecision", "Imprecision", "Imprecision"),
    ("publication_bias", "PublicationBias", "Publication bias"),
)


def finding_id(verdict_id: int, outcome: str) -> str:
    """A row's id: stable across versions while its outcome is (unique per verdict)."""
    digest = hashlib.sha256(outcome.encode()).hexdigest()[:12]
    return f"{verdict_id}-sof-{digest}"


def _certainty(value: Any) -> dict[str, Any] | None:
    code = CERTAINTY_CODES.get(value)
    if code is None:
        return text(str(value)) if value else None
    return {**coding(CERTAINTY_RATING, code, label(Verdict.Certainty, value))}


def _domains(finding: dict[str, Any]) -> list[dict[str, Any]]:
    parts = []
    for field, code, display in DOMAINS:
        concern = finding.get(field)
        if not concern:
            continue
        rating = CONCERN_CODES.get(concern)
        parts.append(
            {
                "informationType": "rating",
                "type": coding(CERTAINTY_TYPE, code, display),
                "classifier": [coding(CERTAINTY_RATING, *rating) if rating else text(concern)],
            }
        )
    return parts


def _base(published: Published, ident: str, title: str, base_url: str) -> dict[str, Any]:
    return {
        "resourceType": "ArtifactAssessment",
        "id": ident,
        "meta": meta(version=published.number, last_updated=published.published_at),
        "title": title,
        "date": published.published_at.isoformat(timespec="seconds"),
        "approvalDate": published.published_at.date().isoformat(),
        "lastReviewDate": published.reviewed_on.isoformat() if published.reviewed_on else None,
        "artifactUri": base_url
        + reverse("evidence:pair-detail", args=[published.condition_slug, published.therapy_slug]),
        "workflowStatus": "published",
    }


def verdict_assessment(published: Published, *, base_url: str) -> dict[str, Any]:
    verdict = published.content.get("verdict") or {}
    findings = published.findings
    content = [
        {
            "informationType": "classifier",
            "type": text("Verdict status"),
            "classifier": [text(label(Verdict.Status, verdict.get("status")))],
        },
        {
            "informationType": "rating",
            "type": coding(CERTAINTY_TYPE, "Overall", "Overall certainty"),
            "classifier": [_certainty(verdict.get("certainty"))],
            "summary": verdict.get("certainty_override_reason") or None,
            "component": [_finding_component(published, row) for row in findings],
        },
        _comment("Summary", verdict.get("summary")),
        *(_comment("Key takeaway", item) for item in verdict.get("key_takeaways") or []),
        _comment("Limitations", verdict.get("limitations")),
        _comment("Mechanism", verdict.get("mechanism_notes")),
        *(_guideline(row) for row in published.content.get("guideline_positions") or []),
        _background(published.content.get("background") or []),
    ]
    resource = _base(published, str(published.verdict_id), published.pair_name, base_url)
    resource["content"] = content
    return validated(resource)


def _comment(kind: str, value: Any) -> dict[str, Any] | None:
    if not value or not isinstance(value, str):
        return None
    return {"informationType": "comment", "type": text(kind), "summary": value}


def _guideline(row: dict[str, Any]) -> dict[str, Any]:
    year = f", {row['year']}" if row.get("year") else ""
    position = label(GuidelinePosition.Position, row.get("position"))
    said = f"{row.get('issuing_body')} ({row.get('document')}{year}): {position}."
    summary = row.get("summary")
    return {
        "informationType": "comment",
        "type": text("Guideline position"),
        "summary": f"{said} {summary}" if summary else said,
        "relatedArtifact": [{"type": "citation", "resourceReference": reference("Citation", ref)}]
        if (ref := row.get("reference_id"))
        else [],
    }


def _background(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {
        "informationType": "container",
        "type": text("Background sources"),
        "relatedArtifact": [
            {
                "type": "citation",
                "label": (row.get("claim") or "")[:200] or None,
                "resourceReference": reference("Citation", row.get("reference_id")),
            }
            for row in rows
            if row.get("reference_id")
        ],
    }


def _finding_component(published: Published, finding: dict[str, Any]) -> dict[str, Any]:
    """A row of the summary of findings inside the verdict's certainty: the outcome, its
    certainty and the domains it was (or was not) rated down for."""
    outcome = finding.get("outcome") or ""
    return {
        "informationType": "rating",
        "type": text(outcome),
        "classifier": [_certainty(finding.get("certainty"))],
        "relatedArtifact": [
            {
                "type": "composed-of",
                "resourceReference": reference(
                    "ArtifactAssessment", finding_id(published.verdict_id, outcome)
                ),
            }
        ],
        "component": _domains(finding),
    }


def finding_assessment(
    published: Published, finding: dict[str, Any], *, base_url: str
) -> dict[str, Any]:
    outcome = finding.get("outcome") or ""
    resource = _base(
        published,
        finding_id(published.verdict_id, outcome),
        f"{outcome}: {published.pair_name}",
        base_url,
    )
    studies, participants = finding.get("studies_count"), finding.get("participants")
    resource["content"] = [
        {
            "informationType": "classifier",
            "type": text("Outcome importance"),
            "classifier": [text(label(OutcomeFinding.Importance, finding.get("importance")))],
        },
        {
            "informationType": "rating",
            "type": coding(CERTAINTY_TYPE, "Overall", "Overall certainty"),
            "classifier": [_certainty(finding.get("certainty"))],
            "component": _domains(finding),
        },
        {
            "informationType": "comment",
            "type": text("Number of studies"),
            "quantity": {"value": studies},
        }
        if studies is not None
        else None,
        {
            "informationType": "comment",
            "type": text("Participants"),
            "quantity": {"value": participants},
        }
        if participants is not None
        else None,
        _comment("Relative effect", finding.get("relative_effect")),
        _comment("Absolute effect", finding.get("absolute_effect")),
        _comment("Comment", finding.get("comment")),
        {
            "informationType": "container",
            "type": text("Verdict"),
            "relatedArtifact": [
                {
                    "type": "part-of",
                    "resourceReference": reference("ArtifactAssessment", published.verdict_id),
                }
            ],
        },
    ]
    return validated(resource)
