"""Dates agree after load_demo and after edits: the pair page's review date is the demo's,
its "What changed" lists the published versions newest first, each dated as the page's
"Version n, published" line says, and a later publication lists after the review.

The history's own dates (simple-history records, still kept for the history API) follow
the demo's review day, as the last tests here check."""

import dataclasses
import datetime
import re

import pytest
from django.utils import timezone

from evidence.demo.loader import demo_data_load
from evidence.models import Study, Verdict
from evidence.services import demo_load
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"
TIME = r'<time datetime="(\d{4}-\d{2}-\d{2})[^"]*">'


def _dates(html: str) -> tuple[datetime.date, datetime.date, list[tuple[datetime.date, str]]]:
    """The page's "Last reviewed" date, its "Version n, published" date, and each "What
    changed" entry (date, "Version n"), newest first as shown."""
    day = datetime.date.fromisoformat
    reviewed = re.search(rf"Last reviewed {TIME}", html)
    assert reviewed, "no review date on the page"
    published = re.search(rf"Version \d+, published {TIME}", html)
    assert published, "no publication line on the page"
    history = html[html.index('id="history-heading"') :]
    entries = re.findall(
        rf"<li class=\"history__entry[^\"]*\">\s*<p>{TIME}[^<]*</time>: "
        r"<strong><a [^>]*>(Version \d+)</a></strong>",
        history,
    )
    return (
        day(reviewed.group(1)),
        day(published.group(1)),
        [(day(at), title) for at, title in entries],
    )


def test_the_demo_is_version_1_reviewed_on_its_review_day(client, demo):
    reviewed, published, versions = _dates(client.get(PAIR_URL).content.decode())

    assert reviewed == demo_data_load().reviewed_on
    assert versions == [(published, "Version 1")]
    version = Verdict.objects.get(condition__slug="rheumatoid-arthritis").versions.get()
    assert published == timezone.localdate(version.published_at)


def test_an_edit_after_the_load_lists_after_the_review_once_published(client, demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    verdict.summary = "Revised after the review."
    verdict.save()

    # A draft edit is not a version: the page lists what was published.
    _, _, versions = _dates(client.get(PAIR_URL).content.decode())
    assert [title for _, title in versions] == ["Version 1"]

    publish(verdict)

    reviewed, published, versions = _dates(client.get(PAIR_URL).content.decode())
    assert [title for _, title in versions] == ["Version 2", "Version 1"]
    (second, _), (first, _) = versions
    assert reviewed < second == published == timezone.localdate()
    assert first <= second


def test_a_reload_that_restores_an_edit_is_dated_now(demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    verdict.summary = "Edited by hand."
    verdict.save()

    demo_load()

    restore, edit, first = verdict.history.order_by("-history_date", "-history_id")[:3]
    assert restore.summary != "Edited by hand." and edit.summary == "Edited by hand."
    assert first.history_type == "+"
    assert first.history_date < edit.history_date <= restore.history_date


def test_the_loads_history_is_dated_at_the_review_day():
    data = dataclasses.replace(demo_data_load(), reviewed_on=datetime.date(2021, 3, 4))
    start = datetime.datetime(2021, 3, 4, tzinfo=timezone.get_current_timezone())

    demo_load(data=data)

    for model in (Verdict, Study):
        assert set(model.history.values_list("history_date", flat=True)) == {start}


def test_a_review_day_in_the_future_dates_the_history_now():
    data = dataclasses.replace(
        demo_data_load(), reviewed_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    before = timezone.now()

    demo_load(data=data)

    dates = set(Verdict.history.values_list("history_date", flat=True))
    assert dates and all(before <= at <= timezone.now() for at in dates)
