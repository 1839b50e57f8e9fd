"""Regularization paths: the elastic net solved along a decreasing grid of α, warm-started.

Along the grid ``α_0 = α_max > α_1 > … > α_{m−1} = ε α_max`` (log-spaced), the solution
moves little from one α to the next, so each fit starts from the previous one:

    w(α_k) = argmin_w ½‖y − Xw‖² + nα_kρ‖w‖₁ + ½nα_k(1 − ρ)‖w‖²,  started at w(α_{k−1}).

``α_max = max_j |x_jᵀy| / (nρ)`` is the smallest α with ``w = 0`` (every coordinate's
correlation lies within the L1 threshold). The Gram matrix is formed once for the whole
path. As in scikit-learn, :func:`enet_path` does not center X or y (no intercept): center
them first, or use :class:`~glassbox.linear.lasso_cv.ElasticNetCV`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.linear.lasso import ENET_SOLVERS, as_generator, solve_all_targets, use_gram
from glassbox.linear.least_squares_problem import LeastSquaresProblem, alpha_grid, prepare_problem
from glassbox.linear.params import check_choice, check_int, check_real
from glassbox.validation import as_float_array, check_target

__all__ = ["enet_path", "lasso_path", "path_on_problem"]


def path_on_problem(
    problem: LeastSquaresProblem,
    alphas: np.ndarray,
    l1_ratio: float,
    *,
    solver: str = "cd",
    max_iter: int = 1000,
    tol: float = 1e-4,
    selection: str = "cyclic",
    rng: np.random.Generator | None = None,
    coef_init: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve ``problem`` at each α in order, each fit warm-started from the previous.

    Returns coefficients (n_targets, n_features, n_alphas), gaps and iterations (n_alphas,)
    (summed over targets for the iterations, maximum gap over targets).
    """
    n_targets = problem.Xty.shape[1]
    coefs = np.zeros((n_targets, problem.n_features, len(alphas)))
    gaps = np.zeros(len(alphas))
    n_iters = np.zeros(len(alphas), dtype=int)
    current = coef_init
    generator = rng if rng is not None else np.random.default_rng(0)
    for i, alpha in enumerate(alphas):
        coef, gap, n_iter = solve_all_targets(
            problem,
            float(alpha),
            l1_ratio,
            solver=solver,
            max_iter=max_iter,
            tol=tol,
            selection=selection,
            rng=generator,
            coef_init=current,
        )
        coefs[:, :, i] = coef
        gaps[i] = gap.max()
        n_iters[i] = n_iter.sum()
        current = coef
    return coefs, gaps, n_iters


def enet_path(
    X: Any,
    y: Any,
    *,
    l1_ratio: float = 0.5,
    eps: float = 1e-3,
    n_alphas: int = 100,
    alphas: Any = None,
    precompute: Any = "auto",
    max_iter: int = 1000,
    tol: float = 1e-4,
    coef_init: Any = None,
    selection: str = "cyclic",
    random_state: Any = None,
    solver: str = "cd",
    return_n_iter: bool = False,
) -> tuple[np.ndarray, ...]:
    """The elastic-net solution along a grid of α (no intercept, as scikit-learn's).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float, default=0.5
        ρ in (0, 1] for an automatic grid, [0, 1] with explicit ``alphas``.
    eps : float, default=1e-3
        ``α_min / α_max`` of the automatic grid.
    n_alphas : int, default=100
        Length of the automatic grid.
    alphas : array-like, optional
        Explicit grid (sorted into decreasing order).
    precompute : {"auto", True, False}
        Gram form ("auto": when n_samples > n_features).
    max_iter, tol, selection, random_state, solver
        As in :class:`~glassbox.linear.lasso.ElasticNet`.
    coef_init : array-like of shape (n_features,), optional
        Start of the first fit.
    return_n_iter : bool
        Also return the iterations per α.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,), on the scale of the ``1/(2n)`` objective
    n_iters : ndarray of shape (n_alphas,), only with ``return_n_iter``
    """
    owner = "enet_path"
    l1_ratio = check_real(owner, "l1_ratio", l1_ratio, low=0.0, high=1.0)
    check_real(owner, "eps", eps, low=0.0, low_inclusive=False)
    check_int(owner, "n_alphas", n_alphas)
    check_int(owner, "max_iter", max_iter)
    check_real(owner, "tol", tol, low=0.0)
    check_choice(owner, "selection", selection, ("cyclic", "random"))
    check_choice(owner, "solver", solver, tuple(ENET_SOLVERS))
    X = as_float_array(X, name="X")
    y = check_target(y, X.shape[0], estimator_name=owner)
    Y = y.reshape(len(y), -1)
    gram_form = use_gram(precompute, X.shape[0], X.shape[1], owner)
    problem = prepare_problem(X, Y, None, fit_intercept=False, use_gram=gram_form)
    if alphas is None:
        grid = alpha_grid(problem, l1_ratio, eps=eps, n_alphas=n_alphas)
    else:
        grid = np.sort(as_float_array(alphas, name="alphas", ensure_2d=False).ravel())[::-1]
        if np.any(grid < 0):
            raise ValueError(f"{owner}: alphas must be >= 0; got {grid.min()!r}.")
    start = None
    if coef_init is not None:
        start = as_float_array(coef_init, name="coef_init", ensure_2d=False).reshape(
            Y.shape[1], X.shape[1]
        )
    coefs, gaps, n_iters = path_on_problem(
        problem,
        grid,
        l1_ratio,
        solver=solver,
        max_iter=max_iter,
        tol=tol,
        selection=selection,
        rng=as_generator(random_state),
        coef_init=start,
    )
    out_coefs = coefs[0] if y.ndim == 1 else coefs
    if return_n_iter:
        return grid, out_coefs, gaps, n_iters
    return grid, out_coefs, gaps


def lasso_path(X: Any, y: Any, **params: Any) -> tuple[np.ndarray, ...]:
    """:func:`enet_path` with ``l1_ratio=1``: the Lasso along a grid of α."""
    if "l1_ratio" in params:
        raise TypeError("lasso_path fixes l1_ratio=1; use enet_path for other values.")
    return enet_path(X, y, l1_ratio=1.0, **params)
