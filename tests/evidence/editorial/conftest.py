"""Fixtures of the editorial workflow: role users, and a fake PubMed answering the demo's
saved search for rheumatoid arthritis with recorded records."""

import re

import pytest

from evidence.editorial.roles import EDITOR, REVIEWER, VIEWER, roles_sync
from tests.support.fake_upstream import FIXTURES, RecordedUpstream, load_pubmed_articles

EFETCH = FIXTURES / "pubmed" / "efetch"

# What the fake PubMed finds for the demo's RA saved search, with the design each
# record's publication types suggest.
RA_FOUND = {
    "28731372": "rct",  # Randomized Controlled Trial
    "27797938": "cohort",  # Observational Study
    "41583336": "case_report",  # Case Reports
    "41583864": "narrative_review",  # Review
    "9997": "",  # Journal Article only
}


@pytest.fixture
def roles(db):
    """The three groups (the data migration made them; a transactional test's flush may
    have emptied the table since)."""
    roles_sync()
    return (EDITOR, REVIEWER, VIEWER)


@pytest.fixture
def make_user(roles):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    def make(role: str | None, username: str | None = None, **fields):
        user = UserFactory(username=username or f"{(role or 'nobody').lower()}-user", **fields)
        user.is_staff = True
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user(EDITOR)


@pytest.fixture
def reviewer(make_user):
    return make_user(REVIEWER)


@pytest.fixture
def viewer(make_user):
    return make_user(VIEWER)


@pytest.fixture
def ra_verdict(demo):
    from evidence.models import Verdict

    return Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")


@pytest.fixture
def ra_search(ra_verdict):
    return ra_verdict.saved_searches.get()


@pytest.fixture
def fake_pubmed(upstream, upstream_settings, demo):
    """A fake PubMed on 127.0.0.1 with the recorded efetch records; the demo's RA saved
    search finds RA_FOUND, the other demo searches find nothing."""
    from evidence.models import SavedSearch

    articles = load_pubmed_articles(*sorted(EFETCH.glob("*.xml*")))
    searches = {search.query: [] for search in SavedSearch.objects.all()}
    ra = SavedSearch.objects.get(verdict__condition__slug="rheumatoid-arthritis")
    searches[ra.query] = list(RA_FOUND)
    fake = RecordedUpstream(articles=articles, searches=searches)
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake
