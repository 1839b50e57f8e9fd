"""Sufficient statistics of weighted least squares, computed per chunk and merged in pairs.

For a chunk of rows with weights wᵢ ≥ 0 and stacked data zᵢ = (xᵢ, yᵢ) (features, then
targets), the statistics are

    W = Σ wᵢ,   μ = Σ wᵢ zᵢ / W,   S = Σ wᵢ (zᵢ - μ)(zᵢ - μ)ᵀ                        (1)

S holds the centred cross-products XᵀX, Xᵀy and yᵀy in one (p + k) × (p + k) matrix. Two
chunks a and b combine without revisiting their rows (Chan, Golub and LeVeque):

    W = Wₐ + W_b,   δ = μ_b - μₐ,   μ = μₐ + (W_b / W) δ,
    S = Sₐ + S_b + (Wₐ W_b / W) δ δᵀ                                                   (2)

Every term of (2) is a centred quantity, so nothing cancels: the one-pass formula
S = Σ w z zᵀ - W μ μᵀ, which loses all digits once the means are large next to the spread,
is never used. Within a chunk the same merge runs over cache-sized row blocks, so a chunk is
read from memory once.

References
----------
T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing the sample variance:
analysis and recommendations", The American Statistician 37 (1983).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.linalg import blas

# Rows per block inside a chunk: a (rows × (p + k)) block stays in the CPU's cache while its
# mean is taken and its centred copy is multiplied.
_BLOCK_ROWS = 16384


@dataclass(frozen=True)
class SufficientStatistics:
    """(count, W, μ, S) of eq. (1) for stacked z = (x, y), and what was seen on the way.

    ``count`` counts rows, ``positive`` rows with a positive weight, ``log_weight_sum`` is
    Σ log wᵢ over those (the weighted log-likelihood needs it), ``empty_partitions`` lists the
    partitions that held no rows (they contribute nothing and are reported, not fatal).
    """

    n_features: int
    count: int
    positive: int
    weight_sum: float
    log_weight_sum: float
    mean: np.ndarray  # (p + k,)
    scatter: np.ndarray  # (p + k, p + k), symmetric
    empty_partitions: tuple[int, ...] = field(default=())

    @classmethod
    def empty(
        cls, n_features: int, n_targets: int, partition: int | None = None
    ) -> SufficientStatistics:
        """The statistics of no rows, the identity of the merge."""
        q = n_features + n_targets
        empty = () if partition is None else (partition,)
        return cls(n_features, 0, 0, 0.0, 0.0, np.zeros(q), np.zeros((q, q)), empty)

    def is_finite(self) -> bool:
        """True when μ and S are finite: a NaN or infinity in any row of the chunk makes the
        mean or the centred products NaN or infinite, so this stands in for a scan."""
        return bool(np.isfinite(self.weight_sum) and np.isfinite(self.scatter.sum()))

    @property
    def n_targets(self) -> int:
        """Number of target columns."""
        return int(self.mean.size - self.n_features)

    @property
    def x_mean(self) -> np.ndarray:
        """Weighted column means of X, x̄."""
        return self.mean[: self.n_features]

    @property
    def y_mean(self) -> np.ndarray:
        """Weighted means of the targets, ȳ."""
        return self.mean[self.n_features :]

    def cross_products(self, fit_intercept: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(XᵀWX, XᵀWY, YᵀWY), centred on μ with an intercept, about zero without one.

        Without an intercept the uncentred products are Σ w z zᵀ = S + W μ μᵀ: a sum of two
        positive semi-definite terms, which loses nothing (it is the subtraction that would).
        """
        S = (
            self.scatter
            if fit_intercept
            else self.scatter + self.weight_sum * np.outer(self.mean, self.mean)
        )
        p = self.n_features
        return S[:p, :p], S[:p, p:], S[p:, p:]


