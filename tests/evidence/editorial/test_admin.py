"""The editorial workflow in the admin: index links and counts, the "Needs review" queue,
the verdict page (overview, sign-off), the triage page, and review flags from admin edits."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.editorial import triage
from evidence.models import Candidate, GuidelinePosition, Study, Verdict
from references.models import Reference, RetractionStatus
from tests.factories import ReferenceFactory, TherapyFactory, VerdictFactory
from tests.support.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db

# session, user, the user's permissions (2), condition and therapy filter choices, counts
# (filtered and total), the page with its untriaged counts annotated, the editor's scope
# (evidence.permissions)
VERDICT_CHANGELIST_QUERIES = 10
# session, user, permissions (2), the verdict filter's choices (one query), counts, the
# page, the editor's scope
CANDIDATE_CHANGELIST_QUERIES = 9


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def queued(fake_pubmed, ra_verdict):
    triage.saved_searches_run()
    return {c.reference.pmid: c for c in Candidate.objects.select_related("reference")}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_index_links_triage_review_and_import_with_counts(as_editor, queued):
    Verdict.objects.filter(condition__slug="lupus-nephritis").update(needs_review=True)

    page = as_editor.get(reverse("admin:index"))

    html = page.content.decode()
    assert f'href="{reverse("admin:references_importjob_add")}"' in html
    assert "?status__exact=untriaged" in html
    assert f'href="{reverse("admin:evidence_verdict_needs_review")}"' in html
    text = _text(page)
    assert "Triage 5 untriaged candidates" in text
    assert "Needs review 1 verdict" in text
    assert "Import citations" in text


def test_the_needs_review_queue_is_sorted_by_urgency(as_editor, demo):
    today = timezone.localdate()
    never = VerdictFactory(reviewed_on=None)
    long_overdue = VerdictFactory(reviewed_on=today - datetime.timedelta(days=500))
    overdue = VerdictFactory(reviewed_on=today - datetime.timedelta(days=380))
    reasons = [{"code": "manual", "message": f"Reason {i}", "at": "2026-01-01"} for i in range(3)]
    many = VerdictFactory(needs_review=True, review_reasons=reasons, reviewed_on=today)
    one = VerdictFactory(needs_review=True, review_reasons=reasons[:1], reviewed_on=today)

    page = as_editor.get(reverse("admin:evidence_verdict_needs_review"))

    assert page.status_code == 200
    rows = [row.verdict for row in page.context["rows"]]
    assert rows == [never, long_overdue, overdue, many, one]
    text = _text(page)
    assert "overdue by" in text and "Reason 2" in text


def test_the_verdict_page_shows_what_it_rests_on_and_its_history(as_editor, ra_verdict):
    Reference.objects.filter(doi="10.1136/ard.54.5.382").update(
        retraction_status=RetractionStatus.RETRACTED
    )

    page = as_editor.get(reverse("admin:evidence_verdict_change", args=[ra_verdict.pk]))

    assert page.status_code == 200
    overview = page.context["overview"]
    assert len(overview.studies) == Study.objects.filter(verdict=ra_verdict).count() == 6
    assert [r.doi for r in overview.flagged_references] == ["10.1136/ard.54.5.382"]
    html = page.content.decode()
    assert 'class="retraction-badge"' in html and "Retracted" in html
    assert "Guideline positions (" in html
    assert "Background references (4)" in html
    assert "Recent changes" in html and "Verdict published" in html
    assert reverse("admin:evidence_verdict_history", args=[ra_verdict.pk]) in html
    assert "Last reviewed" in html


def test_a_reviewer_signs_off_from_the_verdict_page(as_reviewer, reviewer, ra_verdict):
    Verdict.objects.filter(pk=ra_verdict.pk).update(
        needs_review=True,
        review_reasons=[{"code": "manual", "message": "Please check", "at": "2026-11-20"}],
        reviewed_on=datetime.date(2025, 1, 1),
    )

    response = as_reviewer.post(
        reverse("admin:evidence_verdict_sign_off", args=[ra_verdict.pk]),
        {"note": "Re-read all six studies."},
        follow=True,
    )

    assert response.status_code == 200
    ra_verdict.refresh_from_db()
    assert not ra_verdict.needs_review and ra_verdict.review_reasons == []
    assert ra_verdict.reviewed_on == timezone.localdate()
    assert ra_verdict.review_note == "Re-read all six studies."
    assert "signed off" in response.content.decode()


def test_sign_off_and_request_review_as_bulk_actions(as_reviewer, demo):
    verdicts = list(Verdict.objects.all())
    changelist = reverse("admin:evidence_verdict_changelist")

    as_reviewer.post(
        changelist,
        {"action": "request_review_selected", "_selected_action": [v.pk for v in verdicts]},
    )
    assert Verdict.objects.filter(needs_review=True).count() == len(verdicts)

    as_reviewer.post(
        changelist, {"action": "sign_off_selected", "_selected_action": [v.pk for v in verdicts]}
    )
    assert not Verdict.objects.filter(needs_review=True).exists()


def test_review_fields_cannot_be_edited_in_the_form(as_editor, ra_verdict):
    url = reverse("admin:evidence_verdict_change", args=[ra_verdict.pk])
    Verdict.objects.filter(pk=ra_verdict.pk).update(needs_review=True)
    data = admin_form_data(as_editor.get(url))
    assert not {"needs_review", "reviewed_on", "review_reasons"} & set(data)

    as_editor.post(url, {**data, "needs_review": "", "reviewed_on": "2030-01-01"})

    ra_verdict.refresh_from_db()
    assert ra_verdict.needs_review and ra_verdict.reviewed_on == datetime.date(2026, 11, 21)


def test_the_verdict_list_shows_review_state_and_untriaged_counts(
    as_editor, queued, ra_verdict, django_assert_max_num_queries
):
    other = TherapyFactory()
    for i in range(30):
        VerdictFactory(therapy=other, condition__slug=f"bulk-{i}", reviewed_on=None)
    url = reverse("admin:evidence_verdict_changelist")

    with django_assert_max_num_queries(VERDICT_CHANGELIST_QUERIES):
        page = as_editor.get(url)

    html = page.content.decode()
    assert re.search(rf'verdict__id__exact={ra_verdict.pk}">5</a>', html)
    assert "Overdue" in html
    for query in ("needs_review__exact=1", "status__exact=investigational", "certainty__exact=low"):
        assert as_editor.get(f"{url}?{query}").status_code == 200
    assert as_editor.get(f"{url}?condition__id__exact={ra_verdict.condition_id}").status_code == 200
    assert as_editor.get(f"{url}?therapy__id__exact={ra_verdict.therapy_id}").status_code == 200


def test_the_triage_page_filters_by_verdict_and_status(
    as_editor, queued, ra_verdict, django_assert_max_num_queries
):
    url = reverse("admin:evidence_candidate_changelist")
    for verdict in Verdict.objects.exclude(pk=ra_verdict.pk):
        for _ in range(20):
            Candidate.objects.create(verdict=verdict, reference=ReferenceFactory())

    with django_assert_max_num_queries(CANDIDATE_CHANGELIST_QUERIES):
        page = as_editor.get(f"{url}?verdict__id__exact={ra_verdict.pk}&status__exact=untriaged")

    assert page.status_code == 200
    assert page.context["cl"].result_count == 5
    html = page.content.decode()
    assert html.count(">Include</button>") == 5
    assert "Exploring the effect of vitamin D3" in html
    excluded = as_editor.get(f"{url}?status__exact=excluded")
    assert excluded.context["cl"].result_count == 0


def test_one_click_include_and_exclude_from_the_triage_page(as_editor, queued, ra_verdict):
    back = reverse("admin:evidence_candidate_changelist") + "?status__exact=untriaged"
    rct, other = queued["28731372"], queued["9997"]

    response = as_editor.post(
        reverse("admin:evidence_candidate_include", args=[rct.pk]),
        {"candidate": rct.pk},
        HTTP_REFERER=f"http://testserver{back}",
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{back}"
    rct.refresh_from_db()
    assert rct.status == "included" and rct.study.design == "rct"
    ra_verdict.refresh_from_db()
    assert ra_verdict.needs_review

    as_editor.post(
        reverse("admin:evidence_candidate_exclude", args=[other.pk]),
        {"candidate": other.pk, f"reason_{other.pk}": "wrong_population"},
    )
    other.refresh_from_db()
    assert (other.status, other.exclusion_reason) == ("excluded", "wrong_population")


def test_include_without_a_design_says_why(as_editor, queued):
    candidate = queued["9997"]
    response = as_editor.post(
        reverse("admin:evidence_candidate_include", args=[candidate.pk]), follow=True
    )
    assert "Choose the study" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == "untriaged"


def test_bulk_actions_on_the_triage_page(as_editor, queued):
    url = reverse("admin:evidence_candidate_changelist")
    ids = [c.pk for c in queued.values()]

    response = as_editor.post(
        url, {"action": "include_selected", "_selected_action": ids}, follow=True
    )
    assert "4 candidate(s) included." in response.content.decode()
    assert "Not included" in response.content.decode()
    as_editor.post(url, {"action": "exclude_not_relevant", "_selected_action": ids})

    statuses = dict(Candidate.objects.values_list("reference__pmid", "status"))
    assert statuses.pop("9997") == "excluded"
    assert set(statuses.values()) == {"included"}


def test_the_candidate_page_shows_the_record_and_decides(as_editor, queued):
    candidate = queued["27797938"]
    url = reverse("admin:evidence_candidate_change", args=[candidate.pk])

    page = as_editor.get(url)

    html = page.content.decode()
    assert "Observational Study" in html and "Leucocyte telomere length" in html
    assert "Include as a study" in html and "Exclude" in html
    as_editor.post(
        reverse("admin:evidence_candidate_include", args=[candidate.pk]),
        {"design": "case_control", "next": url},
    )
    candidate.refresh_from_db()
    assert candidate.study.design == "case_control"


def test_adding_a_study_in_the_admin_flags_the_verdict(as_editor, ra_verdict):
    url = reverse("admin:evidence_study_add")
    response = as_editor.post(
        url,
        {
            "reference": ReferenceFactory().pk,
            "therapy": ra_verdict.therapy_id,
            "condition": ra_verdict.condition_id,
            "design": "rct",
            "species": "human",
            "outcome_summary": "Less pain.",
            "direction": "benefit",
            "risk_of_bias": "unclear",
            "extraction_source": "abstract",
        },
    )

    assert response.status_code == 302
    ra_verdict.refresh_from_db()
    assert [r["code"] for r in ra_verdict.review_reasons] == ["new_study"]


def test_changing_a_guideline_position_in_the_admin_flags_the_verdict(as_editor, ra_verdict):
    position = GuidelinePosition.objects.filter(condition=ra_verdict.condition).first()
    url = reverse("admin:evidence_guidelineposition_change", args=[position.pk])
    data = admin_form_data(as_editor.get(url))

    as_editor.post(url, {**data, "summary": "Reworded only."})
    ra_verdict.refresh_from_db()
    assert not ra_verdict.needs_review

    as_editor.post(url, {**data, "position": "recommended"})
    ra_verdict.refresh_from_db()
    assert [r["code"] for r in ra_verdict.review_reasons] == ["guideline_changed"]
    assert "to Recommended" in ra_verdict.review_reasons[0]["message"]


def test_run_saved_searches_from_the_admin(
    as_editor, fake_pubmed, ra_search, ra_verdict, django_capture_on_commit_callbacks
):
    url = reverse("admin:evidence_savedsearch_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(
            url, {"action": "run_selected", "_selected_action": [ra_search.pk]}, follow=True
        )

    assert "queued to run" in response.content.decode()
    assert Candidate.objects.filter(verdict=ra_verdict).count() == 5


def test_adding_a_study_inline_on_the_verdict_page_flags_the_verdict(as_editor, ra_verdict):
    url = reverse("admin:evidence_verdict_change", args=[ra_verdict.pk])
    page = as_editor.get(url)
    data = admin_form_data(page)
    (studies,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Study
    ]
    prefix, index = studies.prefix, studies.total_form_count()
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"{prefix}-{index}-reference": str(ReferenceFactory().pk),
            f"{prefix}-{index}-design": "cohort",
            f"{prefix}-{index}-species": "human",
            f"{prefix}-{index}-outcome_summary": "Fewer flares.",
            f"{prefix}-{index}-direction": "benefit",
            f"{prefix}-{index}-risk_of_bias": "unclear",
            f"{prefix}-{index}-extraction_source": "abstract",
        }
    )

    response = as_editor.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    ra_verdict.refresh_from_db()
    assert Study.objects.filter(verdict=ra_verdict).count() == 7
    assert [r["code"] for r in ra_verdict.review_reasons] == ["new_study"]
