"""PubMed efetch XML (PubmedArticleSet) to BibRecords.

Handles PubmedArticle (article.py), PubmedBookArticle (book.py) and DeleteCitation. Speed
matters (a refresh re-parses thousands of records; see docs/benchmarks.md), so each record
is walked once, child by child, dispatching on the tag, and only the parts we keep are
descended into: big subtrees (MeSH, ReferenceList, affiliations) are never turned into
Python objects. All parsing goes through xmlsafe (no entities, no DTD, no network). Field
meanings: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
"""

from __future__ import annotations

from lxml import etree

from .. import xmlsafe
from ..records import ParseError, PubmedBatch
from .article import PUBMED_URL, article
from .book import book
from .notices import NOTICE_IN, NOTICE_OF
from .raw import raw_bytes, record_slices
from .text import clean_pmid, element_text

__all__ = ["NOTICE_IN", "NOTICE_OF", "PUBMED_URL", "STREAM_ABOVE_BYTES", "parse_pubmed_xml"]

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
# Above this a body is streamed (iterparse, records freed as read) instead of parsed whole.
STREAM_ABOVE_BYTES = 16 * 1024 * 1024


def parse_pubmed_xml(
    data: bytes,
    keep_raw: bool = True,
    *,
    max_bytes: int = xmlsafe.MAX_XML_BYTES,
    stream_above: int = STREAM_ABOVE_BYTES,
) -> PubmedBatch:
    """Parse an efetch answer (``db=pubmed&retmode=xml``) into a PubmedBatch.

    A truncated or non-XML body (an HTML error page, say) raises ParseError; an
    empty PubmedArticleSet gives an empty batch. An identifier PubMed sends that
    does not normalise is left as None rather than failing the batch. ``raw`` holds
    each record's own XML when ``keep_raw``.

    Bodies up to ``stream_above`` bytes are parsed in one go (libxml2 builds a whole
    tree about 1.4x faster than it feeds iterparse); larger ones are streamed with
    iterparse and each record is freed once read, so memory stays flat.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if len(data) <= stream_above:
        root = xmlsafe.parse_bytes(data, max_bytes=max_bytes, what="PubMed XML")
        _check_root(root)
        raw_slices = record_slices(data) if keep_raw else None
        batch = PubmedBatch(records=[])
        for el in root:
            _handle(el, batch, keep_raw, raw_slices)
        return batch

    batch = PubmedBatch(records=[])
    parse = xmlsafe.iterparse(
        data, tag=(*_RECORD_TAGS, "eFetchResult"), max_bytes=max_bytes, what="PubMed XML"
    )
    raw_slices = record_slices(data) if keep_raw else None
    root_checked = False
    for _, el in parse:
        if not root_checked:
            _check_root(el.getroottree().getroot())
            root_checked = True
        _handle(el, batch, keep_raw, raw_slices)
        # The record is read: free it and the ones before it.
        el.clear(keep_tail=False)
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]
    if not root_checked:
        _check_root(parse.root)
    return batch


def _handle(
    el: etree._Element, batch: PubmedBatch, keep_raw: bool, raw_slices: list[bytes] | None
) -> None:
    tag = el.tag
    if tag == "PubmedArticle" or tag == "PubmedBookArticle":
        rec = article(el) if tag == "PubmedArticle" else book(el)
        if keep_raw:
            rec.raw = raw_bytes(el, rec, raw_slices, len(batch.records))
        batch.records.append(rec)
    elif tag == "DeleteCitation":
        for pmid_el in el.iterchildren("PMID"):
            pmid = clean_pmid(pmid_el.text)
            if pmid:
                batch.deleted_pmids.append(pmid)


def _check_root(root: etree._Element | None) -> None:
    if root is not None and root.tag == "eFetchResult":
        message = element_text(root.find("ERROR")) or element_text(root) or "no detail"
        raise ParseError(f"PubMed returned an error instead of records: {message}")
    if root is None or root.tag not in _ROOT_TAGS:
        name = root.tag if root is not None else "nothing"
        raise ParseError(f"expected a PubmedArticleSet, got <{name}>")
