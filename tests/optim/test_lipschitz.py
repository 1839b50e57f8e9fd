"""Power-iteration Lipschitz constants against numpy.linalg.eigvalsh."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.optim.lipschitz import batch_smoothness, largest_eigenvalue, max_sample_smoothness


def _design(seed=0, n=300, p=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)) * rng.uniform(0.2, 4.0, p), rng.uniform(0.1, 2.0, n)


@pytest.mark.parametrize("method", ["gram", "matvec", "auto"])
@pytest.mark.parametrize("weighted", [False, True])
def test_largest_eigenvalue_matches_eigvalsh(method, weighted):
    Z, weights = _design()
    s = weights if weighted else np.ones(len(Z))
    exact = np.linalg.eigvalsh((Z * s[:, None]).T @ Z / len(Z))[-1]
    estimate = largest_eigenvalue(Z, weights if weighted else None, tol=1e-13, method=method)
    # The Rayleigh quotient converges at (λ₂/λ₁)^{2k}; 1e-13 relative stopping gives ~1e-10.
    assert estimate == pytest.approx(exact, rel=1e-9)
    assert estimate <= exact * (1 + 1e-12)  # a Rayleigh quotient never exceeds λ_max


def test_largest_eigenvalue_is_deterministic_and_handles_zero():
    Z, _ = _design(1)
    assert largest_eigenvalue(Z) == largest_eigenvalue(Z)
    assert largest_eigenvalue(np.zeros((5, 3))) == 0.0
    with pytest.raises(ValueError, match="method"):
        largest_eigenvalue(Z, method="lanczos")


def test_default_tolerance_is_close_enough_for_a_step_size():
    Z, _ = _design(2)
    exact = np.linalg.eigvalsh(Z.T @ Z / len(Z))[-1]
    assert largest_eigenvalue(Z) == pytest.approx(exact, rel=1e-4)


def test_sample_and_batch_smoothness():
    Z, weights = _design(3)
    L_max = max_sample_smoothness(Z, weights)
    assert L_max == pytest.approx(np.max(weights * np.sum(Z**2, axis=1)), rel=1e-14)
    L = largest_eigenvalue(Z, weights)
    n = len(Z)
    assert batch_smoothness(L, L_max, n, 1) == pytest.approx(L_max)  # one row: the worst row
    assert batch_smoothness(L, L_max, n, n) == pytest.approx(L)  # all rows: the full Hessian
    assert L <= batch_smoothness(L, L_max, n, 10) <= L_max
