"""``Ridge``: least squares with an L2 penalty, solved exactly by a factorization.

The model minimizes scikit-learn's objective, so the same ``alpha`` means the same model:

    Σᵢ wᵢ (yᵢ - b - xᵢᵀβ)² + α ‖β‖²          (the intercept b is never penalized)      (1)

Eliminating b by centring (as in ordinary least squares) and writing β = D⁻¹ z with D the
column norms of the centred design A₀ = √W (X - 1μᵀ) gives the scaled normal equations

    (AᵀA + α D⁻²) z = Aᵀ B,     A = A₀ D⁻¹                                              (2)

The docstring writes β = (A₀ᵀA₀ + αI)⁻¹ A₀ᵀB; the code never forms an inverse:

* ``"cholesky"``: Cholesky of (2), from the blocked Gram matrix shared with OLS;
* ``"qr"``: Householder QR of the stacked matrix [A; √α D⁻¹], whose least-squares solution is
  (2) without ever squaring the condition number;
* ``"svd"``: A₀ = U S Vᵀ and β = V diag(s / (s² + α)) Uᵀ B, the textbook filter factors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.linalg import qr, solve_triangular, svd

from glassbox.backends.dispatch import (
    check_backend_params,
    fit_collection,
    fit_with_backend,
    predict_collection,
    store,
)
from glassbox.base import BaseEstimator, RegressorMixin
from glassbox.linear.descent import METHODS as DESCENT_METHODS
from glassbox.linear.descent import fit_descent
from glassbox.linear.factorizations import CholeskyFactorization
from glassbox.linear.problem import LeastSquaresProblem
from glassbox.registry import register_estimator
from glassbox.validation import check_sample_weight, check_target, validate_data

RidgeSolver = Callable[[LeastSquaresProblem, np.ndarray], np.ndarray]


def _penalty_diagonal(problem: LeastSquaresProblem, alphas: np.ndarray) -> np.ndarray:
    """α / d² per column and target (k, p): the penalty of eq. (2) in scaled coordinates."""
    return alphas[:, None] / problem.column_scale[None, :] ** 2


def solve_ridge_cholesky(problem: LeastSquaresProblem, alphas: np.ndarray) -> np.ndarray:
    """Scaled solution z (p, k) of eq. (2) by Cholesky, one factorization per distinct alpha."""
    G, C = problem.scaled_gram()
    z = np.zeros((problem.n_features, problem.n_targets))
    columns = np.arange(problem.n_features)
    penalty = _penalty_diagonal(problem, alphas)
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        system = G + np.diag(penalty[targets[0]])
        factorization = CholeskyFactorization.of(system, columns)
        if factorization is None:  # only possible for alpha == 0 with a singular design
            raise np.linalg.LinAlgError(
                "Ridge with alpha=0 on a rank-deficient design has no unique solution; use "
                "alpha > 0 or LinearRegression (which reports the redundant columns)."
            )
        z[:, targets] = factorization.solve_normal(C[:, targets])
    return z


def solve_ridge_qr(problem: LeastSquaresProblem, alphas: np.ndarray) -> np.ndarray:
    """Eq. (2) as the least-squares problem min ‖[B; 0] - [A; √α D⁻¹] z‖, by Householder QR."""
    A = problem.scaled_design()
    B = problem.scaled_target()
    z = np.zeros((problem.n_features, problem.n_targets))
    penalty = _penalty_diagonal(problem, alphas)
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        stacked = np.vstack([A, np.diag(np.sqrt(penalty[targets[0]]))])
        Q, R = qr(stacked, mode="economic", check_finite=False)
        rhs = Q[: problem.n_samples].T @ B[:, targets]
        z[:, targets] = solve_triangular(R, rhs, lower=False, check_finite=False)
    return z


def ridge_filters(s: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Filter factors s / (s² + α), shape (r, k); with α = 0, 1/s above the rank cutoff."""
    s = s[:, None]
    cutoff = s.max(initial=0.0) * max(s.shape[0], 1) * np.finfo(float).eps * 10
    denominator = s**2 + alphas[None, :]
    safe = (denominator > 0) & (s > cutoff)
    return np.where(safe, s / np.where(safe, denominator, 1.0), 0.0)


