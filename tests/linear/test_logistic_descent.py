"""LogisticRegression's descent solvers (glassbox.optim's loop) against Newton's minimum."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris

from glassbox import LogisticRegression
from glassbox.exceptions import ConvergenceWarning


def standardized(loader):
    X, y = loader(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def objective(model, X, y, C):
    """scikit-learn's objective C Σ log loss + ½‖w‖², from predicted probabilities."""
    proba = model.predict_proba(X)
    loss = -np.sum(np.log(proba[np.arange(len(y)), np.searchsorted(model.classes_, y)]))
    return C * loss + 0.5 * float(np.sum(model.coef_**2))


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris], ids=["binary", "softmax"])
def test_batch_descent_reaches_newtons_minimum(loader):
    X, y = standardized(loader)
    newton = LogisticRegression(C=0.1, solver="newton", tol=1e-10).fit(X, y)
    descent = LogisticRegression(C=0.1, solver="bgd", max_iter=5000, tol=1e-12).fit(X, y)
    # Full-batch steps with step 1/L converge linearly; 1e-6 normwise is the promise.
    scale = np.max(np.abs(newton.coef_))
    assert np.max(np.abs(descent.coef_ - newton.coef_)) / scale < 1e-6


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_stochastic_descent_gets_close_and_is_reproducible(solver):
    X, y = standardized(load_breast_cancer)
    C = 0.1
    newton = LogisticRegression(C=C, solver="newton", tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = LogisticRegression(C=C, solver=solver, max_iter=60, random_state=3).fit(X, y)
        b = LogisticRegression(C=C, solver=solver, max_iter=60, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    # Plain stochastic steps stop at a noise floor: the objective is within 1% of the minimum
    # and the classifier as accurate as Newton's to within 2 points.
    best = objective(newton, X, y, C)
    assert objective(a, X, y, C) <= best * 1.01
    assert a.score(X, y) >= newton.score(X, y) - 0.02


@pytest.mark.parametrize(
    "options,message",
    [
        ({"solver": "bgd", "learning_rate": -1.0}, "learning_rate"),
        ({"solver": "minibatch", "batch_size": 10**6}, "batch_size"),
        ({"solver": "minibatch", "batch_size": 0}, "batch_size"),
    ],
)
def test_bad_descent_options_are_clear_errors(options, message):
    X, y = standardized(load_breast_cancer)
    with pytest.raises(ValueError, match=message):
        LogisticRegression(**options).fit(X, y)
