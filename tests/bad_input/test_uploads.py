"""Malformed, oversized, compressed and hostile uploads, through the API and the admin.

What the product does, format by format:

- The request only stores the file. What it can tell cheaply (an empty file, one over
  IMPORT_MAX_UPLOAD_BYTES, an archive, an image or any binary file, by its first bytes)
  is refused: a 400 naming the file and the problem from the API, a form error from the
  admin, and no ImportJob at all.
- Anything else starts a job (202 / a redirect to the job page) with no items yet. The
  worker parses the file: one that cannot be read as a whole (the wrong format for its
  extension, not well-formed XML or JSON, a NUL deep inside, an XML document that
  declares entities, more records than IMPORT_MAX_RECORDS) fails the job, its ``error``
  and one failed item naming the file and the problem.
- A readable file with some bad records (RIS, MEDLINE, BibTeX, CSL-JSON, and PubMed XML
  records with neither a title nor an identifier) is imported: each bad record becomes
  a failed item with its line and reason, and only the good records are imported.
"""

from __future__ import annotations

import gzip
import io
import random
import re
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_parse, import_job_run
from tests.api.helpers import assert_error
from tests.support.fake_upstream import FIXTURES, RecordedUpstream

pytestmark = pytest.mark.django_db

MAX_UPLOAD_BYTES = settings.IMPORT_MAX_UPLOAD_BYTES

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


def stored_job(response) -> ImportJob:
    """The job a 202 (API) or a redirect (admin) started: the file stored, nothing parsed."""
    if response.status_code == 302:
        job = ImportJob.objects.get()
        assert response["Location"] == reverse("admin:references_importjob_change", args=[job.pk])
    else:
        assert response.status_code == 202, response.content
        job = ImportJob.objects.get(pk=response.json()["id"])
        assert response.json()["items"] == []
    assert (job.status, job.total, job.items.count()) == (ImportJob.Status.PENDING, 0, 0)
    assert job.upload
    return job


def parsed_job(response) -> ImportJob:
    """stored_job, then its file parsed into items as the worker does (no upstream call)."""
    job = stored_job(response)
    assert import_job_parse(job=job) is not None
    job.refresh_from_db()
    return job


def assert_failed_by_worker(response, *phrases: str) -> str:
    """The request stored the file; the worker then fails the job, saying why."""
    job = stored_job(response)

    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith(f"{job.filename}:"), job.error
    for phrase in phrases:
        assert phrase in job.error, job.error
    [item] = job.items.all()
    assert (item.status, item.message) == (ImportJobItem.Status.FAILED, job.error)
    assert not Reference.objects.exists()
    return job.error


def assert_failed_in_admin(admin_client, response, *phrases: str) -> None:
    """assert_failed_by_worker for the admin, whose job page then shows the reason."""
    assert_failed_by_worker(response, *phrases)
    job = ImportJob.objects.get()
    html = admin_client.get(reverse("admin:references_importjob_change", args=[job.pk]))
    for phrase in phrases:
        assert phrase.replace("'", "&#x27;") in html.content.decode()


# --- files that cannot be read at all -----------------------------------------------------

# Refused in the request whatever the extension (XML too), from the head of the file.
UNREADABLE = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b" \n\t\r\n", "is empty", id="blank"),
    pytest.param(garbage(), "binary", id="binary-garbage"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + garbage(200), "a PNG image", id="png-renamed"),
    pytest.param("TY  - JOUR\nER  - \n".encode("utf-16-le"), "binary", id="utf16-no-bom"),
]


@pytest.mark.parametrize("ext", list(GOOD))
@pytest.mark.parametrize(("data", "phrase"), UNREADABLE)
def test_unreadable_files_are_refused_by_the_api(api_upload, ext, data, phrase):
    name = f"library.{ext}"

    message = assert_refused_by_api(api_upload(name, data), phrase)

    assert data == b"" or message.startswith(f"{name}:")


