"""Rank-deficient and nearly collinear designs: reported, never silent nonsense.

Here glassbox differs from statsmodels on purpose. statsmodels' pinv fit of a rank-deficient
design reports a minimum-norm coefficient with a standard error and p-value for every
column, although the split of weight between exactly dependent columns is arbitrary.
glassbox drops the redundant columns (saying which, and of what they are a combination) and
reports the identifiable model, so the reference is statsmodels on the kept columns.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression

from glassbox.diagnostics import diagnose

from .test_reference import ARRAYS, SCALARS, assert_close


def dependent_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    X = np.column_stack([X, X[:, 0] + 2.0 * X[:, 1]])  # x3 = x1 + 2 x2
    y = X[:, 0] - X[:, 1] + 1.0 + rng.normal(size=60)
    return X, y


def test_redundant_column_dropped_and_rest_matches_reduced_statsmodels() -> None:
    X, y = dependent_data()
    model = LinearRegression().fit(X, y)  # minimum-norm: weight on all three columns
    ours = diagnose(model, X, y, cov_type="HC1")
    assert ours.dropped == ["x3"]
    assert ours.param_names == ["const", "x1", "x2"]
    assert ours.collinearity.reparametrized
    reference = sm.OLS(y, sm.add_constant(X[:, :2])).fit(cov_type="HC1")
    for attribute in SCALARS + ARRAYS:
        assert_close(getattr(ours, attribute), getattr(reference, attribute), attribute)
    assert np.all(np.isfinite(ours.pvalues))
    text = str(ours.summary())
    assert "x3 = 1·x1 + 2·x2" in text
    assert "dropped" in text and "rank deficient (rank 3 of 4 columns)" in text


def test_model_reported_redundant_columns_are_used() -> None:
    """A model that lists ``redundant_features_`` and gave them coefficient 0 is taken at
    its word, and its coefficients are reported unchanged."""
    X, y = dependent_data()
    reduced = LinearRegression().fit(X[:, :2], y)
    model = SimpleNamespace(
        coef_=np.array([*reduced.coef_, 0.0]),
        intercept_=reduced.intercept_,
        fit_intercept=True,
        n_features_in_=3,
        rank_=2,
        redundant_features_=[2],
    )
    ours = diagnose(model, X, y)
    assert ours.dropped == ["x3"] and not ours.collinearity.reparametrized
    np.testing.assert_array_equal(ours.params, [reduced.intercept_, *reduced.coef_])


def test_constant_feature_is_redundant_with_the_intercept() -> None:
    X, y = dependent_data()
    X = np.column_stack([X[:, :2], np.full(60, 5.0)])
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    assert ours.dropped == ["x3"]
    assert "x3 = 5·const" in str(ours.summary())


def test_near_collinearity_is_named_with_its_severity() -> None:
    X, y = dependent_data()
    X[:, 2] += 1e-6 * np.random.default_rng(1).normal(size=60)  # nearly, not exactly
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    assert ours.dropped == []
    assert ours.condition_number_scaled > 1e5
    assert np.all(ours.vif > 1e10)
    notes = " ".join(ours.notes())
    assert "Near-collinearity" in notes
    for name in ("x1", "x2", "x3"):
        assert name in notes
    vif = ours.vif_test()
    assert vif.pvalue is None and "x1, x2, x3" in vif.reading
