"""Influence measures against statsmodels' OLSInfluence (1e-8 relative, closed forms of the
same residuals and leverages)."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression
from statsmodels.stats.outliers_influence import OLSInfluence

from glassbox.diagnostics import diagnose
from glassbox.diagnostics.influence import influence


def test_matches_statsmodels(dataset: tuple) -> None:
    _name, X, y = dataset
    ours = diagnose(LinearRegression().fit(X, y), X, y).influence
    fit = sm.OLS(np.asarray(y, float), sm.add_constant(np.asarray(X, float))).fit()
    reference = OLSInfluence(fit)
    pairs = {
        "hat_matrix_diag": reference.hat_matrix_diag,
        "resid_studentized_internal": reference.resid_studentized_internal,
        "resid_studentized_external": reference.resid_studentized_external,
        "cooks_distance": reference.cooks_distance[0],
        "dffits": reference.dffits[0],
    }
    for attribute, expected in pairs.items():
        scale = np.max(np.abs(expected))
        np.testing.assert_allclose(
            getattr(ours, attribute), expected, rtol=1e-8, atol=1e-8 * scale, err_msg=attribute
        )
    assert ours.dffits_cutoff == reference.dffits[1]


def test_cutoffs_flag_a_planted_outlier() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = X @ [1.0, 2.0] + rng.normal(scale=0.5, size=100)
    X[7] = [6.0, -6.0]  # far from the cloud: high leverage
    y[7] = 40.0  # and far off the plane: outlier and influential
    result = diagnose(LinearRegression().fit(X, y), X, y).influence
    for flagged in (result.high_leverage, result.outliers, result.influential, result.high_dffits):
        assert 7 in flagged
    assert "rows 7" in result.summary_line()


def test_leverage_one_is_defined_without_warnings() -> None:
    """A point with h = 1 pins its own fit: studentized residual 0, Cook's distance inf."""
    resid = np.array([0.0, 1.0, -1.0, 0.5, -0.5])
    hat = np.array([1.0, 0.3, 0.3, 0.2, 0.2])
    result = influence(resid, hat, scale=1.0, n_params=2)
    assert result.resid_studentized_internal[0] == 0.0
    assert np.isinf(result.cooks_distance[0])
    assert np.all(np.isfinite(result.cooks_distance[1:]))
