"""parse_file and the reference-manager formats: RIS (Zotero, Embase, Web of Science),
MEDLINE/nbib, BibTeX, CSL-JSON. Good records are kept, each bad one is a RecordError
with its line, and a file that is not an export at all is a ParseError."""

import datetime
import gzip
from pathlib import Path

import pytest
import yaml

from references.parsers.bibtex import parse_bibtex
from references.parsers.csljson import parse_csljson
from references.parsers.medline import parse_medline
from references.parsers.records import ParseError
from references.parsers.ris import parse_ris

UPSTREAM = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
HANDBUILT = UPSTREAM / "handbuilt" / "files"


def upstream(path: str) -> bytes:
    return (UPSTREAM / path).read_bytes()


def handbuilt(name: str) -> bytes:
    return (HANDBUILT / name).read_bytes()


def cassette_body(name: str) -> bytes:
    interaction = yaml.safe_load((UPSTREAM / "crossref" / "cassettes" / name).read_text())
    body = interaction["interactions"][-1]["response"]["body"]["string"]
    if isinstance(body, str):
        return body.encode()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


# --- RIS -------------------------------------------------------------------------------


def test_ris_from_zotero_pubmed():
    result = parse_ris(upstream("ris/pubmed-zotero.ris"))
    assert result.format == "ris" and result.errors == []
    assert [r.line for r in result.records] == [1, 26, 50, 81, 106, 129]
    first = result.records[0]
    assert first.title.startswith("The importance of cognitive flexibility and flexibility")
    assert [(a.family, a.given, a.initials) for a in first.authors] == [
        ("Rudnik", "Agata", "A"),
        ("Piotrowicz", "Grazyna", "G"),
        ("Basinska", "Malgorzata A.", "MA"),
        ("Rashedi", "Vahid", "V"),
    ]
    assert (first.journal, first.journal_abbreviation) == (
        "Przeglad gastroenterologiczny",
        "Prz Gastroenterol",
    )
    assert (first.doi, first.volume, first.issue, first.pages) == (
        "10.5114/pg.2018.81081",
        "14",
        "2",
        "121-128",
    )
    assert first.publication_date == "2019"
    assert first.keywords == [
        "biological treatment",
        "Crohn's disease",
        "mindfulness",
        "quality of life",
        "ulcerative colitis",
    ]
    assert first.source == "file"
    # "DA  - 2019/07/24/" is more precise than PY.
    assert result.records[3].publication_date == "2019-07-24"
    assert result.records[1].publication_date == "2019-10"  # "2019/10//undefined"


def test_ris_from_embase_with_bom_and_t1_a1_tags():
    result = parse_ris(upstream("ris/embase.ris"))
    assert result.errors == [] and len(result.records) == 6
    first = result.records[0]
    assert first.line == 1
    assert (
        first.title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert [(a.family, a.initials) for a in first.authors] == [("Liu", "R"), ("Adler", "DG")]
    assert (first.journal, first.doi) == ("Endoscopic Ultrasound", "10.4103/2303-9027.138783")
    assert (first.year, first.pages) == (2014, "152-160")
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert first.publication_types == ["JOUR", "Article"]
    assert result.records[2].journal_abbreviation == "Int. J. Surg. Case Rep."


def test_web_of_science_tagged_file():
    result = parse_ris(upstream("ris/web-of-science.ris"))
    assert result.format == "wos" and result.errors == []
    first, second = result.records
    assert first.line == 3 and second.line == 112
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) "
        "of photosynthetic bacteria and its subunit (B820)"
    )
    assert [a.family for a in first.authors] == ["Parkes-Loach", "Majeed", "Law", "Loach"]
    assert (first.doi, first.pmid) == ("10.1021/bi049798f", "15170338")
    assert (first.journal, first.journal_abbreviation) == ("BIOCHEMISTRY", "Biochemistry")
    assert (first.publication_date, first.pages) == ("2004-06-08", "7003-7016")
    assert second.pmid == "15170339"


