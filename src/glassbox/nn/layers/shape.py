"""Flatten: (N, d₁, …, d_k) -> (N, d₁ ⋯ d_k), as ``torch.nn.Flatten(start_dim=1)``."""

from __future__ import annotations

import math
from typing import Any

from glassbox.autograd.tensor import Tensor
from glassbox.nn.layers.base import Layer, as_input, register_layer

__all__ = ["Flatten"]


@register_layer
class Flatten(Layer):
    """Merge the axes ``start_dim`` … ``end_dim`` into one (a reshape; the gradient is
    reshaped back)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1, name: str | None = None) -> None:
        super().__init__(name or "flatten")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Any) -> Tensor:
        x = as_input(x)
        start, end = self.start_dim % x.ndim, self.end_dim % x.ndim
        if start > end:
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} for an "
                f"input of shape {x.shape}."
            )
        merged = math.prod(x.shape[start : end + 1])
        return x.reshape((*x.shape[:start], merged, *x.shape[end + 1 :]))  # (N, …) -> (N, ∏)

    def output_width(self, input_width: int | None) -> int | None:
        return input_width

    def get_config(self) -> dict[str, Any]:
        return {"start_dim": self.start_dim, "end_dim": self.end_dim, "name": self.name}
