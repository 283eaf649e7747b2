"""/api/v1/verdicts/: filters, detail with studies and references, history, exports."""

import json

import pytest
import rispy
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from evidence.editorial.roles import VIEWER, roles_sync
from evidence.models import Verdict
from tests.api.helpers import assert_error
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def verdicts(db):
    ivig, plex = TherapyFactory(slug="ivig"), TherapyFactory(slug="plex")
    gbs, cidp = ConditionFactory(slug="gbs"), ConditionFactory(slug="cidp")
    built = {
        "ivig-gbs": VerdictFactory(
            therapy=ivig,
            condition=gbs,
            status=Verdict.Status.ESTABLISHED,
            certainty=Verdict.Certainty.HIGH,
        ),
        "plex-gbs": VerdictFactory(
            therapy=plex, condition=gbs, status=Verdict.Status.SUPPORTED, needs_review=True
        ),
        "ivig-cidp": VerdictFactory(
            therapy=ivig, condition=cidp, certainty=Verdict.Certainty.MODERATE
        ),
    }
    publish()  # readers see published verdicts only
    return built


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"ivig-gbs", "plex-gbs", "ivig-cidp"}),
        ("therapy=ivig", {"ivig-gbs", "ivig-cidp"}),
        ("condition=gbs", {"ivig-gbs", "plex-gbs"}),
        ("therapy=ivig&condition=gbs", {"ivig-gbs"}),
        ("status=supported", {"plex-gbs"}),
        ("certainty=moderate", {"ivig-cidp"}),
        ("needs_review=true", {"plex-gbs"}),
        ("needs_review=false", {"ivig-gbs", "ivig-cidp"}),
        ("therapy=unknown", set()),
    ],
)
def test_filters(anon, verdicts, query, expected):
    response = anon.get(f"/api/v1/verdicts/?{query}")

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {verdicts[key].pk for key in expected}