def test_ris_bad_records_are_reported_with_their_lines():
    result = parse_ris(handbuilt("mixed-records.ris"))
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (17, "not a DOI"),
        (24, "record has neither a title nor a DOI, PMID or PMCID"),
        (30, "tag outside a record (no 'TY  - ' before it)"),
        (41, "record is not closed by 'ER' (truncated file?)"),
    ]
    good, chapter = result.records
    assert good.doi == "10.5555/handbuilt.ris.1"  # given as a doi.org URL
    assert good.publication_date == "2020-05-14"
    assert [(a.family, a.given, a.initials) for a in good.authors] == [
        ("Doe", "Jane", "J"),
        ("Roe", "R. J.", "RJ"),
    ]
    assert (chapter.pmid, chapter.is_book, chapter.journal, chapter.publisher) == (
        "20301295",
        True,
        "Hand-Built Book",
        "Hand-Built Press",
    )


# --- MEDLINE / nbib ---------------------------------------------------------------------


def test_nbib_single_record_with_continuation_lines():
    result = parse_medline(upstream("pubmed/medline/biopython-pubmed_result1.nbib"))
    (record,) = result.records
    assert result.format == "medline" and result.errors == []
    assert (record.line, record.pmid) == (2, "12230038")
    assert record.title == "The Bio* toolkits--a brief overview."
    assert record.abstract.startswith(
        "Bioinformatics research is often difficult to do with commercial software. The Open"
    )
    assert record.abstract.endswith("beginning biologist programmer.")
    assert [(a.family, a.given, a.initials) for a in record.authors] == [("Mangalam", "Harry", "H")]
    assert (record.journal, record.journal_abbreviation) == (
        "Briefings in bioinformatics",
        "Brief Bioinform",
    )
    assert (record.volume, record.issue, record.pages, record.publication_date) == (
        "3",
        "3",
        "296-302",
        "2002-09",
    )


def test_nbib_four_records():
    result = parse_medline(upstream("pubmed/medline/biopython-pubmed_result2.nbib"))
    assert [r.pmid for r in result.records] == ["16403221", "16377612", "14871861", "14630660"]
    assert [r.line for r in result.records] == [2, 67, 127, 192]
    first, second, third, _ = result.records
    assert (first.pmcid, first.doi) == ("PMC1373603", "10.1186/1471-2105-7-10")
    assert first.publication_date == "2006"
    assert first.authors[2].initials == "MA"  # from AU "Saqi MA", not "Mansoor A S"
    assert (
        second.title
        == "GenomeDiagram: a python package for the visualization of large-scale genomic data."
    )
    assert second.publication_date == "2006-03-01"
    assert [a.family for a in third.authors] == ["de Hoon", "Imoto", "Nolan", "Miyano"]
    assert third.publication_types == [
        "Comparative Study",
        "Evaluation Studies",
        "Journal Article",
        "Validation Studies",
    ]


def test_nbib_lid_doi():
    (record,) = parse_medline(upstream("pubmed/medline/biopython-pubmed_result3.nbib")).records
    assert record.doi == "10.1118/1.4748329"
    assert record.pages == "5795-813"


def test_nbib_handbuilt_notices_dates_and_bad_records():
    result = parse_medline(handbuilt("mixed-records.nbib"))
    assert [(e.line, e.message) for e in result.errors] == [
        (28, "not a PMID: '0' (expected 1 to 10 digits)"),
        (32, "record has neither a title nor a DOI, PMID or PMCID"),
    ]
    retracted, notice = result.records
    assert retracted.title == (
        "Calcium flux across a winter issue: a title long enough to continue on the next line."
    )
    assert (retracted.year, retracted.publication_date, retracted.date_text) == (
        1998,
        "1998",
        "1998 Dec-1999 Jan",
    )
    assert [(a.family, a.suffix, a.orcid, a.collective) for a in retracted.authors] == [
        ("Smith", "Jr", "0000-0002-1825-009X", ""),
        ("", "", "", "Hand-Built Fixtures Study Group"),
    ]
    assert retracted.pmcid == "PMC1234567"
    assert [(n.type, n.pmid, n.doi, n.date) for n in retracted.notices] == [
        ("retraction", "10100002", "10.5555/handbuilt.2001.1", datetime.date(2001, 3, 5))
    ]
    assert retracted.is_retracted
    assert [(n.type, n.pmid) for n in notice.amends] == [("retraction", "10100001")]


