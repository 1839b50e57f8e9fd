"""Positional encodings: how a transformer, which sees a set, learns the order of a sequence.

Attention is permutation-equivariant, so the position t of each token enters as a vector added
to its embedding, either fixed (Vaswani et al., 2017, §3.5), for i = 0 … C/2 − 1,

    PE[t, 2i] = sin(t / 10000^(2i/C)),   PE[t, 2i + 1] = cos(t / 10000^(2i/C)),        (1)

or learned, one trained vector per position (GPT-2's ``wpe``): P ∈ ℝ^{T_max × C}.
Both take (B, T, C) and return x + PE[:T]; both refuse sequences longer than their context.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
Radford, A. et al. (2019). Language models are unsupervised multitask learners. OpenAI.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor
from glassbox.nn.init import default_generator
from glassbox.nn.layers.base import Layer, as_input, check_dtype, register_layer
from glassbox.nn.module import Parameter

__all__ = ["LearnedPositionalEmbedding", "SinusoidalPositionalEncoding", "sinusoidal_table"]


def _check_sizes(context: Any, width: Any) -> tuple[int, int]:
    for name, value in (("context", context), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(context), int(width)


def sinusoidal_table(context: int, width: int, dtype: Any = np.float64) -> np.ndarray:
    """PE of eq. (1), shape (context, width) (an odd width drops the last cosine)."""
    positions = np.arange(context, dtype=np.float64)[:, None]  # (T, 1)
    frequencies = 10000.0 ** (-np.arange(0, width, 2, dtype=np.float64) / width)  # (⌈C/2⌉,)
    angles = positions * frequencies  # (T, 1) * (⌈C/2⌉,) -> (T, ⌈C/2⌉)
    table = np.zeros((context, width), dtype=np.float64)
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : width // 2])
    return table.astype(dtype)


def _check_steps(owner: str, x: Tensor, context: int, width: int) -> int:
    if x.ndim != 3 or x.shape[-1] != width:
        raise ValueError(f"{owner} expects inputs of shape (batch, time, {width}); got {x.shape}.")
    steps = x.shape[1]
    if steps > context:
        raise ValueError(
            f"{owner}: the sequence has {steps} steps but the context is {context}; crop the "
            f"input to its last {context} tokens or build the model with a longer context."
        )
    return steps


@register_layer
class SinusoidalPositionalEncoding(Layer):
    """x + PE[:T] with the fixed table of eq. (1) (nothing to train)."""

    def __init__(
        self, context: int, width: int, dtype: str = "float64", name: str | None = None
    ) -> None:
        super().__init__(name or "sinusoidal_positional_encoding")
        self.context, self.width = _check_sizes(context, width)
        self.table = sinusoidal_table(self.context, self.width, check_dtype(dtype))

    def forward(self, x: Any) -> Tensor:
        x = as_input(x)
        steps = _check_steps("SinusoidalPositionalEncoding", x, self.context, self.width)
        return x + self.table[:steps]  # (B, T, C) + (T, C)

    def get_config(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "width": self.width,
            "dtype": self.table.dtype.name,
            "name": self.name,
        }


@register_layer
class LearnedPositionalEmbedding(Layer):
    """x + P[:T], P (context, width) trained; drawn N(0, std²) (GPT-2: std 0.02)."""

    def __init__(
        self,
        context: int,
        width: int,
        std: float = 0.02,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "learned_positional_embedding")
        self.context, self.width = _check_sizes(context, width)
        self.std, self.seed = float(std), seed
        rng = default_generator() if seed is None else np.random.default_rng(seed)
        table = rng.normal(0.0, self.std, (self.context, self.width))
        self.weight = Parameter(table.astype(check_dtype(dtype)))

    def forward(self, x: Any) -> Tensor:
        x = as_input(x)
        steps = _check_steps("LearnedPositionalEmbedding", x, self.context, self.width)
        return x + self.weight[:steps]  # (B, T, C) + (T, C)

    def get_config(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "width": self.width,
            "std": self.std,
            "dtype": self.weight.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }
