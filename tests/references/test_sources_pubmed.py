"""PubMedClient against a real HTTP server on 127.0.0.1 serving recorded answers."""

import json
import re
import socket
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from werkzeug import Request, Response

from references.sources import PubMedClient, UpstreamBadResponse, UpstreamUnavailable
from references.sources.ratelimit import LocalRateLimiter, RedisRateLimiter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
EFETCH = "/pubmed/efetch.fcgi"
ESEARCH = "/pubmed/esearch.fcgi"
ESUMMARY = "/pubmed/esummary.fcgi"
UA = re.compile(r"^Evidentia/\d\S* \(mailto:tests@example\.org\)$")

ARTICLE_SET = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle,'
    b' 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet></PubmedArticleSet>\n"
)
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>NCBI - Service unavailable</title></head>"
    b"<body><h1>The service is temporarily unavailable</h1></body></html>"
)


def fixture_json(relative: str):
    return json.loads((FIXTURES / relative).read_bytes())


def xml_response(body: bytes = ARTICLE_SET, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=UTF-8")


def test_efetch_batches_450_pmids_into_three_requests_posting_the_large_ones(pubmed, upstream):
    upstream.on(EFETCH, lambda request: xml_response())
    pmids = [str(30_000_000 + i) for i in range(450)]

    results = list(pubmed.efetch(pmids))

    assert [len(batch) for batch, _ in results] == [200, 200, 50]
    assert [pmid for batch, _ in results for pmid in batch] == pmids
    assert all(body == ARTICLE_SET for _, body in results)
    assert [call.method for call in upstream.calls] == ["POST", "POST", "GET"]
    for call, (batch, _) in zip(upstream.calls, results, strict=True):
        assert call.params["id"] == ",".join(batch)
        assert call.params["db"] == "pubmed"
        assert call.params["retmode"] == "xml"
        assert call.params["tool"] == "evidentia"
        assert call.params["email"] == "tests@example.org"
        assert "api_key" not in call.params
        assert UA.match(call.headers["User-Agent"])
    # The large batches travel in the form body, not in the URL.
    assert "id" not in upstream.calls[0].query and "id" in upstream.calls[0].form
    assert upstream.calls[2].query["id"] == ",".join(pmids[400:])
    assert pubmed.requests_made == 3


def test_efetch_strips_and_deduplicates_and_refuses_what_is_not_a_pmid(pubmed, upstream):
    upstream.on(EFETCH, lambda request: xml_response())

    [(batch, _)] = list(pubmed.efetch([" 123 ", "456", "123"]))

    assert batch == ["123", "456"]
    assert upstream.calls[0].params["id"] == "123,456"
    with pytest.raises(ValueError, match="not PMIDs"):
        list(pubmed.efetch(["123", "10.1000/xyz"]))
    with pytest.raises(TypeError):
        list(pubmed.efetch("123"))
    assert pubmed.requests_made == 1


def test_api_key_is_sent_and_raises_the_rate_when_set(upstream_settings, upstream, sleeps):
    upstream.on(EFETCH, lambda request: xml_response())
    upstream_settings.PUBMED_RATE_LIMIT_PER_SECOND = None  # NCBI's published limits
    upstream_settings.NCBI_API_KEY = "k-123"

    with PubMedClient.from_settings(sleep=sleeps) as client:
        list(client.efetch(["1", "2"]))
        list(client.efetch([str(n) for n in range(1, 61)]))  # POSTed
        assert client.limiter.rate == 10

    assert [call.params.get("api_key") for call in upstream.calls] == ["k-123", "k-123"]
    upstream_settings.NCBI_API_KEY = ""
    with PubMedClient.from_settings() as client:
        assert client.limiter.rate == 3


def test_from_settings_shares_the_limiter_in_redis_only_when_redis_is_configured(
    upstream_settings,
):
    upstream_settings.REDIS_URL = ""
    with PubMedClient.from_settings() as client:
        assert isinstance(client.limiter, LocalRateLimiter)
        assert client.limiter.key == upstream_settings.UPSTREAM_RATELIMIT_PREFIX + "pubmed"


@pytest.mark.redis
def test_from_settings_uses_the_redis_limiter_keyed_per_upstream(upstream_settings):
    with PubMedClient.from_settings() as client:
        assert isinstance(client.limiter, RedisRateLimiter)
        assert client.limiter.key == upstream_settings.UPSTREAM_RATELIMIT_PREFIX + "pubmed"


def test_pubmed_default_rate_is_kept_between_requests(upstream_settings, upstream):
    # Four requests at NCBI's keyless 3/s take at least one second end to end.
    upstream_settings.PUBMED_RATE_LIMIT_PER_SECOND = None
    upstream.on(EFETCH, lambda request: xml_response())
    with PubMedClient.from_settings() as client:
        for pmid in ("1", "2", "3", "4"):
            list(client.efetch([pmid]))

    assert upstream.calls[3].at - upstream.calls[0].at >= 1.0 - 0.03


def test_esearch_returns_the_recorded_ids(pubmed, upstream):
    recorded = fixture_json("pubmed/esearch/biopython-esearch1.json")
    upstream.on(ESEARCH, lambda request: upstream.json(recorded))

    ids = pubmed.esearch("biopython")

    assert ids == recorded["esearchresult"]["idlist"]
    assert ids[:2] == ["41282813", "41148224"] and len(ids) == 20
    [call] = upstream.calls
    assert call.method == "GET"
    assert call.params["term"] == "biopython"
    assert call.params["retmode"] == "json"
    assert call.params["retmax"] == "10000"
    assert call.params["tool"] == "evidentia"
    assert call.params["email"] == "tests@example.org"
    assert "mindate" not in call.params and "datetype" not in call.params


def test_esearch_by_entrez_date_sends_both_dates(pubmed, upstream):
    recorded = fixture_json("pubmed/esearch/biopython-esearch2.json")
    upstream.on(ESEARCH, lambda request: upstream.json(recorded))

    ids = pubmed.esearch(
        "cancer", mindate=date(2025, 9, 27), maxdate=date(2025, 11, 26), retmax=100
    )
    pubmed.esearch("cancer", mindate=date(2025, 9, 27))

    assert len(ids) == 100 and ids[0] == "41297076"
    first, second = upstream.calls
    assert (first.params["datetype"], first.params["mindate"], first.params["maxdate"]) == (
        "edat",
        "2025/09/27",
        "2025/11/26",
    )
    assert first.params["retmax"] == "100"
    # PubMed wants both ends: a missing maxdate becomes today.
    assert second.params["maxdate"] == datetime.now(tz=UTC).date().strftime("%Y/%m/%d")
    with pytest.raises(ValueError):
        pubmed.esearch("cancer", retmax=10_001)


def test_esearch_error_in_a_200_answer_is_a_bad_response(pubmed, upstream):
    answer = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": {"ERROR": "x"}}
    upstream.on(ESEARCH, lambda request: upstream.json(answer))

    with pytest.raises(UpstreamBadResponse, match="esearch error"):
        pubmed.esearch("((")

    assert pubmed.requests_made == 2  # a bad body is retried once, then reported


def esearch_answer(ids: list[str]) -> Response:
    result = {"count": str(len(ids)), "retmax": str(len(ids)), "retstart": "0", "idlist": ids}
    payload = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
    return Response(json.dumps(payload), content_type="application/json; charset=UTF-8")


def test_pmid_for_doi_searches_the_doi_field(pubmed, upstream):
    answers = {
        '"10.1000/one"[doi]': ["111"],
        '"10.1000/none"[doi]': [],
        '"10.1000/twice"[doi]': ["222", "333"],
    }
    upstream.on(ESEARCH, lambda request: esearch_answer(answers[request.args["term"]]))

    assert pubmed.pmid_for_doi("10.1000/one") == "111"
    assert pubmed.pmid_for_doi(" 10.1000/none ") is None
    assert pubmed.pmid_for_doi("10.1000/twice") is None  # ambiguous: not guessed
    assert [call.params["term"] for call in upstream.calls] == list(answers)


def test_pmids_for_dois_maps_back_through_esummary(pubmed, upstream):
    records = {
        "111": "10.1000/One",
        "222": "10.1000/two",
        "333": "10.1000/other",  # matched by PubMed's search but not asked for
    }
    upstream.on(ESEARCH, lambda request: esearch_answer(list(records)))

    def esummary(request: Request) -> Response:
        uids = request.values["id"].split(",")
        result = {"uids": uids}
        for uid in uids:
            result[uid] = {
                "uid": uid,
                "articleids": [
                    {"idtype": "pubmed", "idtypen": 1, "value": uid},
                    {"idtype": "doi", "idtypen": 3, "value": records[uid]},
                ],
            }
        return upstream.json({"header": {"type": "esummary", "version": "0.3"}, "result": result})

    upstream.on(ESUMMARY, esummary)

    found = pubmed.pmids_for_dois(["10.1000/ONE", "10.1000/two", "10.1000/missing"])

    assert found == {"10.1000/one": "111", "10.1000/two": "222"}
    search, summary = upstream.calls
    assert search.params["term"] == (
        '"10.1000/one"[doi] OR "10.1000/two"[doi] OR "10.1000/missing"[doi]'
    )
    assert summary.params["id"] == "111,222,333"
    assert summary.params["retmode"] == "json"


def test_429_with_retry_after_is_waited_out_then_retried(pubmed, upstream, sleeps):
    recorded = fixture_json("pubmed/esearch/biopython-esearch1.json")
    upstream.sequence(
        ESEARCH,
        upstream.json(
            {"error": "API rate limit exceeded", "count": "4", "limit": "3"},
            status=429,
            headers={"Retry-After": "2"},
        ),
        upstream.json(recorded),
    )

    ids = pubmed.esearch("biopython")

    assert len(ids) == 20
    assert pubmed.requests_made == 2
    assert len(upstream.calls) == 2
    assert len(sleeps.calls) == 1 and sleeps.calls[0] >= 2.0


def test_500_then_success_backs_off_and_retries(pubmed, upstream, sleeps):
    upstream.sequence(EFETCH, Response("oops", status=500), xml_response())

    [(batch, body)] = list(pubmed.efetch(["123"]))

    assert (batch, body) == (["123"], ARTICLE_SET)
    assert pubmed.requests_made == 2
    assert len(sleeps.calls) == 1 and 0.001 <= sleeps.calls[0] < 0.01


def test_persistent_503_gives_up_after_max_attempts_with_retry_after(pubmed, upstream, sleeps):
    upstream.on(EFETCH, lambda request: Response("down", status=503, headers={"Retry-After": "3"}))

    with pytest.raises(UpstreamUnavailable) as excinfo:
        list(pubmed.efetch(["123"]))

    assert excinfo.value.status == 503
    assert excinfo.value.retry_after == 3.0
    assert pubmed.requests_made == 3 == len(upstream.calls)
    assert len(sleeps.calls) == 2 and min(sleeps.calls) >= 3.0


def test_retry_after_beyond_the_cap_is_left_to_the_caller(pubmed, upstream, sleeps):
    upstream.on(ESEARCH, lambda request: upstream.json({}, 429, {"Retry-After": "600"}))

    with pytest.raises(UpstreamUnavailable) as excinfo:
        pubmed.esearch("anything")

    assert excinfo.value.retry_after == 600.0
    assert pubmed.requests_made == 1
    assert sleeps.calls == []


def test_a_timeout_is_retried_then_reported_as_unavailable(upstream_settings, upstream, sleeps):
    upstream_settings.UPSTREAM_TIMEOUT_SECONDS = 0.2

    def slow(request: Request) -> Response:
        upstream.release.wait(timeout=3)
        return xml_response()

    upstream.on(EFETCH, slow)
    started = time.monotonic()
    with PubMedClient.from_settings(sleep=sleeps) as client:
        with pytest.raises(UpstreamUnavailable, match="timed out") as excinfo:
            list(client.efetch(["123"]))
        assert client.requests_made == 3

    assert time.monotonic() - started < 2.0  # three 0.2 s timeouts, not three 3 s waits
    assert excinfo.value.retry_after is None
    assert len(upstream.calls) == 3
    assert len(sleeps.calls) == 2


def test_connection_refused_is_unavailable(upstream_settings, sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    upstream_settings.PUBMED_BASE_URL = f"http://127.0.0.1:{port}/"

    with PubMedClient.from_settings(sleep=sleeps) as client:
        with pytest.raises(UpstreamUnavailable, match="unreachable"):
            client.pmid_for_doi("10.1000/xyz")
        assert client.requests_made == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (HTML_ERROR_PAGE, "text/html; charset=UTF-8"),
        (HTML_ERROR_PAGE, "text/xml"),  # mislabelled: the body gives it away
        (b"", "text/xml"),
        (b'{"error": "unexpected"}', "application/json"),
    ],
    ids=["html", "html-labelled-xml", "empty", "json"],
)
def test_a_200_that_is_not_xml_is_a_bad_response(pubmed, upstream, body, content_type):
    upstream.on(EFETCH, lambda request: Response(body, status=200, content_type=content_type))

    with pytest.raises(UpstreamBadResponse) as excinfo:
        list(pubmed.efetch(["123"]))

    assert excinfo.value.status == 200
    assert pubmed.requests_made == 2  # retried once: NCBI serves such pages in passing


def test_an_html_page_then_xml_recovers_on_the_second_attempt(pubmed, upstream):
    upstream.sequence(EFETCH, Response(HTML_ERROR_PAGE, content_type="text/html"), xml_response())

    assert list(pubmed.efetch(["123"])) == [(["123"], ARTICLE_SET)]


def test_efetch_error_document_is_a_bad_response(pubmed, upstream):
    error = (
        b'<?xml version="1.0" ?>\n<eFetchResult>\n\t<ERROR>Backend failed</ERROR>\n</eFetchResult>'
    )
    upstream.on(EFETCH, lambda request: xml_response(error))

    with pytest.raises(UpstreamBadResponse, match="efetch error"):
        list(pubmed.efetch(["123"]))


def test_a_client_error_is_not_retried(pubmed, upstream, sleeps):
    upstream.on(ESEARCH, lambda request: upstream.json({"error": "bad request"}, status=400))

    with pytest.raises(UpstreamBadResponse) as excinfo:
        pubmed.esearch("x")

    assert excinfo.value.status == 400
    assert pubmed.requests_made == 1
    assert sleeps.calls == []
