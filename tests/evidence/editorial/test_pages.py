"""The review status on the public pages: "Last reviewed <date>", and "Review overdue"
once the review interval has passed."""

import datetime
import re

import pytest
from django.urls import reverse

from evidence.models import Verdict

pytestmark = pytest.mark.django_db

RA = "rheumatoid-arthritis"
PAGES = [
    reverse("evidence:pair-detail", args=[RA, "ivig"]),
    reverse("evidence:condition-detail", args=[RA]),
]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("url", PAGES)
def test_a_current_review_shows_its_date_only(client, demo, url):
    text = _text(client.get(url))
    assert "Last reviewed 21 November 2026 ." in text
    assert "Review overdue" not in text


@pytest.mark.parametrize("url", PAGES)
def test_an_overdue_review_says_so(client, demo, url):
    Verdict.objects.filter(condition__slug=RA).update(
        reviewed_on=datetime.date(2024, 3, 1), review_interval_months=12
    )
    text = _text(client.get(url))
    assert "Last reviewed 1 March 2024 . Review overdue (it was due 1 March 2025 )" in text


@pytest.mark.parametrize("url", PAGES)
def test_a_verdict_never_reviewed_is_overdue(client, demo, url):
    Verdict.objects.filter(condition__slug=RA).update(reviewed_on=None)
    text = _text(client.get(url))
    assert "Not reviewed yet. Review overdue ." in text
