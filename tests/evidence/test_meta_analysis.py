"""Random-effects pooling (evidence.presentation.meta_analysis) against the BCG vaccine
worked example.

The 13 BCG trials (Colditz et al. 1994; metafor's ``dat.bcg``), pooled as log risk ratios.
Expected values are metafor's published output:

- DerSimonian-Laird: metafor's own test suite (tests/testthat/
  test_misc_metan_vs_rma.uni_with_dat.bcg.r, checked against Stata's metan):
  estimate -0.7141, 95% CI -1.0644 to -0.3638, tau² 0.3088, I² 92.1173%, Q 152.2330,
  RR 0.4896 (0.3449 to 0.6950).
- REML (metafor's default): estimate -0.7145, SE 0.1798, 95% CI -1.0669 to -0.3622,
  tau² 0.3132, I² 92.22% (Viechtbauer 2010, J Stat Softw 36(3)).

The prediction interval is Higgins, Thompson & Spiegelhalter's (estimate ± t(k-2) *
sqrt(tau² + SE²)); its expected bounds are computed from the published figures above.
"""

import math

import pytest
from scipy import stats

from evidence.presentation.meta_analysis import (
    Method,
    StudyEffect,
    pool,
    study_effect,
    to_display_scale,
)

# (tpos, tneg, cpos, cneg): TB cases and non-cases, vaccinated then control groups.
BCG = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]
THREE_DECIMALS = 5e-4
T_11 = stats.t.ppf(0.975, 11)


def _log_risk_ratios() -> list[StudyEffect]:
    effects = []
    for tpos, tneg, cpos, cneg in BCG:
        yi = math.log((tpos / (tpos + tneg)) / (cpos / (cpos + cneg)))
        vi = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
        effects.append(StudyEffect(estimate=yi, se=math.sqrt(vi)))
    return effects


def test_dersimonian_laird_matches_metafor():
    pooled = pool(_log_risk_ratios(), method=Method.DL)

    assert pooled.k == 13
    assert pooled.estimate == pytest.approx(-0.7141, abs=THREE_DECIMALS)
    assert pooled.ci_lower == pytest.approx(-1.0644, abs=THREE_DECIMALS)
    assert pooled.ci_upper == pytest.approx(-0.3638, abs=THREE_DECIMALS)
    assert pooled.tau2 == pytest.approx(0.3088, abs=THREE_DECIMALS)
    assert pooled.i2 * 100 == pytest.approx(92.1173, abs=THREE_DECIMALS)
    assert pooled.q == pytest.approx(152.2330, abs=THREE_DECIMALS)
    assert to_display_scale(pooled.estimate, measure="RR") == pytest.approx(0.4896, abs=5e-4)
    assert to_display_scale(pooled.ci_lower, measure="RR") == pytest.approx(0.3449, abs=5e-4)
    assert to_display_scale(pooled.ci_upper, measure="RR") == pytest.approx(0.6950, abs=5e-4)

    se = (-0.3638 - -1.0644) / (2 * 1.959964)
    half_width = T_11 * math.sqrt(0.3088 + se**2)
    assert pooled.pi_lower == pytest.approx(-0.7141 - half_width, abs=THREE_DECIMALS)
    assert pooled.pi_upper == pytest.approx(-0.7141 + half_width, abs=THREE_DECIMALS)
    assert (round(pooled.pi_lower, 3), round(pooled.pi_upper, 3)) == (-1.999, 0.571)


def test_reml_matches_metafor():
    pooled = pool(_log_risk_ratios(), method=Method.REML)

    assert pooled.estimate == pytest.approx(-0.7145, abs=THREE_DECIMALS)
    assert pooled.se == pytest.approx(0.1798, abs=THREE_DECIMALS)
    assert pooled.ci_lower == pytest.approx(-1.0669, abs=THREE_DECIMALS)
    assert pooled.ci_upper == pytest.approx(-0.3622, abs=THREE_DECIMALS)
    assert pooled.tau2 == pytest.approx(0.3132, abs=THREE_DECIMALS)
    assert pooled.i2 * 100 == pytest.approx(92.22, abs=5e-3)

    half_width = T_11 * math.sqrt(0.3132 + 0.1798**2)
    assert pooled.pi_lower == pytest.approx(-0.7145 - half_width, abs=THREE_DECIMALS)
    assert pooled.pi_upper == pytest.approx(-0.7145 + half_width, abs=THREE_DECIMALS)
    assert (round(pooled.pi_lower, 3), round(pooled.pi_upper, 3)) == (-2.008, 0.579)
    assert sum(pooled.weights) == pytest.approx(1.0)


def test_study_effect_from_a_ratio_and_its_confidence_interval():
    effect = study_effect(measure="RR", effect=0.8, lower=0.5, upper=1.28)
    assert effect.estimate == pytest.approx(math.log(0.8))
    assert effect.se == pytest.approx((math.log(1.28) - math.log(0.5)) / (2 * 1.959964), 1e-6)

    difference = study_effect(measure="MD", effect=-2.0, lower=-3.96, upper=-0.04)
    assert difference.estimate == -2.0
    assert difference.se == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("measure", "effect", "lower", "upper"),
    [
        ("RR", 0.8, None, 1.2),  # no interval
        ("RR", 0.8, 0.0, 1.2),  # a ratio's bound must be positive
        ("OR", 2.0, 2.5, 3.0),  # estimate outside its own interval
        ("MD", 1.0, 1.0, 1.0),  # zero width
    ],
)
def test_study_effect_needs_a_usable_interval(measure, effect, lower, upper):
    assert study_effect(measure=measure, effect=effect, lower=lower, upper=upper) is None


@pytest.mark.parametrize("method", [Method.DL, Method.REML])
def test_homogeneous_studies_have_no_heterogeneity(method):
    effects = [StudyEffect(estimate=0.2, se=0.1), StudyEffect(estimate=0.2, se=0.2)]
    pooled = pool(effects, method=method)
    assert pooled.tau2 == 0.0
    assert pooled.i2 == 0.0
    assert pooled.estimate == pytest.approx(0.2)
    # Two studies: no prediction interval (t with k - 2 = 0 degrees of freedom).
    assert pooled.pi_lower is None and not pooled.has_prediction_interval


def test_pooling_needs_two_studies():
    with pytest.raises(ValueError):
        pool([StudyEffect(estimate=0.1, se=0.1)])
