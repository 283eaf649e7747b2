"""The fakes bench/bench_refresh.py runs against: N synthesized PubMed articles with a
matching Crossref work each, served by tests/support/fake_upstream.RecordedUpstream in a
werkzeug server thread on 127.0.0.1, and a PostgreSQL database of its own."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import urllib.parse

import environ
import psycopg
from lxml import etree
from werkzeug import Request
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


class FakeServer:
    """RecordedUpstream behind a threaded werkzeug server on 127.0.0.1."""

    def __init__(self, n: int, crossref_rate: float) -> None:
        articles, works, doi_to_pmid = synthesize(n)
        self.fake = RecordedUpstream()
        # Assigned, not passed in: RecordedUpstream would re-parse N articles to index DOIs.
        self.fake.articles, self.fake.works = articles, works
        self.fake.doi_to_pmid = doi_to_pmid
        announced = str(max(1, round(crossref_rate)))

        self.busy_seconds = 0.0  # inside the fake's handlers: this process, so the GIL too
        lock = threading.Lock()

        @Request.application
        def app(request: Request):
            started = time.perf_counter()
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
