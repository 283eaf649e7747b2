"""references.services.search: a PubMed search since a date, against a fake PubMed (real
HTTP on 127.0.0.1, recorded efetch answers)."""

import re
from datetime import date

import pytest
from werkzeug import Response

from references.services.search import UpstreamUnavailable, pubmed_client, pubmed_search
from tests.factories import ReferenceFactory
from tests.support.fake_upstream import FIXTURES, RecordedUpstream, load_pubmed_articles

pytestmark = pytest.mark.django_db

EFETCH = FIXTURES / "pubmed" / "efetch"
QUERY = "immunoglobulins, intravenous[mh] AND arthritis, rheumatoid[mh]"
FOUND = ["28731372", "993", "34843274"]


@pytest.fixture
def fake_pubmed(upstream, upstream_settings):
    articles = load_pubmed_articles(*sorted(EFETCH.glob("pmid-*.xml")))
    fake = RecordedUpstream(articles=articles, searches={QUERY: FOUND})
    upstream.on(re.compile(r"/pubmed/.*"), fake)
    return fake


def _calls(upstream, endpoint):
    return [call for call in upstream.calls if call.path.endswith(endpoint)]


def test_a_search_fetches_and_parses_the_records_the_library_does_not_hold(fake_pubmed, upstream):
    stored = ReferenceFactory(pmid="993")

    result = pubmed_search(query=QUERY, since=date(2024, 3, 5))

    assert result.pmids == FOUND
    assert result.stored == {"993": stored.pk}
    assert sorted(record.pmid for record in result.records) == ["28731372", "34843274"]
    assert all(record.raw for record in result.records)
    assert (result.errors, result.rejected) == ([], "")
    (search,) = _calls(upstream, "esearch.fcgi")
    assert search.params["term"] == QUERY
    assert (search.params["mindate"], search.params["datetype"]) == ("2024/03/05", "edat")
    (fetch,) = _calls(upstream, "efetch.fcgi")
    assert fetch.params["id"] == "28731372,34843274"


def test_without_a_date_the_search_is_not_limited_and_nothing_held_is_fetched(
    fake_pubmed, upstream
):
    for pmid in FOUND:
        ReferenceFactory(pmid=pmid)

    result = pubmed_search(query=QUERY)

    assert set(result.stored) == set(FOUND) and result.records == []
    assert "mindate" not in _calls(upstream, "esearch.fcgi")[0].params
    assert not _calls(upstream, "efetch.fcgi")


def test_a_search_pubmed_rejects_is_reported_and_nothing_is_fetched(fake_pubmed, upstream):
    rejected = Response(
        '{"esearchresult": {"ERROR": "Invalid query"}}', content_type="application/json"
    )
    fake_pubmed.faults.extend([lambda request: rejected] * 3)

    result = pubmed_search(query=QUERY)

    assert result.rejected.startswith("PubMed did not accept the search: ")
    assert "Invalid query" in result.rejected
    assert (result.pmids, result.records, result.errors) == ([], [], [])
    assert not _calls(upstream, "efetch.fcgi")


def test_an_unreadable_efetch_answer_is_reported_with_how_many_records_it_held(fake_pubmed):
    def truncated(request):
        if request.path.endswith("efetch.fcgi"):
            return Response(b"<PubmedArticleSet><PubmedArticle>", content_type="text/xml")
        return None

    fake_pubmed.faults.append(truncated)

    result = pubmed_search(query=QUERY)

    assert result.records == []
    (error,) = result.errors
    assert error.startswith("Unreadable efetch answer for 3 records: ")


def test_an_unusable_efetch_answer_is_reported(fake_pubmed):
    def html(request):
        if request.path.endswith("efetch.fcgi"):
            return Response(b"<html><body>busy</body></html>", content_type="text/html")
        return None

    # A bad body is retried once, then reported.
    fake_pubmed.faults.extend([html, html])

    result = pubmed_search(query=QUERY)

    (error,) = result.errors
    assert error.startswith("PubMed answered efetch with an unusable response: ")


def test_an_unavailable_pubmed_raises_so_the_caller_retries_later(fake_pubmed):
    fake_pubmed.faults.extend([lambda request: Response("down", status=503)] * 3)

    with pytest.raises(UpstreamUnavailable):
        pubmed_search(query=QUERY)


def test_a_shared_client_serves_several_searches_and_stays_open(fake_pubmed, upstream):
    with pubmed_client() as client:
        first = pubmed_search(query=QUERY, pubmed=client)
        second = pubmed_search(query=QUERY, pubmed=client, max_results=1)

        assert len(first.records) == 3 and second.pmids == FOUND
        assert client.requests_made == 4  # nothing is written, so both fetch
    assert _calls(upstream, "esearch.fcgi")[1].params["retmax"] == "1"
