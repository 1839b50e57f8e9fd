"""Training the sequence layers on small seeded tasks, through the one descent loop.

Every task trains with ``glassbox.optim.descend`` and the existing optimizer transforms (Adam,
clipping by global norm); the module is driven through a small :class:`ModuleObjective`
(load the parameters, forward, backward, return the gradients), written here until the
reusable adapter of ``glassbox.nn.training`` lands.

The thresholds are the issue's: a Conv1D classifier above 95% on held-out signals, an LSTM
on the adding problem (length 50) well below the trivial MSE of 1/6, and a character LSTM
whose held-out loss falls below the unigram entropy of its text. Each is far from what an
untrained network scores (chance 1/3; MSE ≈ 0.17; the uniform loss ln V), so a broken
gradient fails them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox.autograd import Tensor, no_grad
from glassbox.nn import (
    LSTM,
    Conv1D,
    GlobalAveragePooling1D,
    MaxPool1D,
    Module,
    Parameter,
)
from glassbox.optim import adam, chain, clip_by_global_norm, descend

Loss = Callable[..., Tensor]


@pytest.fixture(autouse=True)
def one_blas_thread() -> Iterator[None]:
    """These matrices are small: a second BLAS thread only adds waiting (and on a busy
    machine, a lot of it), so the tests run single-threaded."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        limits: Any = contextlib.nullcontext()
    else:
        limits = threadpool_limits(1)
    with limits:
        yield


class ModuleObjective:
    """The mean loss of ``module`` over rows of ``data``, as ``descend`` wants it."""

    def __init__(self, module: Module, loss: Loss, data: tuple[np.ndarray, ...]) -> None:
        self.module, self.loss, self.data = module, loss, data
        self.parameters = module.parameters()
        self.n_samples = len(data[0])

    def initial(self) -> tuple[np.ndarray, ...]:
        return tuple(p.data.copy() for p in self.parameters)

    def load(self, params: tuple[np.ndarray, ...]) -> None:
        for parameter, value in zip(self.parameters, params):
            parameter.data = value

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        self.load(params)
        with no_grad():
            return self.loss(self.module, *(a[rows] for a in self.data)).item()

    def value_and_grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[float, Any]:
        self.load(params)
        self.module.zero_grad()
        loss = self.loss(self.module, *(a[rows] for a in self.data))
        loss.backward()
        grads = tuple(np.zeros_like(p.data) if p.grad is None else p.grad for p in self.parameters)
        return loss.item(), grads

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> Any:
        return self.value_and_grad(params, rows)[1]


def train(module: Module, loss: Loss, data: tuple[np.ndarray, ...], **options: Any) -> None:
    """Fit ``module`` in place with :func:`glassbox.optim.descend`."""
    objective = ModuleObjective(module, loss, data)
    run = descend(
        objective,
        objective.initial(),
        check_convergence=False,
        rng=np.random.default_rng(0),
        **options,
    )
    objective.load(run.params)


class Linear(Module):
    """z = x Wᵀ + b (the dense layer lives with another issue; this keeps the test local)."""

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator) -> None:
        super().__init__()
        bound = 1 / np.sqrt(n_in)
        self.weight = Parameter(rng.uniform(-bound, bound, (n_out, n_in)))
        self.bias = Parameter(np.zeros(n_out))

    def forward(self, x: Any) -> Tensor:
        return x @ self.weight.T + self.bias


