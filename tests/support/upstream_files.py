"""Recorded upstream answers and hand-built files (tests/fixtures/upstream), for the parser
tests."""

import gzip
from pathlib import Path

from references.parsers.pubmed import parse_pubmed_xml

UPSTREAM = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
EFETCH = UPSTREAM / "pubmed" / "efetch"
HANDBUILT = UPSTREAM / "handbuilt" / "pubmed"


def upstream(path: str) -> bytes:
    return (UPSTREAM / path).read_bytes()


def efetch(name: str) -> bytes:
    data = (EFETCH / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def one(name: str):
    batch = parse_pubmed_xml(efetch(name))
    assert len(batch.records) == 1
    return batch.records[0]


def baseline_records() -> dict:
    return {r.pmid: r for r in parse_pubmed_xml(efetch("baseline-30-articles.xml.gz")).records}


def handbuilt_batch():
    return parse_pubmed_xml((HANDBUILT / "medlinedate-book-delete.xml").read_bytes())
