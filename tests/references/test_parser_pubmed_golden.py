"""parse_pubmed_xml gives, on every real file we hold, exactly what it gave before its speed
work: every field of every record, and each record's raw bytes (by SHA-256).

The golden file (tests/fixtures/pubmed_golden.json.gz) was written by the parser as it was
before it was tuned for speed, from the recorded efetch answers
(tests/fixtures/upstream/pubmed/efetch), the hand-built PubMed files and the real records
kept for the benchmark only (bench/data/pubmed). A parser change that means to change
output rewrites it on purpose:
``.venv/bin/python -m tests.references.test_parser_pubmed_golden``.
"""

import dataclasses
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from references.parsers import xmlsafe
from references.parsers.pubmed import parse_pubmed_xml
from references.parsers.records import ParseError

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "pubmed_golden.json.gz"
SOURCES = (
    "tests/fixtures/upstream/pubmed/efetch",
    "tests/fixtures/upstream/handbuilt/pubmed",
    "bench/data/pubmed",
)


def golden_files() -> list[Path]:
    files = []
    for folder in SOURCES:
        files += sorted((ROOT / folder).glob("*.xml*"))
    return files


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def with_pi(data: bytes) -> bytes:
    """The same file with a processing instruction just inside its root, where libxml2
    drops it: each record's raw must then be what lxml serialises (as before)."""
    start = data.find(b"<PubmedArticleSet>")
    if start < 0:
        return data
    at = start + len(b"<PubmedArticleSet>")
    return data[:at] + b"<?golden pi?>" + data[at:]


def _plain(value: object) -> object:
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "len": len(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # dates


def batch_as_json(data: bytes, **options) -> dict:
    """A batch as plain JSON values: records field by field (raw as its digest)."""
    try:
        batch = parse_pubmed_xml(data, **options)
    except ParseError as exc:
        return {"error": str(exc), "line": exc.line}
    return {
        "records": [
            {f.name: _plain(getattr(rec, f.name)) for f in dataclasses.fields(rec)}
            for rec in batch.records
        ],
        "deleted_pmids": list(batch.deleted_pmids),
    }


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


def test_golden_covers_every_real_file(golden):
    names = {str(path.relative_to(ROOT)) for path in golden_files()}
    assert names | {name + "#pi" for name in names} == set(golden)
    assert sum(len(golden[name].get("records", [])) for name in names) > 1000


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.name)
def test_output_is_unchanged(path, golden):
    expected = golden[str(path.relative_to(ROOT))]
    data = read(path)
    got = batch_as_json(data)
    for mine, theirs in zip(got.get("records", []), expected.get("records", []), strict=True):
        assert mine == theirs, mine["pmid"]
    assert got == expected
    # The streamed path (large bodies) gives the same; keep_raw=False only drops raw.
    assert batch_as_json(data, stream_above=0) == expected
    no_raw = batch_as_json(data, keep_raw=False)
    for rec in expected.get("records", []):
        rec["raw"] = _plain(b"")
    assert no_raw == expected


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.name)
def test_output_is_unchanged_with_a_processing_instruction(path, golden):
    name = str(path.relative_to(ROOT))
    expected, expected_raw = golden[name], golden[name + "#pi"]
    got = batch_as_json(with_pi(read(path)))
    assert raw_digests(got) == expected_raw
    assert without_raw(got) == without_raw(expected)


def raw_digests(batch: dict) -> list:
    return [rec["raw"] for rec in batch.get("records", [])]


def without_raw(batch: dict) -> dict:
    return {**batch, "records": [{**r, "raw": None} for r in batch.get("records", [])]}


def write_golden() -> None:
    golden = {}
    for path in golden_files():
        name = str(path.relative_to(ROOT))
        golden[name] = batch_as_json(read(path))
        # Only the raw records differ there; the test compares the rest with the above.
        golden[name + "#pi"] = raw_digests(batch_as_json(with_pi(read(path))))
    text = json.dumps(golden, ensure_ascii=False, sort_keys=True, indent=0)
    GOLDEN.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__":
    write_golden()


def test_a_record_not_directly_under_the_root_is_left_out_as_before():
    # Records are streamed; one inside another element is not the root's child, which
    # the parse of the whole tree (the answer this must equal) never reads.
    data = read(ROOT / "tests/fixtures/upstream/pubmed/efetch/biopython-pubmed1.xml")
    second = data.index(b"<PubmedArticle>", data.index(b"</PubmedArticle>"))
    end = data.index(b"</PubmedArticleSet>")
    wrapped = data[:second] + b"<Wrapper>" + data[second:end] + b"</Wrapper>" + data[end:]
    assert [r.pmid for r in parse_pubmed_xml(data).records] == ["12091962", "9997"]
    (only,) = parse_pubmed_xml(wrapped).records
    assert only.pmid == "12091962"
    assert only.raw == parse_pubmed_xml(data).records[0].raw


def test_an_error_after_some_records_is_the_whole_parse_error():
    data = read(ROOT / "tests/fixtures/upstream/pubmed/efetch/biopython-pubmed1.xml")
    broken = data.replace(b"</PubmedArticleSet>", b"</PubmedArticleSet")
    with pytest.raises(ParseError, match="not well-formed") as streamed:
        parse_pubmed_xml(broken)
    with pytest.raises(ParseError) as whole:
        xmlsafe.parse_bytes(broken, what="PubMed XML")
    assert str(streamed.value) == str(whole.value)
