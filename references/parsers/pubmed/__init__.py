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
from ..records import BibRecord, ParseError, PubmedBatch
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
    freeing the tree as it goes costs less than freeing a whole one at the end. Each
    record's raw XML is cut from the body when that is exact (raw.py), else serialised
    by lxml once its tail has been read. A body up to ``stream_above`` bytes that fails
    to parse, or holds records anywhere but directly under its root, is parsed again as
    one tree, which gives the answer (or the error) it always gave; larger bodies are
    only streamed, as before.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if len(data) > stream_above:
        return _streamed(data, keep_raw, max_bytes, exact=False)
    if isinstance(data, bytes):
        try:
            return _streamed(data, keep_raw, max_bytes, exact=True)
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


def _streamed(data: bytes, keep_raw: bool, max_bytes: int, *, exact: bool) -> PubmedBatch:
    """Records as iterparse reads them. When ``exact``, a record whose raw bytes cannot be
    cut is serialised once the next record is read (its tail, which lxml's serialisation
    includes, is then complete) or at the end, and records off the root raise _NotExact."""
    batch = PubmedBatch(records=[])
    parse = xmlsafe.iterparse(
        data, tag=(*_RECORD_TAGS, "eFetchResult"), max_bytes=max_bytes, what="PubMed XML"
    )
    raw_slices = record_slices(data) if keep_raw else None
    root_checked = False
    waiting: tuple[etree._Element, BibRecord] | None = None
    for _, el in parse:
        if not root_checked:
            _check_root(el.getroottree().getroot())
            root_checked = True
        parent = el.getparent()
        if exact and (parent is None or parent.getparent() is not None):
            raise _NotExact  # a record inside another element: the tree's walk skips it
        if waiting is not None:
            _serialise(*waiting)
            waiting = None
        rec = _handle(el, batch, keep_raw, raw_slices, exact=exact)
        if rec is not None and rec.raw is None:
            waiting = (el, rec)
        else:
            el.clear(keep_tail=False)  # the record is read: free it and the ones before it
        while el.getprevious() is not None:
            del parent[0]
    if waiting is not None:
        _serialise(*waiting)
    if not root_checked:
        _check_root(parse.root)
    return batch


def _serialise(el: etree._Element, rec: BibRecord) -> None:
    rec.raw = etree.tostring(el, encoding="utf-8")
    el.clear(keep_tail=False)


def _handle(
    el: etree._Element,
    batch: PubmedBatch,
    keep_raw: bool,
    raw_slices: list[bytes] | None,
    *,
    exact: bool = False,
) -> BibRecord | None:
    """Read one child of the root into ``batch``; the record read, if any. With ``exact``,
    a raw record that cannot be cut is left None, for the caller to serialise once the
    record's tail has been read."""
    tag = el.tag
    if tag == "PubmedArticle" or tag == "PubmedBookArticle":
        rec = article(el) if tag == "PubmedArticle" else book(el)
        if keep_raw:
            index = len(batch.records)
            if exact:
                rec.raw = cut_raw(rec, raw_slices, index)  # type: ignore[assignment]
            else:
                rec.raw = raw_bytes(el, rec, raw_slices, index)
        batch.records.append(rec)
        return rec
    elif tag == "DeleteCitation":
        for pmid_el in el.iterchildren("PMID"):
            pmid = clean_pmid(pmid_el.text)
            if pmid:
                batch.deleted_pmids.append(pmid)
    return None


def _check_root(root: etree._Element | None) -> None:
    if root is not None and root.tag == "eFetchResult":
        message = element_text(root.find("ERROR")) or element_text(root) or "no detail"
        raise ParseError(f"PubMed returned an error instead of records: {message}")
    if root is None or root.tag not in _ROOT_TAGS:
        name = root.tag if root is not None else "nothing"
        raise ParseError(f"expected a PubmedArticleSet, got <{name}>")
