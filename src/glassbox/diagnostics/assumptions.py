"""Tests of the assumptions behind least-squares inference, each with a plain-language reading.

Every test takes the residuals e (and, where it needs them, the design X) and returns a
:class:`TestResult`: statistic, p-value, and one sentence saying what the result means for the
model. The definitions follow statsmodels, so the numbers agree with it.

=====================  ===========================================================  ==========
test                   statistic                                                    null dist.
=====================  ===========================================================  ==========
Breusch-Pagan          :math:`LM = n R^2` of :math:`e^2` on X (Koenker's form)      χ²(k-1)
White                  :math:`LM = n R^2` of :math:`e^2` on X, squares, products    χ²(rank-1)
Jarque-Bera            :math:`JB = \\tfrac{n}{6}(S^2 + \\tfrac14 (K-3)^2)`            χ²(2)
omnibus (D'Agostino)   :math:`K^2 = Z(\\sqrt{b_1})^2 + Z(b_2)^2`                      χ²(2)
Shapiro-Wilk           :math:`W` (Royston's approximation, via SciPy)               --
Durbin-Watson          :math:`d = \\sum (e_t - e_{t-1})^2 / \\sum e_t^2`              exact (Imhof)
Breusch-Godfrey        :math:`LM = n R^2` of e on X and :math:`e_{t-1..t-p}`        χ²(p)
Ramsey RESET           F test of :math:`\\hat y^2, \\dots, \\hat y^{q}` added to X      F
=====================  ===========================================================  ==========

R² of an auxiliary regression is :math:`1 - \\sum u_i^2 / \\sum (t_i - \\bar t)^2`, where u are
the residuals of the auxiliary target t on its design (which always contains a constant).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.stats

from glassbox.diagnostics.design import least_squares

__all__ = [
    "TestResult",
    "breusch_godfrey",
    "breusch_pagan",
    "durbin_watson",
    "het_breuschpagan",
    "het_white",
    "jarque_bera",
    "omnibus",
    "reset",
    "shapiro_wilk",
    "white",
]

LEVEL = 0.05


@dataclass(frozen=True)
class TestResult:
    """Outcome of one assumption test.

    ``statistic`` and ``pvalue`` are ``None`` (never a silent NaN) when the test is not
    defined for these data; ``reading`` then says why.
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float | None
    pvalue: float | None
    reading: str
    null_distribution: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def rejects(self, level: float = LEVEL) -> bool:
        """True when the p-value is below ``level`` (the assumption is doubtful)."""
        return self.pvalue is not None and self.pvalue < level


def _undefined(name: str, why: str) -> TestResult:
    return TestResult(name, None, None, f"Not computed: {why}.")


def _has_constant(design: np.ndarray) -> bool:
    return bool(np.any((np.ptp(design, axis=0) == 0) & (design[0] != 0)))


def _with_constant(design: np.ndarray) -> np.ndarray:
    if _has_constant(design):
        return design
    return np.column_stack([np.ones(design.shape[0]), design])


def _aux_rsquared(design: np.ndarray, target: np.ndarray) -> tuple[float | None, int]:
    """Centered R² of ``target`` on ``design`` (with a constant) and the design's rank."""
    residuals, rank = least_squares(design, target)
    centered = target - target.mean()
    tss = float(centered @ centered)
    if tss == 0.0:
        return None, rank
    return 1.0 - float(residuals @ residuals) / tss, rank


def _all_zero(resid: np.ndarray) -> bool:
    return not np.any(resid)


# --- heteroscedasticity --------------------------------------------------------------------


def _het_reading(name: str, pvalue: float) -> str:
    if pvalue < LEVEL:
        return (
            f"The residual spread changes with the regressors ({name} p = {pvalue:.3g}): "
            "classical standard errors are unreliable; use cov_type='HC3'."
        )
    return "No evidence that the residual spread depends on the regressors."


