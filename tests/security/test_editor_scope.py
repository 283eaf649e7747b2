"""Editor scopes: an editor limited to some conditions (and their sub-conditions) changes
only their evidence, in the admin and in the API; an unscoped editor keeps global rights."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, roles_sync
from evidence.models import EditorScope, GuidelinePosition, Study
from evidence.permissions import editable_condition_ids, user_can_edit_condition
from tests.factories import (
    ConditionFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
)
from tests.support.admin_forms import admin_form_data
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    roles_sync()
    arthritis = ConditionFactory(slug="arthritis", name="Arthritis")
    ra = ConditionFactory(slug="ra", name="Rheumatoid arthritis", parent=arthritis)
    juvenile = ConditionFactory(slug="jra", name="Juvenile RA", parent=ra)
    lupus = ConditionFactory(slug="lupus", name="Lupus")
    ivig = TherapyFactory(slug="ivig", name="IVIG")
    return {
        "arthritis": arthritis,
        "ra": ra,
        "juvenile": juvenile,
        "lupus": lupus,
        "ivig": ivig,
        "ra_verdict": VerdictFactory(therapy=ivig, condition=ra),
        "lupus_verdict": VerdictFactory(therapy=ivig, condition=lupus),
        "jra_study": StudyFactory(therapy=ivig, condition=juvenile),
        "lupus_study": StudyFactory(therapy=ivig, condition=lupus),
        "lupus_position": GuidelinePositionFactory(therapy=ivig, condition=lupus),
    }


def _editor(username, *conditions):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    for condition in conditions:
        EditorScope.objects.create(user=user, condition=condition)
    return user


def test_the_rule_covers_sub_conditions_and_leaves_unscoped_editors_alone(world):
    scoped = _editor("scoped", world["arthritis"])
    unscoped = _editor("unscoped")

    assert editable_condition_ids(scoped) == {
        world["arthritis"].pk,
        world["ra"].pk,
        world["juvenile"].pk,
    }
    assert user_can_edit_condition(scoped, world["juvenile"])
    assert not user_can_edit_condition(scoped, world["lupus"])
    assert editable_condition_ids(unscoped) is None
    assert user_can_edit_condition(unscoped, world["lupus"])


def test_the_scope_is_read_once_per_user_object(world, django_assert_num_queries):
    scoped = _editor("scoped", world["arthritis"])
    with django_assert_num_queries(4):  # the roots, then one query per tree level + 1
        editable_condition_ids(scoped)
    with django_assert_num_queries(0):
        for condition in ("arthritis", "ra", "juvenile", "lupus"):
            user_can_edit_condition(scoped, world[condition])


# -- admin --------------------------------------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_lists_and_opens_only_in_scope_objects(world):
    client = _admin(_editor("scoped", world["ra"]))

    changelist = client.get(reverse("admin:evidence_study_changelist"))
    in_scope = client.get(reverse("admin:evidence_study_change", args=[world["jra_study"].pk]))
    out_of_scope = client.get(
        reverse("admin:evidence_study_change", args=[world["lupus_study"].pk])
    )

    assert list(changelist.context["cl"].result_list) == [world["jra_study"]]
    assert in_scope.status_code == 200
    assert in_scope.context["has_change_permission"] is True
    assert out_of_scope.status_code == 302  # the admin's "doesn't exist" redirect
    assert Study.objects.filter(pk=world["lupus_study"].pk).exists()


def test_admin_refuses_to_delete_or_change_out_of_scope_objects(world):
    client = _admin(_editor("scoped", world["ra"]))
    position = world["lupus_position"]

    delete = client.post(
        reverse("admin:evidence_guidelineposition_delete", args=[position.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:evidence_guidelineposition_changelist"),
        {"action": "delete_selected", "_selected_action": [position.pk], "post": "yes"},
    )
    verdict = client.get(reverse("admin:evidence_verdict_change", args=[world["lupus_verdict"].pk]))

    assert delete.status_code == 302
    assert bulk.status_code in (200, 302)
    assert GuidelinePosition.objects.filter(pk=position.pk).exists()
    assert verdict.status_code == 302


def test_admin_forms_offer_only_in_scope_conditions(world):
    client = _admin(_editor("scoped", world["ra"]))
    url = reverse("admin:evidence_study_change", args=[world["jra_study"].pk])
    page = client.get(url)

    choices = page.context["adminform"].form.fields["condition"].queryset
    assert set(choices) == {world["ra"], world["juvenile"]}

    data = admin_form_data(page)
    data["condition"] = str(world["lupus"].pk)
    moved = client.post(url, data)

    assert moved.status_code == 200  # the form again, with the error on the field
    assert "condition" in moved.context["adminform"].form.errors
    world["jra_study"].refresh_from_db()
    assert world["jra_study"].condition == world["juvenile"]

    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "evidence", "model_name": "study", "field_name": "condition", "term": ""},
    )
    offered = {result["text"] for result in autocomplete.json()["results"]}
    assert offered == {"Rheumatoid arthritis", "Juvenile RA"}


def test_an_unscoped_editor_still_changes_everything(world):
    client = _admin(_editor("unscoped"))
    url = reverse("admin:evidence_study_change", args=[world["lupus_study"].pk])
    page = client.get(url)

    data = admin_form_data(page)
    data["participants"] = "77"
    assert client.post(url, data).status_code == 302
    world["lupus_study"].refresh_from_db()
    assert world["lupus_study"].participants == 77


# -- API ----------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_refuses_writes_to_an_out_of_scope_study(world):
    publish(world["lupus_verdict"])  # readers see the study once its pair is published
    api = _api(_editor("scoped", world["ra"]))
    url = f"/api/v1/studies/{world['lupus_study'].pk}/"

    patch = api.patch(url, {"participants": 5}, format="json")
    delete = api.delete(url)

    for response in (patch, delete):
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "permission_denied"
        assert "editor scope" in response.json()["error"]["message"]
    assert api.get(url).status_code == 200  # reading is not scoped
    world["lupus_study"].refresh_from_db()
    assert world["lupus_study"].participants == 40


def test_api_allows_writes_in_scope_but_not_moving_a_study_out(world):
    api = _api(_editor("scoped", world["ra"]))
    url = f"/api/v1/studies/{world['jra_study'].pk}/"

    assert api.patch(url, {"participants": 12}, format="json").status_code == 200
    moved = api.patch(url, {"condition": "lupus"}, format="json")

    assert moved.status_code == 403
    assert "'lupus'" in moved.json()["error"]["message"]
    world["jra_study"].refresh_from_db()
    assert (world["jra_study"].participants, world["jra_study"].condition) == (
        12,
        world["juvenile"],
    )


def test_api_create_checks_the_condition_of_the_pair(world):
    api = _api(_editor("scoped", world["ra"]))
    body = {
        "reference": ReferenceFactory().pk,
        "therapy": "ivig",
        "design": "rct",
        "outcome": "pain",
        "outcome_summary": "Less pain.",
        "direction": "benefit",
    }

    refused = api.post("/api/v1/studies/", {**body, "condition": "lupus"}, format="json")
    created = api.post("/api/v1/studies/", {**body, "condition": "jra"}, format="json")

    assert refused.status_code == 403, refused.content
    assert created.status_code == 201, created.content
    assert not Study.objects.filter(condition=world["lupus"], outcome="pain").exists()


def test_api_unscoped_editor_keeps_global_rights(world):
    api = _api(_editor("unscoped"))

    response = api.delete(f"/api/v1/studies/{world['lupus_study'].pk}/")

    assert response.status_code == 204
