"""One pass over the data: a function on every row partition, results merged as a tree.

Every distributed computation in glassbox is a ``pass``: ``function(X, Y, w, partition,
*args)`` runs on the worker that holds (or reads, or generates) partition i, on its checked
float64 arrays, and returns something small (statistics, a p × p matrix, a few sums); the
results are combined ``split_every`` at a time up a tree, so the driver receives one small
object and no worker ever holds more than a few partitions. A lost worker's partitions are
recomputed by Dask from their source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from glassbox.distributed._dask import require
from glassbox.distributed.data import Partitions, load_partition

# Consecutive small partitions share one task, up to this many bytes of X in all: thousands
# of tiny partitions then cost a few tasks, while a large partition keeps a task to itself
# (so a worker never holds more than one large partition per thread).
_GROUP_BYTES = 32 * 2**20


@dataclass(frozen=True)
class PartitionError:
    """A ValueError or TypeError raised by a partition's checks or function, carried up the
    tree as a result and raised again on the driver: raised on a worker, Dask would log it
    as a failed task, traceback and all, before the user sees glassbox's message."""

    error: ValueError | TypeError


@dataclass(frozen=True)
class PassErrors:
    """``combine``, passing the first :class:`PartitionError` among its inputs through."""

    combine: Callable[[list[Any]], Any]

    def __call__(self, items: list[Any]) -> Any:
        for item in items:
            if isinstance(item, PartitionError):
                return item
        return self.combine(items)


@dataclass(frozen=True)
class Guarded:
    """``function`` as a task: a ValueError or TypeError comes back as a
    :class:`PartitionError` (for tasks run outside :meth:`Engine.reduce`)."""

    function: Callable[..., Any]

    def __call__(self, *args: Any) -> Any:
        try:
            return self.function(*args)
        except (ValueError, TypeError) as error:
            return PartitionError(error)


def result_of(future: Any) -> Any:
    """A future's result, raising a carried :class:`PartitionError` here, on the driver."""
    result = future.result()
    if isinstance(result, PartitionError):
        raise result.error
    return result


def _apply(
    function: Callable[..., Any],
    combine: Callable[[list[Any]], Any],
    finite: Callable[[Any], bool] | None,
    blocks: list[tuple[Any, Any, Any]],
    first: int,
    n_features: int,
    names: Any,
    *args: Any,
) -> Any:
    """``function`` on each partition of a group (checked by ``load_partition``), combined.

    With ``finite`` given, the partitions' scan for NaN and infinity is skipped (a pass over
    the data as long as the statistics themselves) and ``finite(result)`` stands in for it:
    a non-finite result reloads its partition with the scan, whose error names the column
    and row, or, when the data are finite, reports an overflow.
    """
    results = []
    try:
        for offset, (x, y, w) in enumerate(blocks):
            index = first + offset
            X, Y, weights = load_partition(x, y, w, index, n_features, names, finite is None)
            result = function(X, Y, weights, index, *args)
            if finite is not None and not finite(result):
                load_partition(x, y, w, index, n_features, names)  # raises, naming the values
                raise ValueError(
                    f"Partition {index}: the sums over its rows overflow float64 although "
                    "every value is finite; rescale the columns (divide by a power of ten) "
                    "and refit."
                )
            results.append(result)
    except (ValueError, TypeError) as error:
        return PartitionError(error)
    return results[0] if len(results) == 1 else combine(results)


def group_partitions(
    rows: tuple[int, ...] | None, n_partitions: int, n_features: int, n_threads: int = 1
) -> list[range]:
    """Consecutive partitions grouped up to ``_GROUP_BYTES`` of X (one each when unknown),
    and into at least two groups per worker thread when there are that many partitions, so
    that every thread has work in a pass over data that is small next to the cluster."""
    if rows is None:
        return [range(i, i + 1) for i in range(n_partitions)]
    most = max(1, -(-n_partitions // (2 * max(1, n_threads))))  # partitions per group
    groups: list[range] = []
    start, size = 0, 0
    for index, count in enumerate(rows):
        nbytes = 8 * count * n_features
        if index > start and (size + nbytes > _GROUP_BYTES or index - start >= most):
            groups.append(range(start, index))
            start, size = index, 0
        size += nbytes
    groups.append(range(start, n_partitions))
    return groups


def tree_reduce(nodes: Sequence[Any], combine: Callable[[list[Any]], Any], split_every: int) -> Any:
    """Combine Delayed ``nodes`` ``split_every`` at a time until one is left."""
    delayed = require("dask").delayed
    level = list(nodes)
    while len(level) > 1:
        level = [
            delayed(combine, pure=True)(level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


@dataclass
class Engine:
    """The partitions of one fit and the client that runs its passes; counts the passes."""

    partitions: Partitions
    client: Any
    split_every: int = 8
    passes: int = 0

    @cached_property
    def threads(self) -> int:
        """Worker threads in the cluster (1 when the client cannot say)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # a client without workers yet, or not a distributed client
            return 1

    def reduce(
        self,
        function: Callable[..., Any],
        combine: Callable[[list[Any]], Any],
        *args: Any,
        finite: Callable[[Any], bool] | None = None,
    ) -> Any:
        """One pass: ``combine`` over ``function(X, Y, w, partition, *args)`` of every partition.

        ``finite``, when given, tells from a partition's result whether its data held NaN or
        infinity, which spares the separate scan of the data (see :func:`_apply`).
        """
        delayed = require("dask").delayed
        parts = self.partitions
        groups = group_partitions(parts.rows, len(parts.blocks), parts.n_features, self.threads)
        leaves = [
            delayed(_apply, pure=True)(
                function,
                combine,
                finite,
                [parts.blocks[i] for i in group],
                group.start,
                parts.n_features,
                parts.feature_names,
                *args,
            )
            for group in groups
        ]
        root = tree_reduce(leaves, PassErrors(combine), self.split_every)
        self.passes += 1
        return result_of(self.client.compute(root))
