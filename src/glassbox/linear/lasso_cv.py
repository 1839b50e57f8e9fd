"""LassoCV and ElasticNetCV: choose α (and ρ) by k-fold cross-validation over the path.

For each ρ the α grid is computed once on the full data (``α_max`` down to ``ε α_max``).
For each fold the path is fitted on the training part, with that part's own centering,
and scored on the held-out part:

    MSE_f(α) = Σ_{i ∈ test_f} s_i (y_i − x_iᵀw_f(α) − b_f(α))² / Σ_{i ∈ test_f} s_i    (1)

The chosen pair minimizes the unweighted mean of eq. (1) over folds; the model is then
refitted on all the data at that pair. ``mse_path_`` keeps every MSE, shaped
(n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds) for several ρ.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, RegressorMixin
from glassbox.labels import data_conversion_warning
from glassbox.linear.lasso import ElasticNet, as_generator, check_solver_params, use_gram
from glassbox.linear.least_squares_problem import (
    LeastSquaresProblem,
    alpha_grid,
    centered_correlations,
    prepare_problem,
)
from glassbox.linear.params import check_int, check_real
from glassbox.linear.paths import path_on_problem
from glassbox.registry import register_estimator
from glassbox.validation import as_float_array, check_sample_weight, check_target, validate_data

__all__ = ["ElasticNetCV", "LassoCV", "kfold_indices"]


def kfold_indices(n_samples: int, n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Contiguous k-fold splits (no shuffling); the first ``n % k`` folds get one extra row."""
    if n_splits < 2:
        raise ValueError(f"cv must give at least 2 folds; got {n_splits}.")
    if n_splits > n_samples:
        raise ValueError(
            f"Cannot have number of folds cv={n_splits} greater than the number of "
            f"samples n_samples={n_samples}. Lower cv or pass more samples."
        )
    sizes = np.full(n_splits, n_samples // n_splits)
    sizes[: n_samples % n_splits] += 1
    stops = np.cumsum(sizes)
    indices = np.arange(n_samples)
    folds = []
    for stop, size in zip(stops, sizes):
        test = indices[stop - size : stop]
        train = np.concatenate([indices[: stop - size], indices[stop:]])
        folds.append((train, test))
    return folds


def resolve_folds(cv: Any, X: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds from ``cv``: None (5), an int, a splitter with ``split(X, y)``, or an iterable."""
    if cv is None:
        return kfold_indices(len(X), 5)
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        return kfold_indices(len(X), int(cv))
    if hasattr(cv, "split"):
        return [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y)]
    if isinstance(cv, Iterable):
        return [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    raise ValueError(
        f"cv must be None, an int, a splitter with a split method, or an iterable of "
        f"(train, test) index pairs; got {cv!r}."
    )


class _EnetCVBase(RegressorMixin, BaseEstimator):
    eps: float
    alphas: Any
    fit_intercept: bool
    precompute: Any
    max_iter: int
    tol: float
    cv: Any
    random_state: Any
    selection: str
    solver: str

    def _l1_ratios(self) -> np.ndarray:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _EnetCVBase:
        """Cross-validate the path, then refit at the best (α, ρ)."""
        owner = type(self).__name__
        check_real(owner, "eps", self.eps, low=0.0, low_inclusive=False)
        ratios = self._l1_ratios()
        # reuse the single-model checks (alpha is a placeholder here)
        probe = ElasticNet(
            alpha=1.0,
            l1_ratio=float(ratios[0]),
            fit_intercept=self.fit_intercept,
            precompute=self.precompute,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
            selection=self.selection,
            solver=self.solver,
        )
        check_solver_params(probe)
        X = validate_data(self, X, reset=True)
        y = check_target(y, X.shape[0], estimator_name=owner)
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"{owner} fits a single target; got y with {y.shape[1]} columns. Fit one "
                "model per column."
            )
        if y.ndim == 2:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel().",
                data_conversion_warning(),
                stacklevel=2,
            )
        y = y.ravel()
        weights = check_sample_weight(sample_weight, X.shape[0])
        # the grid needs only q = Xcᵀ W yc and n: a stand-in problem without G
        full = LeastSquaresProblem(
            float(X.shape[0]),
            None,
            None,
            None,
            centered_correlations(X, y[:, None], weights, fit_intercept=bool(self.fit_intercept)),
            np.zeros(1),
            np.zeros(X.shape[1]),
            np.zeros(1),
        )
        grids = [self._grid(full, float(ratio)) for ratio in ratios]
        folds = resolve_folds(self.cv, X, y)
        rng = as_generator(self.random_state)
        mse = np.zeros((len(ratios), len(grids[0]), len(folds)))
        for f, (train, test) in enumerate(folds):
            w_train = None if weights is None else weights[train]
            problem = prepare_problem(
                X[train],
                y[train, None],
                w_train,
                fit_intercept=bool(self.fit_intercept),
                use_gram=use_gram(self.precompute, len(train), X.shape[1], owner),
            )
            w_test = np.ones(len(test)) if weights is None else weights[test]
            for r, ratio in enumerate(ratios):
                coefs, _, _ = path_on_problem(
                    problem,
                    grids[r],
                    float(ratio),
                    solver=self.solver,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    selection=self.selection,
                    rng=rng,
                )
                coefs = coefs[0]  # (n_features, n_alphas)
                intercepts = problem.y_offset[0] - problem.X_offset @ coefs
                residuals = X[test] @ coefs + intercepts - y[test, None]
                mse[r, :, f] = w_test @ residuals**2 / w_test.sum()  # eq. (1)
        mean_mse = mse.mean(axis=2)
        r_best, a_best = np.unravel_index(np.argmin(mean_mse), mean_mse.shape)
        self.alpha_ = float(grids[r_best][a_best])
        self.l1_ratio_ = float(ratios[r_best])
        self.mse_path_ = mse[0] if len(ratios) == 1 else mse
        self.alphas_ = grids[0] if len(ratios) == 1 else np.asarray(grids)
        model = ElasticNet(
            alpha=self.alpha_,
            l1_ratio=self.l1_ratio_,
            fit_intercept=self.fit_intercept,
            precompute=self.precompute,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
            selection=self.selection,
            solver=self.solver,
        ).fit(X, y, sample_weight=weights)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        self.solver_ = model.solver_
        return self

    def _grid(self, problem: Any, ratio: float) -> np.ndarray:
        owner = type(self).__name__
        if isinstance(self.alphas, numbers.Integral) and not isinstance(self.alphas, bool):
            n_alphas = check_int(owner, "alphas", self.alphas)
            return alpha_grid(problem, ratio, eps=self.eps, n_alphas=n_alphas)
        grid = as_float_array(self.alphas, name="alphas", ensure_2d=False).ravel()
        if grid.size == 0 or np.any(grid < 0):
            raise ValueError(f"{owner}: alphas must be a non-empty list of values >= 0.")
        return np.sort(grid)[::-1]

    def predict(self, X: Any) -> np.ndarray:
        """``Xw + b`` with the refitted model."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False)
        return X @ self.coef_ + self.intercept_


@register_estimator
class ElasticNetCV(_EnetCVBase):
    """ElasticNet with α (and ρ among ``l1_ratio``) chosen by k-fold cross-validation.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Candidate mixings ρ in (0, 1].
    eps : float, default=1e-3
        ``α_min / α_max`` of each automatic grid.
    alphas : int or array-like, default=100
        Number of automatic grid points, or an explicit grid.
    cv : None, int, splitter or iterable, default=None
        None is 5 contiguous folds.
    fit_intercept, precompute, max_iter, tol, random_state, selection, solver
        As in :class:`~glassbox.linear.lasso.ElasticNet`.

    Attributes
    ----------
    alpha_, l1_ratio_ : the chosen pair.
    alphas_ : the grid(s), (n_alphas,) or (n_l1_ratios, n_alphas).
    mse_path_ : held-out MSE, (n_alphas, n_folds) or (n_l1_ratios, n_alphas, n_folds).
    coef_, intercept_, dual_gap_, n_iter_ : the refitted model's.
    """

    def __init__(
        self,
        *,
        l1_ratio: Any = 0.5,
        eps: float = 1e-3,
        alphas: Any = 100,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        cv: Any = None,
        random_state: Any = None,
        selection: str = "cyclic",
        solver: str = "cd",
    ) -> None:
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    def _l1_ratios(self) -> np.ndarray:
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        for ratio in ratios:
            check_real(type(self).__name__, "l1_ratio", ratio, low=0.0, high=1.0)
        return ratios.astype(np.float64)


@register_estimator
class LassoCV(_EnetCVBase):
    """Lasso with α chosen by k-fold cross-validation over the path (ElasticNetCV, ρ = 1)."""

    def __init__(
        self,
        *,
        eps: float = 1e-3,
        alphas: Any = 100,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        cv: Any = None,
        random_state: Any = None,
        selection: str = "cyclic",
        solver: str = "cd",
    ) -> None:
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    def _l1_ratios(self) -> np.ndarray:
        return np.array([1.0])

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LassoCV:
        """Cross-validate the Lasso path, then refit at the best α."""
        super().fit(X, y, sample_weight=sample_weight)
        del self.l1_ratio_
        return self
