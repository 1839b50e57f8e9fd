"""``precision="extended"``: least squares solved in 100-digit decimal arithmetic.

Every float64 number is an exact binary fraction, and ``decimal.Decimal(float)`` converts it
exactly; with 100 significant digits the products and sums of the normal equations of small
designs are exact or nearly so, and even a Gram matrix with condition number 1e40 keeps some
60 correct digits through its Cholesky factorization. The answer is the least-squares
solution of the float64 data itself, rounded once to float64 at the end: what no float64
solver can improve on. The cost grows as n·p² Python-level operations, so this mode is for
small problems (about n·p² ≤ 2·10⁷, a few seconds).

Which columns are redundant is decided beforehand by the double-precision rank analysis, so
both precisions agree on the model and differ only in the digits of its coefficients.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np

from glassbox.linear.problem import LeastSquaresProblem

DIGITS = 100
MAX_WORK = 2e7


def _decimals(array: np.ndarray) -> np.ndarray:
    """Exact Decimal copies of a float64 array, as an object array of the same shape."""
    flat = [Decimal(value) for value in np.asarray(array, dtype=np.float64).ravel().tolist()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(np.shape(array))


def check_extended_size(n_samples: int, n_columns: int) -> None:
    """A ``ValueError`` when n · p² is too large for 100-digit decimal arithmetic."""
    work = n_samples * max(n_columns, 1) ** 2
    if work > MAX_WORK:
        raise ValueError(
            f"precision='extended' solves in 100-digit decimal arithmetic and is meant for small "
            f"problems: n_samples * n_features**2 = {work:.2g} exceeds {MAX_WORK:.0e}. Use "
            "precision='double' (the default), which keeps at least 7 correct digits even on "
            "ill-conditioned designs, or fit a subset."
        )


def _cholesky_solve(G: list[list[Decimal]], C: list[list[Decimal]]) -> list[list[Decimal]]:
    """Solve G Z = C for symmetric positive definite G (lists of Decimals), G = L Lᵀ."""
    size = len(G)
    L = [[Decimal(0)] * size for _ in range(size)]
    for j in range(size):
        diagonal = G[j][j] - sum((L[j][k] * L[j][k] for k in range(j)), Decimal(0))
        if diagonal <= 0:
            raise np.linalg.LinAlgError("Gram matrix is not positive definite in 100 digits")
        L[j][j] = diagonal.sqrt()
        for i in range(j + 1, size):
            L[i][j] = (G[i][j] - sum((L[i][k] * L[j][k] for k in range(j)), Decimal(0))) / L[j][j]
    n_targets = len(C[0]) if C else 0
    Z = [[Decimal(0)] * n_targets for _ in range(size)]
    for t in range(n_targets):
        v = [Decimal(0)] * size
        for i in range(size):  # L v = c
            v[i] = (C[i][t] - sum((L[i][k] * v[k] for k in range(i)), Decimal(0))) / L[i][i]
        for i in reversed(range(size)):  # Lᵀ z = v
            v[i] = (v[i] - sum((L[k][i] * v[k] for k in range(i + 1, size)), Decimal(0))) / L[i][i]
        for i in range(size):
            Z[i][t] = v[i]
    return Z


def solve_extended(problem: LeastSquaresProblem, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (n_features, n_targets) and intercept of problem (1) in 100 digits.

    Solves the normal equations of [1, X_kept] (or X_kept without an intercept), weighted,
    with every product and sum in decimal arithmetic; columns outside ``kept`` get 0.
    """
    check_extended_size(problem.n_samples, kept.size + int(problem.fit_intercept))
    with localcontext() as context:
        context.prec = DIGITS
        X = _decimals(problem.X[:, kept])
        if problem.fit_intercept:
            ones = np.empty((problem.n_samples, 1), dtype=object)
            ones[:] = Decimal(1)
            X = np.hstack([ones, X])
        Y = _decimals(problem.Y)
        WX = X if problem.sample_weight is None else X * _decimals(problem.sample_weight)[:, None]
        G = (WX.T @ X).tolist()
        C = (WX.T @ Y).tolist()
        Z = np.array(_cholesky_solve(G, C), dtype=object)
    solution = np.array([[float(value) for value in row] for row in Z]).reshape(
        -1, problem.n_targets
    )
    coef = np.zeros((problem.n_features, problem.n_targets))
    if problem.fit_intercept:
        intercept, coef[kept] = solution[0], solution[1:]
    else:
        intercept, coef[kept] = np.zeros(problem.n_targets), solution
    return coef, intercept
