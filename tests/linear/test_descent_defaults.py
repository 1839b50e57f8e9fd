"""Default descent reaches its target whatever the noise, and converged_ means it did.

Reference: the exact least-squares solution (numpy.linalg.lstsq). Data: standardized
Gaussian columns (well conditioned), noise of standard deviation 0.01, 1 and 10 times the
signal's, the benchmark lab's budget of 100 epochs (glassbox.bench.config.default_params).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassbox.exceptions import ConvergenceWarning
from glassbox.linear import LinearRegression, Ridge
from glassbox.linear.descent import fit_descent
from glassbox.optim.schedules import InvScaling

BUDGET = 100  # epochs, as in the bench's default run
# The targets for the default settings; bgd (conjugate gradient) reaches the
# minimum to the gradient tolerance 1e-9, i.e. far below 1e-8 on this conditioning.
TARGETS = {"bgd": 1e-8, "minibatch": 1e-4, "sgd": 1e-3}


def noisy_data(noise, seed=0, n=3000, p=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    signal = X @ rng.standard_normal(p)
    y = signal + 1.0 + noise * signal.std() * rng.standard_normal(n)
    return X, y


def relative_error(model, X, y):
    exact = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), y, rcond=None)[0]
    estimate = np.r_[model.coef_, model.intercept_]
    return np.linalg.norm(estimate - exact) / np.linalg.norm(exact)


@pytest.mark.parametrize("noise", [0.01, 1.0, 10.0])
@pytest.mark.parametrize("method", sorted(TARGETS))
def test_default_descent_meets_its_target_at_every_noise_level(method, noise):
    X, y = noisy_data(noise)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # must converge within the budget
        model = LinearRegression(solver=method, max_epochs=BUDGET, random_state=0).fit(X, y)
    assert model.converged_
    assert relative_error(model, X, y) < TARGETS[method]
    expected = {"bgd": ("conjugate_gradient", None)}.get(method, ("sgd", "svrg"))
    assert (model.optimizer_, model.variance_reduction_) == expected


def test_converged_is_false_when_the_target_was_not_met():
    X, y = noisy_data(10.0)
    with pytest.warns(ConvergenceWarning):
        model = LinearRegression(solver="minibatch", max_epochs=2, random_state=0).fit(X, y)
    assert not model.converged_
    assert relative_error(model, X, y) > TARGETS["minibatch"]


def test_ridge_default_descent_reaches_the_exact_ridge_solution():
    X, y = noisy_data(1.0, n=1000)
    exact = Ridge(alpha=3.0, solver="cholesky").fit(X, y)
    for method in ("bgd", "sgd", "minibatch"):
        model = Ridge(alpha=3.0, solver=method, max_epochs=BUDGET, random_state=0).fit(X, y)
        assert model.converged_
        np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-6)


def test_a_given_learning_rate_runs_plain_steps():
    X, y = noisy_data(1.0, n=500)
    model = LinearRegression(solver="sgd", learning_rate=1e-3, max_epochs=3, tol=None)
    model.fit(X, y)
    assert (model.optimizer_, model.variance_reduction_) == ("sgd", None)
    assert model.learning_rate_reason_ == "given"


def test_tol_none_runs_every_epoch_like_scikit_learn():
    """tol=None: no stopping rule, max_epochs epochs, no warning; the same recurrence as
    SGDRegressor(tol=None) over three unshuffled epochs (float64, sums reordered: 1e-9)."""
    from sklearn.linear_model import SGDRegressor

    X, y = noisy_data(0.5, n=400, p=5)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = LinearRegression(
            solver="sgd",
            learning_rate=InvScaling(0.01, 0.25),
            max_epochs=3,
            tol=None,
            shuffle=False,
            standardize=False,
        ).fit(X, y)
    reference = SGDRegressor(
        penalty=None, eta0=0.01, power_t=0.25, max_iter=3, tol=None, shuffle=False
    ).fit(X, y)
    assert ours.n_iter_ == 3 and not ours.converged_
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(reference.intercept_[0], rel=1e-9)


def test_tol_none_is_accepted_by_fit_descent_and_bad_tol_still_rejected():
    X, y = noisy_data(1.0, n=300)
    result = fit_descent(X, y, method="bgd", optimizer="sgd", max_epochs=4, tol=None)
    assert result.n_iter == 4 and not result.converged
    with pytest.raises(ValueError, match="tol must be a finite number >= 0, or None"):
        fit_descent(X, y, method="bgd", tol=-1.0)


@pytest.mark.parametrize("method", ["sgd", "minibatch", "bgd"])
def test_unstandardized_descent_with_an_implicit_column_of_ones(method):
    """standardize=False descends on X itself (the intercept's column of ones implicit): the
    same iterates as on the explicit design (X, 1) with fit_intercept=False, to rounding."""
    X, y = noisy_data(1.0, n=400, p=4)
    explicit = np.hstack([X, np.ones((len(X), 1))])
    common = dict(method=method, learning_rate=0.005, max_epochs=3, tol=None, random_state=0)
    implicit = fit_descent(X, y, standardize=False, **common)
    reference = fit_descent(explicit, y, standardize=False, fit_intercept=False, **common)
    np.testing.assert_allclose(implicit.coef, reference.coef[:-1], rtol=1e-10)
    assert implicit.intercept == pytest.approx(reference.coef[-1], rel=1e-10)


@pytest.mark.parametrize("standardize", [True, False])
def test_constant_step_kernel_equals_the_step_by_step_loop(standardize):
    """The BLAS hot path (one target, constant step) against the generic per-row loop of
    glassbox.optim.loop (a GradientTransformation is never fused): rounding only, 1e-10."""
    from glassbox.optim import get_optimizer

    X, y = noisy_data(0.5, n=333, p=4)
    common = dict(method="sgd", max_epochs=3, tol=None, random_state=4, standardize=standardize)
    fused = fit_descent(X, y, learning_rate=0.002, optimizer="sgd", **common)
    generic = fit_descent(
        X, y, learning_rate=0.002, optimizer=get_optimizer("sgd", 0.002), **common
    )
    np.testing.assert_allclose(fused.coef, generic.coef, rtol=1e-10)
    assert fused.intercept == pytest.approx(generic.intercept, rel=1e-10)


@pytest.mark.parametrize(
    "options",
    [
        {"method": "sgd"},
        {"method": "sgd", "standardize": False},
        {"method": "sgd", "weights": True},
        {"method": "minibatch", "batch_size": 16},
    ],
    ids=repr,
)
def test_tol_none_records_the_running_loss_of_each_epoch(options):
    """tol=None: the epoch's loss is the mean of each step's loss at its own iterate, got for
    free from the kernel's residuals; the generic loop (a GradientTransformation is never
    fused) evaluates each batch's loss directly before its step. Rounding only: 1e-10."""
    from glassbox.optim import get_optimizer

    options = dict(options)
    X, y = noisy_data(0.5, n=120, p=3)
    weights = (
        np.random.default_rng(1).uniform(0.5, 2.0, len(X)) if options.pop("weights", 0) else None
    )
    common = dict(learning_rate=0.01, max_epochs=2, tol=None, random_state=0, **options)
    fused = fit_descent(X, y, weights, optimizer="sgd", **common)
    reference = fit_descent(X, y, weights, optimizer=get_optimizer("sgd", 0.01), **common)
    assert np.isnan(fused.history["grad_norm"]).all()
    np.testing.assert_allclose(
        fused.history["train_loss"], reference.history["train_loss"], rtol=1e-10
    )
