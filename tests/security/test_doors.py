"""The doors through which limited editors and reviewers could change other conditions'
evidence (issue 12), each shut: the condition tree, history reverts, the candidate API,
the reviewer's sign-off and saved searches. Every door asks evidence.permissions."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, REVIEWER
from evidence.models import Candidate, Condition, SavedSearch, Study, Verdict
from tests.factories import (
    StudyFactory,
)
from tests.support.admin_forms import admin_form_data
from tests.support.doors import doors_world, signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return doors_world()


# -- the condition tree ----------------------------------------------------------------


def test_a_limited_editor_cannot_pull_another_condition_under_their_own(world):
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    lupus = world["lupus"]
    url = reverse("admin:evidence_condition_change", args=[lupus.pk])

    page = client.get(url)
    posted = client.post(
        url, {"name": lupus.name, "slug": lupus.slug, "parent": world["ra"].pk, "synonyms": "[]"}
    )

    assert page.status_code == 302  # not theirs: the admin's "doesn't exist" redirect
    assert posted.status_code == 302
    lupus.refresh_from_db()
    assert lupus.parent_id is None


def test_a_limited_editor_cannot_move_their_sub_condition_out_of_their_scope(world):
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    juvenile = world["juvenile"]
    url = reverse("admin:evidence_condition_change", args=[juvenile.pk])
    data = admin_form_data(client.get(url))

    data["parent"] = str(world["lupus"].pk)
    moved = client.post(url, data)
    data["parent"] = ""
    made_top_level = client.post(url, data)

    for response in (moved, made_top_level):
        assert response.status_code == 200
        assert "parent" in response.context["adminform"].form.errors
    juvenile.refresh_from_db()
    assert juvenile.parent_id == world["ra"].pk


def test_a_limited_editor_adds_conditions_only_under_theirs_and_reads_their_root(world):
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    add = reverse("admin:evidence_condition_add")
    body = {"name": "Felty syndrome", "slug": "felty", "synonyms": "[]"}

    top_level = client.post(add, body)
    under_lupus = client.post(add, {**body, "parent": world["lupus"].pk})
    under_ra = client.post(add, {**body, "parent": world["ra"].pk})
    root = client.get(reverse("admin:evidence_condition_change", args=[world["ra"].pk]))

    assert top_level.status_code == 200 and "parent" in top_level.context["adminform"].form.errors
    assert under_lupus.status_code == 200
    assert under_ra.status_code == 302
    assert Condition.objects.get(slug="felty").parent_id == world["ra"].pk
    assert root.status_code == 200
    assert root.context["has_change_permission"] is False  # their scope's root: read-only


# -- history reverts -------------------------------------------------------------------


def _revert_url(obj, history):
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        args=[obj.pk, history.history_id],
    )


def test_reverting_an_object_outside_the_scope_is_refused(world):
    study = StudyFactory(therapy=world["ivig"], condition=world["lupus"], participants=40)
    first = study.history.earliest()
    study.participants = 41
    study.save()
    client = signed_in(staff("scoped", EDITOR, world["ra"]))

    response = client.post(_revert_url(study, first), {"participants": "40"})

    assert response.status_code in (403, 404)
    study.refresh_from_db()
    assert study.participants == 41


def test_reverting_to_a_version_under_another_condition_is_refused(world):
    study = StudyFactory(therapy=world["ivig"], condition=world["lupus"], participants=40)
    under_lupus = study.history.earliest()
    study.condition = world["juvenile"]
    study.save()  # moved into the scope by someone with global rights
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    url = _revert_url(study, under_lupus)

    page = client.get(url)
    data = admin_form_data(page) if page.status_code == 200 else {}
    data["condition"] = str(world["lupus"].pk)
    response = client.post(url, data)

    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.context["adminform"].form.errors
    study.refresh_from_db()
    assert study.condition_id == world["juvenile"].pk


def test_a_limited_editor_reverts_inside_their_scope(world):
    study = StudyFactory(therapy=world["ivig"], condition=world["juvenile"], participants=40)
    first = study.history.earliest()
    study.participants = 41
    study.save()
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    url = _revert_url(study, first)

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.participants == 40


# -- candidates in the API ---------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("action", "body"), [("include", {}), ("exclude", {"reason": "wrong_population"})]
)
def test_the_candidate_api_decides_only_inside_the_scope(world, action, body):
    api = _api(staff("scoped", EDITOR, world["ra"]))
    outside, inside = world["lupus_candidate"], world["ra_candidate"]

    refused = api.post(f"/api/v1/candidates/{outside.pk}/{action}/", body, format="json")
    allowed = api.post(f"/api/v1/candidates/{inside.pk}/{action}/", body, format="json")
    listed = api.get("/api/v1/candidates/").json()["results"]

    assert refused.status_code == 404
    outside.refresh_from_db()
    assert outside.status == Candidate.Status.UNTRIAGED
    assert not Study.objects.filter(condition=world["lupus"]).exists()
    assert allowed.status_code == 200
    assert [item["id"] for item in listed] == [inside.pk]


# -- the reviewer's sign-off -----------------------------------------------------------


def test_a_limited_reviewer_cannot_sign_off_another_conditions_verdict(world):
    client = signed_in(staff("scoped-reviewer", REVIEWER, world["ra"]))
    outside, inside = world["lupus_verdict"], world["ra_verdict"]
    inside.needs_review = True
    inside.save()

    refused = client.post(reverse("admin:evidence_verdict_sign_off", args=[outside.pk]))
    bulk = client.post(
        reverse("admin:evidence_verdict_changelist"),
        {"action": "sign_off_selected", "_selected_action": [outside.pk]},
    )
    allowed = client.post(reverse("admin:evidence_verdict_sign_off", args=[inside.pk]))

    assert refused.status_code == 404
    assert bulk.status_code in (200, 302)
    outside.refresh_from_db()
    assert outside.needs_review is True
    assert outside.review_reasons[0]["code"] == "retracted_study"
    assert allowed.status_code == 302
    inside.refresh_from_db()
    assert inside.needs_review is False


def test_an_editor_cannot_sign_off_at_all(world):
    client = signed_in(staff("editor", EDITOR))

    response = client.post(
        reverse("admin:evidence_verdict_sign_off", args=[world["lupus_verdict"].pk])
    )

    assert response.status_code == 403
    assert Verdict.objects.get(pk=world["lupus_verdict"].pk).needs_review is True


# -- saved searches ------------------------------------------------------------------


def test_saved_searches_in_the_admin_follow_the_scope(world):
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    outside = world["lupus_search"]

    listed = client.get(reverse("admin:evidence_savedsearch_changelist"))
    change = client.get(reverse("admin:evidence_savedsearch_change", args=[outside.pk]))
    delete = client.post(
        reverse("admin:evidence_savedsearch_delete", args=[outside.pk]), {"post": "yes"}
    )
    add_outside = client.post(
        reverse("admin:evidence_savedsearch_add"),
        {"verdict": world["lupus_verdict"].pk, "query": "ivig sle", "is_active": "on"},
    )
    add_inside = client.post(
        reverse("admin:evidence_savedsearch_add"),
        {"verdict": world["ra_verdict"].pk, "query": "ivig jra", "is_active": "on"},
    )

    assert list(listed.context["cl"].result_list) == [world["ra_search"]]
    assert change.status_code == 302 and delete.status_code == 302
    assert SavedSearch.objects.filter(pk=outside.pk).exists()
    assert add_outside.status_code == 200  # the form again: that verdict is not a choice
    assert not SavedSearch.objects.filter(query="ivig sle").exists()
    assert add_inside.status_code == 302
    assert SavedSearch.objects.filter(query="ivig jra").exists()
