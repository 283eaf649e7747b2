"""The OpenAPI schema is valid and complete, and the docs need no CDN."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token/": {"post", "delete"},
    "/api/v1/conditions/": {"get"},
    "/api/v1/conditions/{slug}/": {"get"},
    "/api/v1/conditions/{slug}/summary/": {"get"},
    "/api/v1/conditions/{slug}/references/": {"get"},
    "/api/v1/therapies/": {"get"},
    "/api/v1/therapies/{slug}/": {"get"},
    "/api/v1/verdicts/": {"get"},
    "/api/v1/verdicts/{id}/": {"get", "patch"},
    "/api/v1/verdicts/{id}/history/": {"get"},
    "/api/v1/verdicts/{id}/references/": {"get"},
    "/api/v1/studies/": {"get", "post"},
    "/api/v1/studies/{id}/": {"get", "patch", "delete"},
    "/api/v1/references/": {"get"},
    "/api/v1/references/{id}/": {"get"},
    "/api/v1/imports/": {"post"},
    "/api/v1/imports/{id}/": {"get"},
    "/api/v1/candidates/": {"get"},
    "/api/v1/candidates/{id}/": {"get"},
    "/api/v1/candidates/{id}/include/": {"post"},
    "/api/v1/candidates/{id}/exclude/": {"post"},
}


def test_schema_validates_without_warnings(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    documented = {p: set(ops) - {"parameters"} for p, ops in schema["paths"].items()}
    for endpoint, methods in ENDPOINTS.items():
        assert documented.get(endpoint) == methods, endpoint


def test_every_operation_documents_its_errors_with_the_error_body(anon):
    schema = yaml.safe_load(anon.get("/api/v1/schema/").content)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "429" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in {"post", "patch", "delete"}:
                assert {"400", "401", "403"} <= set(responses), (method, path)
            error = responses["429"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}


def test_exports_and_enums_are_documented(anon):
    schema = yaml.safe_load(anon.get("/api/v1/schema/").content)

    detail = schema["paths"]["/api/v1/references/{id}/"]["get"]
    assert set(detail["responses"]["200"]["content"]) == {
        "application/json",
        "application/x-research-info-systems",
        "application/x-bibtex",
        "application/vnd.citationstyles.csl+json",
    }
    assert "304" in detail["responses"]
    names = {p["name"] for p in detail["parameters"]}
    assert {"format", "If-None-Match", "If-Modified-Since"} <= names
    components = schema["components"]["schemas"]
    assert components["VerdictStatusEnum"]["enum"] == [
        "established",
        "supported",
        "investigational",
        "not_supported",
        "contraindicated",
    ]
    assert "RetractionStatusEnum" in components


def test_swagger_ui_is_served_without_a_cdn(anon):
    response = anon.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html
    assert "/static/drf_spectacular_sidecar/" in html
