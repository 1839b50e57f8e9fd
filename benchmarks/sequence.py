"""One training step of sequence networks: glassbox against PyTorch, same run, same shapes.

    python benchmarks/sequence.py            # 50 timed steps each
    python benchmarks/sequence.py --quick    # 15 timed steps each

* LSTM: LSTM(32 -> 128) over sequences of 64 steps, batch 32, the last hidden state through a
  linear head to one number, mean squared error, one Adam update (issue target: within 2x of
  torch's step time).
* Conv1D: two Conv1D layers (8 -> 32 -> 32 channels, kernel 5, padding "same", ReLU) on
  length 256, batch 64, global average pooling, a linear head to 3 classes, cross-entropy,
  one Adam update (target: within 1.5x).

A step is forward, backward and the optimizer update, float32 on both sides; the median of the
timed steps is reported after warm-up steps, the two engines interleaved step by step. Both
engines get the same threads (``--threads``, default 2: OPENBLAS/OMP/MKL_NUM_THREADS for
NumPy, ``torch.set_num_threads`` for torch). On a machine shared with other work, use
``--threads=1``: two threads on two busy cores measure the contention, not the engines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if __name__ == "__main__":  # pin the BLAS threads before NumPy loads
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "2")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

from collections.abc import Callable
from typing import Any

import numpy as np

import glassbox.autograd as ag
from glassbox.nn import LSTM, Conv1D, GlobalAveragePooling1D, Module, Parameter
from glassbox.optim import adam, apply_updates


class Head(Module):
    """z = x Wᵀ + b (a linear layer, written here so the benchmark needs only this issue's)."""

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator) -> None:
        super().__init__()
        bound = 1 / np.sqrt(n_in)
        self.weight = Parameter(rng.uniform(-bound, bound, (n_out, n_in)))
        self.bias = Parameter(rng.uniform(-bound, bound, n_out))

    def forward(self, x: Any) -> ag.Tensor:
        return x @ self.weight.T + self.bias


class LSTMRegressor(Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.lstm = LSTM(128, input_size=32, rng=rng)
        self.head = Head(128, 1, rng)

    def forward(self, x: Any) -> ag.Tensor:
        return self.head(self.lstm(x))


class ConvClassifier(Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.conv1 = Conv1D(32, 5, padding="same", in_channels=8, rng=rng)
        self.conv2 = Conv1D(32, 5, padding="same", in_channels=32, rng=rng)
        self.pool = GlobalAveragePooling1D()
        self.head = Head(32, 3, rng)

    def forward(self, x: Any) -> ag.Tensor:
        return self.head(self.pool(ag.relu(self.conv2(ag.relu(self.conv1(x))))))


def glassbox_step(model: Module, loss: Callable[[ag.Tensor], ag.Tensor], x: np.ndarray):
    """A closure doing one forward, backward and Adam update (glassbox.optim's adam)."""
    parameters = model.parameters()
    optimizer = adam(1e-3)
    state = [optimizer.init(tuple(p.data for p in parameters))]

    def step() -> None:
        model.zero_grad()
        loss(model(x)).backward()
        params = tuple(p.data for p in parameters)
        grads = tuple(p.grad for p in parameters)
        updates, state[0] = optimizer.update(grads, state[0], params)
        for parameter, value in zip(parameters, apply_updates(params, updates)):
            parameter.data = value

    return step


def torch_step(model: Any, loss: Callable[[Any], Any], x: Any):
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        optimizer.zero_grad()
        loss(model(x)).backward()
        optimizer.step()

    return step


def compare(
    ours: Callable[[], None], theirs: Callable[[], None], repeats: int
) -> tuple[float, float]:
    """Median step times, the two engines interleaved step by step so that a busy machine
    slows both alike."""
    for _ in range(3):  # warm-up
        ours()
        theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for step, record in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            step()
            record.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def lstm_case(rng: np.random.Generator):
    import torch

    x = rng.standard_normal((32, 64, 32)).astype(np.float32)
    y = rng.standard_normal((32, 1)).astype(np.float32)
    ours = LSTMRegressor(rng).astype(np.float32)

    class TorchLSTM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(32, 128, batch_first=True)
            self.head = torch.nn.Linear(128, 1)

        def forward(self, x: Any) -> Any:
            _, (h_n, _) = self.lstm(x)
            return self.head(h_n[0])

    theirs = TorchLSTM()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    ty = torch.tensor(y)
    return (
        glassbox_step(ours, lambda out: ((out - y) ** 2).mean(), x),
        torch_step(theirs, lambda out: ((out - ty) ** 2).mean(), torch.tensor(x)),
    )


def conv_case(rng: np.random.Generator):
    import torch

    x = rng.standard_normal((64, 256, 8)).astype(np.float32)
    labels = rng.integers(0, 3, 64)
    ours = ConvClassifier(rng).astype(np.float32)

    def our_loss(logits: ag.Tensor) -> ag.Tensor:
        log_p = ag.log_softmax(logits, axis=1)
        return -ag.gather(log_p, labels[:, None], axis=1).mean()

    class TorchConv(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = torch.nn.Conv1d(8, 32, 5, padding="same")
            self.conv2 = torch.nn.Conv1d(32, 32, 5, padding="same")
            self.head = torch.nn.Linear(32, 3)

        def forward(self, x: Any) -> Any:  # torch's layout: (batch, channels, length)
            hidden = torch.relu(self.conv2(torch.relu(self.conv1(x))))
            return self.head(hidden.mean(dim=2))

    theirs = TorchConv()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    tx = torch.tensor(np.ascontiguousarray(x.transpose(0, 2, 1)))
    tlabels = torch.tensor(labels)
    return (
        glassbox_step(ours, our_loss, x),
        torch_step(theirs, lambda out: torch.nn.functional.cross_entropy(out, tlabels), tx),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timed steps")
    parser.add_argument("--threads", default="2", help="threads for both engines")
    args, _ = parser.parse_known_args()
    import torch

    torch.set_num_threads(int(args.threads))
    repeats = 15 if args.quick else 50
    rng = np.random.default_rng(0)
    targets = {"LSTM(32->128), T=64, batch 32": 2.0, "Conv1D x2, L=256, batch 64": 1.5}
    cases = dict(zip(targets, (lstm_case(rng), conv_case(rng))))
    print(f"one training step (forward, backward, Adam), float32, {args.threads} threads, ")
    print(f"median of {repeats} steps\n")
    print(f"{'network':<32} {'glassbox ms':>12} {'torch ms':>10} {'ratio':>7} {'target':>7}")
    for name, (ours, theirs) in cases.items():
        ours_time, torch_time = compare(ours, theirs, repeats)
        ratio = ours_time / torch_time
        print(
            f"{name:<32} {1e3 * ours_time:>12.2f} {1e3 * torch_time:>10.2f} "
            f"{ratio:>7.2f} {targets[name]:>6.1f}x"
        )


if __name__ == "__main__":
    main()
