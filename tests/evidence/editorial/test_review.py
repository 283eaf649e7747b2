"""The review cycle: every reason for review is raised by its service, and a reviewer's
sign-off clears them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from evidence import services
from evidence.editorial import review
from evidence.models import GuidelinePosition, Verdict
from references.models import RetractionStatus
from tests.factories import (
    GuidelinePositionFactory,
    ReferenceFactory,
    StudyFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _codes(verdict: Verdict) -> list[str]:
    verdict.refresh_from_db()
    return [reason["code"] for reason in verdict.review_reasons]


def _signed_off(verdict, reviewer):
    review.verdict_sign_off(verdict=verdict, user=reviewer, note="Checked.")
    verdict.refresh_from_db()
    assert not verdict.needs_review
    assert verdict.review_reasons == []
    assert verdict.reviewed_on == timezone.localdate()
    assert verdict.reviewed_by == reviewer
    assert verdict.review_note == "Checked."


def test_overdue_verdicts_are_flagged_once(reviewer):
    overdue = VerdictFactory(reviewed_on=datetime.date(2025, 11, 21), review_interval_months=12)
    due_today = VerdictFactory(reviewed_on=datetime.date(2025, 11, 22), review_interval_months=12)
    never = VerdictFactory(reviewed_on=None)

    assert review.verdicts_flag_overdue(today=TODAY) == 2

    assert _codes(overdue) == ["overdue"]
    assert "last reviewed 21 November 2025" in overdue.review_reasons[0]["message"]
    assert overdue.review_reasons[0]["at"] == "2026-11-22"
    assert _codes(never) == ["overdue"] and never.review_reasons[0]["message"] == "Never reviewed."
    assert _codes(due_today) == []
    # The next day's run adds nothing and writes no history.
    history = overdue.history.count()
    assert review.verdicts_flag_overdue(today=TODAY + datetime.timedelta(days=1)) == 1
    assert overdue.history.count() == history
    assert _codes(overdue) == ["overdue"]
    assert _codes(due_today) == ["overdue"]

    _signed_off(overdue, reviewer)
    assert review.verdicts_flag_overdue() == 0
    assert _codes(overdue) == []


def test_the_daily_task_flags_overdue_verdicts():
    from evidence.tasks import flag_overdue_verdicts

    verdict = VerdictFactory(reviewed_on=None)
    assert flag_overdue_verdicts.apply().get() == 1
    assert _codes(verdict) == ["overdue"]


def test_a_new_study_for_the_pair_flags_the_verdict(reviewer):
    verdict = VerdictFactory()

    study = services.study_upsert(
        reference=ReferenceFactory(title="A new trial"),
        therapy=verdict.therapy,
        condition=verdict.condition,
        design="rct",
        outcome_summary="Less pain.",
        direction="benefit",
    )

    assert _codes(verdict) == ["new_study"]
    assert "A new trial" in verdict.review_reasons[0]["message"]
    assert verdict.review_reasons[0]["at"] == timezone.localdate().isoformat()
    # Updating that study is not a new study.
    _signed_off(verdict, reviewer)
    services.study_upsert(
        reference=study.reference,
        therapy=verdict.therapy,
        condition=verdict.condition,
        design="rct",
        outcome_summary="Less pain, and less stiffness.",
        direction="benefit",
    )
    assert _codes(verdict) == []


def test_the_demo_load_raises_no_flags(demo):
    assert not Verdict.objects.filter(needs_review=True).exists()


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (RetractionStatus.RETRACTED, "retracted_study", "retracted"),
        (RetractionStatus.CORRECTED, "corrected_study", "corrected"),
    ],
)
def test_a_retracted_or_corrected_study_flags_the_verdict(reviewer, status, code, words):
    study = StudyFactory(reference=ReferenceFactory(retraction_status=status))
    verdict = VerdictFactory(therapy=study.therapy, condition=study.condition)

    services.verdicts_flag_amended_references(reference_ids=[study.reference_id])

    assert _codes(verdict) == [code]
    assert f"now marked {words}" in verdict.review_reasons[0]["message"]
    _signed_off(verdict, reviewer)


def test_a_new_or_changed_guideline_position_flags_the_verdict(reviewer):
    verdict = VerdictFactory()
    fields = {
        "therapy": verdict.therapy,
        "condition": verdict.condition,
        "issuing_body": "ACR",
        "document": "RA guideline",
        "year": 2021,
        "position": GuidelinePosition.Position.NO_POSITION,
        "reference": ReferenceFactory(title="ACR guideline"),
    }
    services.guideline_position_upsert(**fields)
    assert _codes(verdict) == ["guideline_changed"]
    assert "ACR, RA guideline (2021): No position" in verdict.review_reasons[0]["message"]
    _signed_off(verdict, reviewer)

    services.guideline_position_upsert(**fields)  # unchanged
    assert _codes(verdict) == []

    services.guideline_position_upsert(
        **{**fields, "position": GuidelinePosition.Position.NOT_SUPPORTED}
    )
    assert _codes(verdict) == ["guideline_changed"]
    assert "No position to Not supported" in verdict.review_reasons[0]["message"]
    _signed_off(verdict, reviewer)


def test_an_editor_can_put_a_verdict_up_for_review_by_hand(reviewer):
    verdict = VerdictFactory()

    review.verdict_request_review(verdict=verdict, message="The dose table looks wrong.")

    assert _codes(verdict) == ["manual"]
    assert verdict.review_reasons[0]["message"] == "The dose table looks wrong."
    _signed_off(verdict, reviewer)


def test_reasons_accumulate_until_sign_off(reviewer):
    verdict = VerdictFactory(reviewed_on=None)
    GuidelinePositionFactory(therapy=verdict.therapy, condition=verdict.condition)
    review.verdicts_flag_overdue(today=TODAY)
    review.verdict_request_review(verdict=verdict)
    services.verdict_flag_new_study(
        study=StudyFactory(therapy=verdict.therapy, condition=verdict.condition)
    )

    assert _codes(verdict) == ["overdue", "manual", "new_study"]
    _signed_off(verdict, reviewer)


def test_only_reviewers_sign_off(editor, viewer):
    verdict = VerdictFactory(needs_review=True)
    for user in (editor, viewer):
        with pytest.raises(PermissionDenied):
            review.verdict_sign_off(verdict=verdict, user=user)
    verdict.refresh_from_db()
    assert verdict.needs_review


def test_sign_off_is_recorded_in_history_as_the_reviewer(reviewer):
    verdict = VerdictFactory(needs_review=True)

    review.verdict_sign_off(verdict=verdict, user=reviewer)

    latest = verdict.history.latest()
    assert latest.history_user == reviewer
    assert latest.reviewed_on == timezone.localdate()
    assert not latest.needs_review


def test_a_study_added_through_the_api_flags_the_verdict(ra_verdict, editor):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(
        "/api/v1/studies/",
        {
            "reference": ReferenceFactory(title="An API trial").pk,
            "therapy": "ivig",
            "condition": "rheumatoid-arthritis",
            "design": "cohort",
            "outcome_summary": "Fewer flares.",
            "direction": "benefit",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert _codes(ra_verdict) == ["new_study"]
    assert "An API trial" in ra_verdict.review_reasons[0]["message"]
    assert ra_verdict.history.latest().history_user == editor