def breusch_pagan(resid: np.ndarray, design: np.ndarray) -> TestResult:
    """Breusch-Pagan test, Koenker's studentized form: LM = n R² of e² on X, χ²(k-1).

    Koenker's form does not assume normal errors (statsmodels' default ``robust=True``).
    """
    name = "Breusch-Pagan"
    if _all_zero(resid):
        return _undefined(name, "the residuals are all zero (perfect fit)")
    aux = _with_constant(design)
    rsquared, rank = _aux_rsquared(aux, resid**2)
    if rsquared is None or rank < 2:
        return _undefined(name, "the squared residuals or the regressors are constant")
    n_samples = resid.shape[0]
    lm = n_samples * rsquared
    df = rank - 1
    pvalue = float(scipy.stats.chi2.sf(lm, df))
    return TestResult(name, lm, pvalue, _het_reading(name, pvalue), f"chi2({df})")


def white(resid: np.ndarray, design: np.ndarray) -> TestResult:
    """White's test: LM = n R² of e² on X, its squares and cross products, χ²(rank - 1)."""
    name = "White"
    if _all_zero(resid):
        return _undefined(name, "the residuals are all zero (perfect fit)")
    base = _with_constant(design)
    first, second = np.triu_indices(base.shape[1])
    aux = base[:, first] * base[:, second]  # (n, k(k+1)/2): constant, x_j, x_j x_l
    n_samples = resid.shape[0]
    if aux.shape[1] >= n_samples:
        return _undefined(
            name,
            f"its auxiliary regression has {aux.shape[1]} columns for {n_samples} samples",
        )
    rsquared, rank = _aux_rsquared(aux, resid**2)
    if rsquared is None or rank < 2:
        return _undefined(name, "the squared residuals or the regressors are constant")
    lm = n_samples * rsquared
    df = rank - 1
    pvalue = float(scipy.stats.chi2.sf(lm, df))
    return TestResult(name, lm, pvalue, _het_reading(name, pvalue), f"chi2({df})")


# --- normality -----------------------------------------------------------------------------


# statsmodels' names (statsmodels.stats.diagnostic.het_breuschpagan / het_white), same
# arguments (residuals, design with its constant); glassbox returns one TestResult where
# statsmodels returns (lm, lm_pvalue, fvalue, f_pvalue).
het_breuschpagan = breusch_pagan
het_white = white


def _moments(resid: np.ndarray) -> tuple[float, float]:
    """Sample skewness S = m3/m2^{3/2} and kurtosis K = m4/m2² (biased, as statsmodels)."""
    centered = resid - resid.mean()
    m2 = float(np.mean(centered**2))
    m3 = float(np.mean(centered**3))
    m4 = float(np.mean(centered**4))
    return m3 / m2**1.5, m4 / m2**2


def _normality_reading(name: str, pvalue: float) -> str:
    if pvalue < LEVEL:
        return (
            f"The residuals are not normal ({name} p = {pvalue:.3g}): t and F p-values rely "
            "on large-sample approximations; check for outliers or transform the target."
        )
    return "No evidence against normally distributed residuals."


def jarque_bera(resid: np.ndarray) -> TestResult:
    """Jarque-Bera: JB = n/6 (S² + (K-3)²/4), χ²(2); also reports skewness and kurtosis."""
    name = "Jarque-Bera"
    if np.ptp(resid) == 0:
        return _undefined(name, "the residuals are constant")
    skew, kurtosis = _moments(resid)
    n_samples = resid.shape[0]
    statistic = n_samples / 6.0 * (skew**2 + 0.25 * (kurtosis - 3.0) ** 2)
    pvalue = float(scipy.stats.chi2.sf(statistic, 2))
    return TestResult(
        name,
        statistic,
        pvalue,
        _normality_reading(name, pvalue),
        "chi2(2)",
        {"skew": skew, "kurtosis": kurtosis},
    )


def _skew_z(skew: float, n: int) -> float:
    """D'Agostino (1970): a normalizing transform of the sample skewness √b₁."""
    y = skew * np.sqrt((n + 1.0) * (n + 3.0) / (6.0 * (n - 2.0)))
    beta2 = (
        3.0
        * (n * n + 27.0 * n - 70.0)
        * (n + 1.0)
        * (n + 3.0)
        / ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0))
    )
    w2 = -1.0 + np.sqrt(2.0 * (beta2 - 1.0))
    delta = 1.0 / np.sqrt(0.5 * np.log(w2))
    alpha = np.sqrt(2.0 / (w2 - 1.0))
    return float(delta * np.arcsinh(y / alpha))


