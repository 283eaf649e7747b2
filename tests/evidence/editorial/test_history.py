"""History: every change is recorded with who, when and what; editors revert in the admin;
the history API keeps the draft's changes; the pair page's "What changed" lists the
pair's published versions, each with its note and what it changed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from rest_framework.test import APIClient

from evidence.models import Condition, GuidelinePosition, Study, Verdict
from evidence.services.publication import verdict_publish
from references.models import Reference
from tests.evidence.test_query_counts import PAIR_QUERIES
from tests.support.admin_forms import admin_form_data
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"
RECENT_VERSIONS = 5  # the pair page lists the last five published versions
STATUS_RAISED = {"old": "investigational", "new": "supported"}


def _admin_change(client, obj, **changes):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def _text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize(
    ("model", "lookup", "field", "value"),
    [
        (Condition, {"slug": "rheumatoid-arthritis"}, "description", "Edited description."),
        (Therapy, {"slug": "ivig"}, "drug_class", "Edited class"),
        (Study, {"reference__doi": "10.1136/ard.54.5.382"}, "outcome_summary", "Edited."),
        (Verdict, {"condition__slug": "rheumatoid-arthritis"}, "summary", "Edited summary."),
        (GuidelinePosition, {"condition__slug": "rheumatoid-arthritis"}, "summary", "Edited."),
        (Reference, {"doi": "10.1136/ard.54.5.382"}, "journal", "Edited Journal"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_an_admin_change_is_recorded_with_who_when_and_what(
    client, editor, demo, model, lookup, field, value
):
    obj = model.objects.filter(**lookup).first()
    before = obj.history.count()
    client.force_login(editor)

    _admin_change(client, obj, **{field: value})

    latest, previous = obj.history.order_by("-history_date", "-history_id")[:2]
    assert obj.history.count() == before + 1
    assert latest.history_user == editor
    assert latest.history_type == "~"
    assert latest.history_date > previous.history_date
    assert [change.field for change in latest.diff_against(previous).changes] == [field]
    history_page = client.get(
        reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])
    )
    assert history_page.status_code == 200
    assert editor.username in history_page.content.decode()


def test_an_editor_reverts_a_verdict_through_the_admin_history(client, editor, ra_verdict):
    original = ra_verdict.summary
    first = ra_verdict.history.earliest()
    client.force_login(editor)
    _admin_change(client, ra_verdict, summary="A hasty rewrite.", status="supported")
    ra_verdict.refresh_from_db()
    assert ra_verdict.summary == "A hasty rewrite."

    url = reverse("admin:evidence_verdict_simple_history", args=[ra_verdict.pk, first.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Revert" in page.content.decode()
    response = client.post(url, admin_form_data(page))

    assert response.status_code == 302
    ra_verdict.refresh_from_db()
    assert (ra_verdict.summary, ra_verdict.status) == (original, "investigational")
    latest = ra_verdict.history.latest()
    assert latest.history_user == editor
    assert ra_verdict.history.count() == 3


def test_a_viewer_cannot_revert(client, viewer, editor, ra_verdict):
    first = ra_verdict.history.earliest()
    client.force_login(editor)
    _admin_change(client, ra_verdict, summary="A hasty rewrite.")
    url = reverse("admin:evidence_verdict_simple_history", args=[ra_verdict.pk, first.pk])

    client.force_login(viewer)
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {}).status_code == 403
    ra_verdict.refresh_from_db()
    assert ra_verdict.summary == "A hasty rewrite."


def _history(response) -> str:
    text = _text(response)
    start = text.index("What changed")
    return text[start : text.index("References", start)]


def test_the_pair_page_shows_what_changed_without_names(client, editor, reviewer, ra_verdict):
    admin = client
    admin.force_login(editor)
    _admin_change(
        admin,
        ra_verdict,
        status="supported",
        key_takeaways="Treat IVIG for rheumatoid arthritis as investigational.\nNew point.",
    )
    client.logout()

    # The editor's change is the draft's: "What changed" lists published versions only.
    draft = _history(client.get(PAIR_URL))
    assert "Version 1 . Version 1: the demo" in draft and "First published version." in draft
    assert "Version 2" not in draft and "Status:" not in draft

    verdict_publish(verdict=ra_verdict, user=reviewer, note="Status raised; please check.")

    page = client.get(PAIR_URL)
    history = _history(page)
    today = date_format(timezone.localdate(), "j F Y")
    assert f"{today} : Version 2 . Status raised; please check." in history
    assert "Status: investigational → supported" in history
    assert "Key takeaways: added “New point.”" in history
    assert history.index("Version 2") < history.index("Version 1")  # newest first
    assert editor.username not in page.content.decode()
    assert reviewer.username not in page.content.decode()
    assert '"code"' not in history and "{" not in history and "[" not in history


def test_the_history_api_keeps_recording_the_drafts_changes(client, editor, reviewer, ra_verdict):
    client.force_login(editor)
    _admin_change(client, ra_verdict, status="supported")
    client.logout()
    verdict_publish(verdict=ra_verdict, user=reviewer, note="Status raised.")

    response = APIClient().get(f"/api/v1/verdicts/{ra_verdict.pk}/history/")

    assert response.status_code == 200
    records = response.json()["results"]
    edit = next(r for r in records if {"field": "status", **STATUS_RAISED} in r["changes"])
    assert (edit["type"], edit["role"], edit["user"]) == ("changed", "Editor", None)
    assert records[0]["role"] == "Reviewer"  # the publication signed the review off
    assert records[-1]["type"] == "created"
    assert editor.username not in response.content.decode()


def test_the_pair_page_query_count_does_not_grow_with_history(
    client, reviewer, ra_verdict, django_assert_max_num_queries
):
    for i in range(60):
        ra_verdict.review_interval_months = 6 + i % 7
        ra_verdict.save()
    for i in range(12):
        Verdict.objects.filter(pk=ra_verdict.pk).update(summary=f"Summary {i}.")
        verdict_publish(verdict=ra_verdict, user=reviewer, note=f"Publication {i}.")

    with django_assert_max_num_queries(PAIR_QUERIES):
        response = client.get(PAIR_URL)

    assert response.status_code == 200
    history = _history(response)
    assert history.count("Summary: Summary") == RECENT_VERSIONS
    assert "Version 13 ." in history and "Publication 11." in history
    assert f"Version {13 - RECENT_VERSIONS} ." not in history
