"""Evidence's reactions to events of the layers below it, and to writes that change pages.

Retractions put verdicts up for review. Every change of a reference refreshes the copies
of its year, title and status on the studies citing it. Every write that changes what a page or the
summary API shows replaces the page cache's tokens (config.page_cache) of what it touches:

- a condition or therapy (names appear on many pages), or a user's groups (the history
  shows editors' roles): everything;
- a publication (evidence.signals.version_published): its condition (and that
  condition's parent, which lists its sub-conditions' verdicts), its therapy, and the home
  page's matrix. The verdict, its studies, findings, guideline positions and background
  sources are the pair's draft, which the public does not read, so their edits replace
  nothing; only a verdict's review state (needs review, reviewed on), which pages show
  live, and a deleted verdict do;
- a regulatory status: its condition and therapy, before and after a move to another pair;
- a therapy's safety facts: the therapy (its pair pages carry the therapy's token);
- a reference (saved, or changed in bulk by references_upsert): every condition and
  therapy whose pages cite it.

A pair page carries its condition's and its therapy's tokens, so these cover it.
Writes that send no signal (bulk_create, QuerySet.update) call config.page_cache directly.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from config import page_cache as cache
from references.citations import citations_changed
from references.models import Reference
from references.signals import references_amended
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
    Therapy,
)
from therapies.services import safety_references_changed

from . import services, tasks
from .models import (
    Condition,
    GuidelinePosition,
    PublishedStudy,
    Study,
    Verdict,
    VerdictReference,
)
from .signals import version_published


@receiver(references_amended, dispatch_uid="evidence.flag_verdicts_for_amended_references")
def flag_verdicts_for_amended_references(sender, reference_ids, **kwargs):
    services.verdicts_flag_amended_references(reference_ids=reference_ids)


# --- Study's copies of its reference (Study.reference_year ...) ----------------------------


@receiver(pre_save, sender=Study, dispatch_uid="evidence.study_reference_copies")
def _copy_reference_to_study(sender, instance, raw=False, **kwargs):
    # The services set the copies themselves; this catches every other ORM save of a
    # study (admin inlines, factories, scripts), so no path can leave them stale. Fixture
    # loads (raw) carry their own values.
    if not raw:
        services.study_copy_reference(study=instance)


@receiver(citations_changed, dispatch_uid="evidence.study_copies.citations_changed")
@receiver(references_amended, dispatch_uid="evidence.study_copies.references_amended")
def _refresh_study_copies(sender, reference_ids, **kwargs):
    services.study_reference_copies_refresh(reference_ids=reference_ids)


@receiver(post_save, sender=Reference, dispatch_uid="evidence.study_copies.reference_saved")
def _reference_saved(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:
        services.study_reference_copies_refresh(reference_ids=[instance.pk])


# --- Page cache ---------------------------------------------------------------------------


def _invalidate_pairs(
    *,
    pairs: Iterable[tuple[int | None, int | None]] = (),
    therapy_ids: Iterable[int] = (),
    condition_ids: Iterable[int] = (),
    home: bool = False,
) -> None:
    pairs = list(pairs)
    therapies = {t for t, _ in pairs if t} | set(therapy_ids)
    conditions = {c for _, c in pairs if c} | set(condition_ids)
    scopes = [cache.HOME] if home else []
    if therapies:
        slugs = Therapy.objects.filter(pk__in=therapies).values_list("slug", flat=True)
        scopes += [cache.therapy_scope(slug) for slug in slugs]
    if conditions:
        for slug, parent_slug in Condition.objects.filter(pk__in=conditions).values_list(
            "slug", "parent__slug"
        ):
            scopes.append(cache.condition_scope(slug))
            if parent_slug:
                scopes.append(cache.condition_scope(parent_slug))
    cache.invalidate(scopes)


# Models with a therapy and / or a condition; a save may move them to another pair.
_PAIRED = (RegulatoryStatus, Verdict)
# The verdict's fields that pages show live, not as published.
_LIVE_VERDICT_FIELDS = frozenset(
    {"needs_review", "review_reasons", "reviewed_on", "reviewed_by", "review_interval_months"}
)


def _draft_only(sender, kwargs) -> bool:
    """A verdict's save that touches only its draft (no review state, not a delete)."""
    if sender is not Verdict or kwargs.get("signal") is post_delete:
        return False
    fields = kwargs.get("update_fields")
    return kwargs.get("created", False) or not fields or not (_LIVE_VERDICT_FIELDS & set(fields))


_THERAPY_FACTS = (AdverseEffect, Contraindication, Formulation)


def _pair_of(instance: Model) -> tuple[int | None, int | None]:
    return getattr(instance, "therapy_id", None), getattr(instance, "condition_id", None)


