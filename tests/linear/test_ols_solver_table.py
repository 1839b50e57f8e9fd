"""Every LinearRegression solver, exact or descent, reaches the same minimum.

Tolerances are the issue's accuracy promises on well-conditioned data with default settings:
exact solvers to rounding, bgd 1e-6, minibatch 1e-4, sgd 1e-3 relative, and the
variance-reduced descent (SVRG) 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassbox
from glassbox import LinearRegression
from glassbox.linear.descent import METHODS
from glassbox.linear.solvers import SOLVERS

TOLERANCE = {"normal": 1e-12, "qr": 1e-12, "svd": 1e-12, "auto": 1e-12}
TOLERANCE |= {"bgd": 1e-6, "minibatch": 1e-4, "sgd": 1e-3}


def data(seed=0, n_samples=2000, n_features=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) * [1, 2, 5, 0.5, 3] + [3, -1, 10, 0, 2]
    y = X @ np.array([1.0, -2.0, 0.5, 4.0, 1.5]) + 2.0 + 0.01 * rng.standard_normal(n_samples)
    return X, y


def relative_error(model, exact):
    truth = np.r_[exact.intercept_, exact.coef_]
    return np.max(np.abs(np.r_[model.intercept_, model.coef_] - truth) / np.abs(truth))


@pytest.mark.parametrize("solver", sorted(set(SOLVERS) - {"beta"} | set(METHODS) | {"auto"}))
def test_every_solver_reaches_the_exact_minimum(solver):
    X, y = data()
    exact = LinearRegression(precision="extended").fit(X, y)
    model = LinearRegression(solver=solver, random_state=0).fit(X, y)
    assert relative_error(model, exact) < TOLERANCE[solver]


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_variance_reduction_converges_to_the_exact_answer(solver):
    X, y = data()
    exact = LinearRegression().fit(X, y)
    model = LinearRegression(solver=solver, variance_reduction="svrg", random_state=0).fit(X, y)
    assert relative_error(model, exact) < 1e-8
    assert model.n_iter_ < 100


def test_descent_records_its_history_and_is_reproducible():
    X, y = data()
    a = LinearRegression(solver="minibatch", random_state=7).fit(X, y)
    b = LinearRegression(solver="minibatch", random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.converged_ and a.n_iter_ == len(a.history_["train_loss"])
    assert {"train_loss", "grad_norm", "learning_rate", "elapsed_seconds"} <= set(a.history_)
    assert a.n_steps_ >= a.n_iter_ * (len(y) // 32)


def test_partial_fit_streams_to_the_answer():
    X, y = data()
    exact = LinearRegression().fit(X, y)
    model = LinearRegression(solver="minibatch", random_state=0)
    for _ in range(30):
        for chunk in np.array_split(np.arange(len(y)), 4):
            model.partial_fit(X[chunk], y[chunk])
    assert relative_error(model, exact) < 1e-3
    with pytest.raises(ValueError, match="X has 4 features"):
        model.partial_fit(X[:, :4], y)


def test_descent_model_round_trips_through_save(tmp_path):
    X, y = data()
    model = LinearRegression(solver="bgd").fit(X, y)
    loaded = glassbox.load(glassbox.save(model, tmp_path / "bgd.gbx"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.history_["train_loss"] == model.history_["train_loss"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": np.nan}, "learning_rate"),
        ({"batch_size": 0, "solver": "minibatch"}, "batch_size"),
        ({"batch_size": 10**6, "solver": "minibatch"}, "batch_size"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"optimizer": "adamm"}, r"adamm.*adam"),
        ({"precision": "extended"}, "applies to the exact solvers"),
    ],
)
def test_bad_descent_parameters_are_clear_errors(params, message):
    X, y = data(n_samples=200)
    options = {"solver": "bgd"} | params
    with pytest.raises(ValueError, match=message):
        LinearRegression(**options).fit(X, y)


def test_divergence_is_reported_not_returned_as_nan():
    X, y = data(n_samples=200)
    with pytest.raises(glassbox.DivergenceError, match="learning rate"):
        LinearRegression(solver="bgd", learning_rate=50.0, standardize=False).fit(X * 100, y)


def test_early_stopping_on_given_validation_data():
    """validation_data: the held-out rows are the caller's, standardized with the training
    statistics and never trained on; the run stops on their loss."""
    X, y = data()
    X_val, y_val = data(seed=1, n_samples=300)
    model = LinearRegression(solver="minibatch", random_state=0, n_iter_no_change=3)
    model.fit(X, y, validation_data=(X_val, y_val))
    losses = np.asarray(model.history_["validation_loss"])
    assert np.all(np.isfinite(losses)) and len(losses) == model.n_iter_
    # The returned model is the one with the best validation loss, on the caller's rows.
    from glassbox.linear.descent import Standardizer

    scaler = Standardizer.fit(X, y, None, fit_intercept=True, standardize=True)
    residual = (y_val - model.predict(X_val)) / scaler.y_scale[0]
    assert 0.5 * np.mean(residual**2) == pytest.approx(losses.min(), rel=1e-9)
    with pytest.raises(ValueError, match="validation_data is for early stopping"):
        LinearRegression(solver="qr").fit(X, y, validation_data=(X_val, y_val))
    with pytest.raises(ValueError, match="validation_data has 4 features"):
        LinearRegression(solver="bgd").fit(X, y, validation_data=(X_val[:, :4], y_val))
