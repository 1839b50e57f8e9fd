"""Automatic step sizes for least squares, from the Lipschitz constant of the gradient.

For the loss F(w) = (1/2n) Σᵢ sᵢ (yᵢ − zᵢᵀw)² the gradient is ∇F(w) = Zᵀ S (Zw − y) / n and
the Hessian is the constant matrix H = Zᵀ S Z / n. The gradient is L-Lipschitz with

    L = λ_max(H),                                                        (1)

and gradient descent with step η converges for η < 2/L; η = 1/L is the classic safe choice.
λ_max is found by power iteration, v ← H v / ‖H v‖, whose Rayleigh quotient vᵀHv rises to
λ_max at the rate (λ₂/λ₁)^{2k} (a slight underestimate stays well inside 2/L).

A stochastic step on one sample i sees the Hessian sᵢ zᵢ zᵢᵀ, whose largest eigenvalue is
sᵢ‖zᵢ‖², so per-sample SGD is safe below 1/L_max with L_max = maxᵢ sᵢ‖zᵢ‖². For mini-batches
of b rows drawn without replacement the expected smoothness is (Gower et al., 2019)

    L_b = n(b − 1) / (b(n − 1)) · L + (n − b) / (b(n − 1)) · L_max,       (2)

which moves from L_max at b = 1 to L at b = n.

References
----------
Gower, R. M., Loizou, N., Qian, X., Sailanbayev, A., Shulgin, E., Richtárik, P. (2019).
SGD: general analysis and improved rates. ICML.
"""

from __future__ import annotations

import numpy as np

__all__ = ["batch_smoothness", "largest_eigenvalue", "max_sample_smoothness"]

_GRAM_LIMIT = 512  # up to this many columns, forming ZᵀSZ once beats repeated passes over Z


def largest_eigenvalue(
    Z: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    tol: float = 1e-6,
    max_iter: int = 500,
    method: str = "auto",
) -> float:
    """λ_max(ZᵀSZ / n) by power iteration, eq. (1).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_columns)
        The design as the solver sees it (standardized, with a column of ones for an
        intercept).
    sample_weight : ndarray of shape (n_samples,), optional
        The diagonal of S; ones when omitted.
    tol : float
        Stop when the Rayleigh quotient changes by less than ``tol`` relative.
    max_iter : int
        Most power iterations.
    method : {"auto", "gram", "matvec"}
        ``"gram"`` forms H = ZᵀSZ/n once (n·q² flops) and iterates on it; ``"matvec"``
        applies H as Zᵀ(S(Zv))/n without forming it (4nq flops per iteration). ``"auto"``
        forms H when Z has at most 512 columns.

    Returns
    -------
    float
        The estimate of λ_max; 0.0 for an all-zero design.

    Notes
    -----
    The start vector is drawn from ``numpy.random.default_rng(0)``, so the result is
    deterministic and (with probability one) not orthogonal to the top eigenvector.
    """
    if method not in ("auto", "gram", "matvec"):
        raise ValueError(f"method must be 'auto', 'gram' or 'matvec', got {method!r}.")
    n_samples, n_columns = Z.shape
    weights = np.ones(n_samples) if sample_weight is None else sample_weight
    if method == "gram" or (method == "auto" and n_columns <= _GRAM_LIMIT):
        weighted = Z if sample_weight is None else Z * sample_weight[:, None]
        H = weighted.T @ Z / n_samples  # ZᵀZ alone is a symmetric rank-k update (half the flops)

        def apply(v: np.ndarray) -> np.ndarray:
            return H @ v

    else:

        def apply(v: np.ndarray) -> np.ndarray:
            return Z.T @ (weights * (Z @ v)) / n_samples

    v = np.random.default_rng(0).standard_normal(n_columns)
    v /= np.linalg.norm(v)
    estimate = 0.0
    for _ in range(max_iter):
        Hv = apply(v)
        previous, estimate = estimate, float(v @ Hv)  # Rayleigh quotient vᵀHv, ‖v‖ = 1
        norm = np.linalg.norm(Hv)
        if norm == 0.0:
            return 0.0
        v = Hv / norm
        if abs(estimate - previous) <= tol * abs(estimate):
            break
    return estimate


def max_sample_smoothness(Z: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    """L_max = maxᵢ sᵢ ‖zᵢ‖², the smoothness of the worst single-sample loss."""
    row_norms = np.einsum("ij,ij->i", Z, Z)
    if sample_weight is not None:
        row_norms = row_norms * sample_weight
    return float(row_norms.max())


def batch_smoothness(L: float, L_max: float, n_samples: int, batch_size: int) -> float:
    """L_b of eq. (2) for mini-batches of ``batch_size`` rows out of ``n_samples``."""
    n, b = n_samples, batch_size
    if n == 1:
        return L_max
    return n * (b - 1) / (b * (n - 1)) * L + (n - b) / (b * (n - 1)) * L_max
