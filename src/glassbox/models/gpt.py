"""A GPT: a stack of causal transformer blocks predicting the next token.

For token ids x₁ … x_T (T ≤ the context), with E (V × C) the token embedding and P (T_max × C)
the learned positions,

    h₀ = Dropout(E[x_t] + P[t])                                                          (1)
    h_ℓ = Block_ℓ(h_{ℓ−1}),  ℓ = 1 … L   (pre-norm causal self-attention + GELU MLP)
    logits = LN_f(h_L) Eᵀ                (weight tying: the output layer is E itself)
    loss = −(1/BT) Σ_{b,t} log softmax(logits_{b,t})[y_{b,t}]                            (2)

(Radford et al., 2018, 2019; the layout of nanoGPT's ``model.py``). The weights start as GPT-2
starts them: every matrix and embedding N(0, 0.02²), biases 0, and the projections that write
into the residual stream (attention output, MLP second layer) N(0, (0.02/√(2L))²), so the
stream's variance does not grow with depth.

:meth:`GPT.generate` samples autoregressively: crop to the last T_max tokens, divide the last
logits by the temperature, keep the ``top_k`` largest, sample from their softmax, append;
with a seed it is deterministic.

References
----------
Radford, A. et al. (2018). Improving language understanding by generative pre-training.
Radford, A. et al. (2019). Language models are unsupervised multitask learners.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from glassbox.autograd.ops.linalg import matmul
from glassbox.autograd.ops.nn_functional import gather
from glassbox.autograd.ops.reduce import log_softmax
from glassbox.autograd.tensor import Tensor, no_grad
from glassbox.nn.layers.attention import check_heads
from glassbox.nn.layers.base import check_dtype
from glassbox.nn.layers.embedding import Embedding
from glassbox.nn.layers.norm import LayerNorm
from glassbox.nn.layers.positional import LearnedPositionalEmbedding
from glassbox.nn.layers.regularization import Dropout
from glassbox.nn.layers.transformer import TransformerDecoderBlock
from glassbox.nn.module import Module, ModuleList

__all__ = ["GPT", "GPTConfig", "decay_mask"]


@dataclass(frozen=True)
class GPTConfig:
    """The shape of a GPT (nanoGPT's baby Shakespeare-char model by default)."""

    vocab_size: int = 65
    context: int = 64
    n_layers: int = 4
    n_heads: int = 4
    width: int = 128
    dropout: float = 0.0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "context", "n_layers", "n_heads", "width"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"GPTConfig.{name} must be an integer >= 1, got {value!r}.")
        check_heads(self.width, self.n_heads)
        if not 0 <= self.dropout < 1:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout!r}.")
        check_dtype(self.dtype)

    def to_dict(self) -> dict[str, Any]:
        """The fields, for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GPTConfig:
        """Rebuild from :meth:`to_dict` (unknown keys are an error that names them)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown GPTConfig fields {unknown}; valid fields: {sorted(known)}.")
        return cls(**data)


