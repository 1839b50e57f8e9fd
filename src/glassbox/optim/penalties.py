"""Penalties added to any descent objective.

``L2Penalized(objective, strengths)`` is the objective F plus a ridge term,

    F_λ(θ) = F(θ) + ½ Σⱼ λⱼ θⱼ²,        ∇F_λ(θ) = ∇F(θ) + λ ∘ θ,                       (1)

with one strength per parameter entry (zero for unpenalized ones, such as an intercept). The
penalty is deterministic, so every mini-batch sees all of it: the stochastic gradient of a
batch is an unbiased estimate of ∇F_λ whenever the batch gradient is one of ∇F.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.optim.loop import Objective


class L2Penalized:
    """Eq. (1): ``objective`` plus ½ Σ λ θ² (``strengths`` shaped like the parameters)."""

    def __init__(self, objective: Objective, strengths: tuple[np.ndarray, ...]) -> None:
        self.objective = objective
        self.strengths = strengths
        self.n_samples = objective.n_samples

    def _penalty(self, params: tuple[np.ndarray, ...]) -> float:
        return 0.5 * sum(float(np.sum(lam * p * p)) for lam, p in zip(self.strengths, params))

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """The objective's value plus ½ Σ λ θ²."""
        return self.objective.value(params, rows) + self._penalty(params)

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[np.ndarray, ...]:
        """The objective's gradient plus λ θ for each parameter."""
        grads = self.objective.grad(params, rows)
        return tuple(g + lam * p for g, lam, p in zip(grads, self.strengths, params))

    def value_and_grad(
        self, params: tuple[np.ndarray, ...], rows: Any
    ) -> tuple[float, tuple[np.ndarray, ...]]:
        """Both, from one evaluation of the objective."""
        value, grads = self.objective.value_and_grad(params, rows)
        penalized = tuple(g + lam * p for g, lam, p in zip(grads, self.strengths, params))
        return value + self._penalty(params), penalized

    def hessian_vector_product(
        self, vector: tuple[np.ndarray, ...], rows: Any = slice(None)
    ) -> tuple[np.ndarray, ...]:
        """(H + diag λ) v, for objectives that offer their own H v."""
        inner = self.objective.hessian_vector_product(vector, rows)  # type: ignore[attr-defined]
        return tuple(h + lam * v for h, lam, v in zip(inner, self.strengths, vector))
