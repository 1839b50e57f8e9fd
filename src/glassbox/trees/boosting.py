"""Gradient boosting (Friedman 2001): gradient descent in function space, one tree a step.

The model is a sum of shrunken trees, ``F_M(x) = F_0 + ν Σ_{m=1}^{M} h_m(x)``. Descent on
the training loss ``Σ_i w_i L(y_i, F(x_i))`` with respect to the *function values* ``F(x_i)``
steps along the negative gradient; a regression tree fitted to it (squared error) is that
step restricted to piecewise-constant functions, and each leaf is then set by a line search:

    r_i = −∂L(y_i, F_{m−1}(x_i)) / ∂F                                               (1)
    h_m = the tree fitted to (x_i, r_i), leaves γ_j = argmin_γ Σ_{leaf j} w_i L(y_i, F + γ)  (2)
    F_m = F_{m−1} + ν h_m           (ν = learning_rate, shrinkage)                   (3)

``F_0`` is the constant that minimizes the loss (mean, median or log prior odds). With
``subsample < 1`` each tree sees a random fraction of the rows (stochastic gradient boosting);
with ``n_iter_no_change`` a ``validation_fraction`` of the rows is held out and boosting stops
once ``n_iter_no_change`` stages have not lowered its loss by ``tol``. The losses, their
gradients and line searches are in :mod:`glassbox.trees.boosting_losses`; multiclass log
loss grows one tree per class per stage.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, ClassifierMixin, RegressorMixin
from glassbox.registry import register_estimator
from glassbox.trees import _fitting
from glassbox.trees.boosting_losses import BoostingLoss, get_loss
from glassbox.trees.ensemble_arrays import NODE_ARRAYS, apply_ensemble, concatenate_trees
from glassbox.trees.tree import (
    DecisionTreeRegressor,
    _grow_numpy,
    apply_tree,
    impurity_importances,
    sklearn_tree_arrays,
)

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]

# Residuals are real numbers: two mirror-equal splits differ only by rounding, which must
# not decide between them (a weight of 2 and a repeated sample round differently).
TIES = 1e-10

_TREE_PARAMS = (
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "min_impurity_decrease",
    "max_features",
    "max_leaf_nodes",
    "ccp_alpha",
)


def _holdout(
    n_samples: int, fraction: float, random_state: np.random.RandomState, labels: Any
) -> np.ndarray:
    """A boolean mask of validation rows (stratified by class for classifiers)."""
    if labels is None:
        n_val = max(1, int(np.ceil(fraction * n_samples)))
        chosen = random_state.permutation(n_samples)[:n_val]
    else:
        chosen_parts = []
        for k in np.unique(labels):
            members = np.flatnonzero(labels == k)
            n_val = round(fraction * len(members))
            chosen_parts.append(random_state.permutation(members)[:n_val])
        chosen = np.concatenate(chosen_parts)
    mask = np.zeros(n_samples, dtype=bool)
    mask[chosen] = True
    return mask


class _BaseBoosting(BaseEstimator):
    _classification = False
    loss: str
    learning_rate: float
    n_estimators: int
    subsample: float
    validation_fraction: float
    n_iter_no_change: int | None
    tol: float
    alpha: float
    backend: str
    random_state: Any

    def _check_params(self) -> None:
        checks = (
            ("learning_rate", self.learning_rate, lambda v: v > 0, "> 0"),
            ("n_estimators", self.n_estimators, lambda v: v >= 1, "an int >= 1"),
            ("subsample", self.subsample, lambda v: 0 < v <= 1, "in (0, 1]"),
            ("validation_fraction", self.validation_fraction, lambda v: 0 < v < 1, "in (0, 1)"),
            ("tol", self.tol, lambda v: v >= 0, ">= 0"),
        )
        for name, value, ok, text in checks:
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not ok(value):
                raise ValueError(f"{type(self).__name__}: {name} must be {text}; got {value!r}.")
        if not isinstance(self.n_estimators, numbers.Integral):
            raise ValueError(f"n_estimators must be an int >= 1; got {self.n_estimators!r}.")
        stop = self.n_iter_no_change
        if stop is not None and (not isinstance(stop, numbers.Integral) or stop < 1):
            raise ValueError(f"n_iter_no_change must be None or an int >= 1; got {stop!r}.")
        if self.backend not in ("numpy", "sklearn"):
            raise ValueError(f"backend must be 'numpy' or 'sklearn'; got {self.backend!r}.")

    def _tree(self) -> DecisionTreeRegressor:
        return DecisionTreeRegressor(
            criterion="squared_error", **{name: getattr(self, name) for name in _TREE_PARAMS}
        )

    def _fit_boosting(
        self, X: np.ndarray, y: np.ndarray, w: np.ndarray, loss: BoostingLoss
    ) -> None:
        """Eqs. (1)-(3), stage after stage, with early stopping on held-out rows."""
        self._check_params()
        tree = self._tree()
        _fitting.growth_params(
            tree, X.shape[0], X.shape[1], float(w.sum()), owner=type(self).__name__
        )
        if self.backend == "sklearn":
            self._fit_sklearn(X, y, w)
            return
        random_state = _fitting.random_state_of(self.random_state)
        validation = np.zeros(X.shape[0], dtype=bool)
        if self.n_iter_no_change is not None:
            labels = y if self._classification else None
            validation = _holdout(X.shape[0], self.validation_fraction, random_state, labels)
        X_train, y_train, w_train = X[~validation], y[~validation], w[~validation]
        X_val, y_val, w_val = X[validation], y[validation], w[validation]
        self.init_raw_ = loss.init_raw(y_train, w_train)
        raw = np.tile(self.init_raw_, (len(y_train), 1))
        raw_val = np.tile(self.init_raw_, (len(y_val), 1))
        n_inbag = max(1, int(self.subsample * len(y_train)))
        trees: list[dict[str, np.ndarray]] = []
        train_scores: list[float] = []
        best_losses = np.full(self.n_iter_no_change or 1, np.inf)
        for stage in range(self.n_estimators):
            weights = w_train
            if self.subsample < 1.0:
                mask = np.zeros(len(y_train))
                mask[random_state.permutation(len(y_train))[:n_inbag]] = 1.0
                weights = w_train * mask
            loss.prepare_stage(y_train, raw, weights)
            residual = loss.negative_gradient(y_train, raw)  # eq. (1)
            for k in range(loss.n_trees_per_stage):
                nodes = _grow_numpy(
                    tree, X_train, residual[:, k], weights, random_state, tie_tolerance=TIES
                )
                leaves = apply_tree(nodes, X_train)
                n_nodes = len(nodes["feature"])
                values = loss.leaf_values(
                    leaves, n_nodes, y_train, raw, residual[:, k], weights, k
                )  # eq. (2)
                if values is not None:
                    nodes["value"] = values[:, None]
                raw[:, k] += self.learning_rate * nodes["value"][leaves, 0]  # eq. (3)
                if len(y_val):
                    raw_val[:, k] += (
                        self.learning_rate * nodes["value"][apply_tree(nodes, X_val), 0]
                    )
                trees.append(nodes)
            train_scores.append(loss.loss(y_train, raw, weights if weights.any() else w_train))
            if self.n_iter_no_change is not None:
                validation_loss = loss.loss(y_val, raw_val, w_val)
                if np.any(validation_loss + self.tol < best_losses):
                    best_losses[stage % self.n_iter_no_change] = validation_loss
                else:
                    break
        self._store(trees, X.shape[1], np.asarray(train_scores), loss.n_trees_per_stage)

    def _store(
        self,
        trees: list[dict[str, np.ndarray]],
        n_features: int,
        scores: np.ndarray,
        per_stage: int,
    ) -> None:
        nodes, offsets = concatenate_trees(trees)
        for name in NODE_ARRAYS:
            setattr(self, f"trees_{name}_", nodes[name])
        self.trees_offsets_ = offsets
        self.n_estimators_ = len(trees) // per_stage
        self.train_score_ = scores
        # As scikit-learn: the trees' raw impurity decreases (a stage's big early steps weigh
        # more than late small ones), averaged over the trees that split, then normalized.
        split = [t for t in trees if len(t["feature"]) > 1] or trees
        importances = np.mean(
            [impurity_importances(t, n_features, normalize=False) for t in split], axis=0
        )
        total = importances.sum()
        self.feature_importances_ = importances / total if total > 0 else importances

    def _fit_sklearn(self, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
        """scikit-learn's gradient boosting with the same parameters; its trees become ours."""
        from sklearn import ensemble

        params = {k: v for k, v in self.get_params().items() if k != "backend"}
        model = getattr(ensemble, type(self).__name__)(**params).fit(X, y, sample_weight=w)
        self.init_raw_ = np.asarray(model._raw_predict_init(X[:1])[0], dtype=np.float64)
        trees = [
            sklearn_tree_arrays(tree.tree_, "regression")
            for stage in model.estimators_
            for tree in stage
        ]
        self._store(trees, X.shape[1], np.asarray(model.train_score_), model.estimators_.shape[1])

    def _raw_predict(self, X: Any) -> np.ndarray:
        """F_M(x) = F_0 + ν Σ_m h_m(x), one column per tree of a stage."""
        self._check_is_fitted()
        X = _fitting.as_tree_input(self, X, reset=False)
        nodes = {n: getattr(self, f"trees_{n}_") for n in NODE_ARRAYS}
        leaf_values = nodes["value"][apply_ensemble(nodes, self.trees_offsets_, X), 0]
        per_stage = len(self.init_raw_)
        stage_sums = leaf_values.reshape(X.shape[0], -1, per_stage).sum(axis=1)
        return self.init_raw_ + self.learning_rate * stage_sums


