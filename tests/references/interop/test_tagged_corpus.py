"""The tagged-text and JSON/XML families of the interop corpus: every real export parses
with no record lost and every written-down value found (tests/fixtures/interop/README.md)."""

import pytest

from references.parsers import parse_file
from tests.references.interop.corpus import corpus_files, differences

FAMILIES = ("ris", "medline", "wos", "ovid", "csljson", "pubmed-xml")
FILES = [f for family in FAMILIES for f in corpus_files(family)]


def test_the_corpus_covers_each_family():
    assert {f.path.parent.name for f in FILES} == set(FAMILIES)
    assert len(FILES) >= 40


@pytest.mark.parametrize("corpus_file", FILES, ids=lambda f: f.id)
def test_every_record_is_read_as_expected(corpus_file):
    result = parse_file(corpus_file.path.read_bytes(), corpus_file.path.name)

    assert [e.line for e in result.errors] == [e["line"] for e in corpus_file.errors]
    for got, wanted in zip(result.errors, corpus_file.errors, strict=True):
        assert wanted["message"] in got.message
    assert len(result.records) == len(corpus_file.records)
    wrong = {
        index: found
        for index, (record, expected) in enumerate(
            zip(result.records, corpus_file.records, strict=True)
        )
        if (found := differences(record, expected))
    }
    assert wrong == {}
