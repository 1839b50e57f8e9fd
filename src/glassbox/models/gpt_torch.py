"""The same GPT in PyTorch, built from a glassbox GPT's weights: the reference.

Every parameter keeps its glassbox name (``blocks.0.self_attn.query.weight``, …) and the
forward pass is eqs. (1)-(2) of :mod:`glassbox.models.gpt` written with ``torch.nn.functional``
(``layer_norm``, ``scaled_dot_product_attention(is_causal=True)``, exact ``gelu``,
``cross_entropy``). :func:`torch_optimizer` is the recipe's update in ``torch.optim``: AdamW
with two parameter groups (decay on the 2-d parameters only), ``clip_grad_norm_`` and the
warm-up + cosine rate set before each step. The tests compare losses step by step in float64;
the benchmark times both. torch is imported inside these functions only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.models.gpt import GPT
from glassbox.models.gpt_training import TrainingConfig

__all__ = ["torch_gpt", "torch_optimizer", "torch_train_step"]


def torch_gpt(model: GPT) -> Any:
    """A ``torch.nn.Module`` with ``model``'s architecture and a copy of its weights."""
    import torch
    import torch.nn.functional as F

    config = model.config
    dtype = torch.float64 if config.dtype == "float64" else torch.float32

    class TorchGPT(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.names = [name for name, _ in model.named_parameters()]
            self.weights = torch.nn.ParameterDict(
                {
                    name.replace(".", "__"): torch.nn.Parameter(
                        torch.tensor(np.array(p.data), dtype=dtype)
                    )
                    for name, p in model.named_parameters()
                }
            )

        def p(self, name: str) -> Any:
            return self.weights[name.replace(".", "__")]

        def linear(self, x: Any, name: str) -> Any:
            return F.linear(x, self.p(f"{name}.weight"), self.p(f"{name}.bias"))

        def norm(self, x: Any, name: str) -> Any:
            weight, bias = self.p(f"{name}.weight"), self.p(f"{name}.bias")
            return F.layer_norm(x, (config.width,), weight, bias, 1e-5)

        def attention(self, x: Any, name: str) -> Any:
            batch, steps, width = x.shape
            heads, head_width = config.n_heads, width // config.n_heads

            def split(t: Any) -> Any:  # (B, T, C) -> (B, H, T, D)
                return t.view(batch, steps, heads, head_width).transpose(1, 2)

            q, k, v = (
                split(self.linear(x, f"{name}.{part}")) for part in ("query", "key", "value")
            )
            dropout = config.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(batch, steps, width)  # (B,H,T,D) -> (B,T,C)
            return self.linear(y, f"{name}.output")

        def forward(self, ids: Any) -> Any:
            steps = ids.shape[1]
            wte = self.p("token_embedding.weight")
            h = wte[ids] + self.p("position_embedding.weight")[:steps]
            h = F.dropout(h, config.dropout, self.training)
            for i in range(config.n_layers):
                block = f"blocks.{i}"
                attended = self.attention(self.norm(h, f"{block}.norm1"), f"{block}.self_attn")
                h = h + F.dropout(attended, config.dropout, self.training)
                hidden = F.gelu(self.linear(self.norm(h, f"{block}.norm3"), f"{block}.mlp.linear1"))
                h = h + F.dropout(
                    self.linear(hidden, f"{block}.mlp.linear2"), config.dropout, self.training
                )
            return self.norm(h, "final_norm") @ wte.T  # (B, T, C) @ (C, V) -> (B, T, V)

        def loss(self, ids: Any, targets: Any) -> Any:
            logits = self(ids)
            return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))

    return TorchGPT()


def torch_optimizer(module: Any, config: TrainingConfig) -> Any:
    """``torch.optim.AdamW`` with decay on the 2-d parameters only (nanoGPT's groups)."""
    import torch

    params = list(module.parameters())
    return torch.optim.AdamW(
        [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ],
        lr=config.learning_rate,
        betas=(config.beta1, config.beta2),
    )


def torch_train_step(
    module: Any, optimizer: Any, config: TrainingConfig, step: int, x: Any, y: Any
) -> float:
    """One update of the recipe at step ``step`` (0-based): rate, loss, backward, clip, AdamW."""
    import torch

    rate = float(config.schedule()(step))
    for group in optimizer.param_groups:
        group["lr"] = rate
    optimizer.zero_grad(set_to_none=True)
    loss = module.loss(torch.as_tensor(x), torch.as_tensor(y))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(module.parameters(), config.grad_clip)
    optimizer.step()
    return float(loss.item())
