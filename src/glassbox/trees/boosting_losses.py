"""The losses of gradient boosting, each with its gradient and its leaf line search.

Boosting fits a regression tree to the negative gradient ``r_i = −∂L(y_i, F(x_i))/∂F`` and
then sets each leaf ``j`` to the step that minimizes the loss there (Friedman 2001, alg. 1):

    γ_j = argmin_γ Σ_{i ∈ leaf j} w_i L(y_i, F(x_i) + γ)                            (1)

solved exactly or by one Newton step, as scikit-learn does:

============== ================================== ========================================
loss           negative gradient r                leaf value γ_j (eq. 1)
============== ================================== ========================================
squared_error  y − F                              the tree's own leaf mean of r (exact)
absolute_error sign(y − F)                        weighted median of y − F (exact)
huber          r if abs(r) ≤ δ else δ sign(r)     median m of y − F
               (r = y − F, δ the α-quantile of    + mean(sign(d) min(abs(d), δ)),
               abs(y − F), refreshed each stage)  d = y − F − m (one step from the median)
log_loss (2)   y − p,  p = σ(F)                   Σ w r / Σ w p(1 − p) (a Newton step)
log_loss (K)   1[y = k] − p_k, p = softmax F      (K − 1)/K · Σ w r / Σ w p_k(1 − p_k)
============== ================================== ========================================

Losses are registered by name in :data:`LOSSES`; the estimators look them up there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LOSSES", "BoostingLoss", "get_loss", "weighted_quantile"]

_EPS = float(np.finfo(np.float64).eps)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` of the total (the midpoint of
    two values when it is reached exactly, so unit weights give the usual median)."""
    order = np.argsort(values, kind="stable")
    sorted_values, cumulative = values[order], np.cumsum(weights[order])
    target = q * cumulative[-1]
    index = int(np.searchsorted(cumulative, target, side="left"))
    index = min(index, len(values) - 1)
    if np.isclose(cumulative[index], target) and index + 1 < len(values):
        return float((sorted_values[index] + sorted_values[index + 1]) / 2.0)
    return float(sorted_values[index])


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator vanishes (a pure leaf)."""
    safe = np.abs(denominator) >= 1e-150
    return np.where(safe, numerator / np.where(safe, denominator, 1.0), 0.0)


class BoostingLoss:
    """One loss: init, negative gradient, leaf values (eq. (1)) and the loss itself."""

    name = ""
    classification = False

    def __init__(self, n_classes: int = 1, alpha: float = 0.9) -> None:
        self.n_classes = n_classes
        self.alpha = alpha

    @property
    def n_trees_per_stage(self) -> int:
        """Trees fitted per boosting stage: one, or K for the multinomial log loss."""
        return 1

    def init_raw(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The constant start F₀ = argmin_c Σ wᵢ L(yᵢ, c), one entry per tree of a stage."""
        raise NotImplementedError

    def prepare_stage(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> None:
        """Refresh per-stage state (Huber's δ)."""

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """The pseudo-residuals rᵢ = −∂L(yᵢ, F(xᵢ))/∂F, shape (n_samples, n_trees_per_stage)."""
        raise NotImplementedError

    def leaf_values(
        self,
        leaves: np.ndarray,
        n_nodes: int,
        y: np.ndarray,
        raw: np.ndarray,
        residual: np.ndarray,
        w: np.ndarray,
        k: int,
    ) -> np.ndarray | None:
        """Eq. (1) per leaf (None: keep the tree's own leaf means)."""
        return None

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        """The weighted mean loss Σ wᵢ L(yᵢ, F(xᵢ)) / Σ wᵢ at the raw predictions ``raw``."""
        raise NotImplementedError


class SquaredError(BoostingLoss):
    """L(y, F) = (y − F)² / 2: the residual y − F is the negative gradient, the mean its start."""

    name = "squared_error"

    def init_raw(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.array([np.average(y, weights=w)])

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return (y - raw[:, 0])[:, None]

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        return float(np.average((y - raw[:, 0]) ** 2, weights=w) / 2.0)


class _PerLeaf(BoostingLoss):
    """Losses whose line search is a quantile of the residuals in each leaf."""

    def _leaf_step(self, residual: np.ndarray, w: np.ndarray) -> float:
        raise NotImplementedError

    def leaf_values(self, leaves, n_nodes, y, raw, residual, w, k):
        values = np.zeros(n_nodes)
        difference = y - raw[:, 0]
        order = np.argsort(leaves, kind="stable")
        bounds = np.flatnonzero(np.diff(leaves[order])) + 1
        for members in np.split(order, bounds):
            keep = members[w[members] > 0]
            if keep.size:
                values[leaves[members[0]]] = self._leaf_step(difference[keep], w[keep])
        return values

    def init_raw(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.array([weighted_quantile(y, w, 0.5)])


class AbsoluteError(_PerLeaf):
    """L(y, F) = abs(y − F): negative gradient sign(y − F), leaf values the median residual."""

    name = "absolute_error"

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return np.sign(y - raw[:, 0])[:, None]

    def _leaf_step(self, residual: np.ndarray, w: np.ndarray) -> float:
        return weighted_quantile(residual, w, 0.5)

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        return float(np.average(np.abs(y - raw[:, 0]), weights=w))


class Huber(_PerLeaf):
    """Huber's loss: (y − F)²/2 within δ of the prediction, δ (abs(y − F) − δ/2) beyond it.

    δ is the ``alpha``-quantile of the absolute residuals, refreshed at every stage.
    """

    name = "huber"
    delta = 1.0

    def prepare_stage(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> None:
        self.delta = weighted_quantile(np.abs(y - raw[:, 0]), w, self.alpha)

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        r = y - raw[:, 0]
        return np.where(np.abs(r) <= self.delta, r, self.delta * np.sign(r))[:, None]

    def _leaf_step(self, residual: np.ndarray, w: np.ndarray) -> float:
        median = weighted_quantile(residual, w, 0.5)
        d = residual - median
        return median + float(np.average(np.sign(d) * np.minimum(self.delta, np.abs(d)), weights=w))

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        r = np.abs(y - raw[:, 0])
        inner = np.where(r <= self.delta, 0.5 * r**2, self.delta * (r - 0.5 * self.delta))
        return float(np.average(inner, weights=w))


class LogLoss(BoostingLoss):
    """Binomial (two classes, one tree a stage) or multinomial (K trees a stage)."""

    name = "log_loss"
    classification = True

    @property
    def n_trees_per_stage(self) -> int:
        return 1 if self.n_classes == 2 else self.n_classes

    def init_raw(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        prior = np.bincount(y, weights=w, minlength=self.n_classes) / w.sum()
        prior = np.clip(prior, _EPS, 1 - _EPS)
        if self.n_classes == 2:
            return np.array([np.log(prior[1] / (1 - prior[1]))])
        log_prior = np.log(prior)
        return log_prior - log_prior.mean()  # symmetric multinomial logit

    def proba(self, raw: np.ndarray) -> np.ndarray:
        """Class probabilities: σ(F) for two classes, softmax(F) for K, shape (n_samples, K)."""
        if self.n_classes == 2:
            p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.column_stack([1 - p, p])
        shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def _one_hot(self, y: np.ndarray) -> np.ndarray:
        if self.n_classes == 2:
            return y[:, None].astype(np.float64)
        return (y[:, None] == np.arange(self.n_classes)).astype(np.float64)

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        p = self.proba(raw)
        p = p[:, 1:] if self.n_classes == 2 else p
        return self._one_hot(y) - p

    def leaf_values(self, leaves, n_nodes, y, raw, residual, w, k):
        p: np.ndarray = self._one_hot(y)[:, k] - residual  # the class probability, y − r
        numerator: np.ndarray = np.bincount(leaves, weights=w * residual, minlength=n_nodes)
        denominator = np.bincount(leaves, weights=w * p * (1 - p), minlength=n_nodes)
        if self.n_classes > 2:
            numerator = numerator * (self.n_classes - 1) / self.n_classes
        return _ratio(numerator, denominator)

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        p = np.clip(self.proba(raw)[np.arange(len(y)), y], 1e-300, None)
        return float(np.average(-np.log(p), weights=w))


#: The boosting losses by name (the estimators' ``loss`` parameter) -> loss class.
LOSSES: dict[str, type[BoostingLoss]] = {
    loss.name: loss for loss in (SquaredError, AbsoluteError, Huber, LogLoss)
}


def get_loss(
    name: Any, *, classification: bool, n_classes: int = 1, alpha: float = 0.9
) -> BoostingLoss:
    """The loss registered as ``name`` for this kind of model; a clear error otherwise."""
    valid = sorted(n for n, loss in LOSSES.items() if loss.classification == classification)
    if not isinstance(name, str) or name not in valid:
        raise ValueError(f"loss must be one of {valid}; got {name!r}.")
    return LOSSES[name](n_classes=n_classes, alpha=alpha)
