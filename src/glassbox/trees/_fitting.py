"""What every tree model does before growing: check the data and the stopping rules.

Shared by the single trees, the forests and gradient boosting, so each model states its
parameters once and gets the same clear errors.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassbox.exceptions import TargetTypeError
from glassbox.labels import check_classification_target, class_weights, data_conversion_warning
from glassbox.registry import Implementation, register_implementation
from glassbox.trees.criteria import Criterion
from glassbox.trees.growth import GrowthParams
from glassbox.validation import check_sample_weight, check_target, validate_data

__all__ = [
    "TreeData",
    "as_tree_input",
    "check_regression_target",
    "classification_stats",
    "growth_params",
    "regression_stats",
    "resolve_max_features",
]

NAN_HINT = " {model} needs complete data."  # after the message naming those that take NaN


def as_tree_input(estimator: Any, X: Any, *, reset: bool) -> np.ndarray:
    """``X`` validated and rounded to float32 (the precision scikit-learn's trees compare in),
    returned as float64 so thresholds halfway between float32 values are exact."""
    try:
        array = validate_data(estimator, X, reset=reset)
    except ValueError as error:
        if "NaN" in str(error) and "contains" in str(error):
            raise ValueError(str(error) + NAN_HINT.format(model=type(estimator).__name__)) from None
        raise
    return array.astype(np.float32).astype(np.float64)


def check_regression_target(y: Any, n_samples: int, *, owner: str) -> np.ndarray:
    """A 1-D float target (a column vector is raveled); non-numbers get a clear error."""
    try:
        target = check_target(y, n_samples, estimator_name=owner)
    except TypeError as error:
        raise TargetTypeError(
            f"{owner} predicts numbers, but y is not numeric: {error} For class labels use "
            f"the classifier ({owner.replace('Regressor', 'Classifier')})."
        ) from None
    if target.ndim == 2:
        if target.shape[1] != 1:
            raise ValueError(
                f"{owner} fits one target; y has shape {target.shape}. Fit one model per column."
            )
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            data_conversion_warning(),
            stacklevel=3,
        )
        target = target.ravel()
    return target


@dataclass
class TreeData:
    """The samples a tree is grown on: non-zero weights only, features by row."""

    X_by_feature: np.ndarray  # (n_features, n_kept)
    stats: np.ndarray  # (channels, n_kept)
    total_weight: float


def _kept(X: np.ndarray, weights: np.ndarray, stats: np.ndarray) -> TreeData:
    keep = weights != 0.0
    X_kept = X if keep.all() else X[keep]
    return TreeData(
        np.ascontiguousarray(X_kept.T),
        np.ascontiguousarray(stats[:, keep]),
        float(weights.sum()),
    )


def classification_stats(
    X: np.ndarray, encoded: np.ndarray, n_classes: int, weights: np.ndarray
) -> TreeData:
    """Channels ``w_i 1[y_i = k]``: their sums are the weighted class counts."""
    stats = np.zeros((n_classes, len(encoded)))
    stats[encoded, np.arange(len(encoded))] = weights
    return _kept(X, weights, stats)


def regression_stats(X: np.ndarray, y: np.ndarray, weights: np.ndarray) -> TreeData:
    """Channels ``(w, w y, w y²)``."""
    stats = np.vstack([weights, weights * y, weights * y * y])
    return _kept(X, weights, stats)


def sample_weights(
    estimator: Any, sample_weight: Any, n_samples: int, classes: Any = None, encoded: Any = None
) -> np.ndarray:
    """Sample weights times class weights (``class_weight``), one per sample."""
    weights = check_sample_weight(sample_weight, n_samples)
    weights = np.ones(n_samples) if weights is None else weights.copy()
    if classes is not None and getattr(estimator, "class_weight", None) is not None:
        weights *= class_weights(estimator.class_weight, classes, encoded)[encoded]
    return weights


def labels(estimator: Any, y: Any, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    return check_classification_target(y, n_samples, owner=type(estimator).__name__)


def resolve_max_features(max_features: Any, n_features: int, owner: str) -> int:
    """scikit-learn's rule: None → all, "sqrt"/"log2" → ⌊·⌋ (at least 1), int, or a fraction."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        if int(max_features) >= 1:
            return min(int(max_features), n_features)
    elif isinstance(max_features, numbers.Real) and 0.0 < float(max_features) <= 1.0:
        return max(1, int(float(max_features) * n_features))
    raise ValueError(
        f"{owner}: max_features must be None, 'sqrt', 'log2', an int >= 1 or a float in "
        f"(0, 1]; got {max_features!r}."
    )


def _count(value: Any, name: str, owner: str, n_samples: int, low: int) -> int:
    """An int ≥ ``low`` as it is, or a fraction of the samples (rounded up)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if int(value) >= low:
            return int(value)
    elif isinstance(value, numbers.Real) and 0.0 < float(value) <= 1.0:
        return max(low, math.ceil(float(value) * n_samples))
    raise ValueError(
        f"{owner}: {name} must be an int >= {low} or a float in (0, 1] (a fraction of the "
        f"samples); got {value!r}."
    )


def growth_params(
    estimator: Any, n_samples: int, n_features: int, total_weight: float, owner: str = ""
) -> GrowthParams:
    """The estimator's stopping rules as numbers, each checked with a clear message (naming
    ``owner``, the ensemble whose trees these are, else the estimator itself)."""
    owner = owner or type(estimator).__name__
    max_depth = estimator.max_depth
    if max_depth is not None and (
        not isinstance(max_depth, numbers.Integral) or isinstance(max_depth, bool) or max_depth < 1
    ):
        raise ValueError(
            f"{owner}: max_depth must be None (grow until the leaves are pure) or an int >= 1; "
            f"got {max_depth!r}. A depth-0 tree would be a single leaf."
        )
    min_samples_leaf = _count(estimator.min_samples_leaf, "min_samples_leaf", owner, n_samples, 1)
    if min_samples_leaf > 1 and 2 * min_samples_leaf > n_samples:
        raise ValueError(
            f"{owner}: min_samples_leaf={estimator.min_samples_leaf!r} asks for "
            f"{min_samples_leaf} samples in each leaf, more than half of the {n_samples} "
            "training samples, so no split is possible. Lower min_samples_leaf."
        )
    min_samples_split = _count(
        estimator.min_samples_split, "min_samples_split", owner, n_samples, 2
    )
    fraction = estimator.min_weight_fraction_leaf
    if not isinstance(fraction, numbers.Real) or not 0.0 <= float(fraction) <= 0.5:
        raise ValueError(
            f"{owner}: min_weight_fraction_leaf must be in [0, 0.5]; got {fraction!r}."
        )
    decrease = estimator.min_impurity_decrease
    if not isinstance(decrease, numbers.Real) or decrease < 0:
        raise ValueError(f"{owner}: min_impurity_decrease must be >= 0; got {decrease!r}.")
    max_leaf_nodes = estimator.max_leaf_nodes
    if max_leaf_nodes is not None and (
        not isinstance(max_leaf_nodes, numbers.Integral) or max_leaf_nodes < 2
    ):
        raise ValueError(
            f"{owner}: max_leaf_nodes must be None or an int >= 2; got {max_leaf_nodes!r}."
        )
    return GrowthParams(
        max_depth=np.iinfo(np.int32).max if max_depth is None else int(max_depth),
        min_samples_split=max(min_samples_split, 2 * min_samples_leaf),
        min_samples_leaf=min_samples_leaf,
        min_weight_leaf=float(fraction) * total_weight,
        min_impurity_decrease=float(decrease),
        max_features=resolve_max_features(estimator.max_features, n_features, owner),
        max_leaf_nodes=None if max_leaf_nodes is None else int(max_leaf_nodes),
    )


def check_ccp_alpha(estimator: Any) -> float:
    alpha = estimator.ccp_alpha
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool) or not float(alpha) >= 0.0:
        raise ValueError(f"{type(estimator).__name__}: ccp_alpha must be >= 0; got {alpha!r}.")
    return float(alpha)


def check_criterion(criterion: Any, table: dict[str, Criterion], owner: str) -> Criterion:
    if not isinstance(criterion, str) or criterion not in table:
        raise ValueError(f"{owner}: criterion must be one of {sorted(table)}; got {criterion!r}.")
    return table[criterion]


def random_state_of(random_state: Any) -> np.random.RandomState:
    """A ``RandomState`` from an int, a ``RandomState`` or None.

    None means the fixed seed 0 (unlike scikit-learn's global generator), so that fitting
    the same data twice grows the same trees; pass an int to draw other ones.
    """
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if random_state is None:
        return np.random.RandomState(0)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState; got {random_state!r}."
    )


def single_output(tags: Any) -> Any:
    """scikit-learn's tags for a model of one target."""
    tags.target_tags.multi_output = False
    return tags


def register_family(family: str, method: str, notes: dict[str, str]) -> None:
    """Register ``{family}Classifier`` and ``{family}Regressor`` under ``method`` on each
    backend of ``notes`` (backend -> note; ``{model}`` in a note is the class name)."""
    for model, task in (
        (f"{family}Classifier", "classification"),
        (f"{family}Regressor", "regression"),
    ):
        for backend, note in notes.items():
            register_implementation(
                Implementation(
                    model, method, backend, task, exact=False, note=note.format(model=model)
                )
            )


def store_params(estimator: Any, params: dict[str, Any]) -> None:
    """The estimator contract's constructor: every argument stored under its own name
    (``params`` is the constructor's ``locals()``)."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
