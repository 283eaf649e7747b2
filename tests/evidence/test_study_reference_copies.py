"""Study's copies of its reference's year, title prefix and retraction status
(Study.reference_year ...): set on every write of a study, refreshed on every change of a
reference, filled by the migration, and the pair page's order unchanged by them."""

import importlib

import pytest
from django.db import connection
from django.db.models import F

from devtools.corpus.generate import corpus_generate
from devtools.corpus.plan import CorpusSpec
from evidence import services
from evidence.models import SORT_TITLE_LENGTH, Study
from evidence.selectors import pair as pair_selectors
from evidence.services import studies as api_services
from references.models import Reference, RetractionStatus
from references.parsers.records import BibRecord
from references.services.upsert import references_upsert
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    VerdictFactory,
)
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

fill_reference_copies = importlib.import_module(
    "evidence.migrations.0010_study_reference_copies"
).fill_reference_copies

LONG_TITLE = "A very long title " * 20  # 360 characters


def _copies(study: Study) -> tuple:
    study.refresh_from_db()
    return study.reference_year, study.reference_sort_title, study.reference_status


def _expected(reference: Reference) -> tuple:
    reference.refresh_from_db()
    return reference.year, reference.title[:SORT_TITLE_LENGTH], reference.retraction_status


def test_study_upsert_sets_the_copies():
    reference = ReferenceFactory(
        year=2001, title=LONG_TITLE, retraction_status=RetractionStatus.CORRECTED
    )
    study = services.study_upsert(
        reference=reference,
        therapy=TherapyFactory(),
        condition=ConditionFactory(),
        design="rct",
        outcome_summary="Better.",
        direction="benefit",
    )
    assert _copies(study) == (2001, LONG_TITLE[:SORT_TITLE_LENGTH], "corrected")
    assert len(study.reference_sort_title) == SORT_TITLE_LENGTH


def test_api_create_and_a_change_of_reference_set_the_copies():
    first = ReferenceFactory(year=1999, title="First")
    second = ReferenceFactory(year=None, title="Second", retraction_status="retracted")
    study = api_services.study_create(
        reference=first,
        therapy=TherapyFactory(),
        condition=ConditionFactory(),
        design="rct",
        outcome_summary="Better.",
        direction="benefit",
    )
    assert _copies(study) == (1999, "First", "none")
    api_services.study_update(study=Study.objects.get(pk=study.pk), reference=second)
    assert _copies(study) == (None, "Second", "retracted")


def test_a_plain_orm_write_sets_the_copies():
    reference = ReferenceFactory(year=2010, title="Made by a factory")
    study = StudyFactory(reference=reference)
    assert _copies(study) == (2010, "Made by a factory", "none")

    other = ReferenceFactory(year=2011, title="Chosen in an admin inline")
    study = Study.objects.get(pk=study.pk)  # the reference is not loaded: read on save
    study.reference_id = other.pk
    study.save()
    assert _copies(study) == _expected(other)


def test_a_refresh_through_references_upsert_updates_the_copies():
    reference = ReferenceFactory(year=2000, title="Old title")
    studies = [StudyFactory(reference=reference) for _ in range(3)]
    bystander = StudyFactory(reference=ReferenceFactory(year=2000, title="Untouched"))

    references_upsert(
        records=[BibRecord(source="pubmed", doi=reference.doi, title="New title", year=1998)]
    )

    assert _expected(reference)[:2] == (1998, "New title")
    assert {_copies(study) for study in studies} == {(1998, "New title", "none")}
    assert _copies(bystander) == (2000, "Untouched", "none")


def test_a_reference_saved_in_the_admin_updates_the_copies():
    study = StudyFactory(reference=ReferenceFactory(year=2000, title="Before"))
    reference = Reference.objects.get(pk=study.reference_id)
    reference.title = "After the editor's fix"
    reference.year = 2002
    reference.retraction_status = RetractionStatus.EXPRESSION_OF_CONCERN
    reference.save()
    assert _copies(study) == (2002, "After the editor's fix", "expression_of_concern")