def _remember_pair(sender, instance, **kwargs):
    if instance.pk is None:
        return
    fields = [name for name in ("therapy_id", "condition_id") if hasattr(instance, name)]
    instance._cached_pair_before = (
        sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def _model_changed(sender, instance, **kwargs):
    if sender in (Condition, Therapy):
        cache.invalidate_all()
    elif _draft_only(sender, kwargs):
        return
    elif sender in _PAIRED or sender in _THERAPY_FACTS:
        pairs = [_pair_of(instance)]
        before = getattr(instance, "_cached_pair_before", None)
        if before:
            pairs.append(before if len(before) == 2 else (before[0], None))
        _invalidate_pairs(pairs=pairs, home=sender is Verdict)
    elif sender is AdverseEffectReference:
        _invalidate_pairs(
            therapy_ids=AdverseEffect.objects.filter(pk=instance.adverse_effect_id).values_list(
                "therapy_id", flat=True
            )
        )
    elif sender is ContraindicationReference:
        _invalidate_pairs(
            therapy_ids=Contraindication.objects.filter(
                pk=instance.contraindication_id
            ).values_list("therapy_id", flat=True)
        )
    elif sender is Reference:
        invalidate_references(reference_ids=[instance.pk])


# Connected per model: a receiver for every sender would also turn off Django's fast
# delete for every model in the project.
for _model in (*_PAIRED, *_THERAPY_FACTS):
    pre_save.connect(_remember_pair, sender=_model, dispatch_uid=f"evidence.cache.pre.{_model}")
for _model in (
    Condition,
    Therapy,
    *_PAIRED,
    *_THERAPY_FACTS,
    AdverseEffectReference,
    ContraindicationReference,
    Reference,
):
    post_save.connect(_model_changed, sender=_model, dispatch_uid=f"evidence.cache.save.{_model}")
    post_delete.connect(
        _model_changed, sender=_model, dispatch_uid=f"evidence.cache.delete.{_model}"
    )


def invalidate_references(*, reference_ids: Iterable[int]) -> None:
    """Every page citing these references: through studies, guideline positions, background
    sources, safety facts or a condition's prevalence. Eight queries at most."""
    ids = list(reference_ids)
    if not ids:
        return
    pairs: set[tuple[int, int]] = set()
    for model in (PublishedStudy, GuidelinePosition):
        pairs.update(
            model.objects.filter(reference_id__in=ids)
            .values_list("therapy_id", "condition_id")
            .distinct()
        )
    pairs.update(
        VerdictReference.objects.filter(reference_id__in=ids)
        .values_list("verdict__therapy_id", "verdict__condition_id")
        .distinct()
    )
    therapy_ids: set[int] = set()
    for model in (AdverseEffect, Contraindication):
        therapy_ids.update(
            model.objects.filter(references__in=ids).values_list("therapy_id", flat=True)
        )
    condition_ids = Condition.objects.filter(prevalence_reference_id__in=ids).values_list(
        "pk", flat=True
    )
    _invalidate_pairs(pairs=pairs, therapy_ids=therapy_ids, condition_ids=condition_ids)


@receiver(citations_changed, dispatch_uid="evidence.cache.citations_changed")
@receiver(references_amended, dispatch_uid="evidence.cache.references_amended")
def _references_changed(sender, reference_ids, **kwargs):
    invalidate_references(reference_ids=reference_ids)


@receiver(safety_references_changed, dispatch_uid="evidence.cache.safety_references")
def _safety_references_changed(sender, therapy_id, **kwargs):
    _invalidate_pairs(therapy_ids=[therapy_id])


def _links_changed(sender, instance, action, reverse, **kwargs):
    """Admin forms set many-to-many references with .set(): m2m_changed, no post_save."""
    if not action.startswith("post_"):
        return
    if reverse:
        invalidate_references(reference_ids=[instance.pk])
    elif isinstance(instance, Verdict):
        return  # background sources are the draft's
    else:
        _invalidate_pairs(therapy_ids=[instance.therapy_id])


for _model in (AdverseEffect, Contraindication, Verdict):
    m2m_changed.connect(
        _links_changed,
        sender=_model.references.through,
        dispatch_uid=f"evidence.cache.links.{_model}",
    )


@receiver(version_published, dispatch_uid="evidence.cache.version_published")
def _version_published(sender, version, **kwargs):
    _invalidate_pairs(pairs=[_pair_of(version.verdict)], home=True)


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="evidence.cache.roles")
def _roles_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        cache.invalidate_all()


@receiver(version_published, dispatch_uid="evidence.follows.version_published")
def _tell_followers(sender, version, **kwargs):
    # After the commit: a worker must find the version, and a rolled-back one tells no one.
    # Robust: a broker that cannot be reached is logged, and never undoes or fails the
    # publication, which has committed by then.
    transaction.on_commit(lambda: tasks.version_notify_followers.delay(version.pk), robust=True)
