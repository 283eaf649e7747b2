"""/api/v1/imports/: start an import (identifiers or a file) and follow the job."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from references.exporters import to_ris
from references.models import ImportJob, ImportJobItem
from references.services.jobs import import_job_parse
from tests.api.helpers import assert_error
from tests.factories import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_posting_identifiers_queues_a_job_and_answers_202_with_its_location(
    editor_client, editor, django_capture_on_commit_callbacks
):
    identifiers = ["10.1000/ABC", "PMID: 12345", "PMC777", "https://doi.org/10.1000/abc"]

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(
            "/api/v1/imports/", {"identifiers": identifiers}, format="json"
        )

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{job.pk}/")
    assert len(callbacks) == 1  # the task starts once the job is committed
    body = response.json()
    assert (body["id"], body["status"], body["kind"]) == (job.pk, "pending", "identifiers")
    assert job.created_by == editor
    # The duplicate DOI (another spelling of the first) becomes one item.
    assert [(i["kind"], i["value"]) for i in body["items"]] == [
        ("doi", "10.1000/abc"),
        ("pmid", "12345"),
        ("pmcid", "PMC777"),
    ]
    assert body["progress"] == {"total": 3, "processed": 0, "percent": 0}

    followed = editor_client.get(response["Location"])
    assert followed.status_code == 200
    assert followed.json()["items"][0] == {
        "position": 0,
        "raw": "10.1000/ABC",
        "kind": "doi",
        "value": "10.1000/abc",
        "line": 1,
        "status": "pending",
        "message": "",
        "reference_id": None,
    }


def test_any_malformed_identifier_is_a_400_naming_each_and_creates_nothing(editor_client):
    response = editor_client.post(
        "/api/v1/imports/",
        {"identifiers": ["10.1000/good", "not an id", "PMID: 123", "10.1/too-short", ""]},
        format="json",
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"identifiers.1", "identifiers.3", "identifiers.4"}
    assert "not an id" in error["fields"]["identifiers.1"][0]
    assert "10.1/too-short" in error["fields"]["identifiers.3"][0]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"identifiers": []}, {"identifiers": "10.1000/abc"}, {"identifiers": [{"doi": 1}]}],
)
def test_a_missing_or_malformed_list_is_a_400(editor_client, payload):
    assert_error(editor_client.post("/api/v1/imports/", payload, format="json"), 400, "invalid")
    assert not ImportJob.objects.exists()


def test_uploading_a_file_stores_it_and_queues_a_job_that_parses_it(
    editor_client, django_capture_on_commit_callbacks
):
    data = to_ris([ReferenceFactory.build(pk=1, doi="10.1000/from-file")]).encode()
    upload = SimpleUploadedFile(
        "refs.ris", data, content_type="application/x-research-info-systems"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{job.pk}/")
    assert len(callbacks) == 1
    assert (job.kind, job.filename, bytes(job.upload)) == ("file", "refs.ris", data)
    body = response.json()
    assert (body["status"], body["items"], body["progress"]["total"]) == ("pending", [], 0)

    import_job_parse(job=job)  # what the worker does first

    followed = editor_client.get(response["Location"]).json()
    assert (followed["status"], followed["file_format"]) == ("running", "ris")
    assert followed["progress"] == {"total": 1, "processed": 0, "percent": 0}
    assert followed["items"][0]["value"] == "doi:10.1000/from-file"


@pytest.mark.parametrize(
    ("name", "content"), [("empty.ris", b""), ("junk.bin", b"\x00\x01 not a bibliography")]
)
def test_an_unusable_file_is_a_400(editor_client, name, content):
    upload = SimpleUploadedFile(name, content)

    response = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")

    error = assert_error(response, 400, "invalid")
    assert "file" in error["fields"]
    assert not ImportJob.objects.exists()


def test_a_body_that_is_neither_json_nor_multipart_is_415(editor_client):
    response = editor_client.post("/api/v1/imports/", "10.1000/abc", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_a_400(editor_client):
    response = editor_client.post(
        "/api/v1/imports/", '{"identifiers": [', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_permissions(anon, reader_client, db):
    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_importjob"))
    job = ImportJob.objects.create(kind=ImportJob.Kind.IDENTIFIERS, created_by=viewer)
    payload = {"identifiers": ["10.1000/abc"]}

    assert_error(anon.post("/api/v1/imports/", payload, format="json"), 401)
    assert_error(anon.get(f"/api/v1/imports/{job.pk}/"), 401)
    assert_error(reader_client.post("/api/v1/imports/", payload, format="json"), 403)
    assert_error(reader_client.get(f"/api/v1/imports/{job.pk}/"), 403)

    viewer_client = type(anon)()
    viewer_client.force_authenticate(viewer)
    assert viewer_client.get(f"/api/v1/imports/{job.pk}/").status_code == 200
    assert_error(viewer_client.post("/api/v1/imports/", payload, format="json"), 403)
    assert ImportJob.objects.count() == 1


def test_unknown_job_is_404_and_the_job_list_is_not_offered(editor_client):
    assert_error(editor_client.get("/api/v1/imports/12345/"), 404, "not_found")
    assert_error(editor_client.get("/api/v1/imports/"), 405, "method_not_allowed")


def test_job_etag(editor_client, editor):
    job = ImportJob.objects.create(kind=ImportJob.Kind.IDENTIFIERS, total=1, created_by=editor)
    ImportJobItem.objects.create(
        job=job, position=0, raw="10.1000/a", kind="doi", value="10.1000/a"
    )
    url = f"/api/v1/imports/{job.pk}/"
    etag = editor_client.get(url)["ETag"]
    assert editor_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    ImportJob.objects.filter(pk=job.pk).update(processed=1, failed_count=1)

    assert editor_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_queued_job_runs_and_records_an_unreachable_upstream(
    editor_client, settings, django_capture_on_commit_callbacks
):
    """Celery is eager in tests; with no upstream the job fails item by item, visibly."""
    settings.PUBMED_BASE_URL = "http://127.0.0.1:9/"
    settings.CROSSREF_BASE_URL = "http://127.0.0.1:9/"
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    settings.UPSTREAM_BACKOFF_SECONDS = 0

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/api/v1/imports/", {"identifiers": ["PMID: 12345"]}, format="json"
        )

    assert response.status_code == 202
    body = editor_client.get(response["Location"]).json()
    assert body["is_finished"] is True
    assert body["status"] == "failed"
    assert body["counts"]["failed"] == 1
    assert body["items"][0]["status"] == "failed"
    assert body["items"][0]["message"]


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_task_fails_to_start_is_still_a_202(editor_client, settings):
    """The job is committed before its task starts; a failing start is logged, not a 500."""
    settings.PUBMED_BASE_URL = "http://127.0.0.1:9/"
    settings.CROSSREF_BASE_URL = "http://127.0.0.1:9/"
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    settings.UPSTREAM_BACKOFF_SECONDS = 0

    response = editor_client.post(
        "/api/v1/imports/", {"identifiers": ["PMID: 12345"]}, format="json"
    )

    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{job.pk}/")


def minimal_ris(records: int) -> bytes:
    """``records`` RIS records of 32 bytes each: 160,000 of them make the issue's 5 MB."""
    return b"".join(b"TY  - JOUR\nTI  - R%06d\nER  - \n" % i for i in range(records))


def test_a_5_mb_file_of_160000_records_is_stored_not_parsed_in_the_request(
    editor_client, django_capture_on_commit_callbacks
):
    """The request stores the file and answers; parsing it is the worker's (issue 12).

    The captured commit hook is what publishes the task when Celery is not eager, so
    everything up to it is the request's whole work: one job row, no item, a bounded
    number of queries whatever the file holds. (Timings: bench/bench_upload.py.)
    """
    data = minimal_ris(160_000)
    assert 5_000_000 < len(data) <= settings.IMPORT_MAX_UPLOAD_BYTES
    upload = SimpleUploadedFile("big.ris", data)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        response = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert (job.status, job.total, job.items.count()) == ("pending", 0, 0)
    assert len(bytes(job.upload)) == len(data)
    assert len(callbacks) == 1
    assert not [q for q in queries if 'INTO "references_importjobitem"' in q["sql"]]
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]
