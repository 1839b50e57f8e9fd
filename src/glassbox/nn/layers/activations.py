"""Activations as layers, each the elementwise op of :mod:`glassbox.autograd` it names.

==========  ===========================================  =========================
layer       f(x)                                         f′(x)
==========  ===========================================  =========================
ReLU        max(x, 0)                                    1[x > 0]
LeakyReLU   x if x > 0 else αx                           1 or α
Tanh        tanh x                                       1 − tanh² x
Sigmoid     σ(x) = 1 / (1 + e⁻ˣ)                         σ(1 − σ)
GELU        x Φ(x)  (or its tanh approximation)          Φ(x) + x φ(x)
Softmax     e^{x_k} / Σ_j e^{x_j} along ``axis``         s ⊙ (ḡ − ⟨ḡ, s⟩)
Identity    x                                            1
==========  ===========================================  =========================

A Softmax at the end of a :class:`~glassbox.nn.Model` compiled with cross-entropy is not
applied during training: the loss reads the logits through log-softmax (see
:mod:`glassbox.nn.losses`), which is exact where log(softmax(x)) underflows.
"""

from __future__ import annotations

from typing import Any

from glassbox.autograd.ops import elementwise as ew
from glassbox.autograd.ops import reduce
from glassbox.autograd.tensor import Tensor
from glassbox.nn.layers.base import Layer, as_input, register_layer
from glassbox.nn.module import Module

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
]


@register_layer
class ReLU(Layer):
    """max(x, 0)."""

    def forward(self, x: Any) -> Tensor:
        return ew.relu(as_input(x))


@register_layer
class LeakyReLU(Layer):
    """x for x > 0, α x otherwise (α = ``negative_slope``)."""

    def __init__(self, negative_slope: float = 0.01, name: str | None = None) -> None:
        super().__init__(name)
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Tensor:
        return ew.leaky_relu(as_input(x), self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope, "name": self.name}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


@register_layer
class Tanh(Layer):
    """tanh x."""

    def forward(self, x: Any) -> Tensor:
        return ew.tanh(as_input(x))


@register_layer
class Sigmoid(Layer):
    """σ(x) = 1 / (1 + e⁻ˣ)."""

    def forward(self, x: Any) -> Tensor:
        return ew.sigmoid(as_input(x))


@register_layer
class GELU(Layer):
    """x Φ(x), Φ the standard normal CDF; ``approximate="tanh"`` for the tanh formula."""

    def __init__(self, approximate: str = "none", name: str | None = None) -> None:
        super().__init__(name)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}.")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return ew.gelu(as_input(x), self.approximate)

    def get_config(self) -> dict[str, Any]:
        return {"approximate": self.approximate, "name": self.name}


@register_layer
class Softmax(Layer):
    """e^{x_k} / Σ_j e^{x_j} along ``axis`` (computed with the maximum subtracted)."""

    def __init__(self, axis: int = -1, name: str | None = None) -> None:
        super().__init__(name)
        self.axis = int(axis)

    def forward(self, x: Any) -> Tensor:
        return reduce.softmax(as_input(x), self.axis)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, "name": self.name}


@register_layer
class Identity(Layer):
    """x (the "identity" activation of scikit-learn's MLPRegressor output)."""

    def forward(self, x: Any) -> Tensor:
        return as_input(x)


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,  # scikit-learn's name
    "gelu": GELU,
    "softmax": Softmax,
    "identity": Identity,
    "linear": Identity,  # Keras' name
}


def get_activation(name: str) -> Module:
    """A new activation layer by name; a clear error lists the valid names."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; valid names are {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name]()
