"""Every admin class of ours asks the object rule (evidence.permissions), and the admin
doors it guards: the infrastructure admins, a viewer's read-only pages, and the inlines
of a therapy and a verdict under a limited editor's scope (issue 12)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from config.admin import InlinePermissionMixin, ObjectPermissionMixin
from evidence.editorial.roles import EDITOR, REVIEWER, VIEWER, roles_sync
from evidence.models import Study
from tests.factories import (
    ReferenceFactory,
    RegulatoryStatusFactory,
)
from tests.support.admin_forms import admin_form_data
from tests.support.doors import doors_world, signed_in, staff
from therapies.models import RegulatoryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return doors_world()


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
            f"{prefix}-{total}-reference": ReferenceFactory().pk,
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
            f"{prefix}-{total}-extraction_source": "abstract",
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
