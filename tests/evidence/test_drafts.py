"""Drafts and published versions: readers see only what a reviewer published; editors
change the draft; a publication reaches the pages, the API, the feeds and followers."""

import feedparser
import pytest
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, REVIEWER
from evidence.models import Follow, PublishedStudy, Study, Verdict, VersionNotice
from evidence.services.follows import version_notify_followers
from tests.api.helpers import assert_error
from tests.factories import UserFactory, VerdictFactory
from tests.support.doors import signed_in, staff
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

RA_PAGE = "/conditions/rheumatoid-arthritis/ivig/"
NEW_SUMMARY = "A reworded summary: the trials disagree and none is large."


def _api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def ra(demo):
    return Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")


@pytest.fixture
def editor():
    return staff("ed", EDITOR)


@pytest.fixture
def reviewer():
    return staff("rev", REVIEWER)


def _reader(email):
    return UserFactory(username=email.split("@")[0], email=email)


def _patch_summary(ra, editor):
    response = _api(editor).patch(
        f"/api/v1/verdicts/{ra.pk}/", {"summary": NEW_SUMMARY}, format="json"
    )
    assert response.status_code == 200, response.content
    return response


def test_an_editors_patch_changes_the_draft_and_nothing_readers_see(ra, editor, client):
    page_before = client.get(RA_PAGE).content.decode()
    api_before = APIClient().get(f"/api/v1/verdicts/{ra.pk}/").json()

    response = _patch_summary(ra, editor)

    assert response.json()["summary"] == NEW_SUMMARY  # the draft, as written
    ra.refresh_from_db()
    assert ra.summary == NEW_SUMMARY
    page_after = client.get(RA_PAGE).content.decode()
    assert NEW_SUMMARY not in page_after
    assert page_after == page_before
    api_after = APIClient().get(f"/api/v1/verdicts/{ra.pk}/").json()
    assert api_after["summary"] == api_before["summary"] != NEW_SUMMARY
    assert api_after["version"] == 1
    # The draft is for those who may change it.
    draft = _api(editor).get(f"/api/v1/verdicts/{ra.pk}/?version=draft").json()
    assert draft["summary"] == NEW_SUMMARY
    assert APIClient().get(f"/api/v1/verdicts/{ra.pk}/?version=draft").status_code == 404


