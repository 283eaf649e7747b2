"""Every page and list endpoint runs as many queries over a large corpus as over a small
one: generate a corpus at two sizes (devtools.corpus), request each URL, compare.

An N+1 shows as a count that grows with the corpus; the ceilings catch a page that is
constant but wasteful.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from devtools.corpus.generate import corpus_generate
from devtools.corpus.plan import CorpusSpec
from evidence.models import Verdict
from tests.factories import UserFactory
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

SMALL = CorpusSpec(conditions=20, therapies=8, studies=60, references=150, seed=3)
LARGE = CorpusSpec(conditions=200, therapies=40, studies=600, references=1500, seed=3)
PAGE_CEILING = 30
API_CEILING = 15


def _urls(condition: str, therapy: str, therapy_name: str, verdict: int) -> dict[str, str]:
    word = therapy_name.split()[0]
    return {
        "home": "/",
        "condition page": f"/conditions/{condition}/",
        "largest pair page": f"/conditions/{condition}/{therapy}/",
        "therapy page": f"/therapies/{therapy}/",
        "search": f"/search/?q={word}",
        "search references": f"/search/?q={word}&kind=references",
        "search common word": "/search/?q=patients",
        "api conditions": "/api/v1/conditions/?page_size=200",
        "api therapies": "/api/v1/therapies/?page_size=200",
        "api verdicts": "/api/v1/verdicts/?page_size=200",
        "api studies": "/api/v1/studies/?page_size=200",
        "api references": "/api/v1/references/?page_size=200",
        "api candidates": "/api/v1/candidates/?page_size=200",
        "api condition summary": f"/api/v1/conditions/{condition}/summary/",
        "api condition references": f"/api/v1/conditions/{condition}/references/?page_size=200",
        "api verdict references": f"/api/v1/verdicts/{verdict}/references/?page_size=200",
        "api verdict history": f"/api/v1/verdicts/{verdict}/history/?page_size=200",
    }


def _measure(spec: CorpusSpec, client: APIClient) -> dict[str, int]:
    summary = corpus_generate(spec=spec, replace=True)
    publish()  # readers see published verdicts only
    condition, therapy, studies = summary.largest_pair
    assert studies >= 2
    verdict = Verdict.objects.select_related("therapy").get(
        condition__slug=condition, therapy__slug=therapy
    )
    counts = {}
    for name, url in _urls(condition, therapy, verdict.therapy.name, verdict.pk).items():
        cache.clear()  # throttling and cached fragments must not carry over
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_page_and_list_runs_the_same_queries_at_two_corpus_sizes():
    client = APIClient()
    client.force_authenticate(UserFactory(username="perf-admin", is_superuser=True))

    small = _measure(SMALL, client)
    large = _measure(LARGE, client)

    grown = {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert not grown, f"query counts (small corpus, 10x corpus) that differ: {grown}"
    for name, count in large.items():
        ceiling = API_CEILING if name.startswith("api") else PAGE_CEILING
        assert count <= ceiling, f"{name}: {count} queries, ceiling {ceiling}"
