"""Malformed, oversized, compressed and hostile uploads, through the API and the admin.

What the product does, format by format:

- A file that cannot be read as a whole (empty, binary, compressed, the wrong format for
  its extension, not well-formed XML or JSON, over the size limit, an XML document that
  declares entities) is refused: a 400 naming the file and the problem from the API, a
  form error from the admin, and no ImportJob at all.
- A readable file with some bad records (RIS, MEDLINE, BibTeX, CSL-JSON, and PubMed XML
  records with neither a title nor an identifier) starts a job: each bad record becomes
  a failed item with its line and reason, and only the good records are imported.
"""

from __future__ import annotations

import gzip
import io
import random
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import MAX_UPLOAD_BYTES, import_job_run
from tests.api.helpers import assert_error
from tests.support.fake_upstream import FIXTURES, RecordedUpstream

pytestmark = pytest.mark.django_db

FILES = FIXTURES / "handbuilt" / "files"
XML_ATTACKS = FIXTURES / "handbuilt" / "xml"

GOOD = {
    "ris": b"TY  - JOUR\nTI  - A good RIS record\nDO  - 10.5555/bad.ris\nPY  - 2020\nER  - \n",
    "nbib": b"PMID- 10100009\nTI  - A good MEDLINE record.\nDP  - 2001\n",
    "bib": b"@article{good, title = {A good BibTeX entry}, year = 2019, doi = {10.5555/bad.bib}}\n",
    "json": b'[{"type": "article-journal", "title": "A good CSL item", "DOI": "10.5555/bad.csl"}]',
    "xml": (FIXTURES / "pubmed" / "efetch" / "pmid-993-retracted.xml").read_bytes(),
}
NOT_THIS_FORMAT = {
    "ris": ("bib", "not a RIS file"),
    "nbib": ("json", "not a MEDLINE (nbib) file"),
    "bib": ("ris", "not a BibTeX file"),
    "json": ("ris", "not a CSL-JSON file"),
    "xml": ("json", "PubMed XML is not well-formed"),
}
TRUNCATED_REFUSED = {"json": "not a CSL-JSON file", "xml": "not well-formed (truncated?)"}


def garbage(size: int = 4096) -> bytes:
    return random.Random(size).randbytes(size)


