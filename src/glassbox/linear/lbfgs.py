"""L-BFGS: a quasi-Newton method with a line search satisfying the strong Wolfe conditions.

The search direction ``d = −H_k g_k`` applies the inverse-Hessian approximation built from
the last ``m`` pairs ``s_i = x_{i+1} − x_i``, ``y_i = g_{i+1} − g_i`` by the two-loop
recursion (ρ_i = 1 / y_iᵀs_i):

    q ← g;  for i = k−1 … k−m:  a_i = ρ_i s_iᵀq,  q ← q − a_i y_i
    r ← γ q,  γ = s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1}
    for i = k−m … k−1:  b = ρ_i y_iᵀr,  r ← r + s_i (a_i − b);   d = −r               (1)

The step t along d satisfies the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9)

    f(x + t d) ≤ f(x) + c1 t gᵀd,    |∇f(x + t d)ᵀd| ≤ c2 |gᵀd|                      (2)

found by bracketing and cubic-interpolation zoom. Curvature (2) gives yᵀs > 0, so the
approximation stays positive definite.

References
----------
Nocedal, Wright (2006). Numerical Optimization, 2nd ed., Algorithms 3.5, 3.6 and 7.4.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["LBFGSResult", "lbfgs", "wolfe_line_search"]

ValueGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class LBFGSResult:
    """Where L-BFGS stopped: the point, value and gradient there, and iterations."""

    x: np.ndarray
    value: float
    grad: np.ndarray
    n_iter: int
    converged: bool
    message: str


def _cubic_min(a: float, fa: float, da: float, b: float, fb: float, db: float) -> float | None:
    """Minimizer of the cubic through (a, fa, da), (b, fb, db), or None if it has none."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if disc < 0:
        return None
    d2 = np.sign(b - a) * np.sqrt(disc)
    denom = db - da + 2.0 * d2
    if denom == 0:
        return None
    return float(b - (b - a) * (db + d2 - d1) / denom)


def wolfe_line_search(
    fun: ValueGrad,
    x: np.ndarray,
    f0: float,
    g0: np.ndarray,
    direction: np.ndarray,
    *,
    step: float = 1.0,
    c1: float = 1e-4,
    c2: float = 0.9,
    max_evals: int = 50,
) -> tuple[float, float, np.ndarray] | None:
    """A step ``t`` satisfying eq. (2); returns ``(t, f(x + t d), ∇f(x + t d))`` or None."""
    slope0 = float(g0 @ direction)
    if slope0 >= 0:
        return None
    t_prev, f_prev, slope_prev = 0.0, f0, slope0
    t = step
    evals = 0
    while evals < max_evals:
        f_t, g_t = fun(x + t * direction)
        evals += 1
        slope_t = float(g_t @ direction)
        if not np.isfinite(f_t):
            t = 0.5 * (t_prev + t)
            continue
        if f_t > f0 + c1 * t * slope0 or (evals > 1 and f_t >= f_prev):
            return _zoom(
                fun,
                x,
                f0,
                slope0,
                direction,
                t_prev,
                f_prev,
                slope_prev,
                t,
                f_t,
                slope_t,
                c1,
                c2,
                max_evals - evals,
            )
        if abs(slope_t) <= -c2 * slope0:
            return t, f_t, g_t
        if slope_t >= 0:
            return _zoom(
                fun,
                x,
                f0,
                slope0,
                direction,
                t,
                f_t,
                slope_t,
                t_prev,
                f_prev,
                slope_prev,
                c1,
                c2,
                max_evals - evals,
            )
        t_prev, f_prev, slope_prev = t, f_t, slope_t
        t = 2.0 * t
    return None


