"""History: every change is recorded with who, when and what; editors revert in the admin;
a verdict's changes are public on its pair page as "What changed"."""

import re

import pytest
from django.urls import reverse

from evidence.editorial import review
from evidence.models import Condition, GuidelinePosition, Study, Verdict
from references.models import Reference
from tests.evidence.test_query_counts import PAIR_QUERIES
from tests.support.admin_forms import admin_form_data
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"


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


def test_the_pair_page_shows_what_changed_without_names(client, editor, reviewer, ra_verdict):
    admin = client
    admin.force_login(editor)
    _admin_change(
        admin,
        ra_verdict,
        status="supported",
        key_takeaways='["Treat IVIG for rheumatoid arthritis as investigational.", "New point."]',
    )
    review.verdict_request_review(verdict=ra_verdict, message="Status raised; please check.")
    review.verdict_sign_off(verdict=ra_verdict, user=reviewer)
    client.logout()

    page = client.get(PAIR_URL)
    text = _text(page)

    assert "What changed" in text
    history = text[
        text.index("What changed") : text.index("References", text.index("What changed"))
    ]
    assert "Reviewed and signed off (Reviewer)" in history
    assert "Put up for review (Automatic check)" in history
    assert "Status raised; please check." in history
    assert "Verdict updated (Editor)" in history
    assert "Status: Investigational → Supported" in history
    assert "Key takeaways: added “New point.”" in history
    assert "Verdict published" in history
    assert editor.username not in page.content.decode()
    assert reviewer.username not in page.content.decode()
    assert '"code"' not in history and "{" not in history


def test_the_pair_page_query_count_does_not_grow_with_history(
    client, ra_verdict, django_assert_max_num_queries
):
    for i in range(60):
        ra_verdict.review_interval_months = 6 + i % 7
        ra_verdict.save()

    with django_assert_max_num_queries(PAIR_QUERIES):
        response = client.get(PAIR_URL)

    assert response.status_code == 200
    assert _text(response).count("Review interval:") == 20
