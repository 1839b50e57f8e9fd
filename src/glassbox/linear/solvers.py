"""Exact least-squares solvers: pure functions in one table, and the rule that picks one.

Each solver takes a :class:`~glassbox.linear.problem.LeastSquaresProblem` and returns a
:class:`LeastSquaresSolution` in the original units; none keeps state. ``SOLVERS`` maps the
names users pass to ``LinearRegression(solver=...)`` onto these functions, and
:func:`choose_solver` resolves ``"auto"`` and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from glassbox.linear.factorizations import (
    CholeskyFactorization,
    QRFactorization,
    SVDFactorization,
    cholesky_of_independent_columns,
    independent_columns_in_order,
    rank_tolerance,
)
from glassbox.linear.problem import LeastSquaresProblem
from glassbox.linear.refine import (
    EXTENDED_RESIDUALS_ABOVE,
    EXTENDED_RESIDUALS_BELOW_SIZE,
    refine,
)

# "auto" keeps the Cholesky path while cond(A) ≤ 1e4, i.e. cond(AᵀA) ≤ 1e8: there the normal
# equations plus refinement are as accurate as QR, at a fraction of the cost.
AUTO_CHOLESKY_MAX_COND = 1e4
# The Cholesky path refines small designs, and large ones where its cond(A)²·ε error could
# show in the 15th digit.
REFINE_CHOLESKY_ABOVE = 10.0


@dataclass
class LeastSquaresSolution:
    """A solver's answer in the original units, with what it found out on the way."""

    coef: np.ndarray  # (n_features, n_targets)
    intercept: np.ndarray  # (n_targets,)
    kept: np.ndarray  # columns that carry the solution (the others are redundant)
    rank: int
    cond: float
    refinement_steps: int = 0
    singular_values: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


Solver = Callable[[LeastSquaresProblem], LeastSquaresSolution]


def _is_small(problem: LeastSquaresProblem) -> bool:
    return problem.n_samples * problem.n_features <= EXTENDED_RESIDUALS_BELOW_SIZE


def _extended(problem: LeastSquaresProblem, cond: float) -> bool:
    """Refine with extended-precision residuals? Always on small designs, where it costs
    milliseconds, and wherever cond(A) is large enough for float64 residuals to cost digits."""
    return _is_small(problem) or not np.isfinite(cond) or cond > EXTENDED_RESIDUALS_ABOVE


def _non_null(problem: LeastSquaresProblem) -> np.ndarray:
    return np.setdiff1d(np.arange(problem.n_features), problem.null_columns)


def _unscaled(problem: LeastSquaresProblem, z: np.ndarray) -> np.ndarray:
    coef = z / problem.column_scale[:, None]
    coef[problem.null_columns] = 0.0
    return coef


def check_beta_problem(n_features: int, effective_samples: int) -> None:
    """The textbook formula needs one feature and two samples; say so clearly otherwise."""
    if n_features != 1:
        raise ValueError(
            f"solver='beta' is the textbook simple-regression formula and takes exactly one "
            f"feature; X has {n_features}. Use solver='auto' (or 'normal', 'qr', 'svd') "
            "for several features."
        )
    if effective_samples < 2:
        raise ValueError(
            f"solver='beta' needs at least 2 samples to estimate a slope; got "
            f"{effective_samples} sample(s) with positive weight."
        )


def solve_beta(problem: LeastSquaresProblem) -> LeastSquaresSolution:
    """The textbook simple-regression estimates (one feature).

    Notes
    -----
    With an intercept::

        slope = cov(x, y) / var(x) = Σ w (x - x̄)(y - ȳ) / Σ w (x - x̄)²            (5)
        intercept = ȳ - slope · x̄                                                   (6)

    and through the origin, slope = Σ w x y / Σ w x². The sums are taken over centred values
    (two passes), never as Σxy - n x̄ ȳ.
    """
    check_beta_problem(problem.n_features, problem.effective_samples)
    x, y = problem.centred_block(slice(None))  # √w (x - x̄), √w (y - ȳ)
    spread = float(x[:, 0] @ x[:, 0])
    if spread == 0.0 or problem.null_columns.size:
        slope = np.zeros((1, problem.n_targets))
        kept = np.zeros(0, dtype=np.intp)
    else:
        slope = (x[:, 0] @ y)[None, :] / spread  # eq. (5)
        kept = np.zeros(1, dtype=np.intp)
    intercept = problem.y_offset - problem.x_offset @ slope  # eq. (6)
    return LeastSquaresSolution(slope, intercept, kept, rank=kept.size, cond=1.0)


def solve_normal(problem: LeastSquaresProblem) -> LeastSquaresSolution:
    """The normal equations AᵀA z = AᵀB by Cholesky, never an explicit inverse.

    Notes
    -----
    The estimate is written β = (XᵀWX)⁻¹XᵀWy; it is computed as::

        AᵀA = Uᵀ U  (Cholesky),   Uᵀ v = AᵀB,   U z = v,   β = D⁻¹ z                     (7)

    on the centred, equilibrated Gram matrix of eq. (2), accumulated in row blocks (extra
    memory: one block and p × p). Dependent columns are skipped in order by a Cholesky that
    tests each pivot; the solution is then refined (corrected semi-normal equations).
    """
    G, C = problem.scaled_gram()
    factorization, columns = cholesky_of_independent_columns(G, _non_null(problem))
    z = np.zeros((problem.n_features, problem.n_targets))
    z[columns] = factorization.solve_normal(C[columns])
    cond = factorization.cond
    steps = 0
    if _is_small(problem) or cond > REFINE_CHOLESKY_ABOVE:
        z, intercept, steps = refine(problem, z, factorization, _extended(problem, cond))
        coef = _unscaled(problem, z)
    else:
        coef = _unscaled(problem, z)
        intercept = problem.y_offset - problem.x_offset @ coef
    return LeastSquaresSolution(coef, intercept, columns, columns.size, cond, steps)


