"""The penalized least-squares problem that Lasso and ElasticNet solve, in two forms.

After centering (for the intercept) and weighting, every elastic-net fit minimizes

    P(w) = ½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²                                      (1)

with ``l1 = n α ρ`` and ``l2 = n α (1 − ρ)``, which is ``n`` times scikit-learn's
``(1/2n)‖y − Xw − b‖² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖²`` (ρ = ``l1_ratio``). Sample weights ``s``
are rescaled to sum to ``n`` and enter as ``√s`` on the rows of X and y, so that
``Σ s_i r_i² = ‖√s ⊙ r‖²`` and an integer weight acts as that many repeated rows.

The problem is held either as the design ``(X, y)`` or, when samples far outnumber
features, as the Gram form ``(G = XᵀX, q = Xᵀy, ‖y‖²)``: every quantity the solvers and
the duality gap need is then a p-vector, whatever ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LeastSquaresProblem", "alpha_max", "prepare_problem"]

# Rows per block when a centered Gram matrix is accumulated block by block.
_BLOCK_ROWS = 16384


@dataclass
class LeastSquaresProblem:
    """Centered, weighted data for eq. (1), one column per target.

    Attributes
    ----------
    n_samples : float
        ``n``, the number of rows (and the sum of the rescaled weights).
    gram : ndarray of shape (n_features, n_features) or None
        ``G = XᵀX`` of the centered, weighted design (Gram form only).
    design : ndarray of shape (n_samples, n_features) or None
        The centered, weighted design in Fortran order (design form only).
    targets : ndarray of shape (n_samples, n_targets) or None
        The centered, weighted targets (design form only).
    Xty : ndarray of shape (n_features, n_targets)
        ``q = Xᵀy`` per target.
    y_norm2 : ndarray of shape (n_targets,)
        ``‖y‖²`` per target.
    X_offset, y_offset : ndarray
        The (weighted) means removed for the intercept; zeros without one.
    """

    n_samples: float
    gram: np.ndarray | None
    design: np.ndarray | None
    targets: np.ndarray | None
    Xty: np.ndarray
    y_norm2: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of columns p (the size of Xᵀy)."""
        return int(self.Xty.shape[0])

    def target(self, k: int) -> TargetView:
        """The single-target problem for column ``k`` of y."""
        return TargetView(
            gram=self.gram,
            design=self.design,
            y=None if self.targets is None else self.targets[:, k],
            Xty=np.ascontiguousarray(self.Xty[:, k]),
            y_norm2=float(self.y_norm2[k]),
        )


@dataclass
class TargetView:
    """Eq. (1) for one target: Gram form (``gram``, ``Xty``, ``y_norm2``) or design form."""

    gram: np.ndarray | None
    design: np.ndarray | None
    y: np.ndarray | None
    Xty: np.ndarray
    y_norm2: float

    def correlations(self, w: np.ndarray) -> tuple[np.ndarray, float, float]:
        """``(XᵀR, ‖R‖², Rᵀy)`` for the residual ``R = y − Xw``.

        In Gram form ``XᵀR = q − Gw``, ``‖R‖² = ‖y‖² − 2qᵀw + wᵀGw`` and ``Rᵀy = ‖y‖² − qᵀw``.
        """
        if self.gram is not None:
            Gw = self.gram @ w
            qw = float(self.Xty @ w)
            return self.Xty - Gw, self.y_norm2 - 2.0 * qw + float(w @ Gw), self.y_norm2 - qw
        if self.design is None or self.y is None:  # internal invariant
            raise RuntimeError("glassbox internal error: the design form is missing")
        residual = self.y - self.design @ w
        return self.design.T @ residual, float(residual @ residual), float(residual @ self.y)


