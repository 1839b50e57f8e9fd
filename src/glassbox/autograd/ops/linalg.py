"""Matrix products: ``matmul`` (batched, NumPy's rules), ``linear`` and ``einsum``.

For Z = X W:  ∂L/∂X = Ḡ Wᵀ and ∂L/∂W = Xᵀ Ḡ, applied to every matrix of a batch; batch axes
that broadcasting created are summed back. A stack of rows times one matrix, (…, n, k) @ (k, m),
is computed as a single (N, k) @ (k, m) product, so a linear layer on (batch, time, features)
is one BLAS call forward and two backward.

``linear(x, W, b) = x Wᵀ + b`` is the fully connected layer as one operation, W stored
(out, in) as torch stores it: one graph node instead of three (transpose, product, sum), and
the weight's gradient Ḡᵀ X computed directly in W's layout (no transposed copy).
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from glassbox.autograd.ops._common import operand
from glassbox.autograd.tensor import Tensor

__all__ = ["einsum", "linear", "matmul"]


def _matmul_error(a: np.ndarray, b: np.ndarray) -> ValueError:
    return ValueError(
        f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last axis of the first "
        f"({a.shape[-1] if a.ndim else 'scalar'}) must equal the "
        f"{'only' if b.ndim == 1 else 'second-to-last'} axis of the second "
        f"({b.shape[-2] if b.ndim >= 2 else (b.shape[0] if b.ndim else 'scalar')})."
    )


def matmul(x: Any, y: Any) -> Tensor:
    """Z = X @ Y;  ∂L/∂X = Ḡ Yᵀ,  ∂L/∂Y = Xᵀ Ḡ (with vectors treated as NumPy does)."""
    a, at = operand(x)
    b, bt = operand(y)
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs arrays with at least one axis; use * for scalars.")
    if a.shape[-1] != b.shape[-2 if b.ndim >= 2 else 0]:
        raise _matmul_error(a, b)
    rows_times_matrix = a.ndim > 2 and b.ndim == 2
    try:
        if rows_times_matrix:
            out = (a.reshape(-1, a.shape[-1]) @ b).reshape(*a.shape[:-1], b.shape[-1])
        else:
            out = np.matmul(a, b)
    except ValueError:
        raise _matmul_error(a, b) from None

    def grad_a(g: np.ndarray) -> np.ndarray:
        if b.ndim == 1:  # (…, n, k) @ (k,) -> (…, n)
            return g[..., None] * b
        if a.ndim == 1:  # (k,) @ (…, k, m) -> (…, m)
            return (b @ g[..., None])[..., 0]
        if rows_times_matrix:
            return (g.reshape(-1, g.shape[-1]) @ b.T).reshape(a.shape)
        return g @ np.swapaxes(b, -1, -2)

    def grad_b(g: np.ndarray) -> np.ndarray:
        if a.ndim == 1 and b.ndim == 1:
            return g * a
        if b.ndim == 1:  # Σ over rows of a_{…nk} g_{…n}
            return (np.swapaxes(a, -1, -2) @ g[..., None])[..., 0]
        if a.ndim == 1:
            return a[:, None] * g[..., None, :]
        if rows_times_matrix:  # (N, k)ᵀ (N, m): one product over every row of the stack
            return a.reshape(-1, a.shape[-1]).T @ g.reshape(-1, g.shape[-1])
        return np.swapaxes(a, -1, -2) @ g

    edges = []
    if at is not None:
        edges.append((at, grad_a))
    if bt is not None:
        edges.append((bt, grad_b))
    return Tensor._from_op(np.asarray(out), "matmul", *edges)


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """Y = X Wᵀ + b for X (…, in), W (out, in), b (out,), rows of any leading shape;

        ∂L/∂X = Ḡ W,    ∂L/∂W = Ḡᵀ X,    ∂L/∂b = Σ_rows Ḡ,

    with X and Ḡ viewed as (N, in) and (N, out) matrices (N = the product of the leading axes),
    so forward and backward are one BLAS product each.
    """
    a, at = operand(x)
    w, wt = operand(weight)
    a, w = np.asarray(a), np.asarray(w)
    if w.ndim != 2 or a.ndim == 0 or a.shape[-1] != w.shape[1]:
        width = a.shape[-1] if a.ndim else "?"
        raise ValueError(
            f"linear: inputs of shape {a.shape} need a weight of shape (out, {width}); "
            f"got {w.shape}."
        )
    rows = a.reshape(-1, w.shape[1])  # (…, in) -> (N, in)
    out = rows @ w.T  # (N, in) @ (in, out) -> (N, out)
    bt = None
    if bias is not None:
        b, bt = operand(bias)
        if np.result_type(out, b) == out.dtype:
            out += b  # in place: no second (N, out) array
        else:
            out = out + b
    out = out.reshape(*a.shape[:-1], w.shape[0])  # (N, out) -> (…, out)

    def grad_x(g: np.ndarray) -> np.ndarray:
        return (g.reshape(-1, w.shape[0]) @ w).reshape(a.shape)  # (N, out) @ (out, in)

    def grad_w(g: np.ndarray) -> np.ndarray:
        return g.reshape(-1, w.shape[0]).T @ rows  # (out, N) @ (N, in) -> (out, in)

    def grad_b(g: np.ndarray) -> np.ndarray:
        return g.reshape(-1, w.shape[0]).sum(axis=0)

    edges = []
    if at is not None:
        edges.append((at, grad_x))
    if wt is not None:
        edges.append((wt, grad_w))
    if bt is not None:
        edges.append((bt, grad_b))
    return Tensor._from_op(out, "linear", *edges)


def _parse_einsum(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Explicit per-operand letters and output letters, with ``...`` spelled out."""
    spec = subscripts.replace(" ", "")
    inputs_part, arrow, output = spec.partition("->")
    inputs = inputs_part.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(
            f"einsum: {subscripts!r} names {len(inputs)} operands but {len(shapes)} were given."
        )
    used = set(spec) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    n_ellipsis = 0
    for term, shape in zip(inputs, shapes):
        if "..." in term:
            n_ellipsis = max(n_ellipsis, len(shape) - (len(term) - 3))
    ellipsis = "".join(spare[:n_ellipsis])
    letters = []
    for term, shape in zip(inputs, shapes):
        if "..." in term:
            width = len(shape) - (len(term) - 3)
            term = term.replace("...", ellipsis[n_ellipsis - width :] if width else "")
        if len(term) != len(shape):
            raise ValueError(
                f"einsum: subscripts {term!r} do not match an operand with shape {shape}."
            )
        if len(set(term)) != len(term):
            raise ValueError(
                f"einsum: repeated letters within one operand ({term!r}: diagonals and traces) "
                "are not differentiable here; use an explicit mask or indexing instead."
            )
        letters.append(term)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = "".join(letters)
        output = ellipsis + "".join(
            sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ellipsis)
        )
    return letters, output


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Z = einsum(spec, A, B, …): a sum of products over the letters not in the output.

    ∂L/∂A is the same contraction with A's place taken by Ḡ: einsum("out,B,…->A", Ḡ, B, …);
    letters of A found nowhere else (summed over A alone) are broadcast back.
    """
    raw = [operand(op) for op in operands]
    arrays = [np.asarray(d) for d, _ in raw]
    letters, output = _parse_einsum(subscripts, [a.shape for a in arrays])
    try:
        out = np.einsum(f"{','.join(letters)}->{output}", *arrays, optimize=len(arrays) > 2)
    except ValueError as error:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"einsum {subscripts!r} on shapes {shapes}: {error}") from None

    def grad_for(i: int) -> Any:
        def grad(g: np.ndarray) -> np.ndarray:
            others = [letters[j] for j in range(len(arrays)) if j != i]
            available = set(output).union(*others) if others else set(output)
            kept = "".join(c for c in letters[i] if c in available)
            terms = ",".join([output, *others])
            partial = np.einsum(
                f"{terms}->{kept}",
                g,
                *[arrays[j] for j in range(len(arrays)) if j != i],
                optimize=len(arrays) > 1,
            )
            shape = arrays[i].shape
            missing = tuple(k for k, c in enumerate(letters[i]) if c not in available)
            expanded = np.expand_dims(partial, missing) if missing else partial
            # A letter of length 1 in A that broadcast against a longer one elsewhere leaves
            # a longer axis here; the engine sums it back (unbroadcast).
            return np.broadcast_to(expanded, np.broadcast_shapes(expanded.shape, shape))

        return grad

    edges = [(t, grad_for(i)) for i, (_, t) in enumerate(raw) if t is not None]
    return Tensor._from_op(np.asarray(out), "einsum", *edges)
