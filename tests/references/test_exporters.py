"""references.exporters: RIS, BibTeX and CSL-JSON that other tools read back correctly."""

import json
from types import SimpleNamespace

import bibtexparser
import rispy

from references.exporters import to_bibtex, to_csl_items, to_csl_json, to_ris


def ref(**overrides):
    fields = {
        "pk": 1,
        "doi": "10.1000/abc_1",
        "pmid": "12345",
        "pmcid": "PMC999",
        "title": "Effect of IVIG & IgG on 50% of {odd} cases_ with $cost #1",
        "authors": [
            {"family": "Müller", "given": "Jürgen", "initials": "J"},
            {"collective": "The Lupus and Arthritis Group"},
            {"family": "van der Berg", "initials": "JA", "suffix": "Jr"},
        ],
        "journal": "Journal of Tests",
        "journal_abbreviation": "J Tests",
        "year": 2020,
        "publication_date": "2020-05-14",
        "volume": "12",
        "issue": "3",
        "pages": "100-9",
        "abstract": "First paragraph.\n\nSecond paragraph.",
        "url": "",
        "retraction_status": "none",
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


def test_ris_round_trips_through_rispy():
    text = to_ris([ref(), ref(pk=2, title="Second", retraction_status="retracted")])

    first, second = rispy.loads(text)
    assert first["type_of_reference"] == "JOUR"
    assert first["title"] == ref().title
    assert first["authors"] == [
        "Müller, Jürgen",
        "The Lupus and Arthritis Group",
        "van der Berg, JA, Jr",
    ]
    assert first["year"] == "2020"
    assert (first["start_page"], first["end_page"]) == ("100", "109")
    assert first["doi"] == "10.1000/abc_1"
    assert first["accession_number"] == "12345"
    assert first["secondary_title"] == "Journal of Tests"
    assert first["abstract"] == "First paragraph. Second paragraph."
    assert second["notes"] == ["RETRACTED"]
    assert not text.startswith("1.")  # no rispy record numbers


def test_bibtex_round_trips_through_bibtexparser():
    text = to_bibtex([ref(), ref(pk=2), ref(pk=3, journal="", authors=[], year=None)])

    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    keys = [entry.key for entry in library.entries]
    assert keys == ["muller2020", "muller2020a", "refnd"]
    entry = library.entries[0]
    assert entry.entry_type == "article"
    fields = entry.fields_dict
    assert fields["author"].value == (
        "Müller, Jürgen and {The Lupus and Arthritis Group} and {van der Berg}, Jr, JA"
    )
    # LaTeX specials escaped, acronyms protected from a style's lower-casing.
    assert fields["title"].value == (
        r"Effect of {IVIG} \& {IgG} on 50\% of \{odd\} cases\_ with \$cost \#1"
    )
    assert fields["pages"].value == "100--109"
    assert fields["doi"].value == "10.1000/abc_1"
    assert fields["month"].value == "5"
    assert library.entries[2].entry_type == "misc"


def test_bibtex_survives_unbalanced_braces_and_backslashes():
    nasty = ref(title="}{ \\ {{", doi="10.1000/{x", abstract="a } b")

    library = bibtexparser.parse_string(to_bibtex([nasty]))

    assert library.failed_blocks == []
    assert len(library.entries) == 1


def test_a_trailing_et_al_pseudo_author_becomes_others_or_is_dropped():
    truncated = ref(authors=[{"family": "Smith", "given": "Ann"}, {"collective": "et al."}])

    assert "author = {Smith, Ann and others}" in to_bibtex([truncated])
    assert rispy.loads(to_ris([truncated]))[0]["authors"] == ["Smith, Ann"]
    assert to_csl_items([truncated])[0]["author"] == [{"family": "Smith", "given": "Ann"}]


def test_csl_json_is_valid_csl_items():
    items = json.loads(to_csl_json([ref(retraction_status="expression_of_concern")]))

    (item,) = items
    assert item["type"] == "article-journal"
    assert item["issued"] == {"date-parts": [[2020, 5, 14]]}
    assert item["author"][0] == {"family": "Müller", "given": "Jürgen"}
    assert item["author"][1] == {"literal": "The Lupus and Arthritis Group"}
    assert item["author"][2] == {"family": "van der Berg", "given": "JA", "suffix": "Jr"}
    assert item["page"] == "100-109"
    assert (item["DOI"], item["PMID"], item["PMCID"]) == ("10.1000/abc_1", "12345", "PMC999")
    assert item["note"] == "Subject to an expression of concern"


def test_nothing_to_export_is_an_empty_file():
    assert to_ris([]) == ""
    assert to_bibtex([]) == ""
    assert json.loads(to_csl_json([])) == []
