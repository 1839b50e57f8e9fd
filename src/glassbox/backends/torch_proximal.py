"""Lasso and ElasticNet by FISTA on torch tensors, step for step glassbox's NumPy FISTA.

The problem is :mod:`glassbox.linear.least_squares_problem`'s, built with torch ops on the
device: sample weights rescaled to sum to n, (weighted) centring for the intercept, and

    P(w) = ½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²,   l1 = nαρ,  l2 = nα(1 − ρ),             (1)

held as the Gram form (G = XᵀX, q = Xᵀy, ‖y‖²) when ``precompute`` says so (by default when
samples outnumber features) or as the centred, weighted design. Then, as in
:mod:`glassbox.linear.proximal`,

    x_{k+1} = S_{l1/L}(z_k − ∇f(z_k)/L),   ∇f(z) = Gz − q + l2 z  (or Xᵀ(Xz − y) + l2 z),
    t_{k+1} = (1 + √(1 + 4t_k²))/2,   z_{k+1} = x_{k+1} + (t_k − 1)/t_{k+1} (x_{k+1} − x_k),

with S the soft-threshold (``torch.nn.functional.softshrink``), L = λ_max(XᵀX) + l2 from
``torch.linalg.eigvalsh``, and the momentum restarted (t = 1, z = x) when
(z_k − x_{k+1})ᵀ(x_{k+1} − x_k) > 0, chosen by ``torch.where`` so the loop never waits for
the device. Every 10 steps the duality gap of eq. (1) (glassbox's own
:func:`~glassbox.linear.coordinate_descent.duality_gap`, from XᵀR, ‖R‖² and Rᵀy computed on
the device) is compared with ``tol ‖y‖²``: the same stopping rule, so the two engines take
the same steps and stop at the same one.

PyTorch is imported inside the functions: this module loads without it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.exceptions import ConvergenceWarning
from glassbox.linear.coordinate_descent import duality_gap

if TYPE_CHECKING:
    import torch

__all__ = ["TorchEnetProblem", "enet_fista_torch", "fit_enet_fista", "prepare_enet"]

CHECK_EVERY = 10  # steps between duality-gap checks, as glassbox.linear.proximal.fista


@dataclass
class TorchEnetProblem:
    """Eq. (1) on the device, one column per target: Gram form or design form."""

    n_samples: int
    gram: torch.Tensor | None  # (p, p), Gram form
    design: torch.Tensor | None  # (n, p) centred and weighted, design form
    targets: torch.Tensor | None  # (n, k) centred and weighted, design form
    Xty: torch.Tensor  # (p, k)
    y_norm2: torch.Tensor  # (k,)
    X_offset: torch.Tensor
    y_offset: torch.Tensor

    def gradient(self, w: torch.Tensor, k: int, l2: float) -> torch.Tensor:
        """∇f(w) = Gw − q + l2 w, or Xᵀ(Xw − y) + l2 w, for target ``k``."""
        if self.gram is not None:
            return self.gram @ w - self.Xty[:, k] + l2 * w
        if self.design is None or self.targets is None:  # internal invariant
            raise RuntimeError("glassbox internal error: the design form is missing")
        return self.design.T @ (self.design @ w - self.targets[:, k]) + l2 * w

    def correlations(self, w: torch.Tensor, k: int) -> tuple[torch.Tensor, Any, Any]:
        """(XᵀR, ‖R‖², Rᵀy) for R = y − Xw, as the NumPy problem's ``correlations``."""
        q, y_norm2 = self.Xty[:, k], self.y_norm2[k]
        if self.gram is not None:
            Gw = self.gram @ w
            qw = q @ w
            return q - Gw, y_norm2 - 2.0 * qw + w @ Gw, y_norm2 - qw
        if self.design is None or self.targets is None:  # internal invariant
            raise RuntimeError("glassbox internal error: the design form is missing")
        y = self.targets[:, k]
        residual = y - self.design @ w
        return self.design.T @ residual, residual @ residual, residual @ y

    def gap(self, w: torch.Tensor, k: int, l1: float, l2: float) -> float:
        """The duality gap of eq. (1), by glassbox's formula on the device's statistics."""
        XtR, R_norm2, Ry = self.correlations(w, k)
        return duality_gap(
            w.double().cpu().numpy(),
            XtR.double().cpu().numpy(),
            float(R_norm2),
            float(Ry),
            l1,
            l2,
        )

    def largest_eigenvalue(self) -> float:
        """λ_max(XᵀX) by ``torch.linalg.eigvalsh``, from the smaller of XᵀX and XXᵀ."""
        import torch

        if self.gram is not None:
            small = self.gram
        else:
            if self.design is None:  # internal invariant
                raise RuntimeError("glassbox internal error: the design form is missing")
            X = self.design
            small = X.T @ X if X.shape[1] <= X.shape[0] else X @ X.T
        return float(torch.linalg.eigvalsh(small)[-1])


