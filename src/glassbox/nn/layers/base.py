"""What the layers of this package share: a name, a config, lazy building, a registry.

A :class:`Layer` is a :class:`~glassbox.nn.module.Module` that can say how it was made
(``get_config()``: its constructor's arguments, so a saved Model can rebuild it), whose
parameters may wait until the width of its input is known (``build(input_width, rng)``,
called by :meth:`glassbox.nn.Model.add` for ``Dense(10)`` after another layer), and that
tells the next layer the width it produces (``output_width(input_width)``).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from glassbox.autograd.tensor import Tensor, as_tensor
from glassbox.nn.module import Module

__all__ = ["LAYERS", "Layer", "as_input", "check_dtype", "register_layer"]

LAYERS: dict[str, type[Layer]] = {}
DTYPES = {"float64": np.float64, "float32": np.float32}

L = TypeVar("L", bound="type[Layer]")


def register_layer(cls: L) -> L:
    """Class decorator: a layer a saved Model can rebuild by its class name."""
    LAYERS[cls.__name__] = cls
    return cls


def check_dtype(dtype: Any) -> np.dtype:
    """ "float64" / "float32" (or the NumPy dtypes) as a NumPy dtype, else a clear error."""
    key = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if key not in DTYPES:
        raise ValueError(f"Unknown dtype {dtype!r}; valid dtypes are {list(DTYPES)}.")
    return np.dtype(DTYPES[key])


def as_input(x: Any) -> Tensor:
    """A layer's input as a Tensor (arrays become constants)."""
    return as_tensor(x)


class Layer(Module):
    """A Module with a name, a config and, optionally, parameters built on first use."""

    name: str
    input_argument = "input_dim"  # the constructor argument that gives the input width

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or type(self).__name__.lower()

    @property
    def built(self) -> bool:
        """Whether the parameters exist (always, for layers without any)."""
        return True

    def build(self, input_width: int | None, rng: np.random.Generator | None = None) -> None:
        """Create the parameters for inputs of ``input_width`` (a no-op by default)."""

    def output_width(self, input_width: int | None) -> int | None:
        """The width of the output for inputs of ``input_width`` (unchanged by default)."""
        return input_width

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (before its weights are loaded)."""
        return {"name": self.name}
