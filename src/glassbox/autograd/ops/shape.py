"""Operations that move values without changing them: reshape, transpose, indexing, joining.

Their vjps move ḡ back the same way: reshape it back, apply the inverse permutation, scatter it
into the indexed positions (adding where an index repeats), or cut it into the joined pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from glassbox.autograd.ops._common import normalize_axis
from glassbox.autograd.tensor import Tensor, as_tensor

__all__ = [
    "broadcast_to",
    "concatenate",
    "expand_dims",
    "getitem",
    "pad",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "transpose",
]


def reshape(x: Tensor, shape: Any) -> Tensor:
    """z = x in shape ``shape``;  ∂L/∂x = ḡ reshaped to x's shape."""
    source = x.shape
    try:
        out = x.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {source} ({x.size} elements) into {shape}."
        ) from None
    return Tensor._from_op(out, "reshape", (x, lambda g: g.reshape(source)))


def transpose(x: Tensor, axes: Any = None) -> Tensor:
    """z = x with axes permuted by p;  ∂L/∂x = ḡ permuted by p⁻¹."""
    order = tuple(range(x.ndim))[::-1] if axes is None else tuple(int(a) for a in axes)
    if sorted(a % max(x.ndim, 1) for a in order) != list(range(x.ndim)):
        raise ValueError(f"transpose: {order} is not a permutation of the {x.ndim} axes.")
    inverse = tuple(np.argsort([a % x.ndim for a in order]))
    return Tensor._from_op(
        x.data.transpose(order), "transpose", (x, lambda g: g.transpose(inverse))
    )


def swapaxes(x: Tensor, axis1: int, axis2: int) -> Tensor:
    """z = x with two axes exchanged;  ∂L/∂x = ḡ with them exchanged back."""
    normalize_axis((axis1, axis2), x.ndim)
    return Tensor._from_op(
        np.swapaxes(x.data, axis1, axis2),
        "swapaxes",
        (x, lambda g: np.swapaxes(g, axis1, axis2)),
    )


def expand_dims(x: Tensor, axis: Any) -> Tensor:
    """z = x with new axes of length 1;  ∂L/∂x = ḡ with them removed."""
    source = x.shape
    return Tensor._from_op(
        np.expand_dims(x.data, axis), "expand_dims", (x, lambda g: g.reshape(source))
    )


def squeeze(x: Tensor, axis: Any = None) -> Tensor:
    """z = x without axes of length 1;  ∂L/∂x = ḡ with them restored."""
    source = x.shape
    return Tensor._from_op(np.squeeze(x.data, axis), "squeeze", (x, lambda g: g.reshape(source)))


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    """z = x repeated to ``shape``;  ∂L/∂x = ḡ summed over the copies (the engine's
    unbroadcast)."""
    try:
        out = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}.") from None
    return Tensor._from_op(out, "broadcast_to", (x, lambda g: g))


def _is_basic(index: Any) -> bool:
    """True when ``index`` selects by ints, slices, None and Ellipsis only (no repeats)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def getitem(x: Tensor, index: Any) -> Tensor:
    """z = x[index];  ∂L/∂x = zeros with ḡ added at the indexed positions (a scatter-add,
    so a row picked twice receives both gradients)."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    try:
        out = x.data[index]
    except IndexError as error:
        raise IndexError(
            f"Index {index!r} is invalid for a tensor of shape {x.shape}: {error}"
        ) from None
    shape, dtype = x.shape, x.dtype
    basic = _is_basic(index)

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(shape, dtype=g.dtype if g.dtype.kind == "f" else dtype)
        if basic:
            full[index] = g
        else:
            np.add.at(full, index, g)
        return full

    return Tensor._from_op(np.asarray(out), "getitem", (x, grad))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """z = [x₁, x₂, …] joined along ``axis``;  ∂L/∂xᵢ = the slice of ḡ where xᵢ landed."""
    parts = [as_tensor(t) for t in tensors]
    if not parts:
        raise ValueError("concatenate needs at least one tensor.")
    try:
        out = np.concatenate([p.data for p in parts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(p.shape) for p in parts)
        raise ValueError(
            f"concatenate along axis {axis}: shapes {shapes} must agree on every other axis."
        ) from None
    a = axis % out.ndim
    bounds = np.cumsum([0] + [p.shape[a] for p in parts])

    def piece(i: int) -> Any:
        cut = (slice(None),) * a + (slice(int(bounds[i]), int(bounds[i + 1])),)
        return lambda g: g[cut]

    return Tensor._from_op(out, "concatenate", *[(p, piece(i)) for i, p in enumerate(parts)])


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """z = [x₁, x₂, …] stacked on a new ``axis``;  ∂L/∂xᵢ = ḡ taken at position i."""
    parts = [as_tensor(t) for t in tensors]
    if not parts:
        raise ValueError("stack needs at least one tensor.")
    try:
        out = np.stack([p.data for p in parts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(p.shape) for p in parts)
        raise ValueError(f"stack: every tensor must have the same shape; got {shapes}.") from None
    a = axis % out.ndim

    def piece(i: int) -> Any:
        return lambda g: np.take(g, i, axis=a)

    return Tensor._from_op(out, "stack", *[(p, piece(i)) for i, p in enumerate(parts)])


def split(x: Tensor, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """The pieces of x cut along ``axis`` (``numpy.split``'s arguments); the gradient of each
    piece is placed back at its position (zeros elsewhere)."""
    a = normalize_axis(axis, x.ndim)[0]
    try:
        pieces = np.split(x.data, indices_or_sections, axis=a)
    except ValueError:
        raise ValueError(
            f"split: axis {axis} of length {x.shape[a]} cannot be cut into "
            f"{indices_or_sections!r} equal pieces."
        ) from None
    shape = x.shape
    starts = np.cumsum([0] + [p.shape[a] for p in pieces])

    def place(i: int) -> Any:
        cut = (slice(None),) * a + (slice(int(starts[i]), int(starts[i + 1])),)

        def grad(g: np.ndarray) -> np.ndarray:
            full = np.zeros(shape, dtype=g.dtype)
            full[cut] = g
            return full

        return grad

    return [Tensor._from_op(p, "split", (x, place(i))) for i, p in enumerate(pieces)]


def pad(x: Tensor, pad_width: Any, value: float = 0.0) -> Tensor:
    """z = x surrounded by a constant;  ∂L/∂x = ḡ with the border cut off."""
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if (widths < 0).any():
        raise ValueError(f"pad widths must be >= 0, got {pad_width!r}.")
    out = np.pad(x.data, widths, constant_values=value)
    inner = tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(widths, x.shape))
    return Tensor._from_op(out, "pad", (x, lambda g: g[inner]))
