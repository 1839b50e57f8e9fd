"""CART decision trees: ``DecisionTreeClassifier`` and ``DecisionTreeRegressor``.

The fitted tree is a set of flat arrays, one entry per node (``tree_feature_``,
``tree_threshold_``, ``tree_children_left_``, ``tree_children_right_``, ``tree_value_``,
``tree_impurity_``, ``tree_n_node_samples_``, ``tree_weighted_n_node_samples_``), which is
also how it is saved; ``tree_`` gives scikit-learn's view of them. Prediction walks all
samples down the tree together, one level per step:

    node ← children_left[node] if x[feature[node]] ≤ threshold[node] else children_right[node]

Feature importance is each feature's total impurity decrease,
``Σ_{t splits on f} (N_t i(t) − N_L i(L) − N_R i(R)) / N``, normalized to sum to one.

``backend="sklearn"`` grows the tree with scikit-learn's own estimator (the reference) and
keeps its arrays, so both backends predict, export and save through the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, ClassifierMixin, RegressorMixin
from glassbox.registry import register_estimator
from glassbox.trees import _fitting
from glassbox.trees.criteria import CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA
from glassbox.trees.ensemble_arrays import NODE_ARRAYS
from glassbox.trees.growth import TREE_LEAF, grow_tree
from glassbox.trees.level_growth import grow_tree_by_level, restrict_order
from glassbox.trees.pruning import cost_complexity_path, prune
from glassbox.trees.splitter import FeatureSampler

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree", "apply_tree"]


def apply_tree(nodes: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """The leaf each row of ``X`` lands in (all rows walk down together, level by level)."""
    left, right = nodes["children_left"], nodes["children_right"]
    feature, threshold = nodes["feature"], nodes["threshold"]
    node = np.zeros(X.shape[0], dtype=np.int64)
    rows = np.arange(X.shape[0])
    active = rows[left[node] != TREE_LEAF]
    while active.size:
        at = node[active]
        goes_left = X[active, feature[at]] <= threshold[at]
        node[active] = np.where(goes_left, left[at], right[at])
        active = active[left[node[active]] != TREE_LEAF]
    return node


def tree_depth(nodes: dict[str, np.ndarray]) -> int:
    """Depth of the deepest leaf (the root has depth 0), from the flat node arrays."""
    depth = np.zeros(len(nodes["feature"]), dtype=np.int64)
    for t in range(len(depth)):  # children always come after their parent
        if nodes["children_left"][t] != TREE_LEAF:
            depth[nodes["children_left"][t]] = depth[nodes["children_right"][t]] = depth[t] + 1
    return int(depth.max())


def impurity_importances(
    nodes: dict[str, np.ndarray], n_features: int, *, normalize: bool = True
) -> np.ndarray:
    """Σ over the splits on each feature of N_t i(t) − N_L i(L) − N_R i(R), over N_root
    (normalized to sum to one unless ``normalize`` is False)."""
    left, right = nodes["children_left"], nodes["children_right"]
    inner = np.flatnonzero(left != TREE_LEAF)
    weighted = nodes["weighted_n_node_samples"] * nodes["impurity"]
    decrease = weighted[inner] - weighted[left[inner]] - weighted[right[inner]]
    importances = np.bincount(nodes["feature"][inner], weights=decrease, minlength=n_features)
    importances = importances / nodes["weighted_n_node_samples"][0]
    total = importances.sum()
    return importances / total if normalize and total > 0 else importances


@dataclass(frozen=True)
class Tree:
    """scikit-learn's ``tree_`` view of the flat arrays (``node_count``, ``feature``, ...)."""

    feature: np.ndarray
    threshold: np.ndarray
    children_left: np.ndarray
    children_right: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray

    @property
    def node_count(self) -> int:
        """Number of nodes, split and leaf."""
        return len(self.feature)

    @property
    def n_leaves(self) -> int:
        """Number of leaves (nodes without children)."""
        return int(np.sum(self.children_left == TREE_LEAF))

    @property
    def max_depth(self) -> int:
        """Depth of the deepest leaf (the root has depth 0)."""
        return tree_depth(self.__dict__)


@dataclass(frozen=True)
class PruningPath:
    """The cost-complexity pruning path: effective alphas and total leaf impurities."""

    ccp_alphas: np.ndarray
    impurities: np.ndarray

    def __getitem__(self, key: str) -> np.ndarray:
        return getattr(self, key)


