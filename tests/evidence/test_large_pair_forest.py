"""A large pair's forest plots (evidence.selectors.pair): only the drawn outcomes' studies
become ForestInputs, and the plots and the count of outcomes are what forest_groups makes
of every comparable study."""

import pytest

from evidence.models import PublishedStudy, Study, Verdict
from evidence.presentation.forest import ForestInput, forest_groups
from evidence.selectors import pair as pair_selectors
from references.models import RetractionStatus
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

# Outcomes of uneven sizes, spelled differently (case, spaces), two measures, ties.
OUTCOMES = ["Pain", "pain ", "Relapse", "Quality  of life", "Mortality", "Fatigue", "Relapse"]


@pytest.fixture
def large_pair(demo, add_studies):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")
    add_studies(
        pair_selectors.TIMELINE_MAX_STUDIES + 50,
        therapy=verdict.therapy,
        condition=verdict.condition,
        publish=False,
    )
    for study in Study.objects.filter(verdict=verdict).order_by("pk"):
        i = study.pk
        study.outcome = OUTCOMES[i % len(OUTCOMES)]
        study.effect_measure = "RR" if i % 5 else "OR"
        study.effect_size = 0.5 + (i % 13) / 10
        study.ci_lower = study.effect_size / 2
        study.ci_upper = study.effect_size * 2
        study.save()
    publish(verdict)
    return PublishedStudy.objects.filter(
        therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
    )


def _every_input(pair) -> list[ForestInput]:
    return [
        ForestInput(
            study_id=study.pk,
            outcome=study.outcome,
            measure=study.effect_measure,
            effect_size=study.effect_size,
            ci_lower=study.ci_lower,
            ci_upper=study.ci_upper,
            retracted=study.reference_status == RetractionStatus.RETRACTED,
        )
        for study in pair.order_by(*pair_selectors.STUDY_ORDER)
        if study.effect_measure and study.effect_size is not None
    ]


def test_the_drawn_outcomes_are_those_of_every_study(large_pair):
    expected, expected_count = forest_groups(
        _every_input(large_pair),
        max_drawn=pair_selectors.FOREST_MAX_STUDIES,
        max_groups=pair_selectors.FOREST_MAX_GROUPS,
    )
    forest, count = pair_selectors._large_pair_forest(large_pair)
    assert count == expected_count > pair_selectors.FOREST_MAX_GROUPS
    assert forest == expected
    assert [group.outcome for group in forest]
