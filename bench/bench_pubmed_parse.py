"""Records per second: parse_pubmed_xml vs Biopython vs a bare lxml iterparse (the ceiling).

Not a test. Builds one efetch-shaped file from every recorded efetch answer
(tests/fixtures/upstream/pubmed/efetch/, and /work/shared/fixtures/upstream/pubmed/efetch/
when present) plus the real records the parser was not tuned on (bench/data/pubmed/, see
its README), repeated only below --min-records, and a second file of the held-out records
alone. Records are written as lxml serialises them, as this benchmark always did; with
--verbatim they are copied byte for byte, NLM's processing instructions (``<?nihms ?>``)
included, and the parser then serialises the raw record of every record of such a body
(as it always has) instead of cutting it from the input. On each file it times,
round-robin so machine noise hits every contender alike:

- ``parse_pubmed_xml`` (keep_raw=True, the default, and keep_raw=False);
- Biopython: ``Bio.Entrez.read`` (validate=False, its faster mode) plus pulling the same
  fields out of its dicts (title, authors, journal, year, volume, issue, pages, DOI,
  PMID, publication types, comments/corrections);
- bare lxml ``iterparse(tag="PubmedArticle")`` clearing each record and extracting
  nothing: the ceiling; and a bare ``lxml.etree.fromstring`` of the whole file.

Ratios are medians of per-round ratios. Each call starts from a settled heap and pays for
settling its own (glibc ``malloc_trim``), so no contender is billed for another's memory.

Run:  .venv/bin/python bench/bench_pubmed_parse.py [--runs 9] [--min-records 1000]
          [--verbatim] [--json PATH]

``--json PATH`` writes a dict: the whole file's figures at the top level, the held-out
records' under ``held_out``, each with ``parse_default_records_per_s`` (keep_raw=True),
``biopython_records_per_s``, ``iterparse_ceiling_records_per_s``,
``fromstring_records_per_s``, ``ratio_vs_biopython`` (Biopython's time / the default
parse's), ``share_of_ceiling`` (iterparse time / default parse time),
``share_of_fromstring``, ``records``, ``distinct_records``, ``copies``, ``bytes``,
``runs``, ``verbatim``, ``keep_raw_false`` (``records_per_s``, ``times_biopython``,
``share_of_ceiling``), ``median_ms`` per contender, and ``cpu_time``: the same figures
from the CPU time spent in each call (``time.process_time``), which on a shared machine
moves far less than the wall clock. The top level also has ``date``, ``machine``,
``versions`` and ``goal`` (6x Biopython and 60% of the ceiling, default settings).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import io
import json
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

from bench.pubmed_inputs import HELD_OUT, RECORDED, build_file, real_articles  # noqa: E402
from references.parsers.pubmed import parse_pubmed_xml  # noqa: E402
from references.parsers.xmlsafe import make_parser  # noqa: E402

GOAL = {"ratio_vs_biopython": 6.0, "share_of_ceiling": 0.6}


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
        # The record's own XML (serialised with its trailing whitespace when it cannot be cut).
        assert mine.raw.startswith(b"<PubmedArticle>")
        assert mine.raw.rstrip().endswith(b"</PubmedArticle>")


def _heap_settler() -> Callable[[], object]:
    """glibc's malloc_trim(0), or nothing elsewhere: glibc leaves a freed tree's chunks
    unconsolidated until a later allocation needs them, so without it the next contender
    pays for the one before (~30 ms after a whole lxml tree)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return lambda *_: None


