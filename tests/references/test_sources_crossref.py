"""CrossrefClient against a real HTTP server on 127.0.0.1 serving recorded answers."""

import base64
import gzip
import json
import re
import threading
import time
from pathlib import Path

import pytest
import yaml
from werkzeug import Request, Response

from references.sources import CrossrefClient, UpstreamBadResponse, UpstreamUnavailable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "crossref"
WORKS = "/crossref/works"
UA = re.compile(r"^Evidentia/\d\S* \(mailto:tests@example\.org\)$")
RECORDED = {
    message["DOI"].lower(): message
    for message in (
        json.loads(path.read_bytes())["message"]
        for path in sorted((FIXTURES / "works").glob("*.json"))
    )
}


def json_response(payload, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json"
    )


def recorded_response(cassette: str) -> tuple[str, Response]:
    """The path and answer of a cassette's single exchange, as a server would send it."""
    [interaction] = yaml.safe_load((FIXTURES / "cassettes" / cassette).read_text())["interactions"]
    answer = interaction["response"]
    headers = {name: values[0] for name, values in answer["headers"].items()}
    body = answer["body"]["string"]
    if isinstance(body, str):  # PyYAML returns !!binary as bytes already
        body = base64.b64decode(body)
    if headers.pop("content-encoding", None) == "gzip":
        body = gzip.decompress(body)
    # Served decompressed by another server: drop what described the original wire.
    for name in ("content-length", "connection", "date", "server"):
        headers.pop(name, None)
    path = interaction["request"]["uri"].removeprefix("https://api.crossref.org")
    return f"/crossref{path}", Response(body, status=answer["status"]["code"], headers=headers)


def work_answer(doi: str, headers: dict[str, str] | None = None) -> Response:
    message = RECORDED.get(doi.lower())
    if message is None:
        return Response("Resource not found.", status=404, content_type="text/plain")
    payload = {"status": "ok", "message-type": "work", "message-version": "1.0.0"}
    return json_response({**payload, "message": message}, headers=headers)


def by_doi(request: Request) -> Response:
    return work_answer(request.path.removeprefix(f"{WORKS}/"))


def test_work_serves_the_recorded_exchange_and_adopts_its_limits(crossref, upstream):
    path, answer = recorded_response("works-one-id-with-headers.yaml")
    assert path == f"{WORKS}/10.1371/journal.pone.0033693"
    upstream.on(path, lambda request: answer)
    assert (crossref.limiter.rate, crossref.concurrency.limit) == (1000, 5)

    work = crossref.work("10.1371/journal.pone.0033693")

    assert work["DOI"] == "10.1371/journal.pone.0033693"
    assert work["publisher"] == "Public Library of Science (PLoS)"
    [call] = upstream.calls
    assert call.params == {"mailto": "tests@example.org"}
    assert UA.match(call.headers["User-Agent"])
    # The recorded answer announced x-rate-limit-limit 5 per 1s and concurrency 1.
    assert (crossref.limiter.rate, crossref.limiter.period) == (5, 1.0)
    assert crossref.concurrency.limit == 1


def test_work_quotes_the_doi_in_the_path(crossref, upstream):
    upstream.on(re.compile(rf"^{WORKS}/.+"), by_doi)

    work = crossref.work("10.1016/S0140-6736(97)11096-0")

    assert work["DOI"] == "10.1016/s0140-6736(97)11096-0"
    assert upstream.calls[0].path == f"{WORKS}/10.1016/S0140-6736(97)11096-0"


def test_work_not_found_is_none_not_an_error(crossref, upstream, sleeps):
    upstream.on(re.compile(rf"^{WORKS}/.+"), by_doi)

    assert crossref.work("10.1000/does-not-exist") is None
    assert crossref.requests_made == 1
    assert sleeps.calls == []


def test_work_json_that_does_not_decode_is_a_bad_response(crossref, upstream):
    upstream.on(
        re.compile(rf"^{WORKS}/.+"),
        lambda request: Response('{"status":"ok","message":{', content_type="application/json"),
    )

    with pytest.raises(UpstreamBadResponse, match="does not decode"):
        crossref.work("10.1000/truncated")

    assert crossref.requests_made == 2


