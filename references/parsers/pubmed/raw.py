"""Each record's own XML, kept with it: cut from the input's bytes when that is exact,
serialised by lxml otherwise."""

from __future__ import annotations

import re

from lxml import etree

from ..records import BibRecord

_ROOT_START_RE = re.compile(rb"<(?:PubmedArticleSet|PubmedBookArticleSet)\b[^>]*>")
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")


def record_slices(data: bytes) -> list[bytes] | None:
    """Each record's exact bytes, cut from the input in document order: far cheaper than
    re-serialising with lxml.

    PubmedArticle and PubmedBookArticle carry no attributes (DTD), so their tags are
    fixed byte strings; in a well-formed document such a string can only be a tag
    unless it sits in a comment, a CDATA section or a processing instruction, so with
    none of those present the cut is exact. Each cut is also checked against its
    record's PMID before use; when anything does not hold, lxml serialises instead.
    """
    head = data[:1024]
    declared = _ENCODING_RE.search(head)
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        return None
    root_start = _ROOT_START_RE.search(head)
    if root_start is None or b"xmlns" in root_start.group(0):
        return None
    body_start = root_start.end()
    if _follows_lt(data, b"!", body_start) or _follows_lt(data, b"?", body_start):
        return None
    slices = []
    find = data.find
    startswith = data.startswith
    pos = body_start
    while (start := find(b"<Pubmed", pos)) >= 0:
        if startswith(b"<PubmedArticle>", start):
            end_tag = b"</PubmedArticle>"
        elif startswith(b"<PubmedBookArticle>", start):
            end_tag = b"</PubmedBookArticle>"
        else:
            pos = start + 7
            continue
        end = find(end_tag, start)
        if end < 0:
            return None
        pos = end + len(end_tag)
        slices.append(data[start:pos])
    return slices


def _follows_lt(data: bytes, char: bytes, start: int) -> bool:
    """Whether ``<`` + char (``<!``, ``<?``) occurs after start.

    "!" and "?" are rare in PubMed text, and a one-byte find is a memchr, so this is
    several times faster than searching for the two-byte string.
    """
    find = data.find
    pos = find(char, start)
    while pos >= 0:
        if data[pos - 1] == 60:  # "<"
            return True
        pos = find(char, pos + 1)
    return False


def _first_pmid(raw: bytes) -> bytes:
    start = raw.find(b"<PMID")
    if start < 0:
        return b""
    start = raw.find(b">", start) + 1
    return raw[start : raw.find(b"</PMID>", start)].strip()


def cut_raw(rec: BibRecord, slices: list[bytes] | None, index: int) -> bytes | None:
    """The record's bytes cut from the input, or None when they cannot be trusted."""
    if slices is not None and index < len(slices) and rec.pmid:
        raw = slices[index]
        # The cut and the parse must agree on which record this is.
        if _first_pmid(raw).decode("ascii", "replace").lstrip("0") == rec.pmid:
            return raw
    return None


def raw_bytes(el: etree._Element, rec: BibRecord, slices: list[bytes] | None, index: int) -> bytes:
    """The cut bytes, or lxml's serialisation of the record (its tail included)."""
    raw = cut_raw(rec, slices, index)
    return raw if raw is not None else etree.tostring(el, encoding="utf-8")
