"""Exact rational arithmetic: the independent oracle for the exact solvers.

Every float64 is an exact binary fraction, so the least-squares solution of float64 data can
be computed exactly with ``fractions.Fraction``: Gauss-Jordan elimination with exact pivots
on the normal equations of [1, X]. No rounding happens anywhere, so the result is *the* answer
that a float64 solver can at best round correctly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def exact_least_squares(
    X: np.ndarray, y: np.ndarray, *, fit_intercept: bool = True, sample_weight=None
) -> tuple[list[Fraction], Fraction]:
    """Exact (coef, intercept) of weighted least squares on float64 data."""
    n, p = X.shape
    rows = [[Fraction(1)] * fit_intercept + [Fraction(float(v)) for v in X[i]] for i in range(n)]
    targets = [Fraction(float(v)) for v in y]
    weights = (
        [Fraction(1)] * n if sample_weight is None else [Fraction(float(w)) for w in sample_weight]
    )
    size = p + int(fit_intercept)
    G = [
        [sum(weights[i] * rows[i][a] * rows[i][b] for i in range(n)) for b in range(size)]
        for a in range(size)
    ]
    c = [sum(weights[i] * rows[i][a] * targets[i] for i in range(n)) for a in range(size)]
    # Gauss-Jordan with exact arithmetic: any non-zero pivot is exact.
    M = [G[a] + [c[a]] for a in range(size)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if M[r][col] != 0)
        M[col], M[pivot] = M[pivot], M[col]
        inv = 1 / M[col][col]
        M[col] = [v * inv for v in M[col]]
        for r in range(size):
            if r != col and M[r][col] != 0:
                factor = M[r][col]
                M[r] = [a - factor * b for a, b in zip(M[r], M[col])]
    solution = [M[a][size] for a in range(size)]
    if fit_intercept:
        return solution[1:], solution[0]
    return solution, Fraction(0)


def correct_digits(estimate: float, exact: Fraction) -> float:
    """Correct significant digits of a float against an exact value, capped at 16."""
    if exact == 0:
        return 16.0 if estimate == 0 else float(-np.log10(abs(estimate)))
    error = abs(Fraction(float(estimate)) - exact) / abs(exact)
    return 16.0 if error == 0 else float(min(16.0, -np.log10(float(error))))


def polynomial_design(n_samples: int, degree: int, low: float, high: float, seed: int):
    """Raw powers x, x², ..., x^degree of x on [low, high], and a noisy smooth target."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, n_samples))
    X = np.column_stack([x**k for k in range(1, degree + 1)])
    y = np.sin(x) + 0.01 * rng.standard_normal(n_samples)
    return X, y
