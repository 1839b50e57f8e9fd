"""One epoch of an MLP through glassbox.autograd, against PyTorch and hand-written NumPy.

Usage: ``python benchmarks/autograd.py [--quick] [--repeats N] [--threads N]``

The network is 784-256-10 (ReLU, softmax cross-entropy), trained with Adam (η = 10⁻³) at batch
64 for one epoch over 60,000 x 784 float32 rows (``--quick``: 10,000) with labels from a fixed
random teacher network. Every engine starts from the same weights and visits the rows in the
same seeded order:

* PyTorch: ``nn.Sequential(Linear, ReLU, Linear)``, ``CrossEntropyLoss``, ``torch.optim.Adam``;
* hand-written NumPy: forward, backward and Adam written out by hand, updated in place;
* glassbox: the loss written with ``glassbox.autograd`` ops, gradients by ``backward()``, and the
  epoch run by ``glassbox.optim.descend`` with its Adam (``epoch_loss="batches"``).

It prints the best of ``--repeats`` epochs for each and the ratios to PyTorch, the final
training losses (they agree: the same algorithm), and the engine's per-operation overhead: a
graph of many tiny operations, forward and backward, against the same NumPy calls alone.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

if __name__ == "__main__":  # pin every engine to the same thread count before they load
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "2")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np

import glassbox.autograd as ag
from glassbox.optim import descend

BATCH, HIDDEN, CLASSES, LEARNING_RATE = 64, 256, 10, 1e-3


def make_data(n_samples: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 784)).astype(np.float32)
    teacher = rng.standard_normal((784, CLASSES)).astype(np.float32)
    y = np.argmax(X @ teacher + rng.standard_normal((n_samples, CLASSES)), axis=1)
    return X, y


def initial_weights(seed: int = 1):
    """torch.nn.Linear's default: U(−1/√fan_in, 1/√fan_in) for weights and biases."""
    rng = np.random.default_rng(seed)
    bound1, bound2 = 1 / np.sqrt(784), 1 / np.sqrt(HIDDEN)
    return tuple(
        rng.uniform(-b, b, shape).astype(np.float32)
        for b, shape in (
            (bound1, (784, HIDDEN)),
            (bound1, HIDDEN),
            (bound2, (HIDDEN, CLASSES)),
            (bound2, CLASSES),
        )
    )


def epoch_order(n_samples: int, seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n_samples)


# --- glassbox --------------------------------------------------------------------------------


class MLPObjective:
    """Mean softmax cross-entropy of the network over rows, by glassbox.autograd."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y, self.n_samples = X, y, len(X)

    def loss(self, params, rows):
        W1, b1, W2, b2 = params
        hidden = ag.relu(self.X[rows] @ W1 + b1)  # (B, 784) @ (784, 256) -> (B, 256)
        log_p = ag.log_softmax(hidden @ W2 + b2, axis=1)  # (B, 10)
        return -ag.gather(log_p, self.y[rows][:, None], axis=1).mean()

    def value_and_grad(self, params, rows):
        return ag.value_and_grad(self.loss)(params, rows)

    def grad(self, params, rows):
        return self.value_and_grad(params, rows)[1]

    def value(self, params, rows):
        with ag.no_grad():
            return float(self.loss(params, rows).item())


class FixedOrder:
    """A generator whose permutation is the benchmark's order (all engines see the same)."""

    def __init__(self, order: np.ndarray) -> None:
        self.order = order

    def permutation(self, n: int) -> np.ndarray:
        return self.order


def glassbox_epoch(X, y, weights, order):
    start = time.perf_counter()
    run = descend(
        MLPObjective(X, y),
        weights,
        optimizer="adam",
        learning_rate=LEARNING_RATE,
        batch_size=BATCH,
        max_epochs=1,
        epoch_loss="batches",
        check_convergence=False,
        rng=FixedOrder(order),  # type: ignore[arg-type]
    )
    return time.perf_counter() - start, run.history["train_loss"][-1]


# --- hand-written NumPy ----------------------------------------------------------------------


