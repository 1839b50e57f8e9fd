"""Pre-norm transformer blocks: the residual stream read and written by attention and an MLP.

Each sub-layer reads a layer-normalized copy of the stream x and adds its result back
(pre-norm, as GPT-2 and ``norm_first=True`` in torch; Xiong et al., 2020):

    encoder:  x ← x + Dropout(SelfAttention(LN₁(x)))                                   (1)
              x ← x + Dropout(MLP(LN₂(x)))
    decoder:  x ← x + Dropout(SelfAttention(LN₁(x), causal))                           (2)
              x ← x + Dropout(CrossAttention(LN₂(x), memory))
              x ← x + Dropout(MLP(LN₃(x)))

with MLP(x) = W₂ GELU(W₁ x + b₁) + b₂, W₁ ∈ ℝ^{4C × C} (the hidden width is 4C by default).
The parameter names follow torch's ``TransformerEncoderLayer`` / ``TransformerDecoderLayer``
where they can (``norm1``, ``linear1``, …) so the tests copy weights across by name.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
Xiong, R. et al. (2020). On layer normalization in the transformer architecture. ICML.
"""

from __future__ import annotations

from typing import Any

from glassbox.autograd.tensor import Tensor
from glassbox.nn.layers.activations import GELU
from glassbox.nn.layers.attention import MultiHeadAttention, check_heads
from glassbox.nn.layers.base import Layer, as_input, register_layer
from glassbox.nn.layers.dense import Linear
from glassbox.nn.layers.norm import LayerNorm
from glassbox.nn.layers.regularization import Dropout

__all__ = ["FeedForward", "TransformerDecoderBlock", "TransformerEncoderBlock"]


def _seed(seed: int | None, offset: int) -> int | None:
    return None if seed is None else seed + offset


@register_layer
class FeedForward(Layer):
    """MLP(x) = W₂ GELU(W₁ x + b₁) + b₂ on the last axis."""

    def __init__(
        self,
        width: int,
        hidden: int | None = None,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "feed_forward")
        self.width, self.hidden, self.seed = int(width), int(hidden or 4 * width), seed
        self.linear1 = Linear(self.width, self.hidden, dtype=dtype, seed=_seed(seed, 0))
        self.activation = GELU()
        self.linear2 = Linear(self.hidden, self.width, dtype=dtype, seed=_seed(seed, 1))

    def forward(self, x: Any) -> Tensor:
        return self.linear2(self.activation(self.linear1(x)))  # (…, C) -> (…, 4C) -> (…, C)

    def get_config(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "hidden": self.hidden,
            "dtype": self.linear1.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }


class _Block(Layer):
    """What both blocks share: sizes, the MLP, dropout on every residual branch."""

    def __init__(
        self,
        width: int,
        n_heads: int,
        hidden: int | None,
        dropout: float,
        eps: float,
        dtype: str,
        seed: int | None,
        name: str,
    ) -> None:
        super().__init__(name)
        self.width, self.n_heads = check_heads(width, n_heads)
        self.hidden, self.dropout_rate, self.eps = int(hidden or 4 * width), float(dropout), eps
        self.dtype_name, self.seed = dtype, seed
        self.self_attn = MultiHeadAttention(width, n_heads, dropout, dtype=dtype, seed=seed)
        self.norm1 = LayerNorm(width, eps, dtype=dtype)

    def _finish(self) -> None:
        """The MLP and the residual dropout come last, so parameters read in block order."""
        self.mlp = FeedForward(self.width, self.hidden, self.dtype_name, _seed(self.seed, 10))
        self.dropout = Dropout(self.dropout_rate, seed=_seed(self.seed, 20))

    def get_config(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "n_heads": self.n_heads,
            "hidden": self.hidden,
            "dropout": self.dropout_rate,
            "eps": self.eps,
            "dtype": self.dtype_name,
            "seed": self.seed,
            "name": self.name,
        }


@register_layer
class TransformerEncoderBlock(_Block):
    """Eq. (1): bidirectional self-attention (``key_mask`` hides padding), then the MLP."""

    def __init__(
        self,
        width: int,
        n_heads: int,
        hidden: int | None = None,
        dropout: float = 0.0,
        eps: float = 1e-5,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            width, n_heads, hidden, dropout, eps, dtype, seed, name or "transformer_encoder_block"
        )
        self.norm2 = LayerNorm(width, eps, dtype=dtype)
        self._finish()

    def forward(self, x: Any, *, mask: Any = None, key_mask: Any = None) -> Tensor:
        x = as_input(x)
        x = x + self.dropout(self.self_attn(self.norm1(x), mask=mask, key_mask=key_mask))
        return x + self.dropout(self.mlp(self.norm2(x)))


@register_layer
class TransformerDecoderBlock(_Block):
    """Eq. (2): causal self-attention; cross-attention to ``memory`` (optional); the MLP.

    Without ``cross_attention`` it is the GPT block (self-attention and MLP only).
    """

    def __init__(
        self,
        width: int,
        n_heads: int,
        hidden: int | None = None,
        dropout: float = 0.0,
        eps: float = 1e-5,
        cross_attention: bool = True,
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            width, n_heads, hidden, dropout, eps, dtype, seed, name or "transformer_decoder_block"
        )
        self.cross_attention = bool(cross_attention)
        if self.cross_attention:
            self.norm2 = LayerNorm(width, eps, dtype=dtype)
            self.multihead_attn = MultiHeadAttention(
                width, n_heads, dropout, dtype=dtype, seed=_seed(seed, 5)
            )
        self.norm3 = LayerNorm(width, eps, dtype=dtype)
        self._finish()

    def forward(
        self, x: Any, memory: Any = None, *, memory_key_mask: Any = None, causal: bool = True
    ) -> Tensor:
        x = as_input(x)
        x = x + self.dropout(self.self_attn(self.norm1(x), causal=causal))
        if self.cross_attention:
            if memory is None:
                raise ValueError(
                    "This decoder block has cross-attention: pass the encoder's output as "
                    "memory, or build it with cross_attention=False."
                )
            attended = self.multihead_attn(self.norm2(x), memory, key_mask=memory_key_mask)
            x = x + self.dropout(attended)
        return x + self.dropout(self.mlp(self.norm3(x)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cross_attention": self.cross_attention}
