"""Elementwise functions and their derivatives: z = f(x), ∂L/∂x = ḡ ⊙ f′(x).

Each derivative is written in terms of the forward result where that is cheaper and stabler
(eˣ, tanh, σ), and the nonlinearities follow PyTorch's conventions at their kinks (relu′(0) = 0,
|x|′(0) = 0, clamp passes the gradient on its closed interval).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from scipy import special

from glassbox.autograd.ops._common import broadcast_error, operand, shape_of
from glassbox.autograd.tensor import Tensor, as_tensor

__all__ = [
    "abs",
    "clip",
    "exp",
    "gelu",
    "leaky_relu",
    "log",
    "maximum",
    "minimum",
    "relu",
    "sigmoid",
    "softplus",
    "sqrt",
    "tanh",
    "where",
]

_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def exp(x: Tensor) -> Tensor:
    """z = eˣ;  ∂L/∂x = ḡ z."""
    out = np.exp(x.data)
    return Tensor._from_op(out, "exp", (x, lambda g: g * out))


def log(x: Tensor) -> Tensor:
    """z = log x;  ∂L/∂x = ḡ / x."""
    data = x.data
    return Tensor._from_op(np.log(data), "log", (x, lambda g: g / data))


def sqrt(x: Tensor) -> Tensor:
    """z = √x;  ∂L/∂x = ḡ / (2 z)."""
    out = np.sqrt(x.data)
    return Tensor._from_op(out, "sqrt", (x, lambda g: g / (2 * out)))


def abs(x: Tensor) -> Tensor:
    """z = |x|;  ∂L/∂x = ḡ sign(x) (0 at 0)."""
    data = x.data
    return Tensor._from_op(np.abs(data), "abs", (x, lambda g: g * np.sign(data)))


def tanh(x: Tensor) -> Tensor:
    """z = tanh x;  ∂L/∂x = ḡ (1 − z²)."""
    out = np.tanh(x.data)
    return Tensor._from_op(out, "tanh", (x, lambda g: g * (1 - out * out)))


def sigmoid(x: Tensor) -> Tensor:
    """z = σ(x) = 1 / (1 + e⁻ˣ) (evaluated without overflow);  ∂L/∂x = ḡ z (1 − z)."""
    out = special.expit(x.data)
    return Tensor._from_op(out, "sigmoid", (x, lambda g: g * out * (1 - out)))


def relu(x: Tensor) -> Tensor:
    """z = max(x, 0);  ∂L/∂x = ḡ 1[x > 0]."""
    data = x.data
    out = np.maximum(data, 0)
    return Tensor._from_op(out, "relu", (x, lambda g: g * (data > 0)))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """z = x for x > 0 else a x;  ∂L/∂x = ḡ (1 or a)."""
    data = x.data
    positive = data > 0
    out = np.where(positive, data, negative_slope * data)
    return Tensor._from_op(
        out, "leaky_relu", (x, lambda g: np.where(positive, g, negative_slope * g))
    )


# GELU in float32 reads Φ and GELU′ from tables on a grid of step h = 1/1024 over [−8, 8]
# (outside, Φ is 0 or 1 to 6e-16), linearly interpolated: the error h²/8 · max|f″| ≈ 3e-8 is
# below float32's resolution, and the lookup is a dozen vectorized passes where SciPy's float32
# erf evaluates one element at a time in double precision (~25 ns an element).
_TABLE_LIMIT = 8
_TABLE_STEPS = 1024  # per unit of x


@functools.cache
def _gelu_tables() -> tuple[np.ndarray, np.ndarray]:
    """The tables of Φ and of GELU′ = Φ + x φ, each (cells, 2): a cell's row holds the value
    at its left end and the rise across it, side by side, so one gather reads both."""
    grid = np.linspace(-_TABLE_LIMIT, _TABLE_LIMIT, 2 * _TABLE_LIMIT * _TABLE_STEPS + 1)
    cdf = special.ndtr(grid)
    derivative = cdf + grid * _INV_SQRT_2PI * np.exp(-0.5 * grid * grid)  # Φ + x φ

    def pairs(f: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.column_stack([f[:-1], np.diff(f)]), dtype=np.float32)

    return pairs(cdf), pairs(derivative)


def _table_cell(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cell index, position within the cell in [0, 1]) of each x on the tables' grid."""
    position = np.clip(x, -_TABLE_LIMIT, _TABLE_LIMIT)
    position += _TABLE_LIMIT
    position *= _TABLE_STEPS
    cell = position.astype(np.int32)
    np.minimum(cell, 2 * _TABLE_LIMIT * _TABLE_STEPS - 1, out=cell)
    position -= cell
    return cell, position


def _interpolate(table: np.ndarray, cell: np.ndarray, position: np.ndarray) -> np.ndarray:
    """start + rise · position, the (start, rise) pairs gathered in one pass (cells are in
    range by construction, so ``mode="clip"`` skips the checked, buffered gather)."""
    pair = np.take(table, cell, axis=0, mode="clip")  # (..., 2)
    value = pair[..., 1] * position
    value += pair[..., 0]
    return value


