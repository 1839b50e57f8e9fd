"""Each kind of bad input gets a clear error, and a perfect fit gets defined values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from glassbox.diagnostics import diagnose
from glassbox.exceptions import NotFittedError


def data(n_samples: int = 30) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 3))
    return X, X @ [1.0, 2.0, 3.0] + rng.normal(size=n_samples)


def test_no_residual_degrees_of_freedom() -> None:
    X, y = data(4)  # 4 rows, 4 parameters with the intercept
    with pytest.raises(ValueError, match=r"Not enough samples.*0 residual degrees of freedom"):
        diagnose(LinearRegression().fit(X, y), X, y)


def test_perfect_fit_has_defined_values_and_no_warnings() -> None:
    X, _ = data()
    y = X @ [1.0, 2.0, -3.0] + 3.0
    model = LinearRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = diagnose(model, X, y)
        assert results.perfect_fit
        assert results.rsquared == 1.0 and results.mse_resid == 0.0
        np.testing.assert_array_equal(results.bse, 0.0)
        np.testing.assert_array_equal(results.tvalues, np.copysign(np.inf, results.params))
        np.testing.assert_array_equal(results.pvalues, 0.0)
        assert results.fvalue == np.inf and results.f_pvalue == 0.0
        assert results.llf == np.inf
        tests = results.assumption_tests()
        assert all(t.statistic is None for t in tests[:8])
        assert all("perfect fit" in t.reading for t in tests[:8])
        text = str(results.summary())
        results.influence
    assert "Perfect fit" in text


def test_unfitted_model() -> None:
    X, y = data()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        diagnose(LinearRegression(), X, y)
    with pytest.raises(TypeError, match="fitted model instance"):
        diagnose(LinearRegression, X, y)


def test_wrong_number_of_features() -> None:
    X, y = data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LinearRegression was fitted on 3"):
        diagnose(model, X[:, :2], y)


def test_unknown_cov_type() -> None:
    X, y = data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown cov_type 'HC4'.*'HAC'"):
        diagnose(model, X, y, cov_type="HC4")


def test_other_bad_arguments() -> None:
    X, y = data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        diagnose(model, X, y[:-1])
    with pytest.raises(ValueError, match="maxlags must be a non-negative integer"):
        diagnose(model, X, y, cov_type="HAC", maxlags=-1)
    with pytest.raises(ValueError, match="alpha must be in"):
        diagnose(model, X, y).conf_int(alpha=1.5)
    with pytest.raises(ValueError, match="power must be an integer >= 2"):
        diagnose(model, X, y).reset(power=1)
    two = np.column_stack([y, y])
    with pytest.raises(ValueError, match="one target at a time"):
        diagnose(LinearRegression().fit(X, two), X, two)
    with pytest.raises(ValueError, match="NaN"):
        diagnose(model, np.where(X > 1, np.nan, X), y)
