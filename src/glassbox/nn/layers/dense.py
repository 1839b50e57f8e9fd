"""The fully connected layer: y = x Wᵀ + b, with W stored (out, in) as ``torch.nn.Linear``.

For inputs x of shape (..., in) the layer computes

    y = x Wᵀ + b,    W ∈ ℝ^{out × in},  b ∈ ℝ^{out},                              (1)

so ``state_dict()`` holds ``weight`` (out, in) and ``bias`` (out,), exactly torch's keys and
shapes: weights copy across in either direction. Eq. (1) is one autograd operation,
:func:`glassbox.autograd.linear`, whose vjp is ∂L/∂W = ḡᵀ x, ∂L/∂b = Σ_rows ḡ, ∂L/∂x = ḡ W.

:class:`Dense` is the Keras spelling (``Dense(units, input_dim=..., activation="relu")``,
Glorot-uniform weights and zero biases by default); :class:`Linear` the PyTorch one
(``Linear(in_features, out_features)``, torch's default U(−1/√in, 1/√in) for both).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassbox.autograd.ops.linalg import linear
from glassbox.autograd.tensor import Tensor
from glassbox.nn.init import default_generator, get_initializer, initialize
from glassbox.nn.layers.activations import get_activation
from glassbox.nn.layers.base import Layer, as_input, check_dtype, register_layer
from glassbox.nn.module import Module, Parameter

__all__ = ["Dense", "Linear"]


def _check_width(name: str, value: Any, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


@register_layer
class Dense(Layer):
    """A fully connected layer, eq. (1), optionally followed by an activation.

    Parameters
    ----------
    units : int
        The output width (``out``).
    input_dim : int, optional
        The input width (``in``); when omitted, the weights are built when the layer is added
        to a :class:`~glassbox.nn.Model` after another layer, or on :meth:`build`.
    activation : str, optional
        An activation by name (``"relu"``, ``"tanh"``, ...; see ``ACTIVATIONS``).
    use_bias : bool
        Whether to add b.
    kernel_initializer, bias_initializer : str or callable
        Names from :data:`glassbox.nn.init.INITIALIZERS`.
    dtype : {"float64", "float32"}
    seed : int, optional
        Seed of the initializer; without one, the default generator of
        :mod:`glassbox.nn.init` (see ``manual_seed``).
    name : str, optional
    """

    def __init__(
        self,
        units: int,
        input_dim: int | None = None,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "dense")
        self.units: int = int(_check_width("units", units) or 0)
        self.input_dim = _check_width("input_dim", input_dim, optional=True)
        self.use_bias = bool(use_bias)
        get_initializer(kernel_initializer)  # an unknown name fails here, not at build
        get_initializer(bias_initializer)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.dtype = check_dtype(dtype)
        self.seed = seed
        self.activation = activation
        self.activation_layer: Module | None = None
        if activation is not None:
            self.activation_layer = get_activation(activation)
        if self.input_dim is not None:
            self.build(self.input_dim)

    @property
    def built(self) -> bool:
        return self.__dict__.get("weight") is not None

    def build(self, input_width: int | None, rng: np.random.Generator | None = None) -> None:
        """Draw W (units, input_width) and b (units,) from the initializers."""
        if input_width is None:
            raise ValueError(
                f"Layer {self.name!r} (Dense) cannot be built without knowing its input width: "
                "pass input_dim=... to the first layer."
            )
        width = int(input_width)
        self.input_dim = _check_width("input_dim", width)
        if rng is None:
            rng = default_generator() if self.seed is None else np.random.default_rng(self.seed)
        self.weight = Parameter(
            initialize(self.kernel_initializer, (self.units, width), rng, self.dtype)
        )
        if self.use_bias:
            self.bias = Parameter(
                initialize(self.bias_initializer, (int(self.units),), rng, self.dtype)
            )

    def output_width(self, input_width: int | None) -> int | None:
        return self.units

    def forward(self, x: Any) -> Tensor:
        """Eq. (1), then the activation if one was given."""
        if not self.built:
            raise ValueError(
                f"Layer {self.name!r} (Dense) has no weights yet: give it input_dim=..., add "
                "it to a Model after another layer, or call build(input_width)."
            )
        x = as_input(x)
        if x.ndim == 0 or x.shape[-1] != self.input_dim:
            width = "a scalar" if x.ndim == 0 else f"width {x.shape[-1]}"
            raise ValueError(
                f"Layer {self.name!r} (Dense) expects inputs of width {self.input_dim} (its "
                f"input_dim) but got {width} (input shape {x.shape}). Check the number of "
                "features of X or the input_dim of the layer."
            )
        # eq. (1) as one operation: (..., in) @ (in, out) + (out,) -> (..., out)
        out = linear(x, self.weight, self.bias if self.use_bias else None)
        if self.activation_layer is not None:
            out = self.activation_layer(out)
        return out

    def get_config(self) -> dict[str, Any]:
        initializers = [self.kernel_initializer, self.bias_initializer]
        if any(callable(i) for i in initializers):
            raise TypeError(
                f"Layer {self.name!r} uses a callable initializer, which cannot be saved; "
                "use a registered name."
            )
        return {
            "units": self.units,
            "input_dim": self.input_dim,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            "dtype": self.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        activation = f", activation={self.activation!r}" if self.activation else ""
        return f"in={self.input_dim}, out={self.units}{activation}"


@register_layer
class Linear(Dense):
    """``torch.nn.Linear(in_features, out_features, bias=True)``: eq. (1) with torch's
    default initialization, U(−1/√in, 1/√in) for W and for b."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            out_features,
            input_dim=in_features,
            use_bias=bias,
            kernel_initializer="lecun_uniform",
            bias_initializer=lambda shape, rng: rng.uniform(
                -1 / math.sqrt(in_features), 1 / math.sqrt(in_features), shape
            ),
            dtype=dtype,
            seed=seed,
            name=name or "linear",
        )
        self.in_features = _check_width("in_features", in_features)
        self.out_features = _check_width("out_features", out_features)

    def get_config(self) -> dict[str, Any]:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.use_bias,
            "dtype": self.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }
