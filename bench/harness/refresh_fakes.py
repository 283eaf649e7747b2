"""The fakes bench/bench_refresh.py runs against: N synthesized PubMed articles with a
matching Crossref work each, served by tests/support/fake_upstream.RecordedUpstream from a
werkzeug server in a process of its own on 127.0.0.1 (so its work does not share the
measured process's interpreter lock), and a PostgreSQL database of its own.

The fake answers at once but holds each upstream's rate limit as the real services do: a
request that would make more than ``rate`` requests within one second (less 50 ms for the
jitter of the local network) is answered 429 with Retry-After, and counted.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys
import threading
import time
import urllib.parse
from collections import Counter, deque

import environ
import psycopg
from lxml import etree
from werkzeug import Request, Response
from werkzeug.serving import make_server

from tests.support.fake_upstream import FIXTURES, RecordedUpstream

TEMPLATE_ARTICLE = FIXTURES / "pubmed" / "efetch" / "pmid-28731372-rct.xml"
TEMPLATE_WORK = FIXTURES / "crossref" / "works" / "work-1.json"
FIRST_PMID = 20_000_000


# --- the fake upstream -------------------------------------------------------------------


def synthesize(n: int) -> tuple[dict[str, bytes], dict[str, dict], dict[str, str]]:
    """N PubmedArticle records and Crossref works made from one recorded article each."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    article = etree.parse(str(TEMPLATE_ARTICLE), parser).getroot().find("PubmedArticle")
    # The cited-works list is not read by the parser and would triple every answer; the
    # PMC id would make N articles share one PMCID.
    for node in list(article.iter("ReferenceList")):
        node.getparent().remove(node)
    for node in list(article.iterfind(".//PubmedData/ArticleIdList/ArticleId[@IdType='pmc']")):
        node.getparent().remove(node)
    article.find("MedlineCitation/PMID").text = "@PMID@"
    article.find(".//PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']").text = "@PMID@"
    article.find(".//ELocationID[@EIdType='doi']").text = "@DOI@"
    article.find(".//PubmedData/ArticleIdList/ArticleId[@IdType='doi']").text = "@DOI@"
    title = article.find(".//ArticleTitle")
    for child in list(title):
        title.remove(child)
    title.text = "@TITLE@"
    xml = etree.tostring(article, encoding="utf-8")
    work = json.loads(TEMPLATE_WORK.read_bytes())["message"]

    articles: dict[str, bytes] = {}
    works: dict[str, dict] = {}
    doi_to_pmid: dict[str, str] = {}
    for i in range(n):
        pmid, doi = str(FIRST_PMID + i), f"10.5555/bench.{i}"
        articles[pmid] = (
            xml.replace(b"@PMID@", pmid.encode())
            .replace(b"@DOI@", doi.encode())
            .replace(b"@TITLE@", f"Synthesized article {i} as PubMed indexed it.".encode())
        )
        works[doi] = {
            **work,
            "DOI": doi,
            "URL": f"https://doi.org/{doi}",
            "title": [f"Synthesized article {i} as its publisher deposited it"],
        }
        doi_to_pmid[doi] = pmid
    return articles, works, doi_to_pmid


class WindowLimit:
    """Admits at most ``rate`` requests in any window of ``1 - slack`` seconds."""

    def __init__(self, rate: float, slack: float = 0.05) -> None:
        self.rate, self.window = rate, 1.0 - slack
        self.admitted: deque[float] = deque()
        self.lock = threading.Lock()

    def admit(self) -> bool:
        now = time.monotonic()
        with self.lock:
            while self.admitted and self.admitted[0] <= now - self.window:
                self.admitted.popleft()
            if len(self.admitted) >= self.rate:
                return False
            self.admitted.append(now)
            return True


def _too_many() -> Response:
    # What NCBI answers past its limit (Crossref answers 429 as well).
    body = json.dumps({"error": "API rate limit exceeded", "count": "4"})
    return Response(body, status=429, headers={"Retry-After": "1"}, mimetype="application/json")


class FakeServer:
    """RecordedUpstream behind a threaded werkzeug server on 127.0.0.1, holding the rates."""

    def __init__(self, n: int, crossref_rate: float = 1000.0, *, pubmed_rate: float = 1000.0):
        articles, works, doi_to_pmid = synthesize(n)
        self.fake = RecordedUpstream()
        # Assigned, not passed in: RecordedUpstream would re-parse N articles to index DOIs.
        self.fake.articles, self.fake.works = articles, works
        self.fake.doi_to_pmid = doi_to_pmid
        announced = str(max(1, round(crossref_rate)))
        limits = {"pubmed": WindowLimit(pubmed_rate), "crossref": WindowLimit(crossref_rate)}
        self.rejected: Counter[str] = Counter()  # 429s answered, by upstream

        self.busy_seconds = 0.0  # inside the fake's handlers
        lock = threading.Lock()

        @Request.application
        def app(request: Request):
            started = time.perf_counter()
            upstream = "pubmed" if request.path.startswith("/pubmed/") else "crossref"
            if not limits[upstream].admit():
                with lock:
                    self.rejected[upstream] += 1
                return _too_many()
            response = self.fake(request)
            if "x-rate-limit-limit" in response.headers:
                response.headers["x-rate-limit-limit"] = announced
            with lock:
                self.busy_seconds += time.perf_counter() - started
            return response

        # werkzeug logs every request at INFO on its own handler unless told otherwise.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(10)

    def stats(self) -> dict:
        return {
            "requests": dict(self.fake.requests),
            "rejected": dict(self.rejected),
            "busy_seconds": self.busy_seconds,
        }

    def reset(self) -> None:
        self.fake.requests.clear()
        self.rejected.clear()
        self.busy_seconds = 0.0


def _serve(connection, n: int, pubmed_rate: float, crossref_rate: float) -> None:
    server = FakeServer(n, crossref_rate, pubmed_rate=pubmed_rate)
    connection.send(server.server.server_port)
    while (command := connection.recv()) != "close":
        connection.send(server.stats() if command == "stats" else server.reset())
    server.close()


class FakeUpstream:
    """A FakeServer in a child process, asked for its counts through a pipe."""

    def __init__(self, n: int, *, pubmed_rate: float, crossref_rate: float) -> None:
        context = multiprocessing.get_context("fork")  # before Django or any thread starts
        self._connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, n, pubmed_rate, crossref_rate), daemon=True
        )
        self.process.start()
        self.port = self._connection.recv()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stats(self) -> dict:
        self._connection.send("stats")
        return self._connection.recv()

    def reset(self) -> None:
        self._connection.send("reset")
        self._connection.recv()

    def close(self) -> None:
        self._connection.send("close")
        self.process.join(10)


# --- the database ------------------------------------------------------------------------


def server_dsn(url: str, dbname: str) -> str:
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"DATABASE_URL must point at PostgreSQL, not {config['ENGINE']}")
    return psycopg.conninfo.make_conninfo(
        dbname=dbname,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=str(config["PORT"]) if config.get("PORT") else None,
    )


def recreate_database(url: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(server_dsn(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')


def database_url(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def seed(n: int) -> list[int]:
    """N references with a PMID and DOI, each with an older raw record of both sources."""
    import gzip

    from django.utils import timezone

    from references.models import Reference, ReferenceSourceRecord, raw_digest

    Reference.objects.bulk_create(
        (
            Reference(
                pmid=str(FIRST_PMID + i),
                doi=f"10.5555/bench.{i}",
                title=f"Stored title {i}",
                year=2017,
                # As if formatted when stored: only what a run changes waits for formatting.
                formatted_key="seeded",
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    ids = list(Reference.objects.order_by("pk").values_list("pk", flat=True))
    old, now = b"<record>an older answer</record>", timezone.now()
    ReferenceSourceRecord.objects.bulk_create(
        (
            ReferenceSourceRecord(
                reference_id=pk,
                source=source,
                content_type=content_type,
                raw_gzip=gzip.compress(old),
                raw_digest=raw_digest(old),
                fetched_at=now,
            )
            for pk in ids
            for source, content_type in (("pubmed", "text/xml"), ("crossref", "application/json"))
        ),
        batch_size=2000,
    )
    return ids
