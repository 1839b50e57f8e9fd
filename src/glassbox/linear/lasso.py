"""Lasso and ElasticNet: least squares with an L1 (and L2) penalty.

The objective is scikit-learn's, whatever the solver:

    min_{w,b}  1/(2n) Σ s_i (y_i − x_iᵀw − b)² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖²          (1)

with ρ = ``l1_ratio`` (Lasso is ρ = 1) and sample weights ``s`` rescaled to sum to ``n``.
The intercept is not penalized, so it is eliminated by centering: ``b = ȳ − x̄ᵀw`` with
weighted means. Multiplying eq. (1) by ``n`` gives the unscaled problem every solver works
on (see :mod:`glassbox.linear.least_squares_problem`); ``dual_gap_`` is reported on the
scale of eq. (1), i.e. divided by ``n``, as scikit-learn reports it.

Solvers (a table, ``solver=``):

* ``"cd"``: coordinate descent, cyclic or random, on the Gram matrix when samples
  outnumber features (``precompute="auto"``), stopped on the duality gap;
* ``"fista"``: proximal gradient with momentum, stopped on the same duality gap.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from glassbox.backends.dispatch import (
    check_backend_params,
    fit_collection,
    fit_with_backend,
    predict_collection,
    store,
)
from glassbox.base import BaseEstimator, RegressorMixin
from glassbox.exceptions import ConvergenceWarning
from glassbox.linear.coordinate_descent import CDResult, coordinate_descent
from glassbox.linear.least_squares_problem import LeastSquaresProblem, prepare_problem
from glassbox.linear.params import check_bool, check_choice, check_int, check_real
from glassbox.linear.proximal import enet_fista
from glassbox.registry import register_estimator
from glassbox.validation import check_sample_weight, check_target, validate_data

__all__ = ["ENET_SOLVERS", "ElasticNet", "Lasso"]

#: name -> ``solver(problem, l1, l2, w0, *, max_iter, tol, selection, rng) -> CDResult``
ENET_SOLVERS: dict[str, Callable[..., CDResult]] = {
    "cd": coordinate_descent,
    "fista": enet_fista,
}


def as_generator(random_state: Any) -> np.random.Generator:
    """A NumPy Generator from ``None``, an int, a Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    raise ValueError(
        f"random_state must be None, an int or a numpy random generator; got {random_state!r}."
    )


def use_gram(precompute: Any, n_samples: int, n_features: int, owner: str) -> bool:
    """Resolve ``precompute``: ``"auto"`` takes the Gram form when n_samples > n_features,
    where ``XᵀX`` is smaller than X and every epoch then costs O(p²) instead of O(np)."""
    if isinstance(precompute, str):
        check_choice(owner, "precompute", precompute, ("auto",))
        return n_samples > n_features
    return check_bool(owner, "precompute", precompute)


def check_solver_params(estimator: Any) -> tuple[float, float]:
    """Validate the hyperparameters shared by the elastic-net family; return (α, ρ)."""
    owner = type(estimator).__name__
    alpha = check_real(owner, "alpha", estimator.alpha, low=0.0)
    l1_ratio = check_real(owner, "l1_ratio", estimator._l1_ratio(), low=0.0, high=1.0)
    check_int(owner, "max_iter", estimator.max_iter)
    check_real(owner, "tol", estimator.tol, low=0.0)
    check_choice(owner, "selection", estimator.selection, ("cyclic", "random"))
    check_choice(owner, "solver", estimator.solver, tuple(ENET_SOLVERS))
    check_bool(owner, "fit_intercept", estimator.fit_intercept)
    check_bool(owner, "warm_start", estimator.warm_start)
    return alpha, l1_ratio


