"""``backend="sklearn"`` for the MLP estimators: scikit-learn's own MLP, the reference.

scikit-learn's ``MLPClassifier``/``MLPRegressor`` is fitted with the same parameters (its
``random_state`` drawn from ours when it is a generator) and its weights are kept, transposed
to glassbox's (out, in) layout, so prediction, ``glassbox.save`` and the benchmark read them
like the NumPy backend's. scikit-learn is imported here only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fit_sklearn_mlp"]

_SHARED = (
    "hidden_layer_sizes", "activation", "solver", "alpha", "batch_size", "learning_rate_init",
    "max_iter", "shuffle", "tol", "early_stopping", "validation_fraction", "beta_1", "beta_2",
    "epsilon", "n_iter_no_change", "momentum", "nesterovs_momentum",
)  # fmt: skip


def fit_sklearn_mlp(
    estimator: Any, X: np.ndarray, y: Any, sample_weight: Any
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[str, Any]]:
    """Fit scikit-learn's MLP of the same kind; return (layers as (W (out, in), b), attributes)."""
    from sklearn import neural_network

    kind = "MLPClassifier" if estimator._is_classifier else "MLPRegressor"
    params = {name: getattr(estimator, name) for name in _SHARED}
    seed = estimator.random_state
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**31 - 1))
    model = getattr(neural_network, kind)(random_state=seed, **params)
    fit_args = {} if sample_weight is None else {"sample_weight": sample_weight}
    model.fit(X, y, **fit_args)
    layers = [
        (np.asarray(W).T.copy(), np.asarray(b).copy())
        for W, b in zip(model.coefs_, model.intercepts_)
    ]
    curve = [float(v) for v in model.loss_curve_]
    attributes = {
        "loss_curve_": curve,
        "loss_": float(model.loss_),
        "best_loss_": float(min(curve)),
        "n_iter_": int(model.n_iter_),
        "t_": int(model.t_),
        "history_": {"epoch": list(range(1, len(curve) + 1)), "train_loss": curve},
        "converged_": int(model.n_iter_) < int(estimator.max_iter),
        "backend_": "sklearn",
        "device_": "cpu",
    }
    return layers, attributes