def prepare_enet(
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    fit_intercept: bool,
    use_gram: bool,
    device: torch.device,
    dtype: torch.dtype,
) -> TorchEnetProblem:
    """Centre and weight (X, Y) on the device: ``prepare_problem`` in torch ops."""
    import torch

    Xt = torch.as_tensor(X, dtype=dtype, device=device)
    Yt = torch.as_tensor(Y, dtype=dtype, device=device)
    n_samples, n_features = Xt.shape
    weights = None
    if sample_weight is not None:  # rescaled to sum to n: an integer weight repeats a row
        weights = torch.as_tensor(sample_weight * (n_samples / sample_weight.sum()), dtype=dtype)
        weights = weights.to(device)
    if fit_intercept:
        if weights is None:
            X_offset, y_offset = Xt.mean(dim=0), Yt.mean(dim=0)
        else:
            X_offset, y_offset = (weights @ Xt) / weights.sum(), (weights @ Yt) / weights.sum()
    else:
        X_offset, y_offset = Xt.new_zeros(n_features), Yt.new_zeros(Yt.shape[1])
    Xc, Yc = Xt - X_offset, Yt - y_offset
    Yw = Yc if weights is None else Yc * weights[:, None]
    y_norm2 = (Yc * Yw).sum(dim=0)
    if use_gram:
        Xw = Xc if weights is None else Xc * weights[:, None]
        return TorchEnetProblem(
            n_samples, Xc.T @ Xw, None, None, Xc.T @ Yw, y_norm2, X_offset, y_offset
        )
    if weights is not None:
        root = weights.sqrt()[:, None]
        Xc, Yc = Xc * root, Yc * root
    return TorchEnetProblem(n_samples, None, Xc, Yc, Xc.T @ Yc, y_norm2, X_offset, y_offset)


def enet_fista_torch(
    problem: TorchEnetProblem, k: int, l1: float, l2: float, *, max_iter: int, tol: float
) -> tuple[torch.Tensor, float, int, bool]:
    """FISTA on target ``k`` from w = 0: (w, unscaled gap, steps, converged).

    The steps of :func:`glassbox.linear.proximal.fista` with ``enet_fista``'s step size
    1/(λ_max(XᵀX) + l2) and stopping rule (gap ≤ tol ‖y‖², checked every 10 steps and at
    the last).
    """
    import torch
    import torch.nn.functional as F

    tol_abs = tol * float(problem.y_norm2[k])
    x = problem.Xty.new_zeros(problem.Xty.shape[0])
    lipschitz = problem.largest_eigenvalue() + l2
    if lipschitz <= 0.0:  # X is all zeros: w = 0 is the answer
        return x, problem.gap(x, k, l1, l2), 0, True
    gap = problem.gap(x, k, l1, l2)
    if gap <= tol_abs:
        return x, gap, 0, True
    step = 1.0 / lipschitz
    threshold = step * l1
    z = x.clone()
    t = torch.ones((), dtype=torch.float64, device=x.device)
    one = torch.ones_like(t)
    n_iter, done = 0, False
    for n_iter in range(1, max_iter + 1):
        x_new = F.softshrink(z - step * problem.gradient(z, k, l2), threshold)
        restart = torch.dot(z - x_new, x_new - x) > 0  # momentum points uphill
        t_next = 0.5 * (1.0 + torch.sqrt(1.0 + 4.0 * t * t))
        momentum = torch.where(restart, torch.zeros_like(t), (t - 1.0) / t_next)
        z = x_new + momentum.to(x.dtype) * (x_new - x)
        t = torch.where(restart, one, t_next)
        x = x_new
        if n_iter % CHECK_EVERY == 0 or n_iter == max_iter:
            gap = problem.gap(x, k, l1, l2)
            if gap <= tol_abs:
                done = True
                break
    return x, gap, n_iter, done


def fit_enet_fista(
    estimator: Any,
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    device: torch.device,
    dtype: torch.dtype,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Eq. (1) for every target of ``Y`` (n, k): coef (k, p), intercept (k,), attributes."""
    from glassbox.linear.lasso import check_solver_params, use_gram

    owner = type(estimator).__name__
    alpha, l1_ratio = check_solver_params(estimator)
    gram_form = use_gram(estimator.precompute, X.shape[0], X.shape[1], owner)
    problem = prepare_enet(
        X,
        Y,
        sample_weight,
        fit_intercept=bool(estimator.fit_intercept),
        use_gram=gram_form,
        device=device,
        dtype=dtype,
    )
    import torch

    n = X.shape[0]
    l1, l2 = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    n_targets = Y.shape[1]
    coef = np.zeros((n_targets, X.shape[1]))
    gaps = np.zeros(n_targets)
    n_iters = np.zeros(n_targets, dtype=int)
    for k in range(n_targets):
        w, gap, n_iter, converged = enet_fista_torch(
            problem, k, l1, l2, max_iter=int(estimator.max_iter), tol=float(estimator.tol)
        )
        coef[k] = w.double().cpu().numpy()
        gaps[k], n_iters[k] = gap / n, n_iter
        if not converged:
            warnings.warn(
                f"Objective did not converge (fista on torch). Duality gap: {gap / n:.3e}, "
                f"tolerance: {estimator.tol * float(problem.y_norm2[k]) / n:.3e}. You might "
                "want to increase the number of iterations (max_iter), check the scale of the "
                "features or consider increasing regularisation."
                + (
                    " In float32 the gap cannot fall far below ~1e-7 ‖y‖²."
                    if dtype != torch.float64
                    else ""
                ),
                ConvergenceWarning,
                stacklevel=4,
            )
    X_offset = problem.X_offset.double().cpu().numpy()
    y_offset = problem.y_offset.double().cpu().numpy()
    intercept = y_offset - coef @ X_offset
    single = n_targets == 1
    attributes = {
        "dual_gap_": float(gaps[0]) if single else gaps,
        "n_iter_": int(n_iters[0]) if single else n_iters,
        "precompute_": gram_form,
    }
    return coef, intercept, attributes