def zip_bomb(expanded: int = 100 * 1024 * 1024) -> bytes:
    """A small zip whose one member expands ~1000-fold (100 MB of spaces in ~100 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("references.ris", "w") as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


ZIP_BOMB = zip_bomb()
GZIP_BOMB = gzip.compress(b"TY  - JOUR\n" + b" " * (50 * 1024 * 1024), compresslevel=9)


@pytest.fixture
def api_upload(editor_api):
    def upload(name: str, data: bytes):
        return editor_api.post(
            "/api/v1/imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
        )

    return upload


@pytest.fixture
def admin_upload(admin_client):
    def upload(name: str, data: bytes):
        return admin_client.post(
            reverse("admin:references_importjob_add"), {"file": SimpleUploadedFile(name, data)}
        )

    return upload


def assert_refused_by_api(response, *phrases: str) -> str:
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["error"]["fields"]["file"])
    for phrase in phrases:
        assert phrase in message, message
    assert not ImportJob.objects.exists() and not Reference.objects.exists()
    return message


def assert_refused_by_admin(response, *phrases: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    errors = " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))
    for phrase in phrases:
        assert phrase in errors, errors
    assert not ImportJob.objects.exists() and not Reference.objects.exists()


# --- files that cannot be read at all -----------------------------------------------------

UNREADABLE = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b" \n\t\r\n", "is empty", id="blank"),
    pytest.param(garbage(), "binary", id="binary-garbage"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + garbage(200), "binary", id="png-renamed"),
    pytest.param("TY  - JOUR\nER  - \n".encode("utf-16-le"), "binary", id="utf16-no-bom"),
]
# XML goes straight to the XML parser, which names what it could not read.
XML_PHRASES = {"binary": "PubMed XML is not well-formed"}


@pytest.mark.parametrize("ext", list(GOOD))
@pytest.mark.parametrize(("data", "phrase"), UNREADABLE)
def test_unreadable_files_are_refused_by_the_api(api_upload, ext, data, phrase):
    name = f"library.{ext}"
    phrase = XML_PHRASES.get(phrase, phrase) if ext == "xml" else phrase

    message = assert_refused_by_api(api_upload(name, data), phrase)

    assert data == b"" or message.startswith(f"{name}:")


@pytest.mark.parametrize("ext", list(GOOD))
def test_a_file_of_another_format_with_this_extension_is_refused(api_upload, admin_upload, ext):
    other, phrase = NOT_THIS_FORMAT[ext]

    assert_refused_by_api(api_upload(f"refs.{ext}", GOOD[other]), phrase)
    assert_refused_by_admin(admin_upload(f"refs.{ext}", GOOD[other]), phrase)


@pytest.mark.parametrize("ext", list(TRUNCATED_REFUSED))
def test_a_truncated_json_or_xml_file_is_refused(api_upload, admin_upload, ext):
    data = GOOD[ext][: len(GOOD[ext]) * 2 // 3]

    assert_refused_by_api(api_upload(f"refs.{ext}", data), TRUNCATED_REFUSED[ext])
    assert_refused_by_admin(admin_upload(f"refs.{ext}", data), TRUNCATED_REFUSED[ext])


def test_a_nul_byte_deep_in_a_text_file_is_refused_with_its_line(api_upload):
    data = GOOD["ris"] * 400 + b"TY  - JOUR\nTI  - NUL \x00 here\nER  - \n"
    assert data.index(b"\x00") > 8192  # past the quick look at the head of the file

    assert_refused_by_api(api_upload("refs.ris", data), "a NUL character on line 2002")


# --- size ---------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_naming_the_limit(api_upload, admin_upload):
    data = GOOD["ris"] * (MAX_UPLOAD_BYTES // len(GOOD["ris"]) + 1)
    assert len(data) > MAX_UPLOAD_BYTES

    assert_refused_by_api(api_upload("big.ris", data), f"{MAX_UPLOAD_BYTES:,}-byte limit")
    assert_refused_by_admin(admin_upload("big.ris", data), f"the limit is {MAX_UPLOAD_BYTES:,}")


def test_a_file_just_under_the_limit_is_accepted(api_upload):
    # Few big records: a file of tens of thousands of tiny ones is slow to take in (see
    # docs/reliability.md, "Bad input"), and the limit is what is tested here.
    record = b"TY  - JOUR\nTI  - Big\nAB  - " + b"word " * 10_000 + b"\nER  - \n"
    count = MAX_UPLOAD_BYTES // len(record)
    data = record * count + b" " * (MAX_UPLOAD_BYTES - len(record) * count)
    assert len(data) == MAX_UPLOAD_BYTES

    response = api_upload("big-records.ris", data)

    assert response.status_code == 202
    assert ImportJob.objects.get().total == count


def test_an_identifier_list_over_the_request_size_limit_is_a_4xx(editor_api, settings):
    body = '{"identifiers": ["' + "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"]}'

    response = editor_api.post("/api/v1/imports/", body, content_type="application/json")

    error = assert_error(response, 413, "payload_too_large")
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}-byte limit" in error["message"]
    assert not ImportJob.objects.exists()


def test_a_multipart_body_with_too_many_fields_is_a_400(editor_api, settings):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    fields["file"] = SimpleUploadedFile("refs.ris", GOOD["ris"])

    response = editor_api.post("/api/v1/imports/", fields, format="multipart")

    error = assert_error(response, 400, "parse_error")
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in error["message"]
    assert not ImportJob.objects.exists()


# --- compressed uploads: no import path decompresses anything -------------------------------


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("refs.zip", ZIP_BOMB, "this is a ZIP archive"),
        ("refs.gz", GZIP_BOMB, "this is a gzip-compressed file"),
        ("refs.ris.gz", GZIP_BOMB, "this is a gzip-compressed file"),
        ("refs", ZIP_BOMB, "this is a ZIP archive"),
        # Named as a text format, the archive is refused as binary before any decoding.
        ("refs.ris", ZIP_BOMB, "binary"),
        ("refs.nbib", GZIP_BOMB, "binary"),
        ("refs.bib", ZIP_BOMB, "binary"),
        ("refs.json", GZIP_BOMB, "binary"),
        ("refs.xml", GZIP_BOMB, "not well-formed"),
    ],
)
def test_a_compressed_upload_is_refused_unopened(api_upload, name, data, phrase):
    assert len(data) < 200_000  # small on the wire; 50-100 MB if it were expanded

    assert_refused_by_api(api_upload(name, data), phrase)


def test_the_zip_bomb_is_refused_by_the_admin_too(admin_upload):
    assert_refused_by_admin(admin_upload("refs.zip", ZIP_BOMB), "this is a ZIP archive")


def test_a_gzip_request_body_is_not_decompressed(editor_api):
    body = gzip.compress(b'{"identifiers": ["10.1000/xyz"]}')

    response = editor_api.post(
        "/api/v1/imports/", body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )

    assert response.status_code == 400
    assert not ImportJob.objects.exists()


# --- XML bombs and external entities --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("billion-laughs.xml", "declares entity 'lol'"),
        ("xxe-etc-passwd.xml", "declares entity 'xxe'"),
        ("xxe-parameter-entity.xml", "declares entity 'passwd'"),
    ],
)
def test_xml_declaring_entities_is_refused(api_upload, admin_upload, name, phrase):
    data = (XML_ATTACKS / name).read_bytes()

    assert_refused_by_api(api_upload(name, data), phrase)
    assert_refused_by_admin(admin_upload(name, data), phrase.replace("'", "&#x27;"))


def test_xml_pointing_at_an_outside_address_makes_no_request(api_upload, upstream):
    """SSRF: neither an external DTD nor an external entity is ever fetched."""
    dtd = upstream.url("/evil.dtd")
    external_dtd = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "{dtd}">'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article>"
        "<ArticleTitle>External DTD</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()
    external_entity = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{dtd}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>8</PMID><Article>"
        "<ArticleTitle>&e;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()

    assert_refused_by_api(api_upload("entity.xml", external_entity), "declares entity 'e'")
    accepted = api_upload("dtd.xml", external_dtd)

    assert accepted.status_code == 202  # the DTD is ignored, the record read
    assert accepted.json()["items"][0]["raw"].startswith("External DTD")
    assert upstream.calls == []


# --- readable files with bad records: the good ones are imported, each bad one reported ----

MIXED = {
    # extension: (file, lines of the bad records, how many good ones)
    "ris": (FILES / "mixed-records.ris", [17, 24, 30, 41], 2),
    "nbib": (FILES / "mixed-records.nbib", [28, 32], 2),
    "bib": (FILES / "mixed-records.bib", [16, 22, 26, 36], 2),
    "json": (FILES / "mixed-items.json", [17, 23, 24], 2),
}


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream({}, {})
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


@pytest.mark.parametrize("ext", list(MIXED))
def test_good_records_are_imported_and_bad_ones_reported_by_line(api_upload, recorded, ext):
    path, bad_lines, good = MIXED[ext]

    response = api_upload(f"library.{ext}", path.read_bytes())

    assert response.status_code == 202, response.content
    items = response.json()["items"]
    failed = [item for item in items if item["status"] == "failed"]
    assert sorted(item["line"] for item in failed) == bad_lines
    assert all(item["message"] for item in failed)
    assert Reference.objects.count() == 0  # nothing is written before the job runs

    job = import_job_run(job_id=response.json()["id"])

    assert job.status == ImportJob.Status.PARTIAL
    assert job.failed_count == len(bad_lines)
    assert Reference.objects.count() == good


def test_a_pubmed_xml_record_with_nothing_in_it_is_reported_not_imported(api_upload, recorded):
    data = (
        b"<PubmedArticleSet><PubmedArticle/>"
        + GOOD["xml"].split(b"<PubmedArticleSet>", 1)[1].split(b"</PubmedArticleSet>")[0]
        + b"</PubmedArticleSet>"
    )

    response = api_upload("mixed.xml", data)

    assert response.status_code == 202, response.content
    statuses = [(item["status"], item["line"]) for item in response.json()["items"]]
    assert statuses == [("pending", 3), ("failed", 1)]  # records first, then the errors
    import_job_run(job_id=response.json()["id"])
    assert list(Reference.objects.values_list("pmid", flat=True)) == ["993"]


def test_a_file_of_only_bad_records_starts_a_job_that_fails(api_upload, recorded):
    data = b"TY  - JOUR\nDO  - not a doi\nER  - \n\nTY  - JOUR\nPY  - 2001\nER  - \n"

    response = api_upload("bad.ris", data)

    assert response.status_code == 202
    assert {item["status"] for item in response.json()["items"]} == {"failed"}
    job = import_job_run(job_id=response.json()["id"])
    assert job.status == ImportJob.Status.FAILED
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("latin1.ris", "TY  - JOUR\nTI  - Café au lait\nER  - \n".encode("cp1252"), "Café au lait"),
        ("bom.ris", "\ufeffTY  - JOUR\nTI  - Naïve\nER  - \n".encode(), "Naïve"),
        ("utf16.ris", "TY  - JOUR\nTI  - Ünïcödé\nER  - \n".encode("utf-16"), "Ünïcödé"),
        (
            "latin1.xml",
            "<?xml version='1.0' encoding='iso-8859-1'?><PubmedArticleSet><PubmedArticle>"
            "<MedlineCitation><PMID>5</PMID><Article><ArticleTitle>Señor</ArticleTitle>"
            "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>".encode("latin-1"),
            "Señor",
        ),
    ],
)
def test_legacy_encodings_are_read(api_upload, name, data, title):
    response = api_upload(name, data)

    assert response.status_code == 202, response.content
    assert response.json()["items"][0]["raw"].startswith(title)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"title": "NUL \\u0000 in a title"}]', "a NUL character"),
        (b'[{"title": "ok", "author": [{"family": "\\ud800"}]}]', "an unpaired surrogate"),
    ],
)
def test_json_text_that_cannot_be_stored_fails_its_record(api_upload, data, problem):
    response = api_upload("refs.json", data)

    assert response.status_code == 202, response.content
    [item] = response.json()["items"]
    assert item["status"] == "failed" and problem in item["message"]
    assert ImportJobItem.objects.get().message == item["message"]


def test_json_nested_beyond_the_recursion_limit_is_refused(api_upload):
    data = b"[" * 100_000 + b"]" * 100_000

    assert_refused_by_api(api_upload("deep.json", data), "nested too deeply")


def test_implausible_years_are_dropped_not_stored(api_upload, recorded):
    data = (
        b'[{"title": "Year 99999", "issued": {"date-parts": [[99999, 1]]}},'
        b' {"title": "Year 1066", "issued": {"date-parts": [["1066"]]}},'
        b' {"title": "Superscript day", "issued": {"date-parts": [[2001, 2, "\xc2\xb2"]]}}]'
    )

    response = api_upload("years.json", data)
    job = import_job_run(job_id=response.json()["id"])

    assert job.status == ImportJob.Status.SUCCEEDED
    assert dict(Reference.objects.values_list("title", "year")) == {
        "Year 99999": None,
        "Year 1066": None,
        "Superscript day": 2001,
    }


def test_a_too_long_doi_in_a_file_fails_its_record(api_upload):
    data = b"TY  - JOUR\nTI  - Long DOI\nDO  - 10.1000/" + b"x" * 300 + b"\nER  - \n"

    response = api_upload("long.ris", data)

    [item] = response.json()["items"]
    assert item["status"] == "failed" and "longer than 250 characters" in item["message"]
