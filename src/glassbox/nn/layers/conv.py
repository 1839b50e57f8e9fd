"""``Conv1D``: a learned filter bank slid along the time axis of (batch, length, channels).

Input is batch first and channels last, x of shape (B, L, C_in), as Keras has it; the output
is (B, L_out, filters). The weight is stored as torch stores it, (filters, C_in, kernel_size),
under torch's names ``weight`` and ``bias``, so ``state_dict()`` copies to and from
``torch.nn.Conv1d`` unchanged (torch's input is (B, C_in, L): transpose axes 1 and 2).

The computation, eq. (1) of :mod:`glassbox.autograd.ops.convolution`,

    z[b, t, o] = β[o] + Σ_k Σ_c x̃[b, s t + d k, c] · W[o, c, k],

is one im2col matrix product forward and one backward, with a hand-written vjp.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassbox.autograd.ops.convolution import conv1d, resolve_padding
from glassbox.autograd.tensor import Tensor, as_tensor
from glassbox.nn.layers.base import Layer, register_layer
from glassbox.nn.module import Parameter

__all__ = ["Conv1D"]


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}.")
    return int(value)


def weight_dtype(x: Tensor) -> np.dtype:
    """The dtype of weights built lazily from a first input: float32 stays float32 (a network
    trained in single precision), anything else gives float64."""
    return np.dtype(np.float32) if x.dtype == np.float32 else np.dtype(np.float64)


def as_rng(rng: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator or None (fresh entropy)."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


@register_layer
class Conv1D(Layer):
    """One-dimensional convolution, batch first and channels last.

    A :class:`~glassbox.nn.layers.base.Layer`: in a :class:`~glassbox.nn.Model` it is built
    for the channels the layer before it produces (its width), from the Model's seed, and
    tells the next layer it produces ``filters`` channels.

    Parameters
    ----------
    filters : int
        The number of output channels (filters).
    kernel_size : int
        K, the taps of each filter.
    stride : int
        s, the step between neighbouring output positions.
    padding : {"valid", "same"} or int or (int, int)
        Zeros added at both ends of the length axis: none, enough for L_out = ⌈L / s⌉, or
        that many (a pair gives left and right).
    dilation : int
        d, the spacing between taps (the kernel spans d (K − 1) + 1 steps).
    use_bias : bool
        Add a learned β per filter.
    in_channels : int, optional
        C_in; when omitted the weights are created at the first call, from the input (in
        float32 for a float32 input, else float64).
    rng : int or numpy.random.Generator, optional
        Seeds the initial weights: U(−1/√(C_in K), 1/√(C_in K)), torch's default.
    name : str, optional
    """

    input_argument = "in_channels"

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        stride: int = 1,
        padding: Any = "valid",
        dilation: int = 1,
        use_bias: bool = True,
        in_channels: int | None = None,
        rng: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "conv1d")
        self.filters = _positive_int("filters", filters)
        self.kernel_size = _positive_int("kernel_size", kernel_size)
        self.stride = _positive_int("stride", stride)
        self.dilation = _positive_int("dilation", dilation)
        resolve_padding(padding, 1, self.kernel_size, self.stride, self.dilation)  # validates
        self.padding = padding
        self.use_bias = bool(use_bias)
        self._rng = as_rng(rng)
        self.in_channels: int | None = None
        if in_channels is not None:
            self.build(_positive_int("in_channels", in_channels))

    @property
    def built(self) -> bool:
        return self.in_channels is not None

    def build(
        self, input_width: int | None, rng: np.random.Generator | None = None, dtype: Any = None
    ) -> None:
        """Create ``weight`` (filters, in_channels, kernel_size) and ``bias`` (filters,),
        drawn from ``rng`` (a Model's generator) or else from the layer's own."""
        if input_width is None:
            raise ValueError(
                f"Layer {self.name!r} (Conv1D) cannot be built without knowing its input "
                "channels: pass in_channels=... to the first layer."
            )
        in_channels = _positive_int("in_channels", input_width)
        generator = self._rng if rng is None else rng
        dtype = np.float64 if dtype is None else dtype
        self.in_channels = in_channels
        bound = 1 / math.sqrt(in_channels * self.kernel_size)
        shape = (self.filters, in_channels, self.kernel_size)
        self.weight = Parameter(generator.uniform(-bound, bound, shape), dtype=dtype)
        if self.use_bias:
            self.bias = Parameter(generator.uniform(-bound, bound, self.filters), dtype=dtype)

    def output_width(self, input_width: int | None) -> int | None:
        """The output has ``filters`` channels."""
        return self.filters

    def get_config(self) -> dict[str, Any]:
        padding = self.padding
        if not isinstance(padding, str):  # an int or a (left, right) pair, JSON-ready
            padding = int(padding) if np.ndim(padding) == 0 else [int(p) for p in padding]
        return {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": padding,
            "dilation": self.dilation,
            "use_bias": self.use_bias,
            "in_channels": self.in_channels,
            "name": self.name,
        }

    def forward(self, x: Any) -> Tensor:
        """(batch, length, in_channels) -> (batch, L_out, filters)."""
        x = as_tensor(x)
        if x.ndim != 3:
            raise ValueError(
                f"Conv1D expects input of shape (batch, length, channels); got shape {x.shape}. "
                "A single signal per row needs a channel axis: x[..., None]."
            )
        if self.in_channels is None:
            self.build(x.shape[2], dtype=weight_dtype(x))
        elif x.shape[2] != self.in_channels:
            raise ValueError(
                f"Conv1D was built for {self.in_channels} input channels but the input has "
                f"{x.shape[2]} (shape {x.shape}, channels last)."
            )
        bias = self.bias if self.use_bias else None
        return conv1d(x, self.weight, bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.filters}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding!r}, dilation={self.dilation}"
        )
