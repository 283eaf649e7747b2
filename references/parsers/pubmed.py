"""PubMed efetch XML (PubmedArticleSet) to BibRecords.

Handles PubmedArticle, PubmedBookArticle and DeleteCitation. Speed matters (a
refresh re-parses thousands of records; see docs/benchmarks.md), so each record is
walked once, child by child, dispatching on the tag, and only the parts we keep are
descended into: big subtrees (MeSH, ReferenceList, affiliations) are never turned
into Python objects. All parsing goes through xmlsafe (no entities, no DTD, no
network). Field meanings: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
"""

from __future__ import annotations

import re

from lxml import etree

from ..identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid
from . import xmlsafe
from .common import citation_date
from .records import (
    Author,
    BibRecord,
    Notice,
    ParseError,
    PubmedBatch,
    iso_partial_date,
    plausible_year,
    small_int,
)

__all__ = ["parse_pubmed_xml"]

# CommentsCorrections RefTypes that amend the work carrying them...
NOTICE_IN = {
    "RetractionIn": "retraction",
    "ErratumIn": "correction",
    "ExpressionOfConcernIn": "expression_of_concern",
    "RetractedandRepublishedIn": "retracted_and_republished",
    "UpdateIn": "update",
    "CorrectedandRepublishedIn": "correction",
}
# ...and those that make the work carrying them a notice about another work.
NOTICE_OF = {
    "RetractionOf": "retraction",
    "ErratumFor": "correction",
    "ExpressionOfConcernFor": "expression_of_concern",
    "RetractedandRepublishedFrom": "retracted_and_republished",
    "UpdateOf": "update",
    "CorrectedandRepublishedFrom": "correction",
}
# Cites duplicates the reference list; it is not a relation between works we track.
_IGNORED_REFTYPES = {"Cites"}

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_XML_SPACE = " \t\n\r"
_XML_SPACE_RUN = re.compile(r"[ \t\n\r]+")
_YEAR_RE = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
_ORCID_RE = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_REFSOURCE_DOI_RE = re.compile(r"\bdoi:\s*(10\.\S+)", re.IGNORECASE)
_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_ROOT_START_RE = re.compile(rb"<(?:PubmedArticleSet|PubmedBookArticleSet)\b[^>]*>")
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")
_ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
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
        raw_slices = _raw_slices(data) if keep_raw else None
        batch = PubmedBatch(records=[])
        for el in root:
            _handle(el, batch, keep_raw, raw_slices)
        return batch

    batch = PubmedBatch(records=[])
    parse = xmlsafe.iterparse(
        data, tag=(*_RECORD_TAGS, "eFetchResult"), max_bytes=max_bytes, what="PubMed XML"
    )
    raw_slices = _raw_slices(data) if keep_raw else None
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
        rec = _article(el) if tag == "PubmedArticle" else _book(el)
        if keep_raw:
            rec.raw = _raw(el, rec, raw_slices, len(batch.records))
        batch.records.append(rec)
    elif tag == "DeleteCitation":
        for pmid_el in el.iterchildren("PMID"):
            pmid = _pmid(pmid_el.text)
            if pmid:
                batch.deleted_pmids.append(pmid)


def _check_root(root: etree._Element | None) -> None:
    if root is not None and root.tag == "eFetchResult":
        message = _text(root.find("ERROR")) or _text(root) or "no detail"
        raise ParseError(f"PubMed returned an error instead of records: {message}")
    if root is None or root.tag not in _ROOT_TAGS:
        name = root.tag if root is not None else "nothing"
        raise ParseError(f"expected a PubmedArticleSet, got <{name}>")


def _raw_slices(data: bytes) -> list[bytes] | None:
    """Each record's exact bytes, cut from the input in document order: far cheaper than
    re-serialising with lxml.

    PubmedArticle and PubmedBookArticle carry no attributes (DTD), so their tags are
    fixed byte strings; in a well-formed document such a string can only be a tag
    unless it sits in a comment, a CDATA section or a processing instruction, so with
    none of those present the cut is exact. Each cut is also checked against its
    record's PMID before use; when anything does not hold, lxml serialises instead.
    """
    head = data[:1024]
    declared = _ENCODING_RE.search(head)
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        return None
    root_start = _ROOT_START_RE.search(head)
    if root_start is None or b"xmlns" in root_start.group(0):
        return None
    body_start = root_start.end()
    if _follows_lt(data, b"!", body_start) or _follows_lt(data, b"?", body_start):
        return None
    slices = []
    find = data.find
    startswith = data.startswith
    pos = body_start
    while (start := find(b"<Pubmed", pos)) >= 0:
        if startswith(b"<PubmedArticle>", start):
            end_tag = b"</PubmedArticle>"
        elif startswith(b"<PubmedBookArticle>", start):
            end_tag = b"</PubmedBookArticle>"
        else:
            pos = start + 7
            continue
        end = find(end_tag, start)
        if end < 0:
            return None
        pos = end + len(end_tag)
        slices.append(data[start:pos])
    return slices