def test_an_invalid_choice_is_a_400_naming_the_filter(anon, verdicts):
    error = assert_error(anon.get("/api/v1/verdicts/?status=excellent"), 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_detail_has_studies_of_the_pair_and_background_references(anon, verdicts):
    verdict = verdicts["ivig-gbs"]
    old = StudyFactory(therapy=verdict.therapy, condition=verdict.condition, reference__year=1990)
    new = StudyFactory(therapy=verdict.therapy, condition=verdict.condition, reference__year=2020)
    StudyFactory(therapy=verdict.therapy, condition=verdicts["ivig-cidp"].condition)
    second = VerdictReferenceFactory(verdict=verdict, position=2).reference
    first = VerdictReferenceFactory(verdict=verdict, position=1).reference
    publish(verdict)

    response = anon.get(f"/api/v1/verdicts/{verdict.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["therapy"]["slug"], body["condition"]["slug"]) == ("ivig", "gbs")
    assert [s["id"] for s in body["studies"]] == [old.pk, new.pk]
    assert [r["id"] for r in body["references"]] == [first.pk, second.pk]
    assert body["history_url"].endswith(f"/api/v1/verdicts/{verdict.pk}/history/")


@pytest.mark.parametrize("bad_id", ["0", "999999", "abc", "99999999999999999999999999", "-1"])
def test_unknown_or_malformed_ids_are_404(anon, verdicts, bad_id):
    assert_error(anon.get(f"/api/v1/verdicts/{bad_id}/"), 404)
    assert_error(anon.get(f"/api/v1/verdicts/{bad_id}/history/"), 404)
    assert_error(anon.get(f"/api/v1/verdicts/{bad_id}/references/"), 404)


def test_history_lists_each_version_with_who_when_and_what_changed(anon, db):
    editor = UserFactory(username="dr-who")
    verdict = VerdictFactory(status=Verdict.Status.INVESTIGATIONAL, summary="Unclear.")
    verdict.status = Verdict.Status.SUPPORTED
    verdict.summary = "Better now."
    verdict._history_user = editor
    verdict.save()
    verdict.needs_review = True
    verdict.save()
    publish(verdict)  # readers see the saves up to the last publication

    response = anon.get(f"/api/v1/verdicts/{verdict.pk}/history/")

    assert response.status_code == 200
    versions = response.json()["results"]
    assert [v["type"] for v in versions] == ["changed", "changed", "created"]
    assert versions[0]["changes"] == [{"field": "needs_review", "old": False, "new": True}]
    assert versions[1]["role"] == "Editor"
    assert versions[1]["user"] is None
    assert b"dr-who" not in response.content
    assert versions[1]["changes"] == [
        {"field": "status", "old": "investigational", "new": "supported"},
        {"field": "summary", "old": "Unclear.", "new": "Better now."},
    ]
    created = {c["field"]: c for c in versions[2]["changes"]}
    assert created["status"] == {"field": "status", "old": None, "new": "investigational"}
    assert versions[2]["date"] <= versions[1]["date"] <= versions[0]["date"]


def test_history_names_the_account_only_to_staff_who_may_view_verdicts(db):
    roles_sync()
    editor = UserFactory(username="dr-who")
    verdict = VerdictFactory(summary="Unclear.")
    verdict.summary = "Better now."
    verdict._history_user = editor
    verdict.save()
    publish(verdict)
    url = f"/api/v1/verdicts/{verdict.pk}/history/"
    viewer = UserFactory(username="staff-viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    signed_in_reader = UserFactory(username="reader")  # not staff, no rights

    names = {}
    for user in (viewer, signed_in_reader):
        client = APIClient()
        client.force_authenticate(user)
        names[user.username] = client.get(url).json()["results"][0]["user"]

    assert names == {"staff-viewer": "dr-who", "reader": None}


def test_history_pages_diff_across_the_page_boundary(anon, db):
    verdict = VerdictFactory(review_interval_months=1)
    for months in (2, 3, 4):
        verdict.review_interval_months = months
        verdict.save()
    publish(verdict)

    page = anon.get(f"/api/v1/verdicts/{verdict.pk}/history/?page_size=2&page=2").json()

    assert page["count"] == 4
    assert page["results"][0]["changes"] == [
        {"field": "review_interval_months", "old": 1, "new": 2}
    ]
    assert page["results"][1]["type"] == "created"


def test_verdict_references_in_citation_order_and_exports(anon, db):
    verdict = VerdictFactory()
    background = VerdictReferenceFactory(verdict=verdict).reference
    study = StudyFactory(therapy=verdict.therapy, condition=verdict.condition)
    publish(verdict)

    body = anon.get(f"/api/v1/verdicts/{verdict.pk}/references/").json()
    assert [r["id"] for r in body["results"]] == [background.pk, study.reference_id]

    ris = anon.get(f"/api/v1/verdicts/{verdict.pk}/references/?format=ris")
    assert ris.status_code == 200
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    records = rispy.loads(ris.content.decode())
    assert [r["doi"] for r in records] == [background.doi, study.reference.doi]

    csl = anon.get(
        f"/api/v1/verdicts/{verdict.pk}/references/",
        HTTP_ACCEPT="application/vnd.citationstyles.csl+json",
    )
    assert [item["id"] for item in json.loads(csl.content)] == [
        str(background.pk),
        str(study.reference_id),
    ]


def test_detail_etag_changes_after_a_study_or_reference_edit(anon, verdicts):
    verdict = verdicts["ivig-gbs"]
    study = StudyFactory(therapy=verdict.therapy, condition=verdict.condition)
    publish(verdict)
    url = f"/api/v1/verdicts/{verdict.pk}/"
    etag = anon.get(url)["ETag"]
    assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    study.participants = 1000
    study.save()
    assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304  # a draft edit
    publish(verdict)
    after_study = anon.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after_study.status_code == 200
    assert after_study["ETag"] != etag

    reference = ReferenceFactory()
    VerdictReferenceFactory(verdict=verdict, reference=reference)
    assert anon.get(url, HTTP_IF_NONE_MATCH=after_study["ETag"]).status_code == 304
    publish(verdict)
    after_link = anon.get(url, HTTP_IF_NONE_MATCH=after_study["ETag"])
    assert after_link.status_code == 200

    # References are not versioned: a change to one shows at once.
    reference.title = "Corrected title"
    reference.save()
    after_reference = anon.get(url, HTTP_IF_NONE_MATCH=after_link["ETag"])
    assert after_reference.status_code == 200
