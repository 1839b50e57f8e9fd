"""Random forests (Breiman 2001): bagged CART trees with random feature subsets.

Each tree ``b`` is grown on a bootstrap sample (:mod:`glassbox.trees.bootstrap`) and searches
only ``max_features`` randomly drawn features at each split; the forest averages them:

    p̂(k | x) = (1/B) Σ_b p̂_b(k | x)        ŷ(x) = (1/B) Σ_b ŷ_b(x)                  (1)

The samples a tree did not draw are *out of bag* for it; averaging (1) over only those trees
gives every sample an honest prediction, scored as ``oob_score_`` (accuracy or R²).

Tree ``b`` is seeded with the ``b``-th integer drawn from ``random_state`` (None: seed 0), so
``n_jobs`` changes the speed, never the forest. ``n_jobs`` other than 1 grows the trees in
joblib worker processes (joblib ships with scikit-learn: ``pip install 'glassbox[sklearn]'``).
The trees are stored as concatenated node arrays with offsets
(:mod:`glassbox.trees.ensemble_arrays`).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, ClassifierMixin, RegressorMixin
from glassbox.registry import register_estimator
from glassbox.trees import _fitting
from glassbox.trees.bootstrap import BootstrapPlan, bootstrap_plan
from glassbox.trees.ensemble_arrays import (
    NODE_ARRAYS,
    apply_ensemble,
    concatenate_trees,
    tree_slice,
)
from glassbox.trees.pruning import prune
from glassbox.trees.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    _grow_numpy,
    impurity_importances,
    sklearn_tree_arrays,
)

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]

MAX_INT = np.iinfo(np.int32).max


def _grow_trees(
    tree: Any,
    X: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray,
    seeds: list[int],
    plan: BootstrapPlan | None,
    n_classes: int | None,
    presorted: np.ndarray | None = None,
) -> list[tuple[dict[str, np.ndarray], np.ndarray | None]]:
    """Grow one tree per seed; return each tree's arrays and its out-of-bag mask
    (``presorted``: every feature's stable argsort over the rows of X, shared by the trees)."""
    grown = []
    for seed in seeds:
        random_state = np.random.RandomState(seed)
        tree_weights, oob = weights, None
        if plan is not None:
            tree_weights = plan.draw(random_state, X.shape[0])
            oob = plan.out_of_bag(tree_weights)
        nodes = _grow_numpy(
            tree, X, target, tree_weights, random_state, n_classes, True, presorted=presorted
        )
        if tree.ccp_alpha > 0.0:
            nodes = prune(nodes, tree.ccp_alpha)
        grown.append((nodes, oob))
    return grown


def _in_parallel(n_jobs: Any, tasks: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``_grow_trees`` over the task chunks: in this process for ``n_jobs`` 1 / None,
    else in joblib's worker processes."""
    if n_jobs in (None, 1) or len(tasks) == 1:
        return [_grow_trees(*task) for task in tasks]
    try:
        import joblib
    except ImportError as error:  # pragma: no cover - joblib ships with scikit-learn
        raise ImportError(
            "n_jobs other than 1 needs joblib: pip install 'glassbox[sklearn]' (or joblib)."
        ) from error
    return list(joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(_grow_trees)(*t) for t in tasks))


def _n_workers(n_jobs: Any) -> int:
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero int; got {n_jobs!r}.")
    if n_jobs < 0:
        import os

        return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    return int(n_jobs)


class _BaseForest(BaseEstimator):
    _task = "regression"
    _tree_class: Any = DecisionTreeRegressor
    n_estimators: int
    bootstrap: bool
    oob_score: bool
    n_jobs: Any
    backend: str
    max_samples: Any
    trees_offsets_: np.ndarray

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Grow ``n_estimators`` trees on bootstrap samples (see the module docstring)."""
        X = _fitting.as_tree_input(self, X, reset=True)
        target, weights, n_classes = self._target_and_weights(X, y, sample_weight)
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"n_estimators must be an int >= 1; got {self.n_estimators!r}.")
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True.")
        tree = self._tree_class(**self._tree_params())
        tree._check_backend()
        _fitting.check_ccp_alpha(tree)
        _fitting.growth_params(
            tree, X.shape[0], X.shape[1], float(weights.sum()), owner=type(self).__name__
        )
        if self.backend == "sklearn":
            grown = self._fit_sklearn(X, target, weights)
        elif self.backend == "numpy":
            grown = self._fit_numpy(tree, X, target, weights, n_classes)
        else:
            raise ValueError(f"backend must be 'numpy' or 'sklearn'; got {self.backend!r}.")
        nodes, offsets = concatenate_trees([g[0] for g in grown])
        for name in NODE_ARRAYS:
            setattr(self, f"trees_{name}_", nodes[name])
        self.trees_offsets_ = offsets
        importances = np.mean([impurity_importances(g[0], X.shape[1]) for g in grown], axis=0)
        total = importances.sum()
        self.feature_importances_ = importances / total if total > 0 else importances
        if self.oob_score:
            self._set_oob(X, target, [g[1] for g in grown])
        return self

    def _tree_params(self) -> dict[str, Any]:
        names = set(self._tree_class._param_names()) - {"backend", "splitter", "random_state"}
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    def _fit_numpy(
        self, tree: Any, X: np.ndarray, target: np.ndarray, weights: np.ndarray, n_classes: Any
    ) -> list[tuple[dict[str, np.ndarray], np.ndarray | None]]:
        random_state = _fitting.random_state_of(self.random_state)  # type: ignore[attr-defined]
        seeds = random_state.randint(MAX_INT, size=self.n_estimators).tolist()
        plan = bootstrap_plan(X, target, weights, self.max_samples) if self.bootstrap else None
        n_chunks = min(_n_workers(self.n_jobs), self.n_estimators)
        chunks = [c.tolist() for c in np.array_split(np.asarray(seeds), n_chunks)]
        presorted = np.argsort(np.ascontiguousarray(X.T), axis=1, kind="stable")  # once
        tasks = [(tree, X, target, weights, chunk, plan, n_classes, presorted) for chunk in chunks]
        return [item for part in _in_parallel(self.n_jobs, tasks) for item in part]

    def _fit_sklearn(
        self, X: np.ndarray, target: np.ndarray, weights: np.ndarray
    ) -> list[tuple[dict[str, np.ndarray], np.ndarray | None]]:
        """scikit-learn's forest with the same parameters; its trees become our arrays."""
        from sklearn import ensemble

        params = {
            k: v for k, v in self.get_params().items() if k not in ("backend", "class_weight")
        }
        params["oob_score"] = False
        model = getattr(ensemble, type(self).__name__)(**params).fit(
            X, target, sample_weight=weights
        )
        grown: list[tuple[dict[str, np.ndarray], np.ndarray | None]] = []
        for estimator, indices in zip(model.estimators_, model.estimators_samples_):
            oob = np.ones(X.shape[0], dtype=bool)
            oob[indices] = False
            grown.append((sklearn_tree_arrays(estimator.tree_, self._task), oob))
        return grown

    def _nodes(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        self._check_is_fitted()
        return {n: getattr(self, f"trees_{n}_") for n in NODE_ARRAYS}, self.trees_offsets_

    def _tree_values(self, X: Any) -> np.ndarray:
        """Each tree's leaf value for each sample, (n_samples, n_trees, n_outputs)."""
        nodes, offsets = self._nodes()
        X = _fitting.as_tree_input(self, X, reset=False)
        return nodes["value"][apply_ensemble(nodes, offsets, X)]

    def apply(self, X: Any) -> np.ndarray:
        """The leaf (index within its tree) each sample reaches in each tree."""
        nodes, offsets = self._nodes()
        X = _fitting.as_tree_input(self, X, reset=False)
        return apply_ensemble(nodes, offsets, X) - offsets[:-1]

    @property
    def estimators_(self) -> list[Any]:
        """The fitted trees, as glassbox decision trees (built from the stored arrays)."""
        nodes, offsets = self._nodes()
        trees = []
        for k in range(len(offsets) - 1):
            tree = self._tree_class(**self._tree_params())
            for name, array in tree_slice(nodes, offsets, k).items():
                setattr(tree, f"tree_{name}_", array)
            tree.n_features_in_ = self.n_features_in_  # type: ignore[attr-defined]
            if self._task == "classification":
                tree.classes_ = self.classes_  # type: ignore[attr-defined]
                tree.n_classes_ = len(tree.classes_)
            tree.feature_importances_ = impurity_importances(
                tree_slice(nodes, offsets, k),
                self.n_features_in_,  # type: ignore[attr-defined]
            )
            trees.append(tree)
        return trees

    def _oob_average(self, X: np.ndarray, oob_masks: list[Any]) -> np.ndarray:
        nodes, offsets = self._nodes()
        values = nodes["value"][apply_ensemble(nodes, offsets, X)]  # (n, B, outputs)
        mask = np.stack(oob_masks, axis=1)[:, :, None]
        counts = mask.sum(axis=1)
        if np.any(counts == 0):
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees were "
                "used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=4,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            return (values * mask).sum(axis=1) / counts

    def _set_oob(self, X: np.ndarray, target: np.ndarray, oob_masks: list[Any]) -> None:
        raise NotImplementedError

    def _target_and_weights(self, X: np.ndarray, y: Any, sample_weight: Any) -> Any:
        raise NotImplementedError


_FOREST_DOC = """
    Parameters
    ----------
    n_estimators : int
        The number of trees ``B`` in eq. (1).
    criterion, max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    max_features, max_leaf_nodes, min_impurity_decrease, ccp_alpha :
        Each tree's parameters (see :class:`~glassbox.trees.DecisionTreeClassifier`).
    bootstrap : bool
        Grow each tree on a bootstrap sample (else on all samples).
    oob_score : bool
        Score the out-of-bag predictions (``oob_score_``).
    max_samples : None, int or float
        Draws per bootstrap (None: as many as the training set holds).
    n_jobs : int or None
        Worker processes (joblib); None or 1 grows the trees here.
    random_state : int, RandomState or None
        Seeds the trees (None: seed 0).
    backend : {"numpy", "sklearn"}
        glassbox's trees, or scikit-learn's forest (the reference).
"""


@register_estimator
class RandomForestClassifier(ClassifierMixin, _BaseForest):
    __doc__ = "A random forest of CART classification trees, eq. (1).\n" + _FOREST_DOC

    _task = "classification"
    _tree_class = DecisionTreeClassifier

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    def _target_and_weights(self, X: np.ndarray, y: Any, sample_weight: Any) -> Any:
        self.classes_, encoded = _fitting.labels(self, y, X.shape[0])
        self.n_classes_ = len(self.classes_)
        weights = _fitting.sample_weights(self, sample_weight, X.shape[0], self.classes_, encoded)
        return encoded, weights, self.n_classes_

    def _set_oob(self, X: np.ndarray, target: np.ndarray, oob_masks: list[Any]) -> None:
        proba = self._oob_average(X, oob_masks)
        self.oob_decision_function_ = proba
        self.oob_score_ = float(np.mean(np.argmax(np.nan_to_num(proba), axis=1) == target))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Eq. (1): the trees' leaf class proportions, averaged."""
        return self._tree_values(X).mean(axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest averaged probability (soft voting, as scikit-learn)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


@register_estimator
class RandomForestRegressor(RegressorMixin, _BaseForest):
    __doc__ = "A random forest of CART regression trees, eq. (1).\n" + _FOREST_DOC

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = 1.0,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    def _target_and_weights(self, X: np.ndarray, y: Any, sample_weight: Any) -> Any:
        target = _fitting.check_regression_target(y, X.shape[0], owner=type(self).__name__)
        return target, _fitting.sample_weights(self, sample_weight, X.shape[0]), None

    def _set_oob(self, X: np.ndarray, target: np.ndarray, oob_masks: list[Any]) -> None:
        prediction = self._oob_average(X, oob_masks)[:, 0]
        self.oob_prediction_ = prediction
        seen = np.isfinite(prediction)
        residual = np.sum((target[seen] - prediction[seen]) ** 2)
        spread = np.sum((target[seen] - target[seen].mean()) ** 2)
        self.oob_score_ = float(1.0 - residual / spread) if spread > 0 else 0.0

    def predict(self, X: Any) -> np.ndarray:
        """Eq. (1): the trees' leaf means, averaged."""
        return self._tree_values(X)[:, :, 0].mean(axis=1)

    def __sklearn_tags__(self) -> Any:
        return _fitting.single_output(super().__sklearn_tags__())


_fitting.register_family(
    "RandomForest",
    "forest",
    {
        "numpy": "bagged glassbox CART trees; n_jobs through joblib processes",
        "sklearn": "scikit-learn's forest (the reference)",
    },
)