def cross_entropy(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Mean −log softmax(logits)[label] over every position."""
    log_p = ag.log_softmax(logits, axis=-1)
    return -ag.gather(log_p, labels[..., None], axis=-1).mean()


# --- Conv1D: sine, square and sawtooth with noise --------------------------------------------


def signals(n: int, rng: np.random.Generator, length: int = 64) -> tuple[np.ndarray, ...]:
    labels = rng.integers(0, 3, n)
    cycles = rng.uniform(1.5, 4.0, (n, 1)) * np.arange(length) / length + rng.uniform(0, 1, (n, 1))
    sine = np.sin(2 * np.pi * cycles)
    waves = np.stack([sine, np.sign(sine), 2 * (cycles % 1) - 1])  # (3, n, length)
    x = waves[labels, np.arange(n)] + 0.3 * rng.standard_normal((n, length))
    return x[:, :, None].astype(np.float32), labels


class SignalNet(Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.conv1 = Conv1D(8, 5, padding="same", in_channels=1, rng=rng)
        self.pool = MaxPool1D(2)
        self.conv2 = Conv1D(16, 5, in_channels=8, rng=rng)
        self.average = GlobalAveragePooling1D()
        self.head = Linear(16, 3, rng)

    def forward(self, x: Any) -> Tensor:
        hidden = self.pool(ag.relu(self.conv1(x)))  # (B, 64, 8) -> (B, 32, 8)
        hidden = ag.relu(self.conv2(hidden))  # (B, 28, 16)
        return self.head(self.average(hidden))  # (B, 16) -> (B, 3)


def test_conv1d_separates_signal_shapes() -> None:
    rng = np.random.default_rng(0)
    x, y = signals(600, rng)
    net = SignalNet(rng).astype(np.float32)
    train(
        net,
        lambda m, x, y: cross_entropy(m(x), y),
        (x[:300], y[:300]),
        optimizer=adam(0.01),
        batch_size=32,
        max_epochs=25,
    )
    with no_grad():
        accuracy = float((net(x[300:]).data.argmax(axis=1) == y[300:]).mean())
    assert accuracy > 0.95


# --- LSTM: the adding problem ----------------------------------------------------------------


def adding_problem(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Values U(0, 1) and a marker channel with two ones, one in each half; the target is
    the sum of the two marked values. Always answering its mean 1 scores Var = 2/12 ≈ 0.167."""
    values = rng.uniform(0, 1, (n, steps))
    markers = np.zeros((n, steps))
    first = rng.integers(0, steps // 2, n)
    second = rng.integers(steps // 2, steps, n)
    markers[np.arange(n), first] = 1
    markers[np.arange(n), second] = 1
    x = np.stack([values, markers], axis=2).astype(np.float32)
    y = (values[np.arange(n), first] + values[np.arange(n), second])[:, None]
    return x, y.astype(np.float32)


class Adder(Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.lstm = LSTM(32, input_size=2, rng=rng)
        self.head = Linear(32, 1, rng)

    def forward(self, x: Any) -> Tensor:
        return self.head(self.lstm(x))


def test_lstm_solves_the_adding_problem() -> None:
    rng = np.random.default_rng(1)
    x, y = adding_problem(1500, 50, rng)
    net = Adder(rng).astype(np.float32)
    train(
        net,
        lambda m, x, y: ((m(x) - y) ** 2).mean(),
        (x[:1000], y[:1000]),
        optimizer=chain(clip_by_global_norm(1.0), adam(0.01)),
        batch_size=50,
        max_epochs=34,
    )
    with no_grad():
        mse = float(((net(x[1000:]).data - y[1000:]) ** 2).mean())
    assert mse < 0.167 / 4


# --- a character-level LSTM language model ---------------------------------------------------


def sentences(n: int, rng: np.random.Generator) -> str:
    subjects = ["the cat", "a dog", "the bird", "my fox"]
    verbs = ["sat on", "ran to", "looked at", "jumped over"]
    objects = ["the mat", "a log", "the tree", "my box"]
    return "".join(
        f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}. " for _ in range(n)
    )


def windows(text: str, vocabulary: str, width: int) -> tuple[np.ndarray, ...]:
    ids = np.array([vocabulary.index(c) for c in text])
    starts = np.arange(0, len(ids) - width - 1, width)
    inputs = ids[starts[:, None] + np.arange(width)]
    targets = ids[starts[:, None] + np.arange(1, width + 1)]
    one_hot = np.eye(len(vocabulary), dtype=np.float32)[inputs]  # (windows, width, V)
    return one_hot, targets


class CharModel(Module):
    def __init__(self, n_tokens: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.lstm = LSTM(32, input_size=n_tokens, return_sequences=True, rng=rng)
        self.head = Linear(32, n_tokens, rng)

    def forward(self, x: Any) -> Tensor:
        return self.head(self.lstm(x))  # (B, T, 32) -> (B, T, V) logits


def test_char_lstm_beats_the_unigram_entropy() -> None:
    rng = np.random.default_rng(2)
    text, held_out = sentences(150, rng), sentences(40, rng)
    vocabulary = "".join(sorted(set(text + held_out)))
    counts = np.array([text.count(c) for c in vocabulary], dtype=float)
    p = counts[counts > 0] / counts.sum()
    unigram_entropy = float(-(p * np.log(p)).sum())  # nats per character
    net = CharModel(len(vocabulary), rng).astype(np.float32)
    train(
        net,
        lambda m, x, y: cross_entropy(m(x), y),
        windows(text, vocabulary, 24),
        optimizer=chain(clip_by_global_norm(1.0), adam(0.02)),
        batch_size=16,
        max_epochs=10,
    )
    x, targets = windows(held_out, vocabulary, 24)
    with no_grad():
        loss = cross_entropy(net(x), targets).item()
    # far below: the sentences are mostly determined by their first letters
    assert loss < 0.75 * unigram_entropy


@pytest.mark.parametrize("bad", ["rank", "length"])
def test_training_data_errors_surface_clearly(bad: str) -> None:
    net = Adder(np.random.default_rng(0))
    x = np.zeros((4, 10)) if bad == "rank" else np.zeros((4, 10, 3))
    message = r"\(batch, time, features\)" if bad == "rank" else "built for 2 input features"
    with pytest.raises(ValueError, match=message):
        ModuleObjective(net, lambda m, x: m(x).sum(), (x,)).value_and_grad(
            tuple(p.data for p in net.parameters()), slice(None)
        )