def merge(a: SufficientStatistics, b: SufficientStatistics) -> SufficientStatistics:
    """Eq. (2): the statistics of the union of two disjoint sets of rows."""
    if b.weight_sum == 0.0 or a.weight_sum == 0.0:
        # A chunk without weight only adds its row counts (and its empty-partition record).
        kept, _other = (a, b) if b.weight_sum == 0.0 else (b, a)
        return SufficientStatistics(
            kept.n_features,
            a.count + b.count,
            a.positive + b.positive,
            kept.weight_sum,
            a.log_weight_sum + b.log_weight_sum,
            kept.mean,
            kept.scatter,
            tuple(sorted(a.empty_partitions + b.empty_partitions)),
        )
    total = a.weight_sum + b.weight_sum
    delta = b.mean - a.mean
    mean = a.mean + (b.weight_sum / total) * delta  # eq. (2)
    scatter = a.scatter + b.scatter + (a.weight_sum * b.weight_sum / total) * np.outer(delta, delta)
    return SufficientStatistics(
        a.n_features,
        a.count + b.count,
        a.positive + b.positive,
        total,
        a.log_weight_sum + b.log_weight_sum,
        mean,
        scatter,
        tuple(sorted(a.empty_partitions + b.empty_partitions)),
    )


def merge_all(parts: Sequence[SufficientStatistics]) -> SufficientStatistics:
    """Merge a list pairwise, as a balanced tree (rounding errors grow as log₂ of its length)."""
    items = list(parts)
    if not items:
        raise ValueError("merge_all needs at least one set of statistics.")
    while len(items) > 1:
        paired = [merge(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def _block_statistics(
    Z: np.ndarray, weights: np.ndarray | None, n_features: int
) -> SufficientStatistics:
    """Eq. (1) for one cache-sized block, overwriting Z (a scratch copy): the mean by BLAS
    gemv, then the centred product by BLAS syrk (one triangle, half the flops of a gemm)."""
    n_rows = Z.shape[0]
    if weights is None:
        weight_sum = float(n_rows)
        mean = np.ones(n_rows) @ Z / weight_sum
        Z -= mean
        positive, log_sum = n_rows, 0.0
    else:
        weight_sum = float(weights.sum())
        if weight_sum == 0.0:
            # Rows without weight add nothing, but a NaN among them must still show
            # (:meth:`SufficientStatistics.is_finite` stands in for a scan): W = NaN then.
            q = Z.shape[1]
            seen = 0.0 if np.isfinite(Z.sum()) else np.nan
            return SufficientStatistics(
                n_features, n_rows, 0, seen, 0.0, np.zeros(q), np.zeros((q, q))
            )
        mean = weights @ Z / weight_sum
        Z -= mean
        Z *= np.sqrt(weights)[:, None]
        on = weights > 0
        positive, log_sum = int(np.count_nonzero(on)), float(np.log(weights[on]).sum())
    # syrk reads either layout without a copy: ZᵀZ of an F-ordered block, or (Zᵀ)(Zᵀ)ᵀ
    # with Zᵀ the F-ordered view of a C-ordered one.
    if Z.flags.f_contiguous and not Z.flags.c_contiguous:
        upper = blas.dsyrk(1.0, Z, trans=1, lower=0)
    else:
        upper = blas.dsyrk(1.0, Z.T, trans=0, lower=0)
    scatter = np.triu(upper) + np.triu(upper, 1).T
    return SufficientStatistics(n_features, n_rows, positive, weight_sum, log_sum, mean, scatter)


def chunk_statistics(
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None = None,
    partition: int | None = None,
) -> SufficientStatistics:
    """Eq. (1) for one chunk: X (n, p), Y (n, k), weights (n,) or None, all float64.

    The chunk is read in row blocks that stay in cache; the blocks are merged by eq. (2).
    A chunk without rows gives empty statistics that record ``partition``.
    """
    n_samples, n_features = X.shape
    if n_samples == 0:
        return SufficientStatistics.empty(n_features, Y.shape[1], partition)
    parts = []
    # The scratch block takes X's layout, so filling it copies runs of contiguous memory
    # (a column-major X, as pandas hands out, is not gathered row by row).
    order: Literal["C", "F"] = "F" if X.flags.f_contiguous and not X.flags.c_contiguous else "C"
    scratch = np.empty((min(_BLOCK_ROWS, n_samples), n_features + Y.shape[1]), order=order)
    for start in range(0, n_samples, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n_samples))
        Z = scratch[: rows.stop - rows.start]  # (rows, p + k), reused: no allocation per block
        Z[:, :n_features] = X[rows]
        Z[:, n_features:] = Y[rows]
        parts.append(_block_statistics(Z, None if weights is None else weights[rows], n_features))
    return merge_all(parts)
