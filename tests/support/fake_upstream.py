"""A fake NCBI E-utilities + Crossref REST server for tests and benchmarks.

It answers from real recorded records: efetch returns the recorded PubmedArticle of each
asked PMID, esearch finds PMIDs by ``"<doi>"[doi]`` / ``"PMC.."[pmcid]`` terms (and answers
any other term given in ``searches``, as a saved search would be), and Crossref's
/works/{doi} and /works?filter=doi:... return recorded works. Served by a real
HTTP server on 127.0.0.1 (pytest-httpserver's, or werkzeug's in a benchmark).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upstream"
TERM = re.compile(r'"?([^"\[]+?)"?\[(doi|pmcid|pmid)\]', re.IGNORECASE)


def load_pubmed_articles(*paths: Path) -> dict[str, bytes]:
    """PMID -> the bytes of its <PubmedArticle> (or <PubmedBookArticle>) element."""
    articles: dict[str, bytes] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        root = etree.fromstring(data, parser)
        for article in root:
            if not isinstance(article.tag, str):
                continue
            pmid = article.findtext(".//PMID")
            if pmid:
                articles[pmid.strip()] = etree.tostring(article)
    return articles


def load_crossref_works(*paths: Path) -> dict[str, dict]:
    """lower-cased DOI -> the Crossref ``message`` of its work."""
    works = {}
    for path in paths:
        message = json.loads(path.read_bytes())["message"]
        works[message["DOI"].lower()] = message
    return works


class RecordedUpstream:
    """Answers like PubMed and Crossref; ``faults`` lets a test inject failures."""

    def __init__(
        self,
        articles: dict[str, bytes] | None = None,
        works: dict | None = None,
        searches: dict[str, list[str]] | None = None,
    ):
        self.articles = dict(articles or {})
        self.works = dict(works or {})
        # A whole esearch term (a saved search's query) -> the PMIDs it finds, in order.
        # Date limits (mindate/maxdate) are not applied: a test changes the list instead.
        self.searches: dict[str, list[str]] = {
            term.strip(): list(pmids) for term, pmids in (searches or {}).items()
        }
        self.doi_to_pmid: dict[str, str] = {}
        self.pmcid_to_pmid: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        # Each fault is a callable(request) -> Response | None; the first that answers a
        # request is used up.
        self.faults: list[Callable[[Request], Response | None]] = []
        self._lock = threading.Lock()
        self._index()

    def _index(self) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        for pmid, xml in self.articles.items():
            article = etree.fromstring(xml, parser)
            for node in article.iterfind(".//PubmedData/ArticleIdList/ArticleId"):
                kind, value = node.get("IdType"), (node.text or "").strip()
                if kind == "doi" and value:
                    self.doi_to_pmid[value.lower()] = pmid
                elif kind == "pmc" and value:
                    self.pmcid_to_pmid[value.upper()] = pmid

    def add_article(self, pmid: str, xml: bytes) -> None:
        self.articles[pmid] = xml
        self._index()

    # -- the WSGI-ish entry point ---------------------------------------------------
    def __call__(self, request: Request) -> Response:
        with self._lock:
            for position, fault in enumerate(self.faults):
                response = fault(request)
                if response is not None:
                    del self.faults[position]
                    break
            else:
                response = None
        self._count(request)
        if response is not None:
            return response
        path = request.path
        if path.endswith("efetch.fcgi"):
            return self._efetch(request)
        if path.endswith("esearch.fcgi"):
            return self._esearch(request)
        if "/works" in path:
            return self._crossref(request, path[path.index("/works") :])
        return Response("not found", status=404)

    def _count(self, request: Request) -> None:
        key = request.path.rsplit("/", 1)[-1] if "fcgi" in request.path else "crossref"
        with self._lock:
            self.requests[key] += 1

    @staticmethod
    def _param(request: Request, name: str) -> str:
        return request.form.get(name) or request.args.get(name) or ""

    def _efetch(self, request: Request) -> Response:
        ids = [i.strip() for i in self._param(request, "id").split(",") if i.strip()]
        body = b"".join(self.articles[i] for i in ids if i in self.articles)
        xml = b'<?xml version="1.0" ?>\n<PubmedArticleSet>' + body + b"</PubmedArticleSet>"
        return Response(xml, content_type="text/xml; charset=UTF-8")

    def _esearch(self, request: Request) -> Response:
        term = self._param(request, "term")
        found: list[str] = list(self.searches.get(term.strip(), ()))
        for value, tag in TERM.findall(term) if term.strip() not in self.searches else ():
            value, tag = value.strip(), tag.lower()
            pmid = None
            if tag == "doi":
                pmid = self.doi_to_pmid.get(value.lower())
            elif tag == "pmcid":
                pmid = self.pmcid_to_pmid.get(value.upper())
            elif value in self.articles:
                pmid = value
            if pmid and pmid not in found:
                found.append(pmid)
        result = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {
                "count": str(len(found)),
                "retmax": str(len(found)),
                "retstart": "0",
                "idlist": found,
                "querytranslation": term,
            },
        }
        return Response(json.dumps(result), content_type="application/json; charset=UTF-8")

    def _crossref(self, request: Request, path: str) -> Response:
        if path.startswith("/works/"):
            doi = unquote(path[len("/works/") :]).lower()
            message = self.works.get(doi)
            if message is None:
                return Response("Resource not found.", status=404, content_type="text/plain")
            body = {"status": "ok", "message-type": "work", "message": message}
            return Response(json.dumps(body), content_type="application/json")
        wanted = [
            part.split(":", 1)[1].lower()
            for part in request.args.get("filter", "").split(",")
            if part.startswith("doi:")
        ]
        items = [self.works[d] for d in wanted if d in self.works]
        body = {
            "status": "ok",
            "message-type": "work-list",
            "message": {"total-results": len(items), "items": items, "items-per-page": len(items)},
        }
        return Response(
            json.dumps(body),
            content_type="application/json",
            headers={"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s"},
        )


def status_fault(status: int, body: str = "", headers: dict | None = None, *, path: str = ""):
    """A fault answering ``status`` once (for requests whose path contains ``path``)."""

    def fault(request: Request) -> Response | None:
        if path and path not in request.path:
            return None
        return Response(body or f"status {status}", status=status, headers=headers or {})

    return fault
