"""Duplicates (issue 15, item 5): records without identifiers matched by fingerprint, the
likely-duplicates page, and merging two references with everything that cites them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from evidence.editorial.roles import EDITOR, VIEWER, roles_sync
from evidence.models import Candidate, Condition, GuidelinePosition, Study, VerdictReference
from references.fingerprints import fingerprint
from references.models import ImportJob, ImportJobItem, Reference, ReferenceNotice
from references.selectors import Reason, reference_duplicate_groups
from references.services.combine import reference_merge
from references.services.jobs import import_job_create_for_file, import_job_run
from tests.factories import (
    AdverseEffectReferenceFactory,
    ConditionFactory,
    ContraindicationReferenceFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    ReferenceNoticeFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)
from tests.references.interop.corpus import ROOT
from tests.references.interop.offline import switch_upstream_off
from therapies.models import AdverseEffectReference, ContraindicationReference

pytestmark = pytest.mark.django_db

SCHOLAR = ROOT / "handmade" / "google-scholar.bib"


@pytest.fixture
def upstream_off(settings, ratelimit_prefix):
    switch_upstream_off(settings, ratelimit_prefix=ratelimit_prefix)


def _import(data: bytes, filename: str) -> ImportJob:
    return import_job_run(job_id=import_job_create_for_file(data=data, filename=filename).pk)


# --- the fingerprint ----------------------------------------------------------------------


def test_a_fingerprint_ignores_case_accents_punctuation_and_spacing():
    one = fingerprint(
        title="Effect of IVIG on pain: a trial", year=2019, authors=[{"family": "Müller"}]
    )
    two = fingerprint(
        title="EFFECT of I.V.I.G. on  pain — a TRIAL.", year=2019, authors=[{"family": "Muller"}]
    )

    assert one == two
    assert one != fingerprint(
        title="Effect of IVIG on pain: a trial", year=2020, authors=[{"family": "Müller"}]
    )
    assert one != fingerprint(
        title="Effect of IVIG on pain: a trial", year=2019, authors=[{"family": "Smith"}]
    )
    assert fingerprint(title="...", year=2019, authors=[]) == ""


def test_every_saved_reference_carries_its_fingerprint():
    reference = ReferenceFactory(title="A title", year=2001)

    assert reference.fingerprint == reference.computed_fingerprint() != ""
    reference.title = "Another title"
    reference.save(update_fields=["title"])
    reference.refresh_from_db()
    assert reference.fingerprint == fingerprint(
        title="Another title", year=2001, authors=reference.authors
    )


def test_the_backfill_migration_fingerprints_stored_references():
    references = [ReferenceFactory(), ReferenceFactory(doi=None, pmid=None)]
    Reference.objects.update(fingerprint="")
    migration = importlib.import_module("references.migrations.0006_backfill_reference_fingerprint")

    migration.backfill(global_apps, None)

    for reference in references:
        stored = Reference.objects.get(pk=reference.pk)
        assert stored.fingerprint == reference.computed_fingerprint() != ""


# --- importing records without identifiers ------------------------------------------------


def test_a_record_without_identifiers_updates_the_reference_it_matches(upstream_off):
    stored = ReferenceFactory(
        doi=None,
        pmid=None,
        title="Effect of IVIG on pain in small-fibre neuropathy",
        authors=[{"family": "Smith", "given": "John"}],
        year=2019,
        volume="",
        sources={"title": "manual"},  # an editor's title
    )
    bib = (
        b"@article{smith2019, title={Effect of {IVIG} on Pain in Small Fibre Neuropathy.},"
        b" author={Smith, J. and Doe, Jane}, year={2019}, journal={J Pain}, volume={24}}"
    )

    job = _import(bib, "scholar.bib")

    assert job.created_count == 0 and job.updated_count == 1
    assert Reference.objects.get().pk == stored.pk
    stored.refresh_from_db()
    assert stored.volume == "24"  # an empty field filled; the editor's title kept
    assert stored.title == "Effect of IVIG on pain in small-fibre neuropathy"


def test_a_google_scholar_file_imported_twice_stores_each_work_once(upstream_off):
    data = SCHOLAR.read_bytes()

    first = _import(data, SCHOLAR.name)
    second = _import(data, SCHOLAR.name)

    assert first.created_count == 10 and first.updated_count == 1  # one work listed twice
    assert second.created_count == 0 and second.failed_count == 0
    assert Reference.objects.count() == 10
    repeated = first.items.get(status=ImportJobItem.Status.UPDATED)
    assert repeated.message.startswith("the same work as line 1")


# --- the likely-duplicates list -----------------------------------------------------------


def _group_of(reason: str, *references: Reference) -> bool:
    wanted = {r.pk for r in references}
    return any(
        g.reason == reason and {r.pk for r in g.references} == wanted
        for g in reference_duplicate_groups()
    )


def test_the_list_finds_each_kind_of_likely_duplicate(django_assert_max_num_queries):
    title = "Immunoglobulin in small fibre neuropathy: a randomised trial"
    a = ReferenceFactory(title=title, doi=None, pmid=None)
    b = ReferenceFactory(title=title.upper() + ".", pmid=None)
    preprint = ReferenceFactory(title="Another work entirely, as a preprint", year=2020)
    preprint.doi = "10.1101/2020.01.01.123456"
    preprint.save()
    published = ReferenceFactory(title="Another work entirely, as a preprint", year=2021)
    unrelated_authors = [{"family": "Other"}]
    titled = ReferenceFactory(title="Another work entirely, as a preprint", year=2023)
    titled.authors = unrelated_authors
    titled.save()
    canonical = ReferenceFactory(doi="10.5555/variant.1")
    variant = ReferenceFactory(doi=None)
    Reference.objects.filter(pk=variant.pk).update(doi="https://doi.org/10.5555/variant.1")
    ReferenceFactory.create_batch(5)

    with django_assert_max_num_queries(8):  # two per kind, whatever the rows
        groups = reference_duplicate_groups()

    assert len({g.key for g in groups}) == len(groups)
    assert _group_of(Reason.SAME_FINGERPRINT, a, b)
    assert _group_of(Reason.OTHER_YEAR, preprint, published)
    assert _group_of(Reason.PREPRINT_TITLE, preprint, published, titled)
    assert _group_of(Reason.DOI_VARIANT, canonical, variant)


# --- merging ------------------------------------------------------------------------------


@pytest.fixture
def citing_world():
    """A survivor and a duplicate, cited by a row of every model that can cite one; some of
    the duplicate's rows repeat the survivor's (the same verdict, study, safety fact)."""
    survivor = ReferenceFactory(doi=None, title="The trial", year=2020)
    duplicate = ReferenceFactory(pmid=None, title="The trial.", year=2020, abstract="Text.")
    verdict, other_verdict = VerdictFactory(), VerdictFactory()
    therapy, condition = TherapyFactory(), ConditionFactory()
    shared_effect = AdverseEffectReferenceFactory(reference=survivor).adverse_effect
    shared_contra = ContraindicationReferenceFactory(reference=survivor).contraindication
    VerdictReferenceFactory(verdict=verdict, reference=survivor)
    rows = {
        "kept_study": StudyFactory(reference=survivor, therapy=therapy, condition=condition),
        "moved_study": StudyFactory(reference=duplicate),
        "moved_verdict_ref": VerdictReferenceFactory(verdict=other_verdict, reference=duplicate),
        "dropped_verdict_ref": VerdictReferenceFactory(verdict=verdict, reference=duplicate),
        "guideline": GuidelinePositionFactory(reference=duplicate),
        "moved_effect": AdverseEffectReferenceFactory(reference=duplicate),
        "dropped_effect": AdverseEffectReferenceFactory(
            reference=duplicate, adverse_effect=shared_effect
        ),
        "moved_contra": ContraindicationReferenceFactory(reference=duplicate),
        "dropped_contra": ContraindicationReferenceFactory(
            reference=duplicate, contraindication=shared_contra
        ),
        "candidate": Candidate.objects.create(
            verdict=other_verdict, reference=duplicate, suggested_design="rct"
        ),
        "notice": ReferenceNoticeFactory(reference=duplicate),
        "condition": ConditionFactory(prevalence_reference=duplicate),
    }
    rows["dropped_study"] = StudyFactory(
        reference=duplicate,
        therapy=therapy,
        condition=condition,
        outcome=rows["kept_study"].outcome,
    )
    return survivor, duplicate, rows


@pytest.fixture
def superuser():
    return UserFactory(username="merger", is_staff=True, is_superuser=True)


def test_a_merge_moves_every_citing_row_and_keeps_the_constraints(citing_world, superuser):
    survivor, duplicate, rows = citing_world
    duplicate_doi, duplicate_pk = duplicate.doi, duplicate.pk

    result = reference_merge(survivor=survivor, duplicate=duplicate, user=superuser)

    assert not Reference.objects.filter(pk=duplicate_pk).exists()
    assert Study.objects.get(pk=rows["moved_study"].pk).reference_id == survivor.pk
    assert GuidelinePosition.objects.get(pk=rows["guideline"].pk).reference_id == survivor.pk
    assert Candidate.objects.get(pk=rows["candidate"].pk).reference_id == survivor.pk
    assert ReferenceNotice.objects.get(pk=rows["notice"].pk).reference_id == survivor.pk
    assert Condition.objects.get(pk=rows["condition"].pk).prevalence_reference_id == survivor.pk
    assert VerdictReference.objects.get(pk=rows["moved_verdict_ref"].pk).reference == survivor
    assert AdverseEffectReference.objects.get(pk=rows["moved_effect"].pk).reference == survivor
    assert ContraindicationReference.objects.get(pk=rows["moved_contra"].pk).reference == survivor
    # Rows that would repeat the survivor's are dropped, not left to break a constraint.
    for name in ("dropped_verdict_ref", "dropped_effect", "dropped_contra", "dropped_study"):
        assert not type(rows[name]).objects.filter(pk=rows[name].pk).exists()
    assert VerdictReference.objects.filter(reference=survivor).count() == 2
    assert result.dropped["evidence.Study"] == 1
    assert result.moved["evidence.Study"] == 1
    survivor.refresh_from_db()
    assert survivor.doi == duplicate_doi  # identifiers and empty fields taken
    assert survivor.abstract == "Text."
    assert survivor.fingerprint == survivor.computed_fingerprint()


def test_a_merge_is_recorded_in_history_by_its_user(citing_world, superuser):
    survivor, duplicate, rows = citing_world
    duplicate_pk = duplicate.pk

    reference_merge(survivor=survivor, duplicate=duplicate, user=superuser)

    study = Study.objects.get(pk=rows["moved_study"].pk)
    moved = study.history.order_by("-history_date", "-history_id").first()
    assert moved.history_user == superuser and moved.reference_id == survivor.pk
    assert f"#{duplicate_pk}" in moved.history_change_reason
    gone = Reference.history.filter(id=duplicate_pk).order_by("-history_id").first()
    assert gone.history_type == "-" and gone.history_user == superuser
    kept = survivor.history.order_by("-history_id").first()
    assert kept.history_user == superuser and f"#{duplicate_pk}" in kept.history_change_reason
    dropped = Study.history.filter(id=rows["dropped_study"].pk, history_type="-").get()
    assert dropped.history_user == superuser


def test_a_failed_merge_leaves_both_references_intact(citing_world, superuser, monkeypatch):
    survivor, duplicate, rows = citing_world

    def fail(self, *args, **kwargs):
        raise IntegrityError("simulated failure after the rows moved")

    monkeypatch.setattr(Reference, "delete", fail)
    with pytest.raises(IntegrityError):
        reference_merge(survivor=survivor, duplicate=duplicate, user=superuser)

    assert Reference.objects.filter(pk__in=[survivor.pk, duplicate.pk]).count() == 2
    assert Study.objects.get(pk=rows["moved_study"].pk).reference_id == duplicate.pk
    assert VerdictReference.objects.filter(pk=rows["dropped_verdict_ref"].pk).exists()
    assert Reference.objects.get(pk=survivor.pk).doi is None


def test_a_merge_asks_the_rule_for_change_and_delete(citing_world):
    survivor, duplicate, rows = citing_world
    roles_sync()
    editor = UserFactory(username="ed", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))  # may change references, not delete

    with pytest.raises(PermissionDenied):
        reference_merge(survivor=survivor, duplicate=duplicate, user=editor)

    assert Reference.objects.filter(pk=duplicate.pk).exists()
    assert Study.objects.get(pk=rows["moved_study"].pk).reference_id == duplicate.pk


# --- the admin page -----------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_duplicates_page_is_for_staff_who_may_change_references(superuser):
    roles_sync()
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    a = ReferenceFactory(title="A work listed twice in the library", doi=None, pmid=None)
    b = ReferenceFactory(title="A work listed twice in the library.", doi=None, pmid=None)
    url = reverse("admin:references_reference_duplicates")
    merge = {"survivor": a.pk, "duplicate": b.pk}

    assert _client(viewer).get(url).status_code == 403
    page = _client(editor).get(url)
    assert page.status_code == 200 and b"A work listed twice" in page.content
    assert b'name="duplicate"' not in page.content  # no merge form without delete rights
    assert _client(editor).post(url, merge).status_code == 403
    assert Reference.objects.count() == 2

    response = _client(superuser).post(url, merge)

    assert response.status_code == 302
    assert list(Reference.objects.values_list("pk", flat=True)) == [a.pk]
    listing = _client(superuser).get(reverse("admin:references_reference_changelist"))
    assert url.encode() in listing.content


def test_the_merge_form_refuses_merging_a_reference_into_itself(superuser):
    reference = ReferenceFactory()
    url = reverse("admin:references_reference_duplicates")

    response = _client(superuser).post(
        url, {"survivor": reference.pk, "duplicate": reference.pk}, follow=True
    )

    assert b"Nothing merged" in response.content
    assert Reference.objects.filter(pk=reference.pk).exists()
