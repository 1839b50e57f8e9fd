"""Ridge and RidgeCV against scikit-learn, brute-force leave-one-out, and their objective."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.linear_model import RidgeCV as SklearnRidgeCV

from glassbox.linear import Ridge, RidgeCV
from glassbox.linear.ridge import RIDGE_SOLVERS

SOLVERS = ["auto", *RIDGE_SOLVERS]
# Well-conditioned data; agreement is limited by the peers' own rounding (~1e-14).
RTOL = 1e-10


def data(n_samples=120, n_features=6, n_targets=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) * rng.uniform(1, 100, n_features) + 5
    shape = (n_features,) if n_targets is None else (n_features, n_targets)
    y = X @ rng.standard_normal(shape) + rng.standard_normal((n_samples, *shape[1:]))
    return X, y, rng.uniform(0.2, 3.0, n_samples)


def objective(model, X, y, weights, alpha):
    residual = y - model.predict(X)
    return float(weights @ residual**2 + alpha * model.coef_ @ model.coef_)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-6, 3.0, 1e4])
def test_every_solver_matches_sklearn(solver, fit_intercept, alpha):
    X, y, w = data()
    ours = Ridge(alpha, solver=solver, fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    theirs = SklearnRidge(alpha, fit_intercept=fit_intercept, solver="svd").fit(
        X, y, sample_weight=w
    )
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=RTOL, atol=1e-10)
    # Same model: glassbox's objective value is never worse than scikit-learn's.
    assert objective(ours, X, y, w, alpha) <= objective(theirs, X, y, w, alpha) * (1 + 1e-12)


def test_solvers_reach_the_same_minimum_on_an_ill_conditioned_design():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(1, 10, 60))
    X = np.column_stack([x**k for k in range(1, 7)])
    y = np.sin(x)
    fits = [Ridge(1e-3, solver=solver).fit(X, y) for solver in RIDGE_SOLVERS]
    for fit in fits[1:]:
        np.testing.assert_allclose(fit.predict(X), fits[0].predict(X), rtol=1e-7, atol=1e-9)


def test_several_targets_with_one_alpha_each():
    X, Y, _ = data(n_targets=3)
    alphas = np.array([0.1, 10.0, 1000.0])
    ours = Ridge(alphas).fit(X, Y)
    theirs = SklearnRidge(alphas).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=RTOL)


def test_alpha_zero_is_least_squares_and_wide_data_works():
    X, y, _ = data()
    from glassbox import LinearRegression

    np.testing.assert_allclose(
        Ridge(0.0).fit(X, y).coef_, LinearRegression().fit(X, y).coef_, rtol=1e-10
    )
    X_wide, y_wide, _ = data(n_samples=10, n_features=30)
    ours = Ridge(2.0).fit(X_wide, y_wide)
    assert ours.solver_ == "svd"
    np.testing.assert_allclose(ours.coef_, SklearnRidge(2.0).fit(X_wide, y_wide).coef_, rtol=1e-9)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf, [1.0, 2.0]])
def test_bad_alpha_is_a_clear_error(bad):
    X, y, _ = data()
    with pytest.raises(ValueError, match="alpha must be"):
        Ridge(bad).fit(X, y)


def test_ridge_cv_leave_one_out_matches_sklearn():
    X, y, _ = data()
    alphas = np.logspace(-3, 4, 15)
    ours = RidgeCV(alphas=alphas).fit(X, y)
    theirs = SklearnRidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-10)
    np.testing.assert_allclose(ours.cv_results_, theirs.cv_results_, rtol=1e-8)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=RTOL)


def test_weighted_leave_one_out_equals_refitting_without_each_sample():
    X, y, w = data(n_samples=30, n_features=3)
    alphas = np.array([0.5, 50.0])
    model = RidgeCV(alphas=alphas).fit(X, y, sample_weight=w)
    brute = np.empty((len(y), alphas.size))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        for a, alpha in enumerate(alphas):
            fit = Ridge(alpha).fit(X[keep], y[keep], sample_weight=w[keep])
            brute[i, a] = (y[i] - fit.predict(X[i : i + 1])[0]) ** 2
    np.testing.assert_allclose(model.cv_results_, brute, rtol=1e-8)


def test_ridge_cv_kfold_and_bad_parameters():
    X, y, _ = data()
    model = RidgeCV(alphas=[0.1, 10.0], cv=5).fit(X, y)
    assert model.alpha_ in (0.1, 10.0)
    with pytest.raises(ValueError, match="alphas must be"):
        RidgeCV(alphas=[0.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="cv must be"):
        RidgeCV(cv=1).fit(X, y)


@pytest.mark.parametrize(
    "solver,options,noise,rtol",
    [
        ("bgd", {}, 1.0, 1e-6),
        ("minibatch", {"variance_reduction": "svrg", "tol": 1e-12}, 1.0, 1e-8),
        ("sgd", {"variance_reduction": "svrg", "tol": 1e-12}, 1.0, 1e-8),
        ("minibatch", {}, 0.01, 1e-4),
    ],
)
def test_descent_solvers_reach_the_same_ridge_minimum(solver, options, noise, rtol):
    """The same alpha means the same model, whichever solver: descent lands on Cholesky's
    answer. Tolerances are the accuracy promises for each kind of descent: batch 1e-6, SVRG
    1e-8 (linear convergence), plain mini-batch 1e-4 on low-noise data (plain stochastic
    steps stop at a noise floor that grows with the noise in y)."""
    X, y, w = data(n_samples=400)
    y = X @ np.linalg.lstsq(X, y, rcond=None)[0] + noise * (
        y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    )
    exact = Ridge(50.0, solver="cholesky").fit(X, y, sample_weight=w)
    model = Ridge(50.0, solver=solver, random_state=0, **options).fit(X, y, sample_weight=w)
    truth = np.r_[exact.intercept_, exact.coef_]
    # Normwise: this design's intercept is nearly 0, so an element-wise ratio would mislead.
    error = np.max(np.abs(np.r_[model.intercept_, model.coef_] - truth)) / np.max(np.abs(truth))
    assert error < rtol
    assert model.n_iter_ >= 1 and "train_loss" in model.history_
