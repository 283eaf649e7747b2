"""parse_pubmed_xml against recorded efetch answers (tests/fixtures/upstream/pubmed/efetch);
hand-built cases and bad bodies are in test_parser_pubmed_cases.py."""

import datetime

import pytest
from lxml import etree

from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import Notice
from tests.support.upstream_files import baseline_records, efetch, one


@pytest.fixture(scope="module")
def baseline():
    return baseline_records()


# --- plain articles -------------------------------------------------------------------


def test_two_plain_articles_in_order_with_their_fields():
    first, second = parse_pubmed_xml(efetch("biopython-pubmed1.xml")).records
    assert first.pmid == "12091962"
    assert first.title == "The treatment of AIDS behind the walls of correctional facilities."
    assert first.journal == "Social justice (San Francisco, Calif.)"
    assert first.journal_abbreviation == "Soc Justice"
    assert (first.volume, first.issue, first.pages) == ("17", "1", "113-25")
    assert first.publication_types == ["Journal Article", "Review"]
    assert first.publication_type_ids == ["D016428", "D016454"]
    assert first.keywords == ["Health Care and Public Health", "Legal Approach"]
    assert first.doi is None
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/12091962/"

    assert second.pmid == "9997"
    assert second.doi == "10.1016/0005-2795(76)90109-4"  # brackets kept
    assert second.pii == "0005-2795(76)90109-4"
    assert (second.year, second.month, second.day) == (1976, 9, 28)
    assert second.publication_date == "1976-09-28"
    assert second.abstract.startswith("Electron paramagnetic resonance and magnetic")
    assert second.abstract_sections == [("", second.abstract)]
    assert [(a.family, a.given, a.initials) for a in second.authors] == [("Strekas", "T C", "TC")]


def test_season_date_keeps_the_year_and_the_words():
    first = parse_pubmed_xml(efetch("biopython-pubmed1.xml")).records[0]
    assert (first.year, first.month, first.day) == (1990, None, None)
    assert first.publication_date == "1990"
    assert first.date_text == "1990 Spring"

    season = one("pmid-23657305-season.xml")
    assert season.pmid == "23657305"
    assert season.publication_date == "2013"
    assert season.date_text == "2013 Jan-Mar"
    assert season.doi == "10.1590/s0004-28032013000100008"
    assert [a.family for a in season.authors] == [
        "Costa-Matos",
        "Batista",
        "Monteiro",
        "Henriques",
        "Girão",
        "Carvalho",
    ]
    assert season.authors[0].given == "Luís"


def test_month_name_and_number_both_read():
    gut = one("biopython-pubmed4.xml")  # <Month>06</Month>
    assert (gut.year, gut.month, gut.publication_date) == (2017, 6, "2017-06")
    rct = one("pmid-28731372-rct.xml")  # <Month>Sep</Month>
    assert (rct.year, rct.month, rct.publication_date) == (2018, 9, "2018-09")


def test_title_markup_is_kept_as_text():
    gut = one("biopython-pubmed4.xml")
    assert gut.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    rct = one("pmid-28731372-rct.xml")
    assert rct.title == (
        "Exploring the effect of vitamin D3 supplementation on the anti-EBV antibody "
        "response in relapsing-remitting multiple sclerosis."
    )


def test_title_markup_in_the_baseline_batch(baseline):
    assert baseline["41583864"].title == (
        "On the Utilization and Characterization of External Biotransformation Systems in "
        "In Vitro Toxicology: A Critical Review of the Scientific Literature with Guidance "
        "Recommendations."
    )
    assert baseline["41601840"].title.startswith("Cu x O/Au chimeric micro-nanoparticles")
    assert baseline["41599792"].title.endswith("Pharmaceuticals 2022, 15, 1405.")


def test_empty_article_title_falls_back_to_the_vernacular_title(baseline):
    assert baseline["41605226"].title.startswith("Kommentar zu „ABDOMEN BECKEN")
    assert baseline["41605226"].language == "ger"


def test_labelled_abstract_sections():
    rct = one("pmid-28731372-rct.xml")
    labels = [label for label, _ in rct.abstract_sections]
    assert labels == ["BACKGROUND", "OBJECTIVES", "METHODS", "RESULTS", "CONCLUSION"]
    assert rct.abstract_sections[1][1].startswith(
        "To investigate the effect of high-dose vitamin D3"
    )
    assert rct.abstract.startswith(
        "BACKGROUND: Epstein-Barr virus (EBV) infection and vitamin D insufficiency"
    )
    assert "\n\nOBJECTIVES: To investigate" in rct.abstract
    # Thin spaces (&#8201;) are text, not layout: kept, not collapsed.
    assert "vitamin D3 (14,000\u2009IU/day; n\u2009=\u200930)" in rct.abstract
    # Markup inside the abstract is kept as text, and the copyright line is not abstract.
    gut = one("biopython-pubmed4.xml")
    assert "ptrend=0.048" in gut.abstract
    assert "r2<0.25" in gut.abstract
    assert "BMJ Publishing" not in gut.abstract


def test_other_abstracts_with_their_language(baseline):
    ((language, text),) = baseline["41583336"].other_abstracts
    assert language == "por"
    assert text.startswith("Introdução: A perfuração iatrogénica do cólon")
    ((language, text),) = baseline["41588158"].other_abstracts
    assert language == "eng"
    assert text.startswith("Temperatures are increasing globally.")


