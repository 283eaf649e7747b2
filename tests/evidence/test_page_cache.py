"""The page cache (config/page_cache.py): a cached page equals a fresh one, costs (almost) no
queries, answers conditional GETs, and is never stale after any kind of edit."""

import copy
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config import page_cache
from evidence import services
from evidence.models import Condition, Design, Direction, GuidelinePosition, Study, Verdict
from evidence.services import studies as api_services
from references.models import Reference
from references.parsers.records import BibRecord
from references.services.jobs import import_job_run, refresh_job_create
from references.services.upsert import references_upsert
from tests.factories import ReferenceFactory, UserFactory
from tests.support.fake_upstream import FIXTURES, RecordedUpstream
from tests.support.publishing import publish
from therapies import services as therapy_services
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

PAIR = "/conditions/rheumatoid-arthritis/ivig/"
CONDITION = "/conditions/rheumatoid-arthritis/"
PARENT = "/conditions/systemic-lupus-erythematosus/"
THERAPY = "/therapies/ivig/"
HOME = "/"
SUMMARY = "/api/v1/conditions/rheumatoid-arthritis/summary/"
MUSCAT_DOI = "10.1136/ard.54.5.382"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.EVIDENCE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ra(demo):
    return Condition.objects.get(slug="rheumatoid-arthritis")


@pytest.fixture
def ivig(demo):
    return Therapy.objects.get(slug="ivig")


