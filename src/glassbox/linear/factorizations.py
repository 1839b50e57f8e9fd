"""The factorizations behind the exact solvers, each able to apply the corrections of refine.py.

Every factorization works on A_kept, the equilibrated design restricted to the columns that
carry the solution (redundant columns are detected first, in column order, as R and Stata do).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack, qr, solve_triangular, svd

from glassbox.linear.problem import EPS


def rank_tolerance(n_samples: int, n_features: int) -> float:
    """Relative tolerance below which a direction of the scaled design counts as null.

    max(n, p)·ε, the cutoff of MATLAB's ``rank`` and NumPy's ``lstsq``, applied to the
    equilibrated design, where it flags exact collinearity without discarding the tiny but
    genuine directions of ill-conditioned designs (raw polynomial powers keep all their
    columns; R's default tolerance of 1e-7 drops one of Filip's).
    """
    return max(n_samples, n_features) * EPS


def independent_columns_in_order(M: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the columns of M kept when each is tested, in order, against those before it.

    A column is redundant when its component orthogonal to the kept columns is at most
    ``tolerance`` times its own norm (modified Gram-Schmidt, orthogonalized twice).
    """
    basis = np.zeros((M.shape[0], 0))
    kept = []
    for j in range(M.shape[1]):
        column = M[:, j]
        norm = float(np.linalg.norm(column))
        if norm == 0.0:
            continue
        v = column - basis @ (basis.T @ column)
        v -= basis @ (basis.T @ v)
        remainder = float(np.linalg.norm(v))
        if remainder > tolerance * norm:
            kept.append(j)
            basis = np.column_stack([basis, v / remainder])
    return np.asarray(kept, dtype=np.intp)


def independent_columns_of_gram(G: np.ndarray, tolerance: float) -> np.ndarray:
    """The same in-order test done on a Gram matrix: Cholesky that skips dependent columns.

    The Schur complement's diagonal entry of column j is the squared norm of its component
    orthogonal to the kept columns; the column is kept when it exceeds ``tolerance`` times
    G[j, j].
    """
    p = G.shape[0]
    L = np.zeros((p, p))
    kept: list[int] = []
    for j in range(p):
        if G[j, j] <= 0:
            continue
        row = solve_triangular(L[np.ix_(kept, kept)], G[kept, j], lower=True) if kept else None
        schur = G[j, j] - (float(row @ row) if row is not None else 0.0)
        if schur > tolerance * G[j, j]:
            if row is not None:
                L[j, kept] = row
            L[j, j] = np.sqrt(schur)
            kept.append(j)
    return np.asarray(kept, dtype=np.intp)