def _grow_numpy(
    estimator: Any,
    X: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray,
    random_state: np.random.RandomState | None = None,
    n_classes: int | None = None,
    by_level: bool = False,
    tie_tolerance: float = 0.0,
    presorted: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """glassbox's CART: the splitter and growth of :mod:`glassbox.trees` (``by_level``: one
    depth level at a time, :mod:`glassbox.trees.level_growth`, as the forests grow, with
    ``presorted`` the stable argsort of every feature over all rows of ``X`` when known)."""
    if estimator._task == "classification":
        n_classes = len(estimator.classes_) if n_classes is None else n_classes
        data = _fitting.classification_stats(X, target, n_classes, weights)
        criterion = CLASSIFICATION_CRITERIA[estimator.criterion]
    else:
        data = _fitting.regression_stats(X, target, weights)
        criterion = REGRESSION_CRITERIA[estimator.criterion]
    params = _fitting.growth_params(estimator, X.shape[0], X.shape[1], data.total_weight)
    if tie_tolerance:
        params = dataclasses.replace(params, tie_tolerance=tie_tolerance)
    if random_state is None:
        random_state = _fitting.random_state_of(estimator.random_state)
    if by_level and params.max_leaf_nodes is None:
        order = None if presorted is None else restrict_order(presorted, weights != 0.0)
        return grow_tree_by_level(
            data.X_by_feature, data.stats, criterion, params, random_state, order
        )
    sampler = FeatureSampler.from_random_state(X.shape[1], random_state)
    return grow_tree(data.X_by_feature, data.stats, criterion, params, sampler)


def _grow_sklearn(
    estimator: Any, X: np.ndarray, target: np.ndarray, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """scikit-learn's tree with the same parameters; its arrays become ours."""
    from sklearn import tree as sklearn_tree

    name = type(estimator).__name__
    cls = getattr(sklearn_tree, name)
    params = {k: getattr(estimator, k) for k in _TREE_PARAMS if k != "class_weight"}
    params["ccp_alpha"] = 0.0  # pruned below by the same code as the NumPy backend
    _fitting.growth_params(estimator, X.shape[0], X.shape[1], float(weights.sum()))
    model = cls(**params).fit(X, target, sample_weight=weights)
    return sklearn_tree_arrays(model.tree_, estimator._task)


def sklearn_tree_arrays(tree: Any, task: str) -> dict[str, np.ndarray]:
    """A scikit-learn ``Tree``'s arrays in glassbox's layout (values: proportions or means)."""
    value = np.asarray(tree.value[:, 0, :], dtype=np.float64)
    if task == "classification":
        value = value / value.sum(axis=1, keepdims=True)
    return {
        "feature": np.asarray(tree.feature, dtype=np.int64),
        "threshold": np.asarray(tree.threshold, dtype=np.float64),
        "children_left": np.asarray(tree.children_left, dtype=np.int64),
        "children_right": np.asarray(tree.children_right, dtype=np.int64),
        "value": value,
        "impurity": np.asarray(tree.impurity, dtype=np.float64),
        "n_node_samples": np.asarray(tree.n_node_samples, dtype=np.int64),
        "weighted_n_node_samples": np.asarray(tree.weighted_n_node_samples, dtype=np.float64),
    }


# backend -> how the tree is grown
TREE_BACKENDS: dict[str, Callable[..., dict[str, np.ndarray]]] = {
    "numpy": _grow_numpy,
    "sklearn": _grow_sklearn,
}
_TREE_PARAMS = (
    "criterion",
    "splitter",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "random_state",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "class_weight",
    "ccp_alpha",
)


class _BaseTree(BaseEstimator):
    _task = "regression"
    backend: str
    splitter: str
    criterion: str
    ccp_alpha: float

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        raise NotImplementedError

    def _check_backend(self) -> Callable[..., dict[str, np.ndarray]]:
        if self.backend not in TREE_BACKENDS:
            raise ValueError(
                f"{type(self).__name__}: backend must be one of {sorted(TREE_BACKENDS)}; "
                f"got {self.backend!r}."
            )
        if self.splitter != "best":
            raise ValueError(
                f"{type(self).__name__}: only splitter='best' is implemented; got "
                f"{self.splitter!r}."
            )
        table = CLASSIFICATION_CRITERIA if self._task == "classification" else REGRESSION_CRITERIA
        _fitting.check_criterion(self.criterion, table, type(self).__name__)
        return TREE_BACKENDS[self.backend]

    def _fit_arrays(self, X: np.ndarray, target: np.ndarray, weights: np.ndarray) -> None:
        grow = self._check_backend()
        alpha = _fitting.check_ccp_alpha(self)
        nodes = grow(self, X, target, weights)
        if alpha > 0.0:
            nodes = prune(nodes, alpha)
        for name in NODE_ARRAYS:
            setattr(self, f"tree_{name}_", nodes[name])
        self.feature_importances_ = impurity_importances(nodes, X.shape[1])

    def _nodes(self) -> dict[str, np.ndarray]:
        self._check_is_fitted()
        return {name: getattr(self, f"tree_{name}_") for name in NODE_ARRAYS}

    @property
    def tree_(self) -> Tree:
        """The fitted tree, as scikit-learn's ``tree_`` names it."""
        return Tree(**self._nodes())

    def _leaves(self, X: Any) -> np.ndarray:
        nodes = self._nodes()
        return apply_tree(nodes, _fitting.as_tree_input(self, X, reset=False))

    def apply(self, X: Any) -> np.ndarray:
        """The index of the leaf each sample ends in."""
        return self._leaves(X)

    def decision_path(self, X: Any) -> Any:
        """A sparse (n_samples, n_nodes) indicator: entry (i, t) is 1 when sample i passes t."""
        from scipy.sparse import csr_matrix

        nodes = self._nodes()
        X = _fitting.as_tree_input(self, X, reset=False)
        node = np.zeros(X.shape[0], dtype=np.int64)
        path_rows, path_nodes = [np.arange(X.shape[0])], [node.copy()]
        active = np.flatnonzero(nodes["children_left"][node] != TREE_LEAF)
        while active.size:
            at = node[active]
            goes_left = X[active, nodes["feature"][at]] <= nodes["threshold"][at]
            node[active] = np.where(
                goes_left, nodes["children_left"][at], nodes["children_right"][at]
            )
            path_rows.append(active)
            path_nodes.append(node[active].copy())
            active = active[nodes["children_left"][node[active]] != TREE_LEAF]
        rows, cols = np.concatenate(path_rows), np.concatenate(path_nodes)
        return csr_matrix(
            (np.ones(len(rows), dtype=np.int64), (rows, cols)),
            shape=(X.shape[0], len(nodes["feature"])),
        )

    def get_depth(self) -> int:
        return tree_depth(self._nodes())

    def get_n_leaves(self) -> int:
        return int(np.sum(self._nodes()["children_left"] == TREE_LEAF))

    def cost_complexity_pruning_path(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> PruningPath:
        """Grow the full tree on (X, y) and return its minimal cost-complexity pruning path."""
        from glassbox.base import clone

        full = clone(self).set_params(ccp_alpha=0.0).fit(X, y, sample_weight=sample_weight)
        alphas, impurities = cost_complexity_path(full._nodes())
        return PruningPath(alphas, impurities)


@register_estimator
class DecisionTreeClassifier(ClassifierMixin, _BaseTree):
    """A CART classification tree (gini or entropy), scikit-learn's parameters and tree.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}
        Impurity ``1 − Σ p_k²`` or ``−Σ p_k log₂ p_k`` (see :mod:`glassbox.trees.criteria`).
    splitter : "best"
        The best threshold of every candidate feature (the only strategy implemented).
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    min_impurity_decrease, max_leaf_nodes :
        Stopping rules, as in scikit-learn (see :mod:`glassbox.trees.growth`).
    max_features : None, int, float, "sqrt" or "log2"
        Features searched per split (drawn with ``random_state``).
    random_state : int, RandomState or None
        Seeds the order features are visited in (and so which of two equal splits wins).
    class_weight : None, "balanced" or dict
        Multiplies each sample's weight by its class's weight.
    ccp_alpha : float
        Minimal cost-complexity pruning (see :mod:`glassbox.trees.pruning`).
    backend : {"numpy", "sklearn"}
        Who grows the tree: glassbox's NumPy code, or scikit-learn (the reference).
    """

    _task = "classification"

    def __init__(
        self,
        criterion: str = "gini",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeClassifier:
        """Grow the tree greedily, each split the best by the criterion, then prune it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Weights w_i in the class counts c_k = Σ w_i 1[y_i = k]; ones by default.

        Returns
        -------
        DecisionTreeClassifier
            The fitted tree (``self``).
        """
        X = _fitting.as_tree_input(self, X, reset=True)
        self.classes_, encoded = _fitting.labels(self, y, X.shape[0])
        self.n_classes_ = len(self.classes_)
        weights = _fitting.sample_weights(self, sample_weight, X.shape[0], self.classes_, encoded)
        self._fit_arrays(X, encoded, weights)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The class proportions of the leaf each sample lands in."""
        return self._nodes()["value"][self._leaves(X)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log p_k of the leaf each sample lands in (−inf for a class absent from the leaf)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The majority class (largest weighted proportion) of the leaf each sample lands in."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


@register_estimator
class DecisionTreeRegressor(RegressorMixin, _BaseTree):
    """A CART regression tree (squared error), scikit-learn's parameters and tree.

    Parameters are those of :class:`DecisionTreeClassifier`, with ``criterion`` one of
    ``"squared_error"`` (eq. (3) of :mod:`glassbox.trees.criteria`) or ``"friedman_mse"``
    and no ``class_weight``. A leaf predicts the weighted mean of its samples.
    """

    def __init__(
        self,
        criterion: str = "squared_error",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    class_weight = None

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeRegressor:
        """Grow the tree greedily, each split the best by the criterion, then prune it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Real-valued targets.
        sample_weight : array-like of shape (n_samples,), optional
            Weights w_i in the leaf means Σ w y / Σ w; ones by default.

        Returns
        -------
        DecisionTreeRegressor
            The fitted tree (``self``).
        """
        X = _fitting.as_tree_input(self, X, reset=True)
        target = _fitting.check_regression_target(y, X.shape[0], owner=type(self).__name__)
        weights = _fitting.sample_weights(self, sample_weight, X.shape[0])
        self._fit_arrays(X, target, weights)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The weighted mean target of the leaf each sample lands in."""
        return self._nodes()["value"][self._leaves(X), 0]

    def __sklearn_tags__(self) -> Any:
        return _fitting.single_output(super().__sklearn_tags__())


_fitting.register_family(
    "DecisionTree",
    "cart",
    {
        "numpy": "CART: vectorized split search over all thresholds, sklearn's tie-breaking",
        "sklearn": "scikit-learn's Cython CART (the reference)",
    },
)
