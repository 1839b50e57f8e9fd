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

Both halves of eq. (3) need the extra precision. Residuals f are accumulated in double-double
arithmetic (about 32 digits, from error-free transformations of float64 operations), and the
inner products of g = -Aᵀr are correctly rounded (exact products summed by ``math.fsum``) on
designs up to 2e4 entries, accumulated in ``np.longdouble`` beyond; this is done on small
designs and whenever cond(A) > 100; large well-conditioned designs use float64 residuals,
where the extra digits would change nothing but the run time.

References
----------
T. J. Dekker, "A floating-point technique for extending the available precision",
Numerische Mathematik 18 (1971).
Å. Björck, "Iterative refinement of linear least squares solutions I", BIT 7 (1967).
Å. Björck, "Numerical Methods for Least Squares Problems", SIAM (1996), §2.9.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from glassbox.linear.problem import EPS, LeastSquaresProblem, row_slices

# Above this estimated cond(A), residuals are accumulated in extended precision.
EXTENDED_RESIDUALS_ABOVE = 100.0
# ... and always on designs up to this many entries (a long-double pass costs milliseconds).
EXTENDED_RESIDUALS_BELOW_SIZE = 20_000
# Inner products with Aᵀ are correctly rounded (exact products, math.fsum) up to this size.
EXACT_PRODUCTS_BELOW_SIZE = 20_000
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


_SPLITTER = 134217729.0  # 2**27 + 1: Dekker's constant for splitting a float64 in halves


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a = hi + lo exactly, each half with at most 26 significant bits (Dekker, 1971)."""
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def residual_double_double(
    X: np.ndarray, y: np.ndarray, coef: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """t = y - X β as an unevaluated sum hi + lo, good to about 32 significant digits.

    Each product x·β is split exactly into prod + perr (Dekker's TwoProduct) and each
    subtraction into its rounded result and its exact error (Knuth's TwoSum); the errors are
    summed on the side. This is what lets refinement reach float64 accuracy on designs with
    cond(A) up to ~1e15, where long double (19 digits) would stop at ~19 - log10 cond digits.
    """
    hi = y.copy()
    lo = np.zeros_like(hi)
    for j in range(X.shape[1]):
        b = float(coef[j])
        if b == 0.0:
            continue
        b_hi, b_lo = _split(np.float64(b))
        x = X[:, j]
        x_hi, x_lo = _split(x)
        product = x * b
        product_error = ((x_hi * b_hi - product) + x_hi * b_lo + x_lo * b_hi) + x_lo * b_lo
        total = hi - product
        bridge = total - hi
        sum_error = (hi - (total - bridge)) - (product + bridge)
        hi = total
        lo += sum_error - product_error
    return hi, lo


def exact_residual(
    problem: LeastSquaresProblem, coef: np.ndarray, extended: bool
) -> tuple[np.ndarray, np.ndarray]:
    """u = √W (Y - b - X β) and the intercept b = Σ w (y - Xβ) / Σ w, from the original X.

    With ``extended``, y - X β is accumulated in double-double arithmetic and u is returned in
    long double: on large-residual problems the correction f = u - r of eq. (3) is a small
    difference of large numbers, so u must not be rounded to float64 before r is subtracted.
    """
    if extended:
        hi = np.empty(problem.Y.shape)
        lo = np.empty(problem.Y.shape)
        for rows in row_slices(problem.n_samples, problem.n_features):
            X = problem.X[rows]
            for k in range(problem.n_targets):
                hi[rows, k], lo[rows, k] = residual_double_double(X, problem.Y[rows, k], coef[:, k])
        T = hi.astype(np.longdouble) + lo
    else:
        T = problem.Y - problem.X @ coef
    if problem.fit_intercept:
        if problem.sample_weight is None:
            intercept = T.sum(axis=0) / problem.n_samples
        else:
            intercept = np.einsum("i,ik->k", problem.sample_weight, T) / problem.weight_sum
        if extended:  # (hi - b) is nearly exact; adding lo afterwards keeps its digits
            T = (hi.astype(np.longdouble) - intercept) + lo
        else:
            T = T - intercept
    else:
        intercept = np.zeros(problem.n_targets, dtype=T.dtype)
    U = T
    if problem.sqrt_weight is not None:
        U = U * problem.sqrt_weight[:, None]
    return U, intercept.astype(np.float64)


def _exact_dot(x: np.ndarray, v: np.ndarray) -> float:
    """xᵀv correctly rounded: each product split exactly in two (TwoProduct), then summed
    with ``math.fsum`` (Shewchuk's exact summation)."""
    x_hi, x_lo = _split(x)
    v_hi, v_lo = _split(v)
    product = x * v
    error = ((x_hi * v_hi - product) + x_hi * v_lo + x_lo * v_hi) + x_lo * v_lo
    return math.fsum(np.concatenate([product, error]).tolist())


def design_transpose_times(
    problem: LeastSquaresProblem, V: np.ndarray, extended: bool
) -> np.ndarray:
    """Aᵀ V = D⁻¹ (Xᵀ (√w ∘ V) - μ (√wᵀ V)) for the full scaled design, without forming A.

    With ``extended``, V (long double) is split into its float64 leading part and remainder;
    the leading part's inner products are correctly rounded on designs up to
    ``EXACT_PRODUCTS_BELOW_SIZE`` entries and accumulated in long double beyond that.
    """
    weighted = V if problem.sqrt_weight is None else V * problem.sqrt_weight[:, None]
    if not extended:
        product = problem.X.T @ weighted
        sums = weighted.sum(axis=0)
    else:
        leading = np.asarray(weighted, dtype=np.float64)
        trailing = np.asarray(weighted - leading, dtype=np.float64)
        product = problem.X.T @ trailing  # a correction below 1e-16: float64 is plenty
        sums = trailing.sum(axis=0) + np.array([math.fsum(col) for col in leading.T.tolist()])
        if problem.n_samples * problem.n_features <= EXACT_PRODUCTS_BELOW_SIZE:
            product += np.array(
                [[_exact_dot(x, v) for v in leading.T] for x in np.asarray(problem.X).T]
            )
        else:
            accumulated = np.zeros(product.shape, dtype=np.longdouble)
            for rows in row_slices(problem.n_samples, problem.n_features):
                accumulated += np.einsum(
                    "ij,ik->jk", problem.X[rows], leading[rows].astype(np.longdouble)
                )
            product += np.asarray(accumulated, dtype=np.float64)
    if problem.fit_intercept:
        product = product - np.outer(problem.x_offset, sums)
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
