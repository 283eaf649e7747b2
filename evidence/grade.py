"""GRADE's rule for a verdict's overall certainty. No database access.

Under GRADE the overall certainty of a body of evidence is the lowest certainty among its
critical outcomes; outcomes that are only important or not important do not lower it. An
editor may rate a verdict higher than that only with a written reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

# Highest first; the values of Verdict.Certainty (kept here so this module stays pure).
CERTAINTY_ORDER: tuple[str, ...] = ("high", "moderate", "low", "very_low")
CERTAINTY_LABELS = {
    "high": "high",
    "moderate": "moderate",
    "low": "low",
    "very_low": "very low",
}
CRITICAL = "critical"


class Finding(Protocol):
    """What the rule reads of a summary-of-findings row (an OutcomeFinding or a stand-in)."""

    outcome: str
    importance: str
    certainty: str


def certainty_rank(certainty: str) -> int:
    """0 for high up to 3 for very low; an unknown value is a programming error."""
    try:
        return CERTAINTY_ORDER.index(certainty)
    except ValueError:
        raise ValueError(f"unknown certainty {certainty!r}") from None


def critical_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.importance == CRITICAL]


def certainty_ceiling(findings: Iterable[Finding]) -> str | None:
    """The highest certainty a verdict may claim: the lowest among its critical outcomes.

    None when no outcome is critical, so nothing limits the verdict.
    """
    ranks = [certainty_rank(finding.certainty) for finding in critical_findings(findings)]
    return CERTAINTY_ORDER[max(ranks)] if ranks else None


def certainty_problem(
    verdict_certainty: str, findings: Iterable[Finding], override_reason: str = ""
) -> str | None:
    """Why ``verdict_certainty`` breaks the rule, naming the limiting outcomes; None if it
    does not, or if the editor wrote a reason for rating it higher."""
    findings = list(findings)
    ceiling = certainty_ceiling(findings)
    if ceiling is None or certainty_rank(verdict_certainty) >= certainty_rank(ceiling):
        return None
    if override_reason.strip():
        return None
    limiting = [
        finding.outcome for finding in critical_findings(findings) if finding.certainty == ceiling
    ]
    label = CERTAINTY_LABELS[ceiling]
    outcomes = ", ".join(f"“{outcome}” ({label})" for outcome in limiting)
    return (
        f"The certainty ({CERTAINTY_LABELS[verdict_certainty]}) cannot be higher than the "
        f"lowest certainty among the critical outcomes: {outcomes}. Lower it to {label}, or "
        "give a reason for the override."
    )
