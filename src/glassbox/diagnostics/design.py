"""The design matrix of a fitted linear model, factorized once for every statistic.

Everything in :mod:`glassbox.diagnostics` reads the design through one thin QR
factorization of its *equilibrated* form (each column scaled to unit Euclidean norm):

.. math::

    X D^{-1} = Q R, \\qquad
    D = \\operatorname{diag}(\\lVert x_1 \\rVert, \\dots, \\lVert x_k \\rVert)  \\tag{1}

from which

.. math::

    (X^\\top X)^{-1} = D^{-1} R^{-1} R^{-\\top} D^{-1}, \\qquad  \\tag{2}
    X^{+} = (X^\\top X)^{-1} X^\\top = D^{-1} R^{-1} Q^\\top, \\qquad
    h_{ii} = \\lVert Q_{i,:} \\rVert^2 .

No product :math:`X^\\top X` is ever formed, so the condition number that limits accuracy is
that of the equilibrated design, not its square. Scaling the columns first removes the part
of the ill-conditioning that only comes from units (a column in millions beside one in
thousandths) and makes the rank test below independent of units.

Rank: in exact arithmetic :math:`|R_{jj}|` of the unpivoted QR is the distance from the unit
column :math:`j` to the span of the columns before it, so a column with
:math:`|R_{jj}| \\le \\tau` is (numerically) a linear combination of earlier ones and is
reported as redundant. Scanning in column order keeps the intercept and earlier columns,
the same choice R's ``lm`` makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

__all__ = ["FactorizedDesign", "factorize", "least_squares", "rank_tolerance"]


def rank_tolerance(n_samples: int, n_columns: int) -> float:
    """Threshold on |R_jj| of the unit-column design below which a column counts as redundant.

    The same order as ``numpy.linalg.matrix_rank``'s default (σ_max · max(n, k) · ε, with
    σ_max ≤ √k for unit columns).
    """
    return float(np.sqrt(n_columns) * max(n_samples, n_columns) * np.finfo(float).eps)


@dataclass(frozen=True)
class FactorizedDesign:
    """A design with full column rank and its thin QR factorization, eq. (1).

    Attributes
    ----------
    matrix : ndarray of shape (n_samples, n_columns)
        The kept (linearly independent) columns of the design.
    q : ndarray of shape (n_samples, n_columns)
        Orthonormal basis of the column space.
    r : ndarray of shape (n_columns, n_columns)
        Upper-triangular factor of the equilibrated design.
    column_norms : ndarray of shape (n_columns,)
        The equilibration D of eq. (1).
    kept : ndarray of int
        Indices of the kept columns in the design that was passed in.
    redundant : list of int
        Indices of the columns left out as linear combinations of earlier ones.
    """

    matrix: np.ndarray
    q: np.ndarray
    r: np.ndarray
    column_norms: np.ndarray
    kept: np.ndarray
    redundant: list[int]

    @property
    def n_samples(self) -> int:
        """Number of rows n of the design."""
        return int(self.matrix.shape[0])

    @property
    def rank(self) -> int:
        """Number of columns kept (the design's rank after collinear columns are dropped)."""
        return int(self.matrix.shape[1])

    def r_inverse_scaled(self) -> np.ndarray:
        """D⁻¹R⁻¹ (k, k): a triangular solve against the identity, never an inverse of XᵀX."""
        identity = np.eye(self.rank)
        r_inv = scipy.linalg.solve_triangular(self.r, identity, lower=False)
        return r_inv / self.column_norms[:, None]

    def normalized_cov(self) -> np.ndarray:
        """(XᵀX)⁻¹ = (D⁻¹R⁻¹)(D⁻¹R⁻¹)ᵀ, eq. (2)."""
        a = self.r_inverse_scaled()
        return a @ a.T

    def pseudo_inverse(self) -> np.ndarray:
        """X⁺ = D⁻¹R⁻¹Qᵀ of shape (k, n), eq. (2)."""
        return self.r_inverse_scaled() @ self.q.T

    def hat_diagonal(self) -> np.ndarray:
        """Leverages h_ii = ‖Q_i‖², the diagonal of the hat matrix H = QQᵀ."""
        return np.einsum("ij,ij->i", self.q, self.q)

    def solve(self, target: np.ndarray) -> np.ndarray:
        """Least-squares coefficients b = D⁻¹R⁻¹Qᵀy."""
        coef = scipy.linalg.solve_triangular(self.r, self.q.T @ target, lower=False)
        return coef / (self.column_norms if coef.ndim == 1 else self.column_norms[:, None])

    def singular_values(self) -> np.ndarray:
        """Singular values of the (unscaled) kept design: those of R·D, since Q is orthonormal."""
        return np.linalg.svd(self.r * self.column_norms[None, :], compute_uv=False)

    def scaled_singular_values(self) -> np.ndarray:
        """Singular values of the equilibrated design X·D⁻¹ (= those of R)."""
        return np.linalg.svd(self.r, compute_uv=False)


def factorize(design: np.ndarray, redundant: list[int] | None = None) -> FactorizedDesign:
    """Factorize ``design`` after dropping redundant columns.

    Parameters
    ----------
    design : ndarray of shape (n_samples, n_columns)
    redundant : list of int, optional
        Columns already known to be redundant (for example reported by the model). When
        ``None`` they are found from the diagonal of R, see the module notes.
    """
    n_samples, n_columns = design.shape
    norms = np.linalg.norm(design, axis=0)
    if redundant is None:
        safe = np.where(norms > 0, norms, 1.0)
        r_full = scipy.linalg.qr(design / safe, mode="r")[0]
        diagonal = np.abs(np.diag(r_full[:n_columns, :n_columns]))
        if diagonal.shape[0] < n_columns:  # more columns than rows: the rest are redundant
            diagonal = np.concatenate([diagonal, np.zeros(n_columns - diagonal.shape[0])])
        tolerance = rank_tolerance(n_samples, n_columns)
        redundant = [j for j in range(n_columns) if diagonal[j] <= tolerance or norms[j] == 0]
    redundant = sorted(set(redundant))
    kept = np.array([j for j in range(n_columns) if j not in set(redundant)], dtype=int)
    matrix = design[:, kept]
    column_norms = norms[kept]
    q, r = scipy.linalg.qr(matrix / column_norms, mode="economic")
    return FactorizedDesign(matrix, q, r, column_norms, kept, redundant)


def least_squares(design: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, int]:
    """Residuals of the least-squares fit of ``target`` on ``design`` and the design's rank.

    Used by the auxiliary regressions of the assumption tests; redundant columns (for
    example x² of a binary x beside x and the constant in White's test) are dropped.
    """
    factorized = factorize(design)
    fitted = factorized.q @ (factorized.q.T @ target)
    return target - fitted, factorized.rank
