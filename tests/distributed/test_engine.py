"""How a pass splits the partitions into tasks: few tasks for many small partitions, and
enough tasks for every worker thread."""

from __future__ import annotations

import pytest

from glassbox.distributed.engine import _GROUP_BYTES, group_partitions


def _sizes(groups: list[range]) -> list[int]:
    return [len(group) for group in groups]


def test_small_partitions_share_tasks_but_every_thread_gets_two() -> None:
    # 8 partitions of 1,000 x 20 (160 kB each) fit one task by size; 2 threads want 4 tasks.
    assert _sizes(group_partitions((1000,) * 8, 8, 20, n_threads=2)) == [2, 2, 2, 2]
    assert _sizes(group_partitions((1000,) * 8, 8, 20, n_threads=1)) == [4, 4]
    # More threads than partitions: one partition per task, never an empty task.
    assert _sizes(group_partitions((1000,) * 3, 3, 20, n_threads=16)) == [1, 1, 1]


def test_thousands_of_tiny_partitions_are_grouped_by_size() -> None:
    groups = group_partitions((1,) * 10_000, 10_000, 5, n_threads=2)
    assert _sizes(groups) == [2500] * 4
    assert [g.start for g in groups] == [0, 2500, 5000, 7500]


@pytest.mark.parametrize("n_threads", [1, 4])
def test_large_partitions_keep_a_task_each(n_threads: int) -> None:
    rows = _GROUP_BYTES // (8 * 10)  # one partition is a whole group's worth of bytes
    assert _sizes(group_partitions((rows,) * 5, 5, 10, n_threads=n_threads)) == [1] * 5


def test_unknown_partition_sizes_give_a_task_each() -> None:
    assert _sizes(group_partitions(None, 4, 10, n_threads=1)) == [1, 1, 1, 1]
