"""Arithmetic with NumPy broadcasting: +, −, ×, ÷, negation, powers, dtype casts.

For z = f(x, y) with broadcasting, each vjp is computed at the output's shape and then summed
back to the input's (:func:`~glassbox.autograd.tensor.unbroadcast`, done by the engine).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops._common import broadcast_error, operand, shape_of
from glassbox.autograd.tensor import Tensor

__all__ = ["add", "astype", "div", "mul", "neg", "power", "sub"]


def _binary(op: str, numpy_op: Any, x: Any, y: Any) -> tuple[np.ndarray, Any, Any, Any, Any]:
    xd, xt = operand(x)
    yd, yt = operand(y)
    if xt is None and yt is None:
        raise TypeError(f"{op} needs at least one Tensor operand.")
    try:
        out = numpy_op(xd, yd)
    except ValueError:
        raise broadcast_error(op, shape_of(xd), shape_of(yd)) from None
    return np.asarray(out), xd, xt, yd, yt


def _edges(*pairs: tuple[Tensor | None, Any]) -> list[tuple[Tensor, Any]]:
    return [(t, f) for t, f in pairs if t is not None]


def add(x: Any, y: Any) -> Tensor:
    """z = x + y;  ∂L/∂x = ḡ, ∂L/∂y = ḡ."""
    out, _, xt, _, yt = _binary("add", np.add, x, y)
    return Tensor._from_op(out, "add", *_edges((xt, lambda g: g), (yt, lambda g: g)))


def sub(x: Any, y: Any) -> Tensor:
    """z = x − y;  ∂L/∂x = ḡ, ∂L/∂y = −ḡ."""
    out, _, xt, _, yt = _binary("sub", np.subtract, x, y)
    return Tensor._from_op(out, "sub", *_edges((xt, lambda g: g), (yt, lambda g: -g)))


def mul(x: Any, y: Any) -> Tensor:
    """z = x ⊙ y;  ∂L/∂x = ḡ ⊙ y, ∂L/∂y = ḡ ⊙ x."""
    out, xd, xt, yd, yt = _binary("mul", np.multiply, x, y)
    return Tensor._from_op(out, "mul", *_edges((xt, lambda g: g * yd), (yt, lambda g: g * xd)))


def div(x: Any, y: Any) -> Tensor:
    """z = x / y;  ∂L/∂x = ḡ / y, ∂L/∂y = −ḡ x / y² = −ḡ z / y."""
    out, _, xt, yd, yt = _binary("div", np.divide, x, y)
    return Tensor._from_op(
        out, "div", *_edges((xt, lambda g: g / yd), (yt, lambda g: -g * out / yd))
    )


def neg(x: Tensor) -> Tensor:
    """z = −x;  ∂L/∂x = −ḡ."""
    return Tensor._from_op(-x.data, "neg", (x, lambda g: -g))


def power(x: Any, y: Any) -> Tensor:
    """z = xʸ;  ∂L/∂x = ḡ y xʸ⁻¹,  ∂L/∂y = ḡ z log x (x > 0)."""
    out, xd, xt, yd, yt = _binary("power", np.power, x, y)

    def grad_x(g: np.ndarray) -> np.ndarray:
        if isinstance(yd, (int, float)) and yd == 2:
            return g * (2 * xd)
        return g * (yd * np.power(xd, yd - 1))

    def grad_y(g: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = np.where(xd > 0, np.log(np.where(xd > 0, xd, 1)), 0)
        return g * out * log_x

    return Tensor._from_op(out, "power", *_edges((xt, grad_x), (yt, grad_y)))


def astype(x: Tensor, dtype: Any) -> Tensor:
    """z = x in another dtype;  ∂L/∂x = ḡ converted back to x's dtype."""
    source = x.data.dtype
    return Tensor._from_op(x.data.astype(dtype), "astype", (x, lambda g: g.astype(source)))