def solve_qr(problem: LeastSquaresProblem) -> LeastSquaresSolution:
    """Householder QR, redundant columns found in order, then augmented refinement.

    Notes
    -----
    ::

        A = Q R,   R z = Qᵀ B,   β = D⁻¹ z                                                  (8)

    Columns that are (numerically) linear combinations of earlier columns are detected in
    column order, as R and Stata do, reported, and given coefficient 0; the kept columns are
    factored again, solved, and refined with extended-precision residuals (eq. 3-4).
    """
    A = problem.scaled_design()
    B = problem.scaled_target()
    columns = _non_null(problem)
    tolerance = rank_tolerance(problem.n_samples, problem.n_features)
    factorization = QRFactorization.of(A, columns)
    diagonal = np.abs(np.diag(factorization.R))
    # Columns have unit norm, so |R_jj| is the size of column j's new direction.
    full_rank = diagonal.size == columns.size and bool(np.all(diagonal > tolerance))
    if not full_rank:
        # The columns of R have the geometry of A's columns, in a p × p space.
        columns = columns[independent_columns_in_order(factorization.R, tolerance)]
        factorization = QRFactorization.of(A, columns)
    z = np.zeros((problem.n_features, problem.n_targets))
    z[columns] = factorization.solve(B)
    del A
    cond = factorization.cond
    z, intercept, steps = refine(problem, z, factorization, _extended(problem, cond))
    return LeastSquaresSolution(
        _unscaled(problem, z), intercept, columns, columns.size, cond, steps
    )


def solve_svd(problem: LeastSquaresProblem) -> LeastSquaresSolution:
    """Minimum-norm least squares by the singular value decomposition, with a stated cutoff.

    Notes
    -----
    ::

        A = U S Vᵀ,   z = V S⁺ Uᵀ B,   β = D⁻¹ z                                            (9)

    S⁺ inverts the singular values s_i > max(n, p)·ε·s_max and zeroes the rest (the cutoff of
    NumPy's ``lstsq``). Because A is equilibrated, the cutoff judges directions relative to
    columns of unit length: genuine but tiny directions of badly scaled designs survive, and
    among all least-squares solutions z has the smallest norm, i.e. β minimizes ‖D β‖, a
    choice that does not depend on the units of the features. The solution is refined in the
    retained subspace with extended-precision residuals (eq. 3-4).
    """
    A = problem.scaled_design()
    B = problem.scaled_target()
    columns = _non_null(problem)
    factorization = SVDFactorization.of(
        A, columns, rank_tolerance(problem.n_samples, problem.n_features)
    )
    z = np.zeros((problem.n_features, problem.n_targets))
    z[columns] = factorization.solve(B)
    del A
    cond = factorization.cond
    retained_cond = float(factorization.s[0] / factorization.s[-1]) if factorization.rank else 1.0
    z, intercept, steps = refine(problem, z, factorization, _extended(problem, retained_cond))
    return LeastSquaresSolution(
        _unscaled(problem, z),
        intercept,
        columns,
        factorization.rank,
        cond,
        steps,
        singular_values=factorization.singular_values,
    )


#: The exact least-squares registry: name -> solver (``solver="auto"`` chooses among them).
SOLVERS: dict[str, Solver] = {
    "beta": solve_beta,
    "normal": solve_normal,
    "qr": solve_qr,
    "svd": solve_svd,
}


def choose_solver(problem: LeastSquaresProblem) -> tuple[str, str]:
    """Resolve ``solver="auto"``: return (solver name, the reason in words).

    * fewer (weighted) samples than unknowns: ``"svd"``, the minimum-norm solution;
    * otherwise factor the scaled Gram matrix (shared with the Cholesky solver): when it is
      positive definite with cond(A) ≤ 1e4, ``"normal"``; else ``"qr"``.
    """
    if problem.effective_samples > problem.n_features:
        # Tall data: the Gram matrix is needed for the choice anyway, and with it the column
        # norms (its diagonal), so no separate pass over X finds the constant columns.
        problem.centred_gram()
    unknowns = problem.n_features - problem.null_columns.size + int(problem.fit_intercept)
    if problem.effective_samples < unknowns:
        return "svd", (
            f"fewer samples ({problem.effective_samples}) than unknowns ({unknowns}): "
            "minimum-norm solution by SVD"
        )
    G, _ = problem.scaled_gram()
    return choose_by_conditioning(G, _non_null(problem), "Householder QR")


def choose_by_conditioning(
    G: np.ndarray, kept: np.ndarray, qr: str, normal: str = "Cholesky on the normal equations"
) -> tuple[str, str]:
    """The Gram half of ``"auto"``, for every engine that has the scaled Gram matrix G:
    ``"normal"`` when G[kept, kept] is positive definite with cond(A) ≤ 1e4, else ``"qr"``
    (``qr`` and ``normal`` name, in the reason, how the caller runs each)."""
    factorization = CholeskyFactorization.of(G, kept)
    if factorization is None:
        return "qr", f"scaled Gram matrix is singular: rank-revealing {qr}"
    if factorization.cond > AUTO_CHOLESKY_MAX_COND:
        return "qr", (
            f"scaled design is ill-conditioned (cond ≈ {factorization.cond:.1e} > "
            f"{AUTO_CHOLESKY_MAX_COND:.0e}): {qr}"
        )
    return (
        "normal",
        f"scaled design is well conditioned (cond ≈ {factorization.cond:.3g}): {normal}",
    )
