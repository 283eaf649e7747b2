"""The Editor, Reviewer and Viewer roles: what each may and may not do, in the admin and
through the API."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR_PERMISSIONS, REVIEWER, VIEWER, role_permissions
from evidence.models import Candidate, Study, Verdict
from references.models import Reference
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db


def _admin(client, user):
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def candidate(ra_verdict):
    return Candidate.objects.create(
        verdict=ra_verdict,
        reference=ReferenceFactory(publication_types=["Randomized Controlled Trial"]),
        suggested_design="rct",
    )


def _study_body(verdict):
    return {
        "reference": ReferenceFactory().pk,
        "therapy": verdict.therapy.slug,
        "condition": verdict.condition.slug,
        "design": "rct",
        "outcome_summary": "Less pain.",
        "direction": "benefit",
    }


def _sign_off(client, verdict):
    return client.post(reverse("admin:evidence_verdict_sign_off", args=[verdict.pk]), {"note": ""})


def test_the_data_migration_makes_the_three_groups():
    # Run its function again: a transactional test elsewhere may have flushed its rows.
    migration = importlib.import_module("evidence.migrations.0006_roles")
    Group.objects.filter(name__in=["Editor", "Reviewer", "Viewer"]).delete()

    migration.create_groups(apps, None)

    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Reviewer", "Viewer"}
    reviewer = Group.objects.get(name="Reviewer")
    assert reviewer.permissions.filter(codename="signoff_verdict").exists()
    viewer = Group.objects.get(name="Viewer")
    assert viewer.permissions.exists()
    assert not viewer.permissions.exclude(codename__startswith="view_").exists()


def test_every_model_the_roles_name_exists():
    for app_label, models in EDITOR_PERMISSIONS.items():
        names = {model._meta.model_name for model in apps.get_app_config(app_label).get_models()}
        assert set(models) - {"*"} <= names, app_label


def test_roles_differ_only_as_documented():
    editor, reviewer, viewer = (role_permissions(r) for r in ("Editor", REVIEWER, VIEWER))
    assert reviewer - editor == {("evidence", "signoff_verdict"), ("evidence", "publish_verdict")}
    assert ("evidence", "view_verdictversion") in editor
    assert ("evidence", "add_verdictversion") not in editor
    assert ("evidence", "change_verdict") in editor
    assert ("evidence", "add_verdict") not in editor
    assert ("evidence", "delete_candidate") not in editor
    assert ("references", "delete_reference") not in editor
    assert {codename.split("_")[0] for _, codename in viewer} == {"view"}
    assert ("evidence", "view_candidate") in viewer


def test_editor(client, editor, ra_verdict, candidate):
    admin = _admin(client, editor)
    # Curates studies, references, imports and the triage queue.
    for name in (
        "admin:evidence_study_add",
        "admin:references_reference_add",
        "admin:references_importjob_add",
        "admin:evidence_candidate_changelist",
        "admin:evidence_savedsearch_add",
        "admin:therapies_therapy_add",
        "admin:evidence_verdict_needs_review",
    ):
        assert admin.get(reverse(name)).status_code == 200, name
    change = admin.get(reverse("admin:evidence_verdict_change", args=[ra_verdict.pk]))
    assert change.status_code == 200
    assert 'name="_save"' in change.content.decode()
    # ... but neither signs off, nor adds verdicts, nor deletes references.
    assert 'id="sign-off-form"' not in change.content.decode()
    assert _sign_off(admin, ra_verdict).status_code == 403
    assert admin.get(reverse("admin:evidence_verdict_add")).status_code == 403
    reference = Reference.objects.first()
    delete = reverse("admin:references_reference_delete", args=[reference.pk])
    assert admin.get(delete).status_code == 403
    changelist = admin.get(reverse("admin:evidence_verdict_changelist")).content.decode()
    assert "sign_off_selected" not in changelist and "request_review_selected" in changelist

    api = _api(editor)
    assert api.get("/api/v1/candidates/").status_code == 200
    response = api.post(f"/api/v1/candidates/{candidate.pk}/include/", {}, format="json")
    assert response.status_code == 200, response.content
    assert api.post("/api/v1/studies/", _study_body(ra_verdict), format="json").status_code == 201
    ra_verdict.refresh_from_db()
    assert ra_verdict.needs_review and ra_verdict.reviewed_by is None


def test_reviewer(client, reviewer, ra_verdict, candidate):
    admin = _admin(client, reviewer)
    assert admin.get(reverse("admin:evidence_study_add")).status_code == 200
    change = admin.get(reverse("admin:evidence_verdict_change", args=[ra_verdict.pk]))
    assert 'id="sign-off-form"' in change.content.decode()
    changelist = admin.get(reverse("admin:evidence_verdict_changelist")).content.decode()
    assert "sign_off_selected" in changelist

    Verdict.objects.filter(pk=ra_verdict.pk).update(needs_review=True)
    assert _sign_off(admin, ra_verdict).status_code == 302
    ra_verdict.refresh_from_db()
    assert not ra_verdict.needs_review and ra_verdict.reviewed_by == reviewer

    api = _api(reviewer)
    response = api.post(
        f"/api/v1/candidates/{candidate.pk}/exclude/", {"reason": "no_data"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_viewer(client, viewer, ra_verdict, candidate):
    admin = _admin(client, viewer)
    for model in (Verdict, Study, Reference, Candidate):
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin.get(url).status_code == 200, url
    change_url = reverse("admin:evidence_verdict_change", args=[ra_verdict.pk])
    page = admin.get(change_url).content.decode()
    assert 'name="_save"' not in page  # read-only
    assert admin.post(change_url, {"summary": "Changed"}).status_code == 403
    assert admin.get(reverse("admin:evidence_study_add")).status_code == 403
    assert admin.get(reverse("admin:references_importjob_add")).status_code == 403
    assert _sign_off(admin, ra_verdict).status_code == 403
    include = reverse("admin:evidence_candidate_include", args=[candidate.pk])
    assert admin.post(include).status_code == 403

    api = _api(viewer)
    assert api.get("/api/v1/candidates/").status_code == 200
    assert (
        api.post(f"/api/v1/candidates/{candidate.pk}/include/", {}, format="json").status_code
        == 403
    )
    assert api.post("/api/v1/studies/", _study_body(ra_verdict), format="json").status_code == 403
    assert (
        api.post("/api/v1/imports/", {"identifiers": ["10.1000/x"]}, format="json").status_code
        == 403
    )
    candidate.refresh_from_db()
    assert candidate.status == "untriaged"


def test_staff_without_a_role_sees_nothing(client, make_user, ra_verdict):
    admin = _admin(client, make_user(None, "staff-only"))
    assert admin.get(reverse("admin:evidence_verdict_changelist")).status_code == 403
    assert _api(make_user(None, "staff-only")).get("/api/v1/candidates/").status_code == 403
