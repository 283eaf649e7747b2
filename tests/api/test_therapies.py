"""/api/v1/therapies/: list, and one therapy with its formulations and safety facts."""

import pytest

from tests.api.helpers import assert_error
from tests.factories import (
    AdverseEffectFactory,
    AdverseEffectReferenceFactory,
    ContraindicationFactory,
    ContraindicationReferenceFactory,
    FormulationFactory,
    RegulatoryStatusFactory,
    TherapyFactory,
)
from therapies.models import AdverseEffect, RegulatoryStatus

pytestmark = pytest.mark.django_db


def test_list(anon, demo):
    TherapyFactory(name="Abatacept", slug="abatacept")

    body = anon.get("/api/v1/therapies/").json()

    assert [row["slug"] for row in body["results"]] == ["abatacept", "ivig"]
    assert set(body["results"][0]) == {"slug", "name", "url", "drug_class", "aliases"}


def test_detail_has_formulations_safety_and_regulatory_status(anon, db):
    therapy = TherapyFactory(slug="ivig", name="IVIG")
    FormulationFactory(therapy=therapy, brand="Privigen")
    mild = AdverseEffectFactory(therapy=therapy, name="Headache", severity="mild")
    serious = AdverseEffectFactory(
        therapy=therapy, name="Thrombosis", severity=AdverseEffect.Severity.SERIOUS
    )
    cited = AdverseEffectReferenceFactory(adverse_effect=serious).reference
    contraindication = ContraindicationFactory(therapy=therapy, name="IgA deficiency")
    ContraindicationReferenceFactory(contraindication=contraindication)
    status = RegulatoryStatusFactory(
        therapy=therapy, condition__slug="ra", status=RegulatoryStatus.Status.OFF_LABEL
    )

    response = anon.get("/api/v1/therapies/ivig/")

    assert response.status_code == 200
    body = response.json()
    assert [f["brand"] for f in body["formulations"]] == ["Privigen"]
    assert [e["name"] for e in body["adverse_effects"]] == ["Thrombosis", mild.name]
    assert body["adverse_effects"][0]["references"][0]["id"] == cited.pk
    assert body["contraindications"][0]["name"] == "IgA deficiency"
    assert len(body["contraindications"][0]["references"]) == 1
    assert body["regulatory_statuses"][0].pop("reference")["id"] == status.reference.pk
    assert body["regulatory_statuses"] == [
        {
            "condition": "ra",
            "condition_name": RegulatoryStatus.objects.get().condition.name,
            "agency": "FDA",
            "status": "off_label",
            "date": None,
            "notes": "",
        }
    ]


def test_unknown_therapy_is_404(anon, db):
    assert_error(anon.get("/api/v1/therapies/nothing/"), 404, "not_found")


def test_detail_etag_changes_when_a_safety_fact_changes(anon, db):
    therapy = TherapyFactory(slug="ivig")
    effect = AdverseEffectFactory(therapy=therapy)
    first = anon.get("/api/v1/therapies/ivig/")
    assert anon.get("/api/v1/therapies/ivig/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    effect.severity = AdverseEffect.Severity.LIFE_THREATENING
    effect.save()

    second = anon.get("/api/v1/therapies/ivig/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"]
