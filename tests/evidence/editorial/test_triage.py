"""Living evidence: saved searches run against a fake PubMed (real HTTP on 127.0.0.1,
recorded efetch answers) fill the triage queue; editors include or exclude."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from evidence.editorial import triage
from evidence.editorial.rules import PUBLICATION_TYPE_DESIGNS
from evidence.models import Candidate, Design, Direction, SavedSearch, Study
from references.models import Reference
from tests.factories import ReferenceFactory, StudyFactory

from .conftest import RA_FOUND

pytestmark = pytest.mark.django_db


def _esearch_calls(upstream):
    return [call for call in upstream.calls if call.path.endswith("esearch.fcgi")]


def _efetch_ids(upstream):
    return [
        pmid
        for call in upstream.calls
        if call.path.endswith("efetch.fcgi")
        for pmid in call.params["id"].split(",")
    ]


def test_a_run_queues_each_new_record_once_with_its_suggested_design(
    fake_pubmed, upstream, ra_verdict, ra_search
):
    runs = triage.saved_searches_run()

    assert len(runs) == SavedSearch.objects.count() == 4
    ra_run = next(run for run in runs if run.saved_search_id == ra_search.pk)
    assert (ra_run.found, ra_run.fetched, ra_run.queued, ra_run.error) == (5, 5, 5, "")
    queued = {
        c.reference.pmid: c.suggested_design
        for c in Candidate.objects.filter(verdict=ra_verdict).select_related("reference")
    }
    assert queued == RA_FOUND
    assert set(Candidate.objects.values_list("status", flat=True)) == {"untriaged"}
    # The records became references, with their raw PubMed XML kept.
    rct = Reference.objects.get(pmid="28731372")
    assert "Randomized Controlled Trial" in rct.publication_types
    assert rct.source_records.filter(source="pubmed").exists()
    # The first run has no date limit; it is remembered for the next one.
    first = next(c for c in _esearch_calls(upstream) if c.params["term"] == ra_search.query)
    assert "mindate" not in first.params
    ra_search.refresh_from_db()
    assert ra_search.last_run_at is not None
    assert ra_search.last_run_found == 5


def test_a_second_run_queues_nothing_twice_and_searches_from_the_last_run(
    fake_pubmed, upstream, ra_verdict, ra_search
):
    triage.saved_searches_run()
    fetched_first = _efetch_ids(upstream)

    runs = triage.saved_searches_run()

    assert Candidate.objects.filter(verdict=ra_verdict).count() == 5
    assert sum(run.queued for run in runs) == 0
    # Records now stored are not fetched again.
    assert _efetch_ids(upstream) == fetched_first
    again = [c for c in _esearch_calls(upstream) if c.params["term"] == ra_search.query][-1]
    ra_search.refresh_from_db()
    assert again.params["mindate"] == f"{ra_search.last_run_at:%Y/%m/%d}"
    assert again.params["datetype"] == "edat"


def test_excluded_records_never_return(fake_pubmed, editor, ra_verdict):
    triage.saved_searches_run()
    candidate = Candidate.objects.get(verdict=ra_verdict, reference__pmid="9997")
    triage.candidate_exclude(
        candidate=candidate, reason=Candidate.ExclusionReason.NOT_RELEVANT, user=editor
    )

    triage.saved_searches_run()
    triage.saved_searches_run()

    assert Candidate.objects.filter(verdict=ra_verdict, reference__pmid="9997").count() == 1
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.EXCLUDED
    assert candidate.exclusion_reason == "not_relevant"
    assert candidate.decided_by == editor
    assert Candidate.objects.filter(status="untriaged").count() == 4


def test_records_already_cited_by_a_study_of_the_pair_are_not_queued(
    fake_pubmed, upstream, ra_verdict
):
    cited = ReferenceFactory(pmid="28731372", doi=None)
    StudyFactory(reference=cited, therapy=ra_verdict.therapy, condition=ra_verdict.condition)

    triage.saved_searches_run()

    queued = set(Candidate.objects.values_list("reference__pmid", flat=True))
    assert queued == set(RA_FOUND) - {"28731372"}
    assert "28731372" not in _efetch_ids(upstream)  # stored already: not fetched


def test_a_new_record_found_later_is_queued_alone(fake_pubmed, ra_verdict, ra_search):
    triage.saved_searches_run()
    fake_pubmed.searches[ra_search.query].append("28775130")

    runs = triage.saved_searches_run()

    assert sum(run.queued for run in runs) == 1
    assert Candidate.objects.filter(verdict=ra_verdict).count() == 6


def test_a_search_pubmed_rejects_is_recorded_and_the_others_still_run(
    fake_pubmed, ra_search, ra_verdict
):
    from werkzeug import Response

    def reject(request):
        term = request.args.get("term", "") + request.form.get("term", "")
        if request.path.endswith("esearch.fcgi") and "lupus nephritis" in term:
            body = '{"esearchresult": {"ERROR": "Invalid query"}}'
            return Response(body, status=200, content_type="application/json")
        return None

    # Each fault answers once; the client tries UPSTREAM_MAX_ATTEMPTS (3) times.
    fake_pubmed.faults.extend([reject] * 3)

    runs = triage.saved_searches_run()

    failed = [run for run in runs if run.error]
    assert len(failed) == 1 and "Invalid query" in failed[0].error
    search = SavedSearch.objects.get(pk=failed[0].saved_search_id)
    assert search.last_run_at is None and "Invalid query" in search.last_error
    assert Candidate.objects.filter(verdict=ra_verdict).count() == 5


def test_inactive_searches_are_not_run(fake_pubmed, upstream, ra_search):
    SavedSearch.objects.update(is_active=False)

    assert triage.saved_searches_run() == []
    assert not _esearch_calls(upstream)


def test_the_command_runs_every_search_once(fake_pubmed, ra_verdict, capsys):
    call_command("run_saved_searches")

    assert "4 saved searches run, 5 new candidates." in capsys.readouterr().out
    assert Candidate.objects.filter(verdict=ra_verdict).count() == 5


def test_the_periodic_task_calls_the_same_service(fake_pubmed, ra_verdict):
    from evidence.tasks import run_saved_searches

    result = run_saved_searches.apply().get()

    assert result == {"searches": 4, "queued": 5, "failed": 0}
    assert Candidate.objects.filter(verdict=ra_verdict).count() == 5


# --- include / exclude --------------------------------------------------------------------


@pytest.fixture
def queued(fake_pubmed, ra_verdict):
    triage.saved_searches_run()
    return {c.reference.pmid: c for c in Candidate.objects.select_related("reference")}


def test_including_makes_a_study_of_the_pair_and_flags_the_verdict(queued, editor, ra_verdict):
    studies_before = Study.objects.filter(verdict=ra_verdict).count()

    candidate = triage.candidate_include(candidate=queued["28731372"], user=editor)

    study = candidate.study
    assert candidate.status == Candidate.Status.INCLUDED and candidate.decided_by == editor
    assert study.verdict == ra_verdict
    assert (study.therapy, study.condition) == (ra_verdict.therapy, ra_verdict.condition)
    assert study.design == Design.RCT
    assert study.direction == Direction.UNCLEAR
    assert study.reference.pmid == "28731372"
    assert Study.objects.filter(verdict=ra_verdict).count() == studies_before + 1
    ra_verdict.refresh_from_db()
    assert ra_verdict.needs_review
    (reason,) = ra_verdict.review_reasons
    assert reason["code"] == "new_study"
    assert "Exploring the effect of vitamin D3" in reason["message"]


def test_including_twice_changes_nothing(queued, editor):
    first = triage.candidate_include(candidate=queued["28731372"], user=editor)
    again = triage.candidate_include(candidate=queued["28731372"], user=editor)

    assert again.study_id == first.study_id
    assert Study.objects.filter(reference__pmid="28731372").count() == 1


def test_a_record_without_a_suggested_design_needs_one(queued, editor):
    with pytest.raises(ValidationError) as error:
        triage.candidate_include(candidate=queued["9997"], user=editor)
    assert "design" in error.value.message_dict

    candidate = triage.candidate_include(
        candidate=queued["9997"], user=editor, design=Design.COHORT
    )
    assert candidate.study.design == Design.COHORT


def test_a_decision_is_not_silently_reversed(queued, editor):
    triage.candidate_exclude(candidate=queued["9997"], reason="wrong_design", user=editor)
    with pytest.raises(triage.CandidateAlreadyDecided):
        triage.candidate_include(candidate=queued["9997"], user=editor, design="rct")

    triage.candidate_include(candidate=queued["28731372"], user=editor)
    with pytest.raises(triage.CandidateAlreadyDecided):
        triage.candidate_exclude(candidate=queued["28731372"], reason="other", user=editor)


def test_an_unknown_exclusion_reason_is_refused(queued, editor):
    with pytest.raises(ValidationError):
        triage.candidate_exclude(candidate=queued["9997"], reason="boring", user=editor)


def test_bulk_include_skips_what_it_cannot_include(queued, editor):
    outcome = triage.candidates_include(candidates=list(queued.values()), user=editor)

    assert len(outcome.done) == 4
    assert [c.reference.pmid for c, _ in outcome.skipped] == ["9997"]
    assert Candidate.objects.filter(status="included").count() == 4


def test_bulk_exclude(queued, editor):
    outcome = triage.candidates_exclude(
        candidates=list(queued.values()), reason="duplicate", user=editor
    )

    assert len(outcome.done) == 5
    assert set(Candidate.objects.values_list("exclusion_reason", flat=True)) == {"duplicate"}


def test_every_mapped_publication_type_names_a_design():
    assert {design for _, design in PUBLICATION_TYPE_DESIGNS} <= set(Design.values)
