"""Operations that neural networks are built from: gathering by label, embedding lookup, dropout.

Everything else a layer needs composes from the primitive operations, so a layer rarely needs a
backward pass of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor

__all__ = ["dropout", "embedding", "gather", "one_hot"]


def _integer_indices(indices: Any, what: str) -> np.ndarray:
    array = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
            return array.astype(np.intp)
        raise TypeError(f"{what} must be integers, got dtype {array.dtype}.")
    return array


def gather(x: Tensor, indices: Any, axis: int = -1) -> Tensor:
    """z = take_along_axis(x, i, axis): z[…, j, …] = x[…, i[…, j, …], …].

    The one-hot gather of a loss: ``gather(log_p, labels[:, None], axis=1)`` picks log p of
    each row's class. ∂L/∂x is ḡ scattered back to the picked positions (added where one is
    picked twice).
    """
    index = _integer_indices(indices, "gather indices")
    a = axis % x.ndim
    if index.ndim != x.ndim:
        raise ValueError(
            f"gather: indices need as many axes as the tensor ({x.ndim}); got shape "
            f"{index.shape}. For one label per row use labels[:, None]."
        )
    length = x.shape[a]
    if index.size and (index.min() < -length or index.max() >= length):
        raise IndexError(
            f"gather: an index is outside [0, {length}) along axis {axis} "
            f"(min {index.min()}, max {index.max()})."
        )
    out = np.take_along_axis(x.data, index, axis=a)
    shape = x.shape

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(shape, dtype=g.dtype)
        if index.shape[a] == 1:  # one pick per position: no repeats, a plain assignment
            np.put_along_axis(full, index, g, axis=a)
        else:
            grids = list(np.ix_(*[np.arange(n) for n in index.shape]))
            grids[a] = index
            np.add.at(full, tuple(grids), g)
        return full

    return Tensor._from_op(out, "gather", (x, grad))


def embedding(table: Tensor, indices: Any) -> Tensor:
    """z[…] = E[i[…]]: rows of the table E (n_tokens, width) looked up by integer ids.

    ∂L/∂E[t] = Σ over positions with id t of ḡ there: a scatter-add, done by sorting the
    positions by id and summing each id's run of rows at once (``np.add.reduceat``), several
    times faster than ``np.add.at`` row by row.
    """
    ids = _integer_indices(indices, "embedding ids")
    n_rows = table.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= n_rows):
        raise IndexError(
            f"embedding: ids must be in [0, {n_rows}); got min {ids.min()}, max {ids.max()}."
        )
    out = table.data[ids]
    width = table.shape[1:]

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(table.shape, dtype=g.dtype)
        flat = ids.reshape(-1)
        if flat.size == 0:
            return full
        order = np.argsort(flat, kind="stable")
        sorted_ids = flat[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
        rows = g.reshape(-1, *width)[order]  # (N, …) positions grouped by id
        full[sorted_ids[starts]] = np.add.reduceat(rows, starts, axis=0)
        return full

    return Tensor._from_op(out, "embedding", (table, grad))


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """The (n, n_classes) indicator matrix of integer labels (a constant, not a graph node)."""
    ids = _integer_indices(labels, "labels")
    if ids.size and (ids.min() < 0 or ids.max() >= n_classes):
        raise ValueError(
            f"labels must be in [0, {n_classes}); got min {ids.min()}, max {ids.max()}."
        )
    out = np.zeros((*ids.shape, n_classes), dtype=dtype)
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return out


def dropout(
    x: Tensor, rate: float, rng: np.random.Generator | None = None, training: bool = True
) -> Tensor:
    """Inverted dropout: z = x ⊙ m / (1 − p), m ~ Bernoulli(1 − p) elementwise.

    Dividing by 1 − p keeps E[z] = x, so evaluation (``training=False``) is the identity.
    ∂L/∂x = ḡ ⊙ m / (1 − p), the same mask.
    """
    if not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}.")
    if not training or rate == 0:
        return x
    generator = np.random.default_rng() if rng is None else rng
    mask = (generator.random(x.shape) >= rate).astype(x.dtype) / x.dtype.type(1 - rate)
    return Tensor._from_op(x.data * mask, "dropout", (x, lambda g: g * mask))
