"""parse_pubmed_xml on hand-built cases the recordings lack
(tests/fixtures/upstream/handbuilt/pubmed) and on bodies that are not PubMed XML."""

import datetime

import pytest

from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import ParseError
from tests.support.upstream_files import HANDBUILT, efetch, handbuilt_batch


@pytest.fixture(scope="module")
def handbuilt():
    return handbuilt_batch()


# --- hand-built cases -----------------------------------------------------------------


def test_medline_date_range(handbuilt):
    article = handbuilt.records[0]
    assert article.pmid == "10100001"
    assert (article.year, article.month, article.day) == (1998, None, None)
    assert article.publication_date == "1998"
    assert article.date_text == "1998 Dec-1999 Jan"


def test_handbuilt_title_with_sup_sub_italic_and_mathml(handbuilt):
    assert handbuilt.records[0].title == (
        "Calcium 2+ flux and in vivo CO2 release: x=2 across a winter issue."
    )


def test_handbuilt_authors_suffix_invalid_and_collective(handbuilt):
    authors = handbuilt.records[0].authors
    # The ValidYN="N" spelling "Smyth" is dropped.
    assert [(a.family, a.suffix, a.orcid, a.collective) for a in authors] == [
        ("Smith", "Jr", "0000-0002-1825-009X", ""),
        ("", "", "", "Hand-Built Fixtures Study Group"),
    ]


def test_handbuilt_start_end_page_and_elocation_doi(handbuilt):
    article = handbuilt.records[0]
    assert article.pages == "101-109"
    assert article.doi == "10.5555/handbuilt.1998.101"  # only in ELocationID


def test_handbuilt_expression_of_concern_and_update(handbuilt):
    article = handbuilt.records[0]
    assert [(n.type, n.pmid, n.doi, n.date) for n in article.notices] == [
        (
            "expression_of_concern",
            "10100002",
            "10.5555/handbuilt.2001.1",
            datetime.date(2001, 3, 5),
        ),
        ("update", "10100003", "", None),
    ]
    assert article.relations == {
        "CommentIn": [{"pmid": "10100004", "source": "J Hand Built Fixt. 1999 Feb;13(1):5"}]
    }
    assert not article.is_retracted


def test_book_article(handbuilt):
    book = handbuilt.records[1]
    assert book.is_book
    assert book.pmid == "20301295"
    assert book.title == "A Hand-Built Chapter on Fixtures"
    assert book.journal == "GeneReviews®"
    assert book.publisher == "University of Washington, Seattle"
    assert (book.year, book.publication_date) == (1993, "1993")
    # Chapter authors, not the book's editors.
    assert [a.family for a in book.authors] == ["Doe", "Roe"]
    assert book.doi == "10.5555/handbuilt.book.1116"
    assert book.publication_types == ["Review"]
    assert book.abstract == "CLINICAL CHARACTERISTICS: A chapter abstract with inline markup."
    assert book.raw.startswith(b"<PubmedBookArticle>")
    assert book.raw.endswith(b"</PubmedBookArticle>")


def test_delete_citation(handbuilt):
    assert handbuilt.deleted_pmids == ["10100098", "10100099"]
    assert len(handbuilt.records) == 2


def test_empty_set_is_an_empty_batch():
    batch = parse_pubmed_xml((HANDBUILT / "empty-set.xml").read_bytes())
    assert batch.records == [] and batch.deleted_pmids == []


@pytest.mark.parametrize("stream_above", [0, 10**9], ids=["streamed", "whole"])
def test_truncated_body_is_a_parse_error(stream_above):
    data = (HANDBUILT / "truncated-pmid-35649368.xml").read_bytes()
    with pytest.raises(ParseError, match="not well-formed") as info:
        parse_pubmed_xml(data, stream_above=stream_above)
    assert info.value.line == 4  # the line the body stops on


def test_html_error_page_is_a_parse_error():
    data = (HANDBUILT / "html-error-page.html").read_bytes()
    with pytest.raises(ParseError, match="HTML page"):
        parse_pubmed_xml(data)


