"""MLPClassifier and MLPRegressor against scikit-learn's, from the same initial weights.

scikit-learn's MLP is fitted once for a single epoch (so it holds every fitted attribute),
its weights are replaced by the ones glassbox draws (scikit-learn's Glorot rule with our
generator), and ``warm_start`` continues from them; both then see the same batches in the
same order (``shuffle=False``). With SGD (momentum, Nesterov) the two compute the same
float64 arithmetic, so the loss curves agree to 1e-12 and the weights to 1e-12. Adam is
compared with ε = 1e-13: scikit-learn adds ε to √v before the bias correction, glassbox
after it (the textbook form), which differs by ε·(1 − √(1 − β₂ᵗ)) / √v per step; with a
negligible ε the curves agree to 1e-9 (rounding of the √ and the bias corrections) and the
weights to 1e-6 (the step m̂ / √v̂ amplifies rounding where a weight's gradients are near 0).
The regressor is compared on one target: for k targets scikit-learn reports the loss
(1/2nk) Σ (ŷ − y)² but steps along the gradient of (1/2n) Σ (ŷ − y)², k times larger;
glassbox steps along the gradient of the loss it reports.
Then divergence, and the bad inputs of the issue.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassbox.exceptions import DivergenceError
from glassbox.nn.estimators import (
    MLPClassifier,
    MLPRegressor,
    as_generator,
    sklearn_initial_weights,
)

sklearn_nn = pytest.importorskip("sklearn.neural_network")


def data(task: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((120, 5))
    targets = {
        "multiclass": rng.integers(0, 3, 120),
        "binary": rng.integers(0, 2, 120),
        "regression": X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(120),
    }
    return X, targets[task]


def from_our_start(params: dict, X: np.ndarray, y: np.ndarray, n_outputs: int, regressor: bool):
    """scikit-learn's MLP trained from the initial weights glassbox draws."""
    kind = sklearn_nn.MLPRegressor if regressor else sklearn_nn.MLPClassifier
    sizes = [X.shape[1], *params["hidden_layer_sizes"], n_outputs]
    start = sklearn_initial_weights(
        sizes, params["activation"], as_generator(params["random_state"]), np.float64
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "max_iter reached": on purpose
        theirs = kind(**{**params, "max_iter": 1}).fit(X, y)
        theirs.set_params(warm_start=True, max_iter=params["max_iter"])
        theirs.coefs_ = [W.T.copy() for W, _ in start]  # sklearn keeps W as (in, out)
        theirs.intercepts_ = [b.copy() for _, b in start]
        theirs.loss_curve_, theirs.t_, theirs.n_iter_ = [], 0, 0
        theirs.best_loss_, theirs._no_improvement_count = np.inf, 0
        theirs.fit(X, y)
    return theirs


CASES = [
    ("multiclass", "sgd", 3),
    ("binary", "sgd", 1),
    ("regression", "sgd", 1),
    ("multiclass", "adam", 3),
    ("binary", "adam", 1),
    ("regression", "adam", 1),
]


@pytest.mark.parametrize(("task", "solver", "n_outputs"), CASES)
def test_the_same_start_gives_scikit_learns_loss_curve_and_weights(task, solver, n_outputs):
    X, y = data(task)
    params = dict(
        hidden_layer_sizes=(7, 4),
        activation="tanh",
        solver=solver,
        alpha=1e-3,
        batch_size=40,
        learning_rate_init=0.02 if task == "regression" else 0.05,
        max_iter=12,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=100,
        random_state=3,
        epsilon=1e-13,
    )
    ours_class = MLPRegressor if task == "regression" else MLPClassifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ours_class(**params).fit(X, y)
    theirs = from_our_start(params, X, y, n_outputs, task == "regression")
    tolerance = 1e-12 if solver == "sgd" else 1e-9
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=tolerance)
    # Adam's step m̂ / √v̂ amplifies rounding where a weight's gradients are near zero
    weight_tolerance = tolerance if solver == "sgd" else 1e-6
    for W, W_ref in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(W, W_ref, rtol=weight_tolerance, atol=weight_tolerance)
    if task == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-9)
    else:
        np.testing.assert_allclose(
            ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6, atol=1e-9
        )
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_divergence_raises_and_leaves_no_half_trained_estimator() -> None:
    X, y = data("regression")
    model = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=1e3)
    with pytest.raises(DivergenceError):
        model.fit(X, 1e6 * y)
    assert not hasattr(model, "weights_") and not hasattr(model, "loss_curve_")


def test_bad_input_gets_clear_errors() -> None:
    X, y = data("multiclass")
    with pytest.raises(ValueError, match=r"activation must be one of \['identity', 'logistic'"):
        MLPClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match=r"solver must be one of \['adam', 'sgd'\]"):
        MLPClassifier(solver="lbfgs").fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(max_iter=1).fit(X_nan, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = MLPClassifier(hidden_layer_sizes=(3,), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="5 features"):
        fitted.predict(X[:, :4])
