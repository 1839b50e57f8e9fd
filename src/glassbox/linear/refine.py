"""Iterative refinement of least-squares solutions, with residuals in extended precision.

A factorization computed in float64 solves problem (2) of :mod:`glassbox.linear.problem` with
a relative error of about cond(A)·ε (QR, SVD) or cond(A)²·ε (Cholesky on AᵀA). Refinement
recovers the lost digits by correcting the solution with residuals computed more accurately
than the factorization itself, from the original, uncentred X.

QR and SVD refine the augmented system (Björck, 1967), so that large-residual problems improve
as well as small-residual ones::

    [ I   A ] [ r ]   [ B ]            f = B - r - A z        (3)
    [ Aᵀ  0 ] [ z ] = [ 0 ],    with   g = -Aᵀ r

and, writing A = Q M (Q orthonormal, M = R Πᵀ for QR or S Vᵀ for SVD), the correction is::

    h = (M⁺)ᵀ g,   dz = M⁺ (Qᵀ f - h),   dr = f - Q (Qᵀ f - h)                          (4)

The Cholesky path refines the corrected semi-normal equations instead: dz = (AᵀA)⁻¹ Aᵀ u with
u the exact residual, which converges while cond(A)²·ε < 1.

Residuals are accumulated in ``np.longdouble`` (64-bit significand on x86-64, 3 more digits
than float64) on small designs and whenever cond(A) > 100; large well-conditioned designs use
float64 residuals, where the extra digits would change nothing but the run time.

References
----------
Å. Björck, "Iterative refinement of linear least squares solutions I", BIT 7 (1967).
Å. Björck, "Numerical Methods for Least Squares Problems", SIAM (1996), §2.9.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from glassbox.linear.problem import EPS, LeastSquaresProblem, row_slices

# Above this estimated cond(A), residuals are accumulated in extended precision.
EXTENDED_RESIDUALS_ABOVE = 100.0
# ... and always on designs up to this many entries (a long-double pass costs milliseconds).
EXTENDED_RESIDUALS_BELOW_SIZE = 4_000_000
MAX_REFINEMENT_STEPS = 10


class Factorization(Protocol):
    """What a solver hands to refinement: the columns it kept and how to apply eq. (4)."""

    kept: np.ndarray
    orthogonal: bool

    def correction(self, f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Augmented correction (dz, dr) of eq. (4); only for orthogonal factorizations."""
        ...

    def solve_normal(self, rhs: np.ndarray) -> np.ndarray:
        """(A_keptᵀ A_kept)⁻¹ rhs."""
        ...


def exact_residual(
    problem: LeastSquaresProblem, coef: np.ndarray, extended: bool
) -> tuple[np.ndarray, np.ndarray]:
    """u = √W (Y - b - X β) and the intercept b = Σ w (y - Xβ) / Σ w, from the original X.

    With ``extended``, X β and the intercept are accumulated in long double and u is returned
    in long double too: on large-residual problems the correction f = u - r of eq. (3) is a
    small difference of large numbers, so u must not be rounded before r is subtracted.
    """
    if extended:
        coef_ext = coef.astype(np.longdouble)
        T = np.empty(problem.Y.shape, dtype=np.longdouble)
        for rows in row_slices(problem.n_samples, problem.n_features):
            T[rows] = problem.Y[rows] - np.einsum("ij,jk->ik", problem.X[rows], coef_ext)
    else:
        T = problem.Y - problem.X @ coef
    if problem.fit_intercept:
        if problem.sample_weight is None:
            intercept = T.sum(axis=0) / problem.n_samples
        else:
            intercept = np.einsum("i,ik->k", problem.sample_weight, T) / problem.weight_sum
    else:
        intercept = np.zeros(problem.n_targets, dtype=T.dtype)
    U = T - intercept
    if problem.sqrt_weight is not None:
        U *= problem.sqrt_weight[:, None]
    return U, intercept.astype(np.float64)


def design_transpose_times(
    problem: LeastSquaresProblem, V: np.ndarray, extended: bool
) -> np.ndarray:
    """Aᵀ V = D⁻¹ (Xᵀ (√w ∘ V) - μ (√wᵀ V)) for the full scaled design, without forming A."""
    weighted = V if problem.sqrt_weight is None else V * problem.sqrt_weight[:, None]
    if extended:
        weighted = weighted.astype(np.longdouble)
        product = np.zeros((problem.n_features, V.shape[1]), dtype=np.longdouble)
        for rows in row_slices(problem.n_samples, problem.n_features):
            product += np.einsum("ij,ik->jk", problem.X[rows], weighted[rows])
    else:
        product = problem.X.T @ weighted
    if problem.fit_intercept:
        product = product - np.outer(problem.x_offset, weighted.sum(axis=0))
    result = np.asarray(product, dtype=np.float64) / problem.column_scale[:, None]
    result[problem.null_columns] = 0.0
    return result


def refine(
    problem: LeastSquaresProblem,
    z: np.ndarray,
    factorization: Factorization,
    extended: bool,
    max_steps: int = MAX_REFINEMENT_STEPS,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Refine the scaled solution z of eq. (2); return (z, intercept, steps taken).

    Stops when a correction is below ε‖z‖ (converged) or stops shrinking by at least half
    (the residual precision is exhausted); a correction that would grow is not applied.
    """
    kept = factorization.kept
    scale = problem.column_scale[:, None]
    U, intercept = exact_residual(problem, z / scale, extended)
    R = U.astype(np.float64) if factorization.orthogonal else None
    previous = np.inf
    steps = 0
    for _ in range(max_steps):
        if R is not None:
            F = np.asarray(U - R, dtype=np.float64)
            G = -design_transpose_times(problem, R, extended)[kept]
            dz, dr = factorization.correction(F, G)
        else:
            dz = factorization.solve_normal(design_transpose_times(problem, U, extended)[kept])
            dr = None
        size = float(np.max(np.abs(dz))) if dz.size else 0.0
        if size > 0.5 * previous or not np.isfinite(size):
            break
        z[kept] += dz
        if R is not None and dr is not None:
            R += dr
        steps += 1
        previous = size
        U, intercept = exact_residual(problem, z / scale, extended)
        if size <= EPS * float(np.max(np.abs(z[kept]), initial=0.0)):
            break
    return z, intercept, steps
