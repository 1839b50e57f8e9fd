"""Helpers shared by the operation modules: operands and clear shape errors."""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor


def operand(value: Any) -> tuple[Any, Tensor | None]:
    """(the raw values, the Tensor or None) of an operand.

    Python numbers stay Python numbers, so NumPy treats them as weak scalars and a float32
    tensor times 0.5 stays float32 (a 0-d float64 array would promote it).
    """
    if isinstance(value, Tensor):
        return value.data, value
    if isinstance(value, (Number, np.generic)) and not isinstance(value, np.ndarray):
        return value, None
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"Cannot use a {type(value).__name__} as a tensor operand.")
    return array, None


def shape_of(value: Any) -> tuple[int, ...]:
    """The shape of a raw operand (a Python number has shape ())."""
    return np.shape(value)


def broadcast_error(op: str, *shapes: tuple[int, ...]) -> ValueError:
    """The error for operands NumPy cannot broadcast together, naming every shape."""
    listed = " and ".join(str(s) for s in shapes)
    return ValueError(
        f"{op}: operands of shapes {listed} cannot be broadcast together (axes are matched "
        "from the right; each pair of lengths must be equal or one of them 1)."
    )


def normalize_axis(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} axes.")
        result.append(int(a) % max(ndim, 1))
    return tuple(result)
