"""The input of bench/bench_pubmed_parse.py: one efetch-shaped file of real PubmedArticle
records, from every recorded efetch answer and the held-out files in bench/data/pubmed."""

from __future__ import annotations

import gzip
from pathlib import Path

from lxml import etree

from references.parsers.xmlsafe import make_parser

ROOT = Path(__file__).resolve().parent.parent
RECORDED = (
    ROOT / "tests" / "fixtures" / "upstream" / "pubmed" / "efetch",
    Path("/work/shared/fixtures/upstream/pubmed/efetch"),
)
HELD_OUT = ROOT / "bench" / "data" / "pubmed"
# Biopython ships this DTD and resolves it locally; the baseline file's own
# (http://, 2019) system id is refused by Biopython as insecure.
HEADER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def file_articles(data: bytes) -> list[bytes]:
    """Each PubmedArticle of a file as its own bytes, cut at its tags (no attributes and
    never nested, so the cut is exact); checked against lxml's count."""
    articles, pos = [], 0
    while (start := data.find(b"<PubmedArticle>", pos)) >= 0:
        pos = data.index(b"</PubmedArticle>", start) + len(b"</PubmedArticle>")
        articles.append(data[start:pos])
    root = etree.fromstring(data, make_parser())
    assert len(articles) == sum(1 for _ in root.iter("PubmedArticle")), "uncuttable file"
    return articles


def real_articles(folders: tuple[Path, ...], verbatim: bool = False) -> list[bytes]:
    """Every PubmedArticle of the files in ``folders``, a file name counted once: as lxml
    serialises it, or byte for byte."""
    seen: set[str] = set()
    articles = []
    for folder in folders:
        for path in sorted(folder.glob("*.xml*")) if folder.is_dir() else []:
            if path.name not in seen:
                seen.add(path.name)
                articles += file_articles(_read(path))
    if verbatim:
        return articles
    return [etree.tostring(etree.fromstring(a, make_parser()), encoding="utf-8") for a in articles]


def build_file(articles: list[bytes], min_records: int) -> tuple[bytes, int, int]:
    copies = -(-min_records // len(articles))
    body = b"\n".join(articles * copies)
    return (
        HEADER + b"<PubmedArticleSet>\n" + body + b"\n</PubmedArticleSet>\n",
        len(articles),
        copies,
    )