def numpy_epoch(X, y, weights, order):
    W1, b1, W2, b2 = (w.copy() for w in weights)
    params = [W1, b1, W2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1_, b2_, eps = 0.9, 0.999, 1e-8
    losses, t = [], 0
    start = time.perf_counter()
    for first in range(0, len(X), BATCH):
        rows = order[first : first + BATCH]
        xb, yb = X[rows], y[rows]
        pre = xb @ W1 + b1
        hidden = np.maximum(pre, 0)
        logits = hidden @ W2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probs = exp / exp.sum(axis=1, keepdims=True)
        n = len(rows)
        losses.append(-np.log(probs[np.arange(n), yb]).mean() * n)
        d_logits = probs
        d_logits[np.arange(n), yb] -= 1
        d_logits /= n
        grads = [None, None, hidden.T @ d_logits, d_logits.sum(axis=0)]
        d_hidden = d_logits @ W2.T
        d_hidden *= pre > 0
        grads[0], grads[1] = xb.T @ d_hidden, d_hidden.sum(axis=0)
        t += 1
        c1, c2 = 1 - b1_**t, math.sqrt(1 - b2_**t)  # Python floats keep float32
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= b1_
            mi += (1 - b1_) * g
            vi *= b2_
            vi += (1 - b2_) * g * g
            p -= LEARNING_RATE * (mi / c1) / (np.sqrt(vi) / c2 + eps)
    return time.perf_counter() - start, float(np.sum(losses) / len(X))


# --- PyTorch ---------------------------------------------------------------------------------


def torch_epoch(X, y, weights, order, threads):
    import torch

    torch.set_num_threads(threads)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES)
    )
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(weights[0].T.copy()))
        model[0].bias.copy_(torch.from_numpy(weights[1]))
        model[2].weight.copy_(torch.from_numpy(weights[2].T.copy()))
        model[2].bias.copy_(torch.from_numpy(weights[3]))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt, ot = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(order)
    total = 0.0
    start = time.perf_counter()
    for first in range(0, len(X), BATCH):
        rows = ot[first : first + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(Xt[rows]), yt[rows])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(rows)
    return time.perf_counter() - start, total / len(X)


# --- per-operation overhead ------------------------------------------------------------------


def overhead(n_ops: int = 3000, repeats: int = 5) -> tuple[float, float]:
    """Seconds per operation: (glassbox forward + backward, NumPy forward) on 4-element arrays."""
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal(4), rng.standard_normal(4)

    def ours():
        a, b = ag.Tensor(a0, requires_grad=True), ag.Tensor(b0, requires_grad=True)
        x = a
        for _ in range(n_ops // 3):
            x = ag.tanh(x * b + a)
        x.sum().backward()

    def plain():
        x = a0
        for _ in range(n_ops // 3):
            x = np.tanh(x * b0 + a0)

    def best(fn):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times) / n_ops

    return best(ours), best(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows instead of 60,000")
    parser.add_argument("--repeats", type=int, default=2, help="epochs timed per engine (best)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", 2)))
    args = parser.parse_args()
    n_samples = 10_000 if args.quick else 60_000
    X, y = make_data(n_samples)
    weights, order = initial_weights(), epoch_order(n_samples)
    print(
        f"MLP 784-{HIDDEN}-{CLASSES}, Adam, batch {BATCH}, one epoch of {n_samples:,} x 784 "
        f"float32, {args.threads} threads, best of {args.repeats}"
    )
    results = {}
    for name, run in (
        ("PyTorch", lambda: torch_epoch(X, y, weights, order, args.threads)),
        ("NumPy by hand", lambda: numpy_epoch(X, y, weights, order)),
        ("glassbox.autograd", lambda: glassbox_epoch(X, y, weights, order)),
    ):
        timings = [run() for _ in range(args.repeats)]
        results[name] = (min(t for t, _ in timings), timings[-1][1])
    reference = results["PyTorch"][0]
    print(f"{'engine':<20}{'epoch (s)':>11}{'x PyTorch':>11}{'mean loss':>12}")
    for name, (seconds, loss) in results.items():
        print(f"{name:<20}{seconds:>11.3f}{seconds / reference:>11.2f}{loss:>12.5f}")
    ours, plain = overhead()
    print(
        f"per-operation overhead: glassbox {ours * 1e6:.2f} µs per op (forward + backward) vs "
        f"NumPy {plain * 1e6:.2f} µs (forward only) on 4-element arrays"
    )


if __name__ == "__main__":
    main()
