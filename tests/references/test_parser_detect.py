"""parse_file choosing the format (by content and extension) and refusing what is not a
reference-manager export; the formats themselves are in test_parser_files.py."""

import gzip
import io
import zipfile

import pytest

from references.parsers import detect_format, parse_file
from references.parsers.records import ParseError, RecordError
from tests.support.upstream_files import upstream

# --- parse_file: choosing the format, refusing what is not an export --------------------


@pytest.mark.parametrize(
    ("path", "filename", "fmt", "count"),
    [
        ("ris/pubmed-zotero.ris", "export.ris", "ris", 6),
        ("ris/embase.ris", "embase.txt", "ris", 6),
        ("ris/web-of-science.ris", "savedrecs.txt", "wos", 2),
        ("pubmed/medline/biopython-pubmed_result2.nbib", "pubmed-set.nbib", "medline", 4),
        ("pubmed/medline/biopython-pubmed_result2.nbib", "pubmed-set.txt", "medline", 4),
        ("pubmed/efetch/biopython-pubmed1.xml", "pubmed.xml", "pubmed-xml", 2),
        ("crossref/works/work-1.json", "work.json", "crossref-json", 1),
        ("handbuilt/files/mixed-records.bib", "library.bib", "bibtex", 2),
        ("handbuilt/files/mixed-items.json", "items.json", "csljson", 2),
        ("ris/pubmed-zotero.ris", None, "ris", 6),
        ("pubmed/medline/biopython-pubmed_result1.nbib", None, "medline", 1),
        ("handbuilt/files/mixed-records.bib", None, "bibtex", 2),
        ("handbuilt/files/mixed-items.json", "no-extension", "csljson", 2),
    ],
)
def test_parse_file_picks_the_format(path, filename, fmt, count):
    result = parse_file(upstream(path), filename)
    assert result.format == fmt
    assert len(result.records) == count


def test_parse_file_explicit_format_wins_over_the_extension():
    result = parse_file(upstream("ris/pubmed-zotero.ris"), "misnamed.bib", fmt="ris")
    assert len(result.records) == 6
    with pytest.raises(ParseError, match="unknown file format 'docx'"):
        parse_file(upstream("ris/pubmed-zotero.ris"), "x.ris", fmt="docx")


def test_pubmed_xml_upload_keeps_notices_and_marks_the_source_as_file():
    result = parse_file(upstream("pubmed/efetch/pmid-993-retracted.xml"), "pubmed.xml")
    (record,) = result.records
    assert record.source == "file" and record.is_retracted
    assert [(n.type, n.pmid) for n in record.notices] == [("retraction", "195582")]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("refs.ris", upstream("ris/pubmed-zotero.ris"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.ris", "empty"),
        (_zip(), "refs.zip", "ZIP archive"),
        (_zip(), "refs.ris", "ZIP archive"),  # the content decides, not the name
        (gzip.compress(b"TY  - JOUR\nER  - \n"), "refs.gz", "gzip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "paper.pdf", "PDF"),
        (bytes(range(256)) * 40, "garbage.bin", "binary"),
        (b"just some notes\nnothing to see\n", "notes.txt", "unknown file format"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "export", "HTML page"),
        (b"just some notes", "notes.ris", "not a RIS file"),
        (b"just some notes", "notes.nbib", "not a MEDLINE"),
        (b"just some notes", "notes.bib", "not a BibTeX file"),
        (b"just some notes", "notes.json", "not a CSL-JSON file"),
        (b"TY  - JOUR\n" + b"x" * (21 * 1024 * 1024), "huge.ris", "too large"),
    ],
)
def test_parse_file_refuses_what_is_not_an_export(data, filename, message):
    with pytest.raises(ParseError, match=message):
        parse_file(data, filename)


def test_detect_format_by_content():
    assert detect_format(b"\xef\xbb\xbfTY  - JOUR\r\nER  - \r\n") == "ris"
    assert detect_format(b"\nPMID- 1\nTI  - x\n") == "medline"
    assert detect_format(b"  @Article{k, title={t}}") == "bibtex"
    assert detect_format(b" [ ]") == "csljson"
    assert detect_format(b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n") == "wos"


def test_windows_1252_export_is_decoded():
    data = "TY  - JOUR\r\nTI  - Caf\xe9 \u2013 a test\r\nER  - \r\n".encode("cp1252")
    (record,) = parse_file(data, "old-endnote.ris").records
    assert record.title == "Café – a test"


def test_record_error_is_frozen_and_comparable():
    assert RecordError(3, "x") == RecordError(3, "x")
    with pytest.raises(AttributeError):
        RecordError(3, "x").line = 4  # type: ignore[misc]
