"""Dates agree after load_demo and after edits: the pair page never shows a verdict
"published" after it was "last reviewed", and a later change lists after both."""

import dataclasses
import datetime
import re

import pytest
from django.utils import timezone

from evidence.demo.loader import demo_data_load
from evidence.models import Study, Verdict
from evidence.services import demo_load

pytestmark = pytest.mark.django_db

PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"
TIME = r'<time datetime="(\d{4}-\d{2}-\d{2})">'


def _dates(html: str) -> tuple[datetime.date, list[tuple[datetime.date, str]]]:
    """The page's "Last reviewed" date, and each "What changed" entry (date, title),
    newest first as shown."""
    reviewed = re.search(rf"Last reviewed {TIME}", html)
    assert reviewed, "no review date on the page"
    history = html[html.index('id="history-heading"') :]
    entries = re.findall(
        rf"<li class=\"history__entry[^\"]*\">\s*<p>{TIME}[^<]*</time>: "
        r"<strong>([^<]+)</strong>",
        history,
    )
    day = datetime.date.fromisoformat
    return day(reviewed.group(1)), [(day(at), title) for at, title in entries]


def test_the_demo_is_published_on_or_before_its_review(client, demo):
    reviewed, changes = _dates(client.get(PAIR_URL).content.decode())

    assert changes and changes[-1][1] == "Verdict published"
    published = changes[-1][0]
    assert published <= reviewed == demo_data_load().reviewed_on


def test_an_edit_after_the_load_lists_after_the_review(client, demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    verdict.summary = "Revised after the review."
    verdict.save()

    reviewed, changes = _dates(client.get(PAIR_URL).content.decode())

    titles = [title for _, title in changes]
    assert titles == ["Verdict updated", "Verdict published"]
    (updated, _), (published, _) = changes
    assert published <= reviewed < updated == timezone.localdate()


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
