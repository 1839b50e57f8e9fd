"""The bridge from a Module to the descent loop: an :class:`~glassbox.optim.Objective`.

:func:`glassbox.optim.descend` minimizes a function of a tuple of arrays θ over rows of the
data. :class:`ModuleObjective` makes a network that function:

    F_B(θ) = L(f_θ(X_B), y_B, s_B) + (λ / 2|B|) Σ_W ‖W‖²,                           (1)

the loss of eq. (1) of :mod:`glassbox.nn.losses` on batch B, plus an optional L2 penalty on the
weight matrices scaled as scikit-learn's MLP scales it (``alpha`` / batch size, where the
size is the batch's total sample weight when there are weights). A call
loads θ into the module's Parameters (the arrays themselves, no copy), runs the forward pass
in training mode, ``backward()``, and returns (F_B, ∇F_B) with each gradient in its
parameter's dtype. ``value`` (the loop's validation loss) runs in evaluation mode, with no
graph. So the one loop of :mod:`glassbox.optim.loop` trains every network: ``Model.fit``,
``MLPClassifier.fit`` and ``MLPRegressor.fit`` all call ``descend`` with this objective.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor, no_grad
from glassbox.nn.module import Module, Parameter

__all__ = ["ModuleObjective"]

LossFunction = Callable[[Tensor, np.ndarray, np.ndarray | None], Tensor]


class ModuleObjective:
    """Eq. (1) for ``module`` on rows of ``(X, y, sample_weight)``.

    Parameters
    ----------
    module : Module
        The network f_θ; ``parameters()`` fixes the order of the tuple θ.
    loss : callable
        ``loss(output, target, sample_weight) -> scalar Tensor``.
    X, y : arrays
        Inputs and targets, indexed by row.
    sample_weight : array, optional
    alpha : float
        λ of eq. (1), on the parameters named ``weight`` of the layers listed in
        ``penalized`` (all 2-D weights by default).
    on_batch : callable, optional
        ``on_batch(output, rows)`` after each training forward pass (batch metrics).
    """

    def __init__(
        self,
        module: Module,
        loss: LossFunction,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        *,
        alpha: float = 0.0,
        on_batch: Callable[[Tensor, Any], None] | None = None,
    ) -> None:
        self.module, self.loss = module, loss
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.n_samples = len(X)
        self.parameters: list[Parameter] = module.parameters()
        self.alpha = float(alpha)
        self.penalized = [i for i, p in enumerate(self.parameters) if p.ndim == 2]
        self.on_batch = on_batch
        # What the last calls returned, for per-epoch logs without another pass: the sum of
        # the batch losses since ``reset_tally`` and the last ``value`` (validation) result.
        self.loss_sum, self.loss_rows = 0.0, 0
        self.last_value_and_grad = math.nan
        self.last_value = math.nan

    def reset_tally(self) -> None:
        """Start a new epoch's sum of batch losses."""
        self.loss_sum, self.loss_rows = 0.0, 0

    def initial_params(self) -> tuple[np.ndarray, ...]:
        """θ₀: copies of the module's current parameter values."""
        return tuple(p.data.copy() for p in self.parameters)

    def load(self, params: tuple[np.ndarray, ...]) -> None:
        """Put θ into the module's Parameters (the arrays themselves, not copies)."""
        for parameter, value in zip(self.parameters, params):
            parameter.data = value

    def _batch(self, rows: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        weights = None if self.sample_weight is None else self.sample_weight[rows]
        return self.X[rows], self.y[rows], weights

    @staticmethod
    def _batch_size(X: np.ndarray, weights: np.ndarray | None) -> float:
        """|B| of eq. (1): the rows, or their total weight (a weight-2 row counts twice)."""
        return float(len(X)) if weights is None else float(weights.sum())

    def _penalty(self, params: tuple[np.ndarray, ...], n_rows: float) -> float:
        if not self.alpha:
            return 0.0
        squares = sum(float(np.vdot(params[i], params[i])) for i in self.penalized)
        return 0.5 * self.alpha * squares / n_rows

    def value_and_grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[float, Any]:
        """(F_B(θ), ∇F_B(θ)), eq. (1), in training mode."""
        self.load(params)
        X, y, weights = self._batch(rows)
        for parameter in self.parameters:
            parameter.grad = None
        self.module.train()
        output = self.module(X)
        loss = self.loss(output, y, weights)
        loss.backward()
        if self.on_batch is not None:
            self.on_batch(output, rows)
        grads = []
        for parameter in self.parameters:
            grad = parameter.grad
            grads.append(np.zeros_like(parameter.data) if grad is None else grad)
        value = float(loss.data)
        if self.alpha:
            n_rows = self._batch_size(X, weights)
            value += self._penalty(params, n_rows)
            for i in self.penalized:
                grads[i] = grads[i] + (self.alpha / n_rows) * params[i]
        self.loss_sum, self.loss_rows = self.loss_sum + value * len(X), self.loss_rows + len(X)
        self.last_value_and_grad = value
        return value, tuple(grads)

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> Any:
        """∇F_B(θ)."""
        return self.value_and_grad(params, rows)[1]

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """F_B(θ) in evaluation mode (dropout off, running batch-norm statistics)."""
        self.load(params)
        X, y, weights = self._batch(rows)
        was_training = self.module.training
        self.module.eval()
        try:
            with no_grad():
                loss = float(self.loss(self.module(X), y, weights).data)
        finally:
            self.module.train(was_training)
        self.last_value = loss + self._penalty(params, self._batch_size(X, weights))
        return self.last_value