def solve_ridge_svd(problem: LeastSquaresProblem, alphas: np.ndarray) -> np.ndarray:
    """Filter factors s / (s² + α) on the SVD of the unscaled centred design A₀ = A D."""
    A0 = problem.scaled_design() * problem.column_scale
    U, s, Vt = svd(A0, full_matrices=False, lapack_driver="gesdd", check_finite=False)
    projected = U.T @ problem.scaled_target()  # (r, k)
    filters = ridge_filters(s, alphas)  # (r, k)
    beta = Vt.T @ (filters * projected)
    return beta * problem.column_scale[:, None]  # back to the scaled coordinates z = D β


RIDGE_SOLVERS: dict[str, RidgeSolver] = {
    "cholesky": solve_ridge_cholesky,
    "qr": solve_ridge_qr,
    "svd": solve_ridge_svd,
}


def check_alpha(alpha: Any, n_targets: int) -> np.ndarray:
    """alpha as an array of one penalty per target; clear errors for negative or non-finite."""
    alphas = np.atleast_1d(np.asarray(alpha, dtype=float))
    if alphas.ndim != 1 or alphas.size not in (1, n_targets):
        raise ValueError(
            f"alpha must be a number or one number per target ({n_targets}); got shape "
            f"{np.shape(alpha)}."
        )
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"alpha must be finite and >= 0; got {alpha!r}.")
    return np.broadcast_to(alphas, (n_targets,)).copy()


