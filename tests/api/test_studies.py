"""/api/v1/studies/: filters, pagination, and writes through the service for editors."""

import pytest
from rest_framework.test import APIClient

from evidence.models import Design, Direction, Study
from tests.api.helpers import assert_error
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    VerdictFactory,
)
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db):
    verdict = VerdictFactory(therapy__slug="ivig", condition__slug="gbs")
    return verdict


def new_study_payload(**overrides):
    payload = {
        "reference": ReferenceFactory().pk,
        "therapy": "ivig",
        "condition": "gbs",
        "design": "rct",
        "direction": "benefit",
        "outcome": "Disability at 4 weeks",
        "outcome_summary": "Faster recovery.",
        "participants": 150,
    }
    payload.update(overrides)
    return payload


# --- reading ------------------------------------------------------------------------------


@pytest.fixture
def studies(pair):
    """Three studies in two pairs, both published: readers see only published studies."""
    plex = TherapyFactory(slug="plex")
    cidp = ConditionFactory(slug="cidp")
    VerdictFactory(therapy=plex, condition=cidp)
    built = {
        "rct-1995": StudyFactory(
            therapy=pair.therapy,
            condition=pair.condition,
            design=Design.RCT,
            reference__year=1995,
        ),
        "cohort-2010": StudyFactory(
            therapy=pair.therapy,
            condition=pair.condition,
            design=Design.COHORT,
            direction=Direction.NO_BENEFIT,
            reference__year=2010,
        ),
        "animal-2020": StudyFactory(
            therapy=plex,
            condition=cidp,
            design=Design.ANIMAL,
            species="mouse",
            direction=Direction.HARM,
            reference__year=2020,
        ),
    }
    publish()
    return built


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("therapy=ivig", {"rct-1995", "cohort-2010"}),
        ("condition=cidp", {"animal-2020"}),
        ("design=cohort", {"cohort-2010"}),
        ("direction=harm", {"animal-2020"}),
        ("species=Mouse", {"animal-2020"}),
        ("year_min=2000", {"cohort-2010", "animal-2020"}),
        ("year_max=2010", {"rct-1995", "cohort-2010"}),
        ("year_min=2000&year_max=2015", {"cohort-2010"}),
        ("therapy=ivig&direction=benefit", {"rct-1995"}),
    ],
)
def test_filters(anon, studies, query, expected):
    response = anon.get(f"/api/v1/studies/?{query}")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        studies[key].pk for key in expected
    }


@pytest.mark.parametrize(
    "query", ["year_min=abc", "year_max=1e400", "year_min=99999", "design=poem", "direction=up"]
)
def test_bad_filter_values_are_400_naming_the_parameter(anon, studies, query):
    error = assert_error(anon.get(f"/api/v1/studies/?{query}"), 400, "invalid")
    assert list(error["fields"]) == [query.split("=")[0]]


def test_pagination_is_stable_and_capped(anon, pair):
    for _ in range(7):
        StudyFactory(therapy=pair.therapy, condition=pair.condition, reference__year=2000)
    publish(pair)

    pages = [anon.get(f"/api/v1/studies/?page_size=3&page={n}").json() for n in (1, 2, 3)]

    ids = [row["id"] for page in pages for row in page["results"]]
    assert len(ids) == len(set(ids)) == 7
    assert pages[0]["count"] == 7
    assert pages[0]["next"].endswith("page=2&page_size=3")
    assert pages[2]["next"] is None
    capped = anon.get("/api/v1/studies/?page_size=100000").json()
    assert len(capped["results"]) == 7  # capped at 200, not an error


@pytest.mark.parametrize("page", ["0", "4", "999999999999999999999999", "last", "abc", "-1"])
def test_pages_that_do_not_exist_are_404(anon, studies, page):
    assert_error(anon.get(f"/api/v1/studies/?page={page}&page_size=1"), 404, "not_found")


def test_detail(anon, studies):
    study = studies["rct-1995"]

    body = anon.get(f"/api/v1/studies/{study.pk}/").json()

    assert body["therapy"]["slug"] == "ivig"
    assert body["verdict"] == study.verdict_id
    assert body["reference"]["id"] == study.reference_id
    assert body["outcome_summary"] == study.outcome_summary


# --- writing ------------------------------------------------------------------------------


def test_anonymous_cannot_write(anon, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)

    assert_error(anon.post("/api/v1/studies/", new_study_payload(), format="json"), 401)
    assert_error(anon.patch(f"/api/v1/studies/{study.pk}/", {"participants": 1}), 401)
    assert_error(anon.delete(f"/api/v1/studies/{study.pk}/"), 401)
    assert Study.objects.count() == 1


