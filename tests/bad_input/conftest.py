"""Fixtures for the bad-input tests: an editor with every model permission, and a world
whose every text field holds markup, so each page can be checked for escaping.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.models import Candidate, OutcomeFinding, SavedSearch, VerdictReference
from references.models import ImportJob, ImportJobItem, RetractionStatus
from tests.bad_input.payloads import Payloads
from tests.factories import (
    AdverseEffectFactory,
    AdverseEffectReferenceFactory,
    ConditionFactory,
    ContraindicationFactory,
    ContraindicationReferenceFactory,
    FormulationFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    ReferenceNoticeFactory,
    RegulatoryStatusFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
)


@pytest.fixture
def payloads():
    return Payloads()


# Long function: one object of every model with markup in every free-text field, listed
# model by model so a field left out is easy to see.
@pytest.fixture
def xss_world(db, payloads):
    """One therapy x condition pair with everything a page can show, all of it markup."""
    p = payloads
    condition = ConditionFactory(
        slug="xss-condition",
        **p.fill(ConditionFactory._meta.model),
        synonyms=[p("Condition.synonyms")],
    )
    therapy = TherapyFactory(
        slug="xss-therapy",
        **p.fill(TherapyFactory._meta.model),
        aliases=[p("Therapy.aliases")],
    )
    reference = ReferenceFactory(
        **p.fill(ReferenceFactory._meta.model),
        url="https://example.org/?q=<script>",
        authors=[
            {
                "family": p("Reference.authors.family"),
                "given": p("Reference.authors.given"),
                "initials": "JA",
            },
            {"collective": p("Reference.authors.collective")},
        ],
        publication_types=[p("Reference.publication_types")],
        year=2021,
        retraction_status=RetractionStatus.RETRACTED,
    )
    ReferenceNoticeFactory(reference=reference, **p.fill(ReferenceNoticeFactory._meta.model))
    condition.prevalence_reference = reference
    condition.save()
    verdict = VerdictFactory(
        therapy=therapy,
        condition=condition,
        **p.fill(VerdictFactory._meta.model),
        key_takeaways=[p("Verdict.key_takeaways")],
        needs_review=True,
        review_reasons=[
            {"code": "manual", "message": p("Verdict.review_reasons"), "at": "2026-01-02"}
        ],
    )
    VerdictReference.objects.create(verdict=verdict, reference=reference, position=1)
    study = StudyFactory(
        reference=reference,
        therapy=therapy,
        condition=condition,
        **p.fill(StudyFactory._meta.model),
        effect_measure="rr",
        effect_size=0.8,
        ci_lower=0.6,
        ci_upper=1.1,
    )
    GuidelinePositionFactory(
        therapy=therapy,
        condition=condition,
        reference=reference,
        **p.fill(GuidelinePositionFactory._meta.model),
    )
    OutcomeFinding.objects.create(
        verdict=verdict,
        certainty="low",
        studies_count=1,
        **p.fill(OutcomeFinding),
    )
    FormulationFactory(therapy=therapy, **p.fill(FormulationFactory._meta.model))
    effect = AdverseEffectFactory(therapy=therapy, **p.fill(AdverseEffectFactory._meta.model))
    AdverseEffectReferenceFactory(adverse_effect=effect, reference=reference)
    contraindication = ContraindicationFactory(
        therapy=therapy, **p.fill(ContraindicationFactory._meta.model)
    )
    ContraindicationReferenceFactory(contraindication=contraindication, reference=reference)
    RegulatoryStatusFactory(
        therapy=therapy, condition=condition, **p.fill(RegulatoryStatusFactory._meta.model)
    )
    search = SavedSearch.objects.create(verdict=verdict, **p.fill(SavedSearch))
    candidate_reference = ReferenceFactory(
        title=p("Candidate.reference.title"), abstract=p("Candidate.reference.abstract")
    )
    Candidate.objects.create(
        verdict=verdict, reference=candidate_reference, saved_search=search, **p.fill(Candidate)
    )
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.FILE,
        status=ImportJob.Status.PARTIAL,
        total=1,
        processed=1,
        failed_count=1,
        finished_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
        **p.fill(ImportJob),
    )
    ImportJobItem.objects.create(
        job=job, position=0, status=ImportJobItem.Status.FAILED, **p.fill(ImportJobItem)
    )
    return {
        "condition": condition,
        "therapy": therapy,
        "reference": reference,
        "verdict": verdict,
        "study": study,
        "job": job,
    }


# --- callers ------------------------------------------------------------------------------


@pytest.fixture
def full_editor(db):
    """A user holding every permission of the project's apps (not a superuser)."""
    user = UserFactory(username="bad-input-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["evidence", "therapies", "references"]
        )
    )
    return user


@pytest.fixture
def editor_api(full_editor):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=full_editor)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_upload(editor_api):
    def upload(name: str, data: bytes):
        return editor_api.post(
            "/api/v1/imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
        )

    return upload


@pytest.fixture
def admin_upload(admin_client):
    def upload(name: str, data: bytes):
        return admin_client.post(
            reverse("admin:references_importjob_add"), {"file": SimpleUploadedFile(name, data)}
        )

    return upload
