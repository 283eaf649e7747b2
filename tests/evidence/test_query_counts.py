"""Each page runs a fixed number of queries, whatever the number of studies behind it."""

import re

import pytest
from django.urls import reverse

from evidence import services
from evidence.models import PRECLINICAL_DESIGNS, REVIEW_DESIGNS, Condition, Study, Verdict
from evidence.selectors import STUDIES_PER_PAGE
from evidence.selectors.pair import FLAGGED_LIST_LIMIT
from tests.factories import GuidelinePositionFactory, TherapyFactory
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

# condition + sub-conditions + their first verdicts + verdicts + study counts + guideline
# positions; with sub-conditions, their pairs' counts too
CONDITION_QUERIES = 6
PARENT_CONDITION_QUERIES = 7
# verdict + background + studies + guidelines + regulatory + 6 for safety
# + the verdict's history ("What changed", evidence.editorial.selectors.verdict_changes)
# + the summary of findings + counts by design and direction (charts, pooling and
# citations add none); a pair small enough to draw whole is read in one query
PAIR_QUERIES = 14
# a larger pair: a page of studies, flagged studies, the largest trial, the effect sizes
# for pooling, and the studies the forest plots draw
LARGE_PAIR_QUERIES = 18
# every published verdict's pair (counts and matrix) + conditions + therapies
HOME_QUERIES = 3
# a count and a page of rows for each of the four kinds + the pairs citing each reference,
# and one query (rows and their count) for each of the five kinds of safety and guidance facts
SEARCH_QUERIES = 14


@pytest.fixture(params=[5, 1000], ids=["5-studies", "1000-studies"])
def scaled(request, demo, add_studies):
    """The demo plus ``n`` studies for IVIG in RA and ``n`` for a second therapy."""
    n = request.param
    ivig = Therapy.objects.get(slug="ivig")
    ra = Condition.objects.get(slug="rheumatoid-arthritis")
    other = TherapyFactory(name="Other therapy", slug="other")
    services.verdict_upsert(
        therapy=other,
        condition=ra,
        status=Verdict.Status.NOT_SUPPORTED,
        certainty=Verdict.Certainty.MODERATE,
        summary="Did not help.",
    )
    GuidelinePositionFactory(therapy=other, condition=ra)
    add_studies(n, therapy=ivig, condition=ra)
    add_studies(n, therapy=other, condition=ra, prefix="other")
    return n


def _human_reports(condition_slug: str) -> int:
    """The pair's human studies, each reference once: read from the rows, not the page."""
    return (
        Study.objects.filter(condition__slug=condition_slug, therapy__slug="ivig")
        .exclude(design__in=[*REVIEW_DESIGNS, *PRECLINICAL_DESIGNS])
        .values("reference_id")
        .distinct()
        .count()
    )


def test_condition_page(client, scaled, django_assert_max_num_queries):
    with django_assert_max_num_queries(CONDITION_QUERIES):
        response = client.get(reverse("evidence:condition-detail", args=["rheumatoid-arthritis"]))
    assert response.status_code == 200
    assert f"<strong>{_human_reports('rheumatoid-arthritis')} human studies:</strong>" in (
        response.content.decode()
    )


def test_parent_condition_page(client, scaled, django_assert_max_num_queries):
    with django_assert_max_num_queries(PARENT_CONDITION_QUERIES):
        response = client.get(
            reverse("evidence:condition-detail", args=["systemic-lupus-erythematosus"])
        )
    assert response.status_code == 200


def test_pair_page(client, scaled, django_assert_max_num_queries):
    """A large pair's page shows one page of studies and the references that page cites."""
    with django_assert_max_num_queries(PAIR_QUERIES if scaled < 400 else LARGE_PAIR_QUERIES):
        response = client.get(
            reverse("evidence:pair-detail", args=["rheumatoid-arthritis", "ivig"])
        )
    html = response.content.decode()
    assert response.status_code == 200
    shown = min(scaled + 6, STUDIES_PER_PAGE)
    assert html.count('<tr id="study-') == shown
    assert f"<strong>{_human_reports('rheumatoid-arthritis')} human studies:</strong>" in html
    if scaled + 6 > STUDIES_PER_PAGE:
        assert f"of {scaled + 6}</caption>" in html
    # Numbered per page: 3 background sources, the page's studies, flagged studies of
    # other pages listed in the warning, the guideline position, 2 safety sources.
    numbers = [int(n) for n in re.findall(r'<li id="ref-(\d+)"', html)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert shown + 6 <= len(numbers) <= shown + 6 + FLAGGED_LIST_LIMIT


def test_home_page(client, scaled, django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(reverse("evidence:home"))
    assert response.status_code == 200


def test_search_page(client, scaled, django_assert_max_num_queries):
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("search:search"), {"q": "study"})
    assert response.status_code == 200
    with django_assert_max_num_queries(3):
        response = client.get(reverse("search:search"), {"q": "study", "kind": "references"})
    assert response.status_code == 200
    shown = response.content.decode().count("<cite>")
    assert shown == 20 if scaled > 20 else 0 < shown <= 20  # one page at most
