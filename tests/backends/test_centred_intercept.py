"""Full-batch descent on centred data holds the standardized intercept at its exact optimum 0.

With ``standardize`` and ``fit_intercept`` the (weighted) means of z̃ and ỹ are zero, so
∂F/∂b̃ = (Σs/n) b̃ and b̃* = 0 for every w̃ (eq. 3 of ``glassbox.linear.descent``). The
references here are that equation (checked numerically), the same descent on the full
parameter vector with the intercept's gradient set to its exact value 0, and the exact solver.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassbox import LinearRegression
from glassbox.exceptions import ConvergenceWarning
from glassbox.linear.descent import LeastSquaresObjective, Standardizer, fit_descent
from glassbox.optim.loop import descend
from glassbox.registry import backend_status

requires_torch = pytest.mark.skipif(
    not backend_status("torch")[0], reason="PyTorch is not installed"
)


def make_data(seed=0, n=80, p=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-5, 5, p)
    y = X @ rng.standard_normal(p) + 2.0 + 0.1 * rng.standard_normal(n)
    return X, y, rng.uniform(0.5, 2.0, n)


class ZeroInterceptGradient:
    """The full objective with ∂F/∂b̃ replaced by its exact value at b̃ = 0, namely 0."""

    def __init__(self, objective):
        self.objective, self.n_samples = objective, objective.n_samples

    def value(self, params, rows):
        return self.objective.value(params, rows)

    def _zeroed(self, grads):
        (g,) = grads
        g = g.copy()
        g[-1] = 0.0
        return (g,)

    def grad(self, params, rows):
        return self._zeroed(self.objective.grad(params, rows))

    def value_and_grad(self, params, rows):
        value, grads = self.objective.value_and_grad(params, rows)
        return value, self._zeroed(grads)


def test_the_intercept_gradient_on_centred_data_vanishes_for_every_slope():
    # Eq. (3): with weighted centring, Σ sᵢ(ỹᵢ − z̃ᵢᵀw̃) = 0 for any w̃, so at b̃ = 0 the
    # computed gradient is rounding noise, ~ε times the size of the summands.
    X, y, w = make_data()
    scaler = Standardizer.fit(X, y, w, fit_intercept=True, standardize=True)
    objective = LeastSquaresObjective(scaler.design(X), scaler.target(y), w)
    for seed in range(5):
        W = np.r_[np.random.default_rng(seed).standard_normal(3) * 10, 0.0]
        (g,) = objective.grad((W,), slice(None))
        assert abs(g[-1]) <= 1e-13 * np.linalg.norm(g[:-1])


@pytest.mark.parametrize(
    ("optimizer", "options"),
    [
        ("sgd", {}),
        ("momentum", {}),
        ("adagrad", {"initial_accumulator_value": 0.1}),
        ("rmsprop", {}),
        ("adam", {}),
        ("adamw", {}),
    ],
)
def test_holding_the_intercept_is_descent_with_its_exact_zero_gradient(optimizer, options):
    # The same run on the full parameters, with the intercept's gradient its exact value 0:
    # identical slopes, b̃ = 0, and the same optimizer state (which partial_fit continues).
    X, y, w = make_data(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = fit_descent(
            X,
            y,
            w,
            method="bgd",
            optimizer=optimizer,
            optimizer_options=options,
            learning_rate=0.05,
            max_epochs=40,
        )
        scaler = Standardizer.fit(X, y, w, fit_intercept=True, standardize=True)
        objective = LeastSquaresObjective(scaler.design(X), scaler.target(y), w)
        run = descend(
            ZeroInterceptGradient(objective),
            (np.zeros(4),),
            optimizer=optimizer,
            learning_rate=0.05,
            optimizer_options=options,
            max_epochs=40,
            tol=1e-9,
        )
    (held,) = result.state.params
    assert held[-1] == 0.0
    np.testing.assert_allclose(held, run.params[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.history["train_loss"], run.history["train_loss"], rtol=1e-12)
    ours = result.state.loop_state.optimizer_state
    theirs = run.state.optimizer_state
    for a, b in zip(_leaves(ours), _leaves(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def _leaves(tree):
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [np.asarray(float(tree))] if isinstance(tree, (int, float)) else []


def test_full_batch_adam_reaches_the_weighted_least_squares_solution():
    # b̃ held at 0 costs nothing: the weighted fit's intercept comes out of eq. (2) exactly.
    X, y, w = make_data(2)
    exact = LinearRegression(solver="qr").fit(X, y, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearRegression(
            solver="bgd", optimizer="adam", learning_rate=0.01, max_epochs=3000, tol=1e-10
        ).fit(X, y, w)
    # Adam with a constant step hovers within ~η of the minimum in standardized units.
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-3)
    assert model.intercept_ == pytest.approx(exact.intercept_, rel=1e-3)


def test_a_warm_start_intercept_is_set_to_its_optimum():
    X, y, _ = make_data(3)
    exact = LinearRegression(solver="qr").fit(X, y)
    result = fit_descent(
        X, y, method="bgd", warm_start=(exact.coef_, exact.intercept_ + 5.0), tol=1e-6
    )
    assert result.state.params[0][-1] == 0.0
    assert result.intercept == pytest.approx(exact.intercept_, rel=1e-9)


@pytest.mark.parametrize(
    "options",
    [
        {"method": "minibatch", "batch_size": 16},  # batch means are not zero
        {"method": "bgd", "early_stopping": True},  # the training rows are a random subset
        {"method": "bgd", "standardize": False},  # nothing is centred
    ],
    ids=repr,
)
def test_the_intercept_is_learned_where_its_gradient_is_genuine(options):
    X, y, _ = make_data(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = fit_descent(X, y, max_epochs=5, random_state=0, **options)
    assert result.state.params[0].shape == (4,)
    assert result.state.params[0][-1] != 0.0


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_partial_fit_continues_after_a_full_batch_fit(optimizer):
    X, y, _ = make_data(5)
    model = LinearRegression(solver="bgd", optimizer=optimizer, max_epochs=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.partial_fit(X[:30] + 1.0, y[:30])  # a later, uncentred chunk: b̃ moves
    assert model._descent_state.params[0][-1] != 0.0
    assert np.all(np.isfinite(model.coef_))


@requires_torch
@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam", "adamw"])
def test_torch_holds_the_intercept_too(optimizer):
    X, y, w = make_data(6)
    params = {"solver": "bgd", "optimizer": optimizer, "max_epochs": 30, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LinearRegression(backend="torch", **params).fit(X, y, w)
        reference = LinearRegression(**params).fit(X, y, w)
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10, atol=0
    )
    assert ours.intercept_ == pytest.approx(reference.intercept_, rel=1e-10)
