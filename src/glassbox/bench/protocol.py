"""The timing protocol, written down once and followed for every cell.

1. **Warm-up.** One fit that is not timed: it imports the engine, fills caches, compiles
   kernels. It runs under :mod:`tracemalloc`, whose peak (above the level when the fit
   starts) is the cell's *peak extra memory*. tracemalloc sees every allocation made through
   Python's allocators, NumPy's arrays among them; memory that a native library allocates
   on its own (PyTorch's CPU tensors, BLAS workspaces) is not seen, and the record says so.
2. **Timed fits.** The same estimator is fitted again and again on the same training rows;
   ``time.perf_counter()`` is read immediately before and after ``fit`` and nothing else is
   inside the timed interval (no data copies, no scoring, no bookkeeping). The garbage
   collector is paused during the timed fits, as :mod:`timeit` does. Fits are repeated at
   least ``repeats`` times and until ``min_time`` seconds have been timed (so that a
   sub-millisecond fit gets many samples), and no longer once ``max_time`` seconds have
   been timed (so that a slow fit does not take over the run; at least one timed fit
   always happens). The median is reported, with the minimum and maximum beside it.
3. **Threads.** BLAS and OpenMP thread pools are left as they are unless ``threads`` is
   given, in which case :mod:`threadpoolctl` (and ``torch.set_num_threads`` when PyTorch is
   loaded) limit them for the warm-up and the timed fits; the pools in use are recorded
   with the results.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MAX_FITS", "Measurement", "measure", "thread_limit"]

MAX_FITS = 10_000  # an upper bound on timed fits per cell, whatever min_time asks


@dataclass
class Measurement:
    """What the protocol measured for one cell."""

    seconds: list[float]
    warmup_seconds: float
    peak_memory_bytes: int | None  # None: not measured (see trace_memory)
    estimator: Any
    warnings: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median of the timed fits, in seconds."""
        return float(statistics.median(self.seconds))

    @property
    def timed_total(self) -> float:
        """Total of the timed fits, in seconds."""
        return float(sum(self.seconds))


@contextlib.contextmanager
def thread_limit(threads: int | None) -> Iterator[None]:
    """Limit BLAS/OpenMP (and loaded PyTorch) threads to ``threads``; no-op for None."""
    if threads is None:
        yield
        return
    torch = sys.modules.get("torch")
    previous = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        if importlib.util.find_spec("threadpoolctl") is not None:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=threads):
                yield
        else:
            yield
    finally:
        if torch is not None and previous is not None:
            torch.set_num_threads(previous)


def measure(
    make_estimator: Callable[[], Any],
    X: np.ndarray,
    y: np.ndarray,
    *,
    repeats: int = 5,
    min_time: float = 0.5,
    max_time: float = 5.0,
    threads: int | None = None,
    fit_params: dict[str, Any] | None = None,
    trace_memory: bool = True,
) -> Measurement:
    """Warm up, then time ``fit`` as the module docstring says; return the fitted estimator.

    Exceptions from ``fit`` (a divergence, a missing engine) propagate to the caller, which
    records them as the cell's error. ``fit_params`` go to every ``fit`` call (for example
    the bench's validation rows for early stopping). ``trace_memory=False`` skips tracemalloc
    in the warm-up (engines whose memory it cannot see, where it would only slow the fit);
    the peak is then ``None``.
    """
    extra = dict(fit_params or {})
    estimator = make_estimator()
    with thread_limit(threads):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            peak: int | None = None
            if trace_memory:
                tracemalloc.start()
                try:
                    start_level = tracemalloc.get_traced_memory()[0]
                    tracemalloc.reset_peak()
                    start = time.perf_counter()
                    estimator.fit(X, y, **extra)
                    warmup = time.perf_counter() - start
                    peak = max(int(tracemalloc.get_traced_memory()[1] - start_level), 0)
                finally:
                    tracemalloc.stop()
            else:
                start = time.perf_counter()
                estimator.fit(X, y, **extra)
                warmup = time.perf_counter() - start
        messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})

        seconds: list[float] = []
        total = 0.0
        perf_counter = time.perf_counter
        fit = estimator.fit
        gc_was_enabled = gc.isenabled()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # already recorded from the warm-up
            gc.disable()
            try:
                while True:
                    start = perf_counter()
                    fit(X, y, **extra)
                    elapsed = perf_counter() - start
                    seconds.append(elapsed)
                    total += elapsed
                    count = len(seconds)
                    if total >= max_time or count >= MAX_FITS:
                        break
                    if count >= repeats and total >= min_time:
                        break
            finally:
                if gc_was_enabled:
                    gc.enable()
    return Measurement(seconds, warmup, peak, estimator, messages)
