"""Lasso / ElasticNet against scikit-learn, across solvers, and on bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes

from glassbox.linear import ElasticNet, Lasso
from glassbox.linear.coordinate_descent import coordinate_descent
from glassbox.linear.lasso import ENET_SOLVERS
from glassbox.linear.least_squares_problem import prepare_problem

# Tight tolerances on both sides: at tol=1e-12 the duality gap bounds the distance to the
# unique minimum far below 1e-5 relative, so what remains is the L1 agreement the issue
# asks for (1e-5 relative), not either solver's stopping point.
TIGHT = {"tol": 1e-12, "max_iter": 200_000}


def objective(X, y, w, b, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's elastic-net objective, eq. (1) of glassbox.linear.lasso."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight * len(y) / sample_weight.sum()
    r = y - X @ w - b
    return (
        s @ r**2 / (2 * len(y))
        + alpha * l1_ratio * np.abs(w).sum()
        + 0.5 * alpha * (1 - l1_ratio) * w @ w
    )


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 30)) @ (np.eye(30) + 0.3 * rng.standard_normal((30, 30)))
    w = np.zeros(30)
    w[:6] = rng.standard_normal(6) * 3
    y = X @ w + 2.0 + rng.standard_normal(120)
    return X, y


def _rel(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12)


@pytest.mark.parametrize("solver", sorted(ENET_SOLVERS))
@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.1, 1.0), (1.0, 1.0), (0.05, 0.3), (0.5, 0.7)])
def test_matches_sklearn_on_diabetes(diabetes, solver, precompute, alpha, l1_ratio):
    X, y = diabetes
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **TIGHT).fit(X, y)
    model = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, solver=solver, precompute=precompute, **TIGHT
    ).fit(X, y)
    assert _rel(model.coef_, ref.coef_) < 1e-5
    assert abs(model.intercept_ - ref.intercept_) < 1e-5 * abs(ref.intercept_)
    # the zero pattern is sklearn's: exact zeros where it has them
    np.testing.assert_array_equal(model.coef_ == 0, ref.coef_ == 0)
    ours = objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
    theirs = objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-10)  # never worse beyond rounding


@pytest.mark.parametrize("solver", sorted(ENET_SOLVERS))
@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_all_solvers_reach_the_same_minimum_with_weights(synthetic, solver, selection):
    X, y = synthetic
    weights = np.random.default_rng(1).uniform(0.2, 3.0, len(y))
    ref = sk.ElasticNet(alpha=0.2, l1_ratio=0.8, **TIGHT).fit(X, y, sample_weight=weights)
    model = ElasticNet(
        alpha=0.2, l1_ratio=0.8, solver=solver, selection=selection, random_state=0, **TIGHT
    ).fit(X, y, sample_weight=weights)
    assert _rel(model.coef_, ref.coef_) < 1e-5  # L1 fits: 1e-5 relative (issue 4)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)
    assert model.dual_gap_ <= 1e-12 * np.var(y) * 2  # gap below tol·‖y − ȳ‖²/n (weighted)


def test_default_tolerance_gives_sklearn_gap_and_iterations(diabetes):
    """At the default tol both stop by the same rule: same epochs, same gap."""
    X, y = diabetes
    ref = sk.Lasso(alpha=0.1, precompute=True).fit(X, y)
    model = Lasso(alpha=0.1).fit(X, y)
    assert model.n_iter_ == ref.n_iter_
    assert model.dual_gap_ == pytest.approx(ref.dual_gap_, rel=1e-6, abs=1e-12)
    assert model.solver_ == "cd" and model.precompute_ is True


def test_vectorized_sweep_equals_scalar_sweep(synthetic):
    """The triangular-solve epoch is the scalar cyclic epoch, up to rounding."""
    X, y = synthetic
    problem = prepare_problem(X, y[:, None], None, fit_intercept=True, use_gram=True)
    view = problem.target(0)
    n = problem.n_samples
    for alpha in [0.01, 0.1, 1.0]:
        kwargs = {"max_iter": 5000, "tol": 1e-10}
        fast = coordinate_descent(view, n * alpha, 0.0, np.zeros(30), **kwargs)
        slow = coordinate_descent(view, n * alpha, 0.0, np.zeros(30), vectorize=False, **kwargs)
        assert fast.n_iter == slow.n_iter
        # rounding differs (a triangular solve vs sequential updates) and compounds over
        # the epochs; relative to the coefficient scale it stays near machine precision
        assert _rel(fast.coef, slow.coef) < 1e-10
        np.testing.assert_array_equal(fast.coef == 0, slow.coef == 0)


def test_multi_target_fits_each_column(synthetic):
    X, y = synthetic
    Y = np.column_stack([y, -2 * y + 1])
    ref = sk.Lasso(alpha=0.3, **TIGHT).fit(X, Y)
    model = Lasso(alpha=0.3, **TIGHT).fit(X, Y)
    assert model.coef_.shape == (2, 30)
    assert _rel(model.coef_, ref.coef_) < 1e-5
    np.testing.assert_allclose(model.predict(X), ref.predict(X), rtol=1e-6)


def test_large_alpha_gives_all_zero_and_mean_intercept(synthetic):
    X, y = synthetic
    model = Lasso(alpha=1e6).fit(X, y)
    assert np.all(model.coef_ == 0.0)
    assert model.intercept_ == pytest.approx(y.mean())


def test_warm_start_reuses_coefficients(diabetes):
    X, y = diabetes
    model = Lasso(alpha=0.1, warm_start=True).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_ <= 1  # already at the minimum: the gap check passes at once


def test_no_intercept_matches_sklearn(diabetes):
    X, y = diabetes
    ref = sk.Lasso(alpha=0.05, fit_intercept=False, **TIGHT).fit(X, y)
    model = Lasso(alpha=0.05, fit_intercept=False, **TIGHT).fit(X, y)
    assert _rel(model.coef_, ref.coef_) < 1e-5
    assert model.intercept_ == 0.0


def test_wide_design_uses_the_design_form():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 80))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(30)
    ref = sk.Lasso(alpha=0.05, **TIGHT).fit(X, y)
    model = Lasso(alpha=0.05, **TIGHT).fit(X, y)
    assert model.precompute_ is False
    assert _rel(model.coef_, ref.coef_) < 1e-5


def test_nonconvergence_warns(diabetes):
    X, y = diabetes
    from glassbox.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="did not converge"):
        Lasso(alpha=0.001, max_iter=2, tol=1e-12).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"alpha": -1.0}, r"alpha must be in \[0"),
        ({"l1_ratio": 1.5}, r"l1_ratio must be in \[0, 1\]"),
        ({"l1_ratio": -0.1}, r"l1_ratio must be in \[0, 1\]"),
        ({"selection": "shuffle"}, "selection must be one of"),
        ({"solver": "newton"}, "solver must be one of"),
        ({"max_iter": 0}, "max_iter must be an integer >= 1"),
        ({"precompute": "yes"}, "precompute must be one of"),
    ],
)
def test_bad_hyperparameters(synthetic, params, match):
    X, y = synthetic
    with pytest.raises(ValueError, match=match):
        ElasticNet(**params).fit(X, y)


def test_bad_data(synthetic):
    X, y = synthetic
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Lasso().fit(X, y[:-1])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso().fit(bad, y)


def test_no_runtime_warnings_on_constant_column(synthetic):
    X, y = synthetic
    X = X.copy()
    X[:, 4] = 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Lasso(alpha=0.1).fit(X, y)
    assert model.coef_[4] == 0.0
