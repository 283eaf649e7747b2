"""Records per second: parse_pubmed_xml vs Biopython vs a bare lxml iterparse (the ceiling).

Not a test. Builds one efetch-shaped file of >= 1,000 real PubmedArticle records by
concatenating the recorded ones in tests/fixtures/upstream/pubmed/efetch/ (the
30-article baseline batch and the single-article answers) and repeating them, then
times, on the same bytes, in the same process, round-robin so machine noise hits
every contender alike:

- ``parse_pubmed_xml`` (keep_raw=True, the default, and keep_raw=False);
- Biopython: ``Bio.Entrez.read`` (validate=False, its faster mode) plus pulling the
  same fields out of its dicts: title, authors, journal, year, volume, issue,
  pages, DOI, PMID, publication types, comments/corrections;
- bare lxml ``iterparse(tag="PubmedArticle")`` clearing each record and extracting
  nothing: the ceiling for a streaming parse;
- bare ``lxml.etree.fromstring`` of the whole file, extracting nothing: the ceiling
  for a single parse, which is what parse_pubmed_xml does below 64 MB.

Run:  .venv/bin/python bench/bench_pubmed_parse.py [--runs 9] [--min-records 1000]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import gzip
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import Bio  # noqa: E402
from Bio import Entrez  # noqa: E402
from lxml import etree  # noqa: E402

from references.parsers.pubmed import parse_pubmed_xml  # noqa: E402
from references.parsers.xmlsafe import make_parser  # noqa: E402

EFETCH = ROOT / "tests" / "fixtures" / "upstream" / "pubmed" / "efetch"
# Biopython ships this DTD and resolves it locally; the baseline file's own
# (http://, 2019) system id is refused by Biopython as insecure.
HEADER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def real_articles() -> list[bytes]:
    articles = []
    for path in sorted(EFETCH.glob("*.xml*")):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        root = etree.fromstring(data, make_parser())
        articles += [etree.tostring(a, encoding="utf-8") for a in root.iter("PubmedArticle")]
    return articles


def build_file(min_records: int) -> tuple[bytes, int, int]:
    articles = real_articles()
    copies = -(-min_records // len(articles))
    body = b"\n".join(articles * copies)
    return (
        HEADER + b"<PubmedArticleSet>\n" + body + b"\n</PubmedArticleSet>\n",
        len(articles),
        copies,
    )


# --- contenders ----------------------------------------------------------------------


def ours(doc: bytes) -> int:
    return len(parse_pubmed_xml(doc).records)


def ours_no_raw(doc: bytes) -> int:
    return len(parse_pubmed_xml(doc, keep_raw=False).records)


def _bio_fields(article: dict) -> dict:
    citation = article["MedlineCitation"]
    art = citation["Article"]
    journal = art["Journal"]
    issue = journal["JournalIssue"]
    pub_date = issue.get("PubDate", {})
    year = pub_date.get("Year") or str(pub_date.get("MedlineDate", ""))[:4]
    if not year and art.get("ArticleDate"):
        year = art["ArticleDate"][0].get("Year", "")
    pagination = art.get("Pagination") or {}
    pages = pagination.get("MedlinePgn") or "-".join(
        p for p in (pagination.get("StartPage"), pagination.get("EndPage")) if p
    )
    doi = next(
        (
            str(i)
            for i in article.get("PubmedData", {}).get("ArticleIdList", [])
            if i.attributes.get("IdType") == "doi"
        ),
        None,
    ) or next(
        (str(e) for e in art.get("ELocationID", []) if e.attributes.get("EIdType") == "doi"), None
    )
    return {
        "pmid": str(citation["PMID"]),
        "title": str(art.get("ArticleTitle", "")),
        "authors": [
            (
                str(a.get("LastName", "")),
                str(a.get("ForeName", "")),
                str(a.get("Initials", "")),
                str(a.get("CollectiveName", "")),
            )
            for a in art.get("AuthorList", [])
        ],
        "journal": str(journal.get("Title", "")),
        "year": int(year) if str(year).isdigit() else None,
        "volume": str(issue.get("Volume", "")),
        "issue": str(issue.get("Issue", "")),
        "pages": str(pages),
        "doi": doi.lower() if doi else None,
        "publication_types": [str(p) for p in art.get("PublicationTypeList", [])],
        "comments_corrections": [
            (c.attributes.get("RefType"), str(c.get("PMID", "")))
            for c in citation.get("CommentsCorrectionsList", [])
        ],
    }


def biopython(doc: bytes) -> int:
    result = Entrez.read(io.BytesIO(doc), validate=False)
    return len([_bio_fields(a) for a in result["PubmedArticle"]])


def bare_iterparse(doc: bytes) -> int:
    count = 0
    for _, el in etree.iterparse(
        io.BytesIO(doc),
        events=("end",),
        tag="PubmedArticle",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    ):
        count += 1
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    return count


def bare_fromstring(doc: bytes) -> int:
    return len(etree.fromstring(doc, make_parser()))


# --- checks and timing ---------------------------------------------------------------


def check_agreement(doc: bytes) -> None:
    """Both parsers must read the same values, or the comparison means nothing."""
    ours_records = parse_pubmed_xml(doc).records
    bio_records = [
        _bio_fields(a) for a in Entrez.read(io.BytesIO(doc), validate=False)["PubmedArticle"]
    ]
    assert len(ours_records) == len(bio_records)
    for mine, theirs in zip(ours_records, bio_records, strict=True):
        assert mine.pmid == theirs["pmid"]
        assert mine.doi == theirs["doi"], (mine.pmid, mine.doi, theirs["doi"])
        assert (mine.volume, mine.issue, mine.pages) == (
            theirs["volume"],
            theirs["issue"],
            theirs["pages"],
        )
        assert mine.year == theirs["year"], (mine.pmid, mine.year, theirs["year"])
        assert mine.publication_types == theirs["publication_types"]
        assert [a.family for a in mine.authors] == [a[0] for a in theirs["authors"] if a[0]] or any(
            a.collective for a in mine.authors
        )
        assert mine.raw.startswith(b"<PubmedArticle>") and mine.raw.endswith(b"</PubmedArticle>")


def time_round_robin(
    contenders: dict[str, Callable[[bytes], int]], doc: bytes, runs: int
) -> dict[str, list[float]]:
    for fn in contenders.values():  # warm-up: DTD loading, allocator, caches
        fn(doc)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            gc.collect()
            start = time.perf_counter()
            fn(doc)
            times[name].append(time.perf_counter() - start)
    return times


OURS = "parse_pubmed_xml (keep_raw=True)"
OURS_NO_RAW = "parse_pubmed_xml (keep_raw=False)"
BIOPYTHON = "Biopython Entrez.read + fields"
ITERPARSE = "bare lxml iterparse (ceiling)"
FROMSTRING = "bare lxml fromstring"


def per_round(times: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """Median over rounds of time(numerator) / time(denominator), taken within each round,
    so a slow spell on a shared machine does not favour whichever ran in it."""
    return statistics.median(
        a / b for a, b in zip(times[numerator], times[denominator], strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--min-records", type=int, default=1000)
    args = parser.parse_args()

    doc, distinct, copies = build_file(args.min_records)
    n = bare_iterparse(doc)
    check_agreement(doc)
    contenders = {
        OURS: ours,
        OURS_NO_RAW: ours_no_raw,
        BIOPYTHON: biopython,
        ITERPARSE: bare_iterparse,
        FROMSTRING: bare_fromstring,
    }
    for name, fn in contenders.items():
        assert fn(doc) == n, name
    times = time_round_robin(contenders, doc, args.runs)

    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    libxml2 = ".".join(map(str, etree.LIBXML_VERSION))
    print(
        f"{today}  {os.cpu_count()} CPUs ({platform.machine()})  Python "
        f"{platform.python_version()}  lxml {etree.__version__} (libxml2 {libxml2})"
        f"  Biopython {Bio.__version__}"
    )
    print(
        f"file: {n} records ({distinct} distinct real records x {copies}), "
        f"{len(doc) / 1e6:.1f} MB; {args.runs} runs, round-robin\n"
    )
    print(f"{'contender':36} {'median ms':>10} {'records/s':>10}")
    for name in contenders:
        median = statistics.median(times[name])
        print(f"{name:36} {median * 1000:10.1f} {n / median:10.0f}")
    print()
    for name in (OURS, OURS_NO_RAW):
        print(
            f"{name}: {per_round(times, BIOPYTHON, name):.1f}x Biopython, "
            f"{per_round(times, ITERPARSE, name):.0%} of the iterparse ceiling, "
            f"{per_round(times, FROMSTRING, name):.0%} of a bare fromstring "
            "(medians of per-round ratios)"
        )


if __name__ == "__main__":
    main()