# --- BibTeX ----------------------------------------------------------------------------


def test_bibtex_from_crossref_content_negotiation():
    result = parse_bibtex(cassette_body("content-negotiation-bibtex.yaml"))
    (record,) = result.records
    assert result.errors == []
    assert record.title.startswith("The Structure of Ordinary Water: New data and interpretations")
    assert [(a.family, a.given, a.initials) for a in record.authors] == [
        ("Frank", "Henry S.", "HS")
    ]
    assert (record.doi, record.journal, record.volume, record.issue) == (
        "10.1126/science.169.3946.635",
        "Science",
        "169",
        "3946",
    )
    assert (record.publication_date, record.pages) == ("1970-08", "635-641")  # en dash to hyphen
    assert record.publisher == "American Association for the Advancement of Science (AAAS)"


def test_bibtex_handbuilt_good_and_bad_entries():
    result = parse_bibtex(handbuilt("mixed-records.bib"))
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (16, "not a DOI"),
        (22, "record has neither a title nor a DOI, PMID or PMCID"),
        (26, "malformed entry"),
        (36, "duplicate entry key 'good2019'"),
    ]
    good, book = result.records
    assert good.line == 2
    assert good.title == "On The α-helix and CO₂"
    assert [(a.family, a.given, a.suffix, a.collective) for a in good.authors] == [
        ("Müller", "Jörg", "", ""),
        ("", "", "", "World Health Organization"),
        ("von Neumann", "John", "Jr.", ""),
    ]
    assert (good.doi, good.pmid) == ("10.5555/handbuilt.bib.1", "31000001")
    assert (good.publication_date, good.pages) == ("2019-03", "11-19")
    assert good.keywords == ["fixtures", "parsing"]
    assert (book.line, book.is_book, book.publisher) == (29, True, "Hand-Built Press")


# --- CSL-JSON --------------------------------------------------------------------------


def test_csl_json_from_crossref_content_negotiation():
    result = parse_csljson(cassette_body("content-negotiation-csl-json.yaml"))
    (record,) = result.records
    assert result.format == "csljson" and result.errors == []
    assert record.title == (
        "The Structure of Ordinary Water: New data and interpretations are yielding new "
        "insights into this fascinating substance."
    )
    assert record.doi == "10.1126/science.169.3946.635"
    assert (record.journal, record.journal_abbreviation) == ("Science", "Science")
    assert record.publication_date == "1970-08-14"
    assert record.abstract.startswith("The train of thought pursued in this article")
    assert [a.family for a in record.authors] == ["Frank"]


def test_csl_json_items_with_line_numbers():
    result = parse_csljson(handbuilt("mixed-items.json"))
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (17, "not a PMCID"),
        (23, "expected a CSL item (an object), got 'not an object'"),
        (24, "record has neither a title nor a DOI, PMID or PMCID"),
    ]
    good, book = result.records
    assert good.line == 2
    assert (good.doi, good.pmid, good.pmcid) == (
        "10.5555/handbuilt.csl.1",
        "36000001",
        "PMC9000001",
    )
    assert [(a.family, a.collective) for a in good.authors] == [
        ("Doe", ""),
        ("", "Hand-Built Consortium"),
    ]
    assert (good.publication_date, good.pages, good.journal_abbreviation) == (
        "2022-11",
        "100-110",
        "J Hand Built Fixt",
    )
    assert (book.line, book.year, book.is_book) == (29, 2015, True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"title": "x"}', "not closed"),
        (b'[{"title": "x"} {"title": "y"}]', "expected ',' or ']'"),
        (b'[{"title": "x",}]', "invalid JSON"),
        (b'{"esearchresult": {"count": "0"}}', "no CSL fields"),
        (b"[1, 2, 3]", "no item has CSL fields"),
    ],
)
def test_csl_json_that_is_not_csl_json(body, message):
    with pytest.raises(ParseError, match=message):
        parse_csljson(body)