def test_authors_in_order_with_orcid_normalised(baseline):
    gut = one("biopython-pubmed4.xml")
    assert len(gut.authors) == 22
    assert [a.family for a in gut.authors[:4]] == ["Bao", "Prescott", "Yuan", "Zhang"]
    assert (gut.authors[-1].family, gut.authors[-1].given) == ("Wolpin", "Brian M")
    # ORCID as a URL (https and http) and bare, all stored bare.
    assert baseline["41583864"].authors[0].orcid == "0000-0001-8192-9134"
    assert baseline["41588158"].authors[0].orcid == "0000-0002-0764-244X"
    assert baseline["41590283"].authors[0].orcid == "0000-0001-7954-9490"
    assert baseline["41583864"].authors[1].orcid == ""


def test_collective_name_author():
    guideline = one("pmid-34843274-collective.xml")
    (author,) = guideline.authors
    assert (
        author.collective == "Guideline Development Panel for the Treatment of Depressive Disorders"
    )
    assert author.family == ""
    assert guideline.journal_abbreviation == "Am Psychol"
    assert guideline.publication_date == "2022-09"


def test_article_ids_doi_pmc_pii():
    gut = one("biopython-pubmed4.xml")
    assert (gut.doi, gut.pmcid, gut.pii) == (
        "10.1136/gutjnl-2016-312510",
        "PMC5442267",
        "gutjnl-2016-312510",
    )


def test_reference_list_ids_are_not_taken_for_the_articles_own():
    # pubmed5 carries a ReferenceList full of other works' PMIDs and ArticleIdLists.
    occupational = one("biopython-pubmed5.xml")
    assert occupational.pmid == "28775130"
    assert occupational.doi == "10.1136/oemed-2017-104431"
    assert occupational.pmcid == "PMC5771820"


def test_cites_are_not_relations_but_comment_in_is():
    gut = one("biopython-pubmed4.xml")
    assert gut.relations == {"CommentIn": [{"pmid": "27920200", "source": "Gut. 2017 Jun;66(6):1"}]}
    assert gut.notices == [] and gut.amends == []


def test_erratum_in_is_a_correction_notice_with_pmid_doi_and_date():
    article = one("pmid-35649368-erratum.xml")
    assert article.notices == [
        Notice(
            type="correction",
            doi="10.1016/j.celrep.2022.111044",
            pmid="35767954",
            date=datetime.date(2022, 6, 28),
            source="pubmed",
            note="Cell Rep. 2022 Jun 28;39(13):111044. doi: 10.1016/j.celrep.2022.111044.",
        )
    ]
    assert not article.is_retracted


def test_retracted_publication_with_retraction_in():
    article = one("pmid-993-retracted.xml")
    assert article.pmid == "993"
    assert article.pmcid == "PMC1165577"
    assert "Retracted Publication" in article.publication_types
    assert article.publication_type_ids == []  # the 2011 DTD had no UI attribute
    (notice,) = article.notices
    assert (notice.type, notice.pmid, notice.date) == (
        "retraction",
        "195582",
        datetime.date(1977, 4, 15),
    )
    assert article.is_retracted
    assert article.journal_abbreviation == "Biochem. J."


def test_baseline_batch_of_30_with_the_retraction_notice(baseline):
    assert len(baseline) == 30
    assert list(baseline)[:3] == ["41576520", "41576697", "41578200"]
    assert all(r.title for r in baseline.values())
    assert sum(1 for r in baseline.values() if r.doi) == 30
    notice = baseline["41578200"]
    assert notice.publication_types == ["Journal Article", "Retraction Notice"]
    assert notice.amends == [
        Notice(
            type="retraction",
            doi="10.1186/1471-2407-11-185",
            pmid="21595987",
            date=datetime.date(2011, 5, 20),
            source="pubmed",
            note="BMC Cancer. 2011 May 20;11:185. doi: 10.1186/1471-2407-11-185.",
        )
    ]
    assert notice.notices == [] and not notice.is_retracted
    erratum = baseline["41599792"]
    assert [(n.type, n.pmid, n.doi) for n in erratum.amends] == [
        ("correction", "36422535", "10.3390/ph15111405")
    ]


def test_articleidlist_pii_wins_over_elocation_pii(baseline):
    # ELocationID pii is "31", ArticleIdList pii is "bios16010031".
    assert baseline["41590283"].pii == "bios16010031"


def test_raw_is_the_records_own_xml():
    data = efetch("biopython-pubmed1.xml")
    first, second = parse_pubmed_xml(data).records
    assert first.raw.startswith(b"<PubmedArticle><MedlineCitation")
    assert first.raw.endswith(b"</PubmedArticle>")
    assert first.raw in data
    assert b'<PMID Version="1">9997</PMID>' in second.raw
    assert b"12091962" not in second.raw
    # Each raw record parses on its own and is the same article.
    assert etree.fromstring(second.raw).findtext("MedlineCitation/PMID") == "9997"
    assert parse_pubmed_xml(efetch("biopython-pubmed1.xml"), keep_raw=False).records[0].raw == b""


def test_raw_falls_back_to_serialising_when_a_comment_could_hide_a_tag():
    data = efetch("pmid-993-retracted.xml").replace(
        b"<PubmedArticleSet>", b"<PubmedArticleSet><!-- <PubmedArticle> -->", 1
    )
    (article,) = parse_pubmed_xml(data).records
    assert etree.fromstring(article.raw).findtext("MedlineCitation/PMID") == "993"


def test_streamed_and_whole_parses_agree():
    data = efetch("baseline-30-articles.xml.gz")
    whole = parse_pubmed_xml(data)
    streamed = parse_pubmed_xml(data, stream_above=0)
    assert whole == streamed


def test_line_of_each_record():
    first, second = parse_pubmed_xml(efetch("biopython-pubmed2.xml")).records
    assert first.line == 4
    records = parse_pubmed_xml(efetch("pmid-993-retracted.xml")).records
    assert records[0].line == 5
