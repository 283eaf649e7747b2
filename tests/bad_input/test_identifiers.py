"""Malformed DOIs, PMIDs and PMCIDs wherever they are accepted: a 400 (or a form error, or
a failed item with its line) naming the field and the value; nothing stored."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from references.identifiers import (
    InvalidIdentifier,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    parse_identifier,
)
from references.models import ImportJob, ImportJobItem, Reference
from tests.api.helpers import assert_error
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db

BAD_DOIS = [
    "10.1000",
    "11.1234/abc",
    "doi:",
    "10.12/too-short-prefix",
    "https://doi.org/",
    "10.1000/x\x00y",
    "10.1000/" + "x" * 300,
    "'; DROP TABLE references_reference; --",
    "<script>alert(1)</script>",
]
BAD_PMIDS = ["0", "12345678901", "abc", "PMID:", "12a", "1.5", "-3", "\x00", "9" * 5000]
BAD_PMCIDS = ["PMC0", "PMCX", "PMC", "PMC12345678901", "pmc-1", "\x00"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("doi", v) for v in BAD_DOIS]
    + [("pmid", v) for v in BAD_PMIDS if "\x00" not in v]
    # A NUL cannot travel in a URL query through the test client; it is tested below.
    + [("pmcid", v) for v in BAD_PMCIDS if "\x00" not in v],
)
def test_the_reference_filters_name_the_bad_identifier(client, field, value):
    ReferenceFactory()

    response = client.get("/api/v1/references/", {field: value})

    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    message = error["fields"][field][0]
    assert message.startswith(("not a", "Ensure this value", "Null characters")), message


def test_a_nul_in_a_filter_is_a_400(client, db):
    response = client.get("/api/v1/references/?doi=10.1000/a%00b&pmid=1%00")

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"doi", "pmid"}


def test_the_api_import_names_each_bad_identifier_and_creates_no_job(editor_api):
    readable = [v for v in BAD_DOIS if "\x00" not in v]
    identifiers = ["10.1000/good", *readable, "PMC0", "0", "PMID: 12345678901"]

    response = editor_api.post("/api/v1/imports/", {"identifiers": identifiers}, format="json")

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {f"identifiers.{i}" for i in range(1, len(identifiers))}
    assert not ImportJob.objects.exists() and not Reference.objects.exists()


def test_unstorable_characters_in_api_identifiers_are_named_too(editor_api):
    # The lone surrogate travels as the JSON escape \ud800; the serializer refuses both
    # characters before the identifiers are read.
    body = json.dumps({"identifiers": ["10.1000/good", "10.1000/a\x00b", "10.1000/\ud800"]})

    response = editor_api.post("/api/v1/imports/", body, content_type="application/json")

    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {
        "identifiers.1": ["Null characters are not allowed."],
        "identifiers.2": ["Surrogate characters are not allowed: U+D800."],
    }
    assert not ImportJob.objects.exists()


def test_the_error_quotes_a_huge_identifier_only_in_part(editor_api):
    response = editor_api.post("/api/v1/imports/", {"identifiers": ["9" * 900]}, format="json")

    error = assert_error(response, 400, "invalid")
    [message] = error["fields"]["identifiers.0"]
    assert "(900 characters)" in message and len(message) < 250


def test_the_admin_import_records_bad_lines_as_failed_items(admin_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the job is created; it need not run here
    text = "10.1000/good\n" + "\n".join(BAD_DOIS[:5] + ["PMC0", "PMID: 0"])

    response = admin_client.post(reverse("admin:references_importjob_add"), {"identifiers": text})

    assert response.status_code == 302
    job = ImportJob.objects.get()
    failed = job.items.filter(status=ImportJobItem.Status.FAILED).order_by("line")
    assert [item.line for item in failed] == [2, 3, 4, 5, 6, 7, 8]
    assert all(item.message.startswith("not a") for item in failed)
    assert not Reference.objects.exists()


def test_the_admin_import_refuses_a_nul_in_pasted_text(admin_client):
    response = admin_client.post(
        reverse("admin:references_importjob_add"), {"identifiers": "10.1000/a\x00b"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("normalise", "values"),
    [(normalise_doi, BAD_DOIS), (normalise_pmid, BAD_PMIDS), (normalise_pmcid, BAD_PMCIDS)],
)
def test_the_normalisers_raise_only_invalid_identifier(normalise, values):
    for value in [*values, None, 12.5, b"10.1000/x", ["10.1000/x"], "", " "]:
        with pytest.raises(InvalidIdentifier) as raised:
            normalise(value)
        assert len(str(raised.value)) < 250  # the input is quoted, cut short


def test_parse_identifier_refuses_control_characters_and_surrogates():
    # (Trailing whitespace, \x1f and \x85 included, is trimmed like a space.)
    for value in ["10.1000/x\x00y", "10.1000/x\x01y", "10.1000/\ud800y", "10.1000/x\x7fy"]:
        with pytest.raises(InvalidIdentifier):
            parse_identifier(value)


@pytest.mark.parametrize(
    ("field", "value"), [("doi", "not a doi"), ("pmid", "PMID: 12x"), ("pmcid", "PMCX")]
)
def test_the_admin_reference_form_refuses_malformed_identifiers(admin_client, field, value):
    from tests.support.admin_forms import admin_form_data

    reference = ReferenceFactory()
    url = reverse("admin:references_reference_change", args=[reference.pk])
    data = admin_form_data(admin_client.get(url))
    data[field] = value

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "not a" in response.content.decode()
    reference.refresh_from_db()
    assert getattr(reference, field) != value
