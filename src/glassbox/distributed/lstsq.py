"""Exact least squares and ridge from distributed passes, with the in-memory solvers' numerics.

Pass 1 gathers the sufficient statistics of :mod:`glassbox.distributed.statistics`, from which
:class:`StatisticsProblem` presents the problem exactly as the in-memory
:class:`~glassbox.linear.problem.LeastSquaresProblem` does (weighted means, column scales,
the centred and equilibrated Gram matrix), so the same Cholesky factorization, conditioning
estimate and in-order test for redundant columns run on it unchanged.

* ``"normal"``: Cholesky of the scaled Gram AᵀA (eq. 7 of :mod:`glassbox.linear.solvers`),
  refined like the in-memory solver by the corrected semi-normal equations, one pass each::

      dz = (AᵀA)⁻¹ Aᵀ u,    u = √W (y - b - X β) in double-double arithmetic            (1)

* ``"qr"``: tall-skinny QR. Each partition factors its rows of the augmented, scaled design
  [A | B] = Q_c R_c; stacked R factors are factored again up the reduction tree, so one pass
  gives the R of the whole [A | B] = Q [R  c; 0  ρ] without ever forming Q. Then R z = c is
  the Householder solution (eq. 8 of :mod:`glassbox.linear.solvers`), refined by (1) with
  AᵀA = RᵀR, which is the solution's backward error as in memory, not cond(A)²·ε.
* ``"auto"``: as in memory, Cholesky while cond(A) ≤ 1e4, tall-skinny QR beyond.
* Ridge: (AᵀA + α D⁻²) z = AᵀB from the same statistics (eq. 2 of :mod:`glassbox.linear.ridge`).

References
----------
P. G. Constantine and D. F. Gleich, "Tall and skinny QR factorizations in MapReduce
architectures", MAPREDUCE '11 (2011).
Å. Björck, "Stability analysis of the method of seminormal equations for linear least
squares problems", Linear Algebra Appl. 88/89 (1987).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.linalg import qr, solve_triangular

from glassbox.distributed.engine import Engine
from glassbox.distributed.statistics import SufficientStatistics, chunk_statistics, merge_all
from glassbox.linear.factorizations import (
    cholesky_of_independent_columns,
    independent_columns_in_order,
    rank_tolerance,
)
from glassbox.linear.problem import EPS, LeastSquaresProblem
from glassbox.linear.refine import MAX_REFINEMENT_STEPS, _split, residual_double_double
from glassbox.linear.solvers import (
    REFINE_CHOLESKY_ABOVE,
    choose_by_conditioning,
)

# Each refinement step costs a pass over the data; the in-memory solvers allow 10.
MAX_DISTRIBUTED_REFINEMENT = min(MAX_REFINEMENT_STEPS, 6)


class StatisticsProblem(LeastSquaresProblem):
    """Problem (1) of :mod:`glassbox.linear.problem`, known only through its statistics.

    Everything the Gram-based solvers read (sizes, weighted means, column norms, null
    columns, the scaled Gram matrix) comes from :class:`SufficientStatistics`; methods that
    need the rows themselves (``scaled_design``, ``centred_block``) are not available.
    """

    def __init__(self, statistics: SufficientStatistics, fit_intercept: bool) -> None:
        p, k = statistics.n_features, statistics.n_targets
        XtX, XtY, _ = statistics.cross_products(fit_intercept)
        super().__init__(np.empty((0, p)), np.empty((0, k)), None, fit_intercept, (XtX, XtY))
        self.statistics = statistics

    @property
    def n_samples(self) -> int:
        """Number of rows n merged into the statistics."""
        return int(self.statistics.count)

    @property
    def n_features(self) -> int:
        """Number of columns p of X."""
        return int(self.statistics.n_features)

    @property
    def n_targets(self) -> int:
        """Number of target columns."""
        return int(self.statistics.n_targets)

    @cached_property
    def weight_sum(self) -> float:
        """Σ wᵢ over all rows (n without sample weights)."""
        return float(self.statistics.weight_sum)

    @cached_property
    def effective_samples(self) -> int:
        return int(self.statistics.positive)

    @cached_property
    def x_offset(self) -> np.ndarray:
        return self.statistics.x_mean.copy() if self.fit_intercept else np.zeros(self.n_features)

    @cached_property
    def y_offset(self) -> np.ndarray:
        return self.statistics.y_mean.copy() if self.fit_intercept else np.zeros(self.n_targets)

    def centred_block(
        self, rows: slice, buffers: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError("a StatisticsProblem has no rows; run a pass over the data")

    def scaled_design(self) -> np.ndarray:
        raise NotImplementedError("a StatisticsProblem has no rows; run a pass over the data")


@dataclass
class DistributedSolution:
    """Coefficients (p, k) and intercepts (k,) in original units, and how they were found."""

    coef: np.ndarray
    intercept: np.ndarray
    solver: str
    reason: str
    kept: np.ndarray
    cond: float
    refinement_steps: int
    statistics: SufficientStatistics
    notes: list[str] = field(default_factory=list)


def statistics_pass(engine: Engine) -> SufficientStatistics:
    """Pass 1: the merged statistics of every partition."""
    statistics: SufficientStatistics = engine.reduce(
        chunk_statistics, merge_all, finite=SufficientStatistics.is_finite
    )
    if statistics.count == 0:
        raise ValueError(
            f"Every partition of the data is empty ({len(engine.partitions)} partitions, 0 rows); "
            "nothing to fit."
        )
    if statistics.weight_sum <= 0:
        raise ValueError("sample_weight is zero for every row; at least one must be > 0.")
    return statistics


# --- per-partition pass functions (pure, run on the workers) --------------------------------


def _exact_pair(terms: np.ndarray) -> tuple[float, float]:
    """Σ terms as hi + lo: hi correctly rounded, lo the rounded remainder (``math.fsum``)."""
    values = terms.tolist()
    hi = math.fsum(values)
    values.append(-hi)
    return hi, math.fsum(values)


def _two_products(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The exact products xᵢvᵢ as 2n floats: rounded products and their errors (TwoProduct)."""
    x_hi, x_lo = _split(x)
    v_hi, v_lo = _split(v)
    product = x * v
    error = ((x_hi * v_hi - product) + x_hi * v_lo + x_lo * v_hi) + x_lo * v_lo
    return np.concatenate([product, error])


