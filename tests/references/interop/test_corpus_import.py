"""Every corpus file (tests/fixtures/interop) imported through the real import job with
PubMed and Crossref switched off: every record is stored, once, and importing the file
again creates nothing (issue 15, items 4 and 5).

The files are whatever the corpus holds when the tests are collected; each is one test.
"""

from __future__ import annotations

import pytest

from references import parsers
from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_create_for_file, import_job_run
from tests.references.interop.corpus import CorpusFile, corpus_files
from tests.references.interop.offline import distinct_works, switch_upstream_off

pytestmark = pytest.mark.django_db

CORPUS = corpus_files()


@pytest.fixture
def upstream_off(settings, ratelimit_prefix):
    switch_upstream_off(settings, ratelimit_prefix=ratelimit_prefix)
    return settings


def _import(corpus_file: CorpusFile) -> ImportJob:
    job = import_job_create_for_file(
        data=corpus_file.path.read_bytes(), filename=corpus_file.path.name
    )
    return import_job_run(job_id=job.pk)


def _failures(job: ImportJob) -> str:
    failed = job.items.filter(status=ImportJobItem.Status.FAILED).order_by("position")
    return "\n".join(item.summary for item in failed[:20])


@pytest.mark.parametrize("corpus_file", CORPUS, ids=[f.id for f in CORPUS])
def test_every_record_is_stored_once_with_the_upstream_off(corpus_file, upstream_off):
    parsed = parsers.parse_file(corpus_file.path.read_bytes(), filename=corpus_file.path.name)
    works = distinct_works(corpus_file.records, parsed.records)

    job = _import(corpus_file)

    assert job.is_finished, job.error
    assert job.created_count == works, (
        f"{corpus_file.id}: {job.created_count} references created for {works} distinct "
        f"works among {len(corpus_file.records)} expected records\n{_failures(job)}"
    )
    assert Reference.objects.count() == works
    identified = Reference.objects.exclude(doi=None, pmid=None, pmcid=None)
    assert not identified.filter(needs_enrichment=False).exists(), (
        "a record with an identifier stored from the file is not marked for enrichment"
    )

    again = _import(corpus_file)

    assert again.created_count == 0, f"{corpus_file.id}: re-import created references"
    assert Reference.objects.count() == works
    assert again.failed_count == job.failed_count
