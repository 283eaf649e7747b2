"""What the upload tests share: the files they send and how they judge the answers
(see test_uploads.py for what the product does with each kind of file)."""

from __future__ import annotations

import gzip
import io
import random
import re
import zipfile

from django.conf import settings
from django.urls import reverse

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_parse, import_job_run
from tests.support.fake_upstream import FIXTURES

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
    # The item names the file (raw) and says why, once: the job's error joins the two.
    assert (item.status, item.raw) == (ImportJobItem.Status.FAILED, job.filename)
    assert item.message and item.message in job.error
    assert not item.message.startswith(f"{job.filename}:")
    assert not Reference.objects.exists()
    return job.error


def assert_failed_in_admin(admin_client, response, *phrases: str) -> None:
    """assert_failed_by_worker for the admin, whose job page then shows the reason."""
    assert_failed_by_worker(response, *phrases)
    job = ImportJob.objects.get()
    html = admin_client.get(reverse("admin:references_importjob_change", args=[job.pk]))
    for phrase in phrases:
        assert phrase.replace("'", "&#x27;") in html.content.decode()
