"""Property-based requests over every /fhir/ route and parameter (hypothesis, in the
spirit of tests/api/test_schemathesis.py, which the FHIR routes are not part of: they
have no OpenAPI schema). Whatever the id, search parameter, value or method, the answer
is never a 5xx, is FHIR JSON, and is a resource the FHIR R5 models accept."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_api.resources.common import model_of

from .conftest import FHIR_JSON

pytestmark = pytest.mark.django_db

ROUTES = [
    "metadata",
    "Citation",
    "Citation/{id}",
    "Evidence/{id}",
    "ArtifactAssessment/{id}",
    "ArtifactAssessment/{id}-sof-{hex}",
    "Bundle",
    "{id}",
    "{id}/{id}",
]
NAMES = ["identifier", "condition", "_count", "_page", "_format", "_pretty", "title", "_id"]
VALUES = st.one_of(
    st.integers(-5, 10**12).map(str),
    st.sampled_from(
        [
            "rheumatoid-arthritis",
            "lupus-nephritis",
            "https://doi.org|10.3390/jcm10153289",
            "https://pubmed.ncbi.nlm.nih.gov|23056926",
            "https://www.ncbi.nlm.nih.gov/pmc|PMC3465901",
            "PMC3465901",
            "10.1155/2012/589359",
            "|",
            "doi|",
            "https://doi.org|",
        ]
    ),
    st.text(max_size=40),
)
IDS = st.one_of(st.integers(-3, 10**15).map(str), st.text(min_size=1, max_size=30))


@st.composite
def requests(draw):
    route = draw(st.sampled_from(ROUTES))
    path = route.replace("{id}", quote(draw(IDS), safe=""), 1).replace(
        "{id}", quote(draw(IDS), safe="")
    )
    path = path.replace("{hex}", draw(st.text("0123456789abcdef", min_size=0, max_size=14)))
    query = draw(st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=4))
    method = draw(st.sampled_from(["get"] * 6 + ["head", "post", "put", "delete", "patch"]))
    encoded = "&".join(f"{quote(name)}={quote(value, safe='|')}" for name, value in query)
    return method, f"/fhir/{path}" + (f"?{encoded}" if encoded else "")


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(request=requests())
def test_no_request_to_the_fhir_endpoint_is_a_server_error(demo, client, request):
    method, url = request
    response = getattr(client, method)(url)
    assert response.status_code < 500, (method, url, response.content[:300])
    assert response["Content-Type"].startswith(FHIR_JSON), (method, url)
    if method == "head" or response.status_code == 304:
        return
    body = response.json()
    model_of(body["resourceType"]).model_validate(body)
    if method != "get":
        assert response.status_code == 405