def test_a_reviewers_publication_reaches_page_api_feeds_and_one_follower(
    ra, editor, reviewer, client, django_capture_on_commit_callbacks
):
    follower = _reader("reader@example.org")
    signed_in(follower).post(f"{RA_PAGE}follow/", {"following": "1"})
    assert Follow.objects.filter(user=follower, verdict=ra).exists()
    _patch_summary(ra, editor)
    client.get(RA_PAGE)  # cached as published

    with django_capture_on_commit_callbacks(execute=True):
        response = _api(reviewer).post(
            f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "Summary reworded."}, format="json"
        )

    assert response.status_code == 201, response.content
    page = client.get(RA_PAGE).content.decode()
    assert NEW_SUMMARY in page
    assert "Version 2, published" in page
    assert APIClient().get(f"/api/v1/verdicts/{ra.pk}/").json()["summary"] == NEW_SUMMARY
    versions = APIClient().get(f"/api/v1/verdicts/{ra.pk}/versions/").json()["results"]
    assert [v["number"] for v in versions] == [1, 2]
    assert APIClient().get(f"/api/v1/verdicts/{ra.pk}/?version=1").json()["number"] == 1
    for feed_url in ("/feed.atom", "/conditions/rheumatoid-arthritis/feed.atom"):
        feed = feedparser.parse(client.get(feed_url).content)
        assert not feed.bozo, feed.bozo_exception
        entry = feed.entries[0]
        assert entry.title == f"{ra}: version 2"
        assert "Summary reworded." in entry.summary
        assert entry.link.endswith("/conditions/rheumatoid-arthritis/ivig/versions/2/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "version 2" in mail.outbox[0].subject
    assert "Summary reworded." in mail.outbox[0].body
    # A retry of the task, or a second worker, sends nothing more.
    version = ra.versions.get(number=2)
    assert version_notify_followers(version_id=version.pk) == 0
    assert len(mail.outbox) == 1
    assert VersionNotice.objects.filter(version=version).count() == 1


def test_a_condition_feed_holds_its_sub_conditions_and_not_others(demo, reviewer, client):
    nephritis = Verdict.objects.get(condition__slug="lupus-nephritis")
    _api(reviewer).post(
        f"/api/v1/verdicts/{nephritis.pk}/publish/", {"note": "Checked."}, format="json"
    )
    lupus = feedparser.parse(
        client.get("/conditions/systemic-lupus-erythematosus/feed.atom").content
    )
    ra = feedparser.parse(client.get("/conditions/rheumatoid-arthritis/feed.atom").content)
    assert f"{nephritis}: version 2" in [entry.title for entry in lupus.entries]
    assert f"{nephritis}: version 2" not in [entry.title for entry in ra.entries]
    assert client.get("/conditions/no-such-condition/feed.atom").status_code == 404


def test_following_a_condition_tells_of_its_sub_conditions(
    demo, reviewer, django_capture_on_commit_callbacks
):
    reader = _reader("lupus-reader@example.org")
    signed_in(reader).post("/conditions/systemic-lupus-erythematosus/follow/", {"following": "1"})
    nephritis = Verdict.objects.get(condition__slug="lupus-nephritis")
    with django_capture_on_commit_callbacks(execute=True):
        _api(reviewer).post(
            f"/api/v1/verdicts/{nephritis.pk}/publish/", {"note": "Checked."}, format="json"
        )
    assert [message.to for message in mail.outbox] == [["lupus-reader@example.org"]]


def test_following_needs_an_account_and_a_clear_choice(ra, client):
    anonymous = client.post(f"{RA_PAGE}follow/", {"following": "1"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    reader = signed_in(_reader("r@example.org"))
    assert reader.post(f"{RA_PAGE}follow/", {"following": "maybe"}).status_code == 400
    assert reader.get(f"{RA_PAGE}follow/").status_code == 405
    assert not Follow.objects.exists()


def test_a_draft_study_waits_for_publication(ra, reviewer, client):
    study = Study.objects.filter(verdict=ra).first()
    Study.objects.filter(pk=study.pk).update(participants=4321)
    study.refresh_from_db()
    study.save()  # an editor's save, through the ORM as the admin does
    assert "4321" not in client.get(RA_PAGE).content.decode()
    assert APIClient().get(f"/api/v1/studies/{study.pk}/").json()["participants"] != 4321

    _api(reviewer).post(f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "N."}, format="json")

    assert PublishedStudy.objects.get(pk=study.pk).participants == 4321
    assert "4321" in client.get(RA_PAGE).content.decode()
    assert APIClient().get(f"/api/v1/studies/{study.pk}/").json()["participants"] == 4321


def test_the_versions_pages_show_what_changed(ra, editor, reviewer, client):
    _patch_summary(ra, editor)
    _api(editor).patch(f"/api/v1/verdicts/{ra.pk}/", {"status": "not_supported"}, format="json")
    _api(reviewer).post(f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "Re-read."}, format="json")

    listing = client.get(f"{RA_PAGE}versions/").content.decode()
    assert "Version 2" in listing and "Re-read." in listing
    compare = client.get(f"{RA_PAGE}versions/compare/?from=2&to=1").content.decode()
    assert "Status: investigational → not supported" in compare
    assert "Summary reworded" in compare
    assert NEW_SUMMARY in compare
    detail = client.get(f"{RA_PAGE}versions/1/").content.decode()
    assert "A later version replaces it" in detail
    assert NEW_SUMMARY not in detail
    assert client.get(f"{RA_PAGE}versions/9/").status_code == 404
    bad = client.get(f"{RA_PAGE}versions/compare/?from=x&to=1")
    assert bad.status_code == 404


def test_the_certainty_rule_holds_for_a_draft(ra, editor):
    response = _api(editor).patch(
        f"/api/v1/verdicts/{ra.pk}/", {"certainty": "high"}, format="json"
    )
    assert "certainty" in assert_error(response, 400)["fields"]
    ra.refresh_from_db()
    assert ra.certainty == "very_low"


def test_an_editor_outside_the_scope_cannot_patch(ra):
    from evidence.models import Condition

    lupus = Condition.objects.get(slug="systemic-lupus-erythematosus")
    outsider = staff("outsider", EDITOR, lupus)
    response = _api(outsider).patch(f"/api/v1/verdicts/{ra.pk}/", {"summary": "X"}, format="json")
    assert response.status_code in (403, 404)
    assert APIClient().patch(f"/api/v1/verdicts/{ra.pk}/", {"summary": "X"}).status_code == 401


def test_the_draft_service_itself_asks_the_rule(ra):
    """Any caller of the service, not only the API door, meets the condition scopes."""
    from django.core.exceptions import PermissionDenied

    from evidence.models import Condition
    from evidence.services.verdicts import verdict_draft_update

    lupus = Condition.objects.get(slug="systemic-lupus-erythematosus")
    with pytest.raises(PermissionDenied):
        verdict_draft_update(verdict=ra, user=staff("outsider", EDITOR, lupus), summary="X")
    ra.refresh_from_db()
    assert ra.summary != "X"
    updated = verdict_draft_update(verdict=ra, user=staff("insider", EDITOR), summary="Y")
    assert updated.summary == "Y"


def test_the_admin_shows_the_draft_against_the_published_version(ra, editor, reviewer):
    _patch_summary(ra, editor)
    admin = signed_in(reviewer).get(f"/admin/evidence/verdict/{ra.pk}/change/").content.decode()
    assert "The draft differs from published version 1" in admin
    assert "Summary reworded" in admin
    assert 'id="publish-form"' in admin
    as_editor = signed_in(editor).get(f"/admin/evidence/verdict/{ra.pk}/change/").content.decode()
    assert "The draft differs from published version 1" in as_editor
    assert 'id="publish-form"' not in as_editor

    refused = signed_in(editor).post(f"/admin/evidence/verdict/{ra.pk}/publish/", {"note": "Mine."})
    assert refused.status_code == 403
    signed_in(reviewer).post(f"/admin/evidence/verdict/{ra.pk}/publish/", {"note": "Done."})
    assert ra.versions.count() == 2
    again = signed_in(reviewer).get(f"/admin/evidence/verdict/{ra.pk}/change/").content.decode()
    assert "The draft is published as version 2" in again


def test_a_study_reads_as_any_published_version_held_it(ra, reviewer):
    study = Study.objects.filter(verdict=ra).order_by("id").first()
    first = study.participants
    Study.objects.filter(pk=study.pk).update(participants=777)
    _api(reviewer).post(f"/api/v1/verdicts/{ra.pk}/publish/", {"note": "N."}, format="json")
    url = f"/api/v1/studies/{study.pk}/"

    assert APIClient().get(url, {"version": 1}).json()["study"]["participants"] == first
    assert APIClient().get(url, {"version": 2}).json()["study"]["participants"] == 777
    assert APIClient().get(url).json()["participants"] == 777
    assert APIClient().get(url, {"version": 3}).status_code == 404
    assert "version" in assert_error(APIClient().get(url, {"version": "x"}), 400)["fields"]
    assert APIClient().get("/api/v1/studies/999999/", {"version": 1}).status_code == 404


def test_a_study_moved_to_another_pair_is_published_there(demo):
    ra = Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")
    nephritis = Verdict.objects.get(condition__slug="lupus-nephritis")
    study = Study.objects.filter(verdict=ra).order_by("id").first()
    study.condition, study.verdict = nephritis.condition, nephritis
    study.save()
    assert PublishedStudy.objects.get(pk=study.pk).condition_id == ra.condition_id

    publish(nephritis)

    moved = PublishedStudy.objects.get(pk=study.pk)
    assert (moved.condition_id, moved.verdict_id) == (nephritis.condition_id, nephritis.pk)
    assert not PublishedStudy.objects.filter(condition=ra.condition, pk=study.pk).exists()


def test_the_history_api_shows_readers_no_draft_edit(ra, editor):
    url = f"/api/v1/verdicts/{ra.pk}/history/"
    before = APIClient().get(url).json()["count"]
    _patch_summary(ra, editor)

    assert APIClient().get(url).json()["count"] == before
    assert _api(editor).get(url).json()["count"] == before + 1  # staff with view rights
    never = VerdictFactory()
    assert APIClient().get(f"/api/v1/verdicts/{never.pk}/history/").status_code == 404


def test_a_new_studys_location_reads_its_draft_for_its_editor(ra, editor):
    from references.models import Reference

    created = _api(editor).post(
        "/api/v1/studies/",
        {
            "reference": Reference.objects.exclude(studies__verdict=ra).first().pk,
            "therapy": "ivig",
            "condition": "rheumatoid-arthritis",
            "design": "cohort",
            "outcome_summary": "A new draft study.",
            "direction": "benefit",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    location = created["Location"]
    assert location.endswith("?version=draft")
    assert _api(editor).get(location).json()["outcome_summary"] == "A new draft study."
    assert APIClient().get(location).status_code == 404
    assert APIClient().get(location.split("?")[0]).status_code == 404  # not published yet
