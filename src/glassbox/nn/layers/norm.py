"""Normalization layers: batch norm over the rows of a batch, layer norm over the features.

Both standardize and then rescale. With μ, σ² the mean and the biased variance over the
normalized axes A,

    x̂ = (x − μ) / √(σ² + ε),     y = γ ⊙ x̂ + β.                                    (1)

* :class:`BatchNorm1d` takes A = the batch (and length) axes, one (γ, β) per channel. In
  training it uses the batch's statistics and updates the running ones (buffers, saved in
  ``state_dict`` as torch does: ``running_mean``, ``running_var``, ``num_batches_tracked``)

      μ_run ← (1 − m) μ_run + m μ,     σ²_run ← (1 − m) σ²_run + m σ² n / (n − 1),      (2)

  (the running variance is the unbiased one, as in ``torch.nn.BatchNorm1d``); in evaluation
  mode eq. (1) reads μ_run, σ²_run instead.
* :class:`LayerNorm` takes A = the last ``len(normalized_shape)`` axes of each sample; its
  statistics never depend on the batch.

Gradients come from autograd through eq. (1) written with the primitive ops.

References
----------
Ioffe, S., Szegedy, C. (2015). Batch normalization. ICML.
Ba, J. L., Kiros, J. R., Hinton, G. E. (2016). Layer normalization. arXiv:1607.06450.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops.attention import layer_norm
from glassbox.autograd.ops.elementwise import sqrt
from glassbox.autograd.tensor import Tensor
from glassbox.nn.layers.base import Layer, as_input, check_dtype, register_layer
from glassbox.nn.module import Parameter

__all__ = ["BatchNorm1d", "LayerNorm"]


@register_layer
class BatchNorm1d(Layer):
    """Batch normalization of (N, C) or (N, C, L) inputs, eqs. (1)-(2).

    Parameters
    ----------
    num_features : int
        C, the number of channels (features).
    eps : float
        ε of eq. (1).
    momentum : float
        m of eq. (2).
    affine : bool
        Learn γ (``weight``) and β (``bias``).
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        dtype: str = "float64",
        name: str | None = None,
    ) -> None:
        super().__init__(name or "batch_norm")
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"num_features must be an integer >= 1, got {num_features!r}.")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}.")
        self.num_features, self.eps, self.momentum = num_features, float(eps), float(momentum)
        self.affine = bool(affine)
        kind = check_dtype(dtype)
        if self.affine:
            self.weight = Parameter(np.ones(num_features, dtype=kind))
            self.bias = Parameter(np.zeros(num_features, dtype=kind))
        self.running_mean = np.zeros(num_features, dtype=kind)
        self.running_var = np.ones(num_features, dtype=kind)
        self.num_batches_tracked = np.array(0, dtype=np.int64)

    def _buffers(self) -> dict[str, np.ndarray]:
        return {
            "running_mean": self.running_mean,
            "running_var": self.running_var,
            "num_batches_tracked": self.num_batches_tracked,
        }

    def forward(self, x: Any) -> Tensor:
        """Eq. (1) with the batch's statistics (training, updating eq. (2)) or the running ones."""
        x = as_input(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(
                f"Layer {self.name!r} (BatchNorm1d) expects inputs of shape (N, "
                f"{self.num_features}) or (N, {self.num_features}, L); got {x.shape}."
            )
        axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (self.num_features,) if x.ndim == 2 else (self.num_features, 1)
        if self.training:
            n = x.size // self.num_features
            if n < 2:
                raise ValueError(
                    f"Layer {self.name!r} (BatchNorm1d) needs more than one value per channel "
                    f"in training mode (got input shape {x.shape}); use batches of at least 2 "
                    "rows, or call eval() first."
                )
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            variance = (centered * centered).mean(axis=axes, keepdims=True)  # biased, eq. (1)
            normalized = centered / sqrt(variance + self.eps)
            m = self.momentum
            batch_mean = mean.data.reshape(-1)
            batch_var = variance.data.reshape(-1) * (n / (n - 1))  # unbiased, eq. (2)
            self.running_mean = ((1 - m) * self.running_mean + m * batch_mean).astype(
                self.running_mean.dtype
            )
            self.running_var = ((1 - m) * self.running_var + m * batch_var).astype(
                self.running_var.dtype
            )
            self.num_batches_tracked = self.num_batches_tracked + 1
        else:
            mean_run = self.running_mean.reshape(shape)
            scale = 1.0 / np.sqrt(self.running_var.reshape(shape) + self.eps)
            normalized = (x - mean_run) * scale.astype(self.running_var.dtype)
        if self.affine:
            normalized = normalized * self.weight.reshape(shape) + self.bias.reshape(shape)
        return normalized

    def get_config(self) -> dict[str, Any]:
        return {
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.affine,
            "dtype": self.running_mean.dtype.name,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


@register_layer
class LayerNorm(Layer):
    """Layer normalization over the last axes, eq. (1) per sample.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape normalized over (and the shape of γ, β).
    eps : float
    elementwise_affine : bool
        Learn γ (``weight``) and β (``bias``).
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        dtype: str = "float64",
        name: str | None = None,
    ) -> None:
        super().__init__(name or "layer_norm")
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self._dtype = check_dtype(dtype)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=self._dtype))
            self.bias = Parameter(np.zeros(self.normalized_shape, dtype=self._dtype))

    def forward(self, x: Any) -> Tensor:
        """Eq. (1) over the last ``len(normalized_shape)`` axes."""
        x = as_input(x)
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k :] != self.normalized_shape:
            raise ValueError(
                f"Layer {self.name!r} (LayerNorm) normalizes trailing shape "
                f"{self.normalized_shape}; got input shape {x.shape}."
            )
        if k == 1:  # one fused operation with the backward pass of its own (attention.py)
            weight = self.weight if self.elementwise_affine else None
            bias = self.bias if self.elementwise_affine else None
            return layer_norm(x, weight, bias, self.eps)
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        variance = (centered * centered).mean(axis=axes, keepdims=True)
        normalized = centered / sqrt(variance + self.eps)
        if self.elementwise_affine:
            normalized = normalized * self.weight + self.bias
        return normalized

    def get_config(self) -> dict[str, Any]:
        return {
            "normalized_shape": list(self.normalized_shape),
            "eps": self.eps,
            "elementwise_affine": self.elementwise_affine,
            "dtype": self._dtype.name,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"
