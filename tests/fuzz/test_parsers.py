"""Fuzzing the parsers: whatever the input, each raises only its documented error.

Documented errors (references/parsers/): every parser raises ParseError for an input it
cannot read as a whole and reports a bad record of a file as a RecordError; the JATS and
markup helpers never raise. Every record a parser does return must be storable as it
is: no NUL or lone surrogate in any text (PostgreSQL refuses both), a year the
Reference table accepts, identifiers already in their normal form.

Budget: see tests/fuzz/strategies.py (``make fuzz`` for the long run).
"""

from __future__ import annotations

import dataclasses
import re

from hypothesis import example, given
from hypothesis import strategies as st

from references.identifiers import normalise_doi
from references.parsers import (
    BibRecord,
    FileParseResult,
    ParseError,
    RecordError,
    detect_format,
    parse_file,
    xmlsafe,
)
from references.parsers.bibtex import parse_bibtex
from references.parsers.crossref import parse_crossref_work, parse_crossref_works
from references.parsers.csljson import parse_csljson
from references.parsers.jats import jats_abstract, markup_to_text
from references.parsers.medline import parse_medline
from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.ris import parse_ris

from .strategies import (
    BIBTEX_SEEDS,
    CROSSREF_KEYS,
    CROSSREF_SEEDS,
    CSL_KEYS,
    CSL_SEEDS,
    FUZZ,
    MEDLINE_SEEDS,
    PUBMED_SEEDS,
    RIS_SEEDS,
    XML_ATTACK_SEEDS,
    arbitrary_bytes,
    json_items,
    mutated,
    pubmed_documents,
)

_PMID = re.compile(r"[1-9]\d{0,9}")
_PMCID = re.compile(r"PMC[1-9]\d{0,9}")


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))


def assert_storable(record: BibRecord) -> None:
    """What references_upsert and the Reference table need of a parsed record."""
    assert isinstance(record, BibRecord)
    for text in _texts(record):
        assert "\x00" not in text, record
        text.encode("utf-8")  # raises on a lone surrogate
    assert record.year is None or 1600 <= record.year <= 2100, record.year
    assert record.month is None or 1 <= record.month <= 12
    assert record.day is None or 1 <= record.day <= 31
    if record.doi is not None:
        assert normalise_doi(record.doi) == record.doi
        assert len(record.doi) <= 250
    assert record.pmid is None or _PMID.fullmatch(record.pmid), record.pmid
    assert record.pmcid is None or _PMCID.fullmatch(record.pmcid), record.pmcid
    for notice in [*record.notices, *record.amends]:
        assert len(notice.doi) <= 250 and len(notice.pmid) <= 10


def check_file_result(result: FileParseResult) -> None:
    assert isinstance(result, FileParseResult)
    for record in result.records:
        assert_storable(record)
    for error in result.errors:
        assert isinstance(error, RecordError)
        assert error.message and (error.line is None or error.line >= 1)


def parses_or_refuses(parse, data) -> None:
    """``parse(data)`` returns a result or raises ParseError; nothing else."""
    try:
        result = parse(data)
    except ParseError as exc:
        assert str(exc)
        return
    check_file_result(result)


# --- the file formats ---------------------------------------------------------------------


@FUZZ
@given(st.one_of(mutated(RIS_SEEDS), arbitrary_bytes()))
def test_ris(data):
    parses_or_refuses(parse_ris, data)


@FUZZ
@given(st.one_of(mutated(MEDLINE_SEEDS), arbitrary_bytes()))
def test_medline(data):
    parses_or_refuses(parse_medline, data)


@FUZZ
@given(st.one_of(mutated(BIBTEX_SEEDS), arbitrary_bytes()))
def test_bibtex(data):
    parses_or_refuses(parse_bibtex, data)


