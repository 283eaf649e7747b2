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
from .raw import cut_raw, raw_bytes, record_slices
from .text import clean_pmid, element_text

__all__ = ["NOTICE_IN", "NOTICE_OF", "PUBMED_URL", "STREAM_ABOVE_BYTES", "parse_pubmed_xml"]

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
# Above this a body is only ever streamed, never parsed as one tree (see parse_pubmed_xml).
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

    Records are streamed (iterparse, each freed once read): memory stays flat, and
    freeing the tree as it goes costs less than freeing a whole one at the end. A body
    up to ``stream_above`` bytes whose records cannot all be cut from it exactly (see
    raw.py), that fails to parse, or that holds records anywhere but under its root, is
    parsed as one tree instead, which gives the answer (or the error) it always gave;
    larger bodies are only ever streamed.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if len(data) > stream_above:
        return _streamed(data, keep_raw, max_bytes, exact=False)
    if isinstance(data, bytes):
        raw_slices = record_slices(data) if keep_raw else None
        if raw_slices is not None or not keep_raw:
            try:
                return _streamed(data, keep_raw, max_bytes, exact=True, raw_slices=raw_slices)
            except (ParseError, _NotExact):
                pass
    root = xmlsafe.parse_bytes(data, max_bytes=max_bytes, what="PubMed XML")
    _check_root(root)
    raw_slices = record_slices(data) if keep_raw else None
    batch = PubmedBatch(records=[])
    for el in root:
        _handle(el, batch, keep_raw, raw_slices)
    return batch


class _NotExact(Exception):
    """A streamed parse could not give what the whole tree's parse gives."""


def _streamed(
    data: bytes,
    keep_raw: bool,
    max_bytes: int,
    *,
    exact: bool,
    raw_slices: list[bytes] | None = None,
) -> PubmedBatch:
    batch = PubmedBatch(records=[])
    parse = xmlsafe.iterparse(
        data, tag=(*_RECORD_TAGS, "eFetchResult"), max_bytes=max_bytes, what="PubMed XML"
    )
    if keep_raw and raw_slices is None:
        raw_slices = record_slices(data)
    root_checked = False
    for _, el in parse:
        if not root_checked:
            _check_root(el.getroottree().getroot())
            root_checked = True
        parent = el.getparent()
        if exact and (parent is None or parent.getparent() is not None):
            raise _NotExact  # a record inside another element: the tree's walk skips it
        _handle(el, batch, keep_raw, raw_slices, exact=exact)
        # The record is read: free it and the ones before it.
        el.clear(keep_tail=False)
        while el.getprevious() is not None:
            del parent[0]
    if not root_checked:
        _check_root(parse.root)
    return batch


def _handle(
    el: etree._Element,
    batch: PubmedBatch,
    keep_raw: bool,
    raw_slices: list[bytes] | None,
    *,
    exact: bool = False,
) -> None:
    tag = el.tag
    if tag == "PubmedArticle" or tag == "PubmedBookArticle":
        rec = article(el) if tag == "PubmedArticle" else book(el)
        if keep_raw:
            index = len(batch.records)
            raw = cut_raw(rec, raw_slices, index)
            if raw is None:
                # Serialising needs the record's tail, which a streamed parse may not
                # have read yet.
                if exact:
                    raise _NotExact
                raw = raw_bytes(el, rec, raw_slices, index)
            rec.raw = raw
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