def time_round_robin(
    contenders: dict[str, Callable[[], int]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU times (this process's user + system) of each call, round-robin.

    Each call starts from a settled heap and pays for settling what it left (see
    _heap_settler), so no contender is billed for another's memory."""
    settle = _heap_settler()
    for fn in contenders.values():  # warm-up: DTD loading, allocator, caches
        fn()
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            gc.collect()
            settle(0)
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            settle(0)
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    return wall, cpu


OURS = "parse_pubmed_xml (keep_raw=True)"
OURS_NO_RAW = "parse_pubmed_xml (keep_raw=False)"
BIOPYTHON = "Biopython Entrez.read + fields"
ITERPARSE = "bare lxml iterparse (ceiling)"
FROMSTRING = "bare lxml fromstring"
CONTENDERS = {
    OURS: ours,
    OURS_NO_RAW: ours_no_raw,
    BIOPYTHON: biopython,
    ITERPARSE: bare_iterparse,
    FROMSTRING: bare_fromstring,
}


def per_round(times: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """Median over rounds of time(numerator) / time(denominator), taken within each round,
    so a slow spell on a shared machine does not favour whichever ran in it."""
    return statistics.median(
        a / b for a, b in zip(times[numerator], times[denominator], strict=True)
    )


def figures(times: dict[str, list[float]], n: int, distinct: int, copies: int, size: int) -> dict:
    rate = {name: n / statistics.median(times[name]) for name in times}
    return {
        "parse_default_records_per_s": round(rate[OURS], 1),
        "biopython_records_per_s": round(rate[BIOPYTHON], 1),
        "iterparse_ceiling_records_per_s": round(rate[ITERPARSE], 1),
        "fromstring_records_per_s": round(rate[FROMSTRING], 1),
        "ratio_vs_biopython": round(per_round(times, BIOPYTHON, OURS), 3),
        "share_of_ceiling": round(per_round(times, ITERPARSE, OURS), 3),
        "share_of_fromstring": round(per_round(times, FROMSTRING, OURS), 3),
        **{"records": n, "distinct_records": distinct, "copies": copies, "bytes": size},
        "runs": len(times[OURS]),
        "keep_raw_false": {
            "records_per_s": round(rate[OURS_NO_RAW], 1),
            "times_biopython": round(per_round(times, BIOPYTHON, OURS_NO_RAW), 3),
            "share_of_ceiling": round(per_round(times, ITERPARSE, OURS_NO_RAW), 3),
        },
        "median_ms": {name: round(statistics.median(t) * 1000, 2) for name, t in times.items()},
    }


def print_figures(title: str, d: dict) -> None:
    print(
        f"{title}{' (verbatim)' if d['verbatim'] else ''}: {d['records']} records "
        f"({d['distinct_records']} distinct real records "
        f"x {d['copies']}), {d['bytes'] / 1e6:.1f} MB; {d['runs']} runs, round-robin\n"
    )
    print(f"{'contender':36} {'median ms':>10} {'records/s':>10}")
    for name, ms in d["median_ms"].items():
        print(f"{name:36} {ms:10.1f} {d['records'] / ms * 1000:10.0f}")
    no_raw = d["keep_raw_false"]
    print(
        f"\n{OURS}: {d['ratio_vs_biopython']:.1f}x Biopython, {d['share_of_ceiling']:.0%} of "
        f"the iterparse ceiling, {d['share_of_fromstring']:.0%} of a bare fromstring\n"
        f"{OURS_NO_RAW}: {no_raw['times_biopython']:.1f}x Biopython, "
        f"{no_raw['share_of_ceiling']:.0%} of the iterparse ceiling "
        "(medians of per-round ratios)\n"
    )


def prepare(articles: list[bytes], min_records: int) -> tuple[bytes, int, int, int]:
    doc, distinct, copies = build_file(articles, min_records)
    n = bare_iterparse(doc)
    check_agreement(doc)
    for name, fn in CONTENDERS.items():
        assert fn(doc) == n, name
    return doc, n, distinct, copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--min-records", type=int, default=1000)
    parser.add_argument("--verbatim", action="store_true", help="records byte for byte")
    parser.add_argument("--json", type=Path, help="write the figures there (see the docstring)")
    args = parser.parse_args()

    sets = {
        "all": prepare(real_articles((*RECORDED, HELD_OUT), args.verbatim), args.min_records),
        "held_out": prepare(real_articles((HELD_OUT,), args.verbatim), args.min_records),
    }
    contenders = {
        (label, name): (lambda fn=fn, doc=doc: fn(doc))
        for label, (doc, *_) in sets.items()
        for name, fn in CONTENDERS.items()
    }
    wall, cpu = time_round_robin(contenders, args.runs)
    results = {}
    for label, (doc, n, distinct, copies) in sets.items():
        own = {name: wall[(label, name)] for name in CONTENDERS}
        results[label] = figures(own, n, distinct, copies, len(doc)) | {"verbatim": args.verbatim}
        own_cpu = {name: cpu[(label, name)] for name in CONTENDERS}
        results[label]["cpu_time"] = figures(own_cpu, n, distinct, copies, len(doc))

    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    libxml2 = ".".join(map(str, etree.LIBXML_VERSION))
    machine = f"{os.cpu_count()} CPUs ({platform.machine()})"
    versions = (
        f"Python {platform.python_version()}  lxml {etree.__version__} (libxml2 {libxml2})"
        f"  Biopython {Bio.__version__}"
    )
    print(f"{today}  {machine}  {versions}")
    print_figures("all recorded efetch answers + held-out records", results["all"])
    print_figures("held-out records alone (bench/data/pubmed)", results["held_out"])
    for clock in ("wall", "cpu"):
        a, h = results["all"], results["held_out"]
        if clock == "cpu":
            a, h = a["cpu_time"], h["cpu_time"]
        print(
            f"default settings, {clock} clock: {a['ratio_vs_biopython']:.2f}x Biopython and "
            f"{a['share_of_ceiling']:.0%} of the ceiling (held-out alone: "
            f"{h['ratio_vs_biopython']:.2f}x, {h['share_of_ceiling']:.0%}); goal 6x and 60%"
        )
    if args.json:
        out = {
            **results["all"],
            "held_out": results["held_out"],
            "date": today,
            "machine": machine,
            "versions": versions,
            "goal": GOAL,
        }
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
