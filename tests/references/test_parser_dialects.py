"""RIS dialects, Web of Science and Ovid tagged text, detection by content, names and
dates (issue 15): each test failed before the behaviour it names was built."""

import json

import pytest

from references.parsers import detect_format, parse_file
from references.parsers.common import person, year_in
from references.parsers.medline import parse_medline
from references.parsers.records import RecordError
from references.parsers.ris import parse_ris
from tests.support.upstream_files import upstream

# --- RIS dialects ---------------------------------------------------------------------------


@pytest.mark.parametrize("spacing", ["TY - JOUR", "TY  -JOUR", "TY\t-\tJOUR", "TY   - JOUR"])
def test_ris_tag_spacing_is_lenient(spacing):
    tag = spacing.replace("TY", "{}").replace("JOUR", "{}")
    data = "\n".join(
        [spacing, tag.format("TI", "Spaced"), tag.format("PY", "2020"), tag.format("ER", "")]
    )
    (record,) = parse_file(data.encode(), "refs.ris").records
    assert (record.title, record.year) == ("Spaced", 2020)


def test_a1_and_au_authors_are_kept_in_file_order():
    data = b"TY  - JOUR\nTI  - Mixed\nA1  - First, A\nAU  - Second, B\nA1  - Third, C\nER  - \n"
    (record,) = parse_ris(data).records
    assert [a.family for a in record.authors] == ["First", "Second", "Third"]


def test_editors_and_translators_are_not_authors_of_the_work():
    data = (
        b"TY  - CHAP\nTI  - A chapter\nAU  - Writer, W\nA1  - Second, S\nA2  - Editor, E\n"
        b"ED  - Editor, F\n"
        b"A3  - Series, S\nA4  - Translator, T\nT2  - The book\nER  - \n"
    )
    (record,) = parse_ris(data).records
    assert [a.family for a in record.authors] == ["Writer", "Second"]
    assert record.journal == "The book"


def test_a_doi_line_with_a_link_after_the_doi_keeps_the_record_and_the_link():
    data = (
        b"TY  - JOUR\nTI  - Rayyan style\n"
        b"DO  - 10.1000/xyz123 https://doi.org/10.1000/xyz123\nER  - \n"
    )
    result = parse_ris(data)
    assert result.errors == []
    (record,) = result.records
    assert record.doi == "10.1000/xyz123"
    assert record.url == "https://doi.org/10.1000/xyz123"


@pytest.mark.parametrize(
    "line",
    [
        "M3  - doi: 10.1000/abc.1",
        "L3  - 10.1000/abc.1",
        "N1  - DOI: 10.1000/abc.1",
        "UR  - https://www.scopus.com/record.uri?eid=2-s2.0-1&doi=10.1000%2fabc.1&partnerID=40",
    ],
)
def test_a_doi_elsewhere_is_used_when_do_is_absent(line):
    data = f"TY  - JOUR\nTI  - Elsewhere\n{line}\nER  - \n".encode()
    (record,) = parse_ris(data).records
    assert record.doi == "10.1000/abc.1"


def test_record_errors_carry_the_line_and_label_but_not_in_the_message():
    data = b"TY  - JOUR\nTI  - A titled record\nDO  - nonsense\nER  - \n"
    (error,) = parse_ris(data).errors
    assert error == RecordError(
        1, "not a DOI: 'nonsense' (expected 10.NNNN/suffix)", "A titled record"
    )
    assert "line" not in error.message


def test_stray_tag_lines_are_one_error():
    data = b"AU  - Stray, A\nAU  - Stray, B\nTI  - Stray\nTY  - JOUR\nTI  - Kept\nER  - \n"
    result = parse_ris(data)
    assert [e.line for e in result.errors] == [1]
    assert [r.title for r in result.records] == ["Kept"]


# --- Web of Science and Ovid ----------------------------------------------------------------


def test_ovid_tagged_text_is_read():
    data = (
        b"<1. >\nVN  - Ovid Technologies\nDB  - Ovid MEDLINE(R)\nUI  - 12345678\n"
        b"TI  - An Ovid record.\nAU  - Smith J.\nAU  - Doe, Jane [Reprint Author]\n"
        b"SO  - Journal of Tests. 12(3):45-67, 2019 Mar.\nYR  - 2019\n"
        b"DO  - https://dx.doi.org/10.1000/ovid.1\n"
    )
    result = parse_file(data, "citation.txt")
    assert result.format == "ovid"
    (record,) = result.records
    assert (record.title, record.year, record.pmid) == ("An Ovid record", 2019, "12345678")
    assert (record.journal, record.volume, record.issue, record.pages) == (
        "Journal of Tests",
        "12",
        "3",
        "45-67",
    )
    assert record.doi == "10.1000/ovid.1"
    assert [(a.family, a.given or a.initials) for a in record.authors] == [
        ("Smith", "J"),
        ("Doe", "Jane"),
    ]