@FUZZ
@given(st.one_of(mutated(CSL_SEEDS), arbitrary_bytes()))
@example(b"[" * 100_000 + b"]" * 100_000)  # nesting deeper than Python's recursion limit
@example(b'[{"title": "NUL \\u0000 inside"}]')
@example(b'[{"title": "lone \\ud800 surrogate"}]')
@example(b'[{"title": "t", "issued": {"date-parts": [[99999]]}}]')
def test_csljson(data):
    parses_or_refuses(parse_csljson, data)


@FUZZ
@given(st.lists(json_items(CSL_KEYS), min_size=1, max_size=3))
def test_csljson_items_of_any_shape(items):
    import json

    parses_or_refuses(parse_csljson, json.dumps(items).encode())


@FUZZ
@given(
    st.one_of(
        mutated(PUBMED_SEEDS),
        mutated(XML_ATTACK_SEEDS),
        pubmed_documents(),
        arbitrary_bytes(),
    )
)
@example(b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>")
def test_pubmed_xml(data):
    try:
        batch = parse_pubmed_xml(data)
    except ParseError:
        return
    for record in batch.records:
        assert_storable(record)
    assert all(_PMID.fullmatch(pmid) for pmid in batch.deleted_pmids)


@FUZZ
@given(
    st.one_of(mutated(CROSSREF_SEEDS), arbitrary_bytes()),
    st.sampled_from([parse_crossref_work, parse_crossref_works]),
)
def test_crossref_bytes(data, parse):
    try:
        result = parse(data)
    except ParseError:
        return
    for record in result if isinstance(result, list) else [result]:
        assert_storable(record)


@FUZZ
@given(
    st.one_of(
        json_items(CROSSREF_KEYS),
        st.fixed_dictionaries({"status": st.just("ok"), "message": json_items(CROSSREF_KEYS)}),
        st.fixed_dictionaries(
            {"message": st.fixed_dictionaries({"items": st.lists(json_items(CROSSREF_KEYS))})}
        ),
    )
)
@example({"DOI": "10.1000/x", "title": ["NUL \x00"], "issued": {"date-parts": [[99999]]}})
def test_crossref_works_of_any_shape(payload):
    try:
        records = parse_crossref_works(payload)
    except ParseError:
        return
    for record in records:
        assert_storable(record)


@FUZZ
@given(
    st.one_of(
        mutated(RIS_SEEDS + MEDLINE_SEEDS + BIBTEX_SEEDS + CSL_SEEDS + PUBMED_SEEDS),
        arbitrary_bytes(),
    ),
    st.sampled_from([None, "refs.ris", "refs.nbib", "refs.bib", "refs.json", "refs.xml", "a.txt"]),
)
def test_parse_file_with_any_name(data, filename):
    parses_or_refuses(lambda d: parse_file(d, filename=filename), data)


@FUZZ
@given(arbitrary_bytes(), st.one_of(st.none(), st.text(max_size=20)))
def test_detect_format(data, filename):
    try:
        assert detect_format(data, filename) in {
            "ris",
            "medline",
            "bibtex",
            "csljson",
            "pubmed-xml",
        }
    except ParseError:
        pass


# --- XML safety and the markup helpers ----------------------------------------------------


@FUZZ
@given(st.one_of(mutated(XML_ATTACK_SEEDS + PUBMED_SEEDS), arbitrary_bytes()))
def test_xmlsafe_never_expands_an_entity(data):
    try:
        root = xmlsafe.parse_bytes(data)
    except ParseError:
        return
    tree = root.getroottree()
    assert tree.docinfo.internalDTD is None or not list(tree.docinfo.internalDTD.iterentities())
    assert b"root:" not in b"".join(t.encode() for t in root.itertext())  # no /etc/passwd


@FUZZ
@given(
    st.one_of(
        st.text(),
        mutated([b"<jats:p>a <i>b</i> &amp; c</jats:p><jats:sec><jats:title>T</jats:title>x"]).map(
            lambda b: b.decode("utf-8", "replace")
        ),
    )
)
def test_markup_helpers_never_raise(fragment):
    assert isinstance(markup_to_text(fragment), str)
    text, sections = jats_abstract(fragment)
    assert isinstance(text, str) and isinstance(sections, list)
