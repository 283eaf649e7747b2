"""Hypothesis settings and input strategies for fuzzing the parsers.

Two budgets: ``ci`` (the default: a few hundred examples per target, derandomised so a
CI run is reproducible) and ``fuzz`` (``make fuzz``: thousands per target, a new seed
each run). ``FUZZ_PROFILE`` picks one; ``FUZZ_EXAMPLES`` overrides the count.

Inputs are random bytes and text, structured JSON and XML built from the formats' own
field names, and mutations of the real records in tests/fixtures/upstream/: flipped,
inserted, deleted, duplicated and truncated bytes, and tokens that matter to a format
(``ER  -``, ``<!DOCTYPE``, ``\\u0000``, ``@article{`` ...) spliced in at random places.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upstream"

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
FUZZ = settings(
    settings.get_profile(PROFILE),
    **(
        {"max_examples": int(os.environ["FUZZ_EXAMPLES"])}
        if os.environ.get("FUZZ_EXAMPLES")
        else {}
    ),
)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def seeds(*patterns: str, max_bytes: int = 60_000) -> list[bytes]:
    """The fixture files matching ``patterns`` (under tests/fixtures/upstream), small ones."""
    found = []
    for pattern in patterns:
        for path in sorted(FIXTURES.glob(pattern)):
            data = _read(path)
            if len(data) <= max_bytes:
                found.append(data)
    assert found, patterns
    return found


RIS_SEEDS = seeds("ris/*.ris", "handbuilt/files/*.ris")
MEDLINE_SEEDS = seeds("pubmed/medline/*.nbib", "handbuilt/files/*.nbib")
BIBTEX_SEEDS = seeds("handbuilt/files/*.bib")
CSL_SEEDS = seeds("handbuilt/files/*.json")
CROSSREF_SEEDS = seeds("crossref/works/*.json", "handbuilt/crossref/*.json")
PUBMED_SEEDS = seeds("pubmed/efetch/*.xml", "handbuilt/pubmed/*.xml")
XML_ATTACK_SEEDS = seeds("handbuilt/xml/*.xml")

# Tokens that mean something to one format or another, and characters that trip storage.
TOKENS = [
    b"\n", b"\r\n", b"\r", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80",
    b"TY  - ", b"ER  - ", b"TY  - JOUR\n", b"DO  - ", b"PY  - 99999", b"AN  - ",
    b"PMID- ", b"PMID- 0", b"DP  - ", b"LID - x [doi]", b"AID - 10.1/x [doi]", b"      ",
    b"@article{", b"@", b"{", b"}", b"\\", b"$", b"%", b"#", b" and ", b"author = {",
    b"[", b"]", b"{}", b'"', b",", b":", b"\\u0000", b"\\ud800", b"1e999", b"-0",
    b'"date-parts": [[99999, 13, 42]]', b'"DOI": "10.1/x"', b'"title": null', b'"author": 1',
    b"<", b">", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"<![CDATA[", b"]]>", b"<!--", b"-->",
    b"<?xml version='1.0' encoding='latin-1'?>", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;",
    b"<PubmedArticle>", b"</PubmedArticle>", b"<PMID>0</PMID>", b"<Year>99999</Year>",
    b'<ArticleId IdType="doi">', b"</ArticleId>", b"<AbstractText Label='&lt;'>",
    b"\xe2\x80\xa8", b"\xc2\x85", b"\x0b", b"\x1c", b"\xf0\x9f\xa7\xaa", b"\xcc\x81",
]  # fmt: skip


@st.composite
def mutated(draw, seed_list: list[bytes], max_mutations: int = 8) -> bytes:
    """One seed with a few random mutations applied."""
    data = bytearray(draw(st.sampled_from(seed_list)))
    for _ in range(draw(st.integers(0, max_mutations))):
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "dup", "cut", "splice"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            index = min(at, len(data) - 1)
            data[index] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 256))]
        elif op == "dup":
            end = min(len(data), at + draw(st.integers(1, 512)))
            data[at:at] = data[at:end] * draw(st.integers(1, 4))
        elif op == "cut":
            del data[at:]
        elif op == "splice":
            other = draw(st.sampled_from(seed_list))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 2048))]
    return bytes(data)


def text_bytes() -> st.SearchStrategy[bytes]:
    """Arbitrary text (any code point but surrogates) in UTF-8 or a legacy encoding."""
    return st.one_of(
        st.text().map(lambda s: s.encode("utf-8")),
        st.text(st.characters(max_codepoint=255)).map(lambda s: s.encode("latin-1")),
        st.text().map(lambda s: s.encode("utf-16")),
    )


def arbitrary_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2048), text_bytes())


# --- structured JSON: CSL items and Crossref works with wrong types everywhere -------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["10.1000/x", "PMC12", "123", "2020", "\x00", "\ud800", "<i>x</i>", ""]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(["date-parts", "family", "given"])),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
CSL_KEYS = [
    "id", "type", "title", "subtitle", "author", "container-title", "container-title-short",
    "journalAbbreviation", "issued", "published-print", "published-online", "volume",
    "issue", "number", "page", "abstract", "language", "keyword", "publisher", "URL", "DOI",
    "PMID", "PMCID",
]  # fmt: skip
CROSSREF_KEYS = [
    "DOI", "title", "subtitle", "author", "container-title", "short-container-title",
    "issued", "published-print", "published-online", "published", "volume", "issue", "page",
    "type", "abstract", "language", "publisher", "subject", "URL", "updated-by", "update-to",
    "relation",
]  # fmt: skip


def json_items(keys: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys), _JSON, max_size=len(keys))


# --- structured XML: PubMed-shaped trees with odd text and attributes ------------------------

PUBMED_TAGS = [
    "PubmedArticle", "MedlineCitation", "PMID", "Article", "Journal", "JournalIssue",
    "Volume", "Issue", "PubDate", "Year", "Month", "Day", "Season", "MedlineDate", "Title",
    "ISOAbbreviation", "ArticleTitle", "Pagination", "MedlinePgn", "StartPage", "EndPage",
    "ELocationID", "Abstract", "AbstractText", "AuthorList", "Author", "LastName",
    "ForeName", "Initials", "Suffix", "CollectiveName", "Identifier", "Language",
    "PublicationTypeList", "PublicationType", "VernacularTitle", "ArticleDate",
    "MedlineJournalInfo", "MedlineTA", "CommentsCorrectionsList", "CommentsCorrections",
    "RefSource", "KeywordList", "Keyword", "OtherAbstract", "PubmedData", "ArticleIdList",
    "ArticleId", "PubmedBookArticle", "BookDocument", "Book", "BookTitle", "Publisher",
    "PublisherName", "DeleteCitation", "PubmedBookData",
]  # fmt: skip
_ATTRS = st.dictionaries(
    st.sampled_from(["IdType", "EIdType", "RefType", "Label", "Type", "ValidYN", "Source", "UI"]),
    st.one_of(
        st.sampled_from(["doi", "pmc", "pii", "pubmed", "RetractionIn", "ErratumFor", "N"]),
        st.text(max_size=10),
    ),
    max_size=2,
)
_XML_TEXT = st.one_of(
    st.sampled_from(["", "0", "12", "99999", "PMC1", "10.1000/x", "2020", "Mar", "ORCID"]),
    st.text(max_size=30),
)


def _escape(text: str) -> str:
    # XML 1.0 allows neither most C0 controls nor surrogates, even as references.
    text = "".join(c for c in text if c in "\t\n\r" or (" " <= c and not "\ud800" <= c <= "\udfff"))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _element(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(PUBMED_TAGS))
    attrs = "".join(
        f' {name}="{_escape(value).replace(chr(34), "&quot;")}"'
        for name, value in draw(_ATTRS).items()
    )
    children = [] if depth >= 5 else draw(st.lists(_element(depth + 1), max_size=4))
    return f"<{tag}{attrs}>{_escape(draw(_XML_TEXT))}{''.join(children)}</{tag}>"


@st.composite
def pubmed_documents(draw) -> bytes:
    root = draw(st.sampled_from(["PubmedArticleSet", "PubmedBookArticleSet", "eFetchResult"]))
    body = "".join(draw(st.lists(_element(), max_size=4)))
    return f"<?xml version='1.0'?><{root}>{body}</{root}>".encode()
