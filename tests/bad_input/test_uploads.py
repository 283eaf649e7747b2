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

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from references.models import ImportJob
from tests.api.helpers import assert_error
from tests.bad_input.uploads import (
    GOOD,
    GZIP_BOMB,
    MAX_UPLOAD_BYTES,
    NOT_THIS_FORMAT,
    TRUNCATED_REFUSED,
    ZIP_BOMB,
    assert_failed_by_worker,
    assert_refused_by_admin,
    assert_refused_by_api,
    garbage,
    parsed_job,
)

pytestmark = pytest.mark.django_db

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


# The content decides the format; the extension is only a hint (a MEDLINE file named .ris).
CONTENT_FORMAT = {"ris": "ris", "nbib": "medline", "bib": "bibtex", "json": "csljson"}


@pytest.mark.parametrize("ext", list(GOOD))
def test_a_file_of_another_format_with_this_extension_is_read_by_its_content(api_upload, ext):
    other, _ = NOT_THIS_FORMAT[ext]

    job = parsed_job(api_upload(f"refs.{ext}", GOOD[other]))

    assert job.file_format == CONTENT_FORMAT[other]


@pytest.mark.parametrize("ext", list(GOOD))
def test_the_admin_reads_a_file_of_another_format_by_its_content(admin_upload, ext):
    other, _ = NOT_THIS_FORMAT[ext]

    job = parsed_job(admin_upload(f"refs.{ext}", GOOD[other]))

    assert job.file_format == CONTENT_FORMAT[other]


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
