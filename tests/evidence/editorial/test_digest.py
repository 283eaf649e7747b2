"""The reviewers' daily digest: what newly needs review and the new candidates per pair,
and no mail at all when there is nothing new."""

import pytest
from django.core import mail

from evidence.editorial import review, triage
from evidence.editorial.digest import review_digest_send
from evidence.models import DigestLog, Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers(make_user, editor):
    from evidence.editorial.roles import REVIEWER

    return [
        make_user(REVIEWER, "rita", email="rita@example.org"),
        make_user(REVIEWER, "rob", email="rob@example.org"),
        make_user(REVIEWER, "no-mail", email=""),
        make_user(REVIEWER, "gone", email="gone@example.org", is_active=False),
    ]


def test_nothing_to_say_sends_nothing(demo, reviewers):
    log = review_digest_send()

    assert mail.outbox == []
    assert (log.recipients, log.verdict_count, log.candidate_count) == (0, 0, 0)


def test_the_digest_lists_new_flags_and_new_candidates_per_pair(
    fake_pubmed, reviewers, ra_verdict, settings
):
    settings.SITE_URL = "https://evidentia.example"
    lupus = Verdict.objects.get(condition__slug="lupus-nephritis")
    review.verdict_request_review(verdict=lupus, message="Check the 2024 cohort.")
    triage.saved_searches_run()

    log = review_digest_send()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "rita@example.org",
        "rob@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "[Evidentia] Review digest: 1 verdict to review, 5 new candidates"
    body = message.body
    assert "Intravenous immunoglobulin (IVIG) for Lupus nephritis" in body
    assert "Check the 2024 cohort." in body
    assert f"https://evidentia.example/admin/evidence/verdict/{lupus.pk}/change/" in body
    assert f"{ra_verdict}: 5 new (5 untriaged in all)" in body
    assert f"verdict__id__exact={ra_verdict.pk}" in body
    assert (log.recipients, log.verdict_count, log.candidate_count) == (2, 1, 5)


def test_the_next_digest_reports_only_what_is_new(fake_pubmed, reviewers, ra_verdict, editor):
    lupus = Verdict.objects.get(condition__slug="lupus-nephritis")
    review.verdict_request_review(verdict=lupus, message="Check the 2024 cohort.")
    triage.saved_searches_run()
    review_digest_send()
    mail.outbox.clear()

    review_digest_send()
    assert mail.outbox == []  # nothing new since

    candidate = ra_verdict.candidates.get(reference__pmid="28731372")
    triage.candidate_include(candidate=candidate, user=editor)
    log = review_digest_send()

    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert "for Rheumatoid arthritis" in body and "New study:" in body
    assert "Lupus nephritis" not in body  # still flagged, but reported already
    assert "New candidate studies" not in body
    assert (log.verdict_count, log.candidate_count) == (1, 0)
    assert DigestLog.objects.count() == 3


def test_a_reviewer_without_news_is_not_mailed_even_with_recipients(demo, reviewers):
    review_digest_send()
    review_digest_send()
    assert mail.outbox == []


def test_the_daily_task_sends_the_digest(demo, reviewers):
    from evidence.tasks import send_review_digest

    review.verdict_request_review(verdict=Verdict.objects.first())

    assert send_review_digest.apply().get() == {"recipients": 2, "verdicts": 1}
    assert len(mail.outbox) == 2