class _ElasticNetBase(RegressorMixin, BaseEstimator):
    backend: str
    device: str
    dtype: str
    alpha: float
    fit_intercept: bool
    precompute: Any
    max_iter: int
    tol: float
    warm_start: bool
    random_state: Any
    selection: str
    solver: str

    def _l1_ratio(self) -> float:
        raise NotImplementedError

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _ElasticNetBase:
        """Minimize eq. (1) on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        owner = type(self).__name__
        alpha, l1_ratio = check_solver_params(self)
        warm = self.warm_start and hasattr(self, "coef_")
        previous = np.atleast_2d(getattr(self, "coef_")) if warm else None  # noqa: B009
        # One canonical layout, so Fortran-ordered or strided input gives bit-identical fits
        # (BLAS rounds differently by layout); a copy is made only when X is not C-ordered.
        check_backend_params(self)
        if fit_collection(self, owner, self.solver, X, y, sample_weight):
            # A Dask array or DataFrame: the Gram form from one pass of merged statistics.
            self._per_target_scalars()
            self.solver_ = self.solver
            return self
        X = np.ascontiguousarray(validate_data(self, X, reset=True))
        y = check_target(y, X.shape[0], estimator_name=owner)
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.backend != "numpy":
            fitted = fit_with_backend(self, owner, self.solver, X, y.reshape(len(y), -1), weights)
            store(self, fitted, y.ndim)
            self._per_target_scalars()
            self.solver_ = self.solver
            return self
        self.backend_, self.device_ = "numpy", "cpu"
        gram_form = use_gram(self.precompute, X.shape[0], X.shape[1], owner)
        Y = y.reshape(len(y), -1)
        start = None
        if previous is not None and previous.shape == (Y.shape[1], X.shape[1]):
            start = previous
        problem = prepare_problem(
            X, Y, weights, fit_intercept=bool(self.fit_intercept), use_gram=gram_form
        )
        coef, gaps, n_iters = solve_all_targets(
            problem,
            alpha,
            l1_ratio,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
            selection=self.selection,
            rng=as_generator(self.random_state),
            coef_init=start,
        )
        intercept = problem.y_offset - coef @ problem.X_offset
        single = y.ndim == 1
        self.coef_: np.ndarray = coef[0] if single else coef
        self.intercept_: Any = float(intercept[0]) if single else intercept
        self.dual_gap_: Any = float(gaps[0]) if single else gaps
        self.n_iter_: Any = int(n_iters[0]) if single else n_iters
        self.solver_ = self.solver
        self.precompute_ = gram_form
        return self

    def _per_target_scalars(self) -> None:
        """``dual_gap_`` and ``n_iter_`` as a float and an int for a single target, as the
        NumPy backend stores them (a backend returns one value per target)."""
        if np.ndim(self.coef_) == 1:
            for name, kind in (("dual_gap_", float), ("n_iter_", int)):
                if hasattr(self, name):
                    setattr(self, name, kind(np.ravel(getattr(self, name))[0]))

    def predict(self, X: Any) -> np.ndarray:
        """``Xw + b`` (a lazy Dask array when X is a Dask collection)."""
        self._check_is_fitted()
        if (lazy := predict_collection(self, X)) is not None:
            return lazy
        X = validate_data(self, X, reset=False)
        return X @ self.coef_.T + self.intercept_

    @property
    def sparse_coef_(self) -> Any:
        """``coef_`` as a scipy.sparse CSR matrix."""
        from scipy import sparse

        return sparse.csr_matrix(np.atleast_2d(self.coef_))


def solve_all_targets(
    problem: LeastSquaresProblem,
    alpha: float,
    l1_ratio: float,
    *,
    solver: str,
    max_iter: int,
    tol: float,
    selection: str,
    rng: np.random.Generator,
    coef_init: np.ndarray | None = None,
    warn: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve eq. (1) for each target; coefficients (n_targets, n_features), gaps / n, iters."""
    n = problem.n_samples
    l1, l2 = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    n_targets = problem.Xty.shape[1]
    coef = np.zeros((n_targets, problem.n_features))
    gaps = np.zeros(n_targets)
    n_iters = np.zeros(n_targets, dtype=int)
    solve = ENET_SOLVERS[solver]
    for k in range(n_targets):
        start = coef_init[k] if coef_init is not None else np.zeros(problem.n_features)
        result = solve(
            problem.target(k),
            l1,
            l2,
            start,
            max_iter=max_iter,
            tol=tol,
            selection=selection,
            rng=rng,
        )
        coef[k], gaps[k], n_iters[k] = result.coef, result.gap / n, result.n_iter
        if warn and not result.converged:
            warnings.warn(
                f"Objective did not converge ({solver}). Duality gap: {result.gap / n:.3e}, "
                f"tolerance: {tol * problem.y_norm2[k] / n:.3e}. You might want to increase "
                "the number of iterations (max_iter), check the scale of the features or "
                "consider increasing regularisation.",
                ConvergenceWarning,
                stacklevel=3,
            )
    return coef, gaps, n_iters


@register_estimator
class ElasticNet(_ElasticNetBase):
    """Linear regression with combined L1 and L2 penalties, eq. (1).

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength α ≥ 0.
    l1_ratio : float, default=0.5
        Mixing ρ in [0, 1]: 1 is the Lasso, 0 is ridge (with eq. (1)'s ½ scaling).
    fit_intercept : bool, default=True
        Fit the unpenalized intercept b (by centering).
    precompute : {"auto", True, False}, default="auto"
        Work on the Gram matrix ``XᵀX`` ("auto": when n_samples > n_features).
    max_iter : int, default=1000
        Maximum epochs (coordinate descent) or gradient steps (FISTA).
    tol : float, default=1e-4
        Stop when the duality gap (scale of eq. (1)) is at most ``tol ‖y − ȳ‖²/n``.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_``.
    random_state : int, Generator or None
        Seed for ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order for coordinate descent.
    solver : {"cd", "fista"}, default="cd"
        Entry of :data:`ENET_SOLVERS`.
    backend, device, dtype : the engine, as in :class:`~glassbox.LinearRegression`.

    Attributes
    ----------
    coef_, intercept_ : fitted w and b.
    n_iter_ : int, epochs (or steps) taken.
    dual_gap_ : float, the final duality gap on eq. (1)'s scale.
    solver_ : str, the solver used; ``precompute_`` : bool, whether the Gram form was used.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
        solver: str = "cd",
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    def _l1_ratio(self) -> float:
        return self.l1_ratio


@register_estimator
class Lasso(_ElasticNetBase):
    """Linear regression with an L1 penalty: eq. (1) with ρ = 1,

        min 1/(2n) Σ s_i (y_i − x_iᵀw − b)² + α‖w‖₁.

    Parameters and attributes are those of :class:`ElasticNet` without ``l1_ratio``.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
        solver: str = "cd",
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    def _l1_ratio(self) -> float:
        return 1.0