def _kurtosis_z(kurtosis: float, n: int) -> float:
    """Anscombe and Glynn (1983): a normalizing transform of the sample kurtosis b₂."""
    mean = 3.0 * (n - 1.0) / (n + 1.0)
    variance = 24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0) ** 2 * (n + 3.0) * (n + 5.0))
    x = (kurtosis - mean) / np.sqrt(variance)
    sqrt_beta1 = (
        6.0
        * (n * n - 5.0 * n + 2.0)
        / ((n + 7.0) * (n + 9.0))
        * np.sqrt(6.0 * (n + 3.0) * (n + 5.0) / (n * (n - 2.0) * (n - 3.0)))
    )
    a = 6.0 + 8.0 / sqrt_beta1 * (2.0 / sqrt_beta1 + np.sqrt(1.0 + 4.0 / sqrt_beta1**2))
    denominator = 1.0 + x * np.sqrt(2.0 / (a - 4.0))
    if denominator == 0.0:
        return float(np.inf)
    term = np.sign(denominator) * np.cbrt((1.0 - 2.0 / a) / abs(denominator))
    return float((1.0 - 2.0 / (9.0 * a) - term) / np.sqrt(2.0 / (9.0 * a)))


def omnibus(resid: np.ndarray) -> TestResult:
    """D'Agostino-Pearson omnibus test: K² = Z(√b₁)² + Z(b₂)², χ²(2) (needs n ≥ 8)."""
    name = "Omnibus (D'Agostino)"
    n_samples = resid.shape[0]
    if n_samples < 8:
        return _undefined(name, f"it needs at least 8 residuals, got {n_samples}")
    if np.ptp(resid) == 0:
        return _undefined(name, "the residuals are constant")
    skew, kurtosis = _moments(resid)
    statistic = _skew_z(skew, n_samples) ** 2 + _kurtosis_z(kurtosis, n_samples) ** 2
    pvalue = float(scipy.stats.chi2.sf(statistic, 2))
    return TestResult(name, statistic, pvalue, _normality_reading(name, pvalue), "chi2(2)")


def shapiro_wilk(resid: np.ndarray) -> TestResult:
    """Shapiro-Wilk W with Royston's (1995) p-value, from ``scipy.stats.shapiro``.

    W's null distribution has no closed form; Royston's polynomial approximation (algorithm
    AS R94) is a table of fitted constants, so it is taken from SciPy rather than retyped.
    """
    name = "Shapiro-Wilk"
    n_samples = resid.shape[0]
    if n_samples < 3:
        return _undefined(name, f"it needs at least 3 residuals, got {n_samples}")
    if np.ptp(resid) == 0:
        return _undefined(name, "the residuals are constant")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's note that p may be inexact for n > 5000
        result = scipy.stats.shapiro(resid)
    pvalue = float(result.pvalue)
    reading = _normality_reading(name, pvalue)
    if n_samples > 5000:
        reading += " (p approximate for n > 5000)"
    return TestResult(name, float(result.statistic), pvalue, reading, "Royston")


# --- autocorrelation -----------------------------------------------------------------------


def _imhof_upper(weights: np.ndarray) -> float:
    """P(Σ λ_i z_i² > 0) for independent standard normal z (Imhof 1961).

    P = 1/2 + (1/π) ∫₀^∞ sin θ(u) / (u ρ(u)) du,  θ(u) = ½ Σ arctan(λ_i u),
    ρ(u) = Π (1 + λ_i² u²)^{1/4}.
    """

    def integrand(u: float) -> float:
        if u == 0.0:
            return 0.5 * float(np.sum(weights))
        theta = 0.5 * np.sum(np.arctan(weights * u))
        log_rho = 0.25 * np.sum(np.log1p((weights * u) ** 2))
        return float(np.sin(theta) / u * np.exp(-log_rho))

    integral, _ = scipy.integrate.quad(integrand, 0.0, np.inf, limit=200)
    return float(min(max(0.5 + integral / np.pi, 0.0), 1.0))


