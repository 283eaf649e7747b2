"""/api/v1/imports/: start an import (identifiers or a file) and follow the job."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from references.exporters import to_ris
from references.models import ImportJob, ImportJobItem
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


def test_uploading_a_file_queues_a_job(editor_client):
    data = to_ris([ReferenceFactory.build(pk=1, doi="10.1000/from-file")]).encode()
    upload = SimpleUploadedFile(
        "refs.ris", data, content_type="application/x-research-info-systems"
    )

    response = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert (job.kind, job.file_format, job.filename) == ("file", "ris", "refs.ris")
    assert response.json()["items"][0]["value"] == "doi:10.1000/from-file"


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
    job = ImportJob.objects.create(kind=ImportJob.Kind.IDENTIFIERS)
    payload = {"identifiers": ["10.1000/abc"]}

    assert_error(anon.post("/api/v1/imports/", payload, format="json"), 401)
    assert_error(anon.get(f"/api/v1/imports/{job.pk}/"), 401)
    assert_error(reader_client.post("/api/v1/imports/", payload, format="json"), 403)
    assert_error(reader_client.get(f"/api/v1/imports/{job.pk}/"), 403)

    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_importjob"))
    viewer_client = type(anon)()
    viewer_client.force_authenticate(viewer)
    assert viewer_client.get(f"/api/v1/imports/{job.pk}/").status_code == 200
    assert_error(viewer_client.post("/api/v1/imports/", payload, format="json"), 403)
    assert ImportJob.objects.count() == 1


def test_unknown_job_is_404_and_the_job_list_is_not_offered(editor_client):
    assert_error(editor_client.get("/api/v1/imports/12345/"), 404, "not_found")
    assert_error(editor_client.get("/api/v1/imports/"), 405, "method_not_allowed")


def test_job_etag(editor_client, db):
    job = ImportJob.objects.create(kind=ImportJob.Kind.IDENTIFIERS, total=1)
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
