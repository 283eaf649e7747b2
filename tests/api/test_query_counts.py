"""Each list, summary and export runs a fixed number of queries, whatever its size.

Every case runs at a small size and at 200+ rows with the same bound, with page_size=200
so that all rows are serialized; an N+1 would multiply the count.
"""

import pytest

from evidence.models import Condition, Verdict
from references.models import Reference, ReferenceNotice
from tests.factories import (
    ConditionFactory,
    GuidelinePositionFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)
from tests.support.publishing import publish
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

# Counted below; a change that needs more must say why here.
BOUNDS = {
    "conditions": 2,  # count, page (parent joined)
    "therapies": 2,  # count, page
    "verdicts": 2,  # count, page (therapy and condition joined)
    "studies": 2,  # count, page (reference, therapy, condition joined)
    "references": 3,  # count, page, notices
    "references-export": 1,  # all matching rows, up to the limit
    # the selector (6, or 7 with sub-conditions and their pairs' counts), then 4 for
    # Last-Modified
    "summary": 11,
    "condition-references": 3,  # condition, count, page
    "verdict-detail": 4,  # verdict, background references, studies, Last-Modified
    "verdict-references": 11,  # verdict, then the pair page's selector (at most 10)
    "verdict-history": 4,  # verdict, count, page, the version before the page
}


@pytest.fixture(params=[3, 210], ids=["small", "200+"])
def world(request, add_studies):
    """n conditions, n therapies, n verdicts (one condition), n studies and references."""
    n = request.param
    parent = ConditionFactory(slug="parent")
    Condition.objects.bulk_create(
        [Condition(name=f"Bulk condition {i}", slug=f"bulk-{i}", parent=parent) for i in range(n)]
    )
    therapies = Therapy.objects.bulk_create(
        [Therapy(name=f"Bulk therapy {i}", slug=f"bulk-therapy-{i}") for i in range(n)]
    )
    condition = ConditionFactory(slug="target")
    Verdict.objects.bulk_create(
        [
            Verdict(
                therapy=therapy,
                condition=condition,
                status=Verdict.Status.SUPPORTED,
                certainty=Verdict.Certainty.LOW,
                summary="Bulk.",
            )
            for therapy in therapies
        ]
    )
    verdict = Verdict.objects.get(therapy=therapies[0])
    add_studies(n, therapy=therapies[0], condition=condition)
    for i in range(min(n, 20)):
        GuidelinePositionFactory(therapy=therapies[i], condition=condition)
    for reference in Reference.objects.all()[:n]:
        VerdictReferenceFactory(verdict=verdict, reference=reference)
    ReferenceNotice.objects.bulk_create(
        [
            ReferenceNotice(reference=reference, type="retraction", source="test", doi=f"n{i}")
            for i, reference in enumerate(Reference.objects.filter(retraction_status="retracted"))
        ]
    )
    user = UserFactory()
    for i in range(n):
        verdict.review_interval_months = i + 1
        verdict._history_user = user
        verdict.save()
    publish()  # readers see published verdicts, and the history up to the publication
    return {"n": n, "verdict": verdict}


def _urls(world):
    verdict = world["verdict"].pk
    return {
        "conditions": "/api/v1/conditions/?page_size=200",
        "therapies": "/api/v1/therapies/?page_size=200",
        "verdicts": "/api/v1/verdicts/?page_size=200",
        "studies": "/api/v1/studies/?page_size=200",
        "references": "/api/v1/references/?page_size=200",
        "references-export": "/api/v1/references/?format=ris",
        "summary": "/api/v1/conditions/target/summary/",
        "condition-references": "/api/v1/conditions/target/references/?page_size=200",
        "verdict-detail": f"/api/v1/verdicts/{verdict}/",
        "verdict-references": f"/api/v1/verdicts/{verdict}/references/?page_size=200",
        "verdict-history": f"/api/v1/verdicts/{verdict}/history/?page_size=200",
    }


@pytest.mark.parametrize("name", list(BOUNDS))
def test_query_count_does_not_grow_with_rows(anon, world, name, django_assert_max_num_queries):
    url = _urls(world)[name]

    with django_assert_max_num_queries(BOUNDS[name]):
        response = anon.get(url)

    assert response.status_code == 200, response.content
    if name in {"studies", "references", "verdict-history"} and world["n"] > 200:
        assert len(response.json()["results"]) == 200


def test_therapy_detail_query_count(anon, db, django_assert_max_num_queries):
    therapy = TherapyFactory(slug="ivig")
    # therapy, regulatory statuses, the safety selector's 6, and 5 history lookups
    with django_assert_max_num_queries(13):
        assert anon.get(f"/api/v1/therapies/{therapy.slug}/").status_code == 200


def test_summary_with_sub_conditions_query_count(anon, db, django_assert_max_num_queries):
    parent = ConditionFactory(slug="sle")
    for i in range(5):
        VerdictFactory(condition=ConditionFactory(slug=f"sub-{i}", parent=parent))

    with django_assert_max_num_queries(BOUNDS["summary"]):
        assert anon.get("/api/v1/conditions/sle/summary/").status_code == 200
