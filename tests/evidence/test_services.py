"""evidence.services: natural keys, the Study.verdict link, review flags."""

import pytest

from evidence import services
from evidence.models import Design, Direction, Study, Verdict
from references.models import Reference, RetractionStatus
from tests.factories import (
    ConditionFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)

pytestmark = pytest.mark.django_db


def _study(**overrides):
    fields = {
        "design": Design.RCT,
        "outcome_summary": "Less pain.",
        "direction": Direction.BENEFIT,
        "outcome": "Pain",
    }
    return services.study_upsert(**{**fields, **overrides})


def _verdict(therapy, condition, **overrides):
    fields = {
        "status": Verdict.Status.INVESTIGATIONAL,
        "certainty": Verdict.Certainty.LOW,
        "summary": "Unclear.",
    }
    return services.verdict_upsert(therapy=therapy, condition=condition, **{**fields, **overrides})


def test_study_upsert_attaches_the_pair_verdict():
    verdict = VerdictFactory()
    study = _study(
        reference=ReferenceFactory(), therapy=verdict.therapy, condition=verdict.condition
    )
    assert study.verdict == verdict


def test_verdict_upsert_attaches_existing_studies_of_its_pair_only():
    therapy, condition = TherapyFactory(), ConditionFactory()
    mine = _study(reference=ReferenceFactory(), therapy=therapy, condition=condition)
    other = _study(reference=ReferenceFactory(), therapy=therapy, condition=ConditionFactory())
    assert mine.verdict is None

    verdict = _verdict(therapy, condition)

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.verdict == verdict
    assert other.verdict is None


def test_study_upsert_updates_the_row_with_the_same_natural_key():
    reference, therapy, condition = ReferenceFactory(), TherapyFactory(), ConditionFactory()
    first = _study(reference=reference, therapy=therapy, condition=condition, participants=10)
    second = _study(reference=reference, therapy=therapy, condition=condition, participants=12)
    third = _study(reference=reference, therapy=therapy, condition=condition, outcome="Function")

    assert second.pk == first.pk
    assert Study.objects.get(pk=first.pk).participants == 12
    assert third.pk != first.pk


def test_unchanged_upsert_writes_no_history():
    therapy, condition = TherapyFactory(), ConditionFactory()
    verdict = _verdict(therapy, condition)
    _verdict(therapy, condition)
    assert verdict.history.count() == 1


def test_verdict_references_keep_the_given_order_and_drop_the_rest():
    therapy, condition = TherapyFactory(), ConditionFactory()
    a, b, c = ReferenceFactory(), ReferenceFactory(), ReferenceFactory()
    verdict = _verdict(therapy, condition, references=[a, b, c])
    _verdict(therapy, condition, references=[c, a])

    links = verdict.verdictreference_set.order_by("position")
    assert [(link.reference, link.position) for link in links] == [(c, 0), (a, 1)]


def test_reload_does_not_clear_a_review_flag():
    reasons = [{"code": "retracted_study", "message": "Retracted trial", "at": "2026-01-02"}]
    verdict = VerdictFactory(needs_review=True, review_reasons=reasons)
    _verdict(verdict.therapy, verdict.condition)
    verdict.refresh_from_db()
    assert verdict.needs_review
    assert verdict.review_reasons == reasons


def test_curated_reference_upsert_normalises_and_matches_the_doi():
    first = services.curated_reference_upsert(title="T", doi="https://doi.org/10.1000/ABC")
    second = services.curated_reference_upsert(title="T2", doi="10.1000/abc")
    assert first.pk == second.pk
    assert Reference.objects.get(pk=first.pk).doi == "10.1000/abc"


def test_curated_reference_without_identifiers_is_keyed_on_its_title():
    first = services.curated_reference_upsert(title="Untraceable report", year=1999)
    second = services.curated_reference_upsert(title="Untraceable report", year=2000)
    assert first.pk == second.pk
    assert Reference.objects.filter(title="Untraceable report").count() == 1


def test_amended_references_put_the_verdicts_that_rest_on_them_up_for_review():
    cited_by_study = StudyFactory(
        reference=ReferenceFactory(retraction_status=RetractionStatus.RETRACTED)
    )
    verdict = VerdictFactory(therapy=cited_by_study.therapy, condition=cited_by_study.condition)
    background = VerdictReferenceFactory(
        reference=ReferenceFactory(retraction_status=RetractionStatus.EXPRESSION_OF_CONCERN)
    )
    guideline = GuidelinePositionFactory()
    guideline_verdict = VerdictFactory(therapy=guideline.therapy, condition=guideline.condition)
    untouched = VerdictFactory()

    flagged = services.verdicts_flag_amended_references(
        reference_ids=[
            cited_by_study.reference_id,
            background.reference_id,
            guideline.reference_id,
        ]
    )

    assert flagged == 3
    for item in (verdict, background.verdict, guideline_verdict, untouched):
        item.refresh_from_db()
    assert verdict.needs_review
    assert verdict.review_reasons[0]["code"] == "retracted_study"
    assert "retracted" in verdict.review_reasons[0]["message"]
    assert background.verdict.needs_review
    # An expression of concern doubts the findings as a retraction does.
    assert background.verdict.review_reasons[0]["code"] == "retracted_study"
    assert "expression of concern" in background.verdict.review_reasons[0]["message"]
    assert guideline_verdict.needs_review
    assert not untouched.needs_review

    # Flagging again adds no duplicate reason and no history row.
    history = verdict.history.count()
    services.verdicts_flag_amended_references(reference_ids=[cited_by_study.reference_id])
    verdict.refresh_from_db()
    assert len(verdict.review_reasons) == 1
    assert verdict.history.count() == history


def test_curated_reference_upsert_fills_blanks_but_keeps_refreshed_fields():
    refreshed = ReferenceFactory(doi="10.1000/xyz", volume="", authors=[{"family": "Full"}])
    services.curated_reference_upsert(
        title="Curated title", doi="10.1000/xyz", volume="7", authors=[{"family": "Partial"}]
    )
    refreshed.refresh_from_db()
    assert refreshed.volume == "7"
    assert refreshed.authors == [{"family": "Full"}]
    assert refreshed.title != "Curated title"
