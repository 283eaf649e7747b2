"""GRADE's rule: a verdict's certainty is not above the lowest among its critical outcomes,
unless an editor writes why; checked in the services and the admin, shown in the API and
on the pair page, and kept by the demo."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from evidence import grade
from evidence.models import OutcomeFinding, Verdict
from evidence.services import outcome_finding_upsert, verdict_upsert
from tests.factories import VerdictFactory
from tests.support.admin_forms import admin_form_data
from tests.support.publishing import publish

CRITICAL = OutcomeFinding.Importance.CRITICAL
IMPORTANT = OutcomeFinding.Importance.IMPORTANT
C = Verdict.Certainty


@dataclass
class Row:
    outcome: str
    importance: str
    certainty: str


# --- the rule ------------------------------------------------------------------------------


def test_the_ceiling_is_the_lowest_critical_certainty():
    rows = [
        Row("Pain", CRITICAL, C.MODERATE),
        Row("Death", CRITICAL, C.LOW),
        Row("Rash", IMPORTANT, C.VERY_LOW),
    ]
    assert grade.certainty_ceiling(rows) == C.LOW
    assert grade.certainty_ceiling([Row("Rash", IMPORTANT, C.VERY_LOW)]) is None
    assert grade.certainty_ceiling([]) is None


def test_a_certainty_above_the_ceiling_is_a_problem_naming_the_limiting_outcomes():
    rows = [
        Row("Disease activity", CRITICAL, C.VERY_LOW),
        Row("Function", CRITICAL, C.VERY_LOW),
        Row("Rash", IMPORTANT, C.VERY_LOW),
    ]
    problem = grade.certainty_problem(C.LOW, rows)
    assert problem is not None
    assert "“Disease activity” (very low)" in problem
    assert "“Function” (very low)" in problem
    assert "Rash" not in problem
    assert grade.certainty_problem(C.VERY_LOW, rows) is None
    assert grade.certainty_problem(C.HIGH, rows, "Large, consistent effect.") is None
    assert grade.certainty_problem(C.HIGH, rows, "   ") is not None
    assert grade.certainty_problem(C.HIGH, [Row("Rash", IMPORTANT, C.VERY_LOW)]) is None


# --- services ------------------------------------------------------------------------------


def _upsert(verdict, **kwargs):
    return verdict_upsert(
        therapy=verdict.therapy,
        condition=verdict.condition,
        status=verdict.status,
        summary=verdict.summary,
        **kwargs,
    )


@pytest.mark.django_db
def test_verdict_upsert_refuses_a_certainty_above_a_critical_outcome():
    verdict = VerdictFactory(certainty=C.VERY_LOW)
    outcome_finding_upsert(verdict=verdict, outcome="Disease activity", certainty=C.VERY_LOW)

    with pytest.raises(ValidationError) as excinfo:
        _upsert(verdict, certainty=C.LOW)
    message = " ".join(excinfo.value.message_dict["certainty"])
    assert "“Disease activity” (very low)" in message
    verdict.refresh_from_db()
    assert verdict.certainty == C.VERY_LOW

    _upsert(verdict, certainty=C.LOW, certainty_override_reason="Large effect, dose-response.")
    verdict.refresh_from_db()
    assert verdict.certainty == C.LOW
    assert verdict.certainty_override_reason == "Large effect, dose-response."


@pytest.mark.django_db
def test_a_finding_may_not_leave_the_verdict_above_its_critical_outcomes():
    verdict = VerdictFactory(certainty=C.LOW)

    with pytest.raises(ValidationError) as excinfo:
        outcome_finding_upsert(verdict=verdict, outcome="Disease activity", certainty=C.VERY_LOW)
    assert "certainty" in excinfo.value.message_dict
    assert not OutcomeFinding.objects.filter(verdict=verdict).exists()

    # An important (not critical) outcome does not limit the verdict.
    outcome_finding_upsert(
        verdict=verdict, outcome="Rash", certainty=C.VERY_LOW, importance=IMPORTANT
    )
    _upsert(verdict, certainty=C.LOW, certainty_override_reason="Editors' judgement.")
    outcome_finding_upsert(verdict=verdict, outcome="Disease activity", certainty=C.VERY_LOW)
    assert OutcomeFinding.objects.filter(verdict=verdict).count() == 2


# --- admin ---------------------------------------------------------------------------------


@pytest.fixture
def ra_like(db):
    verdict = VerdictFactory(certainty=C.VERY_LOW, summary="Old summary.")
    finding = OutcomeFinding.objects.create(
        verdict=verdict, outcome="Disease activity", importance=CRITICAL, certainty=C.VERY_LOW
    )
    return verdict, finding


def _change_data(client, verdict):
    url = reverse("admin:evidence_verdict_change", args=[verdict.pk])
    return url, admin_form_data(client.get(url))


def _finding_prefix(data):
    key = next(k for k in data if k.endswith("-0-outcome") and data[k] == "Disease activity")
    return key.removesuffix("outcome")


def test_admin_refuses_a_certainty_above_a_critical_outcome_with_a_form_error(
    admin_client, ra_like
):
    verdict, finding = ra_like
    url, data = _change_data(admin_client, verdict)
    prefix = _finding_prefix(data)
    data.update(
        {"certainty": C.LOW, "summary": "New summary.", f"{prefix}comment": "Edited comment."}
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "“Disease activity” (very low)" in " ".join(errors["certainty"])
    verdict.refresh_from_db()
    finding.refresh_from_db()
    assert (verdict.certainty, verdict.summary) == (C.VERY_LOW, "Old summary.")
    assert finding.comment == ""


def test_admin_judges_the_findings_as_the_inline_leaves_them(admin_client, ra_like):
    verdict, finding = ra_like
    url, data = _change_data(admin_client, verdict)
    data.update({"certainty": C.LOW, f"{_finding_prefix(data)}certainty": C.LOW})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    verdict.refresh_from_db()
    finding.refresh_from_db()
    assert (verdict.certainty, finding.certainty) == (C.LOW, C.LOW)


def test_admin_accepts_an_override_with_a_written_reason(admin_client, ra_like):
    verdict, _ = ra_like
    url, data = _change_data(admin_client, verdict)
    data.update({"certainty": C.MODERATE, "certainty_override_reason": "Very large effect."})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    verdict.refresh_from_db()
    assert (verdict.certainty, verdict.certainty_override_reason) == (
        C.MODERATE,
        "Very large effect.",
    )


# --- API and page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_gives_the_override_reason():
    verdict = VerdictFactory(certainty_override_reason="Very large effect.")
    publish(verdict)
    client = APIClient()

    detail = client.get(f"/api/v1/verdicts/{verdict.pk}/").json()
    listed = client.get("/api/v1/verdicts/").json()["results"]

    assert detail["certainty_override_reason"] == "Very large effect."
    assert [item["certainty_override_reason"] for item in listed] == ["Very large effect."]


def test_the_pair_page_shows_the_override_reason_beside_the_certainty(client, demo):
    ra = Verdict.objects.select_related("therapy", "condition").get(
        condition__slug="rheumatoid-arthritis"
    )
    _upsert(
        ra,
        certainty=C.LOW,
        certainty_override_reason="Consistent <b>dose-response</b> in two series.",
    )
    assert "dose-response" not in client.get(ra.get_absolute_url()).content.decode()  # a draft
    publish(ra)

    html = client.get(ra.get_absolute_url()).content.decode()

    glance = html[html.index('id="glance-heading"') : html.index("Is it safe?")]
    assert "Low certainty" in glance
    assert "Consistent &lt;b&gt;dose-response&lt;/b&gt; in two series." in glance
    assert "<b>dose-response</b>" not in html


def test_the_pair_page_shows_no_override_when_there_is_none(client, demo):
    html = client.get("/conditions/rheumatoid-arthritis/ivig/").content.decode()
    assert "certainty-override" not in html


# --- demo ----------------------------------------------------------------------------------


def test_every_demo_verdict_obeys_the_rule(demo):
    verdicts = Verdict.objects.prefetch_related("findings")
    assert verdicts
    for verdict in verdicts:
        findings = list(verdict.findings.all())
        assert grade.certainty_problem(verdict.certainty, findings) is None, verdict
        assert verdict.certainty_override_reason == ""
    ra = verdicts.get(condition__slug="rheumatoid-arthritis")
    assert ra.certainty == C.VERY_LOW
