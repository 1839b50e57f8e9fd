"""nanoGPT's baby GPT, glassbox against PyTorch: time per training iteration, and a full run.

    python benchmarks/gpt.py                 # 100 iterations each, timed, then validation loss
    python benchmarks/gpt.py --quick         # 30 iterations each
    python benchmarks/gpt.py --iters 2000    # nanoGPT's full run (about 2-3 minutes each)

The configuration is nanoGPT's ``train_shakespeare_char`` for the CPU: 4 layers, 4 heads,
width 128, context 64, batch 12, dropout 0, AdamW (β₂ = 0.99, decay 0.1 on the matrices),
learning rate 1e-3 with 100 warm-up steps and cosine decay to 1e-4 over the run, gradient
clipping at 1. The corpus is character-level: the first ``--chars`` characters of the running
Python's standard library sources (ASCII), 90 % to train, 10 % to validate, since Shakespeare
is not on every machine.

Both models start from the same weights (the torch module is built from the glassbox one) and
see the same batches (the same seeded window sampler), float32 on both sides. glassbox trains
through its recipe (``glassbox.models.gpt_training.train``, i.e. ``optim.descend``), torch
through ``torch.optim.AdamW`` with ``clip_grad_norm_``. The engines alternate in blocks of 10
iterations so a busy machine slows both alike; the reported figure is the mean time per
iteration over all blocks. Both engines get the same threads (``--threads``, default 2:
``torch.set_num_threads`` and OPENBLAS/OMP/MKL_NUM_THREADS for NumPy). At the end both are
evaluated on the same validation windows, and each writes a sample (the torch-trained weights
are copied into a glassbox GPT to sample, so both samples use one sampler and one seed).
Target (issue 16): glassbox ≤ 1.5x torch per iteration.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

if __name__ == "__main__":  # pin the BLAS threads before NumPy loads
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "2")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np

from glassbox.models import GPT, GPTConfig
from glassbox.models.gpt_torch import torch_gpt, torch_optimizer, torch_train_step
from glassbox.models.gpt_training import TrainingConfig, TrainingState, train, validation_loss
from glassbox.text import CharTokenizer, WindowSampler, split_tokens, stdlib_source

BLOCK = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 iterations")
    parser.add_argument("--iters", type=int, default=None, help="iterations (default 100)")
    parser.add_argument("--chars", type=int, default=1_000_000, help="corpus characters")
    parser.add_argument("--threads", default="2", help="threads for both engines")
    args = parser.parse_args()
    iters = args.iters or (30 if args.quick else 100)

    import torch

    torch.set_num_threads(int(args.threads))
    text = stdlib_source(args.chars)
    tokenizer = CharTokenizer().fit(text)
    train_tokens, validation_tokens = split_tokens(tokenizer.encode(text), 0.1, 64)
    model_config = GPTConfig(vocab_size=tokenizer.vocab_size, dtype="float32")
    config = TrainingConfig(
        max_steps=iters, warmup_steps=min(100, iters // 10), eval_interval=iters, eval_batches=1
    )
    model = GPT(model_config, seed=0)
    reference = torch_gpt(model)
    optimizer = torch_optimizer(reference, config)
    sampler = WindowSampler(train_tokens, model_config.context, config.batch_size, config.seed)
    print(
        f"baby GPT: {model.n_parameters() / 1e6:.2f} M parameters, vocabulary "
        f"{tokenizer.vocab_size}, {len(train_tokens):,} training characters; "
        f"{iters} iterations, {args.threads} threads, float32"
    )

    state = TrainingState()
    seconds = {"glassbox": 0.0, "torch": 0.0}
    losses: dict[str, list[float]] = {"glassbox": [], "torch": []}
    for first in range(0, iters, BLOCK):
        n = min(BLOCK, iters - first)
        start = time.perf_counter()
        state = train(model, train_tokens, validation_tokens, config, state=state, stop_after=n)
        seconds["glassbox"] += time.perf_counter() - start
        batches = [sampler.sample() for _ in range(n)]
        start = time.perf_counter()
        for k, (x, y) in enumerate(batches):
            losses["torch"].append(torch_train_step(reference, optimizer, config, first + k, x, y))
        seconds["torch"] += time.perf_counter() - start
    losses["glassbox"] = state.history["train_loss"]

    evaluation = WindowSampler(validation_tokens, 64, config.batch_size, seed=12345)
    eval_batches = [evaluation.sample() for _ in range(50)]
    trained_by_torch = GPT(model_config, seed=0)
    trained_by_torch.load_state_dict(
        {name: reference.p(name).detach().numpy() for name, _ in model.named_parameters()}
    )
    ms = {engine: 1000 * s / iters for engine, s in seconds.items()}
    print(f"\n{'engine':<10} {'ms/iter':>9} {'first loss':>11} {'last loss':>10} {'val loss':>9}")
    for engine, trained in (("glassbox", model), ("torch", trained_by_torch)):
        value = validation_loss(trained, eval_batches)
        tail = float(np.mean(losses[engine][-BLOCK:]))
        print(
            f"{engine:<10} {ms[engine]:>9.1f} {losses[engine][0]:>11.4f} {tail:>10.4f} "
            f"{value:>9.4f}"
        )
    ratio = ms["glassbox"] / ms["torch"]
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(f"ratio glassbox / torch: {ratio:.2f}x (target <= 1.5x: {verdict})")
    prompt = tokenizer.encode("def ")
    for engine, trained in (("glassbox", model), ("torch", trained_by_torch)):
        sample = tokenizer.decode(trained.generate(prompt, 200, temperature=0.8, top_k=20, seed=0))
        print(f"\n--- sample, {engine}-trained weights ---\n{sample}")


if __name__ == "__main__":
    main()
