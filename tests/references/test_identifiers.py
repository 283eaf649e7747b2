"""references.identifiers: normalising DOIs, PMIDs and PMCIDs, and finding them in text."""

import pytest

from references.identifiers import (
    Identifier,
    InvalidIdentifier,
    extract_identifiers,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    parse_identifier,
)


@pytest.mark.parametrize(
    "raw",
    [
        "10.1016/j.celrep.2022.110870",
        "10.1016/J.CELREP.2022.110870",
        "doi:10.1016/j.celrep.2022.110870",
        "DOI: 10.1016/j.celrep.2022.110870",
        "DOI 10.1016/j.celrep.2022.110870",
        "https://doi.org/10.1016/j.celrep.2022.110870",
        "http://dx.doi.org/10.1016/j.celrep.2022.110870",
        "https://doi.org/10.1016%2Fj.celrep.2022.110870",
        "  10.1016/j.celrep.2022.110870\t",
        '"10.1016/j.celrep.2022.110870"',
        "<10.1016/j.celrep.2022.110870>",
        "10.1016/j.celrep.2022.110870.",
        "10.1016/j.celrep.2022.110870,",
        "10.1016/j.celrep.2022.110870;",
        "(doi:10.1016/j.celrep.2022.110870)",
        "https://doi.org/10.1016/j.celrep.2022.110870?utm_source=x",
    ],
)
def test_normalise_doi_accepts_the_usual_spellings(raw):
    assert normalise_doi(raw) == "10.1016/j.celrep.2022.110870"


def test_normalise_doi_keeps_brackets_that_belong_to_the_doi():
    # Real DOIs from the recorded answers: balanced brackets are part of the suffix.
    assert normalise_doi("10.1016/0005-2795(76)90109-4") == "10.1016/0005-2795(76)90109-4"
    assert normalise_doi("(10.1016/S0140-6736(97)11096-0).") == "10.1016/s0140-6736(97)11096-0"
    sici = "10.1002/(SICI)1521-3773(19980302)37:4<489::AID-ANIE489>3.0.CO;2-N"
    assert normalise_doi(sici) == sici.lower()


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "10.12/abc", "11.1234/abc", "10.1234", "10.1234/", "doi:", "10.1234/a b", "hello"],
)
def test_normalise_doi_rejects_non_dois_naming_the_input(raw):
    with pytest.raises(InvalidIdentifier) as info:
        normalise_doi(raw)
    assert repr(raw) in str(info.value)


def test_invalid_identifier_is_a_value_error():
    with pytest.raises(ValueError, match="not a DOI"):
        normalise_doi("nope")


@pytest.mark.parametrize(
    "raw",
    [
        "35649368",
        " 35649368 ",
        "PMID: 35649368",
        "pmid:35649368",
        "PMID 35649368.",
        "https://pubmed.ncbi.nlm.nih.gov/35649368/",
        "http://www.ncbi.nlm.nih.gov/pubmed/35649368",
        "https://www.ncbi.nlm.nih.gov/pubmed/?term=35649368",
        "https://europepmc.org/article/MED/35649368",
        35649368,
    ],
)
def test_normalise_pmid(raw):
    assert normalise_pmid(raw) == "35649368"


@pytest.mark.parametrize("raw", ["0", "000", "12a4", "-5", "12345678901", "PMC123", "", "1.5"])
def test_normalise_pmid_rejects(raw):
    with pytest.raises(InvalidIdentifier, match="not a PMID"):
        normalise_pmid(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "PMC1165577",
        "pmc1165577",
        "PMC 1165577",
        "PMCID: PMC1165577",
        "pmcid:1165577",
        "1165577",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1165577/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC1165577/",
        "https://europepmc.org/article/PMC/PMC1165577",
        "https://europepmc.org/articles/PMC1165577",
    ],
)
def test_normalise_pmcid(raw):
    assert normalise_pmcid(raw) == "PMC1165577"


