"""Reductions over axes, and the numerically stable softmax family.

For a reduction over axes A, ḡ has the reduced shape; it is first given back the reduced axes
(length 1) so it broadcasts against the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops._common import normalize_axis
from glassbox.autograd.tensor import Tensor

__all__ = ["log_softmax", "logsumexp", "max", "mean", "min", "softmax", "sum"]


def _expand(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """ḡ with the reduced axes restored as length-1 axes."""
    return g if keepdims else np.expand_dims(g, axes)


def sum(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """z = Σ_A x;  ∂L/∂x = ḡ broadcast back over A."""
    axes = normalize_axis(axis, x.ndim)
    shape = x.shape
    out = np.sum(x.data, axis=axes, keepdims=keepdims)
    return Tensor._from_op(
        np.asarray(out),
        "sum",
        (x, lambda g: np.broadcast_to(_expand(g, axes, keepdims), shape)),
    )


def mean(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """z = (1/N) Σ_A x, N the number of elements reduced;  ∂L/∂x = ḡ / N broadcast over A."""
    axes = normalize_axis(axis, x.ndim)
    shape = x.shape
    count = int(np.prod([shape[a] for a in axes])) if axes else 1
    out = np.mean(x.data, axis=axes, keepdims=keepdims)
    return Tensor._from_op(
        np.asarray(out),
        "mean",
        (x, lambda g: np.broadcast_to(_expand(g, axes, keepdims) / count, shape)),
    )


def _extreme(name: str, reduce: Any, x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    axes = normalize_axis(axis, x.ndim)
    if x.size == 0:
        raise ValueError(f"{name} of an empty tensor (shape {x.shape}) is undefined.")
    kept = reduce(x.data, axis=axes, keepdims=True)
    out = kept if keepdims else np.squeeze(kept, axis=axes)
    data = x.data

    def grad(g: np.ndarray) -> np.ndarray:
        hits = data == kept
        share = hits / hits.sum(axis=axes, keepdims=True)  # ties share ḡ equally (torch.amax)
        return (_expand(g, axes, keepdims) * share).astype(g.dtype, copy=False)

    return Tensor._from_op(np.asarray(out), name, (x, grad))


def max(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """z = max_A x;  ∂L/∂x = ḡ at the maximum (split equally among ties), 0 elsewhere."""
    return _extreme("max", np.max, x, axis, keepdims)


def min(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """z = min_A x;  ∂L/∂x = ḡ at the minimum (split equally among ties), 0 elsewhere."""
    return _extreme("min", np.min, x, axis, keepdims)


def _stable_softmax(data: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(softmax, log Σ e^x): shifting by the maximum m leaves softmax unchanged and keeps
    every exponent ≤ 0, so nothing overflows: log Σ eˣ = m + log Σ e^(x − m)."""
    shift = np.max(data, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    exps = np.exp(data - shift)
    total = np.sum(exps, axis=axis, keepdims=True)
    return exps / total, shift + np.log(total)


def logsumexp(x: Tensor, axis: Any = -1, keepdims: bool = False) -> Tensor:
    """z = log Σ_k e^(x_k);  ∂L/∂x = ḡ softmax(x)."""
    (a,) = normalize_axis(axis, x.ndim)
    probabilities, log_total = _stable_softmax(x.data, a)
    out = log_total if keepdims else np.squeeze(log_total, axis=a)
    return Tensor._from_op(
        out, "logsumexp", (x, lambda g: _expand(g, (a,), keepdims) * probabilities)
    )


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """s_k = e^(x_k) / Σ_j e^(x_j);  ∂L/∂x = s ⊙ (ḡ − Σ_k ḡ_k s_k)."""
    (a,) = normalize_axis(axis, x.ndim)
    out, _ = _stable_softmax(x.data, a)
    return Tensor._from_op(
        out, "softmax", (x, lambda g: out * (g - np.sum(g * out, axis=a, keepdims=True)))
    )


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """z = x − log Σ_j e^(x_j);  ∂L/∂x = ḡ − softmax(x) Σ_k ḡ_k."""
    (a,) = normalize_axis(axis, x.ndim)
    probabilities, log_total = _stable_softmax(x.data, a)
    out = x.data - log_total
    return Tensor._from_op(
        out,
        "log_softmax",
        (x, lambda g: g - probabilities * np.sum(g, axis=a, keepdims=True)),
    )
