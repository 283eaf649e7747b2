"""Publishing a pair's draft: numbered, dated, immutable versions with what changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from evidence.editorial.roles import EDITOR, REVIEWER
from evidence.models import OutcomeFinding, Study, Verdict, VerdictVersion
from evidence.selectors.content import pair_content
from evidence.services.publication import verdict_publish
from tests.factories import ReferenceFactory, StudyFactory
from tests.support.doors import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def ra(demo):
    return Verdict.objects.select_related("therapy", "condition").get(
        condition__slug="rheumatoid-arthritis"
    )


def test_load_demo_publishes_version_1_of_each_verdict_once(ra):
    from evidence.services import demo_load

    demo_load()  # a second load publishes nothing more
    assert VerdictVersion.objects.count() == Verdict.objects.count() == 4
    first = ra.versions.get()
    assert (first.number, first.published_by, first.changes) == (
        1,
        None,
        ["First published version."],
    )
    content = first.content
    assert content["verdict"]["certainty"] == "very_low"
    assert len(content["studies"]) == Study.objects.filter(verdict=ra).count() == 6
    assert [f["outcome"] for f in content["findings"]] == list(
        OutcomeFinding.objects.filter(verdict=ra)
        .order_by("position")
        .values_list("outcome", flat=True)
    )
    assert content["background"][0]["claim"].startswith("IVIG regulates")


def test_a_reviewer_publishes_the_draft_and_signs_its_review_off(ra):
    Verdict.objects.filter(pk=ra.pk).update(
        needs_review=True, review_reasons=[{"code": "manual", "message": "Check.", "at": "x"}]
    )
    ra.refresh_from_db()
    reviewer = staff("rev", REVIEWER)

    version = verdict_publish(verdict=ra, user=reviewer, note="Checked; nothing changed.")

    assert (version.number, version.published_by, version.note) == (
        2,
        reviewer,
        "Checked; nothing changed.",
    )
    assert version.changes == []
    assert [r["code"] for r in version.handled_reasons] == ["manual"]
    assert version.content == ra.versions.get(number=1).content
    ra.refresh_from_db()
    assert not ra.needs_review and ra.reviewed_by == reviewer


def test_the_next_version_says_what_changed(ra):
    reviewer = staff("rev", REVIEWER)
    Verdict.objects.filter(pk=ra.pk).update(certainty="low", certainty_override_reason="Test.")
    silverman = Study.objects.get(reference__pmid="7699642")
    Study.objects.filter(pk=silverman.pk).update(participants=31)
    added = StudyFactory(
        therapy=ra.therapy,
        condition=ra.condition,
        reference=ReferenceFactory(title="A new trial", year=2026),
        outcome="Pain",
    )
    OutcomeFinding.objects.filter(verdict=ra, position=1).delete()
    ra.refresh_from_db()

    version = verdict_publish(verdict=ra, user=reviewer, note="v2")

    assert version.number == 2  # version 1 is the demo's
    said = "\n".join(version.changes)
    assert "Certainty: very low → low" in said
    assert "Study changed: Intravenous immunoglobulin in the treatment" in said
    assert "participants: not reported → 31" in said
    assert "Study added: A new trial (2026), Pain" in said
    assert "Finding removed: Symptoms and physical function" in said
    assert added.pk in {s["id"] for s in version.content["studies"]}


def test_only_reviewers_of_the_condition_publish_and_a_note_is_required(ra):
    published = VerdictVersion.objects.count()
    with pytest.raises(PermissionDenied):
        verdict_publish(verdict=ra, user=staff("ed", EDITOR), note="Mine.")
    with pytest.raises(PermissionDenied):
        other = staff(
            "elsewhere",
            REVIEWER,
            ra.condition.__class__.objects.exclude(pk=ra.condition_id).first(),
        )
        verdict_publish(verdict=ra, user=other, note="Not my condition.")
    with pytest.raises(ValidationError) as raised:
        verdict_publish(verdict=ra, user=staff("rev", REVIEWER), note="  ")
    assert "note" in raised.value.message_dict
    assert VerdictVersion.objects.count() == published


def test_the_database_refuses_to_change_a_published_version(ra):
    version = ra.versions.get(number=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        VerdictVersion.objects.filter(pk=version.pk).update(note="Rewritten history.")
    version.refresh_from_db()
    assert version.note.startswith("Version 1")


def test_the_content_costs_the_same_queries_whatever_the_size(
    ra, add_studies, django_assert_num_queries
):
    with django_assert_num_queries(4):
        small = pair_content(verdict=ra)
    add_studies(200, therapy=ra.therapy, condition=ra.condition)
    with django_assert_num_queries(4):
        large = pair_content(verdict=ra)
    assert len(large["studies"]) == len(small["studies"]) + 200