def _difference_gram(basis: np.ndarray) -> np.ndarray:
    """Bᵀ A B for A = ΔᵀΔ (Δ the first-difference operator), without forming A."""
    differences = np.diff(basis, axis=0)
    return differences.T @ differences


EXACT_DW_MAX_SAMPLES = 500  # O(n³) eigenvalues above; the normal law is accurate there


def _durbin_watson_lower_tail(statistic: float, q: np.ndarray) -> tuple[float, str]:
    """P(d ≤ statistic) under independent normal errors, given an orthonormal basis Q of X.

    d = eᵀAe / eᵀe with e = Mu, M = I - QQᵀ, so P(d ≤ c) = P(Σ (ν_i - c) z_i² ≤ 0) where ν
    are the n-k eigenvalues of A restricted to the residual space. Exact (Imhof) up to
    ``EXACT_DW_MAX_SAMPLES`` rows; above, a normal law with the exact mean and variance
    E d = Σν/m, Var d = 2(m Σν² - (Σν)²)/(m²(m+2)), m = n - k.
    """
    n_samples, rank = q.shape
    m = n_samples - rank
    if n_samples <= EXACT_DW_MAX_SAMPLES:
        full_q = scipy.linalg.qr(q, mode="full")[0]
        complement = full_q[:, rank:]  # (n, n-k): orthonormal basis of the residual space
        eigenvalues = np.linalg.eigvalsh(_difference_gram(complement))
        return 1.0 - _imhof_upper(eigenvalues - statistic), "exact (Imhof)"
    # tr(MA) = tr(A) - tr(QᵀAQ); tr((MA)²) = tr(A²) - 2 tr(QᵀA²Q) + tr((QᵀAQ)²).
    gram = _difference_gram(q)
    a_q = np.zeros_like(q)  # A q = Δᵀ(Δ q)
    differences = np.diff(q, axis=0)
    a_q[:-1] -= differences
    a_q[1:] += differences
    trace_a = 2.0 * (n_samples - 1)
    trace_a2 = 2.0 + 4.0 * (n_samples - 2) + 2.0 * (n_samples - 1)
    sum_nu = trace_a - np.trace(gram)
    sum_nu2 = trace_a2 - 2.0 * np.sum(a_q * a_q) + np.sum(gram * gram)
    mean = sum_nu / m
    variance = 2.0 * (m * sum_nu2 - sum_nu**2) / (m**2 * (m + 2.0))
    return float(scipy.stats.norm.cdf((statistic - mean) / np.sqrt(variance))), "normal approx."


def durbin_watson(resid: np.ndarray, q: np.ndarray) -> TestResult:
    """Durbin-Watson d = Σ(e_t - e_{t-1})² / Σ e_t² with a two-sided p-value.

    The p-value is 2·min(P(d ≤ d_obs), P(d ≥ d_obs)) under independent normal errors,
    computed for this design (so there is no inconclusive region as with tabulated bounds).
    d ≈ 2 means no first-order autocorrelation; d < 2 positive, d > 2 negative.
    """
    name = "Durbin-Watson"
    if _all_zero(resid):
        return _undefined(name, "the residuals are all zero (perfect fit)")
    if resid.shape[0] - q.shape[1] < 2:
        return _undefined(name, "it needs at least 2 residual degrees of freedom")
    statistic = float(np.sum(np.diff(resid) ** 2) / np.sum(resid**2))
    lower, method = _durbin_watson_lower_tail(statistic, q)
    pvalue = float(min(1.0, 2.0 * min(lower, 1.0 - lower)))
    if pvalue < LEVEL:
        sign = "positive" if statistic < 2 else "negative"
        reading = (
            f"Consecutive residuals are correlated ({sign}, d = {statistic:.2f}, "
            f"p = {pvalue:.3g}): if rows are in time order, use cov_type='HAC'."
        )
    else:
        reading = f"No evidence of first-order autocorrelation (d = {statistic:.2f})."
    return TestResult(name, statistic, pvalue, reading, method)


