"""The /fhir/ endpoint's behaviour: reads, searches, the condition Bundle, errors as
OperationOutcome, writes refused, conditional reads, live retraction flags, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import Condition, Study, Verdict, VerdictVersion
from evidence.services.publication import verdict_publish_loaded
from references.models import Reference, ReferenceNotice, RetractionStatus
from tests.factories import TherapyFactory

from .conftest import FHIR_JSON, fetch

pytestmark = pytest.mark.django_db


def _outcome(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code


def test_the_rheumatoid_arthritis_bundle_holds_the_ivig_verdict_its_studies_and_citations(
    demo, client
):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")
    body = fetch(client, "/fhir/Bundle?condition=rheumatoid-arthritis&_count=200")
    assert body["type"] == "searchset"
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in body["entry"]}
    assert ("ArtifactAssessment", str(verdict.pk)) in ids
    studies = Study.objects.filter(verdict=verdict)
    assert studies.exists()
    for study in studies:
        assert ("Evidence", str(study.pk)) in ids
        assert ("Citation", str(study.reference_id)) in ids
    assert body["total"] == len(body["entry"])
    assert all(e["fullUrl"].startswith("http://testserver/fhir/") for e in body["entry"])


def test_the_bundle_is_paged(demo, client):
    whole = fetch(client, "/fhir/Bundle?condition=rheumatoid-arthritis&_count=200")
    first = fetch(client, "/fhir/Bundle?condition=rheumatoid-arthritis&_count=3")
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert len(first["entry"]) == 3 and "next" in links
    second = fetch(client, links["next"].removeprefix("http://testserver"))
    assert [e["fullUrl"] for e in first["entry"] + second["entry"]] == [
        e["fullUrl"] for e in whole["entry"][:6]
    ]
    past = fetch(client, "/fhir/Bundle?condition=rheumatoid-arthritis&_page=999")
    assert "entry" not in past and past["total"] == whole["total"]


def test_a_parent_condition_bundle_holds_its_sub_conditions(demo, client):
    child = Condition.objects.filter(parent__isnull=False, verdicts__versions__isnull=False)
    child = child.select_related("parent").first()
    if child is None:
        pytest.skip("the demo has no published verdict on a sub-condition")
    body = fetch(client, f"/fhir/Bundle?condition={child.parent.slug}&_count=200")
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in body["entry"]}
    for verdict in child.verdicts.all():
        assert ("ArtifactAssessment", str(verdict.pk)) in ids


def test_a_verdict_without_a_published_version_is_not_served(demo, client):
    condition = Condition.objects.get(slug="rheumatoid-arthritis")
    therapy = TherapyFactory()
    verdict = Verdict.objects.create(
        therapy=therapy,
        condition=condition,
        status="investigational",
        certainty="low",
        summary="Draft only.",
    )
    study = Study.objects.create(
        reference=Reference.objects.first(),
        therapy=therapy,
        condition=condition,
        verdict=verdict,
        design="rct",
        outcome="Draft outcome",
        outcome_summary="Draft.",
        direction="unclear",
    )
    _outcome(client.get(f"/fhir/ArtifactAssessment/{verdict.pk}"), 404, "not-found")
    _outcome(client.get(f"/fhir/Evidence/{study.pk}"), 404, "not-found")
    body = fetch(client, "/fhir/Bundle?condition=rheumatoid-arthritis&_count=200")
    assert ("ArtifactAssessment", str(verdict.pk)) not in {
        (e["resource"]["resourceType"], e["resource"]["id"]) for e in body["entry"]
    }
    verdict_publish_loaded(verdict=verdict, note="Published.")
    assert fetch(client, f"/fhir/ArtifactAssessment/{verdict.pk}")["meta"]["versionId"] == "1"


def test_summary_of_findings_rows_are_assessments_with_their_grade_domains(demo, client):
    version = next(v for v in VerdictVersion.objects.all() if v.content["findings"])
    verdict = fetch(client, f"/fhir/ArtifactAssessment/{version.verdict_id}")
    certainty = verdict["content"][1]
    assert certainty["type"]["coding"][0]["code"] == "Overall"
    row_ref = certainty["component"][0]["relatedArtifact"][0]["resourceReference"]["reference"]
    row = fetch(client, "/fhir/" + row_ref)
    finding = version.content["findings"][0]
    domains = {
        c["type"]["coding"][0]["code"]: c["classifier"][0]["coding"][0]["code"]
        for part in row["content"]
        if part["informationType"] == "rating"
        for c in part.get("component", [])
    }
    expected = {"not_serious": "no-concern", "serious": "serious-concern"}
    expected["very_serious"] = "very-serious-concern"
    assert domains["RiskOfBias"] == expected[finding["risk_of_bias"]]
    assert domains["Imprecision"] == expected[finding["imprecision"]]


def test_a_retraction_shows_at_once_on_the_citation(demo, client):
    ref = Reference.objects.filter(studies__isnull=False).first()
    before = client.get(f"/fhir/Citation/{ref.pk}")
    Reference.objects.filter(pk=ref.pk).update(retraction_status=RetractionStatus.RETRACTED)
    ReferenceNotice.objects.create(
        reference=ref, type="retraction", doi="10.5555/retraction.1", source="test"
    )
    body = fetch(client, f"/fhir/Citation/{ref.pk}")
    assert body["citedArtifact"]["currentState"][0]["coding"][0]["code"] == "retracted"
    assert body["citedArtifact"]["relatesTo"][0]["type"] == "retracted-by"
    assert (
        client.get(f"/fhir/Citation/{ref.pk}", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    )


@pytest.mark.parametrize(
    "token",
    [
        "https://doi.org|{doi}",
        "https://doi.org|https://doi.org/{doi}",
        "{doi}",
        "https://pubmed.ncbi.nlm.nih.gov|{pmid}",
        "{pmid}",
        "https://www.ncbi.nlm.nih.gov/pmc|{pmcid}",
    ],
)
def test_citations_are_found_by_identifier(demo, client, token):
    ref = Reference.objects.exclude(doi=None).exclude(pmid=None).exclude(pmcid=None).first()
    query = token.format(doi=ref.doi.upper(), pmid=ref.pmid, pmcid=ref.pmcid)
    body = fetch(client, f"/fhir/Citation?identifier={query}")
    assert [e["resource"]["id"] for e in body["entry"]] == [str(ref.pk)]


def test_an_unknown_identifier_finds_nothing(demo, client):
    body = fetch(client, "/fhir/Citation?identifier=https://doi.org|10.5555/none")
    assert body["total"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Citation?identifier=https://example.org|1",
        "/fhir/Citation?identifier=https://doi.org|not-a-doi",
        "/fhir/Citation?identifier=",
        "/fhir/Citation",
        "/fhir/Citation?title=x",
        "/fhir/Bundle",
        "/fhir/Bundle?condition=rheumatoid-arthritis&_count=0",
        "/fhir/Bundle?condition=rheumatoid-arthritis&_count=201",
        "/fhir/Bundle?condition=rheumatoid-arthritis&_page=-1",
        "/fhir/Bundle?condition=a&condition=b",
        "/fhir/Evidence/1?foo=bar",
    ],
)
def test_a_bad_search_is_a_400_operation_outcome(demo, client, url):
    _outcome(client.get(url), 400, "invalid")


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Citation/999999",
        "/fhir/Citation/abc",
        "/fhir/Evidence/999999",
        "/fhir/ArtifactAssessment/999999",
        "/fhir/ArtifactAssessment/1-sof-000000000000",
        "/fhir/ArtifactAssessment/x-y",
        "/fhir/Patient/1",
        "/fhir/",
        "/fhir/Bundle?condition=no-such-condition",
    ],
)
def test_an_unknown_resource_is_a_404_operation_outcome(demo, client, url):
    _outcome(client.get(url), 404, "not-found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/fhir/Citation", "/fhir/Citation/1", "/fhir/metadata"])
def test_writes_are_refused_with_405(demo, client, admin_client, method, url):
    for who in (client, admin_client):
        response = getattr(who, method)(url, data="{}", content_type=FHIR_JSON)
        _outcome(response, 405, "not-supported")


def test_a_current_client_gets_304(demo, client):
    verdict = Verdict.objects.filter(versions__isnull=False).first()
    url = f"/fhir/ArtifactAssessment/{verdict.pk}"
    response = client.get(url)
    assert response["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content


def test_the_bundle_costs_the_same_queries_at_any_size(demo, client, add_studies):
    def queries(count: int, page: int) -> tuple[int, int]:
        url = f"/fhir/Bundle?condition=rheumatoid-arthritis&_count={count}&_page={page}"
        with CaptureQueriesContext(connection) as captured:
            body = fetch(client, url)
        kinds = [entry["resource"]["resourceType"] for entry in body["entry"]]
        return len(captured), kinds.count("Citation")

    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")
    add_studies(150, therapy=verdict.therapy, condition=verdict.condition)
    from django.contrib.auth import get_user_model

    from evidence.services.publication import verdict_publish

    admin = get_user_model().objects.create_superuser("fhir-q", "q@example.org", "x")
    verdict_publish(verdict=verdict, user=admin, note="150 more studies.")
    assert Study.objects.filter(verdict=verdict).count() > 150
    # A page of 20 citations and one of over a hundred: the same queries (the condition
    # tree, the versions, the references and their notices).
    (few, few_citations), (many, many_citations) = queries(20, 9), queries(200, 2)
    assert few_citations == 20 and many_citations > 100
    assert few == many <= 6
