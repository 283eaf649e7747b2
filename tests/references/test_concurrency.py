"""Concurrent writers against real PostgreSQL: the same new work, the same job, at once.

Each thread has its own database connection (Django's are per thread) and closes it when
done. ``transactional_db``: every write is committed, so each thread sees the others'.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from references.models import ImportJob, ImportJobItem, Reference, ReferenceSourceRecord
from references.parsers.records import Author, BibRecord
from references.services.jobs import import_job_create_for_identifiers, import_job_run
from references.services.upsert import references_upsert
from tests.support.fake_upstream import FIXTURES, RecordedUpstream, load_pubmed_articles

pytestmark = [pytest.mark.postgres]

ROUNDS = 10
BATCH = 50
JOIN_TIMEOUT = 60.0


def _in_threads(target: Callable[[int], Any], *, parties: int = 2) -> list[Any]:
    """Run ``target(i)`` in ``parties`` threads released together; return their results.

    An exception in a thread is returned as its result, so the caller can assert on it.
    """
    barrier = threading.Barrier(parties, timeout=JOIN_TIMEOUT)
    results: list[Any] = [None] * parties

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        except BaseException as exc:  # reported to the test thread, which asserts on it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {JOIN_TIMEOUT}s: {stuck}"
    return results


def _record(doi: str, pmid: str) -> BibRecord:
    return BibRecord(
        source="crossref",
        doi=doi,
        pmid=pmid,
        title=f"A race for {doi}",
        authors=[Author(family="Racer", given="Ada", initials="A")],
        journal="Journal of Concurrent Results",
        year=2024,
        raw=b'{"DOI": "' + doi.encode() + b'"}',
    )


def test_two_concurrent_upserts_of_the_same_new_work_leave_one_reference(transactional_db, caplog):
    caplog.set_level(logging.INFO, logger="references.services.upsert")
    for round_ in range(ROUNDS):
        doi, pmid = f"10.5555/race.{round_}", str(90_000_000 + round_)

        results = _in_threads(
            lambda _i, doi=doi, pmid=pmid: references_upsert(records=[_record(doi, pmid)])
        )

        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors == [], f"round {round_}: {errors!r}"
        assert Reference.objects.filter(doi=doi).count() == 1
        reference = Reference.objects.get(doi=doi)
        assert reference.pmid == pmid and reference.title == f"A race for {doi}"
        assert ReferenceSourceRecord.objects.filter(reference=reference).count() == 1
        assert reference.history.filter(history_type="+").count() == 1
        assert sorted(r.outcomes[0] for r in results) == ["created", "unchanged"]
        assert all(r.references[0].pk == reference.pk for r in results)
    assert Reference.objects.count() == ROUNDS
    # The race was run, not dodged: some loser's insert hit the constraint and was redone.
    assert "conflicted with a concurrent writer" in caplog.text


def test_two_concurrent_upserts_of_overlapping_batches_in_opposite_orders(transactional_db):
    """Two imports that share new works, listed in opposite orders, must not deadlock."""
    for round_ in range(ROUNDS):
        records = [
            _record(f"10.5555/cross.{round_}.{i}", f"91{round_:02d}{i:04d}") for i in range(BATCH)
        ]

        results = _in_threads(
            lambda i, records=records: references_upsert(
                records=records if i == 0 else list(reversed(records))
            )
        )

        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors == [], f"round {round_}: {errors!r}"
        for record in records:
            assert Reference.objects.filter(doi=record.doi).count() == 1
    assert Reference.objects.count() == BATCH * ROUNDS


@pytest.fixture
def baseline():
    return RecordedUpstream(
        load_pubmed_articles(FIXTURES / "pubmed" / "efetch" / "baseline-30-articles.xml.gz")
    )


def test_the_same_job_run_twice_at_once_does_its_work_once(
    transactional_db, upstream, upstream_settings, baseline
):
    """As when a task is redelivered while its first delivery still runs: each item is
    resolved by one run, the counts add up and the job finishes. (Both runs used to resolve
    the same items, double-count them and crash on import_job_progress_bounded.)"""
    upstream_settings.PUBMED_BATCH_SIZE = 10
    pmids = sorted(baseline.articles)
    job, _ = import_job_create_for_identifiers(identifiers=pmids)
    # Hold the first efetch of each run until both runs have one in flight: both have then
    # read the same pending items and fetched the same chunk, so their writes collide.
    # (Held here, outside RecordedUpstream, whose faults run under its lock.)
    both_fetching = threading.Barrier(2, timeout=JOIN_TIMEOUT)
    held = Counter[str]()
    lock = threading.Lock()

    def hold_first_efetches(request):
        if "efetch" in request.path:
            with lock:
                held["efetch"] += 1
                first = held["efetch"] <= 2
            if first:
                both_fetching.wait()
        return baseline(request)

    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), hold_first_efetches)

    results = _in_threads(lambda _i: import_job_run(job_id=job.pk))

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, (job.status, job.error)
    assert job.processed == job.total == len(pmids)
    assert job.created_count == len(pmids)
    assert job.updated_count == job.unchanged_count == job.failed_count == 0
    assert not job.items.exclude(status=ImportJobItem.Status.CREATED).exists()
    assert Reference.objects.count() == len(pmids)
    assert Counter(Reference.objects.values_list("pmid", flat=True)) == Counter(pmids)
    assert not Reference.objects.filter(source_records__isnull=True).exists()
