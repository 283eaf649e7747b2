"""The acceptance scenario of the editorial workflow, end to end on the demo.

The saved-search task runs against the fake PubMed and fills the triage queue; an editor
includes one candidate in the admin and the RA verdict's page says it needs review, with
that reason; a reviewer signs it off and the page shows the new review date at once; the
included study is the draft's until the reviewer publishes it, and the page's "What
changed" then lists the new version with its note and the study added.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from evidence.models import Candidate
from evidence.tasks import run_saved_searches

pytestmark = pytest.mark.django_db

PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_saved_search_triage_review_and_sign_off(client, fake_pubmed, editor, reviewer, ra_verdict):
    # The periodic task fills the triage queue.
    assert run_saved_searches.apply().get()["queued"] == 5
    queue = Candidate.objects.filter(verdict=ra_verdict, status="untriaged")
    assert queue.count() == 5
    before = _text(client.get(PAIR_URL))
    assert "Needs review" not in before

    # An editor includes the randomised trial from the triage page.
    client.force_login(editor)
    triage_page = client.get(
        reverse("admin:evidence_candidate_changelist"),
        {"verdict__id__exact": ra_verdict.pk, "status__exact": "untriaged"},
    )
    assert "Exploring the effect of vitamin D3" in triage_page.content.decode()
    rct = queue.get(reference__pmid="28731372")
    client.post(reverse("admin:evidence_candidate_include", args=[rct.pk]))
    client.logout()

    # The RA verdict now needs review, and says why.
    page = _text(client.get(PAIR_URL))
    assert "Needs review: this verdict is waiting" in page
    assert "New study: Randomised controlled trial" in page
    assert "Exploring the effect of vitamin D3" in page

    # A reviewer signs it off.
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:evidence_verdict_sign_off", args=[ra_verdict.pk]),
        {"note": "Trial added; verdict unchanged."},
    )
    assert response.status_code == 302
    client.logout()

    page = _text(client.get(PAIR_URL))
    today = date_format(timezone.localdate(), "j F Y")
    assert "Needs review: this verdict" not in page
    assert f"Last reviewed {today} ." in page
    history = page[page.index("What changed") :]
    assert "Version 2" not in history  # a sign-off publishes nothing
    assert "Study added" not in history

    _publish_in_the_admin(client, reviewer, ra_verdict, "Trial added; verdict unchanged.")

    page = _text(client.get(PAIR_URL))
    history = page[page.index("What changed") :]
    assert f"{today} : Version 2 . Trial added; verdict unchanged." in history
    assert "Study added: Exploring the effect of vitamin D3" in history
    assert editor.username not in page and reviewer.username not in page


def _publish_in_the_admin(client, reviewer, verdict, note: str) -> None:
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:evidence_verdict_publish", args=[verdict.pk]), {"note": note}
    )
    assert response.status_code == 302
    client.logout()
