"""The doors through which limited editors and reviewers could change other conditions'
evidence (issue 12), each shut: the condition tree, history reverts, the candidate API,
the reviewer's sign-off and saved searches. Every door asks evidence.permissions."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from config.admin import InlinePermissionMixin, ObjectPermissionMixin
from evidence.editorial.roles import EDITOR, REVIEWER, VIEWER, roles_sync
from evidence.models import Candidate, Condition, EditorScope, SavedSearch, Study, Verdict
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    RegulatoryStatusFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
)
from tests.support.admin_forms import admin_form_data
from therapies.models import RegulatoryStatus

pytestmark = pytest.mark.django_db


def staff(username, role, *conditions):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for condition in conditions:
        EditorScope.objects.create(user=user, condition=condition)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    roles_sync()
    ra = ConditionFactory(slug="ra", name="Rheumatoid arthritis")
    juvenile = ConditionFactory(slug="jra", name="Juvenile RA", parent=ra)
    lupus = ConditionFactory(slug="lupus", name="Lupus")
    nephritis = ConditionFactory(slug="nephritis", name="Lupus nephritis", parent=lupus)
    ivig = TherapyFactory(slug="ivig", name="IVIG")
    ra_verdict = VerdictFactory(therapy=ivig, condition=juvenile)
    lupus_verdict = VerdictFactory(
        therapy=ivig,
        condition=lupus,
        needs_review=True,
        review_reasons=[{"code": "retracted_study", "message": "Retracted.", "at": "2026-11-01"}],
    )
    return {
        "ra": ra,
        "juvenile": juvenile,
        "lupus": lupus,
        "nephritis": nephritis,
        "ivig": ivig,
        "ra_verdict": ra_verdict,
        "lupus_verdict": lupus_verdict,
        "ra_candidate": Candidate.objects.create(
            verdict=ra_verdict, reference=ReferenceFactory(), suggested_design="rct"
        ),
        "lupus_candidate": Candidate.objects.create(
            verdict=lupus_verdict, reference=ReferenceFactory(), suggested_design="rct"
        ),
        "ra_search": SavedSearch.objects.create(verdict=ra_verdict, query="ivig arthritis"),
        "lupus_search": SavedSearch.objects.create(verdict=lupus_verdict, query="ivig lupus"),
    }


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


# -- every admin class asks the rule ------------------------------------------------------


OUR_APPS = {"evidence", "therapies", "references"}


def test_every_registered_admin_of_ours_asks_the_object_rule():
    ours = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    }
    unruled = [
        type(model_admin).__name__
        for model_admin in ours.values()
        if not isinstance(model_admin, ObjectPermissionMixin)
    ]
    unruled_inlines = [
        inline.__name__
        for model_admin in ours.values()
        for inline in model_admin.inlines
        if not issubclass(inline, InlinePermissionMixin)
    ]

    assert unruled == []
    assert unruled_inlines == []


def test_no_role_reaches_the_infrastructure_admins(db):
    """Users, tokens, beat schedules and lockouts hold no evidence and follow Django's
    model permissions: only superusers may use them, so no role has any of them."""
    roles_sync()
    infrastructure = {
        model._meta.app_label
        for model in admin.site._registry
        if model._meta.app_label not in OUR_APPS
    }
    granted = Group.objects.filter(
        name__in=[EDITOR, REVIEWER, VIEWER],
        permissions__content_type__app_label__in=infrastructure,
    )

    assert infrastructure >= {"auth", "axes", "django_celery_beat", "authtoken"}
    assert list(granted.values_list("name", "permissions__codename")) == []


def test_a_viewer_changes_nothing_but_sees_everything(world):
    client = signed_in(staff("viewer", VIEWER))
    verdict = world["lupus_verdict"]

    page = client.get(reverse("admin:evidence_verdict_change", args=[verdict.pk]))
    sign_off = client.post(reverse("admin:evidence_verdict_sign_off", args=[verdict.pk]))

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert sign_off.status_code == 403


# -- inlines ---------------------------------------------------------------------------


def _inline_prefix(response, model):
    return _inline_formset(response, model).prefix


def test_regulatory_statuses_follow_the_scope_in_their_therapy_inline(world):
    inside = RegulatoryStatusFactory(therapy=world["ivig"], condition=world["juvenile"])
    outside = RegulatoryStatusFactory(
        therapy=world["ivig"], condition=world["lupus"], agency=RegulatoryStatus.Agency.EMA
    )
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    url = reverse("admin:therapies_therapy_change", args=[world["ivig"].pk])
    page = client.get(url)
    data = admin_form_data(page)
    prefix = _inline_prefix(page, RegulatoryStatus)
    shown = {form.instance.pk for form in _inline_formset(page, RegulatoryStatus).forms}

    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data.update(
        {
            f"{prefix}-{total}-condition": str(world["nephritis"].pk),
            f"{prefix}-{total}-agency": RegulatoryStatus.Agency.TGA,
            f"{prefix}-{total}-status": RegulatoryStatus.Status.NOT_APPROVED,
        }
    )
    refused = client.post(url, data)
    data[f"{prefix}-{total}-condition"] = str(world["juvenile"].pk)
    allowed = client.post(url, data)

    assert shown == {inside.pk}
    assert refused.status_code == 200  # the form again, with the row's error
    assert allowed.status_code == 302
    assert set(RegulatoryStatus.objects.values_list("condition__slug", "agency")) == {
        ("jra", "FDA"),
        ("lupus", "EMA"),
        ("jra", "TGA"),
    }
    assert RegulatoryStatus.objects.filter(pk=outside.pk).exists()


def test_a_limited_editor_adds_a_study_under_their_verdict(world):
    client = signed_in(staff("scoped", EDITOR, world["ra"]))
    verdict = world["ra_verdict"]
    url = reverse("admin:evidence_verdict_change", args=[verdict.pk])
    page = client.get(url)
    data = admin_form_data(page)
    prefix = _inline_prefix(page, Study)
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data.update(
        {
            f"{prefix}-{total}-reference": str(ReferenceFactory().pk),
            f"{prefix}-{total}-design": "rct",
            f"{prefix}-{total}-species": "human",
            f"{prefix}-{total}-outcome": "joint pain",
            f"{prefix}-{total}-outcome_summary": "Less pain at 12 weeks.",
            f"{prefix}-{total}-direction": "benefit",
            f"{prefix}-{total}-risk_of_bias": "high",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, _errors(response)
    study = Study.objects.get(outcome="joint pain")
    assert (study.condition, study.therapy, study.verdict) == (
        world["juvenile"],
        world["ivig"],
        verdict,
    )


def _inline_formset(response, model):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    )


def _errors(response):
    if response.context is None:
        return response.status_code
    return [
        (inline.formset.model.__name__, inline.formset.errors)
        for inline in response.context.get("inline_admin_formsets", [])
    ] + [response.context["adminform"].form.errors]