@pytest.mark.parametrize("ext", list(GOOD))
def test_a_file_of_another_format_with_this_extension_fails_its_job(api_upload, ext):
    other, phrase = NOT_THIS_FORMAT[ext]

    assert_failed_by_worker(api_upload(f"refs.{ext}", GOOD[other]), phrase)


@pytest.mark.parametrize("ext", list(GOOD))
def test_the_admin_stores_a_file_of_another_format_and_its_job_page_says_why(
    admin_client, admin_upload, ext
):
    other, phrase = NOT_THIS_FORMAT[ext]

    assert_failed_in_admin(admin_client, admin_upload(f"refs.{ext}", GOOD[other]), phrase)


@pytest.mark.parametrize("ext", list(TRUNCATED_REFUSED))
def test_a_truncated_json_or_xml_file_fails_its_job(api_upload, admin_upload, ext):
    data = GOOD[ext][: len(GOOD[ext]) * 2 // 3]

    assert_failed_by_worker(api_upload(f"refs.{ext}", data), TRUNCATED_REFUSED[ext])
    ImportJob.objects.all().delete()
    assert_failed_by_worker(admin_upload(f"refs.{ext}", data), TRUNCATED_REFUSED[ext])


def test_a_nul_byte_deep_in_a_text_file_fails_its_job_naming_the_line(api_upload):
    data = GOOD["ris"] * 1000 + b"TY  - JOUR\nTI  - NUL \x00 here\nER  - \n"
    assert data.index(b"\x00") > 65536  # past the request's quick look at the file's head

    assert_failed_by_worker(api_upload("refs.ris", data), "a NUL character on line 5002")


# --- size ---------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_naming_the_limit(api_upload, admin_upload):
    data = GOOD["ris"] * (MAX_UPLOAD_BYTES // len(GOOD["ris"]) + 1)
    assert len(data) > MAX_UPLOAD_BYTES

    assert_refused_by_api(api_upload("big.ris", data), f"{MAX_UPLOAD_BYTES:,}-byte limit")
    assert_refused_by_admin(admin_upload("big.ris", data), f"the limit is {MAX_UPLOAD_BYTES:,}")


def test_the_size_limit_is_a_setting(api_upload, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100

    assert_refused_by_api(api_upload("small.ris", GOOD["ris"] * 2), "over the 100-byte limit")


def test_a_file_over_the_record_limit_fails_its_job_naming_both_counts(api_upload, settings):
    settings.IMPORT_MAX_RECORDS = 3

    error = assert_failed_by_worker(api_upload("five.ris", GOOD["ris"] * 5), "5 records")

    assert "over the 3-record limit" in error


def test_a_file_just_under_the_limit_is_accepted(api_upload):
    # Few big records, so that parsing it here stays quick: the limit is what is tested.
    record = b"TY  - JOUR\nTI  - Big\nAB  - " + b"word " * 10_000 + b"\nER  - \n"
    count = MAX_UPLOAD_BYTES // len(record)
    data = record * count + b" " * (MAX_UPLOAD_BYTES - len(record) * count)
    assert len(data) == MAX_UPLOAD_BYTES

    job = parsed_job(api_upload("big-records.ris", data))

    assert job.total == count
    assert job.status == ImportJob.Status.RUNNING


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
        # Whatever its name, the archive is refused by its first bytes, before any decoding.
        ("refs.ris", ZIP_BOMB, "this is a ZIP archive"),
        ("refs.nbib", GZIP_BOMB, "this is a gzip-compressed file"),
        ("refs.bib", ZIP_BOMB, "this is a ZIP archive"),
        ("refs.json", GZIP_BOMB, "this is a gzip-compressed file"),
        ("refs.xml", GZIP_BOMB, "this is a gzip-compressed file"),
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
def test_xml_declaring_entities_fails_its_job(api_upload, admin_client, admin_upload, name, phrase):
    data = (XML_ATTACKS / name).read_bytes()

    assert_failed_by_worker(api_upload(name, data), phrase)
    ImportJob.objects.all().delete()
    assert_failed_in_admin(admin_client, admin_upload(name, data), phrase)


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

    assert_failed_by_worker(api_upload("entity.xml", external_entity), "declares entity 'e'")
    ImportJob.objects.all().delete()
    job = parsed_job(api_upload("dtd.xml", external_dtd))

    assert job.items.get().raw.startswith("External DTD")  # the DTD is ignored, the record read
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

    job = stored_job(api_upload(f"library.{ext}", path.read_bytes()))
    assert Reference.objects.count() == 0  # nothing is written before the job runs

    job = import_job_run(job_id=job.pk)

    failed = job.items.filter(status=ImportJobItem.Status.FAILED)
    assert sorted(item.line for item in failed) == bad_lines
    assert all(item.message for item in failed)
    assert job.status == ImportJob.Status.PARTIAL
    assert job.failed_count == len(bad_lines)
    assert Reference.objects.count() == good


def test_a_pubmed_xml_record_with_nothing_in_it_is_reported_not_imported(api_upload, recorded):
    data = (
        b"<PubmedArticleSet><PubmedArticle/>"
        + GOOD["xml"].split(b"<PubmedArticleSet>", 1)[1].split(b"</PubmedArticleSet>")[0]
        + b"</PubmedArticleSet>"
    )

    job = parsed_job(api_upload("mixed.xml", data))

    statuses = list(job.items.order_by("position").values_list("status", "line"))
    assert statuses == [("pending", 3), ("failed", 1)]  # records first, then the errors
    import_job_run(job_id=job.pk)
    assert list(Reference.objects.values_list("pmid", flat=True)) == ["993"]


def test_a_file_of_only_bad_records_starts_a_job_that_fails(api_upload, recorded):
    data = b"TY  - JOUR\nDO  - not a doi\nER  - \n\nTY  - JOUR\nPY  - 2001\nER  - \n"

    job = stored_job(api_upload("bad.ris", data))

    job = import_job_run(job_id=job.pk)

    assert set(job.items.values_list("status", flat=True)) == {"failed"}
    assert job.total == 2
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
    job = parsed_job(api_upload(name, data))

    assert job.items.get(position=0).raw.startswith(title)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"title": "NUL \\u0000 in a title"}]', "a NUL character"),
        (b'[{"title": "ok", "author": [{"family": "\\ud800"}]}]', "an unpaired surrogate"),
    ],
)
def test_json_text_that_cannot_be_stored_fails_its_record(api_upload, data, problem):
    job = parsed_job(api_upload("refs.json", data))

    [item] = job.items.all()
    assert item.status == "failed" and problem in item.message


def test_json_nested_beyond_the_recursion_limit_is_refused(api_upload):
    data = b"[" * 100_000 + b"]" * 100_000

    assert_failed_by_worker(api_upload("deep.json", data), "nested too deeply")


def test_implausible_years_are_dropped_not_stored(api_upload, recorded):
    data = (
        b'[{"title": "Year 99999", "issued": {"date-parts": [[99999, 1]]}},'
        b' {"title": "Year 1066", "issued": {"date-parts": [["1066"]]}},'
        b' {"title": "Superscript day", "issued": {"date-parts": [[2001, 2, "\xc2\xb2"]]}}]'
    )

    job = stored_job(api_upload("years.json", data))
    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert dict(Reference.objects.values_list("title", "year")) == {
        "Year 99999": None,
        "Year 1066": None,
        "Superscript day": 2001,
    }


def test_a_too_long_doi_in_a_file_fails_its_record(api_upload):
    data = b"TY  - JOUR\nTI  - Long DOI\nDO  - 10.1000/" + b"x" * 300 + b"\nER  - \n"

    job = parsed_job(api_upload("long.ris", data))

    [item] = job.items.all()
    assert item.status == "failed" and "longer than 250 characters" in item.message