def normal_cdf_float32(x: np.ndarray) -> np.ndarray:
    """Φ(x) for float32 x from the interpolated table (absolute error < 3e-7)."""
    return _interpolate(_gelu_tables()[0], *_table_cell(x))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Φ(x), Φ the standard normal CDF (``approximate="tanh"``: Hendrycks &
    Gimpel's 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))), as ``torch.nn.GELU``.

    ∂L/∂x = ḡ (Φ(x) + x φ(x)), φ(x) = e^(−x²/2) / √(2π). In float32, Φ and Φ + x φ come
    from interpolated tables (:func:`normal_cdf_float32`); in float64 from SciPy's ``erf``.
    """
    data = x.data
    if approximate == "none" and data.dtype == np.float32:
        cdf_table, slope_table = _gelu_tables()
        cell, position = _table_cell(data)
        out = _interpolate(cdf_table, cell, position)
        out *= data

        def grad(g: np.ndarray) -> np.ndarray:
            slope = _interpolate(slope_table, cell, position)  # Φ + x φ
            slope *= g
            return slope

    elif approximate == "none":
        cdf = 0.5 * (1 + special.erf(data / _SQRT_2))
        out = data * cdf

        def grad(g: np.ndarray) -> np.ndarray:
            density = data * data
            density *= -0.5
            np.exp(density, out=density)
            density *= data
            density *= _INV_SQRT_2PI  # x φ(x)
            density += cdf
            density *= g
            return density

    elif approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        inner = c * (data + 0.044715 * data**3)
        t = np.tanh(inner)
        out = 0.5 * data * (1 + t)

        def grad(g: np.ndarray) -> np.ndarray:
            d_inner = c * (1 + 3 * 0.044715 * data * data)
            return g * (0.5 * (1 + t) + 0.5 * data * (1 - t * t) * d_inner)

    else:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}.")
    return Tensor._from_op(out.astype(data.dtype, copy=False), "gelu", (x, grad))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """z = log(1 + e^(βx)) / β, and z = x where βx > threshold (as ``torch.nn.Softplus``).

    ∂L/∂x = ḡ σ(βx) (1 in the linear region). ``logaddexp`` keeps it finite for large x.
    """
    data = x.data
    scaled = beta * data
    linear = scaled > threshold
    out = np.where(linear, data, np.logaddexp(0, scaled) / beta)
    return Tensor._from_op(
        out.astype(data.dtype, copy=False),
        "softplus",
        (x, lambda g: np.where(linear, g, g * special.expit(scaled))),
    )


def clip(x: Tensor, low: Any = None, high: Any = None) -> Tensor:
    """z = min(max(x, low), high);  ∂L/∂x = ḡ 1[low ≤ x ≤ high] (``torch.clamp``)."""
    if low is None and high is None:
        raise ValueError("clip needs low, high or both.")
    data = x.data
    out = np.clip(data, low, high)
    inside = np.ones(data.shape, dtype=bool)
    if low is not None:
        inside &= data >= low
    if high is not None:
        inside &= data <= high
    return Tensor._from_op(out, "clip", (x, lambda g: g * inside))


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """z = x where condition else y;  ∂L/∂x = ḡ 1[c], ∂L/∂y = ḡ 1[¬c]."""
    mask = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    xd, xt = operand(x)
    yd, yt = operand(y)
    try:
        out = np.where(mask, xd, yd)
    except ValueError:
        raise broadcast_error("where", mask.shape, shape_of(xd), shape_of(yd)) from None
    if xt is None and yt is None:
        return as_tensor(out)
    edges = []
    if xt is not None:
        edges.append((xt, lambda g: np.where(mask, g, 0).astype(g.dtype, copy=False)))
    if yt is not None:
        edges.append((yt, lambda g: np.where(mask, 0, g).astype(g.dtype, copy=False)))
    return Tensor._from_op(out, "where", *edges)


def _extremum(name: str, pick: Any, x: Any, y: Any) -> Tensor:
    xd, xt = operand(x)
    yd, yt = operand(y)
    try:
        out = pick(xd, yd)
    except ValueError:
        raise broadcast_error(name, shape_of(xd), shape_of(yd)) from None
    first = (xd > yd) if pick is np.maximum else (xd < yd)
    tie = xd == yd
    share_x = np.where(tie, 0.5, first.astype(np.float64))
    edges = []
    if xt is not None:
        edges.append((xt, lambda g: (g * share_x).astype(g.dtype, copy=False)))
    if yt is not None:
        edges.append((yt, lambda g: (g * (1 - share_x)).astype(g.dtype, copy=False)))
    return Tensor._from_op(np.asarray(out), name, *edges)


def maximum(x: Any, y: Any) -> Tensor:
    """z = max(x, y) elementwise; the gradient goes to the larger input (halved on ties)."""
    return _extremum("maximum", np.maximum, x, y)


def minimum(x: Any, y: Any) -> Tensor:
    """z = min(x, y) elementwise; the gradient goes to the smaller input (halved on ties)."""
    return _extremum("minimum", np.minimum, x, y)
