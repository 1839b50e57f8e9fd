"""Linear conjugate gradient as a gradient transformation, for quadratic objectives.

On a quadratic F(θ) = ½ θᵀHθ − bᵀθ (least squares, ridge) the gradient is g = Hθ − b, and
conjugate gradient (Hestenes & Stiefel, 1952) is gradient descent with momentum whose two
coefficients are chosen exactly at every step instead of fixed in advance:

    β_k = ‖g_k‖² / ‖g_{k−1}‖²          (Fletcher–Reeves; equal to Polak–Ribière here)
    d_k = −g_k + β_k d_{k−1}                                                   (1)
    α_k = −g_kᵀd_k / d_kᵀH d_k          (the exact minimizer of F along d_k)
    θ_{k+1} = θ_k + α_k d_k.

The directions are H-conjugate, so in exact arithmetic the minimum is reached in at most
q steps (q parameters), and the error in the H-norm shrinks at least as fast as
2((√κ − 1)/(√κ + 1))^k, κ = λ_max/λ_min: the rate of heavy-ball momentum tuned with the
true extreme eigenvalues, without knowing them. Plain gradient descent with step 1/L
shrinks it as (1 − 1/κ)^k. On scikit-learn's diabetes data in raw units, standardized
(κ ≈ 470, 10 features), 100 steps of 1/L leave every digit wrong; conjugate gradient has
11 correct digits after 11 steps.

Each step needs one Hessian-vector product H d_k (for least squares one more pass over the
data, ZᵀS(Z d)/n), supplied by the caller as ``hessian_vector_product``; no learning rate.
A direction that is not a descent direction (rounding after many steps) restarts from −g.

References
----------
Hestenes, M. R., Stiefel, E. (1952). Methods of conjugate gradients for solving linear
systems. J. Res. Natl. Bur. Stand. 49(6).
Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., ch. 5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from glassbox.optim.transforms import GradientTransformation, Params

__all__ = ["ConjugateGradientState", "conjugate_gradient"]

HessianVectorProduct = Callable[[Params], Params]


class ConjugateGradientState(NamedTuple):
    """The previous direction d_{k−1} (zeros before the first step) and ‖g_{k−1}‖²."""

    direction: Params
    grad_norm_squared: float


def _dot(a: Params, b: Params) -> float:
    return sum(float(np.vdot(x, y)) for x, y in zip(a, b))


def conjugate_gradient(hessian_vector_product: HessianVectorProduct) -> GradientTransformation:
    """Eq. (1) as ``init``/``update``: the update is α_k d_k.

    Parameters
    ----------
    hessian_vector_product : callable
        ``hessian_vector_product(v) -> H v`` for a tuple of arrays shaped like the parameters.
        Only quadratic objectives have a constant H; on anything else use another optimizer.
    """

    def init(params: Params) -> ConjugateGradientState:
        return ConjugateGradientState(
            tuple(np.zeros_like(p, dtype=np.float64) for p in params), 0.0
        )

    def update(
        grads: Params, state: ConjugateGradientState, params: Params
    ) -> tuple[Params, ConjugateGradientState]:
        del params  # the step depends on the gradient and the curvature only
        grads = tuple(grads)
        squared = _dot(grads, grads)
        beta = squared / state.grad_norm_squared if state.grad_norm_squared > 0 else 0.0
        direction = tuple(-g + beta * d for g, d in zip(grads, state.direction))
        slope = _dot(grads, direction)
        if not slope < 0:  # not a descent direction: restart along −g
            direction = tuple(-g for g in grads)
            slope = -squared
        curvature = _dot(direction, hessian_vector_product(direction))
        alpha = -slope / curvature if curvature > 0 else 0.0
        updates = tuple(alpha * d for d in direction)
        return updates, ConjugateGradientState(direction, squared)

    return GradientTransformation(init, update)