def breusch_godfrey(resid: np.ndarray, design: np.ndarray, nlags: int | None = None) -> TestResult:
    """Breusch-Godfrey LM test: n R² of e on [X, e_{t-1}, ..., e_{t-p}] (lags zero-filled), χ²(p).

    The default p = min(10, ⌊n/5⌋) is statsmodels'.
    """
    name = "Breusch-Godfrey"
    n_samples = resid.shape[0]
    if nlags is None:
        nlags = min(10, n_samples // 5)
    if nlags < 1:
        return _undefined(name, f"too few samples ({n_samples}) for even one lag")
    if _all_zero(resid):
        return _undefined(name, "the residuals are all zero (perfect fit)")
    padded = np.concatenate([np.zeros(nlags), resid])
    lags = np.column_stack(
        [padded[nlags - lag : nlags - lag + n_samples] for lag in range(1, nlags + 1)]
    )  # (n, p): column l-1 is e shifted down by l
    aux = _with_constant(np.column_stack([design, lags]))
    rsquared, _ = _aux_rsquared(aux, resid)
    if rsquared is None:
        return _undefined(name, "the residuals are constant")
    lm = n_samples * rsquared
    pvalue = float(scipy.stats.chi2.sf(lm, nlags))
    if pvalue < LEVEL:
        reading = (
            f"Residuals are correlated with their own lags up to {nlags} (p = {pvalue:.3g}): "
            "if rows are in time order, use cov_type='HAC'."
        )
    else:
        reading = f"No evidence of autocorrelation up to lag {nlags}."
    return TestResult(name, lm, pvalue, reading, f"chi2({nlags})", {"nlags": float(nlags)})


# --- functional form -----------------------------------------------------------------------


def reset(resid: np.ndarray, design: np.ndarray, fitted: np.ndarray, power: int = 3) -> TestResult:
    """Ramsey's RESET: F test that ŷ², ..., ŷ^power add nothing to X.

    F = ((SSR_r - SSR_u)/q) / (SSR_u/(n - rank_u)), with SSR_r the residual sum of squares on
    X and SSR_u on [X, ŷ², ..., ŷ^power]. Regressing the model's residuals e (not y) gives
    the same sums, because y - e lies in the span of X; it also makes the test valid at
    coefficients from a descent solver that had not fully converged.
    """
    name = "Ramsey RESET"
    if power < 2:
        raise ValueError(
            f"power must be an integer >= 2 (ŷ² is the first added term); got {power}."
        )
    if _all_zero(resid):
        return _undefined(name, "the residuals are all zero (perfect fit)")
    if np.ptp(fitted) == 0:
        return _undefined(name, "the fitted values are constant")
    powers = np.column_stack([fitted**p for p in range(2, power + 1)])
    restricted, rank_r = least_squares(design, resid)
    unrestricted, rank_u = least_squares(np.column_stack([design, powers]), resid)
    n_restrictions = rank_u - rank_r
    df_denominator = resid.shape[0] - rank_u
    if n_restrictions < 1 or df_denominator < 1:
        return _undefined(name, "the powers of the fitted values add no new column")
    ssr_r = float(restricted @ restricted)
    ssr_u = float(unrestricted @ unrestricted)
    if ssr_u == 0.0:
        return _undefined(name, "the augmented regression fits exactly")
    statistic = ((ssr_r - ssr_u) / n_restrictions) / (ssr_u / df_denominator)
    pvalue = float(scipy.stats.f.sf(statistic, n_restrictions, df_denominator))
    if pvalue < LEVEL:
        reading = (
            f"Powers of the fitted values improve the fit (p = {pvalue:.3g}): the relation "
            "looks non-linear; consider transformed or interaction features."
        )
    else:
        reading = "No evidence that the linear form misses curvature."
    return TestResult(name, statistic, pvalue, reading, f"F({n_restrictions}, {df_denominator})")
