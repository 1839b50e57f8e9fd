"""Histogram gradient boosting: ``HistGradientBoostingClassifier`` / ``Regressor``.

Boosting adds one tree per iteration (one per class for multiclass log loss) to the raw
prediction, starting from the constant baseline ``F_0`` (hist_losses.py)::

    F_m(x) = F_{m−1}(x) + ν T_m(x),      m = 1 .. max_iter                      (1)

Tree ``T_m`` is grown on the gradients ``g_i = ∂ℓ(y_i, F_{m−1}(x_i)) / ∂F`` and Hessians
``h_i`` of the loss (a second-order Taylor step, Chen & Guestrin 2016): features binned into
at most 255 quantile bins (binning.py), splits chosen on gradient and Hessian histograms with
the gain ``G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`` (histogram.py), leaves valued
``−ν G / (H + λ)`` (hist_grower.py). NaN is a value of its own: each split learns which side
it goes to. This is glassbox's one model family that accepts NaN in ``X``.

Early stopping (``early_stopping="auto"``: on when there are more than 10,000 samples) holds
out ``validation_fraction`` of the data and stops when the validation loss has not improved
by more than ``tol`` in ``n_iter_no_change`` iterations, as scikit-learn does.

All trees are stored in flat arrays (``nodes_feature_``, ``nodes_threshold_``, ...) with
``tree_offsets_``, so a model saves and loads bit-for-bit as arrays plus JSON.
``backend="sklearn"`` fits scikit-learn's estimator with the same parameters and stores its
trees in the same arrays (the reference backend of the benchmarks).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, ClassifierMixin, RegressorMixin
from glassbox.labels import check_classification_target
from glassbox.registry import register_estimator
from glassbox.trees import _fitting, hist_sklearn
from glassbox.trees.binning import bin_data, find_bins
from glassbox.trees.hist_grower import GrowthLimits, grow_tree, predict_raw
from glassbox.trees.hist_losses import LOSSES, Loss, expit, softmax
from glassbox.trees.histogram import HistogramBuilder, SplitFinder
from glassbox.validation import check_sample_weight, validate_data

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]

_NODE_FIELDS = ("feature", "threshold", "missing_left", "left", "right", "value", "depth")
_BACKENDS = ("numpy", "sklearn")


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(None if random_state is None else int(random_state))
    raise ValueError(
        f"random_state must be None, an int or a numpy Generator; got {random_state!r}."
    )


def _check_int(name: str, value: Any, low: int, *, none_ok: bool = False) -> None:
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        allowed = f"an int >= {low}" + (" or None" if none_ok else "")
        raise ValueError(f"{name} must be {allowed}; got {value!r}.")


def _check_number(name: str, value: Any, low: float, *, strict: bool) -> None:
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and bool(np.isfinite(float(value)))
    )
    if not ok or (value <= low if strict else value < low):
        sign = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {sign} {low}; got {value!r}.")


class _HistGradientBoosting(BaseEstimator):
    """The boosting loop (eq. 1) shared by the classifier and the regressor."""

    loss: str
    learning_rate: float
    max_iter: int
    max_leaf_nodes: int | None
    max_depth: int | None
    min_samples_leaf: int
    l2_regularization: float
    max_bins: int
    early_stopping: Any
    scoring: str
    validation_fraction: Any
    n_iter_no_change: int
    tol: float
    random_state: Any
    backend: str

    def _check_params(self, task_losses: tuple[str, ...]) -> None:
        if self.loss not in task_losses:
            raise ValueError(f"loss must be one of {list(task_losses)}; got {self.loss!r}.")
        if self.backend not in _BACKENDS:
            raise ValueError(f"backend must be one of {list(_BACKENDS)}; got {self.backend!r}.")
        _check_number("learning_rate", self.learning_rate, 0.0, strict=True)
        _check_int("max_iter", self.max_iter, 1)
        _check_int("max_leaf_nodes", self.max_leaf_nodes, 2, none_ok=True)
        _check_int("max_depth", self.max_depth, 1, none_ok=True)
        _check_int("min_samples_leaf", self.min_samples_leaf, 1)
        _check_number("l2_regularization", self.l2_regularization, 0.0, strict=False)
        _check_int("n_iter_no_change", self.n_iter_no_change, 1)
        _check_number("tol", self.tol, 0.0, strict=False)
        _check_int("max_bins", self.max_bins, 2)
        if self.max_bins > 255:
            raise ValueError(
                f"max_bins must be <= 255 (one more bin is kept for missing values, and codes "
                f"are uint8); got {self.max_bins}."
            )
        if self.early_stopping not in ("auto", True, False):
            raise ValueError(
                f"early_stopping must be 'auto', True or False; got {self.early_stopping!r}."
            )
        if self.scoring != "loss":
            raise ValueError(
                f"scoring must be 'loss' (early stopping on the loss); got {self.scoring!r}."
            )
        fraction = self.validation_fraction
        if fraction is not None:
            if isinstance(fraction, numbers.Integral) and not isinstance(fraction, bool):
                _check_int("validation_fraction", fraction, 1)
            elif not (isinstance(fraction, numbers.Real) and 0 < float(fraction) < 1):
                raise ValueError(
                    "validation_fraction must be None, a float in (0, 1) or an int >= 1 "
                    f"(a number of samples); got {fraction!r}."
                )

    # --- fitting ------------------------------------------------------------------------

    def _boost(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weight: np.ndarray | None,
        loss: Loss,
        strata: np.ndarray | None,
    ) -> None:
        rng = _rng(self.random_state)
        n_samples = X.shape[0]
        self.do_early_stopping_ = bool(
            n_samples > 10_000 if self.early_stopping == "auto" else self.early_stopping
        )
        validation = None
        train = np.arange(n_samples)
        if self.do_early_stopping_ and self.validation_fraction is not None:
            train, held_out = _split(n_samples, self.validation_fraction, strata, rng)
            validation = (X[held_out], y[held_out], None if weight is None else weight[held_out])
            X, y = X[train], y[train]
            weight = None if weight is None else weight[train]

        bins = find_bins(X, self.max_bins, sample_weight=weight, rng=rng)
        codes = bin_data(X, bins)
        has_missing = (codes == bins.missing_bin).any(axis=0)
        n_slots = int(bins.n_bins_non_missing.max()) + 1  # value bins, then NaN's slot
        limits = GrowthLimits(
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=float(self.l2_regularization),
            learning_rate=float(self.learning_rate),
        )
        find_splits = SplitFinder(
            bins.n_bins_non_missing,
            has_missing,
            n_slots,
            l2_regularization=limits.l2_regularization,
            min_samples_leaf=limits.min_samples_leaf,
            min_hessian=limits.min_hessian,
            integer_counts=weight is None,
        )
        K = loss.n_trees_per_iteration
        baseline = loss.baseline(y, weight)
        F = np.tile(baseline, (len(y), 1))  # (n_samples, K) raw predictions
        F_val = None if validation is None else np.tile(baseline, (len(validation[1]), 1))
        trees = []
        train_score: list[float] = []
        validation_score: list[float] = []

        def record() -> bool:
            """Append this iteration's scores (−loss); True when it is time to stop."""
            if not self.do_early_stopping_:
                return False
            train_score.append(-loss(y, F, weight))
            scores = train_score
            if validation is not None and F_val is not None:
                validation_score.append(-loss(validation[1], F_val, validation[2]))
                scores = validation_score
            return _should_stop(scores, self.n_iter_no_change, self.tol)

        record()
        build = HistogramBuilder(codes, bins.missing_bin, n_slots, weight)
        for _ in range(self.max_iter):
            gradient, hessian = loss.gradient_hessian(y, F, weight)
            for k in range(K):
                tree = grow_tree(
                    codes,
                    build,
                    np.ascontiguousarray(gradient[:, k]),
                    None if hessian is None else np.ascontiguousarray(hessian[:, k]),
                    weight,
                    bins,
                    has_missing,
                    limits,
                    find_splits,
                )
                step = np.empty(len(y))  # each sample's leaf value: every sample is in one leaf
                for node, rows in zip(tree.leaf_nodes, tree.leaf_rows):
                    if not loss.differentiable:
                        wk = None if weight is None else weight[rows]
                        tree.value[node] = self.learning_rate * loss.leaf_value(
                            y[rows], F[rows, k], wk
                        )
                    step[rows] = tree.value[node]
                F[:, k] += step
                trees.append(tree)
                if F_val is not None and validation is not None:
                    one = {name: getattr(tree, name) for name in _NODE_FIELDS}
                    F_val[:, k] += predict_raw(validation[0], one, np.array([0, len(tree.value)]))[
                        :, 0
                    ]
            if record():
                break

        self._store_trees(trees, baseline, K)
        self.train_score_ = np.asarray(train_score)
        self.validation_score_ = np.asarray(validation_score)
        self.bin_thresholds_ = bins.thresholds
        self.bin_offsets_ = bins.offsets

    def _store_trees(self, trees: list[Any], baseline: np.ndarray, K: int) -> None:
        sizes = np.array([len(tree.value) for tree in trees], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        for name in _NODE_FIELDS:
            parts = [getattr(tree, name) for tree in trees]
            if name in ("left", "right"):
                parts = [part + start for part, start in zip(parts, offsets[:-1])]
            setattr(self, f"nodes_{name}_", np.concatenate(parts))
        self.tree_offsets_ = offsets
        self.baseline_prediction_ = np.asarray(baseline, dtype=np.float64)
        self.n_trees_per_iteration_ = int(K)
        self.n_iter_ = len(trees) // K

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, task_losses: tuple[str, ...], task: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        self._check_params(task_losses)
        X_checked = validate_data(self, X, reset=True, allow_nan=True)
        return X_checked, y, check_sample_weight(sample_weight, X_checked.shape[0])

    # --- predicting ---------------------------------------------------------------------

    def _raw_predict(self, X: Any) -> np.ndarray:
        """F(x) of eq. (1): (n_samples, n_trees_per_iteration)."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, allow_nan=True)
        arrays = {name: getattr(self, f"nodes_{name}_") for name in _NODE_FIELDS}
        leaves = predict_raw(X, arrays, self.tree_offsets_)  # (n_samples, n_trees)
        K = self.n_trees_per_iteration_
        per_class = leaves.reshape(X.shape[0], -1, K).sum(axis=1)  # trees are iteration-major
        return per_class + self.baseline_prediction_


def _split(
    n_samples: int, fraction: Any, strata: np.ndarray | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) row indices; stratified by class for classifiers."""
    n_val = (
        int(fraction)
        if isinstance(fraction, numbers.Integral)
        else int(np.ceil(fraction * n_samples))
    )
    if not 1 <= n_val < n_samples:
        raise ValueError(
            f"validation_fraction={fraction!r} leaves {n_samples - n_val} training sample(s) out "
            f"of {n_samples}; choose a fraction that keeps samples on both sides."
        )
    order = rng.permutation(n_samples)
    if strata is None:
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    # Interleave the classes so that any prefix holds them in proportion.
    labels = strata[order]
    rank = np.empty(n_samples)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rank[members] = (np.arange(len(members)) + 0.5) / len(members)
    by_rank = order[np.argsort(rank, kind="stable")]
    return np.sort(by_rank[n_val:]), np.sort(by_rank[:n_val])


def _should_stop(scores: list[float], n_iter_no_change: int, tol: float) -> bool:
    """Stop when none of the last ``n_iter_no_change`` scores beats the one before them by
    more than ``tol`` (scikit-learn's rule; scores are −loss, higher is better)."""
    reference = n_iter_no_change + 1
    if len(scores) < reference:
        return False
    reference_score = scores[-reference] + tol
    return not any(score > reference_score for score in scores[-reference + 1 :])


@register_estimator
class HistGradientBoostingRegressor(RegressorMixin, _HistGradientBoosting):
    """Histogram gradient boosting for regression (squared or absolute error).

    Parameters
    ----------
    loss : {"squared_error", "absolute_error"}
        ``½ (y − f)²`` (leaves ``−ν G/(H+λ)``) or ``|y − f|`` (leaves: ``ν`` times the median
        residual of the leaf).
    learning_rate : float
        The shrinkage ``ν`` of eq. (1).
    max_iter : int
        Number of boosting iterations (trees), unless early stopping ends sooner.
    max_leaf_nodes, max_depth, min_samples_leaf : int or None
        Tree size limits; trees grow best first (largest gain next).
    l2_regularization : float
        ``λ`` in the leaf values and the gain.
    max_bins : int
        Bins per feature for non-missing values (at most 255; NaN gets one more).
    early_stopping, scoring, validation_fraction, n_iter_no_change, tol
        Early stopping on the held-out loss (``"auto"``: when n_samples > 10,000).
    random_state : int, Generator or None
        Seeds the validation split and the binning subsample (over 200,000 rows).
    backend : {"numpy", "sklearn"}
        glassbox's NumPy code, or scikit-learn's estimator with the same parameters.

    Attributes
    ----------
    n_iter_, n_trees_per_iteration_, baseline_prediction_, train_score_, validation_score_,
    do_early_stopping_, nodes_*_ and tree_offsets_ (the trees as flat arrays),
    bin_thresholds_ and bin_offsets_ (the bins).
    """

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: Any = "auto",
        scoring: str = "loss",
        validation_fraction: Any = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
        backend: str = "numpy",
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.backend = backend

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.multi_output = False
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> HistGradientBoostingRegressor:
        """Fit ``max_iter`` boosting iterations (fewer with early stopping)."""
        X, y, weight = self._fit(X, y, sample_weight, ("squared_error", "absolute_error"), "")
        target = _fitting.check_regression_target(y, X.shape[0], owner=type(self).__name__)
        if self.backend == "sklearn":
            hist_sklearn.fit_with_sklearn(self, X, target, weight)
            return self
        loss = LOSSES[self.loss]["regression"]()
        self._boost(X, target, weight, loss, strata=None)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """F(x) of eq. (1)."""
        return self._raw_predict(X)[:, 0]


@register_estimator
class HistGradientBoostingClassifier(ClassifierMixin, _HistGradientBoosting):
    """Histogram gradient boosting for classification (log loss, binary or multiclass).

    Binary: one tree per iteration on ``f = log(p / (1 − p))``. ``K > 2`` classes: one tree
    per class per iteration, ``p_k = softmax(f)_k``. Parameters as
    :class:`HistGradientBoostingRegressor` (``loss="log_loss"`` only); ``classes_`` holds
    the labels.
    """

    def __init__(
        self,
        loss: str = "log_loss",
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: Any = "auto",
        scoring: str = "loss",
        validation_fraction: Any = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
        backend: str = "numpy",
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.backend = backend

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> HistGradientBoostingClassifier:
        """Fit ``max_iter`` boosting iterations (fewer with early stopping)."""
        X, y, weight = self._fit(X, y, sample_weight, ("log_loss",), "")
        classes, encoded = check_classification_target(y, X.shape[0], owner=type(self).__name__)
        self.classes_ = classes
        if self.backend == "sklearn":
            hist_sklearn.fit_with_sklearn(self, X, classes[encoded], weight)
            return self
        kind = "binary" if len(classes) == 2 else "multiclass"
        loss = LOSSES["log_loss"][kind](n_classes=len(classes))
        target = encoded.astype(np.float64) if kind == "binary" else encoded
        self._boost(X, target, weight, loss, strata=encoded)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores: ``f`` (n_samples,) for two classes, ``f_k`` (n_samples, K) for more."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[1 − σ(f), σ(f)]`` for two classes, ``softmax(f)`` for more."""
        raw = self._raw_predict(X)
        if raw.shape[1] == 1:
            p = expit(raw[:, 0])
            return np.column_stack([1 - p, p])
        return softmax(raw)

    def predict(self, X: Any) -> np.ndarray:
        """The class of largest probability, read off the raw scores: ``f > 0`` for two
        classes (σ(f) rounds to exactly ½ for |f| below 1e-16, where the probabilities would
        tie but the decision function does not), the largest score for more."""
        raw = self._raw_predict(X)
        encoded = (raw[:, 0] > 0).astype(np.intp) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
        return self.classes_[encoded]


_fitting.register_family(
    "HistGradientBoosting",
    "hist",
    {
        "numpy": "binned histograms with the subtraction trick, best-first trees",
        "sklearn": "sklearn.ensemble.{model}, via the estimator's backend='sklearn'",
    },
)
