"""Lasso and ElasticNet from one pass of merged statistics: the Gram form, built without rows.

The in-memory solvers (coordinate descent, FISTA) work on the Gram form of the centred,
weighted problem (:mod:`glassbox.linear.least_squares_problem`, eq. 1)

    P(w) = ½‖y − Xw‖² + l1‖w‖₁ + ½ l2‖w‖²,      l1 = n α ρ,  l2 = n α (1 − ρ)

held as ``(G, q, ‖y‖²)``. Every piece of it is a p × p, p × k or k-sized function of the
merged sufficient statistics (:mod:`glassbox.distributed.statistics`): the row count ``n``,
the weight sum ``W = Σ sᵢ``, the weighted mean ``μ = (μ_x, μ_y)`` and the centred scatter

    S = Σ sᵢ (zᵢ − μ)(zᵢ − μ)ᵀ = [[S_xx, S_xy], [S_yx, S_yy]],    zᵢ = (xᵢ, yᵢ).

In memory the weights are rescaled to sum to ``n`` (``s'ᵢ = sᵢ n / W``), so every weighted
sum carries the factor ``c = n / W`` (exactly 1 without weights, where W = n):

    X_offset = μ_x,   y_offset = μ_y                                   (with an intercept)
    G        = Σ s'ᵢ (xᵢ − μ_x)(xᵢ − μ_x)ᵀ = c S_xx
    q        = Σ s'ᵢ (xᵢ − μ_x)(yᵢ − μ_y)ᵀ = c S_xy
    ‖y‖²_k   = Σ s'ᵢ (y_ik − μ_yk)²      = c (S_yy)_kk

and without an intercept the same sums about zero, ``Σ sᵢ zᵢ zᵢᵀ = S + W μ μᵀ``
(:meth:`~glassbox.distributed.statistics.SufficientStatistics.cross_products` with
``fit_intercept=False``), with zero offsets. The weighted means are invariant to the
rescaling; the intercept is ``b = μ_y − wᵀ μ_x`` as in memory. One pass reads the data; the
solver then iterates on p × p matrices only, whatever ``n``.
"""

from __future__ import annotations

import numpy as np

from glassbox.distributed.statistics import SufficientStatistics
from glassbox.linear.least_squares_problem import LeastSquaresProblem

__all__ = ["gram_problem"]


def gram_problem(statistics: SufficientStatistics, fit_intercept: bool) -> LeastSquaresProblem:
    """The Gram-form :class:`LeastSquaresProblem` that ``prepare_problem`` would build in
    memory from the same rows (module docstring), from their merged statistics alone."""
    n_samples = float(statistics.count)
    XtX, XtY, YtY = statistics.cross_products(fit_intercept)
    scale = n_samples / statistics.weight_sum  # c = n / W: weights rescaled to sum to n
    gram = XtX * scale if scale != 1.0 else XtX.copy()
    Xty = XtY * scale if scale != 1.0 else XtY.copy()
    y_norm2 = np.diag(YtY) * scale
    if fit_intercept:
        X_offset, y_offset = statistics.x_mean.copy(), statistics.y_mean.copy()
    else:
        X_offset = np.zeros(statistics.n_features)
        y_offset = np.zeros(statistics.n_targets)
    return LeastSquaresProblem(
        n_samples, np.ascontiguousarray(gram), None, None, Xty, y_norm2, X_offset, y_offset
    )
