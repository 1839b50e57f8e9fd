"""The losses of gradient boosting, each with its gradient and its leaf line search.

Boosting fits a regression tree to the negative gradient ``r_i = −∂L(y_i, F(x_i))/∂F`` and
then sets each leaf ``j`` to the step that minimizes the loss there (Friedman 2001, alg. 1):

    γ_j = argmin_γ Σ_{i ∈ leaf j} w_i L(y_i, F(x_i) + γ)                            (1)

solved exactly or by one Newton step, as scikit-learn does. The leaf medians (and Huber's δ)
are inverted-CDF quantiles, the smallest value whose cumulative weight reaches q of the total:

    Q(q) = min {v_i : S_i ≥ q W},      S_i = Σ_{j ≤ i} w_j over the sorted values      (2)

(for an even count, the lower middle value, as scikit-learn's gradient boosting takes it);
``F_0`` is the median with the two middle values averaged.

============== ================================== =========================================
loss           negative gradient r                leaf value γ_j (eq. 1)
============== ================================== =========================================
squared_error  y − F                              the tree's own leaf mean of r (exact)
absolute_error sign(y − F)                        weighted median of y − F (exact; eq. (2))
huber          r if abs(r) ≤ δ else δ sign(r)     median m of y − F
               (r = y − F, δ the α-quantile of    + mean(sign(d) min(abs(d), δ)),
               abs(y − F), refreshed each stage)  d = y − F − m (one step from the median)
log_loss (2)   y − p,  p = σ(F)                   Σ w r / Σ w p(1 − p) (a Newton step)
log_loss (K)   1[y = k] − p_k, p = softmax F      (K − 1)/K · Σ w r / Σ w p_k(1 − p_k)
============== ================================== =========================================

Losses are registered by name in :data:`LOSSES`; the estimators look them up there. The
loss values, their gradients and the constants ``F_0`` are not written again here: they are
histogram boosting's (:mod:`glassbox.trees.hist_losses`, ``r = −g`` without weights); this
module adds only what Friedman's boosting does differently, the per-leaf line searches (and
Huber, which only it offers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.trees import hist_losses

__all__ = ["LOSSES", "BoostingLoss", "get_loss", "weighted_quantile"]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The inverted-CDF quantile: the smallest value whose cumulative weight reaches ``q`` of
    the total, ``min {v_i : S_i ≥ q W}`` (for the median of an even count, the lower middle
    value, as scikit-learn's gradient boosting takes it; zero weights never chosen)."""
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1], side="left"))
    return float(values[order][min(index, len(values) - 1)])


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
        return hist_losses.SquaredError().baseline(y, w)

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return -hist_losses.SquaredError().gradient_hessian(y, raw, None)[0]

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        return hist_losses.SquaredError()(y, raw, w)


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
        # F_0: the median (the two middle values averaged, as scikit-learn starts)
        return hist_losses.AbsoluteError().baseline(y, w)


class AbsoluteError(_PerLeaf):
    """L(y, F) = abs(y − F): negative gradient sign(y − F), leaf values the median residual."""

    name = "absolute_error"

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return -hist_losses.AbsoluteError().gradient_hessian(y, raw, None)[0]

    def _leaf_step(self, residual: np.ndarray, w: np.ndarray) -> float:
        return weighted_quantile(residual, w, 0.5)

    def loss(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        return hist_losses.AbsoluteError()(y, raw, w)


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

    def _shared(self) -> hist_losses.Loss:
        """Histogram boosting's log loss for this many classes (value, F_0, probabilities)."""
        if self.n_classes == 2:
            return hist_losses.BinaryLogLoss()
        return hist_losses.MultinomialLogLoss(self.n_classes)

    def init_raw(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return self._shared().baseline(y, w)  # log prior odds; centered log priors

    def proba(self, raw: np.ndarray) -> np.ndarray:
        """Class probabilities: σ(F) for two classes, softmax(F) for K, shape (n_samples, K)."""
        if self.n_classes == 2:
            p = hist_losses.expit(raw[:, 0])
            return np.column_stack([1 - p, p])
        return hist_losses.softmax(raw)

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
        return self._shared()(y, raw, w)


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
