"""Importing and refreshing citations end to end against a fake upstream on 127.0.0.1."""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from werkzeug import Response

from references.models import ImportJob, ImportJobItem, Reference, ReferenceNotice
from references.services.jobs import (
    import_job_create_for_file,
    import_job_create_for_identifiers,
    import_job_run,
    refresh_job_create,
)
from references.sources.http import UpstreamUnavailable
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


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream(
        load_pubmed_articles(*sorted(EFETCH.glob("*.xml")), EFETCH / "baseline-30-articles.xml.gz"),
        load_crossref_works(*sorted((FIXTURES / "crossref" / "works").glob("*.json"))),
    )
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


def _run(job):
    return import_job_run(job_id=job.pk)


def _write_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "references_importjob" not in q["sql"]
    ]


def test_import_by_pmid_creates_a_complete_reference(recorded):
    job, errors = import_job_create_for_identifiers(identifiers=["PMID: 35649368"])
    job = _run(job)

    assert errors == []
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_count == 1
    reference = Reference.objects.get(pmid="35649368")
    assert reference.title
    assert reference.authors and reference.authors[0].get("family")
    assert reference.journal and reference.year
    assert reference.sources["title"] == "pubmed"
    assert reference.retraction_status == "corrected"
    assert reference.notices.filter(type="correction", source="pubmed").exists()
    assert reference.source_records.filter(source="pubmed").exists()
    assert reference.last_refreshed is not None


def test_import_by_doi_merges_crossref_and_records_a_retraction(recorded):
    job, _ = import_job_create_for_identifiers(identifiers=[f"https://doi.org/{WAKEFIELD_DOI}"])
    job = _run(job)

    assert job.status == ImportJob.Status.SUCCEEDED
    reference = Reference.objects.get(doi=WAKEFIELD_DOI)
    assert reference.retraction_status == "retracted"
    retraction = reference.notices.get(type="retraction")
    assert retraction.doi == "10.1016/s0140-6736(10)60175-4"
    assert retraction.source == "retraction-watch"
    assert str(retraction.date) == "2010-02-06"
    assert reference.notices.filter(type="correction").exists()
    assert reference.sources["title"] == "crossref"


def test_the_same_import_twice_changes_and_writes_nothing(recorded):
    identifiers = ["35649368", WAKEFIELD_DOI, "28731372"]
    _run(import_job_create_for_identifiers(identifiers=identifiers)[0])
    history = Reference.history.count()
    snapshot = list(Reference.objects.order_by("pk").values())

    job, _ = import_job_create_for_identifiers(identifiers=identifiers)
    with CaptureQueriesContext(connection) as queries:
        job = _run(job)

    assert job.unchanged_count == 3 and job.created_count == job.updated_count == 0
    assert [q for q in _write_queries(queries) if "importjobitem" not in q] == []
    assert Reference.history.count() == history
    assert list(Reference.objects.order_by("pk").values()) == snapshot


def test_pasted_text_picks_out_identifiers_and_reports_bad_lines(recorded):
    text = "PMID: 28731372\nnot-an-identifier\n10.1016/S0140-6736(97)11096-0.\n"
    job, errors = import_job_create_for_identifiers(text=text)
    job = _run(job)

    assert [e.line for e in errors] == [2]
    assert "not-an-identifier" in errors[0].raw
    assert job.status == ImportJob.Status.PARTIAL
    failed = job.items.get(status=ImportJobItem.Status.FAILED)
    assert failed.line == 2 and failed.message
    assert Reference.objects.filter(pmid="28731372").exists()
    assert Reference.objects.filter(doi=WAKEFIELD_DOI).exists()


def test_unknown_doi_is_an_answer_not_a_fault(recorded):
    job, _ = import_job_create_for_identifiers(identifiers=["10.9999/does-not-exist"])
    job = _run(job)

    assert job.status == ImportJob.Status.FAILED
    assert "Not found" in job.items.get().message
    assert Reference.objects.count() == 0


def test_locked_fields_survive_a_refresh(recorded):
    _run(import_job_create_for_identifiers(identifiers=["28731372"])[0])
    reference = Reference.objects.get(pmid="28731372")
    reference.title = "Editor's corrected title"
    reference.locked_fields = ["title"]
    reference.save()

    _run(refresh_job_create(reference_ids=[reference.pk]))

    reference.refresh_from_db()
    assert reference.title == "Editor's corrected title"
    assert reference.journal  # other fields still refreshed


def test_a_notice_is_not_lost_when_a_later_answer_omits_it(recorded):
    _run(import_job_create_for_identifiers(identifiers=[WAKEFIELD_DOI])[0])
    message = recorded.works[WAKEFIELD_DOI]
    recorded.works[WAKEFIELD_DOI] = {k: v for k, v in message.items() if k != "updated-by"}
    reference = Reference.objects.get(doi=WAKEFIELD_DOI)

    job = _run(refresh_job_create(reference_ids=[reference.pk]))

    reference.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert reference.retraction_status == "retracted"
    assert reference.notices.filter(type="retraction").count() == 1


def test_a_retraction_notice_in_a_batch_amends_the_retracted_article(recorded):
    _run(import_job_create_for_identifiers(identifiers=["993"])[0])

    reference = Reference.objects.get(pmid="993")
    assert reference.retraction_status == "retracted"
    assert ReferenceNotice.objects.filter(reference=reference, type="retraction").exists()