def partition_gradient(
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    partition: int,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> np.ndarray:
    """[Xᵀ (w ∘ u); Σ w u] over the partition as double-double pairs: (2, p + 1, k).

    u = y - b - X β is accumulated in double-double (hi + lo, as in
    :mod:`glassbox.linear.refine`) and its inner products with the columns of X are summed
    exactly (exact products, ``math.fsum``), kept as hi + lo so that partitions whose sums
    cancel one another still add up exactly (:func:`add_exact`): near the solution Xᵀu is
    a sum of terms that cancel, and its rounding error, multiplied by (AᵀA)⁻¹, is what would
    limit the attainable accuracy. Over all partitions, D Aᵀu = Xᵀ(w ∘ u) - μ Σ w u, and
    Σ w u / W corrects the intercept.
    """
    w = np.ones(len(X)) if weights is None else weights
    out = np.zeros((2, X.shape[1] + 1, Y.shape[1]))
    for k in range(Y.shape[1]):
        hi, lo = residual_double_double(X, Y[:, k], coef[:, k])
        wu = w.astype(np.longdouble) * ((hi - intercept[k]).astype(np.longdouble) + lo)
        leading = np.asarray(wu, dtype=np.float64)
        trailing = np.asarray(wu - leading, dtype=np.float64)  # below 1e-16 of the leading part
        for j in range(X.shape[1]):
            out[:, j, k] = _exact_pair(_two_products(X[:, j], leading))
            out[1, j, k] += X[:, j] @ trailing
        out[:, -1, k] = _exact_pair(leading)
        out[1, -1, k] += trailing.sum()
    return out


def add_exact(parts: list[np.ndarray]) -> np.ndarray:
    """Sum double-double arrays (2, ...) entry by entry, exactly, back to hi + lo."""
    stacked = np.stack(parts)  # (m, 2, ...)
    flat = stacked.reshape(len(parts) * 2, -1)
    out = np.zeros((2, flat.shape[1]))
    for index in range(flat.shape[1]):
        out[:, index] = _exact_pair(flat[:, index])
    return out.reshape(stacked.shape[1:])


def partition_r_factor(
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    partition: int,
    x_offset: np.ndarray,
    y_offset: np.ndarray,
    scale: np.ndarray,
    null: np.ndarray,
) -> np.ndarray:
    """R of this partition's rows of [A | B] = √W [(X - μ) D⁻¹ | Y - ȳ] (null columns zeroed)."""
    A = (X - x_offset) / scale
    A[:, null] = 0.0
    Z = np.hstack([A, Y - y_offset])
    if weights is not None:
        Z *= np.sqrt(weights)[:, None]
    if Z.shape[0] == 0:
        return np.zeros((0, Z.shape[1]))
    return np.asarray(qr(Z, mode="r", check_finite=False)[0])


def stack_r_factors(parts: list[np.ndarray]) -> np.ndarray:
    """R of the stacked R factors: the R of all their rows together (the TSQR merge)."""
    stacked = np.vstack(parts)
    if stacked.shape[0] == 0:
        return stacked
    return np.asarray(qr(stacked, mode="r", check_finite=False)[0])


# --- the solvers ---------------------------------------------------------------------------


def _non_null(problem: LeastSquaresProblem) -> np.ndarray:
    return np.setdiff1d(np.arange(problem.n_features), problem.null_columns)


def _refine(
    engine: Engine,
    problem: StatisticsProblem,
    z: np.ndarray,
    kept: np.ndarray,
    solve_normal: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, int]:
    """Eq. (1), one pass per step; stops as the in-memory refinement does.

    Returns (z, intercept, steps): the intercept is the weighted mean of y - X β from the last
    pass, moved by -μᵀ dβ for the last correction (no further pass).
    """
    scale = problem.column_scale[:, None]
    previous = np.inf
    steps = 0
    coef = z / scale
    intercept = problem.y_offset - problem.x_offset @ coef
    for _ in range(MAX_DISTRIBUTED_REFINEMENT):
        pairs = engine.reduce(partition_gradient, add_exact, coef, intercept)
        sums = pairs[0].astype(np.longdouble) + pairs[1]
        gradient = np.asarray(sums[:-1] - np.outer(problem.x_offset, sums[-1]), dtype=np.float64)
        if problem.fit_intercept:
            intercept = intercept + np.asarray(sums[-1] / problem.weight_sum, dtype=np.float64)
        dz = solve_normal((gradient / scale)[kept])  # (AᵀA)⁻¹ Aᵀ u, eq. (1)
        size = float(np.max(np.abs(dz))) if dz.size else 0.0
        if size > 0.5 * previous or not np.isfinite(size):
            break
        z[kept] += dz
        step = np.zeros_like(z)
        step[kept] = dz
        intercept = intercept - problem.x_offset @ (step / scale)
        coef = z / scale
        steps += 1
        previous = size
        if size <= EPS * float(np.max(np.abs(z[kept]), initial=0.0)):
            break
    return z, intercept, steps


def _finish(
    problem: StatisticsProblem, z: np.ndarray, intercept: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    coef = z / problem.column_scale[:, None]
    coef[problem.null_columns] = 0.0
    if intercept is None:
        intercept = problem.y_offset - problem.x_offset @ coef
    return coef, intercept


def solve_normal(engine: Engine, problem: StatisticsProblem, reason: str) -> DistributedSolution:
    """Cholesky on the scaled Gram matrix from the statistics, then refinement passes (1)."""
    G, C = problem.scaled_gram()
    factorization, columns = cholesky_of_independent_columns(G, _non_null(problem))
    z = np.zeros((problem.n_features, problem.n_targets))
    z[columns] = factorization.solve_normal(C[columns])
    steps, intercept = 0, None
    if factorization.cond > REFINE_CHOLESKY_ABOVE:
        z, intercept, steps = _refine(engine, problem, z, columns, factorization.solve_normal)
    coef, intercept = _finish(problem, z, intercept)
    return DistributedSolution(
        coef, intercept, "normal", reason, columns, factorization.cond, steps, problem.statistics
    )


def solve_tsqr(engine: Engine, problem: StatisticsProblem, reason: str) -> DistributedSolution:
    """Tall-skinny QR of [A | B] in one pass, redundant columns found in order, refinement (1)."""
    p, k = problem.n_features, problem.n_targets
    R_full = engine.reduce(
        partition_r_factor,
        stack_r_factors,
        problem.x_offset,
        problem.y_offset,
        problem.column_scale,
        problem.null_columns,
    )
    R_full = np.vstack([R_full, np.zeros((max(0, p + k - R_full.shape[0]), p + k))])[: p + k]
    columns = _non_null(problem)
    tolerance = rank_tolerance(problem.n_samples, p)
    R = R_full[:p, :p]
    diagonal = np.abs(np.diag(R))[columns]
    if not bool(np.all(diagonal > tolerance)):
        columns = columns[independent_columns_in_order(R[:, columns], tolerance)]
    # [A_kept | B] = Q_aug R_full[:, kept ∪ targets]: its R comes from R_full, no new pass.
    R_kept_full = np.asarray(
        qr(R_full[:, np.r_[columns, p + np.arange(k)]], mode="r", check_finite=False)[0]
    )
    m = columns.size
    R_kept = R_kept_full[:m, :m]
    c = R_kept_full[:m, m:]
    z = np.zeros((p, k))
    if m:
        z[columns] = solve_triangular(R_kept, c, lower=False, check_finite=False)

    def normal(rhs: np.ndarray) -> np.ndarray:  # (RᵀR)⁻¹ rhs
        v = solve_triangular(R_kept, rhs, trans="T", lower=False, check_finite=False)
        return np.asarray(solve_triangular(R_kept, v, lower=False, check_finite=False))

    from scipy.linalg import lapack

    rcond = lapack.dtrcon(R_kept, norm="1", uplo="U", diag="N")[0] if m else 1.0
    cond = float(1.0 / rcond) if rcond > 0 else np.inf
    steps, intercept = 0, None
    if m:
        z, intercept, steps = _refine(engine, problem, z, columns, normal)
    coef, intercept = _finish(problem, z, intercept)
    return DistributedSolution(
        coef, intercept, "qr", reason, columns, cond, steps, problem.statistics
    )


def choose(problem: StatisticsProblem) -> tuple[str, str]:
    """``"auto"``: Cholesky while the scaled design is well conditioned, else tall-skinny QR."""
    G, _ = problem.scaled_gram()
    return choose_by_conditioning(
        G,
        _non_null(problem),
        "tall-skinny QR",
        "Cholesky on the normal equations from the merged statistics",
    )


EXACT_SOLVERS = {"normal": solve_normal, "qr": solve_tsqr}


def least_squares(engine: Engine, fit_intercept: bool, solver: str = "auto") -> DistributedSolution:
    """Least squares on the engine's data by ``solver`` ("auto", "normal" or "qr")."""
    statistics = statistics_pass(engine)
    problem = StatisticsProblem(statistics, fit_intercept)
    if solver == "auto":
        name, reason = choose(problem)
    else:
        name, reason = solver, "chosen by the user"
    return EXACT_SOLVERS[name](engine, problem, reason)


def ridge(engine: Engine, fit_intercept: bool, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients (p, k) and intercepts (k,) from one pass of statistics."""
    from glassbox.linear.ridge import solve_ridge_cholesky

    problem = StatisticsProblem(statistics_pass(engine), fit_intercept)
    z = solve_ridge_cholesky(problem, alphas)
    return _finish(problem, z)