def _follows_lt(data: bytes, char: bytes, start: int) -> bool:
    """Whether ``<`` + char (``<!``, ``<?``) occurs after start.

    "!" and "?" are rare in PubMed text, and a one-byte find is a memchr, so this is
    several times faster than searching for the two-byte string.
    """
    find = data.find
    pos = find(char, start)
    while pos >= 0:
        if data[pos - 1] == 60:  # "<"
            return True
        pos = find(char, pos + 1)
    return False


def _first_pmid(raw: bytes) -> bytes:
    start = raw.find(b"<PMID")
    if start < 0:
        return b""
    start = raw.find(b">", start) + 1
    return raw[start : raw.find(b"</PMID>", start)].strip()


# --- helpers -------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Collapse runs of XML whitespace (as XPath normalize-space does; a thin or no-break
    space inside "14,000\u2009IU" is kept). Most PubMed text has none, and testing for
    them is much cheaper than rebuilding the string."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _XML_SPACE_RUN.sub(" ", text).strip(_XML_SPACE)
    return text.strip(_XML_SPACE)


def _text(el: etree._Element | None) -> str:
    """All the text in an element, inline markup kept as text, whitespace collapsed."""
    if el is None:
        return ""
    if len(el):
        return _norm("".join(el.itertext()))
    text = el.text
    return _norm(text) if text else ""


def _pmid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_pmid(value)
    except InvalidIdentifier:
        return None


