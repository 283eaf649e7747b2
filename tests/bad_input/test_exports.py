"""Bibliography exports cannot be broken out of: a newline, an ``ER  -`` line or a brace
in any field (an editor can type anything in the admin) stays inside its own record."""

from __future__ import annotations

import json
from types import SimpleNamespace

import bibtexparser
import pytest
import rispy

from references.exporters import to_bibtex, to_csl_json, to_ris

BREAKS = "\nER  - \n\nTY  - JOUR\nTI  - Injected\r\n@misc{evil, title={x}}\u2028\x85\x0b\x1c"


def hostile(pk: int) -> SimpleNamespace:
    """A reference whose every field tries to end its record and start another."""
    return SimpleNamespace(
        pk=pk,
        doi=f"10.1000/x{pk}{BREAKS}}}",
        pmid=f"{pk}{BREAKS}}}",
        pmcid=f"PMC{pk}{BREAKS}",
        title=f"Title {pk}{BREAKS}",
        authors=[
            {"family": f"Smith{BREAKS}", "given": "A}\n@misc{z,"},
            {"collective": "}{" + BREAKS},
            "a plain string author" + BREAKS,
        ],
        journal=f"J{BREAKS}",
        journal_abbreviation=f"J{BREAKS}",
        year=2020,
        publication_date=f"2020-01{BREAKS}",
        volume=f"1{BREAKS}",
        issue="2}" + BREAKS,
        pages=f"1-2{BREAKS}",
        abstract=f"Line one\n\n{BREAKS}",
        url=f"https://example.org/{BREAKS}",
        retraction_status="retracted",
    )


REFERENCES = [hostile(1), hostile(2), hostile(3)]


def test_ris_keeps_each_reference_in_one_record():
    text = to_ris(REFERENCES)

    records = rispy.loads(text)
    assert len(records) == 3
    assert [record["title"].split(" ")[:2] for record in records] == [
        ["Title", "1"],
        ["Title", "2"],
        ["Title", "3"],
    ]
    lines = text.splitlines()  # str.splitlines also breaks on \x85, \u2028, \x1c...
    assert sum(line.startswith("TY  - ") for line in lines) == 3
    assert sum(line.startswith("ER  - ") for line in lines) == 3
    for line in lines:
        assert line == "" or line[2:6] == "  - ", repr(line)


def test_bibtex_keeps_each_reference_in_one_entry():
    library = bibtexparser.parse_string(to_bibtex(REFERENCES))

    assert library.failed_blocks == []
    assert len(library.entries) == 3
    assert all(entry.entry_type == "article" for entry in library.entries)
    assert len({entry.key for entry in library.entries}) == 3
    for entry in library.entries:
        assert set(entry.fields_dict) <= {
            "author", "title", "journal", "year", "month", "volume", "number", "pages",
            "doi", "pmid", "pmcid", "url", "abstract", "note",
        }  # fmt: skip


def test_csl_json_is_one_document_of_one_item_each():
    items = json.loads(to_csl_json(REFERENCES))

    assert [item["id"] for item in items] == ["1", "2", "3"]
    assert all("\n" not in item["title"] for item in items)


@pytest.mark.parametrize("write", [to_ris, to_bibtex, to_csl_json])
def test_unicode_edge_cases_survive_every_format(write):
    reference = hostile(1)
    reference.title = "e\u0301\u200d\U0001f9ea \u05e9\u05dc\u05d5\u05dd \ufeff\u202e"
    reference.authors = [{"family": "Zo\u0308e\u0301", "given": "\U0001d4d0"}]

    text = write([reference])

    assert "\U0001f9ea" in text
    text.encode("utf-8")  # no lone surrogate or other unencodable character
