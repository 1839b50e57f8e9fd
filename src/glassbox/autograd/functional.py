"""Gradients as functions: ``grad(f)`` and ``value_and_grad(f)`` on plain NumPy arrays.

They turn a function of arrays that returns a scalar Tensor into one that returns the
gradient with respect to some of its arguments, in the same structure: an array for an array,
a tuple of arrays for a tuple (the ``params`` of :mod:`glassbox.optim`), so an optimizer's
``update(grads, state, params)`` takes the result directly::

    loss_and_grads = value_and_grad(loss)         # loss(params, X, y) -> scalar Tensor
    value, grads = loss_and_grads(params, X, y)
    updates, state = optimizer.update(grads, state, params)
    params = apply_updates(params, updates)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor

__all__ = ["grad", "value_and_grad"]


def _watch(value: Any) -> Any:
    """Fresh leaf tensors requiring gradients, in the structure of ``value``."""
    if isinstance(value, (tuple, list)):
        return type(value)(_watch(v) for v in value)
    data = value.data if isinstance(value, Tensor) else value
    return Tensor(data, requires_grad=True)


def _gradients(watched: Any) -> Any:
    if isinstance(watched, (tuple, list)):
        return type(watched)(_gradients(w) for w in watched)
    return watched.grad if watched.grad is not None else np.zeros_like(watched.data)


def value_and_grad(
    f: Callable[..., Tensor], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[float, Any]]:
    """``f``'s value and its gradient with respect to the arguments at ``argnums``.

    Parameters
    ----------
    f : callable
        Takes Tensors (the arguments at ``argnums`` arrive as Tensors that require grad;
        the others as they were given) and returns a one-element Tensor.
    argnums : int or sequence of int
        Which positional arguments to differentiate; a sequence gives a tuple of gradients.

    Returns
    -------
    callable
        ``(*args) -> (value, gradient)``, value a Python float.
    """
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args: Any, **kwargs: Any) -> tuple[float, Any]:
        if max(positions) >= len(args):
            raise ValueError(
                f"argnums={argnums!r} asks for argument {max(positions)}, but only "
                f"{len(args)} were given."
            )
        arguments = list(args)
        watched = {i: _watch(args[i]) for i in positions}
        for i, value in watched.items():
            arguments[i] = value
        out = f(*arguments, **kwargs)
        if not isinstance(out, Tensor) or out.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(
                f"value_and_grad needs f to return a one-element Tensor (a loss); got {shape}."
            )
        if out.requires_grad:
            out.backward()
        grads = tuple(_gradients(watched[i]) for i in positions)
        return float(out.item()), grads[0] if isinstance(argnums, int) else grads

    return wrapped


def grad(f: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of ``f`` with respect to the arguments at ``argnums`` (see
    :func:`value_and_grad`)."""
    with_value = value_and_grad(f, argnums)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return with_value(*args, **kwargs)[1]

    return wrapped