def _doi(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidIdentifier:
        return None


def _pmcid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_pmcid(value)
    except InvalidIdentifier:
        return None


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if (month := small_int(value)) is not None:
        return month if 1 <= month <= 12 else None
    return _MONTHS.get(value[:3].lower())


def _int(value: str | None) -> int | None:
    return small_int(value) if value else None


def _set_date(rec: BibRecord, date_el: etree._Element) -> None:
    """PubDate / ArticleDate / Book PubDate: Year, Month, Day, Season or MedlineDate."""
    year = month = day = None
    season = medline_date = ""
    for child in date_el:
        tag = child.tag
        if tag == "Year":
            year = _int(child.text)
        elif tag == "Month":
            month = _month(child.text)
        elif tag == "Day":
            day = _int(child.text)
        elif tag == "Season":
            season = (child.text or "").strip()
        elif tag == "MedlineDate":
            medline_date = " ".join((child.text or "").split())
    if medline_date:
        # "1998 Dec-1999 Jan", "2000 Spring", "1975-1976": a range, so only the year is sure.
        match = _YEAR_RE.search(medline_date)
        year = int(match.group(1)) if match else None
        month = day = None
        rec.date_text = medline_date
    elif season:
        month = day = None
        rec.date_text = f"{year} {season}" if year else season
    if day is not None and (month is None or not 1 <= day <= 31):
        day = None
    year = plausible_year(year)
    rec.year, rec.month, rec.day = year, month, day
    rec.publication_date = iso_partial_date(year, month, day)


_AUTHOR_TAGS = (
    "Author",
    "LastName",
    "ForeName",
    "Initials",
    "Suffix",
    "CollectiveName",
    "Identifier",
)


def _authors(author_list: etree._Element) -> list[Author]:
    # One filtered walk of the list (the filter runs in C, so affiliations are never
    # turned into Python objects) is the cheapest way through long author lists.
    authors: list[Author] = []
    author = None
    for el in author_list.iter(_AUTHOR_TAGS):
        tag = el.tag
        if tag == "Author":
            # ValidYN="N" marks a misspelt name PubMed keeps next to the corrected one.
            author = None if el.get("ValidYN") == "N" else Author()
            if author is not None:
                authors.append(author)
        elif author is None:
            continue
        elif tag == "LastName":
            author.family = (el.text or "").strip()
        elif tag == "ForeName":
            author.given = (el.text or "").strip()
        elif tag == "Initials":
            author.initials = (el.text or "").strip()
        elif tag == "Identifier":
            if (el.get("Source") or "").upper() == "ORCID":
                match = _ORCID_RE.search(el.text or "")
                if match:
                    author.orcid = "-".join(match.groups()).upper()
        elif tag == "Suffix":
            author.suffix = (el.text or "").strip()
        elif tag == "CollectiveName":
            author.collective = _text(el)
    return authors


def _abstract(rec: BibRecord, abstract_el: etree._Element) -> None:
    sections, paragraphs = _abstract_parts(abstract_el)
    rec.abstract_sections = sections
    rec.abstract = "\n\n".join(paragraphs)


def _abstract_parts(abstract_el: etree._Element) -> tuple[list[tuple[str, str]], list[str]]:
    sections: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    for part in abstract_el.iterchildren("AbstractText"):
        text = _text(part)
        label = (part.get("Label") or "").strip()
        if not text and not label:
            continue
        sections.append((label, text))
        paragraphs.append(f"{label}: {text}" if label else text)
    return sections, paragraphs


def _comments_corrections(rec: BibRecord, cc_list: etree._Element) -> None:
    for cc in cc_list:
        ref_type = cc.get("RefType") or ""
        if ref_type in _IGNORED_REFTYPES:
            continue
        ref_source = _text(cc.find("RefSource"))
        pmid = _pmid(cc.findtext("PMID")) or ""
        if ref_type in NOTICE_IN or ref_type in NOTICE_OF:
            doi_match = _REFSOURCE_DOI_RE.search(ref_source)
            notice = Notice(
                type=NOTICE_IN.get(ref_type) or NOTICE_OF[ref_type],
                doi=(_doi(doi_match.group(1)) or "") if doi_match else "",
                pmid=pmid,
                date=citation_date(ref_source),
                source="pubmed",
                note=ref_source,
            )
            (rec.notices if ref_type in NOTICE_IN else rec.amends).append(notice)
        elif pmid or ref_source:
            rec.relations.setdefault(ref_type, []).append({"pmid": pmid, "source": ref_source})


def _article_ids(rec: BibRecord, id_list: etree._Element) -> None:
    for aid in id_list:
        id_type = aid.get("IdType")
        value = aid.text
        if not value:
            continue
        if id_type == "doi" and rec.doi is None:
            rec.doi = _doi(value)
        elif id_type == "pmc" and rec.pmcid is None:
            rec.pmcid = _pmcid(value)
        elif id_type == "pii" and not rec.pii:
            rec.pii = value.strip()
        elif id_type == "pubmed" and rec.pmid is None:
            rec.pmid = _pmid(value)


def _pages(pagination: etree._Element) -> str:
    medline = pagination.findtext("MedlinePgn")
    if medline and medline.strip():
        return medline.strip()
    start = (pagination.findtext("StartPage") or "").strip()
    end = (pagination.findtext("EndPage") or "").strip()
    return f"{start}-{end}" if start and end else start


def _raw(el: etree._Element, rec: BibRecord, slices: list[bytes] | None, index: int) -> bytes:
    if slices is not None and index < len(slices) and rec.pmid:
        raw = slices[index]
        # The cut and the parse must agree on which record this is.
        if _first_pmid(raw).decode("ascii", "replace").lstrip("0") == rec.pmid:
            return raw
    return etree.tostring(el, encoding="utf-8")


# --- records -------------------------------------------------------------------------


def _article(el: etree._Element) -> BibRecord:
    rec = BibRecord(source="pubmed", line=el.sourceline)
    elocation: tuple[str | None, str] = (None, "")
    for part in el:
        if part.tag == "MedlineCitation":
            elocation = _medline_citation(rec, part)
        elif part.tag == "PubmedData":
            # Only PubmedData's own list: ReferenceList holds other works' ArticleIdLists.
            for child in part:
                if child.tag == "ArticleIdList":
                    _article_ids(rec, child)
                    break
    # ArticleIdList is authoritative; ELocationID (the article's own locator) is a fallback.
    if rec.doi is None:
        rec.doi = elocation[0]
    if not rec.pii:
        rec.pii = elocation[1]
    if rec.pmid:
        rec.url = f"https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/"
    return rec


def _medline_citation(rec: BibRecord, mc: etree._Element) -> tuple[str | None, str]:
    """Fill rec from MedlineCitation; return the ELocationID DOI and PII (fallbacks)."""
    medline_ta = ""
    elocation: tuple[str | None, str] = (None, "")
    for child in mc:
        tag = child.tag
        if tag == "PMID":
            rec.pmid = _pmid(child.text)
        elif tag == "Article":
            elocation = _article_element(rec, child)
        elif tag == "MedlineJournalInfo":
            medline_ta = _text(child.find("MedlineTA"))
        elif tag == "CommentsCorrectionsList":
            _comments_corrections(rec, child)
        elif tag == "KeywordList":
            rec.keywords.extend(k for k in (_text(kw) for kw in child) if k)
        elif tag == "OtherAbstract":
            _, paragraphs = _abstract_parts(child)
            if paragraphs:
                rec.other_abstracts.append((child.get("Language") or "", "\n\n".join(paragraphs)))
    if not rec.journal_abbreviation:
        rec.journal_abbreviation = medline_ta
    return elocation


def _article_element(rec: BibRecord, art: etree._Element) -> tuple[str | None, str]:
    pub_date = article_date = None
    vernacular_title = elocation_pii = ""
    elocation_doi = None
    for child in art:
        tag = child.tag
        if tag == "Journal":
            for j in child:
                jtag = j.tag
                if jtag == "JournalIssue":
                    for ji in j:
                        jitag = ji.tag
                        if jitag == "Volume":
                            rec.volume = (ji.text or "").strip()
                        elif jitag == "Issue":
                            rec.issue = (ji.text or "").strip()
                        elif jitag == "PubDate":
                            pub_date = ji
                elif jtag == "Title":
                    rec.journal = _text(j)
                elif jtag == "ISOAbbreviation":
                    rec.journal_abbreviation = (j.text or "").strip()
        elif tag == "ArticleTitle":
            rec.title = _text(child)
        elif tag == "Pagination":
            rec.pages = _pages(child)
        elif tag == "ELocationID":
            eid_type = child.get("EIdType")
            if eid_type == "doi" and elocation_doi is None:
                elocation_doi = _doi(child.text)
            elif eid_type == "pii" and not elocation_pii and child.text:
                elocation_pii = child.text.strip()
        elif tag == "Abstract":
            _abstract(rec, child)
        elif tag == "AuthorList":
            if child.get("Type") != "editors":
                rec.authors.extend(_authors(child))
        elif tag == "Language":
            if not rec.language and child.text:
                rec.language = child.text.strip()
        elif tag == "PublicationTypeList":
            for pt in child:
                name = (pt.text or "").strip()
                if name:
                    rec.publication_types.append(name)
                    ui = pt.get("UI")
                    if ui:
                        rec.publication_type_ids.append(ui)
        elif tag == "VernacularTitle":
            vernacular_title = _text(child)
        elif tag == "ArticleDate" and article_date is None:
            article_date = child
    if not rec.title:
        rec.title = vernacular_title
    if pub_date is not None and len(pub_date):
        _set_date(rec, pub_date)
    elif article_date is not None:
        _set_date(rec, article_date)
    return elocation_doi, elocation_pii


def _book(el: etree._Element) -> BibRecord:
    rec = BibRecord(source="pubmed", is_book=True, line=el.sourceline)
    doc = el.find("BookDocument")
    if doc is None:
        return rec
    book_title = ""
    chapter_title = vernacular_title = ""
    chapter_authors: list[Author] = []
    book_authors: list[Author] = []
    for child in doc:
        tag = child.tag
        if tag == "PMID":
            rec.pmid = _pmid(child.text)
        elif tag == "ArticleIdList":
            _article_ids(rec, child)
        elif tag == "Book":
            for b in child:
                btag = b.tag
                if btag == "Publisher":
                    rec.publisher = _text(b.find("PublisherName"))
                elif btag == "BookTitle":
                    book_title = _text(b)
                elif btag == "PubDate":
                    _set_date(rec, b)
                elif btag == "AuthorList" and b.get("Type") != "editors":
                    book_authors.extend(_authors(b))
                elif btag == "Volume":
                    rec.volume = _text(b)
                elif btag == "ELocationID" and b.get("EIdType") == "doi" and rec.doi is None:
                    rec.doi = _doi(b.text)
        elif tag == "ArticleTitle":
            chapter_title = _text(child)
        elif tag == "VernacularTitle":
            vernacular_title = _text(child)
        elif tag == "Pagination":
            rec.pages = _pages(child)
        elif tag == "Language":
            if not rec.language and child.text:
                rec.language = child.text.strip()
        elif tag == "AuthorList" and child.get("Type") != "editors":
            chapter_authors.extend(_authors(child))
        elif tag == "PublicationType":
            name = _text(child)
            if name:
                rec.publication_types.append(name)
                if child.get("UI"):
                    rec.publication_type_ids.append(child.get("UI"))
        elif tag == "Abstract":
            _abstract(rec, child)
        elif tag == "KeywordList":
            rec.keywords.extend(k for k in (_text(kw) for kw in child) if k)
    if chapter_title:
        rec.title = chapter_title
        rec.journal = book_title
    else:
        rec.title = book_title or vernacular_title
    rec.authors = chapter_authors or book_authors
    book_data = el.find("PubmedBookData/ArticleIdList")
    if book_data is not None:
        _article_ids(rec, book_data)
    if rec.pmid:
        rec.url = PUBMED_URL.format(rec.pmid)
    return rec
