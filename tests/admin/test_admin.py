"""Every model is curated in the admin: its list, search and change pages work."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from references.models import ImportJob, ImportJobItem, Reference

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"evidence", "therapies", "references"}
]


@pytest.fixture
def staff(admin_client, demo):
    return admin_client


def test_every_evidence_model_is_registered():
    names = {model.__name__ for model in MODELS}
    assert {
        "Condition",
        "Study",
        "Verdict",
        "GuidelinePosition",
        "Therapy",
        "Formulation",
        "AdverseEffect",
        "Contraindication",
        "RegulatoryStatus",
        "Reference",
        "ImportJob",
    } <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_render(staff, model):
    info = model._meta.app_label, model._meta.model_name
    changelist = reverse(f"admin:{info[0]}_{info[1]}_changelist")

    assert staff.get(changelist).status_code == 200
    assert staff.get(changelist, {"q": "ivig"}).status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        response = staff.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk]))
        assert response.status_code == 200


def test_verdict_page_lists_its_studies_inline(staff):
    from evidence.models import Verdict

    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    page = staff.get(reverse("admin:evidence_verdict_change", args=[verdict.pk]))

    assert page.status_code == 200
    assert page.content.decode().count('class="inline-related') >= verdict.studies.count()


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:evidence_verdict_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_import_page_starts_a_job_and_reports_bad_lines(admin_client, settings):
    settings.PUBMED_BASE_URL = "http://127.0.0.1:9/"
    settings.CROSSREF_BASE_URL = "http://127.0.0.1:9/"
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    settings.UPSTREAM_TIMEOUT_SECONDS = 0.5

    response = admin_client.post(
        reverse("admin:references_importjob_add"),
        {"identifiers": "10.1000/xyz123\nnonsense"},
    )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert re.search(rf"/{job.pk}/", response["Location"])
    failed = job.items.get(line=2)
    assert failed.status == ImportJobItem.Status.FAILED and "nonsense" in failed.raw
    page = admin_client.get(response["Location"])
    assert "nonsense" in page.content.decode()


def test_import_page_requires_something_to_import(admin_client):
    response = admin_client.post(reverse("admin:references_importjob_add"), {"identifiers": ""})

    assert response.status_code == 200
    assert "Paste identifiers or choose a file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_page_rejects_an_unreadable_file_with_its_name(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("library.ris", b"\x00\x01garbage\xff" * 10)
    response = admin_client.post(reverse("admin:references_importjob_add"), {"file": upload})

    assert response.status_code == 200
    assert "library.ris" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_refresh_action_starts_a_refresh_job(admin_client, settings):
    settings.PUBMED_BASE_URL = "http://127.0.0.1:9/"
    settings.CROSSREF_BASE_URL = "http://127.0.0.1:9/"
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    reference = Reference.objects.create(title="A trial", pmid="123456")

    response = admin_client.post(
        reverse("admin:references_reference_changelist"),
        {"action": "refresh_from_upstream", "_selected_action": [reference.pk]},
        follow=True,
    )

    assert response.status_code == 200
    job = ImportJob.objects.get(kind=ImportJob.Kind.REFRESH)
    assert job.items.get().reference == reference
    assert "Refresh started" in response.content.decode()


def test_a_study_added_in_the_admin_joins_its_pair_verdict(admin_client):
    from evidence.models import Condition, Study, Verdict
    from therapies.models import Therapy

    therapy = Therapy.objects.create(name="Drug", slug="drug")
    condition = Condition.objects.create(name="Illness", slug="illness")
    verdict = Verdict.objects.create(
        therapy=therapy, condition=condition, status="supported", certainty="low", summary="x"
    )
    reference = Reference.objects.create(title="A new trial", pmid="4242")

    response = admin_client.post(
        reverse("admin:evidence_study_add"),
        {
            "reference": reference.pk,
            "therapy": therapy.pk,
            "condition": condition.pk,
            "design": "rct",
            "species": "human",
            "outcome_summary": "Fewer flares.",
            "direction": "benefit",
            "risk_of_bias": "unclear",
            "extraction_source": "abstract",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    study = Study.objects.get(reference=reference)
    assert study.verdict == verdict
    verdict.refresh_from_db()
    assert verdict.needs_review