# --- the format by content, the extension a hint --------------------------------------------


def test_a_medline_file_named_ris_is_read_as_medline():
    result = parse_file(upstream("pubmed/medline/biopython-pubmed_result2.nbib"), "refs.ris")
    assert result.format == "medline" and len(result.records) == 4


def test_a_ris_file_named_nbib_or_bib_is_read_as_ris():
    data = upstream("ris/pubmed-zotero.ris")
    assert parse_file(data, "refs.nbib").format == "ris"
    assert parse_file(data, "refs.bib").format == "ris"


def test_an_eric_nbib_file_without_pmids_is_medline():
    assert detect_format(b"OWN - ERIC\nTI  - A report\nAU  - Doe, J\n") == "medline"


# --- MEDLINE: chapters and names ------------------------------------------------------------


def test_nbib_chapter_keeps_its_book_title_as_the_container():
    data = (
        b"PMID- 11111111\nTI  - The chapter\nBTI - The Book of Chapters\n"
        b"FAU - Writer, Wendy\nAU  - Writer W\nDP  - 2015\n"
    )
    (record,) = parse_medline(data).records
    assert (record.title, record.journal) == ("The chapter", "The Book of Chapters")


def test_nbib_all_capitals_family_given_lines():
    data = b"PMID- 22222222\nTI  - Capitals\nFAU - SMITH JOHN\nAU  - SMITH JOHN\n"
    (record,) = parse_medline(data).records
    (author,) = record.authors
    assert (author.family, author.given, author.initials) == ("SMITH", "JOHN", "J")


@pytest.mark.parametrize(
    ("name", "family", "given", "suffix"),
    [
        ("Smith, null", "Smith", "", ""),
        ("Smith, NULL", "Smith", "", ""),
        ("Smith, John, Ed.", "Smith", "John", ""),
        ("Smith, John (Ed.)", "Smith", "John", ""),
        ("Smith, John, eds", "Smith", "John", ""),
        ("Gates, William Henry III", "Gates", "William Henry", "III"),
    ],
)
def test_name_forms(name, family, given, suffix):
    author = person(name)
    assert (author.family, author.given, author.suffix) == (family, given, suffix)


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("1492", "year 1492 is outside 1600–2100; kept as text"),
        ("44 BC", "before the Common Era"),
        ("around 2000bc", "before the Common Era"),
    ],
)
def test_an_out_of_range_or_bce_date_keeps_the_record_with_a_warning(date, reason):
    data = f"TY  - JOUR\nTI  - Old\nPY  - {date}\nER  - \n".encode()
    result = parse_ris(data)
    (record,) = result.records
    assert record.year is None and record.date_text == date
    assert len(record.warnings) == 1 and reason in record.warnings[0]


def test_csl_literal_dates_give_a_year_only_when_unambiguous():
    items = [
        {"title": "Exact", "issued": {"literal": "Spring 2019"}},
        {"title": "Vague", "issued": {"literal": "around 2000"}},
        {"title": "Ancient", "issued": {"date-parts": [[-44]]}},
    ]
    exact, vague, ancient = parse_file(json.dumps(items).encode(), "items.json").records
    assert exact.year == 2019 and exact.warnings == []
    assert vague.year is None and vague.date_text == "around 2000" and vague.warnings
    assert ancient.year is None and "Common Era" in ancient.warnings[0]


def test_a_medline_date_before_1600_is_reported():
    (record,) = parse_medline(b"PMID- 33333333\nTI  - Old\nDP  - 1543 Mar\n").records
    assert record.year is None and record.publication_date == ""
    assert record.warnings == ["year 1543 is outside 1600–2100; kept as text"]


def test_year_in_reads_only_unambiguous_literal_dates():
    assert year_in("2001 or 2002", literal=True)[0] is None
    assert year_in("1990s", literal=True)[0] is None
    assert year_in("1998 Dec-1999 Jan")[0] == 1998