def _text(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _study_count(html: str) -> int:
    return int(re.search(r"(\d+) human stud(?:y|ies):", html).group(1))


@pytest.mark.parametrize("url", [PAIR, CONDITION, PARENT, THERAPY, HOME])
def test_a_cached_page_equals_a_fresh_one_and_costs_no_query(
    client, demo, settings, url, django_assert_num_queries
):
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    settings.EVIDENCE_PAGE_CACHE = False
    assert client.get(url).content == first.content


def test_a_conditional_get_of_an_unchanged_page_is_304(client, demo):
    etag = client.get(PAIR)["ETag"]
    assert client.get(PAIR, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(PAIR, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_page_number_and_style_are_cached_apart(client, ra, ivig, add_studies):
    add_studies(120, therapy=ivig, condition=ra)
    services_cache_invalidated = client.get(PAIR, {"page": 3}).content.decode()
    assert "101 to 126 of 126" in services_cache_invalidated
    assert "1 to 50 of 126" in _text(client, PAIR)
    apa = _text(client, PAIR, style="apa")
    assert 'value="apa" selected' in apa
    assert 'value="apa" selected' not in _text(client, PAIR)


@pytest.mark.parametrize("page", ["0", "-1", "two", "9"])
def test_a_bad_page_number_is_a_404(client, demo, page):
    assert client.get(PAIR, {"page": page}).status_code == 404


def test_signed_in_users_are_not_served_from_the_cache(client, demo, django_assert_max_num_queries):
    client.get(PAIR)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(30) as queries:
        response = client.get(PAIR)
    assert response.status_code == 200
    assert len(queries) > 5  # rendered, not served from the cache


def test_the_setting_turns_the_cache_off(client, demo, settings, django_assert_max_num_queries):
    settings.EVIDENCE_PAGE_CACHE = False
    client.get(PAIR)
    with django_assert_max_num_queries(30) as queries:
        client.get(PAIR)
    assert len(queries) > 5


# --- Never stale --------------------------------------------------------------------------


def _cached(client, url, django_assert_num_queries) -> str:
    """The page, asserted to come from the cache (no query): nothing replaced it."""
    with django_assert_num_queries(0):
        return _text(client, url)


def _publish_ra(ra, ivig):
    publish(Verdict.objects.get(therapy=ivig, condition=ra))


def test_a_study_added_changed_and_deleted_through_the_services(
    client, ra, ivig, django_assert_num_queries
):
    before = _study_count(_text(client, PAIR))
    condition_before = _text(client, CONDITION)
    therapy_before = _text(client, THERAPY)
    study = services.study_upsert(
        reference=ReferenceFactory(title="A cached-page trial"),
        therapy=ivig,
        condition=ra,
        design=Design.RCT,
        outcome_summary="Fewer flares.",
        direction=Direction.BENEFIT,
        participants=5000,
    )
    # A draft: the pages stay as published until a reviewer publishes (they are rendered
    # again only because the new study put the verdict up for review, which they show).
    draft_page = _text(client, PAIR)
    assert _study_count(draft_page) == before
    assert "5000 participants" not in draft_page
    assert _study_count(_text(client, CONDITION)) == _study_count(condition_before)
    _publish_ra(ra, ivig)
    pair = _text(client, PAIR)
    assert _study_count(pair) == before + 1
    assert "A cached-page trial" in pair
    assert "Largest randomised trial: " in pair and "5000 participants" in pair
    assert _text(client, CONDITION) != condition_before
    assert _text(client, THERAPY) != therapy_before

    api_services.study_update(study=study, outcome_summary="Fewer flares, fewer infusions.")
    assert "Fewer flares, fewer infusions." not in _text(client, PAIR)
    _publish_ra(ra, ivig)
    assert "Fewer flares, fewer infusions." in _text(client, PAIR)

    api_services.study_delete(study=study)
    assert _study_count(_text(client, PAIR)) == before + 1
    _publish_ra(ra, ivig)
    assert _study_count(_text(client, PAIR)) == before


def test_a_study_saved_as_the_admin_does_and_moved_to_another_pair(client, ra, ivig):
    lupus_pair = "/conditions/systemic-lupus-erythematosus/ivig/"
    assert "Edited in the admin." not in _text(client, lupus_pair)
    study = Study.objects.filter(therapy=ivig, condition=ra).first()
    study.outcome_summary = "Edited in the admin."
    study.save()  # what ModelAdmin.save_model does
    assert "Edited in the admin." not in _text(client, PAIR)
    _publish_ra(ra, ivig)
    assert "Edited in the admin." in _text(client, PAIR)

    study.condition = Condition.objects.get(slug="systemic-lupus-erythematosus")
    study.save()
    publish()
    assert "Edited in the admin." not in _text(client, PAIR)
    assert "Edited in the admin." in _text(client, lupus_pair)


def test_a_study_added_through_the_api(client, ra, ivig):
    editor = UserFactory()
    for codename in ("add_study", "change_study", "delete_study"):
        editor.user_permissions.add(Permission.objects.get(codename=codename))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    before = _study_count(_text(client, PAIR))
    summary = client.get(SUMMARY).json()
    created = api.post(
        "/api/v1/studies/",
        {
            "reference": ReferenceFactory().pk,
            "therapy": "ivig",
            "condition": "rheumatoid-arthritis",
            "design": "cohort",
            "outcome_summary": "Posted through the API.",
            "direction": "harm",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert _study_count(_text(client, PAIR)) == before
    counts = summary["therapies"][0]["study_counts"]
    assert client.get(SUMMARY).json()["therapies"][0]["study_counts"] == counts
    _publish_ra(ra, ivig)
    assert _study_count(_text(client, PAIR)) == before + 1
    assert client.get(SUMMARY).json() != summary
    assert api.delete(created["Location"]).status_code == 204
    _publish_ra(ra, ivig)
    assert _study_count(_text(client, PAIR)) == before


def test_a_verdict_change_shows_on_every_page_once_published(
    client, ra, ivig, django_assert_num_queries
):
    pages = [PAIR, CONDITION, THERAPY, HOME]
    for url in pages:
        assert "badge--contraindicated" not in _text(client, url)
    verdict = Verdict.objects.get(therapy=ivig, condition=ra)
    verdict.status = Verdict.Status.CONTRAINDICATED
    verdict.save()
    for url in pages:
        assert "badge--contraindicated" not in _cached(client, url, django_assert_num_queries)
    publish(verdict)
    for url in pages:
        assert "badge--contraindicated" in _text(client, url), url


def test_a_sub_conditions_verdict_shows_on_its_parents_page(client, demo):
    assert "badge--contraindicated" not in _text(client, PARENT)
    verdict = Verdict.objects.get(condition__slug="lupus-nephritis")
    verdict.status = Verdict.Status.CONTRAINDICATED
    verdict.save()
    assert "badge--contraindicated" not in _text(client, PARENT)
    publish(verdict)
    assert "badge--contraindicated" in _text(client, PARENT)


def test_a_retraction_found_by_a_refresh(client, demo, upstream, upstream_settings):
    assert "is marked retracted" not in _text(client, PAIR)
    recorded = json.loads(
        (FIXTURES / "crossref/works/retracted-10.1016_s0140-6736-97-11096-0.json").read_bytes()
    )["message"]
    message = copy.deepcopy(recorded)
    message["DOI"] = MUSCAT_DOI
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), RecordedUpstream(works={MUSCAT_DOI: message}))
    reference = Reference.objects.get(doi=MUSCAT_DOI)
    import_job_run(job_id=refresh_job_create(reference_ids=[reference.pk]).pk)
    assert "is marked retracted" in _text(client, PAIR)
    assert "retracted or flagged" in _text(client, CONDITION)


def test_a_reference_refreshed_in_bulk_or_edited(client, demo):
    reference = Reference.objects.get(doi=MUSCAT_DOI)
    assert "Refreshed title" not in _text(client, PAIR)
    references_upsert(records=[BibRecord(source="pubmed", doi=MUSCAT_DOI, title="Refreshed title")])
    assert Reference.objects.get(pk=reference.pk).title == "Refreshed title"
    assert "Refreshed title" in _text(client, PAIR)

    reference.refresh_from_db()
    reference.title = "Edited in the reference admin"
    reference.save()
    assert "Edited in the reference admin" in _text(client, PAIR)


def test_a_guideline_position(client, ra, ivig):
    assert "Cached Guideline Body" not in _text(client, PAIR)
    assert "Cached Guideline Body" not in _text(client, CONDITION)
    services.guideline_position_upsert(
        therapy=ivig,
        condition=ra,
        issuing_body="Cached Guideline Body",
        document="Guideline 2026",
        position=GuidelinePosition.Position.NOT_SUPPORTED,
        year=2026,
        reference=ReferenceFactory(title="The cached guideline"),
    )
    assert "Cached Guideline Body" in _text(client, PAIR)
    assert "Cached Guideline Body" in _text(client, CONDITION)


def test_an_adverse_effect_of_the_therapy(client, ivig):
    assert "Cached-page rash" not in _text(client, PAIR)
    assert "Cached-page rash" not in _text(client, THERAPY)
    source = ReferenceFactory(title="A safety source for the cache test")
    therapy_services.adverse_effect_upsert(
        therapy=ivig,
        name="Cached-page rash",
        severity="serious",
        frequency="rare",
        references=[source],
    )
    assert "Cached-page rash" in _text(client, PAIR)
    assert "A safety source for the cache test" in _text(client, THERAPY)


def test_tokens_are_replaced_again_when_the_writing_transaction_commits(
    ra, ivig, django_capture_on_commit_callbacks
):
    """A reader that cached a page from data read before the commit used a token that
    the commit replaces, so that page is never served."""
    scopes = [page_cache.condition_scope(ra.slug), page_cache.therapy_scope(ivig.slug)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.study_upsert(
            reference=ReferenceFactory(),
            therapy=ivig,
            condition=ra,
            design=Design.COHORT,
            outcome_summary="Committed later.",
            direction=Direction.UNCLEAR,
        )
        during = page_cache.tokens(scopes)
    assert callbacks
    for callback in callbacks:
        callback()
    after = page_cache.tokens(scopes)
    assert all(new != old for new, old in zip(after, during, strict=True))


# --- The summary API ----------------------------------------------------------------------


def test_the_cached_summary_equals_a_fresh_one(client, demo, settings, django_assert_num_queries):
    first = client.get(SUMMARY)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(SUMMARY)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == "application/json"
    assert second["Last-Modified"] == first["Last-Modified"]
    assert client.get(SUMMARY, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    settings.EVIDENCE_PAGE_CACHE = False
    fresh = client.get(SUMMARY)
    assert fresh.content == first.content
    assert fresh["ETag"] == first["ETag"]


def test_the_browsable_api_is_not_served_from_the_json_cache(client, demo):
    client.get(SUMMARY)
    response = client.get(SUMMARY, HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")


def test_the_cached_summary_is_still_throttled(client, demo, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": None},
    }
    statuses = [client.get(SUMMARY).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