_BOOSTING_DOC = """
    Parameters
    ----------
    loss : str
        The loss ``L`` (see :mod:`glassbox.trees.boosting_losses`).
    learning_rate : float
        The shrinkage ``ν`` of eq. (3).
    n_estimators : int
        The number of stages ``M``.
    subsample : float
        The fraction of rows each stage's trees see.
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    min_impurity_decrease, max_features, max_leaf_nodes, ccp_alpha :
        Each regression tree's parameters (squared-error trees).
    validation_fraction, n_iter_no_change, tol :
        Early stopping on held-out rows (off when ``n_iter_no_change`` is None).
    random_state : int, RandomState or None
        Seeds subsampling, the held-out rows and the trees (None: seed 0).
    backend : {"numpy", "sklearn"}
        glassbox's boosting, or scikit-learn's (the reference).
"""


@register_estimator
class GradientBoostingClassifier(ClassifierMixin, _BaseBoosting):
    __doc__ = "Gradient boosting for classification (log loss), eqs. (1)-(3).\n" + _BOOSTING_DOC

    _classification = True

    def __init__(
        self,
        loss: str = "log_loss",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_depth: int | None = 3,
        min_impurity_decrease: float = 0.0,
        random_state: Any = None,
        max_features: int | float | str | None = None,
        max_leaf_nodes: int | None = None,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = None,
        tol: float = 1e-4,
        ccp_alpha: float = 0.0,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GradientBoostingClassifier:
        """Boost ``n_estimators`` stages, eqs. (1)-(3), from F_0 (stopping early if asked).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Weights w_i in the loss Σ w_i L(y_i, F(x_i)); ones by default.

        Returns
        -------
        GradientBoostingClassifier
            The fitted model (``self``).
        """
        X = _fitting.as_tree_input(self, X, reset=True)
        self.classes_, encoded = _fitting.labels(self, y, X.shape[0])
        self.n_classes_ = len(self.classes_)
        weights = _fitting.sample_weights(self, sample_weight, X.shape[0])
        loss = get_loss(self.loss, classification=True, n_classes=self.n_classes_)
        self._fit_boosting(X, encoded, weights, loss)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The raw scores F_M(x): log-odds (two classes, 1-D) or one column per class."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities from the raw scores: σ(F_M(x)) for two classes, softmax for K."""
        raw = self._raw_predict(X)
        loss = get_loss(self.loss, classification=True, n_classes=len(self.classes_))
        return loss.proba(raw)  # type: ignore[attr-defined]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


@register_estimator
class GradientBoostingRegressor(RegressorMixin, _BaseBoosting):
    __doc__ = (
        "Gradient boosting for regression (squared, absolute or Huber loss), eqs. (1)-(3).\n"
        + _BOOSTING_DOC
        + "    alpha : float\n        The quantile of |y − F| that sets Huber's δ.\n"
    )

    def __init__(
        self,
        loss: str = "squared_error",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_depth: int | None = 3,
        min_impurity_decrease: float = 0.0,
        random_state: Any = None,
        max_features: int | float | str | None = None,
        alpha: float = 0.9,
        max_leaf_nodes: int | None = None,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = None,
        tol: float = 1e-4,
        ccp_alpha: float = 0.0,
        backend: str = "numpy",
    ) -> None:
        _fitting.store_params(self, locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GradientBoostingRegressor:
        """Boost ``n_estimators`` stages, eqs. (1)-(3), from F_0 (stopping early if asked).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Real-valued targets.
        sample_weight : array-like of shape (n_samples,), optional
            Weights w_i in the loss Σ w_i L(y_i, F(x_i)); ones by default.

        Returns
        -------
        GradientBoostingRegressor
            The fitted model (``self``).
        """
        X = _fitting.as_tree_input(self, X, reset=True)
        target = _fitting.check_regression_target(y, X.shape[0], owner=type(self).__name__)
        weights = _fitting.sample_weights(self, sample_weight, X.shape[0])
        if not isinstance(self.alpha, numbers.Real) or not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1); got {self.alpha!r}.")
        loss = get_loss(self.loss, classification=False, alpha=float(self.alpha))
        self._fit_boosting(X, target, weights, loss)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """F_M(x) = F_0 + ν Σ_m h_m(x), eq. (3) summed over the stages."""
        return self._raw_predict(X)[:, 0]

    def __sklearn_tags__(self) -> Any:
        return _fitting.single_output(super().__sklearn_tags__())


_fitting.register_family(
    "GradientBoosting",
    "boosting",
    {
        "numpy": "trees fitted to the loss's negative gradient, leaves by its line search",
        "sklearn": "scikit-learn's gradient boosting (the reference)",
    },
)
