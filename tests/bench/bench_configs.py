"""Small, fast benchmark configurations shared by the bench tests."""

from __future__ import annotations

from typing import Any

from glassbox.bench import BenchConfig


def tiny(out: Any = None, **changes: Any) -> BenchConfig:
    """Lesson data of 40 rows, NumPy only, one timed fit per cell, short descents."""
    base = BenchConfig(
        datasets=["lesson"],
        n_samples=40,
        backends=["numpy"],
        methods=["qr", "bgd", "minibatch"],
        repeats=1,
        min_time=0.0,
        max_time=0.05,
        params={"LinearRegression": {"max_epochs": 30, "batch_size": 8}},
        out=None if out is None else str(out),
        figures=False,
    )
    return base.updated(**changes).validate()
