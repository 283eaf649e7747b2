"""PubmedArticle to BibRecord: MedlineCitation (title, journal, dates, authors, abstract,
notices) and PubmedData's identifiers."""

from __future__ import annotations

from lxml import etree

from ..records import BibRecord
from .authors import parse_authors
from .dates import set_date
from .notices import comments_corrections
from .text import clean_doi, clean_pmcid, clean_pmid, element_text

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"


def article(el: etree._Element) -> BibRecord:
    rec = BibRecord(source="pubmed", line=el.sourceline)
    elocation: tuple[str | None, str] = (None, "")
    for part in el:
        if part.tag == "MedlineCitation":
            elocation = _medline_citation(rec, part)
        elif part.tag == "PubmedData":
            # Only PubmedData's own list: ReferenceList holds other works' ArticleIdLists.
            for child in part:
                if child.tag == "ArticleIdList":
                    article_ids(rec, child)
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
            rec.pmid = clean_pmid(child.text)
        elif tag == "Article":
            elocation = _article_element(rec, child)
        elif tag == "MedlineJournalInfo":
            medline_ta = element_text(next(child.iterchildren("MedlineTA"), None))
        elif tag == "CommentsCorrectionsList":
            comments_corrections(rec, child)
        elif tag == "KeywordList":
            rec.keywords.extend(k for k in (element_text(kw) for kw in child) if k)
        elif tag == "OtherAbstract":
            _, paragraphs = abstract_parts(child)
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
                    rec.journal = element_text(j)
                elif jtag == "ISOAbbreviation":
                    rec.journal_abbreviation = (j.text or "").strip()
        elif tag == "ArticleTitle":
            rec.title = element_text(child)
        elif tag == "Pagination":
            rec.pages = pages(child)
        elif tag == "ELocationID":
            eid_type = child.get("EIdType")
            if eid_type == "doi" and elocation_doi is None:
                elocation_doi = clean_doi(child.text)
            elif eid_type == "pii" and not elocation_pii and child.text:
                elocation_pii = child.text.strip()
        elif tag == "Abstract":
            abstract(rec, child)
        elif tag == "AuthorList":
            if child.get("Type") != "editors":
                rec.authors.extend(parse_authors(child))
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
            vernacular_title = element_text(child)
        elif tag == "ArticleDate" and article_date is None:
            article_date = child
    if not rec.title:
        rec.title = vernacular_title
    if pub_date is not None and len(pub_date):
        set_date(rec, pub_date)
    elif article_date is not None:
        set_date(rec, article_date)
    return elocation_doi, elocation_pii


def abstract(rec: BibRecord, abstract_el: etree._Element) -> None:
    sections, paragraphs = abstract_parts(abstract_el)
    rec.abstract_sections = sections
    rec.abstract = "\n\n".join(paragraphs)


def abstract_parts(abstract_el: etree._Element) -> tuple[list[tuple[str, str]], list[str]]:
    sections: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    for part in abstract_el.iterchildren("AbstractText"):
        text = element_text(part)
        label = (part.get("Label") or "").strip()
        if not text and not label:
            continue
        sections.append((label, text))
        paragraphs.append(f"{label}: {text}" if label else text)
    return sections, paragraphs


def article_ids(rec: BibRecord, id_list: etree._Element) -> None:
    for aid in id_list:
        id_type = aid.get("IdType")
        value = aid.text
        if not value:
            continue
        if id_type == "doi" and rec.doi is None:
            rec.doi = clean_doi(value)
        elif id_type == "pmc" and rec.pmcid is None:
            rec.pmcid = clean_pmcid(value)
        elif id_type == "pii" and not rec.pii:
            rec.pii = value.strip()
        elif id_type == "pubmed" and rec.pmid is None:
            rec.pmid = clean_pmid(value)


def pages(pagination: etree._Element) -> str:
    medline = start = end = None  # the first of each, as findtext gives
    for child in pagination:
        tag = child.tag
        if tag == "MedlinePgn":
            medline = child.text or "" if medline is None else medline
        elif tag == "StartPage":
            start = child.text or "" if start is None else start
        elif tag == "EndPage":
            end = child.text or "" if end is None else end
    if medline and medline.strip():
        return medline.strip()
    start = (start or "").strip()
    end = (end or "").strip()
    return f"{start}-{end}" if start and end else start
