"""Logistic regression by mini-batch descent, streaming the partitions through the driver.

The descent is :mod:`glassbox.linear.logistic_stream`'s, on eq. (1) of
:mod:`glassbox.distributed.logistic`; the cluster provides its whole-data quantities and its
rows:

* pass 0 (:func:`~glassbox.distributed.logistic.label_pass`): the classes, γ and S;
* pass 1: the sufficient statistics of X weighted by sᵢ ∝ wᵢ γ_{yᵢ}, merged by the
  Chan–Golub–LeVeque update (:mod:`glassbox.distributed.statistics`): exact weighted means,
  standard deviations and correlation matrix, hence the standardization and the bound L of
  eq. (5) there;
* pass 2: the largest wᵢ γ_{yᵢ} ‖z̃ᵢ‖² (L_max) and the rows of every partition (the steps per
  epoch T);
* then one pass per epoch: the partitions, in a seeded random order, are fetched to the
  driver, the next group while one is used, and each takes its mini-batch steps there.

Small partitions travel together (consecutive entries of the epoch's order, up to 32 MB of X
in one fetch) so a partition of a few rows does not cost a round trip each, and data of at most
32 MB in all are fetched once and kept on the driver for the later epochs; the steps are the
same whatever the grouping (the order of the rows is drawn on the driver).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassbox.distributed._dask import require
from glassbox.distributed.data import TargetColumns, load_partition
from glassbox.distributed.engine import _GROUP_BYTES, Engine, Guarded, result_of
from glassbox.distributed.logistic import _encode, prepare_logistic, warn_unconverged
from glassbox.distributed.statistics import SufficientStatistics, chunk_statistics, merge_all
from glassbox.linear.logistic_stream import (
    Chunk,
    LogisticScaling,
    check_batch_size,
    check_learning_rate,
    start_logistic_descent,
    stream_logistic_descent,
)

__all__ = ["StreamedLogistic", "stream_logistic"]

# At most this many partitions per fetch, however small (a bound on one task's graph).
_MOST_PER_FETCH = 256
# Data up to this size (X's float64 bytes) are fetched once and kept on the driver.
_KEEP_BYTES = _GROUP_BYTES


def _weights(Y: np.ndarray, weights: np.ndarray | None, gamma: np.ndarray | None) -> np.ndarray:
    """wᵢ γ_{yᵢ} for the rows of one partition (y as class indices)."""
    s = np.ones(len(Y)) if weights is None else weights.copy()
    if gamma is not None:
        s *= gamma[Y[:, 0].astype(np.intp)]
    return s


def partition_statistics(
    X: np.ndarray, Y: np.ndarray, weights: Any, partition: int, gamma: Any
) -> SufficientStatistics:
    """Pass 1 on one partition: statistics of X weighted by wᵢ γ_{yᵢ}."""
    return chunk_statistics(X, np.empty((len(X), 0)), _weights(Y, weights, gamma), partition)


Rows = tuple[float, dict[int, int]]


def partition_rows(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Any,
    partition: int,
    gamma: Any,
    scaling: LogisticScaling,
) -> Rows:
    """Pass 2 on one partition: (maxᵢ wᵢ γ_{yᵢ} ‖z̃ᵢ‖², {partition: rows})."""
    return scaling.row_smoothness(X, _weights(Y, weights, gamma)), {partition: len(X)}


def combine_rows(parts: list[Rows]) -> Rows:
    """Merge per-partition (largest class index, rows per partition) pairs from a pass over y."""
    rows: dict[int, int] = {}
    for _, counts in parts:
        rows.update(counts)
    return max(part[0] for part in parts), rows


def _load_labelled(
    x: Any, y: Any, w: Any, index: int, n_features: int, names: Any, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One partition, checked, with its labels as class indices (runs on a worker)."""
    if isinstance(y, TargetColumns):
        y, x = x[list(y.names)], x.drop(columns=list(y.names))
    return load_partition(x, _encode(y, classes, index), w, index, n_features, names)


