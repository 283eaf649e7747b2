"""What a refresh writes: nothing for a record that did not change (recognised by the digest
of its raw record, never by compressing it again), the changed fields, raw record and
history for one that did, retractions as before; citations of large batches formatted after
the job; fetching ahead of writing without losing an outage's guarantees."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from references.models import ImportJob, ImportJobItem, Reference, ReferenceSourceRecord
from references.services import upsert
from references.services.bulk import rows_update
from references.services.formatting import references_format_pending
from references.services.jobs import (
    import_job_create_for_identifiers,
    import_job_run,
    refresh_job_create,
)
from references.sources.http import UpstreamUnavailable
from references.tasks import format_citations
from tests.support.fake_upstream import (
    FIXTURES,
    RecordedUpstream,
    load_crossref_works,
    load_pubmed_articles,
    status_fault,
)

pytestmark = pytest.mark.django_db

EFETCH = FIXTURES / "pubmed" / "efetch"
WAKEFIELD_DOI = "10.1016/s0140-6736(97)11096-0"
IDENTIFIERS = ["35649368", WAKEFIELD_DOI, "28731372"]
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"([^"]+)"', re.IGNORECASE)


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream(
        load_pubmed_articles(*sorted(EFETCH.glob("*.xml")), EFETCH / "baseline-30-articles.xml.gz"),
        load_crossref_works(*sorted((FIXTURES / "crossref" / "works").glob("*.json"))),
    )
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


def _import(identifiers) -> ImportJob:
    return import_job_run(job_id=import_job_create_for_identifiers(identifiers=identifiers)[0].pk)


def _refresh(references) -> tuple[ImportJob, list[dict]]:
    job = refresh_job_create(reference_ids=[r.pk for r in references])
    with CaptureQueriesContext(connection) as queries:
        job = import_job_run(job_id=job.pk)
    return job, queries.captured_queries


def _writes(queries) -> Counter[str]:
    found = Counter[str]()
    for query in queries:
        if match := WRITE.match(query["sql"]):
            found[f"{match.group(1).split()[0].upper()} {match.group(2)}"] += 1
    return found


def test_import_stores_the_digest_of_each_raw_record(recorded):
    _import(IDENTIFIERS)

    records = ReferenceSourceRecord.objects.all()
    assert {r.source for r in records} == {"pubmed", "crossref"}
    for record in records:
        raw = gzip.decompress(bytes(record.raw_gzip))
        assert record.raw_digest == hashlib.sha256(raw).hexdigest()


def test_refreshing_unchanged_records_writes_only_the_items_and_the_refresh_time(recorded):
    _import(IDENTIFIERS)
    references = list(Reference.objects.order_by("pk"))
    history = Reference.history.count()
    raw_before = list(ReferenceSourceRecord.objects.order_by("pk").values())
    fields_before = list(Reference.objects.order_by("pk").values_list("title", "formatted_key"))

    job, queries = _refresh(references)

    assert job.unchanged_count == 3 and job.updated_count == job.created_count == 0
    # One statement per table: the items, the job's counters (and its status at the end),
    # one stamp of the references' refresh time; no history, raw record or notice written.
    assert _writes(queries) == {
        "UPDATE references_importjobitem": 1,
        "UPDATE references_importjob": 3,
        "UPDATE references_reference": 1,
    }
    assert len(queries) == 19  # 6 of them savepoints
    assert Reference.history.count() == history
    assert list(ReferenceSourceRecord.objects.order_by("pk").values()) == raw_before
    assert (
        list(Reference.objects.order_by("pk").values_list("title", "formatted_key"))
        == fields_before
    )
    assert all(r.last_refreshed for r in Reference.objects.all())


def test_a_changed_record_is_written_with_its_raw_record_history_and_citation(recorded):
    _import(["28731372"])
    reference = Reference.objects.get(pmid="28731372")
    old_digest = reference.source_records.get(source="pubmed").raw_digest
    old_key = reference.formatted_key
    history = reference.history.count()
    old_title = reference.title
    recorded.articles["28731372"] = recorded.articles["28731372"].replace(
        old_title[:20].encode(), b"Revised: " + old_title[:20].encode(), 1
    )

    job, queries = _refresh([reference])

    reference.refresh_from_db()
    assert job.updated_count == 1
    assert reference.title.startswith("Revised: ")
    stored = reference.source_records.get(source="pubmed")
    assert stored.raw_digest != old_digest
    assert b"Revised: " in gzip.decompress(bytes(stored.raw_gzip))
    assert reference.history.count() == history + 1
    latest = reference.history.latest("history_id")
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        None,
        None,
    )
    for field in Reference.history.model.tracked_fields:
        assert getattr(latest, field.attname) == getattr(reference, field.attname), field.name
    assert reference.formatted_key != old_key and "Revised: " in reference.formatted["apa"]
    writes = _writes(queries)
    assert writes["UPDATE references_reference"] == 1
    assert writes["UPDATE references_referencesourcerecord"] == 1  # the Crossref one unchanged
    assert writes["INSERT references_historicalreference"] == 1


def test_a_retraction_found_by_a_refresh_flags_the_reference(recorded):
    work = recorded.works[WAKEFIELD_DOI]
    recorded.works[WAKEFIELD_DOI] = {k: v for k, v in work.items() if k != "updated-by"}
    _import([WAKEFIELD_DOI])
    reference = Reference.objects.get(doi=WAKEFIELD_DOI)
    reference.notices.filter(type="retraction").delete()
    Reference.objects.filter(pk=reference.pk).update(retraction_status="none")
    recorded.works[WAKEFIELD_DOI] = work

    job, _ = _refresh([reference])

    reference.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert reference.retraction_status == "retracted"
    assert reference.notices.filter(type="retraction").count() == 1


def test_a_large_batch_leaves_its_citations_to_the_formatting_task(recorded, monkeypatch):
    monkeypatch.setattr(upsert, "FORMAT_INLINE_MAX", 2)
    _import(IDENTIFIERS)
    assert set(Reference.objects.values_list("formatted_key", flat=True)) == {""}
    assert all(not r.formatted for r in Reference.objects.all())

    assert format_citations() == 3

    for reference in Reference.objects.all():
        assert reference.formatted_key and reference.title.split()[0] in reference.formatted["apa"]
    assert references_format_pending() == 0


def test_a_small_batch_formats_its_citations_itself(recorded, monkeypatch):
    monkeypatch.setattr(upsert, "FORMAT_INLINE_MAX", 3)
    _import(IDENTIFIERS)

    assert "" not in set(Reference.objects.values_list("formatted_key", flat=True))
    assert references_format_pending() == 0


def test_an_outage_in_a_later_chunk_keeps_the_earlier_ones_and_writes_nothing_after(
    recorded, settings
):
    settings.PUBMED_BATCH_SIZE = 10
    settings.UPSTREAM_MAX_ATTEMPTS = 1
    pmids = sorted(recorded.articles)[:30]
    _import(pmids)
    Reference.objects.update(last_refreshed=None)
    references = list(Reference.objects.filter(pmid__in=pmids).order_by("pk"))
    calls = {"efetch": 0}

    def second_efetch_fails(request):
        if "efetch" not in request.path:
            return None
        calls["efetch"] += 1
        return status_fault(503)(request) if calls["efetch"] == 2 else None

    recorded.faults.append(second_efetch_fails)
    job = refresh_job_create(reference_ids=[r.pk for r in references])

    with pytest.raises(UpstreamUnavailable):
        import_job_run(job_id=job.pk)

    items = ImportJobItem.objects.filter(job=job)
    assert items.filter(status=ImportJobItem.Status.UNCHANGED).count() == 10
    assert items.filter(status=ImportJobItem.Status.PENDING).count() == 20
    assert Reference.objects.filter(last_refreshed__isnull=False).count() == 10


def test_rows_update_writes_the_given_fields_of_the_given_rows_only(db):
    first, second, third = (
        Reference.objects.create(title=f"Title {i}", year=2000 + i) for i in range(3)
    )
    first.title, first.authors, first.year = "New first", [{"family": "Ng"}], None
    second.title, second.journal = "New second", "Not written"

    assert rows_update([first, second], ["title", "authors", "year"]) == 2

    rows = {r.pk: r for r in Reference.objects.all()}
    assert (rows[first.pk].title, rows[first.pk].authors, rows[first.pk].year) == (
        "New first",
        [{"family": "Ng"}],
        None,
    )
    assert (rows[second.pk].title, rows[second.pk].journal) == ("New second", "")
    assert rows[third.pk].title == "Title 2"


def test_a_management_command_formats_what_its_large_job_left(recorded, monkeypatch):
    import io

    from references.management.progress import run_job_with_progress

    monkeypatch.setattr(upsert, "FORMAT_INLINE_MAX", 2)
    job = import_job_create_for_identifiers(identifiers=IDENTIFIERS)[0]
    run_job_with_progress(job, stdout=io.StringIO(), stderr=io.StringIO())

    assert Reference.objects.count() == 3
    assert "" not in set(Reference.objects.values_list("formatted_key", flat=True))
    assert references_format_pending() == 0