def test_refresh_counts_requests_per_batch(recorded, settings):
    settings.PUBMED_BATCH_SIZE = 10
    pmids = sorted(recorded.articles)[:25]
    _run(import_job_create_for_identifiers(identifiers=pmids)[0])
    recorded.requests.clear()
    ids = list(Reference.objects.filter(pmid__in=pmids).values_list("pk", flat=True))

    job = _run(refresh_job_create(reference_ids=ids))

    assert job.processed == 25
    assert recorded.requests["efetch.fcgi"] == 3
    assert recorded.requests["esearch.fcgi"] == 0
    assert Reference.objects.filter(pk__in=ids, last_refreshed__isnull=False).count() == 25


def test_queries_per_batch_do_not_grow_with_its_size(recorded, settings):
    # Both batches hold an erratum and a retraction, so they take the same code paths.
    amended = ["35649368", "993"]
    pmids = amended + sorted(set(recorded.articles) - set(amended))

    def queries_for(chunk):
        Reference.objects.all().delete()
        job, _ = import_job_create_for_identifiers(identifiers=chunk)
        with CaptureQueriesContext(connection) as captured:
            _run(job)
        return len(captured)

    assert queries_for(pmids[:5]) == queries_for(pmids[:30])


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (status_fault(500, path="efetch"), "500"),
        (status_fault(429, headers={"Retry-After": "1"}, path="efetch"), "429"),
        (status_fault(503, path="works"), "503"),
    ],
)
def test_upstream_outage_writes_nothing_and_the_job_says_why(recorded, settings, fault, reason):
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    recorded.faults.append(fault)
    job, _ = import_job_create_for_identifiers(identifiers=["28731372"])

    with pytest.raises(UpstreamUnavailable):
        _run(job)

    job.refresh_from_db()
    assert Reference.objects.count() == 0
    assert job.status == ImportJob.Status.RUNNING
    assert reason in job.error
    assert job.items.get().status == ImportJobItem.Status.PENDING


def test_a_retried_outage_then_succeeds(recorded):
    recorded.faults.append(status_fault(500, path="efetch"))
    recorded.faults.append(status_fault(429, headers={"Retry-After": "0"}, path="efetch"))

    job = _run(import_job_create_for_identifiers(identifiers=["28731372"])[0])

    assert job.status == ImportJob.Status.SUCCEEDED
    assert recorded.requests["efetch.fcgi"] == 3


def test_a_timeout_leaves_data_unchanged(recorded, settings):
    settings.UPSTREAM_TIMEOUT_SECONDS = 0.2
    settings.UPSTREAM_MAX_ATTEMPTS = 2

    def slow(request):
        if "efetch" not in request.path:
            return None
        time.sleep(0.6)
        return Response("<PubmedArticleSet/>", content_type="text/xml")

    recorded.faults += [slow, slow]
    job, _ = import_job_create_for_identifiers(identifiers=["28731372"])

    with pytest.raises(UpstreamUnavailable):
        _run(job)

    assert Reference.objects.count() == 0
    job.refresh_from_db()
    assert "Waiting to retry" in job.error


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>2873',
        b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>",
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b"<PubmedArticleSet><PubmedArticle>&lol3;</PubmedArticle></PubmedArticleSet>"
        ),
    ],
    ids=["truncated-xml", "html-error-page", "xml-bomb"],
)
def test_garbage_from_pubmed_fails_the_item_with_a_reason(recorded, body):
    def garbage(request):
        return Response(body, content_type="text/xml") if "efetch" in request.path else None

    recorded.faults += [garbage, garbage]  # the client retries a bad body once
    job = _run(import_job_create_for_identifiers(identifiers=["28731372"])[0])

    item = job.items.get()
    assert item.status == ImportJobItem.Status.FAILED
    assert "PubMed" in item.message
    assert Reference.objects.count() == 0


def test_file_import_keeps_good_records_and_reports_bad_ones_by_line(recorded):
    ris = (
        b"TY  - JOUR\nTI  - A good record\nDO  - 10.5555/good.1\nPY  - 2020\nER  - \n\n"
        b"TY  - JOUR\nDO  - not a doi\nER  - \n\n"
        b"TY  - JOUR\nTI  - Another good one\nPY  - 2019\nER  - \n"
    )
    job = import_job_create_for_file(data=ris, filename="library.ris")
    job = _run(job)

    assert job.status == ImportJob.Status.PARTIAL
    failed = job.items.get(status=ImportJobItem.Status.FAILED)
    assert failed.line == 7
    assert failed.message
    assert set(Reference.objects.values_list("title", flat=True)) == {
        "A good record",
        "Another good one",
    }
    assert Reference.objects.get(doi="10.5555/good.1").sources["title"] == "file"


def test_import_citations_command_prints_a_summary(recorded, capsys):
    call_command("import_citations", "--pmid", "28731372", "--doi", WAKEFIELD_DOI)

    out = capsys.readouterr().out
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in out
    assert Reference.objects.count() == 2


def test_import_citations_command_rejects_a_malformed_identifier(recorded):
    with pytest.raises(CommandError, match="failed"):
        call_command("import_citations", "--pmid", "12ab")

    assert Reference.objects.count() == 0


def test_refresh_citations_command_refreshes_stale_references(recorded, capsys):
    _run(import_job_create_for_identifiers(identifiers=["28731372"])[0])
    Reference.objects.update(last_refreshed=None)

    call_command("refresh_citations", "--stale", "7")

    assert "0 failed" in capsys.readouterr().out
    assert Reference.objects.get().last_refreshed is not None


def test_a_pubmed_xml_file_with_records_on_one_line_imports_each_record(recorded):
    body = b"".join(recorded.articles[p].replace(b"\n", b" ") for p in ("28731372", "993"))
    data = b'<?xml version="1.0"?><PubmedArticleSet>' + body + b"</PubmedArticleSet>"

    job = _run(import_job_create_for_file(data=data, filename="export.xml"))

    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_count == 2
    assert set(Reference.objects.values_list("pmid", flat=True)) == {"28731372", "993"}
