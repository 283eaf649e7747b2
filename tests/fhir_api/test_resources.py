"""Every resource /fhir/ serves validates against the FHIR R5 models of fhir.resources,
from the demo and from a generated corpus, and maps only what is stored."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from evidence.models import Study, Verdict, VerdictVersion
from evidence.services.publication import verdict_publish, verdict_publish_loaded

from .conftest import fetch

pytestmark = pytest.mark.django_db


def test_every_demo_resource_validates(demo, validate_everything):
    counts = validate_everything()
    assert counts["ArtifactAssessment"] > 0
    assert counts["Evidence"] > 0
    assert counts["Citation"] > 0
    assert counts["Bundle"] > 0
    assert counts["CapabilityStatement"] == 1


def test_every_resource_of_a_generated_corpus_validates(validate_everything):
    call_command(
        "generate_corpus", conditions=6, therapies=4, studies=60, references=90, seed=3, stdout=None
    )
    for verdict in Verdict.objects.all():
        verdict_publish_loaded(verdict=verdict, note="Version 1 of the generated corpus.")
    assert VerdictVersion.objects.exists()
    counts = validate_everything()
    assert counts["Evidence"] > 0
    assert counts["Citation"] >= 90


def test_a_study_maps_its_effect_estimate_and_a_new_version_is_served(demo, client):
    study = Study.objects.filter(verdict__isnull=False).order_by("id").first()
    Study.objects.filter(pk=study.pk).update(
        effect_measure="RR", effect_size=0.8, ci_lower=0.62, ci_upper=1.03, participants=120
    )
    admin = get_user_model().objects.create_superuser("fhir-admin", "a@example.org", "x")
    version = verdict_publish(verdict=study.verdict, user=admin, note="Effect estimate added.")
    assert version.number == 2

    body = fetch(client, f"/fhir/Evidence/{study.pk}")
    statistic = body["statistic"][0]
    assert statistic["statisticType"]["coding"][0]["code"] == "C93152"
    assert statistic["quantity"]["value"] == 0.8
    assert statistic["sampleSize"]["numberOfParticipants"] == 120
    interval = statistic["attributeEstimate"][0]
    assert interval["level"] == 0.95
    assert interval["range"]["low"]["value"] == 0.62
    assert interval["range"]["high"]["value"] == 1.03
    assert body["citeAsReference"]["reference"] == f"Citation/{study.reference_id}"
    assert body["meta"]["versionId"] == "2"


def test_an_unpublished_change_is_not_served(demo, client):
    study = Study.objects.filter(verdict__isnull=False).order_by("id").first()
    before = fetch(client, f"/fhir/Evidence/{study.pk}")
    Study.objects.filter(pk=study.pk).update(outcome_summary="A draft not yet published.")
    assert fetch(client, f"/fhir/Evidence/{study.pk}") == before


def test_an_unreported_detail_is_said_to_be_not_reported(demo, client):
    row = next(
        row
        for version in VerdictVersion.objects.all()
        for row in version.content["studies"]
        if not row["comparator"] and row["effect_size"] is None
    )
    body = fetch(client, f"/fhir/Evidence/{row['id']}")
    roles = {
        item["variableRole"]["coding"][0]["code"]: item["description"]
        for item in body["variableDefinition"]
    }
    assert roles["referenceExposure"] == "Not reported"
    assert all("quantity" not in statistic for statistic in body.get("statistic", []))
