"""`load_demo` fills the triage queue from recorded PubMed records (evidence/demo/triage/),
offline, once: include, exclude, the review flag and the sign-off can be tried at once."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from evidence.editorial import review
from evidence.editorial.demo_triage import RECORD_FILES, TRIAGE_DIR
from evidence.editorial.triage import candidate_exclude, candidate_include
from evidence.models import Candidate, Verdict
from references.parsers.pubmed import parse_pubmed_xml
from references.services.upsert import raw_record

pytestmark = pytest.mark.django_db

CLOSED = "http://127.0.0.1:9/"


@pytest.fixture
def offline(settings):
    settings.PUBMED_BASE_URL = CLOSED
    settings.CROSSREF_BASE_URL = CLOSED


def _load(capsys) -> str:
    call_command("load_demo")
    return capsys.readouterr().out


def _recorded():
    return {
        record.pmid: record
        for name in RECORD_FILES
        for record in parse_pubmed_xml((TRIAGE_DIR / name).read_bytes()).records
    }


def test_load_demo_queues_the_recorded_records_for_the_ra_verdict(offline, capsys):
    out = _load(capsys)

    recorded = _recorded()
    verdict = Verdict.objects.get(therapy__slug="ivig", condition__slug="rheumatoid-arthritis")
    queue = Candidate.objects.filter(verdict=verdict, status=Candidate.Status.UNTRIAGED)
    assert "3 new candidate(s) in the triage queue" in out
    assert {c.reference.pmid for c in queue} == set(recorded) and len(recorded) == 3
    for candidate in queue:
        record, reference = recorded[candidate.reference.pmid], candidate.reference
        # What the admin shows is the record's, and the record itself is kept.
        assert (reference.title, reference.doi, reference.year) == (
            record.title,
            record.doi,
            record.year,
        )
        assert raw_record(reference, "pubmed")
    suggested = {c.reference.pmid: c.suggested_design for c in queue}
    assert suggested["28731372"] == "rct"


def test_a_second_load_changes_nothing_and_decisions_stand(offline, capsys):
    _load(capsys)
    first = Candidate.objects.get(reference__pmid="34843274")
    candidate_exclude(candidate=first, reason=Candidate.ExclusionReason.NOT_RELEVANT)
    rows = list(Candidate.objects.order_by("pk").values("pk", "status", "reference_id"))

    out = _load(capsys)

    assert "0 new candidate(s)" in out
    assert list(Candidate.objects.order_by("pk").values("pk", "status", "reference_id")) == rows


def test_the_triage_workflow_can_be_tried_at_once(offline, capsys, admin_client, admin_user):
    _load(capsys)
    verdict = Verdict.objects.get(therapy__slug="ivig", condition__slug="rheumatoid-arthritis")
    assert not verdict.needs_review
    queue = admin_client.get(
        reverse("admin:evidence_candidate_changelist"), {"status__exact": "untriaged"}
    )
    assert len(queue.context["cl"].result_list) == 3

    trial = Candidate.objects.get(reference__pmid="28731372")
    included = candidate_include(candidate=trial, user=admin_user)
    verdict.refresh_from_db()
    assert included.study is not None and included.study.design == "rct"
    assert verdict.needs_review

    review.verdict_sign_off(verdict=verdict, user=admin_user, note="Tried the demo.")
    verdict.refresh_from_db()
    assert not verdict.needs_review
    _load(capsys)
    assert Candidate.objects.get(pk=trial.pk).status == Candidate.Status.INCLUDED
