"""AdamW decaying a masked subset of the parameters, against torch's two parameter groups;
and the warm-up + cosine schedule against nanoGPT's ``get_lr`` written out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassbox.optim import CosineAnnealing, adamw, apply_updates, chain, clip_by_global_norm

torch = pytest.importorskip("torch")


def test_adamw_with_a_decay_mask_matches_torch_parameter_groups():
    rng = np.random.default_rng(0)
    params = (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((2, 3)))
    targets = [rng.standard_normal(p.shape) for p in params]
    mask = (True, False, True)
    schedule = CosineAnnealing(0.01, total_steps=8, warmup_steps=3, warmup_start_factor=0.25)
    transform = chain(
        clip_by_global_norm(1.0), adamw(schedule, 0.9, 0.99, weight_decay=0.1, decay_mask=mask)
    )
    leaves = [torch.tensor(p, requires_grad=True) for p in params]
    optimizer = torch.optim.AdamW(
        [
            {"params": [leaves[0], leaves[2]], "weight_decay": 0.1},
            {"params": [leaves[1]], "weight_decay": 0.0},
        ],
        lr=0.01,
        betas=(0.9, 0.99),
    )
    state = transform.init(params)
    for step in range(8):
        grads = tuple(3.0 * (p - t) for p, t in zip(params, targets))  # ‖g‖ > 1: clipped
        updates, state = transform.update(grads, state, params)
        params = apply_updates(params, updates)
        for group in optimizer.param_groups:
            group["lr"] = float(schedule(step))
        optimizer.zero_grad()
        loss = sum(1.5 * ((p - torch.tensor(t)) ** 2).sum() for p, t in zip(leaves, targets))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(leaves, 1.0)
        optimizer.step()
    # 1e-12: the same float64 formulas, a few roundings apart (torch decays before the step)
    for ours, theirs in zip(params, leaves):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_the_mask_must_have_one_entry_per_block():
    transform = adamw(0.1, weight_decay=0.1, decay_mask=(True,))
    params = (np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="1 entries but there are 2"):
        transform.update(params, transform.init(params), params)


def test_warmup_cosine_is_nanogpt_get_lr():
    """nanoGPT: lr·(it+1)/(warmup+1) during warm-up, then cosine to min_lr at lr_decay_iters;
    CosineAnnealing with warmup_start_factor 1/(W+1) is that formula."""
    lr, min_lr, warmup, decay_iters = 1e-3, 1e-4, 10, 100

    def get_lr(it: int) -> float:
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        ratio = (it - warmup) / (decay_iters - warmup)
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)

    schedule = CosineAnnealing(lr, decay_iters, min_lr, warmup, 1 / (warmup + 1))
    for it in range(decay_iters + 1):
        assert float(schedule(it)) == pytest.approx(get_lr(it), rel=1e-12)