class GPT(Module):
    """Eqs. (1)-(2). ``GPT(config, seed)``; ``model(ids)`` gives (B, T, V) logits."""

    def __init__(self, config: GPTConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        c, dtype = config, config.dtype
        self.token_embedding = Embedding(c.vocab_size, c.width, dtype=dtype, seed=seed)
        self.position_embedding = LearnedPositionalEmbedding(c.context, c.width, dtype=dtype)
        self.embedding_dropout = Dropout(c.dropout, seed=seed + 1)
        self.blocks = ModuleList(
            TransformerDecoderBlock(
                c.width,
                c.n_heads,
                dropout=c.dropout,
                cross_attention=False,
                dtype=dtype,
                seed=seed + 100 * (i + 1),
            )
            for i in range(c.n_layers)
        )
        self.final_norm = LayerNorm(c.width, dtype=dtype)
        self._initialize(np.random.default_rng(seed))

    def _initialize(self, rng: np.random.Generator) -> None:
        """GPT-2's initialization (module docstring), drawn in ``named_parameters`` order."""
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layers)
        for name, parameter in self.named_parameters():
            if name.endswith("bias"):
                values = np.zeros(parameter.shape)
            elif "norm" in name:
                values = np.ones(parameter.shape)
            elif name.endswith(("self_attn.output.weight", "mlp.linear2.weight")):
                values = rng.normal(0.0, residual_std, parameter.shape)
            else:
                values = rng.normal(0.0, 0.02, parameter.shape)
            parameter.data = values.astype(parameter.dtype)

    def forward(self, ids: Any) -> Tensor:
        """(B, T) ids -> (B, T, V) logits, eq. (1)."""
        tokens = np.asarray(ids)
        if tokens.ndim == 1:
            tokens = tokens[None, :]  # (T,) -> (1, T)
        if tokens.ndim != 2 or tokens.dtype.kind not in "iu":
            raise ValueError(f"GPT expects (batch, time) integer ids; got shape {tokens.shape}.")
        if tokens.shape[1] > self.config.context:
            raise ValueError(
                f"The input has {tokens.shape[1]} tokens but the model's context is "
                f"{self.config.context}; pass at most the last {self.config.context}."
            )
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.config.vocab_size):
            raise ValueError(
                f"Token ids must be in [0, {self.config.vocab_size}) (the vocabulary); got "
                f"min {tokens.min()}, max {tokens.max()}."
            )
        h = self.position_embedding(self.token_embedding(tokens))  # (B, T) -> (B, T, C)
        h = self.embedding_dropout(h)
        for block in self.blocks:
            h = block(h)
        h = self.final_norm(h)
        return matmul(h, self.token_embedding.weight.T)  # (B, T, C) @ (C, V) -> (B, T, V)

    def loss(self, ids: Any, targets: Any) -> Tensor:
        """Eq. (2): the mean next-token cross-entropy of (B, T) ids against (B, T) targets."""
        logits = self(ids)
        batch, steps, vocab = logits.shape
        flat = log_softmax(logits.reshape(batch * steps, vocab))  # (B, T, V) -> (BT, V)
        picked = gather(flat, np.asarray(targets).reshape(-1, 1), axis=1)  # (BT, 1)
        return -picked.mean()

    def generate(
        self,
        prompt: Any,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | np.random.Generator | None = 0,
    ) -> np.ndarray:
        """The prompt's ids followed by ``max_new_tokens`` sampled ones (1-d int64 array)."""
        ids = np.asarray(prompt, dtype=np.int64).reshape(-1)
        if ids.size == 0:
            raise ValueError("generate needs a prompt of at least one token.")
        if ids.size > self.config.context:
            raise ValueError(
                f"The prompt has {ids.size} tokens but the model's context is "
                f"{self.config.context}; shorten it (e.g. keep its last {self.config.context})."
            )
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int):
            raise ValueError(f"max_new_tokens must be an integer >= 0, got {max_new_tokens!r}.")
        if max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}.")
        if not (isinstance(temperature, (int, float)) and temperature > 0):
            raise ValueError(f"temperature must be a number > 0, got {temperature!r}.")
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k must be None or an integer >= 1, got {top_k!r}.")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                for _ in range(max_new_tokens):
                    window = ids[-self.config.context :]
                    logits = self(window[None, :]).data[0, -1].astype(np.float64) / temperature
                    if top_k is not None and top_k < logits.size:
                        kth = np.partition(logits, -top_k)[-top_k]
                        logits = np.where(logits < kth, -np.inf, logits)
                    logits -= logits.max()
                    probabilities = np.exp(logits)
                    probabilities /= probabilities.sum()
                    next_id = rng.choice(probabilities.size, p=probabilities)
                    ids = np.append(ids, next_id)
        finally:
            self.train(was_training)
        return ids


def decay_mask(model: Module) -> tuple[bool, ...]:
    """One bool per parameter (in ``parameters()`` order): decay the matrices and embeddings
    (2-d), not the biases and layer-norm gains (nanoGPT's ``configure_optimizers``)."""
    return tuple(p.ndim >= 2 for p in model.parameters())