def test_work_429_retry_after_then_success(crossref, upstream, sleeps):
    upstream.sequence(
        re.compile(rf"^{WORKS}/.+"),
        Response("Too many requests", status=429, headers={"Retry-After": "1"}),
        by_doi,
    )

    work = crossref.work("10.1126/science.280.5362.421")

    assert work["DOI"] == "10.1126/science.280.5362.421"
    assert crossref.requests_made == 2
    assert len(sleeps.calls) == 1 and sleeps.calls[0] >= 1.0


def test_work_timeout_exhausts_attempts(upstream_settings, upstream, sleeps):
    upstream_settings.UPSTREAM_TIMEOUT_SECONDS = 0.2

    def slow(request: Request) -> Response:
        upstream.release.wait(timeout=3)
        return by_doi(request)

    upstream.on(re.compile(rf"^{WORKS}/.+"), slow)
    with CrossrefClient.from_settings(sleep=sleeps) as client:
        with pytest.raises(UpstreamUnavailable):
            client.work("10.1126/science.280.5362.421")
        assert client.requests_made == 3


def filtered_works(request: Request) -> Response:
    wanted = [part.removeprefix("doi:") for part in request.args["filter"].split(",")]
    items = [RECORDED[doi.lower()] for doi in wanted if doi.lower() in RECORDED]
    message = {"total-results": len(items), "items": items, "items-per-page": len(items)}
    return json_response({"status": "ok", "message-type": "work-list", "message": message})


def test_works_filters_in_batches_and_keys_by_lower_cased_doi(crossref, upstream):
    upstream.on(WORKS, filtered_works)
    known = ["10.1021/ACS.ORGLETT.9B00971", "10.1038/d41586-020-02761-z"]
    unknown = [f"10.9999/unknown-{n}" for n in range(116)]
    recorded_late = ["10.1126/science.280.5362.421", "10.1016/s0140-6736(97)11096-0"]
    dois = known + unknown + recorded_late  # 120: batches of 50, 50, 20

    works = crossref.works(dois)

    assert set(works) == {doi.lower() for doi in known + recorded_late}
    assert works["10.1021/acs.orglett.9b00971"] is not None
    assert works["10.1021/acs.orglett.9b00971"]["DOI"] == "10.1021/acs.orglett.9b00971"
    filters = [call.params["filter"].split(",") for call in upstream.calls]
    assert [len(f) for f in filters] == [50, 50, 20]
    assert [call.params["rows"] for call in upstream.calls] == ["50", "50", "20"]
    assert filters[0][0] == "doi:10.1021/acs.orglett.9b00971"
    assert all(call.params["mailto"] == "tests@example.org" for call in upstream.calls)
    assert crossref.requests_made == 3


def test_works_fetches_a_doi_with_a_comma_on_its_own(crossref, upstream):
    upstream.on(WORKS, filtered_works)
    upstream.on(re.compile(rf"^{WORKS}/.+"), by_doi)

    works = crossref.works(["10.1000/a,b", "10.1126/science.280.5362.421"])

    assert set(works) == {"10.1126/science.280.5362.421"}
    paths = sorted(call.path for call in upstream.calls)
    assert paths == [WORKS, f"{WORKS}/10.1000/a,b"]
    assert upstream.calls[-1].params["filter"] == "doi:10.1126/science.280.5362.421"


def test_announced_rate_limit_spaces_the_following_requests(crossref, upstream):
    headers = {"x-rate-limit-limit": "4", "x-rate-limit-interval": "1s"}
    upstream.on(
        re.compile(rf"^{WORKS}/.+"),
        lambda request: work_answer("10.1126/science.280.5362.421", headers),
    )

    for _ in range(4):
        crossref.work("10.1126/science.280.5362.421")

    assert (crossref.limiter.rate, crossref.limiter.period) == (4, 1.0)
    gaps = [b.at - a.at for a, b in zip(upstream.calls[1:], upstream.calls[2:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.25 - 0.03


def test_announced_concurrency_limit_holds_across_threads(crossref, upstream):
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return work_answer("10.1126/science.280.5362.421", {"x-concurrency-limit": "1"})

    upstream.on(re.compile(rf"^{WORKS}/.+"), handler)
    crossref.work("10.1126/science.280.5362.421")  # learns the limit
    assert crossref.concurrency.limit == 1

    threads = [
        threading.Thread(target=crossref.work, args=("10.1126/science.280.5362.421",))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(upstream.calls) == 5
    assert most == 1
