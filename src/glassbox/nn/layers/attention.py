"""Multi-head attention: h heads of scaled dot-product attention side by side.

With X_q (B, T_q, C) the queries' inputs, X_kv (B, T_k, C) the keys' and values' (the same
array for self-attention), H heads of width D = C / H, and W_Q, W_K, W_V, W_O ∈ ℝ^{C × C},

    Q = X_q W_Qᵀ,  K = X_kv W_Kᵀ,  V = X_kv W_Vᵀ    (each split into H heads of width D)
    head_h = softmax(Q_h K_hᵀ / √D  masked) V_h                                      (1)
    MHA(X_q, X_kv) = concat(head_1, …, head_H) W_Oᵀ

(Vaswani et al., 2017, §3.2.2). Splitting the heads is a reshape and a transpose, no copy of
the weights: the C columns of Q are H blocks of D. Masks are boolean, True where attention is
allowed: ``mask`` (T_q, T_k) or (B, T_q, T_k), ``key_mask`` (B, T_k) True at real tokens
(``lengths_to_mask(lengths, T)`` or ``ids != pad_id``), and ``causal``. torch's
``key_padding_mask`` and ``nn.MultiheadAttention``'s boolean ``attn_mask`` mean the opposite
(True = hidden); pass ``~mask`` to translate.

The parameters are four :class:`Linear` layers, ``query``, ``key``, ``value`` and ``output``;
torch packs the first three into ``in_proj_weight`` (3C, C), rows in that order.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops.attention import scaled_dot_product_attention
from glassbox.autograd.tensor import Tensor
from glassbox.nn.layers.base import Layer, as_input, register_layer
from glassbox.nn.layers.dense import Linear
from glassbox.nn.layers.regularization import Dropout

__all__ = ["MultiHeadAttention", "check_heads"]


def check_heads(width: Any, n_heads: Any) -> tuple[int, int]:
    """(width, heads) as ints, or a clear error when the heads do not divide the width."""
    for name, value in (("width", width), ("n_heads", n_heads)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    if width % n_heads:
        divisors = [h for h in range(1, int(width) + 1) if width % h == 0]
        raise ValueError(
            f"n_heads={n_heads} does not divide width={width}: every head gets width / n_heads "
            f"features. Choose n_heads among {divisors[:12]} or change the width."
        )
    return int(width), int(n_heads)


@register_layer
class MultiHeadAttention(Layer):
    """Eq. (1) with ``n_heads`` heads on inputs of ``width`` features.

    Parameters
    ----------
    width : int
        C, the features of the inputs and of the output.
    n_heads : int
        H; must divide C.
    dropout : float
        Dropout on the attention weights (training only).
    bias : bool
        Biases in the four projections.
    dtype : {"float64", "float32"}
    seed : int, optional
        Seeds the projections' initializers and the dropout masks.
    """

    def __init__(
        self,
        width: int,
        n_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "multi_head_attention")
        self.width, self.n_heads = check_heads(width, n_heads)
        self.head_width = self.width // self.n_heads
        self.bias, self.seed = bool(bias), seed

        def projection(i: int) -> Linear:
            return Linear(
                self.width, self.width, bias, dtype, seed=None if seed is None else seed + i
            )

        self.query, self.key, self.value, self.output = (projection(i) for i in range(4))
        self.attention_dropout = Dropout(dropout, seed=None if seed is None else seed + 4)

    def split_heads(self, x: Tensor) -> Tensor:
        """(B, T, C) -> (B, H, T, D)."""
        batch, steps, _ = x.shape
        x = x.reshape(batch, steps, self.n_heads, self.head_width)  # (B, T, C) -> (B, T, H, D)
        return x.transpose(0, 2, 1, 3)  # (B, T, H, D) -> (B, H, T, D)

    def merge_heads(self, x: Tensor) -> Tensor:
        """(B, H, T, D) -> (B, T, C): the heads' outputs side by side."""
        batch, _, steps, _ = x.shape
        x = x.transpose(0, 2, 1, 3)  # (B, H, T, D) -> (B, T, H, D)
        return x.reshape(batch, steps, self.width)  # (B, T, H, D) -> (B, T, C)

    def _mask(self, mask: Any, key_mask: Any, batch: int, n_keys: int) -> np.ndarray | None:
        """One boolean mask broadcastable to (B, H, T_q, T_k)."""
        combined = None
        if mask is not None:
            combined = np.asarray(mask, dtype=bool)
            if combined.ndim == 3:  # (B, T_q, T_k) -> (B, 1, T_q, T_k), the same for every head
                combined = combined[:, None]
        if key_mask is not None:
            keys = np.asarray(key_mask, dtype=bool)
            if keys.shape != (batch, n_keys):
                raise ValueError(
                    f"key_mask must have shape (batch, key steps) = {(batch, n_keys)}, True at "
                    f"real tokens; got {keys.shape}."
                )
            keys = keys[:, None, None, :]  # (B, T_k) -> (B, 1, 1, T_k)
            combined = keys if combined is None else combined & keys
        return combined

    def forward(
        self,
        query: Any,
        key: Any = None,
        value: Any = None,
        *,
        mask: Any = None,
        key_mask: Any = None,
        causal: bool = False,
    ) -> Tensor:
        """MHA(X_q, X_kv), eq. (1); ``key``/``value`` default to ``query`` (self-attention)."""
        x_q = as_input(query)
        x_k = x_q if key is None else as_input(key)
        x_v = x_k if value is None else as_input(value)
        for what, x in (("query", x_q), ("key", x_k), ("value", x_v)):
            if x.ndim != 3 or x.shape[-1] != self.width:
                raise ValueError(
                    f"MultiHeadAttention expects {what} inputs of shape (batch, time, "
                    f"{self.width}); got {x.shape}."
                )
        q = self.split_heads(self.query(x_q))  # (B, T_q, C) -> (B, H, T_q, D)
        k = self.split_heads(self.key(x_k))  # (B, T_k, C) -> (B, H, T_k, D)
        v = self.split_heads(self.value(x_v))  # (B, T_k, C) -> (B, H, T_k, D)
        dropout = self.attention_dropout
        heads = scaled_dot_product_attention(
            q,
            k,
            v,
            self._mask(mask, key_mask, x_q.shape[0], x_k.shape[1]),
            causal=causal,
            dropout_rate=dropout.rate if self.training else 0.0,
            rng=dropout.rng,
        )  # (B, H, T_q, D)
        return self.output(self.merge_heads(heads))  # (B, H, T_q, D) -> (B, T_q, C)

    def get_config(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "n_heads": self.n_heads,
            "dropout": self.attention_dropout.rate,
            "bias": self.bias,
            "dtype": self.query.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"width={self.width}, n_heads={self.n_heads}"
