"""The losses histogram boosting minimizes: value, gradient, Hessian and baseline.

Each loss ``ℓ(y, f)`` is written for the raw prediction ``f`` (the sum of the trees), as
scikit-learn's "half" losses, so leaf values and gains match scikit-learn's:

===============  ==========================================  ==================  ============
loss             ℓ(y, f)                                     g = ∂ℓ/∂f           h = ∂²ℓ/∂f²
===============  ==========================================  ==================  ============
squared_error    ½ (y − f)²                                  f − y               1
absolute_error   |y − f|                                     sign(f − y)         1 (leaves: median)
log_loss (K=2)   log(1 + e^f) − y f                          p − y, p = σ(f)     p (1 − p)
log_loss (K>2)   log Σ_k e^{f_k} − f_y                       p_k − 1[y = k]      p_k (1 − p_k)
===============  ==========================================  ==================  ============

(the multiclass Hessian is the diagonal of the softmax Hessian, one tree per class).
The baseline is the constant minimizing the loss: the weighted mean, the weighted median,
``logit(ȳ)``, and ``log p_k − mean_j log p_j`` for the class frequencies ``p_k``.
Sample weights multiply ``g`` and ``h``; a loss's ``hessian`` is ``None`` when it equals the
weights (one histogram fewer).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.special import expit  # σ(f) = 1 / (1 + e^{−f}), compiled, no overflow

from glassbox.trees.binning import weighted_quantiles

__all__ = ["LOSSES", "Loss", "expit", "softmax"]

_EPS = np.finfo(np.float64).eps


def softmax(F: np.ndarray) -> np.ndarray:
    """Row-wise p_k = e^{f_k} / Σ_j e^{f_j}, shifted by the row maximum."""
    shifted = np.exp(F - F.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _average(values: np.ndarray, weight: np.ndarray | None) -> float:
    return float(np.average(values, weights=weight))


def _median(values: np.ndarray, weight: np.ndarray | None) -> float:
    if weight is None:
        return float(np.median(values))
    order = np.argsort(values, kind="stable")
    return float(weighted_quantiles(values[order], weight[order], np.array([0.5]))[0])


class Loss:
    """A loss for raw predictions ``F`` of shape (n_samples, n_trees_per_iteration)."""

    name: ClassVar[str]
    differentiable: ClassVar[bool] = True

    def __init__(self, n_classes: int = 1) -> None:
        self.n_classes = n_classes

    @property
    def n_trees_per_iteration(self) -> int:
        """Trees grown per boosting iteration: one, or K for the multinomial log loss."""
        return 1

    def baseline(self, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        """The constant raw prediction minimizing the weighted loss, one entry per tree."""
        raise NotImplementedError

    def __call__(self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None) -> float:
        """The weighted mean loss."""
        raise NotImplementedError

    def gradient_hessian(
        self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(g, h), each (n_samples, n_trees_per_iteration); h ``None`` when it is the weight."""
        raise NotImplementedError

    def leaf_value(self, y: np.ndarray, f: np.ndarray, weight: np.ndarray | None) -> float:
        """The loss-minimizing constant for a leaf's residuals (non-differentiable losses)."""
        raise NotImplementedError


class SquaredError(Loss):
    """Half the squared error, ℓ = ½ (y − f)²: g = f − y, h = 1, baseline the mean."""

    name = "squared_error"

    def baseline(self, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        return np.array([_average(y, weight)])

    def __call__(self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None) -> float:
        return _average(0.5 * (y - F[:, 0]) ** 2, weight)

    def gradient_hessian(
        self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        gradient = F[:, 0] - y
        if weight is not None:
            gradient *= weight
        return gradient[:, None], None


class AbsoluteError(Loss):
    """The absolute error, ℓ = abs(y − f): g = sign(f − y); leaves and baseline are medians."""

    name = "absolute_error"
    differentiable = False

    def baseline(self, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        return np.array([_median(y, weight)])

    def __call__(self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None) -> float:
        return _average(np.abs(y - F[:, 0]), weight)

    def gradient_hessian(
        self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        gradient = np.sign(F[:, 0] - y)
        if weight is not None:
            gradient *= weight
        return gradient[:, None], None

    def leaf_value(self, y: np.ndarray, f: np.ndarray, weight: np.ndarray | None) -> float:
        return _median(y - f, weight)


class BinaryLogLoss(Loss):
    """Two-class log loss on the log-odds f: ℓ = log(1 + e^f) − y f, g = p − y, h = p (1 − p)."""

    name = "log_loss"

    def baseline(self, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        p = np.clip(_average(y, weight), _EPS, 1 - _EPS)
        return np.array([np.log(p / (1 - p))])

    def __call__(self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None) -> float:
        f = F[:, 0]
        return _average(np.logaddexp(0.0, f) - y * f, weight)

    def gradient_hessian(
        self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        p = expit(F[:, 0])
        hessian = np.subtract(1.0, p)
        hessian *= p  # p (1 − p)
        gradient = np.subtract(p, y, out=p)  # in place: two arrays of n, not four
        if weight is not None:
            gradient *= weight
            hessian *= weight
        return gradient[:, None], hessian[:, None]


class MultinomialLogLoss(Loss):
    """K-class log loss on K raw scores: ℓ = log Σ_k e^{f_k} − f_y, one tree per class."""

    name = "log_loss"

    @property
    def n_trees_per_iteration(self) -> int:
        return self.n_classes

    def baseline(self, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        frequencies = np.array([_average(y == k, weight) for k in range(self.n_classes)])
        log_p = np.log(np.clip(frequencies, _EPS, 1 - _EPS))
        return log_p - log_p.mean()

    def __call__(self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None) -> float:
        top = F.max(axis=1)
        log_normalizer = top + np.log(np.exp(F - top[:, None]).sum(axis=1))
        return _average(log_normalizer - F[np.arange(len(y)), y], weight)

    def gradient_hessian(
        self, y: np.ndarray, F: np.ndarray, weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        p = softmax(F)
        gradient = p.copy()
        gradient[np.arange(len(y)), y] -= 1.0
        hessian = p * (1 - p)
        if weight is not None:
            gradient *= weight[:, None]
            hessian *= weight[:, None]
        return gradient, hessian


# name -> (regression loss, classification losses by "binary"/"multiclass")
LOSSES: dict[str, dict[str, type[Loss]]] = {
    "squared_error": {"regression": SquaredError},
    "absolute_error": {"regression": AbsoluteError},
    "log_loss": {"binary": BinaryLogLoss, "multiclass": MultinomialLogLoss},
}