@dataclass
class CholeskyFactorization:
    """AᵀA = Uᵀ U for the kept columns (U upper triangular)."""

    kept: np.ndarray
    upper: np.ndarray
    rcond: float
    orthogonal: bool = False

    @classmethod
    def of(cls, gram: np.ndarray, kept: np.ndarray) -> CholeskyFactorization | None:
        """Factor gram[kept, kept]; None when it is not numerically positive definite."""
        sub = np.asfortranarray(gram[np.ix_(kept, kept)])
        if sub.size == 0:
            return cls(kept, sub, 1.0)
        anorm = float(np.max(np.abs(sub).sum(axis=0)))
        upper, info = lapack.dpotrf(sub, lower=0, clean=1)
        if info != 0:
            return None
        rcond, info = lapack.dpocon(upper, anorm, uplo="U")
        return cls(kept, upper, float(rcond))

    @property
    def cond(self) -> float:
        """Estimated cond₂(A) = √cond(AᵀA) from LAPACK's 1-norm estimate."""
        return float(np.sqrt(1.0 / self.rcond)) if self.rcond > 0 else np.inf

    def solve_normal(self, rhs: np.ndarray) -> np.ndarray:
        """Solve the normal equations AᵀA x = rhs as Uᵀ (U x) = rhs: two triangular solves."""
        if self.kept.size == 0:
            return np.zeros((0, rhs.shape[1]))
        y = solve_triangular(self.upper, rhs, trans="T", lower=False, check_finite=False)
        return solve_triangular(self.upper, y, lower=False, check_finite=False)

    def correction(self, f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Not available: Cholesky is refined on the semi-normal equations (``refine.py``)."""
        raise NotImplementedError("Cholesky refines the semi-normal equations (refine.py)")


def cholesky_of_independent_columns(
    gram: np.ndarray, columns: np.ndarray
) -> tuple[CholeskyFactorization, np.ndarray]:
    """Cholesky of gram[columns, columns], first dropping (in order) columns that depend on
    earlier ones when the matrix is singular or numerically so (rcond < p·ε).

    Returns the factorization and the columns it kept.
    """
    factorization = CholeskyFactorization.of(gram, columns)
    if factorization is None or factorization.rcond < gram.shape[0] * EPS:
        sub = gram[np.ix_(columns, columns)]
        columns = columns[independent_columns_of_gram(sub, 10 * len(columns) * EPS)]
        factorization = CholeskyFactorization.of(gram, columns)
        if factorization is None:  # pragma: no cover - the in-order test guarantees definiteness
            raise np.linalg.LinAlgError("Cholesky failed after removing dependent columns")
    return factorization, columns


@dataclass
class QRFactorization:
    """A_kept = Q R (blocked Householder); A_kept = Q M with M = R.

    No column pivoting: the columns of R have the geometry of A's columns, so redundant
    columns are found from R by the in-order test, and LAPACK's blocked dgeqrf runs several
    times faster than the pivoted dgeqp3.
    """

    kept: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    orthogonal: bool = True

    @classmethod
    def of(cls, A: np.ndarray, kept: np.ndarray) -> QRFactorization:
        """Factor the kept columns of A by economic Householder QR."""
        columns = A if kept.size == A.shape[1] else A[:, kept]
        Q, R = qr(columns, mode="economic", check_finite=False)
        return cls(kept, Q, R)

    @property
    def cond(self) -> float:
        """Estimated cond(A_kept) = cond₁(R), from LAPACK's triangular condition estimator."""
        if self.R.size == 0:
            return 1.0
        rcond, _ = lapack.dtrcon(self.R, norm="1", uplo="U", diag="N")
        return float(1.0 / rcond) if rcond > 0 else np.inf

    def apply_pinv(self, c: np.ndarray) -> np.ndarray:
        """M⁻¹ c = R⁻¹ c."""
        return solve_triangular(self.R, c, lower=False, check_finite=False)

    def apply_pinv_transpose(self, g: np.ndarray) -> np.ndarray:
        """(Mᵀ)⁻¹ g = R⁻ᵀ g."""
        return solve_triangular(self.R, g, trans="T", lower=False, check_finite=False)

    def solve(self, B: np.ndarray) -> np.ndarray:
        """Least-squares solution of A x ≈ B: x = R⁻¹ Qᵀ B."""
        return self.apply_pinv(self.Q.T @ B)

    def correction(self, f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One step of Björck's augmented-system refinement for residuals (f, g)."""
        return augmented_correction(self, f, g)

    def solve_normal(self, rhs: np.ndarray) -> np.ndarray:
        """Solve AᵀA x = rhs as R⁻¹ R⁻ᵀ rhs (no Gram matrix is formed)."""
        return self.apply_pinv(self.apply_pinv_transpose(rhs))


@dataclass
class SVDFactorization:
    """A_kept = U S Vᵀ, truncated to the singular values above the cutoff; M = S Vᵀ.

    Tall designs are reduced first, A = Q R, then R = U_R S Vᵀ and U = Q U_R: the SVD of a
    p × p matrix instead of an n × p one.
    """

    kept: np.ndarray
    U: np.ndarray
    s: np.ndarray
    Vt: np.ndarray
    singular_values: np.ndarray
    orthogonal: bool = True

    @classmethod
    def of(cls, A: np.ndarray, kept: np.ndarray, rcond: float) -> SVDFactorization:
        """Factor the kept columns of A by the SVD (of R from a QR first when A is tall), truncated
        at ``rcond``.
        """
        columns = A if kept.size == A.shape[1] else A[:, kept]
        if columns.shape[0] > 2 * columns.shape[1]:
            Q, R = qr(columns, mode="economic", check_finite=False)
            U_R, s, Vt = svd(R, full_matrices=False, lapack_driver="gesdd", check_finite=False)
            U = Q @ U_R
        else:
            U, s, Vt = svd(columns, full_matrices=False, lapack_driver="gesdd", check_finite=False)
        rank = int(np.count_nonzero(s > rcond * s[0])) if s.size and s[0] > 0 else 0
        return cls(kept, U[:, :rank], s[:rank], Vt[:rank], s)

    @property
    def rank(self) -> int:
        """Number of singular values kept above the cutoff."""
        return int(self.s.size)

    @property
    def cond(self) -> float:
        """s_max / s_min over all singular values (∞ when the design is rank deficient)."""
        values = self.singular_values
        if values.size == 0 or values[-1] == 0:
            return np.inf
        return float(values[0] / values[-1])

    def apply_pinv(self, c: np.ndarray) -> np.ndarray:
        """M⁺ c = V S⁻¹ c: the minimum-norm solution."""
        return self.Vt.T @ (c / self.s[:, None])

    def apply_pinv_transpose(self, g: np.ndarray) -> np.ndarray:
        """(M⁺)ᵀ g = S⁻¹ Vᵀ g."""
        return (self.Vt @ g) / self.s[:, None]

    def solve(self, B: np.ndarray) -> np.ndarray:
        """Minimum-norm least-squares solution of A x ≈ B: x = V S⁻¹ Uᵀ B."""
        return self.apply_pinv(self.U.T @ B)

    def correction(self, f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One step of Björck's augmented-system refinement for residuals (f, g), with Q = U."""
        return augmented_correction(self, f, g, Q=self.U)

    def solve_normal(self, rhs: np.ndarray) -> np.ndarray:
        """Solve AᵀA x = rhs as V S⁻² Vᵀ rhs (the pseudo-inverse of the Gram matrix)."""
        return self.apply_pinv(self.apply_pinv_transpose(rhs))


def augmented_correction(
    factorization: QRFactorization | SVDFactorization,
    f: np.ndarray,
    g: np.ndarray,
    Q: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Eq. (4) of refine.py: h = (M⁺)ᵀ g, dz = M⁺(Qᵀf - h), dr = f - Q(Qᵀf - h)."""
    basis = factorization.Q if Q is None else Q  # type: ignore[union-attr]
    h = factorization.apply_pinv_transpose(g)
    projected = basis.T @ f - h
    return factorization.apply_pinv(projected), f - basis @ projected
