"""Solvers for logistic / softmax regression: pure functions in a table.

Each takes a :class:`~glassbox.linear.logistic_loss.LogisticProblem`, a start ``w0``
(flattened (K, d) coefficients), ``max_iter`` and ``tol``, and returns a
:class:`SolverResult`. They all minimize the same objective, eq. (3) of
:mod:`glassbox.linear.logistic_loss` plus ``l1 ‖W_pen‖₁``, and stop when its (composite)
gradient is at most ``tol`` in max-norm, scikit-learn's ``gtol`` on the same scale.

* ``"newton"``: Newton–Cholesky (IRLS). Solve ``(∇²f) d = −∇f`` by Cholesky, backtrack
  until the Armijo condition holds. Directions along which f is flat (softmax's common
  shift of the unpenalized columns) are pinned by adding ``uuᵀ`` for each such direction
  u: the gradient is orthogonal to them, so the step is the minimum-norm Newton step.
* ``"lbfgs"``: :func:`glassbox.linear.lbfgs.lbfgs`.
* ``"fista"``: proximal gradient with momentum, the only one for L1 / elastic-net.

* ``"bgd"``, ``"minibatch"``, ``"sgd"``: the descent loop of :mod:`glassbox.optim`
  (:mod:`glassbox.linear.logistic_descent`); they take ``random_state``, ``batch_size`` and
  ``learning_rate`` too, which the other solvers ignore.

To add a solver, write a function with this signature (accepting and ignoring other keyword
options) and add it to :data:`LOGISTIC_SOLVERS`, naming the penalties it handles in
:data:`SUPPORTS_L1`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve

from glassbox.linear.lbfgs import lbfgs
from glassbox.linear.logistic_descent import METHODS as DESCENT_METHODS
from glassbox.linear.logistic_descent import descent_solver
from glassbox.linear.logistic_loss import LogisticProblem
from glassbox.linear.proximal import fista, soft_threshold

__all__ = ["LOGISTIC_SOLVERS", "SUPPORTS_L1", "SolverResult", "newton_minimize"]


_ROUNDING = 16 * np.finfo(np.float64).eps


@dataclass
class SolverResult:
    """What a logistic solver returns: the flat coefficients, iterations and convergence."""

    coef: np.ndarray
    n_iter: int
    converged: bool
    history: dict[str, list[float]] | None = None  # per epoch, for the descent solvers


def newton_cholesky(
    problem: LogisticProblem, w0: np.ndarray, *, max_iter: int, tol: float, **_: object
) -> SolverResult:
    """Newton's method with a Cholesky solve and Armijo backtracking (see module doc).

    Stops, as scikit-learn's newton-cholesky, once after a step both ``max |∇f| ≤ tol``
    and the Newton decrement of that step ``½ dᵀ(∇²f)d ≤ tol``.
    """

    def evaluate(w: np.ndarray) -> Evaluation:
        value, grad = problem.smooth_value_grad(w)
        return value, grad, lambda: problem.hessian(w)

    return newton_minimize(evaluate, w0, _flat_directions(problem), max_iter=max_iter, tol=tol)


# f(w), ∇f(w), and ∇²f(w) on demand (a pass over distributed data may compute all three at once)
Evaluation = tuple[float, np.ndarray, Callable[[], np.ndarray]]


def newton_minimize(
    evaluate: Callable[[np.ndarray], Evaluation],
    w0: np.ndarray,
    flat: np.ndarray | None,
    *,
    max_iter: int,
    tol: float,
) -> SolverResult:
    """The Newton–Cholesky iteration of :func:`newton_cholesky` on any ``evaluate``.

    ``flat`` is Σ uuᵀ over the directions f is flat along (:func:`_flat_directions`), or
    None. The Hessian of an accepted trial point is the one the next step uses, so an
    ``evaluate`` that computes it together with f and ∇f needs one call per Newton step
    when the full step is taken.
    """
    w = np.array(w0, dtype=np.float64)
    f, g, hessian = evaluate(w)
    if float(np.max(np.abs(g))) <= tol * 1e-3:  # already at the minimum (e.g. warm start)
        return SolverResult(w, 0, True)
    for n_iter in range(1, max_iter + 1):
        H = hessian()
        if flat is not None:
            H += flat
        try:
            step = -cho_solve(cho_factor(H, lower=True, check_finite=False), g)
        except LinAlgError:  # singular (separable, unpenalized): least squares step
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        slope = float(g @ step)
        grad_norm = float(np.max(np.abs(g)))
        t = 1.0
        while True:
            f_new, g_new, hessian_new = evaluate(w + t * step)
            if f_new <= f + 1e-4 * t * slope or t < 1e-10:
                break
            # next to the minimum f changes below its rounding error: judge by the gradient
            if f_new - f <= _ROUNDING * abs(f) and float(np.max(np.abs(g_new))) < grad_norm:
                break
            t *= 0.5
        if t < 1e-10:
            return SolverResult(w, n_iter, float(np.max(np.abs(g))) <= tol)
        w = w + t * step
        f, g, hessian = f_new, g_new, hessian_new
        decrement = 0.5 * float(step @ (H @ step))
        if float(np.max(np.abs(g))) <= tol and decrement <= tol:
            return SolverResult(w, n_iter, True)
    return SolverResult(w, max_iter, float(np.max(np.abs(g))) <= tol)


def _flat_directions(problem: LogisticProblem) -> np.ndarray | None:
    """Σ uuᵀ over the directions softmax is flat along (shifting one unpenalized column
    of W by the same amount in every class), or None for binary problems."""
    K, d = problem.n_outputs, problem.n_columns
    if K == 1:
        return None
    columns = np.flatnonzero(~problem.penalized[:d]) if problem.l2 > 0 else np.arange(d)
    P = np.zeros((K * d, K * d))
    for j in columns:
        index = np.arange(K) * d + j
        P[np.ix_(index, index)] = 1.0 / K
    return P


def limited_memory_bfgs(
    problem: LogisticProblem, w0: np.ndarray, *, max_iter: int, tol: float, **_: object
) -> SolverResult:
    """L-BFGS on eq. (3), stopped at ``max |∇f| ≤ tol``."""
    result = lbfgs(problem.smooth_value_grad, w0, max_iter=max_iter, gtol=tol)
    return SolverResult(result.x, result.n_iter, result.converged)


def proximal_gradient(
    problem: LogisticProblem, w0: np.ndarray, *, max_iter: int, tol: float, **_: object
) -> SolverResult:
    """FISTA on f + l1‖W_pen‖₁; stops when the gradient mapping ``L(w − prox(w − ∇f/L))``
    is at most ``tol`` in max-norm (the composite analogue of ``∇f = 0``)."""
    lipschitz = problem.gradient_smoothness()
    thresholds = problem.l1 * problem.penalized

    def gradient(w: np.ndarray) -> np.ndarray:
        return problem.smooth_value_grad(w)[1]

    def prox(v: np.ndarray, step: float) -> np.ndarray:
        return soft_threshold(v, step * thresholds)

    def converged(w: np.ndarray) -> bool:
        mapping = lipschitz * (w - prox(w - gradient(w) / lipschitz, 1.0 / lipschitz))
        return float(np.max(np.abs(mapping))) <= tol

    if converged(w0):
        return SolverResult(np.array(w0, dtype=np.float64), 0, True)
    w, n_iter, done = fista(
        gradient, prox, w0, lipschitz=lipschitz, max_iter=max_iter, converged=converged
    )
    return SolverResult(w, n_iter, done)


Solver = Callable[..., SolverResult]

#: name -> ``solver(problem, w0, *, max_iter, tol) -> SolverResult``
LOGISTIC_SOLVERS: dict[str, Solver] = {
    "lbfgs": limited_memory_bfgs,
    "newton": newton_cholesky,
    "fista": proximal_gradient,
    **{method: descent_solver(method) for method in DESCENT_METHODS},
}

#: solvers that handle an L1 term (the others need l1 = 0)
SUPPORTS_L1: set[str] = {"fista"}
