"""Fused operations of a transformer: scaled dot-product attention and layer normalization.

Both compose from the primitive operations (matmul, where, softmax, mean, …), and the layers of
:mod:`glassbox.nn` could be written that way; written as one operation each, with the backward
pass derived by hand, they keep a handful of arrays alive instead of a dozen graph nodes, which
is what makes a small GPT train at PyTorch's speed in NumPy.

Scaled dot-product attention (Vaswani et al., 2017), for queries Q (…, T_q, d), keys
K (…, T_k, d), values V (…, T_k, d_v) and a boolean mask A (True: query i may attend to key j):

    S = Q Kᵀ / √d,   S_ij ← −∞ where ¬A_ij,   P = softmax_j(S),   O = (P ⊙ M / (1 − p)) V   (1)

with M an optional dropout mask on the attention weights (rate p). The mask is applied before
the softmax, whose maximum shift keeps every exponent ≤ 0; a row with no allowed key gives
P = 0 (output 0), not 0/0. With P̃ = P ⊙ M / (1 − p) and Ḡ = ∂L/∂O,

    ∂L/∂V = P̃ᵀ Ḡ,   ∂L/∂P = (Ḡ Vᵀ) ⊙ M / (1 − p),
    ∂L/∂S = P ⊙ (∂L/∂P − Σ_j (∂L/∂P)_ij P_ij),                                            (2)
    ∂L/∂Q = (∂L/∂S) K / √d,   ∂L/∂K = (∂L/∂S)ᵀ Q / √d.

Layer normalization over the last axis (width n), x̂ = (x − μ) / √(σ² + ε), y = γ ⊙ x̂ + β:

    ∂L/∂x = (1/√(σ² + ε)) (ĝ − mean(ĝ) − x̂ mean(ĝ ⊙ x̂)),   ĝ = Ḡ ⊙ γ,                  (3)
    ∂L/∂γ = Σ_rows Ḡ ⊙ x̂,   ∂L/∂β = Σ_rows Ḡ.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
Ba, J. L., Kiros, J. R., Hinton, G. E. (2016). Layer normalization. arXiv:1607.06450.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassbox.autograd.ops._common import operand
from glassbox.autograd.tensor import Tensor, as_tensor

__all__ = ["causal_mask", "layer_norm", "scaled_dot_product_attention"]


def causal_mask(n_queries: int, n_keys: int | None = None) -> np.ndarray:
    """The (T_q, T_k) boolean mask of a decoder: query i sees keys j ≤ i (lower triangle)."""
    n_keys = n_queries if n_keys is None else n_keys
    return np.tril(np.ones((n_queries, n_keys), dtype=bool))


def _attention_mask(
    mask: Any, causal: bool, n_queries: int, n_keys: int, batch_shape: tuple[int, ...]
) -> np.ndarray | None:
    """The boolean mask A of eq. (1) (True = attend), or None when everything is allowed."""
    allowed = None
    if mask is not None:
        allowed = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        if allowed.dtype != bool:
            raise TypeError(
                f"The attention mask must be boolean (True where a query may attend to a key); "
                f"got dtype {allowed.dtype}. For a padding mask pass lengths_to_mask(...) or "
                "ids != pad_id."
            )
        try:
            np.broadcast_shapes(allowed.shape, (*batch_shape, n_queries, n_keys))
        except ValueError:
            raise ValueError(
                f"The attention mask of shape {allowed.shape} does not broadcast to the scores' "
                f"shape {(*batch_shape, n_queries, n_keys)} (…, queries, keys)."
            ) from None
    if causal:
        lower = causal_mask(n_queries, n_keys)
        allowed = lower if allowed is None else allowed & lower
    return allowed


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    mask: Any = None,
    *,
    causal: bool = False,
    dropout_rate: float = 0.0,
    rng: np.random.Generator | None = None,
    scale: float | None = None,
) -> Tensor:
    """Eq. (1): softmax(Q Kᵀ / √d, masked) V, with the gradients of eq. (2).

    Parameters
    ----------
    query, key, value : Tensor
        (…, T_q, d), (…, T_k, d), (…, T_k, d_v); the batch axes broadcast.
    mask : boolean array, optional
        Broadcastable to (…, T_q, T_k); True where a query may attend to a key (the meaning of
        a boolean ``attn_mask`` in ``torch.nn.functional.scaled_dot_product_attention``).
    causal : bool
        Also hide the keys after each query (``is_causal=True``).
    dropout_rate : float in [0, 1)
        p of eq. (1), drawn from ``rng``; 0 in evaluation.
    scale : float, optional
        The factor of Q Kᵀ (1/√d by default).
    """
    q, qt = operand(query)
    k, kt = operand(key)
    v, vt = operand(value)
    q, k, v = np.asarray(q), np.asarray(k), np.asarray(v)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(
            "attention needs queries, keys and values with at least 2 axes (…, time, width); "
            f"got shapes {q.shape}, {k.shape}, {v.shape}."
        )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"attention: queries {q.shape} and keys {k.shape} must share their width, and keys "
            f"and values {v.shape} their length (axis -2)."
        )
    if not 0 <= dropout_rate < 1:
        raise ValueError(f"dropout_rate must be in [0, 1), got {dropout_rate!r}.")
    n_queries, n_keys = q.shape[-2], k.shape[-2]
    factor = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    batch_shape = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    allowed = _attention_mask(mask, causal, n_queries, n_keys, batch_shape)

    scores = np.matmul(q, np.swapaxes(k, -1, -2))  # (…, T_q, d) @ (…, d, T_k) -> (…, T_q, T_k)
    scores *= factor
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    shift = np.max(scores, axis=-1, keepdims=True)
    if allowed is not None:
        shift[~np.isfinite(shift)] = 0  # a row with no allowed key: all exponents are e^−∞ = 0
    np.subtract(scores, shift, out=scores)
    probabilities = np.exp(scores, out=scores)
    total = np.sum(probabilities, axis=-1, keepdims=True)
    if allowed is not None:
        total[total == 0] = 1
    probabilities /= total
    kept = probabilities
    keep: np.ndarray | None = None
    if dropout_rate > 0:
        generator = np.random.default_rng() if rng is None else rng
        keep = (generator.random(probabilities.shape) >= dropout_rate).astype(q.dtype)
        keep /= q.dtype.type(1 - dropout_rate)
        kept = probabilities * keep
    out = np.matmul(kept, v)  # (…, T_q, T_k) @ (…, T_k, d_v) -> (…, T_q, d_v)

    cache: dict[str, np.ndarray] = {}

    def grad_scores(g: np.ndarray) -> np.ndarray:
        """∂L/∂S of eq. (2), computed once per backward pass (the query and key vjps receive
        the same ḡ array) and shared by both."""
        if cache.get("seed") is not g:
            cache["seed"] = g
            d_kept = np.matmul(g, np.swapaxes(v, -1, -2))
            if keep is not None:
                d_kept *= keep
            row = np.sum(d_kept * probabilities, axis=-1, keepdims=True)
            d_kept -= row
            d_kept *= probabilities
            d_kept *= factor  # the 1/√d of S, folded in once for both Q and K
            cache["scores"] = d_kept
        return cache["scores"]

    def grad_query(g: np.ndarray) -> np.ndarray:
        return np.matmul(grad_scores(g), k)

    def grad_key(g: np.ndarray) -> np.ndarray:
        return np.matmul(np.swapaxes(grad_scores(g), -1, -2), q)

    def grad_value(g: np.ndarray) -> np.ndarray:
        return np.matmul(np.swapaxes(kept, -1, -2), g)

    edges = []
    if qt is not None:
        edges.append((qt, grad_query))
    if kt is not None:
        edges.append((kt, grad_key))
    if vt is not None:
        edges.append((vt, grad_value))
    return Tensor._from_op(out, "scaled_dot_product_attention", *edges)


def layer_norm(x: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """y = γ ⊙ (x − μ) / √(σ² + ε) + β over the last axis, with the gradients of eq. (3).

    μ and σ² are the mean and the biased variance of each row (``torch.nn.LayerNorm``).
    """
    xt = as_tensor(x)
    data = xt.data
    weight_t = None if weight is None else as_tensor(weight)
    bias_t = None if bias is None else as_tensor(bias)
    width = data.shape[-1]
    for name, given in (("weight", weight_t), ("bias", bias_t)):
        if given is not None and given.shape != (width,):
            raise ValueError(
                f"layer_norm: {name} must have shape ({width},) to match the last axis of the "
                f"input {data.shape}; got {given.shape}."
            )
    centered = data - data.mean(axis=-1, keepdims=True)
    variance = np.mean(centered * centered, axis=-1, keepdims=True)
    inverse_std = 1.0 / np.sqrt(variance + eps)
    normalized = centered * inverse_std
    out = normalized if weight_t is None else normalized * weight_t.data
    if bias_t is not None:
        out = out + bias_t.data
    out = out.astype(data.dtype, copy=False)
    rows = tuple(range(data.ndim - 1))

    def grad_x(g: np.ndarray) -> np.ndarray:
        scaled = g if weight_t is None else g * weight_t.data  # ĝ of eq. (3)
        mean_gx = np.mean(scaled * normalized, axis=-1, keepdims=True)
        d_x = scaled - scaled.mean(axis=-1, keepdims=True)
        d_x -= normalized * mean_gx
        d_x *= inverse_std
        return d_x

    edges: list[tuple[Tensor, Any]] = [(xt, grad_x)]
    if weight_t is not None:
        edges.append((weight_t, lambda g: np.sum(g * normalized, axis=rows)))
    if bias_t is not None:
        edges.append((bias_t, lambda g: np.sum(g, axis=rows)))
    return Tensor._from_op(out, "layer_norm", *edges)
