"""Penalized fits are labelled and get bootstrap intervals; unconverged fits get a note."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from glassbox.diagnostics import diagnose

from .conftest import DATASETS


def test_ridge_is_labelled_and_uses_the_bootstrap() -> None:
    X, y = DATASETS["diabetes"]()
    model = Ridge(alpha=0.1).fit(X, y)
    results = diagnose(model, X, y, n_bootstrap=40, random_state=0)
    assert results.regularization == "Ridge, alpha=0.1"
    for attribute in ("pvalues", "tvalues", "fvalue"):
        with pytest.raises(ValueError, match="penalized fit"):
            getattr(results, attribute)
    intervals = results.conf_int()
    assert intervals.shape == (11, 2)
    assert np.all(intervals[:, 0] <= intervals[:, 1])
    # the same seed gives the same resamples
    again = diagnose(model, X, y, n_bootstrap=40, random_state=0)
    np.testing.assert_array_equal(again.conf_int(), intervals)
    text = str(results.summary())
    assert "Penalized fit" in text and "boot std err" in text and "bootstrap" in text
    np.testing.assert_allclose(results.params[1:], model.coef_)


def test_bootstrap_agrees_with_robust_errors_for_least_squares() -> None:
    """For OLS on well-behaved data the pairs-bootstrap standard errors estimate the same
    quantity as HC errors; with 300 resamples they agree to within ~20% (the Monte Carlo
    error of a standard deviation from B draws is about 1/√(2B) ≈ 4%, plus sampling noise of
    the HC estimate itself)."""
    X, y = DATASETS["well_behaved"]()
    results = diagnose(LinearRegression().fit(X, y), X, y, "HC3", n_bootstrap=300, random_state=1)
    bootstrap_se = np.diff(results.bootstrap_conf_int(0.3173), axis=1).ravel() / 2
    np.testing.assert_allclose(bootstrap_se, results.bse, rtol=0.2)
    assert results.regularization is None
    assert results.pvalues.shape == (4,)


def test_bootstrap_requires_a_request() -> None:
    X, y = DATASETS["well_behaved"]()
    with pytest.raises(ValueError, match="n_bootstrap"):
        diagnose(LinearRegression().fit(X, y), X, y).bootstrap_conf_int()


def test_unconverged_descent_fit_is_noted() -> None:
    X, y = DATASETS["well_behaved"]()
    exact = LinearRegression().fit(X, y)
    model = SimpleNamespace(
        coef_=exact.coef_ * 0.9,
        intercept_=exact.intercept_,
        fit_intercept=True,
        n_features_in_=3,
        converged_=False,
    )
    results = diagnose(model, X, y)
    np.testing.assert_array_equal(results.params[1:], model.coef_)  # inference at its coef
    np.testing.assert_allclose(results.resid, y - X @ model.coef_ - exact.intercept_)
    assert any("had not converged" in note for note in results.notes())
