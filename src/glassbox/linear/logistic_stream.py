"""Logistic regression by mini-batch descent over a stream of row chunks.

The objective is the in-memory one, eq. (3) of :mod:`glassbox.linear.logistic_loss`, with
sᵢ = wᵢ γ_{yᵢ} / S (sample weight times class weight, S their sum over all n rows):

    f(W) = Σᵢ sᵢ ℓᵢ(W) + ½ l2 ‖W_pen‖².                                                  (1)

The data arrive chunk by chunk (Dask partitions), so everything that must describe the whole
data set is fixed beforehand from its statistics (one pass of merged sufficient statistics,
:mod:`glassbox.distributed.statistics`, and one pass for the largest row norm), never from the
first chunk. The descent runs on standardized features, with the weighted means μ and
standard deviations σ of all rows (root mean squares about 0 without an intercept):

    zᵢ = (xᵢ − μ) / σ,     w_k = w̃_k / σ,     b_k = b̃_k − μᵀ(w̃_k / σ),                  (2)

an exact change of variables: the margins are unchanged, and the penalty becomes
½ Σ_kj λⱼ w̃_kj² with λⱼ = l2 / σⱼ² (the intercept b̃ unpenalized), so the minimizer of (1)
maps to the minimizer here. A batch B of m rows estimates (1) without bias by

    f_B(W̃) = (1/m) Σ_{i∈B} n sᵢ ℓᵢ + ½ Σ_kj λⱼ w̃_kj²                                    (3)

(eq. (3) of :mod:`glassbox.linear.logistic_descent`), and each batch takes one step of
glassbox's SGD transform,

    W̃ ← W̃ − η_t (m / b) ∇f_B(W̃).                                                        (4)

A chunk's last batch may hold m < b rows (a partition of 3 rows is one batch of 3), and the
factor m/b makes it a part of a step: its curvature is then below that of any full batch
holding its rows, so the step size of b-row batches is safe for it, and however the rows are
chunked the steps of an epoch add up to (n/b) ∇f at a fixed W̃. (With 1/m instead, a one-row
partition would take a full step on n sᵢ ℓᵢ, whose curvature is up to n times the mean's.)

Step size ("auto"): η_t = η₀ / (1 + 0.1 t / T), η₀ = 1 / L_b, with L = c λ_max(Z̃ᵀ S Z̃) +
maxⱼ λⱼ from the merged statistics (c = ¼ sigmoid, ½ softmax) and L_b its mini-batch bound,
derived in :mod:`glassbox.linear.logistic_descent`; here T = Σ_c ⌈n_c / b⌉ steps per epoch
over chunks of n_c rows. Eqs. (2)–(4) and this step are those of the in-memory descent,
whose code (:class:`LogisticScaling`, the batch loss, the step size) this module runs: on a
single chunk with the same ``random_state`` (whose permutation of one chunk draws nothing)
the two take the same steps.

Row order. Every epoch draws a permutation of the chunks, then, as each chunk arrives, a
permutation of its rows, both from one ``numpy.random.Generator`` seeded by ``random_state``;
batches are consecutive runs of ``batch_size`` rows within a chunk (the last one of a chunk
may be shorter). The same seed and chunking give the same coefficients.

Stopping. A streamed epoch has no full-data loss at its end without another pass, so the
epoch's loss is the running mean Σ_B (m/n) f_B, each batch's loss taken before its step
(scikit-learn's SGD does the same). The descent stops when that loss has not improved on its
best by more than ``tol`` relative for ``patience`` epochs in a row (the plateau rule of the
in-memory logistic descent, with its patience: 5 epochs or 1000 steps, whichever is longer),
or after ``max_epochs``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from glassbox.exceptions import DivergenceError
from glassbox.linear.logistic_descent import (
    _PATIENCE_STEPS,
    LogisticScaling,
    batch_value_grad,
    check_batch_size,
    check_learning_rate,
    descent_rate,
    penalty_strengths,
)
from glassbox.optim.schedules import LearningRate, as_schedule
from glassbox.optim.transforms import GradientTransformation, get_optimizer

__all__ = [
    "LogisticDescentState",
    "LogisticScaling",
    "StreamResult",
    "check_batch_size",
    "check_learning_rate",
    "fit_logistic_chunks",
    "partial_fit_logistic_descent",
    "start_logistic_descent",
    "stream_logistic_descent",
]

Chunk = tuple[np.ndarray, np.ndarray, np.ndarray | None]  # X (m, p), class indices (m,), w


@dataclass
class LogisticDescentState:
    """Everything a later chunk needs to continue the descent exactly where it stopped."""

    scaling: LogisticScaling
    n_classes: int
    n_samples: int  # n of eq. (3), all rows of the data set
    weight_total: float  # S of eq. (1)
    strengths: np.ndarray  # λ of eq. (2) on the flattened (K, d) coefficients
    params: np.ndarray  # W̃ flattened (K, d)
    optimizer: GradientTransformation
    optimizer_state: Any
    learning_rate: LearningRate
    batch_size: int
    steps_per_epoch: int
    rng: np.random.Generator
    n_steps: int = 0
    epoch_loss: float = 0.0  # Σ_B m f_B over this epoch's batches so far
    epoch_rows: int = 0

    @property
    def n_outputs(self) -> int:
        """Number of outputs K: 1 for two classes, else one per class."""
        return 1 if self.n_classes == 2 else self.n_classes

    def coef_intercept(self) -> tuple[np.ndarray, np.ndarray]:
        """The current (coef (K, p), intercept (K,)) in original units, eq. (2)."""
        return self.scaling.to_original(self.params.reshape(self.n_outputs, -1))


def start_logistic_descent(
    statistics: Any,
    scaling: LogisticScaling,
    *,
    row_smoothness: float,
    steps_per_epoch: int,
    n_classes: int,
    l2: float,
    batch_size: int,
    learning_rate: Any = "auto",
    random_state: Any = None,
) -> LogisticDescentState:
    """The state before the first step: W̃ = 0, η₀ of the step-size rule, the seeded generator.

    ``statistics`` are the merged statistics of X weighted by wᵢ γ_{yᵢ} (count n, weight sum
    S), ``scaling`` their :class:`LogisticScaling`, ``row_smoothness`` the largest
    wᵢ γ_{yᵢ} ‖z̃ᵢ‖² over all rows and ``steps_per_epoch`` T (module docstring).
    """
    n_samples, total = int(statistics.count), float(statistics.weight_sum)
    batch = check_batch_size(batch_size, n_samples)
    given = check_learning_rate(learning_rate)
    K = 1 if n_classes == 2 else n_classes
    strengths = penalty_strengths(scaling, l2, K)  # λ of eq. (2); the intercept is free
    rate: LearningRate = (
        descent_rate(  # η₀ = 1/L_b, shared with the in-memory descent
            scaling,
            n_classes=n_classes,
            l2=l2,
            n_samples=n_samples,
            row_smoothness=row_smoothness / total,
            batch=batch,
            steps_per_epoch=steps_per_epoch,
        )
        if given is None
        else given
    )
    optimizer = get_optimizer("sgd", rate)
    params = np.zeros(strengths.size)
    return LogisticDescentState(
        scaling=scaling,
        n_classes=n_classes,
        n_samples=n_samples,
        weight_total=total,
        strengths=strengths,
        params=params,
        optimizer=optimizer,
        optimizer_state=optimizer.init((params,)),
        learning_rate=rate,
        batch_size=batch,
        steps_per_epoch=steps_per_epoch,
        rng=np.random.default_rng(random_state),
    )


def partial_fit_logistic_descent(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    state: LogisticDescentState,
) -> LogisticDescentState:
    """One pass of mini-batch steps, eq. (4), over one chunk, continuing from ``state``.

    X : (m, p) float64; y : (m,) class indices in [0, n_classes); weights : (m,) wᵢ γ_{yᵢ}
    (None: ones). The rows are visited in a permutation drawn from ``state.rng``, in batches
    of ``state.batch_size``; returns the new state (the input is not modified).
    """
    m_rows = len(X)
    if m_rows == 0:
        return state
    order = state.rng.permutation(m_rows)
    Z = state.scaling.design(X[order])  # (m, p), rows in visiting order
    index = np.asarray(y, dtype=np.intp)[order]
    target = (
        (index == 1).astype(np.float64) if state.n_classes == 2 else np.eye(state.n_classes)[index]
    )
    s = np.ones(m_rows) if weights is None else np.asarray(weights, dtype=np.float64)[order]
    s = s * (state.n_samples / state.weight_total)  # n sᵢ of eq. (3)
    w, opt_state = state.params, state.optimizer_state
    strengths = state.strengths
    loss_sum, n_steps = state.epoch_loss, state.n_steps
    b = state.batch_size
    for start in range(0, m_rows, b):
        rows = slice(start, start + b)
        m = len(s[rows])
        value, grad = batch_value_grad(  # eq. (3)
            Z[rows], target[rows], s[rows], strengths, w, state.scaling.fit_intercept
        )
        loss_sum += m * value
        grad *= m / b  # eq. (4): a short batch is part of a step
        (update,), opt_state = state.optimizer.update((grad,), opt_state, (w,))
        w = w + update
        n_steps += 1
    return replace(
        state,
        params=w,
        optimizer_state=opt_state,
        n_steps=n_steps,
        epoch_loss=loss_sum,
        epoch_rows=state.epoch_rows + m_rows,
    )


@dataclass
class StreamResult:
    """The outcome of :func:`stream_logistic_descent` (coefficients in original units)."""

    coef: np.ndarray  # (K, p)
    intercept: np.ndarray  # (K,)
    n_epochs: int
    converged: bool
    state: LogisticDescentState
    history: dict[str, list[float]] = field(default_factory=dict)


def stream_logistic_descent(
    read_epoch: Callable[[np.ndarray], Iterable[Chunk]],
    n_chunks: int,
    state: LogisticDescentState,
    *,
    max_epochs: int,
    tol: float,
) -> StreamResult:
    """Epochs of :func:`partial_fit_logistic_descent` over every chunk, until the plateau rule.

    ``read_epoch(order)`` yields the chunks (X, class indices, wᵢ γ_{yᵢ}) in the given order
    (a permutation of ``range(n_chunks)`` drawn from ``state.rng`` every epoch); a Dask reader
    fetches the next partition while one is used.
    """
    patience = max(5, math.ceil(_PATIENCE_STEPS / max(1, state.steps_per_epoch)))
    schedule = as_schedule(state.learning_rate)
    history: dict[str, list[float]] = {"epoch": [], "train_loss": [], "learning_rate": []}
    best, stale, converged, epochs = math.inf, 0, False, 0
    while epochs < max_epochs and not converged:
        order = state.rng.permutation(n_chunks)
        state = replace(state, epoch_loss=0.0, epoch_rows=0)
        for X, y, weights in read_epoch(order):
            state = partial_fit_logistic_descent(X, y, weights, state=state)
        epochs += 1
        loss = state.epoch_loss / max(1, state.epoch_rows)  # Σ_B (m/n) f_B
        if not math.isfinite(loss):
            raise DivergenceError(
                f"Mini-batch descent diverged in epoch {epochs}: the training loss became "
                "non-finite. Pass a smaller learning_rate, or learning_rate='auto'."
            )
        history["epoch"].append(epochs)
        history["train_loss"].append(loss)
        history["learning_rate"].append(float(schedule(max(state.n_steps - 1, 0))))
        if loss < best - tol * abs(best if math.isfinite(best) else loss):
            best, stale = loss, 0
        else:
            stale += 1
        converged = stale >= patience
    coef, intercept = state.coef_intercept()
    return StreamResult(coef, intercept, epochs, converged, state, history)


def fit_logistic_chunks(
    chunks: list[Chunk],
    *,
    n_classes: int,
    l2: float,
    fit_intercept: bool = True,
    batch_size: int = 32,
    learning_rate: Any = "auto",
    max_epochs: int = 100,
    tol: float = 1e-4,
    random_state: Any = None,
) -> StreamResult:
    """The streamed descent over chunks held in memory: the statistics, the row norms and the
    epochs computed as the Dask backend computes them from its partitions (its reference).

    ``l2`` is on the scale of eq. (1): 1 / (C S) for scikit-learn's C.
    """
    from glassbox.distributed.statistics import chunk_statistics, merge_all

    batch = check_batch_size(batch_size)
    parts = [
        chunk_statistics(X, np.empty((len(X), 0)), np.ones(len(X)) if w is None else w, index)
        for index, (X, _, w) in enumerate(chunks)
    ]
    statistics = merge_all(parts)
    scaling = LogisticScaling.from_statistics(statistics, fit_intercept)
    largest = max(
        scaling.row_smoothness(X, np.ones(len(X)) if w is None else w) for X, _, w in chunks
    )
    steps = sum(-(-len(X) // batch) for X, _, _ in chunks)
    state = start_logistic_descent(
        statistics,
        scaling,
        row_smoothness=largest,
        steps_per_epoch=steps,
        n_classes=n_classes,
        l2=l2,
        batch_size=batch,
        learning_rate=learning_rate,
        random_state=random_state,
    )

    def read_epoch(order: np.ndarray) -> Iterable[Chunk]:
        return (chunks[i] for i in order)

    return stream_logistic_descent(read_epoch, len(chunks), state, max_epochs=max_epochs, tol=tol)
