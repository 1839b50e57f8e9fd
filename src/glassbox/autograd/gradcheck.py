"""Check a gradient against central finite differences, in float64.

For a scalar function f and each element x_k of each input,

    ∂f/∂x_k ≈ (f(x + h e_k) − f(x − h e_k)) / (2h),                          (1)

with error O(h²) from the Taylor series plus O(ε_machine / h) from rounding, so h = 10⁻⁶
in float64 leaves about 10⁻⁹ relative. A non-scalar output is reduced first with a fixed
random cotangent v (checking vᵀJ, every row of the Jacobian at once). The error reported per
input is max_k |analytic_k − numeric_k| / max(max_k |numeric_k|, max_k |analytic_k|, 1e-12),
relative to the largest gradient entry, so entries near zero do not inflate it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor, no_grad

__all__ = ["GradientCheck", "check_gradients"]


@dataclass(frozen=True)
class GradientCheck:
    """The worst relative error of each input's gradient, and whether all are within tol."""

    errors: tuple[float, ...]
    tolerance: float
    analytic: tuple[np.ndarray, ...]
    numeric: tuple[np.ndarray, ...]

    @property
    def worst(self) -> float:
        """The largest error over all inputs."""
        return max(self.errors) if self.errors else 0.0

    @property
    def passed(self) -> bool:
        """True when every input's error is at most the tolerance."""
        return self.worst <= self.tolerance

    def __str__(self) -> str:
        lines = [f"input {i}: worst relative error {e:.2e}" for i, e in enumerate(self.errors)]
        verdict = "passed" if self.passed else "FAILED"
        return "\n".join([*lines, f"{verdict} (tolerance {self.tolerance:.0e})"])


def check_gradients(
    f: Callable[..., Tensor],
    inputs: Sequence[Any],
    *,
    step: float = 1e-6,
    tolerance: float = 1e-6,
    seed: int = 0,
) -> GradientCheck:
    """Compare ``f``'s backward pass with eq. (1) for every input.

    Parameters
    ----------
    f : callable
        ``f(*tensors) -> Tensor``; it must be deterministic (no dropout).
    inputs : sequence of array_like
        The point to check at (converted to float64 copies; yours are not modified).
    step : float
        h in eq. (1).
    tolerance : float
        The largest acceptable relative error (``passed``).
    seed : int
        Seeds the cotangent v used for non-scalar outputs.
    """
    if step <= 0:
        raise ValueError(f"step must be > 0, got {step!r}.")
    points = [
        np.array(np.asarray(x.data if isinstance(x, Tensor) else x), dtype=np.float64)
        for x in inputs
    ]
    leaves = [Tensor(p, requires_grad=True) for p in points]
    out = f(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"f must return a Tensor, got {type(out).__name__}.")
    cotangent = (
        np.ones_like(out.data)
        if out.size == 1
        else np.random.default_rng(seed).standard_normal(out.shape)
    )
    if out.requires_grad:
        out.backward(cotangent)
    analytic = tuple(
        leaf.grad if leaf.grad is not None else np.zeros_like(leaf.data) for leaf in leaves
    )

    def value() -> float:
        with no_grad():
            result = f(*[Tensor(p) for p in points])
        return float(np.vdot(cotangent, result.data))

    numeric = []
    for point in points:
        estimate = np.zeros_like(point)
        flat, grad_flat = point.reshape(-1), estimate.reshape(-1)
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + step
            up = value()
            flat[k] = original - step
            down = value()
            flat[k] = original
            grad_flat[k] = (up - down) / (2 * step)
        numeric.append(estimate)
    errors = []
    for a, n in zip(analytic, numeric):
        scale = max(float(np.max(np.abs(n), initial=0)), float(np.max(np.abs(a), initial=0)))
        errors.append(float(np.max(np.abs(a - n), initial=0)) / max(scale, 1e-12))
    return GradientCheck(tuple(errors), tolerance, analytic, tuple(numeric))
