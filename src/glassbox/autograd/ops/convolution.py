"""One-dimensional convolution and pooling on (batch, length, channels) arrays.

Layout: batch first and channels last, as Keras has it, x of shape (B, L, C). A convolution
with K taps, stride s and dilation d, on x padded with (p_left, p_right) zeros, is

    z[b, t, o] = β[o] + Σ_k Σ_c x̃[b, s t + d k, c] · W[o, c, k],                  (1)

for t = 0 … L_out − 1, L_out = ⌊(L + p_left + p_right − d (K − 1) − 1) / s⌋ + 1, with W stored
as torch stores it, (C_out, C_in, K), so weights copy to and from ``torch.nn.Conv1d``.

*im2col.* The windows x̃[b, s t + d k, c] are a strided view of x̃ with axes (B, L_out, K, C):
no values are copied to build it. Copying the view into a (B·L_out, K·C) matrix and multiplying
by W rearranged as (K·C, C_out) computes eq. (1) for every position at once, one matrix
product and no Python loop over positions. The backward pass is the same product turned round:

    ∂L/∂W = colsᵀ Ḡ,   ∂L/∂β = Σ_{b,t} Ḡ,   ∂L/∂cols = Ḡ Wᵀ,                        (2)

and *col2im* adds ∂L/∂cols back to the positions each window read: a loop over the K taps,
each adding a strided slice, x̄[:, d k + s t] += cols̄[:, t, k], for all t at once.

Pooling takes the same windows (dilation 1) and reduces the K axis: the maximum, whose
gradient goes to the first position that attained it (torch's choice), or the mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor

__all__ = ["avg_pool1d", "conv1d", "conv_output_length", "max_pool1d", "resolve_padding"]


def resolve_padding(
    padding: Any, length: int, kernel_size: int, stride: int, dilation: int = 1
) -> tuple[int, int]:
    """(p_left, p_right) for ``"valid"`` (none), ``"same"`` or an int / pair of ints.

    ``"same"`` gives L_out = ⌈L / s⌉ (TensorFlow's rule; for s = 1 the output is as long as
    the input): the total p = max((L_out − 1) s + d (K − 1) + 1 − L, 0), with p_left = ⌊p / 2⌋
    and the odd one on the right, as torch's ``padding="same"`` does.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            out = -(-length // stride)
            total = max((out - 1) * stride + dilation * (kernel_size - 1) + 1 - length, 0)
            return total // 2, total - total // 2
        raise ValueError(f"padding must be 'valid', 'same' or an int; got {padding!r}.")
    pair = (padding, padding) if isinstance(padding, (int, np.integer)) else tuple(padding)
    if (
        len(pair) != 2
        or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pair)
        or min(pair) < 0
    ):
        raise ValueError(
            f"padding must be 'valid', 'same', an int >= 0 or a pair (left, right) of them; "
            f"got {padding!r}."
        )
    return int(pair[0]), int(pair[1])


def conv_output_length(
    length: int, kernel_size: int, stride: int, dilation: int, padding: tuple[int, int]
) -> int:
    """L_out of eq. (1); a clear error when the (padded) input is shorter than the kernel."""
    span = dilation * (kernel_size - 1) + 1
    padded = length + padding[0] + padding[1]
    if padded < span:
        raise ValueError(
            f"The kernel spans {span} steps (kernel_size={kernel_size}, dilation={dilation}) "
            f"but the input has only {padded} (length {length} plus padding {padding}). Use a "
            "smaller kernel, padding='same', or longer sequences."
        )
    return (padded - span) // stride + 1


def _check_sequence(x: Tensor, what: str) -> None:
    if x.ndim != 3:
        raise ValueError(
            f"{what} expects input of shape (batch, length, channels); got an array with "
            f"{x.ndim} axes, shape {x.shape}. Add a channel axis with x[..., None] for a single "
            "signal per row."
        )


def _windows(padded: np.ndarray, kernel_size: int, stride: int, dilation: int, n_out: int) -> Any:
    """The read-only strided view (B, L_out, K, C) of padded[b, s t + d k, c]."""
    sb, sl, sc = padded.strides
    return np.lib.stride_tricks.as_strided(
        padded,
        shape=(padded.shape[0], n_out, kernel_size, padded.shape[2]),
        strides=(sb, stride * sl, dilation * sl, sc),
        writeable=False,
    )


def _pad_length(x: np.ndarray, padding: tuple[int, int], value: float = 0.0) -> np.ndarray:
    """x with ``padding`` steps of ``value`` at the start and the end of the length axis."""
    if padding == (0, 0):
        return x
    left, right = padding
    out = np.empty((x.shape[0], x.shape[1] + left + right, x.shape[2]), dtype=x.dtype)
    out[:, :left] = value
    out[:, left + x.shape[1] :] = value
    out[:, left : left + x.shape[1]] = x
    return out


def _col2im(
    taps: Any,
    padded_shape: tuple[int, ...],
    stride: int,
    dilation: int,
    padding: tuple[int, int],
) -> np.ndarray:
    """Add the window gradients back to the input positions they read; ``taps[k]`` is the
    (B, L_out, C) gradient of what tap k read at every output position."""
    n_out = taps[0].shape[1]
    full = np.zeros(padded_shape, dtype=taps[0].dtype)
    reach = stride * (n_out - 1) + 1
    for k, tap in enumerate(taps):  # one strided add per tap, every position at once
        start = dilation * k
        full[:, start : start + reach : stride] += tap
    return full[:, padding[0] : padded_shape[1] - padding[1]]


def conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: Any = "valid",
    dilation: int = 1,
) -> Tensor:
    """Eq. (1): x (B, L, C_in), weight (C_out, C_in, K), bias (C_out,) -> (B, L_out, C_out).

    Forward and backward are eq. (1) and eq. (2): one matrix product each way, plus K strided
    additions for col2im.
    """
    _check_sequence(x, "conv1d")
    n_out_channels, n_in_channels, kernel_size = weight.shape
    if x.shape[2] != n_in_channels:
        raise ValueError(
            f"conv1d: the input has {x.shape[2]} channels (last axis of {x.shape}) but the "
            f"weight expects {n_in_channels} (weight shape {weight.shape})."
        )
    pads = resolve_padding(padding, x.shape[1], kernel_size, stride, dilation)
    n_out = conv_output_length(x.shape[1], kernel_size, stride, dilation, pads)
    padded = _pad_length(x.data, pads)
    batch = x.shape[0]
    # (B, L_out, K, C_in) view -> (B·L_out, K·C_in) copy: the im2col matrix
    columns = _windows(padded, kernel_size, stride, dilation, n_out).reshape(batch * n_out, -1)
    # (C_out, C_in, K) -> (K, C_in, C_out) -> (K·C_in, C_out), matching the column order
    kernel = weight.data.transpose(2, 1, 0).reshape(-1, n_out_channels)
    by_tap = weight.data.transpose(2, 0, 1)  # (K, C_out, C_in), for the backward product
    out = columns @ kernel
    if bias is not None:
        out += bias.data
    out = out.reshape(batch, n_out, n_out_channels)

    def grad_x(g: np.ndarray) -> np.ndarray:
        # eq. (2), ∂L/∂cols = Ḡ Wᵀ, computed tap-major: (B·L_out, C_out) @ (K, C_out, C_in)
        # -> (K, B·L_out, C_in), so each tap's block is contiguous for col2im
        column_grad = np.matmul(g.reshape(-1, n_out_channels), by_tap)
        taps = column_grad.reshape(kernel_size, batch, n_out, n_in_channels)
        return _col2im(taps, padded.shape, stride, dilation, pads)

    def grad_weight(g: np.ndarray) -> np.ndarray:
        flat = columns.T @ g.reshape(-1, n_out_channels)  # (K·C_in, C_out), eq. (2)
        return flat.reshape(kernel_size, n_in_channels, n_out_channels).transpose(2, 1, 0)

    edges: list[tuple[Tensor, Any]] = [(x, grad_x), (weight, grad_weight)]
    if bias is not None:
        edges.append((bias, lambda g: g.sum(axis=(0, 1))))
    return Tensor._from_op(out, "conv1d", *edges)


def _pool_setup(
    x: Tensor, pool_size: int, stride: int | None, padding: Any, what: str
) -> tuple[int, tuple[int, int], int]:
    _check_sequence(x, what)
    if isinstance(pool_size, bool) or not isinstance(pool_size, (int, np.integer)) or pool_size < 1:
        raise ValueError(f"{what}: pool_size must be an int >= 1, got {pool_size!r}.")
    step = pool_size if stride is None else stride
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"{what}: stride must be an int >= 1, got {stride!r}.")
    pads = resolve_padding(padding, x.shape[1], pool_size, step)
    if max(pads) > pool_size // 2:
        raise ValueError(
            f"{what}: padding {pads} is more than half the pool size {pool_size}; a window "
            "would see only padding (torch refuses the same)."
        )
    n_out = conv_output_length(x.shape[1], pool_size, step, 1, pads)
    return int(step), pads, n_out


def max_pool1d(x: Tensor, pool_size: int, stride: int | None = None, padding: Any = 0) -> Tensor:
    """z[b, t, c] = max_k x̃[b, s t + k, c], x̃ padded with −∞ (``torch.nn.MaxPool1d``).

    ∂L/∂x̃[b, s t + k*, c] = ḡ[b, t, c] at the first k* attaining the maximum.
    """
    step, pads, n_out = _pool_setup(x, pool_size, stride, padding, "max_pool1d")
    padded = _pad_length(x.data, pads, value=-np.inf)
    windows = _windows(padded, pool_size, step, 1, n_out)  # (B, L_out, K, C)
    winner = windows.argmax(axis=2)  # (B, L_out, C), first maximum
    out = np.take_along_axis(windows, winner[:, :, None], axis=2)[:, :, 0]

    def grad(g: np.ndarray) -> np.ndarray:
        taps = [np.where(winner == k, g, 0).astype(g.dtype, copy=False) for k in range(pool_size)]
        return _col2im(taps, padded.shape, step, 1, pads)

    return Tensor._from_op(out, "max_pool1d", (x, grad))


def avg_pool1d(x: Tensor, pool_size: int, stride: int | None = None, padding: Any = 0) -> Tensor:
    """z[b, t, c] = (1/K) Σ_k x̃[b, s t + k, c], x̃ padded with zeros that count in the mean
    (``torch.nn.AvgPool1d`` with ``count_include_pad=True``);  ∂L/∂x̃ = ḡ / K at every tap."""
    step, pads, n_out = _pool_setup(x, pool_size, stride, padding, "avg_pool1d")
    padded = _pad_length(x.data, pads)
    out = _windows(padded, pool_size, step, 1, n_out).mean(axis=2)

    def grad(g: np.ndarray) -> np.ndarray:
        share = g / pool_size
        return _col2im([share] * pool_size, padded.shape, step, 1, pads)

    return Tensor._from_op(out, "avg_pool1d", (x, grad))