@register_estimator
class Ridge(RegressorMixin, BaseEstimator):
    """Linear least squares with an L2 penalty on the coefficients (not on the intercept).

    Parameters
    ----------
    alpha : float or array of shape (n_targets,), default 1.0
        Penalty strength α in Σ w (y - b - xᵀβ)² + α‖β‖² (scikit-learn's definition).
    fit_intercept : bool, default True
    solver : {"auto", "cholesky", "qr", "svd", "bgd", "sgd", "minibatch"}, default "auto"
        ``"auto"`` uses Cholesky (the penalty bounds the conditioning), SVD when there are
        fewer samples than features. ``alpha = 0`` always runs the SVD (minimum-norm least
        squares), recorded in ``solver_``. ``"bgd"``, ``"sgd"``, ``"minibatch"``: gradient
        descent (:mod:`glassbox.linear.descent`) on the same objective (1), so the same alpha
        gives the same model; ``learning_rate``, ``optimizer``, ``batch_size``,
        ``max_epochs``, ``tol``, ``random_state`` and ``variance_reduction`` apply to these
        only, as in :class:`~glassbox.LinearRegression`.

    backend, device, dtype : the engine, as in :class:`~glassbox.LinearRegression`.

    Attributes
    ----------
    coef_, intercept_, solver_, backend_, device_, n_features_in_, feature_names_in_
    """

    def __init__(
        self,
        alpha: Any = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        learning_rate: Any = "auto",
        optimizer: Any = "auto",
        batch_size: int = 32,
        max_epochs: int = 1000,
        tol: float | None = 1e-9,
        random_state: Any = None,
        variance_reduction: str | None = None,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.random_state = random_state
        self.variance_reduction = variance_reduction
        self.backend = backend
        self.device = device
        self.dtype = dtype

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit by solving the penalized normal equations (2); returns ``self``."""
        names = ("auto", *RIDGE_SOLVERS, *DESCENT_METHODS)
        if self.solver not in names:
            raise ValueError(
                f"Unknown solver {self.solver!r} for Ridge; valid solvers are {list(names)}."
            )
        check_backend_params(self)
        if fit_collection(self, "Ridge", self.solver, X, y, sample_weight):
            return self  # a Dask array or DataFrame: fitted from one pass of statistics
        X = validate_data(self, X, reset=True)
        y = check_target(y, X.shape[0], estimator_name=type(self).__name__)
        Y = y.reshape(len(y), -1)
        alphas = check_alpha(self.alpha, Y.shape[1])
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.backend != "numpy":
            fitted = fit_with_backend(self, "Ridge", self.solver, X, Y, weights)
            fitted.attributes.setdefault("solver_", self.solver)  # a backend may say what ran
            store(self, fitted, y.ndim)
            return self
        self.backend_, self.device_ = "numpy", "cpu"
        if self.solver in DESCENT_METHODS:
            self._fit_descent(X, y, weights, alphas)
            return self
        problem = LeastSquaresProblem(X, Y, weights, bool(self.fit_intercept))
        solver = self.solver
        if solver == "auto":
            solver = "svd" if problem.effective_samples < problem.n_features else "cholesky"
        if solver != "svd" and np.any(alphas == 0):
            solver = "svd"  # alpha = 0 is least squares: the minimum-norm solution is defined
        z = RIDGE_SOLVERS[solver](problem, alphas)
        coef = z / problem.column_scale[:, None]
        coef[problem.null_columns] = 0.0
        intercept = problem.y_offset - problem.x_offset @ coef
        self.solver_ = solver
        self.coef_ = coef[:, 0] if y.ndim == 1 else np.ascontiguousarray(coef.T)
        self.intercept_: float | np.ndarray = float(intercept[0]) if y.ndim == 1 else intercept
        return self

    def _fit_descent(
        self, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None, alphas: np.ndarray
    ) -> None:
        result = fit_descent(
            X,
            y,
            weights,
            fit_intercept=bool(self.fit_intercept),
            method=self.solver,
            learning_rate=self.learning_rate,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            tol=self.tol,
            random_state=self.random_state,
            variance_reduction=self.variance_reduction,
            l2_penalty=alphas,
            check_input=False,  # validate_data and check_target ran in fit
        )
        self.solver_ = self.solver
        for name, value in result.fitted_attributes().items():
            setattr(self, name, value)

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = b + X β (a lazy Dask array when X is a Dask collection)."""
        self._check_is_fitted()
        if (lazy := predict_collection(self, X)) is not None:
            return lazy
        X = validate_data(self, X, reset=False)
        return np.asarray(X @ np.asarray(self.coef_).T + self.intercept_)


def _loo_squared_errors(
    problem: LeastSquaresProblem, alphas: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leave-one-out squared errors for every candidate alpha, from one SVD.

    With A₀ = √W (X - 1μᵀ) = U S Vᵀ, the hat matrix of the weighted fit (unpenalized intercept
    included) has diagonal

        hᵢ(α) = wᵢ / Σw + Σₖ U²ᵢₖ s²ₖ / (s²ₖ + α)                                      (3)

    and the leave-one-out residual is eᵢ / (1 - hᵢ) with eᵢ the residual of the full fit.
    Returns (errors² of shape (n_alphas, n, k), U, s) so the caller can score them.
    """
    A0 = problem.scaled_design() * problem.column_scale
    U, s, _ = svd(A0, full_matrices=False, lapack_driver="gesdd", check_finite=False)
    B = problem.scaled_target()
    projected = U.T @ B  # (r, k)
    weights = np.ones(problem.n_samples) if problem.sample_weight is None else problem.sample_weight
    intercept_leverage = weights / problem.weight_sum if problem.fit_intercept else 0.0
    squared = np.empty((alphas.size, problem.n_samples, problem.n_targets))
    sqrt_w = np.sqrt(weights)[:, None]
    for index, alpha in enumerate(alphas):
        shrink = s**2 / (s**2 + alpha) if alpha > 0 else (s > 0).astype(float)
        fitted = U @ (shrink[:, None] * projected)  # √W (ŷ - ȳ)
        leverage = intercept_leverage + (U**2) @ shrink
        residual = B - fitted  # √W (y - ŷ)
        with np.errstate(divide="ignore", invalid="ignore"):
            loo = residual / sqrt_w / (1.0 - leverage)[:, None]
        loo[weights == 0] = 0.0
        squared[index] = loo**2
    return squared, U, s


@register_estimator
class RidgeCV(RegressorMixin, BaseEstimator):
    """Ridge with alpha chosen by cross-validation: efficient leave-one-out by default.

    Parameters
    ----------
    alphas : sequence of float > 0, default (0.1, 1.0, 10.0)
    fit_intercept : bool, default True
    cv : None, int or iterable of (train, test) index arrays, default None
        ``None``: exact leave-one-out from one SVD (eq. 3 of ``_loo_squared_errors``); an
        integer k: k-fold cross-validation on consecutive folds (no shuffling); or explicit
        splits, as scikit-learn's splitters produce.

    Attributes
    ----------
    alpha_ : the chosen alpha.
    best_score_ : minus the (weighted) mean squared cross-validation error at ``alpha_``.
    cv_results_ : squared leave-one-out errors, shape (n_samples, n_alphas) for one target or
        (n_samples, n_targets, n_alphas) (leave-one-out only), as scikit-learn's
        ``cv_results_`` with ``store_cv_results``.
    coef_, intercept_ : the Ridge refit on all data at ``alpha_``.
    """

    def __init__(
        self,
        alphas: Any = (0.1, 1.0, 10.0),
        *,
        fit_intercept: bool = True,
        cv: Any = None,
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv

    def _check_alphas(self) -> np.ndarray:
        alphas = np.asarray(self.alphas, dtype=float).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
            raise ValueError(
                f"alphas must be a non-empty sequence of numbers > 0; got {self.alphas!r}."
            )
        return alphas

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RidgeCV:
        """Score every alpha by cross-validation, then refit Ridge at the best one."""
        alphas = self._check_alphas()
        X = validate_data(self, X, reset=True)
        y = check_target(y, X.shape[0], estimator_name=type(self).__name__)
        Y = y.reshape(len(y), -1)
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.cv is None:
            problem = LeastSquaresProblem(X, Y, weights, bool(self.fit_intercept))
            squared, _, _ = _loo_squared_errors(problem, alphas)
            w = np.ones(len(Y)) if weights is None else weights
            scores = -np.einsum("i,aik->a", w, squared) / (w.sum() * Y.shape[1])
            results = np.moveaxis(squared, 0, -1)  # (n_samples, n_targets, n_alphas)
            self.cv_results_ = results[:, 0, :] if y.ndim == 1 else results
        else:
            scores = self._kfold_scores(X, Y, weights, alphas)
        best = int(np.argmax(scores))
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(scores[best])
        model = Ridge(self.alpha_, fit_intercept=self.fit_intercept).fit(X, y, weights)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        return self

    def _kfold_scores(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, alphas: np.ndarray
    ) -> np.ndarray:
        w = np.ones(len(Y)) if weights is None else weights
        total = np.zeros(alphas.size)
        for train, test in self._splits(len(Y)):
            for index, alpha in enumerate(alphas):
                model = Ridge(alpha, fit_intercept=self.fit_intercept)
                model.fit(X[train], Y[train], None if weights is None else weights[train])
                error = Y[test] - model.predict(X[test])
                total[index] += np.einsum("i,ik->", w[test], error**2)
        return -total / (w.sum() * Y.shape[1])

    def _splits(self, n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
        folds = self.cv
        if isinstance(folds, (int, np.integer)) and not isinstance(folds, bool):
            if folds < 2:
                raise ValueError(
                    f"cv must be None (leave-one-out) or an integer >= 2; got {folds}."
                )
            if folds > n_samples:
                raise ValueError(
                    f"cv={folds} folds need at least {folds} samples; got {n_samples}."
                )
            everything = np.arange(n_samples)
            return [
                (np.setdiff1d(everything, test), test) for test in np.array_split(everything, folds)
            ]
        try:
            splits = [(np.asarray(train), np.asarray(test)) for train, test in folds]
        except (TypeError, ValueError) as error:
            raise ValueError(
                "cv must be None (leave-one-out), an integer >= 2, or an iterable of "
                f"(train, test) index arrays; got {folds!r}."
            ) from error
        if not splits:
            raise ValueError("cv gave no (train, test) splits.")
        return splits

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = b + X β at the chosen alpha."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False)
        return np.asarray(X @ np.asarray(self.coef_).T + self.intercept_)
