"""Dropout: z = x ⊙ m / (1 − p), m ~ Bernoulli(1 − p), in training mode only.

Dividing by 1 − p keeps E[z] = x, so evaluation mode (``model.eval()``) is the identity
(Srivastava et al., 2014, in the "inverted" form every framework uses). The mask comes from
the layer's own seeded ``numpy.random.Generator``: the same seed, the same masks.

References
----------
Srivastava, N. et al. (2014). Dropout: a simple way to prevent neural networks from
overfitting. JMLR 15.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops.nn_functional import dropout
from glassbox.autograd.tensor import Tensor
from glassbox.nn.init import default_generator
from glassbox.nn.layers.base import Layer, as_input, register_layer

__all__ = ["Dropout"]


@register_layer
class Dropout(Layer):
    """Zero each element with probability ``rate`` while training, scaling the rest by
    1 / (1 − rate).

    Parameters
    ----------
    rate : float in [0, 1)
    seed : int, optional
        Seed of the mask generator; without one, a generator spawned from the default one of
        :mod:`glassbox.nn.init` (see ``manual_seed``).
    """

    def __init__(self, rate: float = 0.5, seed: int | None = None, name: str | None = None) -> None:
        super().__init__(name or "dropout")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be a number in [0, 1), got {rate!r}.")
        self.rate = float(rate)
        self.seed = seed
        self.rng = (
            np.random.default_rng(seed) if seed is not None else default_generator().spawn(1)[0]
        )

    def forward(self, x: Any) -> Tensor:
        return dropout(as_input(x), self.rate, self.rng, training=self.training)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "seed": self.seed, "name": self.name}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"
