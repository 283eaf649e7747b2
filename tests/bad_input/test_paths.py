"""Odd API paths and methods: a JSON 404 (or 405) whatever the method, never a CSRF page.

The catch-all under /api/ is a plain Django view, so before it was exempted from CSRF a
POST to an unknown API path (say /studies/0.5/) was answered with Django's HTML 403.
"""

import pytest
from django.test import Client

from tests.api.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nowhere/",
        "/api/v1/studies/0.5/",
        "/api/v1/candidates/0.5/exclude/",
        "/api/v1/" + "x" * 5000,
        "/api/v1/%00/",
    ],
)
def test_unknown_api_paths_are_json_404s_for_every_method(method, path):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(path, "{}", content_type="application/json")

    assert_error(response, 404, "not_found")
