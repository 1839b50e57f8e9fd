"""Pooling along the time axis of (batch, length, channels): windows reduced to one value.

``MaxPool1D`` and ``AvgPool1D`` reduce each window of ``pool_size`` steps (every ``stride``
steps, default ``pool_size``) with the maximum or the mean, as ``torch.nn.MaxPool1d`` and
``torch.nn.AvgPool1d`` do (integer padding on both ends: −∞ for the maximum, zeros that count
in the mean for the average). ``GlobalAveragePooling1D`` and ``GlobalMaxPooling1D`` reduce the
whole length, (B, L, C) -> (B, C), optionally over the unmasked steps only.

Each is a :class:`~glassbox.nn.layers.base.Layer` without parameters: in a
:class:`~glassbox.nn.Model` the width (the channels) passes through unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops.convolution import avg_pool1d, max_pool1d
from glassbox.autograd.tensor import Tensor, as_tensor
from glassbox.nn.layers.base import Layer, register_layer

__all__ = ["AvgPool1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MaxPool1D"]


def _check_rank(x: Tensor, name: str) -> None:
    if x.ndim != 3:
        raise ValueError(
            f"{name} expects input of shape (batch, length, channels); got shape {x.shape}."
        )


class _Pool1D(Layer):
    """A window pooling layer: no parameters, the channels (the width) unchanged."""

    def __init__(
        self,
        pool_size: int = 2,
        stride: int | None = None,
        padding: Any = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.pool_size = pool_size
        self.stride = stride
        self.padding = padding

    def get_config(self) -> dict[str, Any]:
        padding = self.padding
        if not isinstance(padding, str):  # an int or a (left, right) pair, JSON-ready
            padding = int(padding) if np.ndim(padding) == 0 else [int(p) for p in padding]
        return {
            "pool_size": int(self.pool_size),
            "stride": None if self.stride is None else int(self.stride),
            "padding": padding,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, stride={self.stride}, padding={self.padding!r}"


@register_layer
class MaxPool1D(_Pool1D):
    """z[b, t, c] = max over the window x̃[b, s t : s t + K, c]; the gradient goes to the
    first position of the maximum."""

    def forward(self, x: Any) -> Tensor:
        """(batch, length, channels) -> (batch, L_out, channels)."""
        x = as_tensor(x)
        _check_rank(x, "MaxPool1D")
        return max_pool1d(x, self.pool_size, self.stride, self.padding)


@register_layer
class AvgPool1D(_Pool1D):
    """z[b, t, c] = (1/K) Σ over the window x̃[b, s t : s t + K, c]."""

    def forward(self, x: Any) -> Tensor:
        """(batch, length, channels) -> (batch, L_out, channels)."""
        x = as_tensor(x)
        _check_rank(x, "AvgPool1D")
        return avg_pool1d(x, self.pool_size, self.stride, self.padding)


def _mask_weights(mask: Any, x: Tensor) -> np.ndarray:
    weights = np.asarray(mask)
    if weights.shape != x.shape[:2]:
        raise ValueError(
            f"The mask has shape {weights.shape}; expected (batch, length) = {x.shape[:2]}."
        )
    return weights.astype(x.dtype)[:, :, None]


@register_layer
class GlobalAveragePooling1D(Layer):
    """z[b, c] = Σ_t m[b, t] x[b, t, c] / Σ_t m[b, t] (every m = 1 without a mask)."""

    def forward(self, x: Any, mask: Any = None) -> Tensor:
        """(batch, length, channels) -> (batch, channels)."""
        x = as_tensor(x)
        _check_rank(x, "GlobalAveragePooling1D")
        if mask is None:
            return x.mean(axis=1)
        weights = _mask_weights(mask, x)
        counts = weights.sum(axis=1)
        if (counts == 0).any():
            raise ValueError("GlobalAveragePooling1D: a row of the mask has no True step.")
        return (x * weights).sum(axis=1) / counts


@register_layer
class GlobalMaxPooling1D(Layer):
    """z[b, c] = max_t x[b, t, c] (over the unmasked steps when a mask is given)."""

    def forward(self, x: Any, mask: Any = None) -> Tensor:
        """(batch, length, channels) -> (batch, channels)."""
        x = as_tensor(x)
        _check_rank(x, "GlobalMaxPooling1D")
        if mask is None:
            return x.max(axis=1)
        weights = _mask_weights(mask, x)
        if (weights.sum(axis=1) == 0).any():
            raise ValueError("GlobalMaxPooling1D: a row of the mask has no True step.")
        # padded steps get -inf: never the maximum, and no gradient
        return (x + np.where(weights > 0, 0.0, -np.inf).astype(x.dtype)).max(axis=1)