def _weighted_mean(a: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    if weights is None:
        return a.mean(axis=0)
    return weights @ a / weights.sum()


def _centered_products(
    X: np.ndarray, mean: np.ndarray, n_samples: float, Yc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``G = (X − 1μᵀ)ᵀ(X − 1μᵀ)`` and ``q = (X − 1μᵀ)ᵀ Yc`` without copying X.

    ``XᵀX − nμμᵀ`` and ``XᵀYc`` (equal to the centred product since ``Σ Yc = 0``) are one
    matrix product each; they lose about ``μ²/var`` of relative precision to cancellation, so
    when a column's mean dwarfs its spread both are formed from centred blocks instead.
    """
    variance = np.einsum("ij,ij->j", X[:2048], X[:2048]) / min(len(X), 2048) - mean**2
    if np.all(mean**2 <= 1e4 * np.maximum(variance, 0.0)):
        gram = X.T @ X
        gram -= n_samples * np.outer(mean, mean)
        return gram, X.T @ Yc
    gram = np.zeros((X.shape[1], X.shape[1]))
    Xty = np.zeros((X.shape[1], Yc.shape[1]))
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        block = X[start : start + _BLOCK_ROWS] - mean
        gram += block.T @ block
        Xty += block.T @ Yc[start : start + _BLOCK_ROWS]
    return gram, Xty


def prepare_problem(
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    fit_intercept: bool,
    use_gram: bool,
) -> LeastSquaresProblem:
    """Center and weight ``(X, Y)`` and build eq. (1) in Gram or design form.

    ``Y`` has shape (n_samples, n_targets). X is never modified; in Gram form with no
    weights it is not copied either.
    """
    n_samples = X.shape[0]
    weights = None
    if sample_weight is not None:
        weights = sample_weight * (n_samples / sample_weight.sum())
    n_features = X.shape[1]
    if fit_intercept:
        X_offset = _weighted_mean(X, weights)
        y_offset = _weighted_mean(Y, weights)
    else:
        X_offset = np.zeros(n_features)
        y_offset = np.zeros(Y.shape[1])
    Yc = Y - y_offset
    Yw = Yc if weights is None else Yc * weights[:, None]
    y_norm2 = np.einsum("ij,ij->j", Yc, Yw)
    if use_gram:
        if weights is None:
            gram, Xty = _centered_products(X, X_offset, float(n_samples), Yc)
        else:
            # Products of the centred copy: XᵀWYc equals XcᵀWYc only up to the cancellation
            # of μ against Σ w yc ≈ 0, which costs digits when the means are large.
            Xc = X - X_offset
            gram = Xc.T @ (Xc * weights[:, None])
            Xty = Xc.T @ Yw
        return LeastSquaresProblem(
            float(n_samples), gram, None, None, Xty, y_norm2, X_offset, y_offset
        )
    root = None if weights is None else np.sqrt(weights)[:, None]
    design = np.asfortranarray(X - X_offset)
    targets = Yc
    if root is not None:
        design *= root
        targets = Yc * root
    return LeastSquaresProblem(
        float(n_samples), None, design, targets, design.T @ targets, y_norm2, X_offset, y_offset
    )


def centered_correlations(
    X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None, *, fit_intercept: bool
) -> np.ndarray:
    """``q = Xcᵀ W yc`` alone (what the α grid needs), without forming G or a centered X."""
    weights = None
    if sample_weight is not None:
        weights = sample_weight * (X.shape[0] / sample_weight.sum())
    Yc = Y - _weighted_mean(Y, weights) if fit_intercept else Y
    Yw = Yc if weights is None else Yc * weights[:, None]
    if not fit_intercept:
        return X.T @ Yw
    return X.T @ Yw - np.outer(_weighted_mean(X, weights), Yw.sum(axis=0))


def alpha_max(problem: LeastSquaresProblem, l1_ratio: float) -> float:
    """The smallest α at which w = 0 solves eq. (1): ``max_j ‖(Xᵀy)_j‖₂ / (n ρ)``.

    At w = 0 the subgradient condition is ``|Xⱼᵀy| ≤ nαρ`` for every j; for several
    targets the row norm over targets is used, as scikit-learn does.
    """
    if l1_ratio <= 0:
        raise ValueError(
            "An automatic alpha grid needs an L1 penalty (l1_ratio > 0); with l1_ratio=0 "
            "pass the alphas explicitly."
        )
    row_norms = np.sqrt(np.sum(problem.Xty**2, axis=1))
    return float(np.max(row_norms) / (problem.n_samples * l1_ratio))


def alpha_grid(
    problem: LeastSquaresProblem, l1_ratio: float, *, eps: float, n_alphas: int
) -> np.ndarray:
    """``n_alphas`` values log-spaced from ``alpha_max`` down to ``eps * alpha_max``."""
    top = alpha_max(problem, l1_ratio)
    tiny = float(np.finfo(np.float64).resolution)
    if top <= tiny:
        return np.full(n_alphas, tiny)
    return np.geomspace(top, top * eps, num=n_alphas)
