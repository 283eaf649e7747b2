"""PubmedBookArticle (a book or a chapter of one, NCBI Bookshelf) to BibRecord."""

from __future__ import annotations

from lxml import etree

from ..records import Author, BibRecord
from .article import PUBMED_URL, abstract, article_ids, pages
from .authors import parse_authors
from .dates import set_date
from .text import clean_doi, clean_pmid, element_text


def book(el: etree._Element) -> BibRecord:
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
            rec.pmid = clean_pmid(child.text)
        elif tag == "ArticleIdList":
            article_ids(rec, child)
        elif tag == "Book":
            book_title = _book_element(rec, child, book_authors)
        elif tag == "ArticleTitle":
            chapter_title = element_text(child)
        elif tag == "VernacularTitle":
            vernacular_title = element_text(child)
        elif tag == "Pagination":
            rec.pages = pages(child)
        elif tag == "Language":
            if not rec.language and child.text:
                rec.language = child.text.strip()
        elif tag == "AuthorList" and child.get("Type") != "editors":
            chapter_authors.extend(parse_authors(child))
        elif tag == "PublicationType":
            name = element_text(child)
            if name:
                rec.publication_types.append(name)
                if child.get("UI"):
                    rec.publication_type_ids.append(child.get("UI"))
        elif tag == "Abstract":
            abstract(rec, child)
        elif tag == "KeywordList":
            rec.keywords.extend(k for k in (element_text(kw) for kw in child) if k)
    if chapter_title:
        rec.title = chapter_title
        rec.journal = book_title
    else:
        rec.title = book_title or vernacular_title
    rec.authors = chapter_authors or book_authors
    book_data = el.find("PubmedBookData/ArticleIdList")
    if book_data is not None:
        article_ids(rec, book_data)
    if rec.pmid:
        rec.url = PUBMED_URL.format(rec.pmid)
    return rec


def _book_element(rec: BibRecord, book_el: etree._Element, book_authors: list[Author]) -> str:
    """Fill rec from the Book element (the whole book's data); return the book's title."""
    book_title = ""
    for b in book_el:
        btag = b.tag
        if btag == "Publisher":
            rec.publisher = element_text(b.find("PublisherName"))
        elif btag == "BookTitle":
            book_title = element_text(b)
        elif btag == "PubDate":
            set_date(rec, b)
        elif btag == "AuthorList" and b.get("Type") != "editors":
            book_authors.extend(parse_authors(b))
        elif btag == "Volume":
            rec.volume = element_text(b)
        elif btag == "ELocationID" and b.get("EIdType") == "doi" and rec.doi is None:
            rec.doi = clean_doi(b.text)
    return book_title
