"""evidence.editorial.rules: due dates, reasons and designs, without a database."""

import datetime
import importlib

import pytest

from evidence.editorial import rules

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
    ],
)
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_overdue_only_after_the_due_day_and_always_when_never_reviewed():
    reviewed = D(2025, 11, 22)
    assert not rules.is_overdue(reviewed_on=reviewed, interval_months=12, today=D(2026, 11, 22))
    assert rules.is_overdue(reviewed_on=reviewed, interval_months=12, today=D(2026, 11, 23))
    assert rules.is_overdue(reviewed_on=None, interval_months=12, today=D(2026, 11, 23))


def test_overdue_message_names_the_dates():
    message = rules.overdue_message(reviewed_on=D(2025, 1, 5), interval_months=12)
    assert message == (
        "Review overdue: last reviewed 5 January 2025, due every 12 months (due 5 January 2026)."
    )
    assert rules.overdue_message(reviewed_on=None, interval_months=12) == "Never reviewed."


def test_reasons_are_dicts_and_merge_by_code_and_message():
    first = rules.review_reason("new_study", "New study: X", at=D(2026, 1, 1))
    assert first == {"code": "new_study", "message": "New study: X", "at": "2026-01-01"}
    same_later = rules.review_reason("new_study", "New study: X", at=D(2026, 2, 1))
    other = rules.review_reason("manual", "Check dose", at=D(2026, 2, 1))

    assert rules.merge_reasons([first], [same_later, other]) == [first, other]
    with pytest.raises(ValueError):
        rules.review_reason("whatever", "x", at=D(2026, 1, 1))


@pytest.mark.parametrize(
    ("types", "design"),
    [
        (["Journal Article", "Randomized Controlled Trial"], "rct"),
        (["Meta-Analysis", "Systematic Review", "Review"], "meta_analysis"),
        (["Systematic Review", "Review"], "systematic_review"),
        (["Review"], "narrative_review"),
        (["Case Reports"], "case_report"),
        (["Observational Study"], "cohort"),
        (["Clinical Trial"], "non_randomised_trial"),
        (["Clinical Trial, Phase III"], "non_randomised_trial"),
        (["Controlled Clinical Trial"], "non_randomised_trial"),
        (["Practice Guideline"], "guideline"),
        (["Guideline"], "guideline"),
        (["Journal Article", "Research Support, Non-U.S. Gov't"], ""),
        ([], ""),
    ],
)
def test_suggested_design_from_publication_types(types, design):
    assert rules.suggested_design(types) == design


def test_the_migration_turns_string_reasons_into_dicts():
    migration = importlib.import_module("evidence.migrations.0005_review_reasons_as_dicts")

    converted = migration._as_dicts(
        [
            "Cited reference now marked retracted: Smith 2001",
            "Cited reference now marked corrected: Jones 2002",
            "Cited reference now marked expression of concern: Lee 2003",
            "Re-check the dose table",
        ],
        "2026-11-20",
    )

    assert [r["code"] for r in converted] == [
        "retracted_study",
        "corrected_study",
        "retracted_study",
        "manual",
    ]
    assert converted[3] == {
        "code": "manual",
        "message": "Re-check the dose table",
        "at": "2026-11-20",
    }
    assert migration._as_dicts([{"code": "manual", "message": "x", "at": "2026-01-01"}], "") is None
