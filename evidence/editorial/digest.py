"""The reviewers' daily digest: verdicts newly needing review and new candidates per pair.

"Newly" means since the last digest: each run records what needed review at that moment
(DigestLog.review_state) and reports only the verdict reasons not in the previous record,
and the candidates found since the previous run. Nothing is sent when there is nothing
new; the run is logged all the same. Recipients are the active members of the Reviewer
group who have an e-mail address; each gets a message of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from evidence.models import Candidate, DigestLog, Verdict

from .roles import REVIEWER
from .rules import reason_key


@dataclass(frozen=True)
class DigestVerdict:
    verdict: Verdict
    new_reasons: list[dict]
    admin_url: str


@dataclass(frozen=True)
class DigestPair:
    verdict: Verdict
    new_candidates: int
    untriaged: int
    triage_url: str


@dataclass(frozen=True)
class Digest:
    since: datetime | None
    verdicts: list[DigestVerdict]
    pairs: list[DigestPair]
    review_state: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.verdicts and not self.pairs

    @property
    def new_candidate_count(self) -> int:
        return sum(pair.new_candidates for pair in self.pairs)


def _state_key(verdict_id: int, reason) -> str:
    code, message = reason_key(reason)
    return f"{verdict_id}|{code}|{message}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def review_digest_build(*, last: DigestLog | None) -> Digest:
    """What a digest sent now would say, given the previous run (None: the first)."""
    seen = set(last.review_state) if last else set()
    state: list[str] = []
    verdicts: list[DigestVerdict] = []
    flagged = Verdict.objects.filter(needs_review=True).select_related("therapy", "condition")
    for verdict in flagged.order_by("condition__name", "therapy__name", "pk"):
        new_reasons = []
        for reason in verdict.review_reasons:
            key = _state_key(verdict.pk, reason)
            state.append(key)
            if key not in seen:
                new_reasons.append(reason if isinstance(reason, dict) else {"message": reason})
        if new_reasons:
            url = _absolute(reverse("admin:evidence_verdict_change", args=[verdict.pk]))
            verdicts.append(DigestVerdict(verdict=verdict, new_reasons=new_reasons, admin_url=url))

    since = last.ran_at if last else None
    new_filter = Q(candidates__found_at__gt=since) if since else Q(candidates__isnull=False)
    pairs = []
    with_new = (
        Verdict.objects.annotate(
            new_candidates=Count("candidates", filter=new_filter),
            untriaged=Count("candidates", filter=Q(candidates__status=Candidate.Status.UNTRIAGED)),
        )
        .filter(new_candidates__gt=0)
        .select_related("therapy", "condition")
        .order_by("condition__name", "therapy__name", "pk")
    )
    changelist = reverse("admin:evidence_candidate_changelist")
    for verdict in with_new:
        url = _absolute(f"{changelist}?verdict__id__exact={verdict.pk}&status__exact=untriaged")
        pairs.append(
            DigestPair(
                verdict=verdict,
                new_candidates=verdict.new_candidates,
                untriaged=verdict.untriaged,
                triage_url=url,
            )
        )
    return Digest(since=since, verdicts=verdicts, pairs=pairs, review_state=state)


def reviewer_emails() -> list[str]:
    users = get_user_model().objects.filter(groups__name=REVIEWER, is_active=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


@transaction.atomic
def review_digest_send(*, now: datetime | None = None) -> DigestLog:
    """Send the digest if there is anything new, and log the run.

    The mail goes out inside the transaction that logs the run: if sending fails, the
    log is rolled back too and the next run reports the same news.
    """
    now = now or timezone.now()
    last = DigestLog.objects.select_for_update().order_by("-ran_at", "-id").first()
    digest = review_digest_build(last=last)
    recipients = reviewer_emails() if not digest.is_empty else []
    if recipients:
        subject, body = _render(digest)
        messages = [
            EmailMessage(subject=subject, body=body, to=[address]) for address in recipients
        ]
        with get_connection() as connection:
            connection.send_messages(messages)
    return DigestLog.objects.create(
        ran_at=now,
        recipients=len(recipients),
        verdict_count=len(digest.verdicts),
        candidate_count=digest.new_candidate_count,
        review_state=digest.review_state,
    )


def _render(digest: Digest) -> tuple[str, str]:
    parts = []
    if digest.verdicts:
        count = len(digest.verdicts)
        parts.append(f"{count} verdict{'s' if count != 1 else ''} to review")
    if digest.pairs:
        count = digest.new_candidate_count
        parts.append(f"{count} new candidate{'s' if count != 1 else ''}")
    subject = f"[Evidentia] Review digest: {', '.join(parts)}"
    body = render_to_string(
        "evidence/email/review_digest.txt",
        {
            "digest": digest,
            "needs_review_url": _absolute(reverse("admin:evidence_verdict_needs_review")),
        },
    )
    return subject, body
