"""Why a verdict needs review, and when its review falls due. No database access.

A reason is a JSON-ready dict ``{"code", "message", "at"}`` kept in
``Verdict.review_reasons``: ``code`` says what kind of event raised it (one of
ReasonCode), ``message`` says which one for people, ``at`` is the ISO date it was raised.
Two reasons are the same when code and message agree, so an event seen twice (a daily
check, a refresh that finds the same retraction) is listed once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import models


class ReasonCode(models.TextChoices):
    OVERDUE = "overdue", "Review overdue"
    NEW_STUDY = "new_study", "New study"
    RETRACTED_STUDY = "retracted_study", "Retracted study"
    CORRECTED_STUDY = "corrected_study", "Corrected study"
    GUIDELINE_CHANGED = "guideline_changed", "Guideline position changed"
    MANUAL = "manual", "Put up for review by an editor"


Reason = dict[str, str]


def review_reason(code: str, message: str, *, at: date) -> Reason:
    if code not in ReasonCode.values:
        raise ValueError(f"unknown review reason code {code!r}")
    return {"code": code, "message": message, "at": at.isoformat()}


def reason_key(reason: Mapping[str, Any] | str) -> tuple[str, str]:
    """What makes two reasons the same; a legacy plain-string reason counts as manual."""
    if isinstance(reason, str):
        return (ReasonCode.MANUAL.value, reason)
    return (str(reason.get("code", "")), str(reason.get("message", "")))


def merge_reasons(current: Iterable[Reason], new: Iterable[Reason]) -> list[Reason]:
    """``current`` followed by the reasons of ``new`` it does not list yet."""
    merged = list(current)
    seen = {reason_key(reason) for reason in merged}
    for reason in new:
        key = reason_key(reason)
        if key not in seen:
            seen.add(key)
            merged.append(reason)
    return merged


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; the 31st of a short month becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(*, reviewed_on: date | None, interval_months: int) -> date | None:
    """The day a verdict's review falls due; None when it was never reviewed (due now)."""
    if reviewed_on is None:
        return None
    return add_months(reviewed_on, interval_months)


def is_overdue(*, reviewed_on: date | None, interval_months: int, today: date) -> bool:
    """Past its review interval (reviewed_on + interval < today), or never reviewed."""
    due = review_due_on(reviewed_on=reviewed_on, interval_months=interval_months)
    return due is None or due < today


def overdue_message(*, reviewed_on: date | None, interval_months: int) -> str:
    if reviewed_on is None:
        return "Never reviewed."
    due = review_due_on(reviewed_on=reviewed_on, interval_months=interval_months)
    return (
        f"Review overdue: last reviewed {_long(reviewed_on)}, due every "
        f"{interval_months} month{'s' if interval_months != 1 else ''} "
        f"(due {_long(due)})."
    )


def _long(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


# PubMed publication types, most specific first: the first one a record has decides.
PUBLICATION_TYPE_DESIGNS: tuple[tuple[str, str], ...] = (
    ("meta-analysis", "meta_analysis"),
    ("systematic review", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("controlled clinical trial", "non_randomised_trial"),
    ("clinical trial", "non_randomised_trial"),
    ("practice guideline", "guideline"),
    ("guideline", "guideline"),
    ("observational study", "cohort"),
    ("case reports", "case_report"),
    ("review", "narrative_review"),
)


def suggested_design(publication_types: Iterable[str]) -> str:
    """The study design PubMed's publication types suggest, or "" when they say nothing.

    "Clinical Trial, Phase III" and the like count as clinical trials.
    """
    types = [value.strip().lower() for value in publication_types]
    for publication_type, design in PUBLICATION_TYPE_DESIGNS:
        for value in types:
            if value == publication_type or (
                publication_type == "clinical trial" and value.startswith("clinical trial,")
            ):
                return design
    return ""
