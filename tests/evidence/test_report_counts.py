"""evidence.selectors.common.report_counts: a report (reference) counts once per kind of
evidence, its rows' directions folded into one."""

import pytest

from evidence.models import Design, Direction, Study
from evidence.presentation.charts.timeline import DESIGN_ORDER
from evidence.selectors.common import FLAGGED_REFERENCE, GroupedCounts, report_counts
from references.models import RetractionStatus
from tests.factories import ReferenceFactory, StudyFactory, VerdictFactory

pytestmark = pytest.mark.django_db


def _grouped(verdict) -> GroupedCounts:
    counts: dict[tuple[str, str], int] = {}
    for count in report_counts(
        Study.objects.filter(therapy=verdict.therapy, condition=verdict.condition),
        keys=("evidence_group",),
        flagged=FLAGGED_REFERENCE,
    ):
        counts[(count.key[0], count.direction)] = count.reports
    return GroupedCounts.from_counts(counts)


def test_outcomes_of_one_report_count_once_and_disagreeing_ones_as_mixed():
    verdict = VerdictFactory()
    pair = {"therapy": verdict.therapy, "condition": verdict.condition, "verdict": verdict}
    agreeing, disagreeing = ReferenceFactory(), ReferenceFactory()
    for outcome in ("Pain", "Function"):
        StudyFactory(
            **pair,
            reference=agreeing,
            outcome=outcome,
            design=Design.RCT,
            direction=Direction.BENEFIT,
        )
    StudyFactory(
        **pair,
        reference=disagreeing,
        outcome="Pain",
        design=Design.COHORT,
        direction=Direction.BENEFIT,
    )
    StudyFactory(
        **pair,
        reference=disagreeing,
        outcome="Function",
        design=Design.COHORT,
        direction=Direction.HARM,
    )
    StudyFactory(**pair, design=Design.META_ANALYSIS, direction=Direction.BENEFIT)
    StudyFactory(**pair, design=Design.ANIMAL, direction=Direction.NO_BENEFIT)

    counts = _grouped(verdict)

    assert (counts.human.benefit, counts.human.mixed, counts.human.total) == (1, 1, 2)
    assert (counts.reviews.benefit, counts.reviews.total) == (1, 1)
    assert (counts.preclinical.no_benefit, counts.preclinical.total) == (1, 1)
    assert counts.total == 4  # six rows, four reports


def test_rows_and_flagged_rows_are_counted_as_rows():
    verdict = VerdictFactory()
    retracted = ReferenceFactory(retraction_status=RetractionStatus.RETRACTED)
    for outcome in ("Pain", "Function"):
        StudyFactory(
            therapy=verdict.therapy,
            condition=verdict.condition,
            verdict=verdict,
            reference=retracted,
            outcome=outcome,
            design=Design.RCT,
            direction=Direction.NO_BENEFIT,
        )
    (count,) = report_counts(
        Study.objects.filter(verdict=verdict), keys=("design",), flagged=FLAGGED_REFERENCE
    )
    assert (count.key, count.direction, count.reports, count.rows, count.flagged) == (
        ("rct",),
        "no_benefit",
        1,
        2,
        2,
    )


def test_the_database_derives_the_kind_of_evidence_from_the_design():
    study = StudyFactory(design=Design.NARRATIVE_REVIEW)
    study.refresh_from_db()
    assert study.evidence_group == "reviews"
    Study.objects.filter(pk=study.pk).update(design=Design.IN_VITRO)
    study.refresh_from_db()
    assert study.evidence_group == "preclinical"


def test_the_timeline_has_a_row_for_every_design():
    assert sorted(DESIGN_ORDER) == sorted(Design.values)