def test_a_token_without_model_permissions_cannot_write(reader_client, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)
    publish(pair)

    response = reader_client.post("/api/v1/studies/", new_study_payload(), format="json")
    assert_error(response, 403, "permission_denied")
    assert_error(reader_client.patch(f"/api/v1/studies/{study.pk}/", {"participants": 1}), 403)
    assert_error(reader_client.delete(f"/api/v1/studies/{study.pk}/"), 403)
    assert reader_client.get(f"/api/v1/studies/{study.pk}/").status_code == 200


def test_an_editor_creates_a_study_attached_to_the_pair_verdict(editor_client, editor, pair):
    response = editor_client.post("/api/v1/studies/", new_study_payload(), format="json")

    assert response.status_code == 201, response.content
    study = Study.objects.get()
    assert study.verdict == pair
    assert response["Location"].endswith(f"/api/v1/studies/{study.pk}/?version=draft")
    assert response.json()["verdict"] == pair.pk
    assert study.history.get().history_user == editor


def test_a_study_without_a_verdict_for_its_pair_has_none(editor_client, pair):
    TherapyFactory(slug="plex")

    response = editor_client.post(
        "/api/v1/studies/", new_study_payload(therapy="plex"), format="json"
    )

    assert response.status_code == 201
    assert Study.objects.get().verdict is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"therapy": "no-such-therapy"}, "therapy"),
        ({"reference": 987654}, "reference"),
        ({"design": "poem"}, "design"),
        ({"participants": -5}, "participants"),
        ({"effect_size": 1.2}, "non_field_errors"),  # an effect size needs its measure
        ({"ci_lower": 2.0, "ci_upper": 1.0}, "non_field_errors"),
        # Details read in a citing article must name it.
        ({"extraction_source": "seed_article"}, "non_field_errors"),
        ({"extraction_source": "hearsay"}, "extraction_source"),
        ({"extraction_reference": 987654}, "extraction_reference"),
    ],
)
def test_invalid_studies_are_400_naming_the_field(editor_client, pair, overrides, field):
    response = editor_client.post("/api/v1/studies/", new_study_payload(**overrides), format="json")

    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert not Study.objects.exists()


def test_a_duplicate_study_is_400(editor_client, pair):
    payload = new_study_payload()
    assert editor_client.post("/api/v1/studies/", payload, format="json").status_code == 201

    assert_error(editor_client.post("/api/v1/studies/", payload, format="json"), 400, "invalid")
    assert Study.objects.count() == 1


def test_patching_the_pair_moves_the_study_to_that_verdict(editor_client, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)
    other = VerdictFactory(therapy=pair.therapy, condition__slug="cidp")

    response = editor_client.patch(
        f"/api/v1/studies/{study.pk}/", {"condition": "cidp", "participants": 12}, format="json"
    )

    assert response.status_code == 200, response.content
    study.refresh_from_db()
    assert (study.verdict, study.participants) == (other, 12)
    assert response.json()["condition"]["slug"] == "cidp"


def test_an_editor_deletes_a_study(editor_client, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)

    assert editor_client.delete(f"/api/v1/studies/{study.pk}/").status_code == 204
    assert not Study.objects.exists()
    assert_error(editor_client.delete(f"/api/v1/studies/{study.pk}/"), 404)


def test_put_is_not_offered(editor_client, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)

    response = editor_client.put(f"/api/v1/studies/{study.pk}/", new_study_payload(), format="json")

    assert_error(response, 405, "method_not_allowed")


def test_study_etag_changes_after_an_edit_is_published(anon, editor_client, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)
    publish(pair)
    url = f"/api/v1/studies/{study.pk}/"
    etag = anon.get(url)["ETag"]

    response = editor_client.patch(url, {"outcome_summary": "Revised."}, format="json")
    assert response.status_code == 200, response.content

    # The edit is the draft's: readers still see the published study.
    draft = anon.get(url, HTTP_IF_NONE_MATCH=etag)
    assert draft.status_code == 304
    assert anon.get(url).json()["outcome_summary"] != "Revised."
    publish(pair)
    after = anon.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after.json()["outcome_summary"] == "Revised."


def test_the_browsable_api_works_for_a_logged_in_editor(editor, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)
    publish(pair)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    for url in ("/api/v1/studies/", f"/api/v1/studies/{study.pk}/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"Study" in response.content
    # Session writes need the CSRF token, as in the admin.
    assert_error(client.post("/api/v1/studies/", new_study_payload(), format="json"), 403)
