"""/api/v1/conditions/: list, detail, the evidence summary and the condition's references."""

import bibtexparser
import pytest

from evidence.models import Condition, Direction, Study, Verdict
from references.models import RetractionStatus
from tests.api.helpers import assert_error
from tests.factories import (
    ConditionFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

RA = "/api/v1/conditions/rheumatoid-arthritis/"


def test_list_is_paginated_and_ordered_by_name(anon, demo):
    response = anon.get("/api/v1/conditions/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Condition.objects.count()
    names = [row["name"] for row in body["results"]]
    assert names == sorted(names)
    lupus_nephritis = next(row for row in body["results"] if row["slug"] == "lupus-nephritis")
    assert lupus_nephritis["parent"]["slug"] == "systemic-lupus-erythematosus"


def test_detail(anon, demo):
    response = anon.get("/api/v1/conditions/systemic-lupus-erythematosus/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Systemic lupus erythematosus"
    assert {sub["slug"] for sub in body["sub_conditions"]} == {"lupus-nephritis", "lupus-pregnancy"}
    assert body["summary_url"].endswith("/api/v1/conditions/systemic-lupus-erythematosus/summary/")


def test_unknown_slug_is_a_json_404(anon, db):
    assert_error(anon.get("/api/v1/conditions/no-such-thing/"), 404, "not_found")
    assert_error(anon.get("/api/v1/conditions/no-such-thing/summary/"), 404, "not_found")
    assert_error(anon.get("/api/v1/conditions/no-such-thing/references/"), 404, "not_found")


def test_summary_matches_what_the_condition_page_shows(anon, db):
    condition = ConditionFactory(slug="gbs", name="Guillain-Barré syndrome")
    child = ConditionFactory(slug="gbs-child", name="Childhood GBS", parent=condition)
    ivig = TherapyFactory(slug="ivig", name="IVIG")
    plex = TherapyFactory(slug="plex", name="Plasma exchange")
    verdict = VerdictFactory(
        therapy=ivig,
        condition=condition,
        status=Verdict.Status.ESTABLISHED,
        certainty=Verdict.Certainty.HIGH,
        summary="Works.",
    )
    VerdictFactory(therapy=plex, condition=condition, status=Verdict.Status.SUPPORTED)
    VerdictFactory(therapy=ivig, condition=child)
    for direction in [Direction.BENEFIT, Direction.BENEFIT, Direction.HARM]:
        StudyFactory(therapy=ivig, condition=condition, direction=direction)
    StudyFactory(
        therapy=ivig,
        condition=condition,
        direction=Direction.NO_BENEFIT,
        reference=ReferenceFactory(retraction_status=RetractionStatus.RETRACTED),
    )
    VerdictReferenceFactory(
        verdict=verdict,
        reference=ReferenceFactory(retraction_status=RetractionStatus.EXPRESSION_OF_CONCERN),
    )
    GuidelinePositionFactory(therapy=ivig, condition=condition, issuing_body="AAN", year=2021)
    publish()

    response = anon.get("/api/v1/conditions/gbs/summary/")

    assert response.status_code == 200
    body = response.json()
    assert body["condition"]["slug"] == "gbs"
    assert body["last_reviewed_on"] == "2026-01-01"
    assert [item["therapy"]["slug"] for item in body["therapies"]] == ["ivig", "plex"]
    ivig_item = body["therapies"][0]
    assert ivig_item["verdict_id"] == verdict.pk
    assert (ivig_item["status"], ivig_item["certainty"]) == ("established", "high")
    assert ivig_item["summary"] == "Works."
    assert ivig_item["reviewed_on"] == "2026-01-01"
    assert ivig_item["study_counts"] == {
        "benefit": 2,
        "no_benefit": 1,
        "mixed": 0,
        "harm": 1,
        "unclear": 0,
        "total": 4,
    }
    assert [p["issuing_body"] for p in ivig_item["guideline_positions"]] == ["AAN"]
    assert ivig_item["retraction_warnings"] == {
        "cites_flagged_reference": True,
        "flagged_study_count": 1,
        "flagged_reference_count": 1,
    }
    assert body["therapies"][1]["retraction_warnings"]["cites_flagged_reference"] is False
    assert body["sub_conditions"][0]["slug"] == "gbs-child"
    assert body["sub_conditions"][0]["verdicts"][0]["therapy"]["slug"] == "ivig"


def test_condition_references_cover_studies_background_guidelines_and_prevalence(anon, db):
    prevalence = ReferenceFactory(title="Prevalence")
    condition = ConditionFactory(slug="ms", prevalence_reference=prevalence)
    verdict = VerdictFactory(condition=condition)
    study = StudyFactory(condition=condition, therapy=verdict.therapy)
    background = VerdictReferenceFactory(verdict=verdict).reference
    guideline = GuidelinePositionFactory(condition=condition, therapy=verdict.therapy).reference
    ReferenceFactory(title="Unrelated")
    publish(verdict)

    response = anon.get("/api/v1/conditions/ms/references/")

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {prevalence.pk, study.reference_id, background.pk, guideline.pk}

    export = anon.get("/api/v1/conditions/ms/references/", HTTP_ACCEPT="application/x-bibtex")
    assert export.status_code == 200
    assert export["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="ms-references.bib"' in export["Content-Disposition"]
    library = bibtexparser.parse_string(export.content.decode())
    assert library.failed_blocks == []
    assert len(library.entries) == 4


def test_summary_etag_and_304(anon, demo):
    url = f"{RA}summary/"
    first = anon.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert anon.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert anon.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    old = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert anon.get(url, HTTP_IF_MODIFIED_SINCE=old).status_code == 200


@pytest.mark.parametrize(
    "edit",
    ["study", "new_study", "verdict", "reference_retracted", "guideline"],
)
def test_summary_etag_changes_when_the_evidence_changes(anon, demo, edit):
    """A retraction changes it at once; a draft edit once it is published."""
    url = f"{RA}summary/"
    before = anon.get(url)["ETag"]
    study = Study.objects.filter(condition__slug="rheumatoid-arthritis").first()

    if edit == "study":
        study.direction = Direction.HARM if study.direction != Direction.HARM else Direction.MIXED
        study.save()
    elif edit == "new_study":
        StudyFactory(therapy=study.therapy, condition=study.condition)
    elif edit == "verdict":
        verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
        verdict.summary += " Updated."
        verdict.save()
    elif edit == "reference_retracted":
        study.reference.retraction_status = RetractionStatus.RETRACTED
        study.reference.save()
    elif edit == "guideline":
        GuidelinePositionFactory(therapy=study.therapy, condition=study.condition)

    if edit != "reference_retracted":
        assert anon.get(url, HTTP_IF_NONE_MATCH=before).status_code == 304
        publish(Verdict.objects.get(condition__slug="rheumatoid-arthritis"))
    after = anon.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before
