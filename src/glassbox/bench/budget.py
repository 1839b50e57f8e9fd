"""Why a descent cell fell short of its digits: the conditioning and the epochs it would need.

A descent method that ends its epoch budget unconverged, or with fewer correct digits than
the target, gets a sentence instead of a bare "no". Two numbers make it:

* κ, the condition number λ_max/λ_min of the design descent sees: the correlation matrix
  of the training features (standardized descent), whose smallest eigenvalue sets how
  slowly 1/L-type steps (plain, SVRG) close the last digits, ~κ·ln(1/ε) steps;
* the epochs it would need at the rate it showed: the full gradient norm of the last half
  of the run, gₑ ≈ g₀ ρᵉ, extrapolated to the stopping rule ‖∇F‖ ≤ tol · g₁, that is
  e* = e + ln(tol · g₁ / gₑ) / ln ρ.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["DIGITS_TARGET", "budget_note", "condition_number"]

DIGITS_TARGET = 4.0  # correct digits every descent cell of the default run should reach
_MAX_FEATURES = 2000  # above this the eigenvalues cost more than the note is worth


def condition_number(X: Any) -> float | None:
    """κ of the standardized training design (its correlation matrix); None if not cheap."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] > _MAX_FEATURES or X.shape[0] < 2:
        return None
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - X.mean(axis=0)) / scale
    eigenvalues = np.linalg.eigvalsh(Z.T @ Z / len(Z))
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    return math.inf if smallest <= 1e-15 * largest else largest / smallest


def epochs_needed(history: dict[str, list[float]] | None, tol: float | None) -> float | None:
    """Epochs the run would need at its last-half linear rate (None when it cannot say)."""
    if not history or not tol:
        return None
    norms = np.asarray(history.get("grad_norm", []), dtype=np.float64)
    if norms.size < 4 or not np.all(np.isfinite(norms)) or np.any(norms <= 0):
        return None
    half = norms.size // 2
    rate = (norms[-1] / norms[half]) ** (1.0 / (norms.size - 1 - half))
    if not rate < 1.0:
        return math.inf
    goal = tol * max(float(norms[0]), 1e-300)
    if norms[-1] <= goal:
        return float(norms.size)
    return norms.size + math.log(goal / norms[-1]) / math.log(rate)


def budget_note(estimator: Any, X_train: Any, digits: float | None) -> str | None:
    """The sentence for a descent cell that is unconverged or short of ``DIGITS_TARGET``."""
    if getattr(estimator, "history_", None) is None:
        return None
    converged = bool(getattr(estimator, "converged_", False))
    if converged and (digits is None or digits >= DIGITS_TARGET):
        return None
    parts = []
    kappa = condition_number(X_train)
    if kappa is not None:
        parts.append(f"κ {kappa:.3g}")
    needed = epochs_needed(estimator.history_, getattr(estimator, "tol", None))
    budget = getattr(estimator, "max_epochs", None)
    if needed is not None:
        if math.isinf(needed):
            parts.append("the gradient stopped shrinking")
        else:
            parts.append(f"needs ~{float(f'{needed:.2g}'):,.0f} epochs, budget {budget}")
    elif converged:
        parts.append(f"stopped short of {DIGITS_TARGET:g} digits")
    return "; ".join(parts) or None
