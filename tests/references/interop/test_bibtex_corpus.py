"""The BibTeX part of the interop corpus: every real export yields its records, field by field.

An expected file may list, under "errors", the RecordErrors its file must give (each a
line and a part of the message); without that key a file must give none.
"""

from __future__ import annotations

import json
import time

import pytest

from references.parsers import parse_file
from tests.references.interop.corpus import EXPECTED_SUFFIX, CorpusFile, corpus_files, differences

FILES = corpus_files("bibtex")


def expected_errors(corpus_file: CorpusFile) -> list[dict]:
    spec_path = corpus_file.path.with_name(corpus_file.path.name + EXPECTED_SUFFIX)
    return json.loads(spec_path.read_text(encoding="utf-8")).get("errors", [])


def test_corpus_is_there():
    assert len(FILES) >= 25
    assert len({f.tool for f in FILES}) >= 5


@pytest.mark.parametrize("corpus_file", FILES, ids=lambda f: f.id)
def test_bibtex_export_yields_its_records(corpus_file: CorpusFile):
    result = parse_file(corpus_file.path.read_bytes(), corpus_file.path.name)

    assert result.format == "bibtex"
    wanted_errors = expected_errors(corpus_file)
    assert [e.line for e in result.errors] == [e["line"] for e in wanted_errors]
    for got, wanted in zip(result.errors, wanted_errors, strict=True):
        assert wanted["message"] in got.message
        assert f"line {got.line}" not in got.message
    assert len(result.records) == len(corpus_file.records)
    problems = [
        f"record {index + 1}: {problem}"
        for index, (record, expected) in enumerate(
            zip(result.records, corpus_file.records, strict=True)
        )
        for problem in differences(record, expected)
    ]
    assert problems == []


def test_whole_bibtex_corpus_parses_quickly():
    parse_file(FILES[0].path.read_bytes(), FILES[0].path.name)  # import bibtexparser first
    started = time.perf_counter()
    records = sum(len(parse_file(f.path.read_bytes(), f.path.name).records) for f in FILES)
    elapsed = time.perf_counter() - started
    assert records >= 50
    assert elapsed < 5.0, f"{records} records took {elapsed:.2f}s"