def test_a_retraction_notice_flags_the_study_on_a_large_pair_page(client, settings, monkeypatch):
    settings.EVIDENCE_PAGE_CACHE = False
    # Pages of pairs above the timeline's size count flagged studies from the copies alone.
    monkeypatch.setattr(pair_selectors, "TIMELINE_MAX_STUDIES", 2)
    verdict = VerdictFactory()
    reference = ReferenceFactory(title="Fabricated trial")
    study = StudyFactory(reference=reference, therapy=verdict.therapy, condition=verdict.condition)
    for _ in range(3):
        StudyFactory(therapy=verdict.therapy, condition=verdict.condition)
    publish(verdict)
    url = f"/conditions/{verdict.condition.slug}/{verdict.therapy.slug}/"
    assert "rests on sources that have been retracted" not in client.get(url).content.decode()

    references_upsert(
        records=[
            BibRecord(
                source="pubmed",
                doi=reference.doi,
                title="Fabricated trial",
                publication_types=["Retracted Publication"],
            )
        ]
    )

    # A retraction shows at once: no publication between the notice and the page.
    assert _copies(study)[2] == RetractionStatus.RETRACTED
    evidence = pair_selectors.pair_evidence(
        condition_slug=verdict.condition.slug, therapy_slug=verdict.therapy.slug
    )
    assert evidence.timeline_studies == []
    assert evidence.flagged_study_count == 1
    assert [row.study.pk for row in evidence.flagged_studies] == [study.pk]
    page = client.get(url).content.decode()
    assert "rests on sources that have been retracted" in page
    assert f'href="#study-{study.pk}"' in page


def test_the_migration_fill_sets_every_study_from_its_reference():
    references = [
        ReferenceFactory(year=1990, title=LONG_TITLE, retraction_status="retracted"),
        ReferenceFactory(year=None, title="No year"),
        ReferenceFactory(year=2020, title="Corrected", retraction_status="corrected"),
    ]
    studies = [StudyFactory(reference=reference) for reference in references]
    Study.objects.update(reference_year=1, reference_sort_title="stale", reference_status="none")

    assert fill_reference_copies(connection) == len(studies)

    for study, reference in zip(studies, references, strict=True):
        assert _copies(study) == _expected(reference)


def test_the_page_order_is_the_order_of_the_references():
    verdict = VerdictFactory()
    pair = {"therapy": verdict.therapy, "condition": verdict.condition}
    for year, title in [
        (2005, "Zinc in the same year"),
        (2005, "Aspirin in the same year"),
        (2005, "Methotrexate in the same year"),
        (None, "Undated"),
        (1999, "Older"),
        (2005, "Aspirin in the same year"),  # same title: outcome, then id decides
    ]:
        StudyFactory(reference=ReferenceFactory(year=year, title=title), **pair)
    studies = Study.objects.filter(**pair)
    by_reference = studies.order_by(
        F("reference__year").asc(nulls_last=True), "reference__title", "outcome", "id"
    )
    by_copies = studies.order_by(*pair_selectors.STUDY_ORDER)
    assert list(by_copies) == list(by_reference)
    titles = [study.reference_sort_title for study in by_copies]
    assert titles[0] == "Older" and titles[-1] == "Undated"
    assert titles[1:4] == [
        "Aspirin in the same year",
        "Aspirin in the same year",
        "Methotrexate in the same year",
    ]
    assert titles[4] == "Zinc in the same year"


def test_the_synthetic_corpus_writes_the_copies():
    corpus_generate(spec=CorpusSpec(conditions=10, therapies=5, studies=40, references=80, seed=7))
    studies = Study.objects.select_related("reference")
    assert studies.count() == 40
    for study in studies:
        reference = study.reference
        assert (study.reference_year, study.reference_sort_title, study.reference_status) == (
            reference.year,
            reference.title[:SORT_TITLE_LENGTH],
            reference.retraction_status,
        )
    assert studies.exclude(reference_status="none").exists()
