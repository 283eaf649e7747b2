"""Unicode edge cases in names and titles: stored and shown exactly as given; what cannot
be stored (NUL, lone surrogates) or is too long is a 400 or a form error naming the field.

No field is Unicode-normalised (NFC) anywhere: "é" as one code point and as "e" plus a
combining accent stay different strings. The file parsers collapse runs of whitespace
(U+2028 LINE SEPARATOR and U+0085 NEXT LINE included) to one space, as for any title.
"""

from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from evidence.models import Condition, Study
from references.models import Reference
from references.services.jobs import import_job_create_for_file, import_job_run
from tests.api.helpers import assert_error
from tests.factories import ReferenceFactory, StudyFactory, VerdictFactory
from tests.support.admin_forms import admin_form_data
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

EDGE_CASES = {
    "combining": "Cafe\u0301 e\u0301\u0301\u0301 Zalgo\u0336\u0337\u0338",
    "precomposed": "Caf\u00e9",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 mixed \u202eoverride\u202c",
    "astral": "\U0001f9ea\U0001f489 \U0001d4d0\U0001d4d1 \U00020000",
    "zwj": "\U0001f469\u200d\U0001f52c family\u200d\u200c\u200b\ufeff",
    "controls": "tab\tbell\x07 escape\x1b del\x7f",
    "noncharacters": "\ufffe\uffff\U0010ffff",
}


@pytest.fixture
def pair(db):
    return VerdictFactory(therapy__slug="ivig", condition__slug="gbs")


def study_payload(**overrides):
    return {
        "reference": ReferenceFactory().pk,
        "therapy": "ivig",
        "condition": "gbs",
        "design": "rct",
        "direction": "benefit",
        "outcome": "Disability",
        "outcome_summary": "Faster recovery.",
        **overrides,
    }


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_round_trip_through_the_api_and_the_page(editor_api, client, pair, name):
    text = EDGE_CASES[name]
    payload = study_payload(outcome=text[:200], outcome_summary=text, population=text)

    created = editor_api.post("/api/v1/studies/", payload, format="json")

    assert created.status_code == 201, created.content
    study = Study.objects.get()
    assert (study.outcome, study.outcome_summary, study.population) == (text[:200], text, text)
    publish(pair)  # readers see the study once its pair is published
    again = editor_api.get(created["Location"]).json()
    assert (again["outcome_summary"], again["population"]) == (text, text)
    page = client.get(reverse("evidence:pair-detail", args=["gbs", "ivig"]))
    assert page.status_code == 200
    assert html.escape(text[:200]) in page.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NUL \x00 inside", "Null characters are not allowed."),
        ("lone \ud800 surrogate", "Surrogate characters are not allowed: U+D800."),
    ],
)
@pytest.mark.parametrize("field", ["outcome", "outcome_summary", "dose_regimen"])
def test_unstorable_characters_are_a_400_naming_the_field(editor_api, pair, field, value, message):
    body = json.dumps(study_payload(**{field: value}))  # the surrogate goes as \ud800

    response = editor_api.post("/api/v1/studies/", body, content_type="application/json")

    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {field: [message]}
    assert not Study.objects.exists()


def test_unstorable_characters_in_a_change_are_a_400(editor_api, pair):
    study = StudyFactory(therapy=pair.therapy, condition=pair.condition)

    response = editor_api.patch(
        f"/api/v1/studies/{study.pk}/",
        '{"outcome_summary": "x\\u0000y"}',
        content_type="application/json",
    )

    assert_error(response, 400, "invalid")
    study.refresh_from_db()
    assert study.outcome_summary == "Fewer painful joints."


def test_too_long_for_the_column_is_a_400_counted_in_characters(editor_api, pair):
    astral = "\U0001f9ea" * 200  # 200 characters, 800 bytes in UTF-8: fits outcome (200)

    fits = editor_api.post("/api/v1/studies/", study_payload(outcome=astral), format="json")
    too_long = editor_api.post(
        "/api/v1/studies/", study_payload(outcome=astral + "x"), format="json"
    )

    assert fits.status_code == 201
    assert Study.objects.get().outcome == astral
    error = assert_error(too_long, 400, "invalid")
    assert error["fields"] == {"outcome": ["Ensure this field has no more than 200 characters."]}


def test_a_very_long_text_field_is_kept_whole(editor_api, pair):
    summary = "\u00e9\u0301" * 100_000

    response = editor_api.post(
        "/api/v1/studies/", study_payload(outcome_summary=summary), format="json"
    )

    assert response.status_code == 201
    assert Study.objects.get().outcome_summary == summary


# --- the admin ----------------------------------------------------------------------------


def test_admin_forms_keep_edge_cases_and_refuse_nul(admin_client, pair):
    condition = pair.condition
    url = reverse("admin:evidence_condition_change", args=[condition.pk])
    data = admin_form_data(admin_client.get(url))

    data["name"] = EDGE_CASES["zwj"] + EDGE_CASES["rtl"]
    saved = admin_client.post(url, data)
    data["description"] = "NUL \x00 here"
    refused = admin_client.post(url, data)

    assert saved.status_code == 302
    condition.refresh_from_db()
    assert condition.name == (EDGE_CASES["zwj"] + EDGE_CASES["rtl"]).strip()
    assert refused.status_code == 200
    assert "Null characters are not allowed." in refused.content.decode()
    assert Condition.objects.get().description == condition.description


def test_admin_refuses_a_name_over_its_length(admin_client, pair):
    condition = pair.condition
    url = reverse("admin:evidence_condition_change", args=[condition.pk])
    data = admin_form_data(admin_client.get(url))
    data["name"] = "\U0001f9ea" * 201

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters (it has 201)." in (
        response.content.decode()
    )


# --- import files -------------------------------------------------------------------------


def test_file_titles_are_stored_as_given(upstream, upstream_settings):
    import re

    from tests.support.fake_upstream import RecordedUpstream

    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), RecordedUpstream({}, {}))
    titles = [text.replace("\t", " ") for key, text in EDGE_CASES.items() if key != "controls"]
    ris = "".join(f"TY  - JOUR\nTI  - {title}\nER  - \n\n" for title in titles).encode()

    job = import_job_run(job_id=import_job_create_for_file(data=ris, filename="u.ris").pk)

    assert job.status == "succeeded", list(job.items.values_list("message", flat=True))
    stored = set(Reference.objects.values_list("title", flat=True))
    assert stored == {" ".join(title.split()) for title in titles}
