"""Proximal gradient descent with Nesterov momentum (FISTA) for an L1 penalty.

To minimize ``F(w) = f(w) + λ‖w‖₁`` with ``∇f`` L-Lipschitz, take a gradient step on the
smooth part and then the proximal step of the L1 part, the soft-threshold:

    prox_{tλ‖·‖₁}(v) = sign(v) ⊙ max(|v| − tλ, 0)                                 (1)
    x_{k+1} = prox_{λ/L}(z_k − ∇f(z_k)/L)                                           (2)
    t_{k+1} = (1 + √(1 + 4t_k²))/2,  z_{k+1} = x_{k+1} + (t_k − 1)/t_{k+1} (x_{k+1} − x_k)

Eq. (1) returns exact zeros, so the iterates are sparse. The momentum is restarted
(``t = 1``) whenever it points uphill, ``(z_k − x_{k+1})ᵀ(x_{k+1} − x_k) > 0``, which
keeps the method monotone in practice and linear on strongly convex problems.

References
----------
Beck, Teboulle (2009). A fast iterative shrinkage-thresholding algorithm for linear
inverse problems. SIAM J. Imaging Sci. 2(1).
O'Donoghue, Candès (2015). Adaptive restart for accelerated gradient schemes.
Found. Comput. Math. 15.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassbox.linear.coordinate_descent import CDResult, duality_gap
from glassbox.linear.least_squares_problem import TargetView

__all__ = ["enet_fista", "fista", "soft_threshold"]


def soft_threshold(v: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Eq. (1): ``sign(v) max(|v| − threshold, 0)``, with exact zeros."""
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0.0)


def fista(
    gradient: Callable[[np.ndarray], np.ndarray],
    prox: Callable[[np.ndarray, float], np.ndarray],
    x0: np.ndarray,
    *,
    lipschitz: float,
    max_iter: int,
    converged: Callable[[np.ndarray], bool],
    check_every: int = 10,
) -> tuple[np.ndarray, int, bool]:
    """Eq. (2) with adaptive restart, from ``x0``.

    Parameters
    ----------
    gradient : callable
        ``∇f(x)``.
    prox : callable
        ``prox(v, step)``: the proximal map of ``step`` times the non-smooth term.
    x0 : ndarray
        Starting point.
    lipschitz : float
        ``L``, an upper bound on the Lipschitz constant of ``∇f``; the step is ``1/L``.
    max_iter : int
        Maximum number of gradient steps.
    converged : callable
        Stopping test on the current iterate, evaluated every ``check_every`` steps.

    Returns
    -------
    x, n_iter, converged
    """
    step = 1.0 / lipschitz
    x = np.array(x0, dtype=np.float64)
    z = x.copy()
    t = 1.0
    n_iter = 0
    done = False
    for n_iter in range(1, max_iter + 1):
        x_new = prox(z - step * gradient(z), step)
        if float(np.sum((z - x_new) * (x_new - x))) > 0.0:
            t = 1.0
            z = x_new
        else:
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            z = x_new + ((t - 1.0) / t_new) * (x_new - x)
            t = t_new
        x = x_new
        if n_iter % check_every == 0 or n_iter == max_iter:
            if converged(x):
                done = True
                break
    return x, n_iter, done


def _largest_eigenvalue(problem: TargetView) -> float:
    """λ_max(XᵀX), from the smaller of XᵀX and XXᵀ."""
    if problem.gram is not None:
        return float(np.linalg.eigvalsh(problem.gram)[-1])
    if problem.design is None:  # internal invariant
        raise RuntimeError("glassbox internal error: problem.design is missing")
    X = problem.design
    small = X.T @ X if X.shape[1] <= X.shape[0] else X @ X.T
    return float(np.linalg.eigvalsh(small)[-1])


def enet_fista(
    problem: TargetView,
    l1: float,
    l2: float,
    w0: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    selection: str = "cyclic",
    rng: np.random.Generator | None = None,
) -> CDResult:
    """Minimize ``½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²`` by FISTA, stopped on the duality gap.

    The smooth part has gradient ``−XᵀR + l2 w`` (``Gw − q + l2 w`` in Gram form) and
    Lipschitz constant ``λ_max(XᵀX) + l2``. The stopping rule is coordinate descent's:
    gap at most ``tol ‖y‖²``. ``selection`` and ``rng`` are accepted for a common
    signature and unused.
    """
    del selection, rng
    tol_abs = tol * problem.y_norm2
    lipschitz = _largest_eigenvalue(problem) + l2
    if lipschitz <= 0.0:  # X is all zeros: w = 0 is the answer
        w = np.zeros_like(w0)
        return CDResult(w, duality_gap(w, *problem.correlations(w), l1, l2), 0, True)
    last_gap = [np.inf]

    def gradient(w: np.ndarray) -> np.ndarray:
        if problem.gram is not None:
            return problem.gram @ w - problem.Xty + l2 * w
        if problem.design is None or problem.y is None:  # internal invariant
            raise RuntimeError("glassbox internal error: the design form is missing")
        return problem.design.T @ (problem.design @ w - problem.y) + l2 * w

    def prox(v: np.ndarray, step: float) -> np.ndarray:
        return soft_threshold(v, step * l1)

    def converged(w: np.ndarray) -> bool:
        last_gap[0] = duality_gap(w, *problem.correlations(w), l1, l2)
        return last_gap[0] <= tol_abs

    if converged(w0):
        return CDResult(np.array(w0, dtype=np.float64), last_gap[0], 0, True)
    w, n_iter, done = fista(
        gradient, prox, w0, lipschitz=lipschitz, max_iter=max_iter, converged=converged
    )
    if not done:
        converged(w)
    return CDResult(w, last_gap[0], n_iter, done)