@pytest.mark.parametrize("raw", ["PMC", "PMC0", "PMCX1", "PMID1165577", "10.1000/x"])
def test_normalise_pmcid_rejects(raw):
    with pytest.raises(InvalidIdentifier, match="not a PMCID"):
        normalise_pmcid(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1136/gutjnl-2016-312510", Identifier("doi", "10.1136/gutjnl-2016-312510")),
        (
            "https://doi.org/10.1136/GUTJNL-2016-312510",
            Identifier("doi", "10.1136/gutjnl-2016-312510"),
        ),
        ("doi: 10.1136/gutjnl-2016-312510", Identifier("doi", "10.1136/gutjnl-2016-312510")),
        ("PMC5442267", Identifier("pmcid", "PMC5442267")),
        ("pmcid: 5442267", Identifier("pmcid", "PMC5442267")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC5442267/", Identifier("pmcid", "PMC5442267")),
        ("27797938", Identifier("pmid", "27797938")),
        ("PMID: 27797938", Identifier("pmid", "27797938")),
        ("https://pubmed.ncbi.nlm.nih.gov/27797938/", Identifier("pmid", "27797938")),
    ],
)
def test_parse_identifier_guesses_the_kind(raw, expected):
    assert parse_identifier(raw) == expected


@pytest.mark.parametrize("raw", ["hello", "", "doi:nonsense", "PMID: x", "PMCabc", "10.5"])
def test_parse_identifier_rejects_with_the_input_in_the_message(raw):
    with pytest.raises(InvalidIdentifier) as info:
        parse_identifier(raw)
    assert repr(raw) in str(info.value) or repr(raw.strip()) in str(info.value)


def test_identifier_is_frozen_and_hashable():
    identifier = Identifier("pmid", "1")
    with pytest.raises(AttributeError):
        identifier.value = "2"  # type: ignore[misc]
    assert len({identifier, Identifier("pmid", "1")}) == 1


def test_extract_one_per_line_with_bad_lines_reported():
    text = (
        "10.1016/j.celrep.2022.110870\n"
        "\n"
        "PMID: 35649368\n"
        "not-an-identifier\n"
        "PMC5442267\n"
        "https://doi.org/10.1016/J.CELREP.2022.110870\n"  # duplicate of line 1
        "10.12/short\n"
    )
    found, errors = extract_identifiers(text)
    assert found == [
        Identifier("doi", "10.1016/j.celrep.2022.110870"),
        Identifier("pmid", "35649368"),
        Identifier("pmcid", "PMC5442267"),
    ]
    assert [(line, raw) for line, raw, _ in errors] == [
        (4, "not-an-identifier"),
        (7, "10.12/short"),
    ]
    assert "not-an-identifier" in errors[0][2]


def test_extract_several_identifiers_on_one_line():
    found, errors = extract_identifiers("35649368, 27797938; PMC5442267 10.1177/1352458517722646")
    assert [i.value for i in found] == [
        "35649368",
        "27797938",
        "PMC5442267",
        "10.1177/1352458517722646",
    ]
    assert errors == []


def test_extract_scans_a_pasted_reference_list():
    text = (
        "References\n"
        "1. Li YJ, Fahrmann JF. Fatty acid oxidation protects cancer cells. Cell Rep. "
        "2022;39(9):110870. doi:10.1016/j.celrep.2022.110870. PMID: 35649368.\n"
        "2. Gullis RJ, Rowe CE. Biochem J. 1975 Jun;148(3):557-65 (PMCID: PMC1165577).\n"
        "3. Costa-Matos L et al. Arq Gastroenterol. 2013;50(1):35-41. "
        "https://doi.org/10.1590/S0004-28032013000100008\n"
        "4. Again the first one, https://pubmed.ncbi.nlm.nih.gov/35649368/ in 2022 (n = 386).\n"
    )
    found, errors = extract_identifiers(text)
    assert found == [
        Identifier("doi", "10.1016/j.celrep.2022.110870"),
        Identifier("pmid", "35649368"),
        Identifier("pmcid", "PMC1165577"),
        Identifier("doi", "10.1590/s0004-28032013000100008"),
    ]
    # "References" is a lone token that is no identifier; prose lines are not errors.
    assert errors == [(1, "References", errors[0][2])]


def test_extract_handles_bom_and_windows_newlines():
    found, errors = extract_identifiers("\ufeff10.1016/j.celrep.2022.110870\r\n993\r\n")
    assert found == [Identifier("doi", "10.1016/j.celrep.2022.110870"), Identifier("pmid", "993")]
    assert errors == []
