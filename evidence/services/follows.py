"""Following pairs and conditions, and telling followers of a new published version.

A notice row is written (unique per person and version) before its email is sent, so a
worker that retries, or two workers given the same version, never send one twice; an
email whose sending fails is not sent again (at most once, as a reader would want of a
notice, rather than at least once).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Condition, Follow, Verdict, VerdictVersion, VersionNotice

# How far up the tree a condition's followers are looked for (a sub-condition's parent,
# its parent ...): conditions are nested a few levels deep, never more.
MAX_CONDITION_DEPTH = 8


def _signed_in(user) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to follow evidence.")


@transaction.atomic
def follow_set(
    *, user, verdict: Verdict | None = None, condition: Condition | None = None, following: bool
) -> bool:
    """Follow (or stop following) one pair or one condition. Returns whether the user now
    follows it. Idempotent: following twice keeps one follow."""
    _signed_in(user)
    target = {"verdict": verdict} if verdict is not None else {"condition": condition}
    if not following:
        Follow.objects.filter(user=user, **target).delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, **target)
    except IntegrityError:  # a concurrent request made the same follow
        pass
    return True


def _condition_ancestors(condition: Condition) -> list[int]:
    """The condition and the conditions above it. One query per level."""
    ids, parent_id = [condition.pk], condition.parent_id
    while parent_id is not None and len(ids) < MAX_CONDITION_DEPTH:
        ids.append(parent_id)
        parent_id = (
            Condition.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return ids


def version_followers(version: VerdictVersion) -> list:
    """Active users with an email who follow the version's pair, its condition or a
    condition above it."""
    verdict = version.verdict
    conditions = _condition_ancestors(verdict.condition)
    follows = Follow.objects.filter(Q(verdict=verdict) | Q(condition_id__in=conditions))
    return list(
        get_user_model()
        .objects.filter(pk__in=follows.values("user_id"), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _message(version: VerdictVersion, user) -> EmailMessage:
    verdict = version.verdict
    pair_url = reverse("evidence:pair-detail", args=[verdict.condition.slug, verdict.therapy.slug])
    versions_url = reverse(
        "evidence:pair-versions", args=[verdict.condition.slug, verdict.therapy.slug]
    )
    body = render_to_string(
        "evidence/email/version_published.txt",
        {
            "version": version,
            "verdict": verdict,
            "pair_url": _absolute(pair_url),
            "versions_url": _absolute(versions_url),
        },
    )
    subject = f"{verdict}: version {version.number} published"
    return EmailMessage(subject=subject, body=body, to=[user.email])


def version_notify_followers(*, version_id: int) -> int:
    """Email each follower of the version once. Returns how many were sent now."""
    version = (
        VerdictVersion.objects.select_related("verdict__therapy", "verdict__condition")
        .defer("content")
        .get(pk=version_id)
    )
    sent = 0
    with get_connection() as connection:
        for user in version_followers(version):
            try:
                with transaction.atomic():
                    VersionNotice.objects.create(user=user, version=version)
            except IntegrityError:  # told already, by this task's earlier try or another
                continue
            connection.send_messages([_message(version, user)])
            sent += 1
    return sent