def _load_group(
    blocks: list[tuple[Any, Any, Any]],
    indices: list[int],
    n_features: int,
    names: Any,
    classes: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """Several partitions in the given order, in one task (runs on a worker)."""
    return [
        _load_labelled(x, y, w, index, n_features, names, classes)
        for (x, y, w), index in zip(blocks, indices)
    ]


def _fetches(order: np.ndarray, rows: tuple[int, ...], n_features: int) -> list[list[int]]:
    """The epoch's order cut into consecutive groups of at most ``_GROUP_BYTES`` of X."""
    groups: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index in order.tolist():
        nbytes = 8 * n_features * rows[index]
        if current and (size + nbytes > _GROUP_BYTES or len(current) >= _MOST_PER_FETCH):
            groups.append(current)
            current, size = [], 0
        current.append(index)
        size += nbytes
    if current:
        groups.append(current)
    return groups


class _Reader:
    """``read_epoch`` for :func:`stream_logistic_descent`: the partitions in order, fetched
    a group ahead (the labels encoded in the same task, not in one task per partition), with
    weights wᵢ γ_{yᵢ}; counts one pass per epoch.

    Data of at most ``_KEEP_BYTES`` of X in all (one fetch's worth, which the driver holds at
    once in any case) are read in the first epoch and kept for the later ones, in which only
    the order changes: no round trip per epoch to fetch what the driver already holds.
    """

    def __init__(
        self,
        engine: Engine,
        classes: np.ndarray,
        gamma: np.ndarray | None,
        rows: tuple[int, ...],
    ) -> None:
        self.engine, self.classes, self.gamma, self.rows = engine, classes, gamma, rows
        total = 8 * engine.partitions.n_features * sum(rows)
        self.keep = total <= _KEEP_BYTES and len(rows) <= _MOST_PER_FETCH
        self.kept: dict[int, Chunk] = {}

    def _fetch(self, group: list[int]) -> Any:
        delayed = require("dask").delayed
        parts = self.engine.partitions
        task = delayed(Guarded(_load_group), pure=True)(
            [parts.blocks[i] for i in group],
            group,
            parts.n_features,
            parts.feature_names,
            self.classes,
        )
        return self.engine.client.compute(task)

    def __call__(self, order: np.ndarray) -> Iterator[Chunk]:
        if self.kept:
            yield from (self.kept[index] for index in order.tolist())
            return
        groups = _fetches(order, self.rows, self.engine.partitions.n_features)
        if not groups:
            return
        pending = self._fetch(groups[0])
        for number, group in enumerate(groups):
            loaded = result_of(pending)
            if number + 1 < len(groups):
                pending = self._fetch(groups[number + 1])  # read the next while this is used
            for index, (X, Y, weights) in zip(group, loaded):
                chunk = (X, Y[:, 0], _weights(Y, weights, self.gamma))
                if self.keep:
                    self.kept[index] = chunk
                yield chunk
        self.engine.passes += 1


@dataclass
class StreamedLogistic:
    """A streamed mini-batch logistic fit: classes, coef (K, p) and intercept (K,) in original
    units, epochs run.
    """

    classes: np.ndarray
    coef: np.ndarray  # (K, p)
    intercept: np.ndarray  # (K,)
    n_epochs: int
    converged: bool
    empty_partitions: list[int]
    history: dict[str, list[float]] = field(default_factory=dict)


def stream_logistic(
    engine: Engine,
    *,
    C: float,
    penalized: bool,
    fit_intercept: bool,
    batch_size: Any,
    learning_rate: Any,
    max_epochs: int,
    tol: float,
    random_state: Any,
    class_weight: Any = None,
    owner: str = "LogisticRegression",
) -> StreamedLogistic:
    """Minimize eq. (1) of :mod:`glassbox.distributed.logistic` by streamed mini-batch descent
    (module docstring); ``max_epochs`` counts epochs, one pass over the data each."""
    check_batch_size(batch_size)  # before any pass
    check_learning_rate(learning_rate)
    setup = prepare_logistic(
        engine,
        C=C,
        penalized=penalized,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        owner=owner,
    )
    work = setup.work
    statistics: SufficientStatistics = work.reduce(
        partition_statistics, merge_all, setup.gamma, finite=SufficientStatistics.is_finite
    )
    scaling = LogisticScaling.from_statistics(statistics, fit_intercept)
    largest, counts = work.reduce(partition_rows, combine_rows, setup.gamma, scaling)
    rows = tuple(counts[i] for i in range(len(work.partitions)))
    batch = check_batch_size(batch_size, statistics.count)
    state = start_logistic_descent(
        statistics,
        scaling,
        row_smoothness=largest,
        steps_per_epoch=sum(-(-count // batch) for count in rows),
        n_classes=len(setup.summary.classes),
        l2=setup.template.l2,
        batch_size=batch,
        learning_rate=learning_rate,
        random_state=random_state,
    )
    result = stream_logistic_descent(
        _Reader(engine, setup.summary.classes, setup.gamma, rows),
        len(work.partitions),
        state,
        max_epochs=max_epochs,
        tol=tol,
    )
    engine.passes += work.passes  # the reader counted the epochs on ``engine``
    if not result.converged:
        warn_unconverged(owner, "minibatch", result.n_epochs, "epoch(s)")
    return StreamedLogistic(
        setup.summary.classes,
        result.coef,
        result.intercept,
        result.n_epochs,
        result.converged,
        setup.summary.empty_partitions,
        result.history,
    )
