"""Importing a file while PubMed or Crossref cannot be reached (issue 15, item 4), the
warnings of records kept (item 6) and how each failed record is reported (item 7)."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import (
    import_job_create_for_file,
    import_job_create_for_identifiers,
    import_job_run,
    references_stale_ids,
    refresh_job_create,
)
from references.sources.http import UpstreamUnavailable
from tests.references.interop.offline import switch_upstream_off
from tests.support.fake_upstream import (
    FIXTURES,
    RecordedUpstream,
    load_crossref_works,
    load_pubmed_articles,
    status_fault,
)

pytestmark = pytest.mark.django_db

WAKEFIELD_DOI = "10.1016/s0140-6736(97)11096-0"
EFETCH = FIXTURES / "pubmed" / "efetch"
RIS = (
    b"TY  - JOUR\nTI  - Title as the file has it\nAU  - Smith, J\nPY  - 2017\n"
    b"AN  - 28731372\nDB  - PubMed\nER  - \n\n"
    b"TY  - JOUR\nTI  - Ileal-lymphoid-nodular hyperplasia, as exported\nAU  - Wakefield, A\n"
    b"PY  - 1998\nDO  - " + WAKEFIELD_DOI.encode() + b"\nER  - \n\n"
    b"TY  - JOUR\nTI  - A record without identifiers\nAU  - Jones, K\nPY  - 2020\nER  - \n"
)


@pytest.fixture
def upstream_off(settings, ratelimit_prefix):
    switch_upstream_off(settings, ratelimit_prefix=ratelimit_prefix)
    return settings


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream(
        load_pubmed_articles(*sorted(EFETCH.glob("*.xml"))),
        load_crossref_works(*sorted((FIXTURES / "crossref" / "works").glob("*.json"))),
    )
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    upstream_settings.UPSTREAM_MAX_ATTEMPTS = 1
    return fake


def _import_file(data: bytes, filename: str = "library.ris") -> ImportJob:
    job = import_job_create_for_file(data=data, filename=filename)
    return import_job_run(job_id=job.pk)


def _item(job: ImportJob, line: int) -> ImportJobItem:
    return job.items.get(line=line)


def test_records_with_identifiers_are_stored_from_the_file_when_upstream_is_down(upstream_off):
    job = _import_file(RIS)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_count == 3 and job.failed_count == 0
    by_pmid = Reference.objects.get(pmid="28731372")
    by_doi = Reference.objects.get(doi=WAKEFIELD_DOI)
    plain = Reference.objects.get(title="A record without identifiers")
    assert by_pmid.title == "Title as the file has it" and by_pmid.sources["title"] == "file"
    assert by_pmid.needs_enrichment and by_doi.needs_enrichment
    assert not plain.needs_enrichment
    assert _item(job, 1).message == (
        "stored from the file; enrichment from PubMed pending (PubMed could not be reached)"
    )
    assert _item(job, 9).message == (
        "stored from the file; enrichment from Crossref pending (Crossref could not be reached)"
    )
    assert _item(job, 16).message == ""


def test_an_outage_of_one_upstream_names_only_that_one(recorded):
    recorded.faults += [status_fault(503, path="pubmed") for _ in range(3)]

    job = _import_file(RIS)

    pmid_item, doi_item = _item(job, 1), _item(job, 9)
    assert pmid_item.message == (
        "stored from the file; enrichment from PubMed pending (PubMed answered with HTTP 503)"
    )
    assert doi_item.message == ""  # Crossref answered for the DOI
    assert Reference.objects.get(pmid="28731372").needs_enrichment
    enriched = Reference.objects.get(doi=WAKEFIELD_DOI)
    assert not enriched.needs_enrichment
    assert enriched.sources["title"] == "crossref"


def test_an_identifier_import_still_fails_when_upstream_is_down(upstream_off):
    job, _ = import_job_create_for_identifiers(identifiers=["28731372", WAKEFIELD_DOI])

    with pytest.raises(UpstreamUnavailable):
        import_job_run(job_id=job.pk)

    assert Reference.objects.count() == 0
    assert job.items.filter(status=ImportJobItem.Status.PENDING).count() == 2


def test_the_next_refresh_enriches_what_waits_first_and_upstream_fields_win(recorded, settings):
    online = (settings.PUBMED_BASE_URL, settings.CROSSREF_BASE_URL)
    switch_upstream_off(settings, ratelimit_prefix=settings.UPSTREAM_RATELIMIT_PREFIX)
    _import_file(RIS)
    settings.PUBMED_BASE_URL, settings.CROSSREF_BASE_URL = online
    waiting = set(Reference.objects.filter(needs_enrichment=True).values_list("pk", flat=True))
    assert len(waiting) == 2

    # Stored a moment ago, so not stale: picked up because they wait, and first.
    stale = references_stale_ids(days=30)
    assert set(stale[:2]) == waiting and len(stale) == 2
    job = import_job_run(job_id=refresh_job_create(reference_ids=stale).pk)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert not Reference.objects.filter(needs_enrichment=True).exists()
    by_pmid = Reference.objects.get(pmid="28731372")
    assert by_pmid.title.startswith("Exploring the effect of vitamin D")
    assert by_pmid.sources["title"] == "pubmed"
    assert Reference.objects.get(doi=WAKEFIELD_DOI).sources["title"] == "crossref"
    assert references_stale_ids(days=30) == []


def test_reimporting_the_file_offline_changes_nothing(upstream_off):
    _import_file(RIS)
    snapshot = list(Reference.objects.order_by("pk").values())

    again = _import_file(RIS)

    assert again.created_count == 0 and again.unchanged_count == 3
    assert list(Reference.objects.order_by("pk").values()) == snapshot


def test_a_kept_record_reports_its_warning(upstream_off):
    ris = (
        b"TY  - BOOK\nTI  - De humani corporis fabrica\nAU  - Vesalius, Andreas\n"
        b"PY  - 1543\nER  - \n"
    )

    job = _import_file(ris)

    item = job.items.get()
    assert item.status == ImportJobItem.Status.CREATED
    assert "1543" in item.message
    assert Reference.objects.get().year is None


def test_a_failed_record_is_reported_once_with_its_line_title_and_reason(upstream_off):
    ris = (
        b"TY  - JOUR\nTI  - A good record of the same file\nPY  - 2020\nER  - \n\n"
        b"TY  - JOUR\nTI  - Effect of IVIG on pain in small fibre neuropathy\nAU  - Smith, J\n"
        b"DO  - 10.x\nER  - \n"
    )

    job = _import_file(ris)

    failed = job.items.get(status=ImportJobItem.Status.FAILED)
    assert failed.line == 6
    assert failed.summary.startswith(
        'line 6 ("Effect of IVIG on pain in small fibre neuropathy"): not a DOI'
    )
    assert "line 6" not in failed.message and "line" not in failed.raw


def test_a_file_that_fails_whole_names_the_file_once(upstream_off):
    job = _import_file(b"just some text", "notes.ris")

    item = job.items.get()
    assert job.status == ImportJob.Status.FAILED
    assert item.summary.count("notes.ris") == 1
    assert job.error.startswith("notes.ris: ")


def test_the_import_command_prints_each_failure_once(upstream_off, tmp_path, capsys):
    path = tmp_path / "library.ris"
    path.write_bytes(
        b"TY  - JOUR\nTI  - Effect of IVIG on pain\nAU  - Smith, J\nDO  - 10.x\nER  - \n"
    )

    with pytest.raises(CommandError):
        call_command("import_citations", "--file", str(path), "--pmid", "12ab")

    err = capsys.readouterr().err
    assert err.count("not a DOI") == 1
    assert [line for line in err.splitlines() if "12ab" in line] == [
        "line 1 (pmid:12ab): not a PMID: 'pmid:12ab' (expected 1 to 10 digits)"
    ]
    assert "line 1: line 1" not in err
    assert 'line 1 ("Effect of IVIG on pain"): not a DOI' in err