@pytest.mark.parametrize("stream_above", [0, 10**9], ids=["streamed", "whole"])
def test_efetch_error_document_is_a_parse_error_with_its_message(stream_above):
    data = (HANDBUILT / "efetch-error.xml").read_bytes()
    with pytest.raises(ParseError, match="Cannot retrieve history data"):
        parse_pubmed_xml(data, stream_above=stream_above)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"Too Many Requests", "not well-formed"),
        (b'{"error": "API rate limit exceeded"}', "not well-formed"),
        (b"<eSearchResult><Count>0</Count></eSearchResult>", "eSearchResult"),
    ],
)
def test_other_non_pubmed_bodies_are_parse_errors(body, message):
    with pytest.raises(ParseError, match=message):
        parse_pubmed_xml(body)


def test_invalid_identifiers_from_upstream_become_none_not_a_crash():
    data = (
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>0</PMID><Article>"
        b"<ArticleTitle>Odd ids</ArticleTitle></Article></MedlineCitation><PubmedData>"
        b"<ArticleIdList><ArticleId IdType='doi'>not-a-doi</ArticleId>"
        b"<ArticleId IdType='pmc'>PMCX</ArticleId></ArticleIdList></PubmedData>"
        b"</PubmedArticle></PubmedArticleSet>"
    )
    (article,) = parse_pubmed_xml(data).records
    assert (article.pmid, article.doi, article.pmcid) == (None, None, None)
    assert article.title == "Odd ids"
    assert article.raw.startswith(b"<PubmedArticle>")  # serialised: no PMID to check a cut by


def test_article_date_is_the_fallback_when_pubdate_is_missing():
    data = (
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>"
        b"<Journal><JournalIssue><Volume>1</Volume></JournalIssue></Journal>"
        b"<ArticleTitle>T</ArticleTitle><ArticleDate DateType='Electronic'><Year>2021</Year>"
        b"<Month>11</Month><Day>29</Day></ArticleDate></Article></MedlineCitation>"
        b"</PubmedArticle></PubmedArticleSet>"
    )
    (article,) = parse_pubmed_xml(data).records
    assert article.publication_date == "2021-11-29"


@pytest.mark.parametrize(
    ("ref_type", "kind", "direction"),
    [
        ("RetractionIn", "retraction", "notices"),
        ("ErratumIn", "correction", "notices"),
        ("ExpressionOfConcernIn", "expression_of_concern", "notices"),
        ("RetractedandRepublishedIn", "retracted_and_republished", "notices"),
        ("UpdateIn", "update", "notices"),
        ("RetractionOf", "retraction", "amends"),
        ("ErratumFor", "correction", "amends"),
        ("ExpressionOfConcernFor", "expression_of_concern", "amends"),
        ("RetractedandRepublishedFrom", "retracted_and_republished", "amends"),
        ("UpdateOf", "update", "amends"),
    ],
)
def test_every_notice_reftype(ref_type, kind, direction):
    data = (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>"
        "<ArticleTitle>T</ArticleTitle></Article><CommentsCorrectionsList>"
        f'<CommentsCorrections RefType="{ref_type}"><RefSource>J X. 2020 Jan 2;1:1. '
        'doi: 10.5555/x.1.</RefSource><PMID Version="1">77</PMID></CommentsCorrections>'
        "</CommentsCorrectionsList></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode()
    (article,) = parse_pubmed_xml(data).records
    other = "amends" if direction == "notices" else "notices"
    assert [(n.type, n.pmid, n.doi, n.date) for n in getattr(article, direction)] == [
        (kind, "77", "10.5555/x.1", datetime.date(2020, 1, 2))
    ]
    assert getattr(article, other) == []
    assert article.is_retracted is (kind == "retraction" and direction == "notices")


def test_bytearray_and_memoryview_bodies():
    data = efetch("pmid-993-retracted.xml")
    for body in (bytearray(data), memoryview(data)):
        (article,) = parse_pubmed_xml(body).records
        assert article.pmid == "993" and article.raw.startswith(b"<PubmedArticle>")
    with pytest.raises(ParseError, match="must be bytes"):
        parse_pubmed_xml(data.decode())  # type: ignore[arg-type]
