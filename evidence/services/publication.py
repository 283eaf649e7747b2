"""Publishing a pair: a reviewer turns the pair's draft (its rows as they stand) into
the next numbered, dated and immutable version, with a note.

The content of a version is the verdict and everything its page shows, read in a fixed
number of queries; what changed against the version before is worked out once, here, by
evidence.publication.changes.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from config import page_cache

from .. import publication
from ..editorial.roles import PUBLISH_PERMISSION
from ..models import (
    PublishedStudy,
    PublishedVerdict,
    Study,
    Verdict,
    VerdictVersion,
)
from ..selectors.content import pair_content
from ..signals import version_published
from .verdicts import verdict_review_record


def can_publish(user, verdict: Verdict) -> bool:
    """May ``user`` publish ``verdict``'s draft? Reviewers of its condition may."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION, verdict))


@transaction.atomic
def verdict_publish(*, verdict: Verdict, user, note: str) -> VerdictVersion:
    """Publish the pair's draft as its next version, and sign its review off.

    PermissionDenied for anyone but a reviewer whose scope holds the verdict's condition;
    a ValidationError on ``note`` without one. The review reasons open at publication are
    kept on the version: the note says how they were handled.
    """
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if not can_publish(user, current):
        raise PermissionDenied("Only reviewers of the verdict's condition may publish it.")
    return _version_create(verdict=current, user=user, note=note)


@transaction.atomic
def verdict_publish_loaded(*, verdict: Verdict, note: str) -> VerdictVersion | None:
    """The next version of a verdict written by a load (``load_demo``, a fixture),
    published by no one and signing no review off; None when the draft is what was last
    published, so that loading the same data again publishes nothing."""
    current = Verdict.objects.select_for_update().get(pk=verdict.pk)
    previous = current.versions.order_by("-number").first()
    if previous is not None and previous.content == _as_stored(pair_content(verdict=current)):
        return None
    return _version_create(verdict=current, user=None, note=note, sign_off=False)


def _as_stored(content: dict) -> dict:
    """Content as the JSON column gives it back, to compare with a stored version."""
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def verdicts_publish_existing(*, note: str) -> int:
    """Version 1 of every verdict that has none, as it stands (the migration that brought
    versions in, so that a running site's pages stay up). Tells no one. Returns how many."""
    published = 0
    for verdict in Verdict.objects.filter(versions__isnull=True).order_by("pk"):
        with transaction.atomic():
            _version_create(verdict=verdict, user=None, note=note, sign_off=False, announce=False)
        published += 1
    return published


def _version_create(
    *, verdict: Verdict, user, note: str, sign_off: bool = True, announce: bool = True
) -> VerdictVersion:
    current = verdict
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what this version changes and why."}, code="required")
    previous = current.versions.order_by("-number").first()
    content = pair_content(verdict=current)
    handled = list(current.review_reasons)
    if sign_off:
        # Before the version's date, so that the sign-off is part of what it publishes
        # (the history API shows readers the saves up to a publication).
        verdict_review_record(verdict=current, user=user, note=note)
    version = VerdictVersion.objects.create(
        verdict=current,
        number=(previous.number + 1) if previous else 1,
        published_at=timezone.now(),
        published_by=user,
        note=note,
        content=content,
        changes=publication.changes(previous.content if previous else None, content),
        handled_reasons=handled,
    )
    published_copy_replace(version=version)
    if announce:
        version_published.send(sender=VerdictVersion, version=version)
    return version


def _published_study_columns() -> list[str]:
    """PublishedStudy's columns that its draft Study holds too (all but the version and
    what the database computes)."""
    return [
        field.column
        for field in PublishedStudy._meta.concrete_fields
        if field.name != "version" and not field.generated
    ]


def published_copy_replace(*, version: VerdictVersion) -> None:
    """Make ``version`` what the public reads of its pair: the verdict's fields and lists
    from its content, and the pair's studies copied from the draft in one INSERT ... SELECT
    (as many as the pair holds, without loading them)."""
    verdict, content = version.verdict, version.content
    PublishedVerdict.objects.update_or_create(
        verdict=verdict,
        defaults={
            "version": version,
            "number": version.number,
            "published_at": version.published_at,
            **content["verdict"],
            "background": content["background"],
            "findings": content["findings"],
            "guideline_positions": content["guideline_positions"],
        },
    )
    pair = {"therapy_id": verdict.therapy_id, "condition_id": verdict.condition_id}
    PublishedStudy.objects.filter(**pair).delete()
    # A study moved here from another pair leaves that pair's published copy now: a study
    # is published in one pair at a time (its id is the copy's key).
    moved = PublishedStudy.objects.filter(pk__in=Study.objects.filter(**pair).values("pk"))
    if moved.delete()[0]:
        page_cache.invalidate_all()  # the pairs they left, whichever they were
    columns = _published_study_columns()
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    source = ", ".join(
        "%s" if column == "verdict_id" else connection.ops.quote_name(column) for column in columns
    )
    # Identifiers come from the models' own metadata, values are parameters.
    sql = (
        f"INSERT INTO {PublishedStudy._meta.db_table} ({names}, version_id) "  # noqa: S608
        f"SELECT {source}, %s FROM {Study._meta.db_table} "
        "WHERE therapy_id = %s AND condition_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [verdict.pk, version.pk, verdict.therapy_id, verdict.condition_id])
