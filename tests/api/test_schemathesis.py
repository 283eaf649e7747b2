"""Property-based tests of the API against its own OpenAPI schema (schemathesis, in-process).

Schemathesis reads /api/v1/schema/ from the WSGI app and generates requests for each
operation: no answer may be a 5xx, and every answer must match the schema (status code,
content type, headers, body). Every operation is covered: reads anonymously, and every
write (POST, PATCH, DELETE) with the token of an editor holding every permission, on the
demo data. Examples per operation are few so the suite stays fast (about a minute).

The schema is loaded when this module is collected (no database needed for that):
schemathesis.pytest.from_fixture, the lazy loader, relies on a pytest node attribute
that pytest 9 removed.
"""

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10
WRITE_EXAMPLES = 25
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests reach the WSGI app directly, not through Django's test client, so stop them
    closing the connection that holds the test's transaction (as the test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES
)


# Whether the API answers, and answers as documented. schemathesis's guesses about which
# inputs must be accepted or rejected are left out: a DOI filter documented as a string
# still rejects a string that is not a DOI.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.include(method="GET").parametrize()
@HYPOTHESIS
def test_read_endpoints_conform_to_the_schema(case, demo):
    case.call_and_validate(checks=CONFORMANCE)


@schema.include(path="/api/v1/imports/", method="POST").parametrize()
@HYPOTHESIS
def test_import_endpoint_rejects_bad_input_cleanly(case, editor):
    token, _ = Token.objects.get_or_create(user=editor)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CONFORMANCE)


@pytest.fixture
def full_editor(db):
    """An editor (not a superuser) holding every permission of the project's apps."""
    from tests.factories import UserFactory

    user = UserFactory(username="schemathesis-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["evidence", "therapies", "references"]
        )
    )
    return user


@schema.exclude(method=["GET", "HEAD", "OPTIONS"]).parametrize()
@settings(HYPOTHESIS, max_examples=WRITE_EXAMPLES)
def test_every_write_answers_cleanly_for_an_editor(case, demo, full_editor):
    # Made per example: DELETE /auth/token/ revokes the token it is sent with.
    token, _ = Token.objects.get_or_create(user=full_editor)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CONFORMANCE)


@schema.include(method="GET").parametrize()
@HYPOTHESIS
def test_every_read_answers_cleanly_for_an_editor(case, demo, full_editor):
    """Reads that need a permission (candidates, imports) are only reached with one."""
    token, _ = Token.objects.get_or_create(user=full_editor)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CONFORMANCE)
