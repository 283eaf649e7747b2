"""Fixtures for the FHIR endpoint's tests: every resource the data gives, fetched and
checked against the FHIR R5 models of fhir.resources."""

from __future__ import annotations

import pytest

from evidence.models import Condition, Study, VerdictVersion
from fhir_api.resources.artifact_assessment import finding_id
from fhir_api.resources.common import model_of
from references.models import Reference

FHIR_JSON = "application/fhir+json"


def fetch(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    model_of(body["resourceType"]).model_validate(body)
    return body


def every_resource_url() -> list[str]:
    """The address of every resource the published data gives, and every condition's
    Bundle (each of its pages)."""
    urls = ["/fhir/metadata"]
    urls += [f"/fhir/Citation/{pk}" for pk in Reference.objects.values_list("pk", flat=True)]
    for version in VerdictVersion.objects.order_by("verdict", "-number").distinct():
        urls.append(f"/fhir/ArtifactAssessment/{version.verdict_id}")
        urls += [
            f"/fhir/ArtifactAssessment/{finding_id(version.verdict_id, row['outcome'])}"
            for row in version.content["findings"]
        ]
        urls += [f"/fhir/Evidence/{row['id']}" for row in version.content["studies"]]
    urls += [
        f"/fhir/Bundle?condition={slug}&_count=200"
        for slug in Condition.objects.values_list("slug", flat=True)
    ]
    return sorted(set(urls))


@pytest.fixture
def validate_everything(client):
    def run() -> dict[str, int]:
        counts: dict[str, int] = {}
        for url in every_resource_url():
            body = fetch(client, url)
            counts[body["resourceType"]] = counts.get(body["resourceType"], 0) + 1
            for entry in body.get("entry", []):
                resource = entry["resource"]
                model_of(resource["resourceType"]).model_validate(resource)
        assert counts.get("Evidence", 0) <= Study.objects.count()
        return counts

    return run