def _zoom(
    fun: ValueGrad,
    x: np.ndarray,
    f0: float,
    slope0: float,
    direction: np.ndarray,
    t_lo: float,
    f_lo: float,
    slope_lo: float,
    t_hi: float,
    f_hi: float,
    slope_hi: float,
    c1: float,
    c2: float,
    max_evals: int,
) -> tuple[float, float, np.ndarray] | None:
    """Algorithm 3.6: shrink the bracket [t_lo, t_hi] around a Wolfe point."""
    for _ in range(max(max_evals, 1)):
        trial = _cubic_min(t_lo, f_lo, slope_lo, t_hi, f_hi, slope_hi)
        low, high = min(t_lo, t_hi), max(t_lo, t_hi)
        margin = 0.1 * (high - low)
        if trial is None or not (low + margin <= trial <= high - margin):
            trial = 0.5 * (t_lo + t_hi)  # bisect when the cubic is unhelpful
        f_t, g_t = fun(x + trial * direction)
        slope_t = float(g_t @ direction)
        if f_t > f0 + c1 * trial * slope0 or f_t >= f_lo:
            t_hi, f_hi, slope_hi = trial, f_t, slope_t
        else:
            if abs(slope_t) <= -c2 * slope0:
                return trial, f_t, g_t
            if slope_t * (t_hi - t_lo) >= 0:
                t_hi, f_hi, slope_hi = t_lo, f_lo, slope_lo
            t_lo, f_lo, slope_lo = trial, f_t, slope_t
        if abs(t_hi - t_lo) <= 1e-14 * max(1.0, abs(t_lo)):
            break
    if f_lo < f0:  # no Wolfe point at this precision, but progress: take it
        f_t, g_t = fun(x + t_lo * direction)
        return t_lo, f_t, g_t
    return None


def lbfgs(
    fun: ValueGrad,
    x0: np.ndarray,
    *,
    max_iter: int = 100,
    gtol: float = 1e-4,
    ftol: float = 64 * np.finfo(float).eps,
    memory: int = 10,
    patience: int = 3,
) -> LBFGSResult:
    """Minimize ``fun`` (value and gradient) by L-BFGS from ``x0``.

    Stops when ``max |∇f| ≤ gtol``, when the relative decrease of f falls to ``ftol``
    (both count as converged, as in scipy's L-BFGS-B), or after ``max_iter`` iterations.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    pairs: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=memory)
    stalled = 0
    for n_iter in range(1, max_iter + 1):
        if float(np.max(np.abs(g))) <= gtol:
            return LBFGSResult(x, f, g, n_iter - 1, True, "gradient below gtol")
        direction = -_two_loop(g, pairs)  # eq. (1)
        first = not pairs
        step = min(1.0, 1.0 / float(np.linalg.norm(g))) if first else 1.0
        found = wolfe_line_search(fun, x, f, g, direction, step=step)
        if found is None and pairs:  # restart from steepest descent once
            pairs.clear()
            direction = -g
            found = wolfe_line_search(
                fun, x, f, g, direction, step=min(1.0, 1.0 / float(np.linalg.norm(g)))
            )
        if found is None:
            return LBFGSResult(x, f, g, n_iter, False, "line search failed")
        t, f_new, g_new = found
        s = t * direction
        y = g_new - g
        sy = float(s @ y)
        if sy > 1e-12 * float(y @ y):
            pairs.append((s, y, 1.0 / sy))
        x = x + s
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        f, g = f_new, g_new
        # f no longer changes at machine precision: a success, as in scipy, once it has
        # happened on `patience` consecutive steps (the gradient may still be shrinking)
        stalled = stalled + 1 if decrease <= ftol else 0
        if stalled >= patience:
            return LBFGSResult(x, f, g, n_iter, True, "relative decrease below ftol")
    converged = float(np.max(np.abs(g))) <= gtol
    return LBFGSResult(x, f, g, max_iter, converged, "max_iter reached")


def _two_loop(g: np.ndarray, pairs: deque[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Eq. (1): ``H_k g`` from the stored pairs (γ-scaled identity when there are none)."""
    if not pairs:
        return g.copy()
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        alphas.append(a)
        q -= a * y
    s_last, y_last, _ = pairs[-1]
    r = q * (float(s_last @ y_last) / float(y_last @ y_last))
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        b = rho * float(y @ r)
        r += s * (a - b)
    return r
