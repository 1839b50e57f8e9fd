"""Assumption tests against statsmodels (and SciPy), and their verdicts on data built to
break one assumption each.

Tolerance 1e-8 relative: each statistic is a closed-form function of least-squares
residuals of well-conditioned auxiliary regressions, computed by both sides in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression
from statsmodels.stats import diagnostic, stattools
from statsmodels.stats.outliers_influence import variance_inflation_factor

from glassbox.diagnostics import diagnose
from glassbox.diagnostics.assumptions import durbin_watson, omnibus

from .conftest import DATASETS

RTOL = 1e-8


def both(X: object, y: object):
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    reference = sm.OLS(np.asarray(y, float), sm.add_constant(np.asarray(X, float))).fit()
    return ours, reference


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.SingularMatrixWarning")
def test_breusch_pagan_and_white(dataset: tuple) -> None:
    _name, X, y = dataset
    ours, reference = both(X, y)
    exog = reference.model.exog
    lm, lm_p, _, _ = diagnostic.het_breuschpagan(reference.resid, exog, robust=True)
    bp = ours.breusch_pagan()
    np.testing.assert_allclose([bp.statistic, bp.pvalue], [lm, lm_p], rtol=RTOL)
    white = ours.white()
    n_aux = exog.shape[1] * (exog.shape[1] + 1) // 2
    if n_aux >= len(y):
        # longley: 28 auxiliary columns for 16 rows. statsmodels returns R² = 1 of a
        # saturated regression; glassbox says the test is not defined.
        assert white.statistic is None and "28 columns for 16 samples" in white.reading
        return
    lm, lm_p, _, _ = diagnostic.het_white(reference.resid, exog)
    np.testing.assert_allclose([white.statistic, white.pvalue], [lm, lm_p], rtol=RTOL)


def test_white_drops_redundant_products_like_statsmodels() -> None:
    """diabetes' sex column takes two values, so sex² is a combination of 1 and sex: the
    auxiliary design is rank deficient and the χ² degrees of freedom must use its rank."""
    X, y = DATASETS["diabetes"]()
    ours, _reference = both(X, y)
    assert ours.white().null_distribution == "chi2(64)"  # 66 columns, sex² redundant, minus 1


def test_normality(dataset: tuple) -> None:
    _name, X, y = dataset
    ours, reference = both(X, y)
    jb, jb_p, skew, kurtosis = stattools.jarque_bera(reference.resid)
    result = ours.jarque_bera()
    np.testing.assert_allclose(
        [result.statistic, result.pvalue, result.extra["skew"], result.extra["kurtosis"]],
        [jb, jb_p, skew, kurtosis],
        rtol=RTOL,
    )
    k2, k2_p = stattools.omni_normtest(reference.resid)
    result = ours.omnibus()
    np.testing.assert_allclose([result.statistic, result.pvalue], [k2, k2_p], rtol=RTOL)
    w, w_p = scipy.stats.shapiro(reference.resid)
    result = ours.shapiro_wilk()
    np.testing.assert_allclose([result.statistic, result.pvalue], [w, w_p], rtol=RTOL)


def test_autocorrelation(dataset: tuple) -> None:
    _name, X, y = dataset
    ours, reference = both(X, y)
    np.testing.assert_allclose(
        ours.durbin_watson().statistic, stattools.durbin_watson(reference.resid), rtol=RTOL
    )
    lm, lm_p, _, _ = diagnostic.acorr_breusch_godfrey(reference, result_object=False)
    result = ours.breusch_godfrey()
    np.testing.assert_allclose([result.statistic, result.pvalue], [lm, lm_p], rtol=RTOL)
    lm, lm_p, _, _ = diagnostic.acorr_breusch_godfrey(reference, nlags=2, result_object=False)
    result = ours.breusch_godfrey(nlags=2)
    np.testing.assert_allclose([result.statistic, result.pvalue], [lm, lm_p], rtol=RTOL)


def test_reset(dataset: tuple) -> None:
    name, X, y = dataset
    ours, reference = both(X, y)
    if name == "longley":
        # ŷ³ is ~1e14 beside columns of order 1: statsmodels' pinv (no column scaling)
        # declares the augmented design singular and returns F = 6.95 instead of 2.27.
        # test_reset_longley_against_exact_arithmetic checks glassbox there.
        return
    for power in (2, 3):
        expected = diagnostic.linear_reset(reference, power=power, use_f=True)
        result = ours.reset(power=power)
        np.testing.assert_allclose(
            [result.statistic, result.pvalue],
            [float(np.squeeze(expected.statistic)), float(expected.pvalue)],
            rtol=RTOL,
        )


def test_vif_and_condition_number(dataset: tuple) -> None:
    _name, X, y = dataset
    ours, reference = both(X, y)
    exog = reference.model.exog
    expected = [variance_inflation_factor(exog, j) for j in range(1, exog.shape[1])]
    np.testing.assert_allclose(ours.vif, expected, rtol=RTOL)
    assert ours.vif_test().statistic == pytest.approx(max(expected), rel=RTOL)
    np.testing.assert_allclose(ours.condition_number, reference.condition_number, rtol=RTOL)
    scaled = exog / np.linalg.norm(exog, axis=0)
    singular = np.linalg.svd(scaled, compute_uv=False)
    np.testing.assert_allclose(ours.condition_number_scaled, singular[0] / singular[-1], rtol=1e-8)


VERDICTS = {
    # dataset: tests that must reject at 5%
    "heteroscedastic": {"Breusch-Pagan", "White"},
    "autocorrelated": {"Durbin-Watson", "Breusch-Godfrey"},
    "curved": {"Ramsey RESET"},
    "skewed": {"Jarque-Bera", "Omnibus (D'Agostino)", "Shapiro-Wilk"},
}
ALL_TESTS = {
    "Breusch-Pagan",
    "White",
    "Jarque-Bera",
    "Omnibus (D'Agostino)",
    "Shapiro-Wilk",
    "Durbin-Watson",
    "Breusch-Godfrey",
    "Ramsey RESET",
}


@pytest.mark.parametrize("name", ["well_behaved", *VERDICTS])
def test_verdicts_on_synthetic_data(name: str) -> None:
    """Each violation is detected; well-behaved data pass every test (fixed seeds)."""
    X, y = DATASETS[name]()
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    tests = {test.name: test for test in ours.assumption_tests()}
    must_reject = VERDICTS.get(name, set())
    for test_name in must_reject:
        assert tests[test_name].rejects(), (name, test_name, tests[test_name])
        assert "p = " in tests[test_name].reading
    if name == "well_behaved":
        for test_name in ALL_TESTS:
            assert not tests[test_name].rejects(), (test_name, tests[test_name])
        assert not tests["VIF (max)"].reading.startswith("Collinear")


def test_durbin_watson_pvalue_against_simulation() -> None:
    """The exact (Imhof) distribution of d against 20 000 simulated null residual vectors.

    Tolerance 0.01: the Monte Carlo standard error of a probability near 0.5 is
    √(0.25/20000) ≈ 0.0035, so 0.01 is about three standard errors.
    """
    rng = np.random.default_rng(0)
    n_samples = 30
    design = np.column_stack([np.ones(n_samples), rng.normal(size=(n_samples, 2))])
    q = np.linalg.qr(design)[0]
    errors = rng.normal(size=(20000, n_samples))
    resid = errors - (errors @ q) @ q.T
    simulated = np.sum(np.diff(resid, axis=1) ** 2, axis=1) / np.sum(resid**2, axis=1)
    for observed in np.quantile(simulated, [0.1, 0.5, 0.8]):
        probe = np.zeros(n_samples)
        # a residual vector with exactly this d is not needed: test the tail function itself
        from glassbox.diagnostics.assumptions import _durbin_watson_lower_tail

        lower, method = _durbin_watson_lower_tail(float(observed), q)
        assert method == "exact (Imhof)"
        assert lower == pytest.approx(np.mean(simulated <= observed), abs=0.01)
        del probe
    result = durbin_watson(resid[0], q)
    assert 0.0 <= result.pvalue <= 1.0


def test_durbin_watson_normal_approximation_for_long_series() -> None:
    """Above 2000 rows the moments of d are exact and the law normal: compare with the
    exact tail on a design where both are cheap (the moment formulas do not depend on n)."""
    from glassbox.diagnostics import assumptions

    rng = np.random.default_rng(1)
    design = np.column_stack([np.ones(400), rng.normal(size=400)])
    q = np.linalg.qr(design)[0]
    exact, _ = assumptions._durbin_watson_lower_tail(1.9, q)
    limit = assumptions.EXACT_DW_MAX_SAMPLES
    try:
        assumptions.EXACT_DW_MAX_SAMPLES = 100
        approximate, method = assumptions._durbin_watson_lower_tail(1.9, q)
    finally:
        assumptions.EXACT_DW_MAX_SAMPLES = limit
    assert method == "normal approx."
    assert approximate == pytest.approx(exact, abs=0.01)  # n = 400: CLT error well below 0.01


def test_omnibus_needs_eight_residuals() -> None:
    result = omnibus(np.arange(7.0))
    assert result.statistic is None and "at least 8" in result.reading


def test_reset_longley_against_exact_arithmetic() -> None:
    """RESET on longley with 60-digit least squares (normal equations lose at most ~2·log10
    of the condition number, about 30 digits, leaving 30): glassbox to 1e-8."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 60
    X, y = DATASETS["longley"]()
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    design = sm.add_constant(X.to_numpy())
    fitted = ours.fittedvalues
    augmented = np.column_stack([design, fitted**2, fitted**3])

    def ssr(matrix: np.ndarray) -> object:
        a = mp.matrix(matrix.tolist())
        b = mp.matrix(y.to_numpy().tolist())
        resid = b - a * ((a.T * a) ** -1 * (a.T * b))
        return sum(r**2 for r in resid)

    restricted, unrestricted = ssr(design), ssr(augmented)
    df = len(y) - augmented.shape[1]
    exact = float(((restricted - unrestricted) / 2) / (unrestricted / df))
    assert ours.reset().statistic == pytest.approx(exact, rel=1e-8)
