"""The scikit-learn backend of histogram boosting: its estimator, our flat arrays.

``backend="sklearn"`` fits ``sklearn.ensemble.HistGradientBoosting*`` with the same
parameters, then copies its trees (``_predictors``, one ``nodes`` record array per tree) and
its baseline into glassbox's flat arrays. Prediction, persistence and the benchmark then
differ from the NumPy backend only in who grew the trees. scikit-learn is imported here only,
when such a fit runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fit_with_sklearn"]

_PARAMS = (
    "loss",
    "learning_rate",
    "max_iter",
    "max_leaf_nodes",
    "max_depth",
    "min_samples_leaf",
    "l2_regularization",
    "max_bins",
    "early_stopping",
    "scoring",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "random_state",
)


def fit_with_sklearn(estimator: Any, X: np.ndarray, y: np.ndarray, weight: Any) -> None:
    """Fit scikit-learn's twin of ``estimator`` and store its trees in ``estimator``."""
    from sklearn import ensemble

    twin_class = getattr(ensemble, type(estimator).__name__)
    twin = twin_class(**{name: getattr(estimator, name) for name in _PARAMS})
    twin.fit(X, y, sample_weight=weight)
    trees = [tree.nodes for iteration in twin._predictors for tree in iteration]
    sizes = np.array([len(nodes) for nodes in trees], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    nodes = np.concatenate(trees)
    leaf = nodes["is_leaf"].astype(bool)
    own = np.arange(len(nodes), dtype=np.int64)
    shift = np.repeat(offsets[:-1], sizes)
    estimator.nodes_feature_ = np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64)
    estimator.nodes_threshold_ = np.where(leaf, np.inf, nodes["num_threshold"]).astype(np.float64)
    estimator.nodes_missing_left_ = nodes["missing_go_to_left"].astype(np.bool_) & ~leaf
    estimator.nodes_left_ = np.where(leaf, own, nodes["left"].astype(np.int64) + shift)
    estimator.nodes_right_ = np.where(leaf, own, nodes["right"].astype(np.int64) + shift)
    estimator.nodes_value_ = np.where(leaf, nodes["value"], 0.0).astype(np.float64)
    estimator.nodes_depth_ = nodes["depth"].astype(np.int64)
    estimator.tree_offsets_ = offsets
    estimator.baseline_prediction_ = np.asarray(twin._baseline_prediction, dtype=np.float64).ravel()
    estimator.n_trees_per_iteration_ = int(twin.n_trees_per_iteration_)
    estimator.n_iter_ = int(twin.n_iter_)
    estimator.do_early_stopping_ = bool(twin.do_early_stopping_)
    estimator.train_score_ = np.asarray(twin.train_score_, dtype=np.float64)
    estimator.validation_score_ = np.asarray(twin.validation_score_, dtype=np.float64)
    thresholds = twin._bin_mapper.bin_thresholds_
    estimator.bin_thresholds_ = np.concatenate(thresholds).astype(np.float64)
    estimator.bin_offsets_ = np.concatenate([[0], np.cumsum([len(t) for t in thresholds])]).astype(
        np.int64
    )
