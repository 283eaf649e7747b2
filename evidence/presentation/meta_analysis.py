"""Random-effects pooling of study effect sizes: DerSimonian-Laird and REML.

Pure functions over numbers (no Django, no queries). Ratio measures (RR, OR, HR) are pooled
on the log scale; a study's standard error comes from its 95% confidence interval.

DerSimonian-Laird comes from statsmodels (``combine_effects(..., method_re="dl")``).
statsmodels has no REML estimator of tau² (its iterated option is Paule-Mandel), so REML
maximises the restricted log-likelihood with scipy's bounded scalar optimiser; the pooled
estimate is then the inverse-variance weighted mean with weights 1 / (v_i + tau²), as in
metafor's ``rma(method="REML")``.

I² is metafor's: tau² / (tau² + s²), s² being the "typical" within-study variance
(Higgins & Thompson 2002). For DerSimonian-Laird it equals (Q - df) / Q. The 95%
prediction interval is Higgins, Thompson & Spiegelhalter's (2009), as in the Cochrane
Handbook: estimate ± t(k-2) * sqrt(tau² + SE²), so it needs at least three studies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.meta_analysis import combine_effects

RATIO_MEASURES = frozenset({"RR", "OR", "HR"})
Z_95 = float(stats.norm.ppf(0.975))


class Method:
    DL = "dl"
    REML = "reml"


METHOD_LABELS = {
    Method.DL: "random effects, DerSimonian-Laird",
    Method.REML: "random effects, restricted maximum likelihood (REML)",
}


@dataclass(frozen=True)
class StudyEffect:
    """One study's effect on the analysis scale (log scale for ratios)."""

    estimate: float
    se: float

    @property
    def variance(self) -> float:
        return self.se**2


@dataclass(frozen=True)
class Pooled:
    """A pooled estimate on the analysis scale (log scale for ratio measures)."""

    method: str
    k: int
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    tau2: float
    i2: float  # a proportion, 0..1
    q: float
    pi_lower: float | None
    pi_upper: float | None
    weights: tuple[float, ...]  # relative weights, summing to 1

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def has_prediction_interval(self) -> bool:
        return self.pi_lower is not None


def study_effect(
    *, measure: str, effect: float, lower: float | None, upper: float | None
) -> StudyEffect | None:
    """The study's effect and standard error, or None when they cannot be derived.

    The SE is (upper - lower) / (2 * 1.96), on the log scale for ratio measures.
    """
    if lower is None or upper is None or not lower <= effect <= upper or lower == upper:
        return None
    if measure in RATIO_MEASURES:
        if lower <= 0:
            return None
        return StudyEffect(
            estimate=math.log(effect), se=(math.log(upper) - math.log(lower)) / (2 * Z_95)
        )
    return StudyEffect(estimate=effect, se=(upper - lower) / (2 * Z_95))


def pool(effects: Sequence[StudyEffect], *, method: str = Method.REML) -> Pooled:
    """Pool two or more study effects with a random-effects model."""
    if len(effects) < 2:
        raise ValueError("Pooling needs at least two studies.")
    y = np.array([effect.estimate for effect in effects], dtype=float)
    v = np.array([effect.variance for effect in effects], dtype=float)
    if method == Method.DL:
        return _dersimonian_laird(y, v)
    if method == Method.REML:
        return _reml(y, v)
    raise ValueError(f"Unknown method {method!r}.")


def _dersimonian_laird(y: np.ndarray, v: np.ndarray) -> Pooled:
    # With no between-study variance the moment estimate goes negative, and statsmodels'
    # Knapp-Hartung extras (unused here) take square roots of negative numbers.
    with np.errstate(invalid="ignore"):
        result = combine_effects(y, v, method_re="dl")
    q = float(result.q)
    if float(result.tau2) <= 0:
        # statsmodels leaves the moment estimate unclipped; a negative tau² means none,
        # and the random-effects model collapses to the fixed-effect one.
        return _pooled(Method.DL, y, v, tau2=0.0, q=q)
    return _pooled(
        Method.DL,
        y,
        v,
        tau2=float(result.tau2),
        q=q,
        estimate=float(result.mean_effect_re),
        se=float(result.sd_eff_w_re),
        i2=float(result.i2),
    )


def _reml(y: np.ndarray, v: np.ndarray) -> Pooled:
    def negative_restricted_log_likelihood(tau2: float) -> float:
        w = 1.0 / (v + tau2)
        mu = float((w * y).sum() / w.sum())
        return 0.5 * float(np.log(v + tau2).sum() + math.log(w.sum()) + (w * (y - mu) ** 2).sum())

    # Ten times the spread of the effects plus the largest sampling variance is a
    # generous upper bound for tau².
    upper = 10.0 * (float(np.var(y)) + float(v.max())) + 1e-8
    result = optimize.minimize_scalar(
        negative_restricted_log_likelihood,
        bounds=(0.0, upper),
        method="bounded",
        options={"xatol": 1e-12, "maxiter": 1000},
    )
    tau2 = float(result.x)
    # The bounded search stops within its tolerance of a zero boundary, never on it.
    if negative_restricted_log_likelihood(0.0) <= result.fun:
        tau2 = 0.0
    w_fixed = 1.0 / v
    q = float((w_fixed * (y - (w_fixed * y).sum() / w_fixed.sum()) ** 2).sum())
    return _pooled(Method.REML, y, v, tau2=tau2, q=q)


def _pooled(
    method: str,
    y: np.ndarray,
    v: np.ndarray,
    *,
    tau2: float,
    q: float,
    estimate: float | None = None,
    se: float | None = None,
    i2: float | None = None,
) -> Pooled:
    """Fill in what the estimator did not provide: the inverse-variance weighted mean with
    weights 1 / (v_i + tau²), I² from the typical within-study variance, the intervals."""
    k = len(y)
    w = 1.0 / (v + tau2)
    if estimate is None or se is None:
        estimate = float((w * y).sum() / w.sum())
        se = math.sqrt(1.0 / float(w.sum()))
    if i2 is None:
        w_fixed = 1.0 / v
        typical = (k - 1) * w_fixed.sum() / (w_fixed.sum() ** 2 - (w_fixed**2).sum())
        i2 = tau2 / (tau2 + float(typical))
    pi_lower = pi_upper = None
    if k >= 3:
        half_width = float(stats.t.ppf(0.975, k - 2)) * math.sqrt(tau2 + se**2)
        pi_lower, pi_upper = estimate - half_width, estimate + half_width
    return Pooled(
        method=method,
        k=k,
        estimate=estimate,
        se=se,
        ci_lower=estimate - Z_95 * se,
        ci_upper=estimate + Z_95 * se,
        tau2=tau2,
        i2=max(0.0, i2),
        q=q,
        pi_lower=pi_lower,
        pi_upper=pi_upper,
        weights=tuple(float(x) for x in w / w.sum()),
    )


def to_display_scale(value: float | None, *, measure: str) -> float | None:
    """Back from the analysis scale: exp() for ratio measures."""
    if value is None:
        return None
    return math.exp(value) if measure in RATIO_MEASURES else value
