"""Least squares on Dask: out of core on a LocalCluster, and in memory against the peers.

    python benchmarks/dask_scale.py            # 100,000,000 x 10 out of core; 10,000,000 x 20
    python benchmarks/dask_scale.py --quick    # 10,000,000 x 10 out of core; 2,000,000 x 20
    python benchmarks/dask_scale.py --scheduler tcp://host:8786   # an existing cluster

Out of core: the design is generated chunk by chunk on the workers (``map_blocks`` seeded by
the chunk index), never held whole; one pass of per-chunk statistics gives the exact fit. It
prints rows per second, the driver's peak memory (its high-water mark, ru_maxrss), the peak
total memory of the workers (sampled every 0.2 s), and the fraction of this machine's
single-pass memory bandwidth (a NumPy sum over a 1 GB array, measured here, in one thread)
that the fit's reading of X and y amounts to; a "generate only" pass (the same chunks, summed)
shows how much of the time is the data generation itself.

In memory: the NumPy backend, the Dask backend (NumPy input, and a Dask array), and, when
importable (``--peers PATH`` adds a folder to sys.path, e.g. one made by ``pip install
--target``), dask-ml's ``LinearRegression`` and dask-glm's solvers, each with its error
against the exact solution, so speed is compared at equal accuracy.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
import warnings
from typing import Any

import numpy as np

CHUNK_ROWS = 1_000_000


def _chunk(n_features: int, block_info: Any = None) -> np.ndarray:
    """Rows of [X | y] for one chunk, the same whenever it is computed (seeded by its index)."""
    index = block_info[None]["chunk-location"][0]
    rows = block_info[None]["chunk-shape"][0]
    rng = np.random.default_rng(index)
    Z = np.empty((rows, n_features + 1))
    Z[:, :n_features] = rng.standard_normal((rows, n_features))
    Z[:, :n_features] += np.arange(n_features)  # non-zero means: centring matters
    Z[:, n_features] = Z[:, :n_features] @ np.linspace(-2, 2, n_features) + 1.5
    Z[:, n_features] += rng.standard_normal(rows)
    return Z


def lazy_design(n_samples: int, n_features: int) -> Any:
    import dask.array as da

    chunks = [CHUNK_ROWS] * (n_samples // CHUNK_ROWS)
    if n_samples % CHUNK_ROWS:
        chunks.append(n_samples % CHUNK_ROWS)
    return da.map_blocks(
        _chunk, n_features, chunks=(tuple(chunks), (n_features + 1,)), dtype=np.float64
    )


def memory_bandwidth(size_bytes: int = 2**30) -> float:
    """Bytes per second of one NumPy sum over a large array (best of 3): one read pass."""
    array = np.ones(size_bytes // 8)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        array.sum()
        best = min(best, time.perf_counter() - start)
    return size_bytes / best


def kernel_rate(n_features: int) -> float:
    """Bytes per second of one partition's checks and statistics, data already in memory."""
    from glassbox.distributed.data import load_partition
    from glassbox.distributed.statistics import chunk_statistics

    Z = _chunk(n_features, {None: {"chunk-location": (0, 0), "chunk-shape": (CHUNK_ROWS, 0)}})
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        # As the fit's statistics pass loads it: the finiteness scan is left to the result.
        X, Y, w = load_partition(
            Z[:, :n_features], Z[:, n_features], None, 0, n_features, None, False
        )
        chunk_statistics(X, Y, w)
        best = min(best, time.perf_counter() - start)
    return Z.nbytes / best


def gram_ceiling(n_features: int) -> float:
    """Bytes per second of BLAS syrk alone on one contiguous chunk [X | y]: the uncentred
    cross-products, no copy, no check. For a design this narrow the products, not the memory,
    set the pace (p(p+1)/2 multiply-adds per row), so this bounds any exact kernel here."""
    from scipy.linalg import blas

    Z = _chunk(n_features, {None: {"chunk-location": (0, 0), "chunk-shape": (CHUNK_ROWS, 0)}})
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        blas.dsyrk(1.0, Z.T, trans=0)
        best = min(best, time.perf_counter() - start)
    return Z.nbytes / best


class WorkerMemory:
    """Samples the total resident memory of the cluster's workers in a background thread."""

    def __init__(self, client: Any) -> None:
        self.client, self.peak, self._stop = client, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        def rss() -> int:
            return int(psutil.Process().memory_info().rss)

        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, sum(self.client.run(rss).values()))
            except Exception:
                pass
            self._stop.wait(0.2)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def out_of_core(n_samples: int, n_features: int, scheduler: str | None) -> dict[str, float]:
    from glassbox.distributed import cluster
    from glassbox.linear import LinearRegression

    Z = lazy_design(n_samples, n_features)
    X, y = Z[:, :n_features], Z[:, n_features]
    with cluster(scheduler) as client, WorkerMemory(client) as memory:
        start = time.perf_counter()
        client.compute(Z.sum(axis=0)).result()
        generate = time.perf_counter() - start
        start = time.perf_counter()
        model = LinearRegression(solver="normal").fit(X, y)
        fit = time.perf_counter() - start
        workers = len(client.scheduler_info()["workers"])
    truth = np.linspace(-2, 2, n_features)
    return {
        "fit_s": fit,
        "generate_s": generate,
        "rows_per_s": n_samples / fit,
        "driver_peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "workers_peak_gb": memory.peak / 2**30,
        "workers": workers,
        "max_coef_error": float(np.max(np.abs(model.coef_ - truth))),
        "passes": model.n_passes_,
    }


def in_memory_design(n_samples: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features)) + rng.uniform(-5, 5, n_features)
    y = X @ rng.uniform(-2, 2, n_features) + 1.5 + rng.standard_normal(n_samples)
    return X, y


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def in_memory(n_samples: int, n_features: int) -> list[tuple[str, float, float]]:
    """(name, seconds, relative coefficient error against the exact NumPy fit)."""
    import dask.array as da

    from glassbox.distributed import cluster
    from glassbox.linear import LinearRegression

    X, y = in_memory_design(n_samples, n_features)
    seconds, exact = _timed(lambda: LinearRegression(solver="qr").fit(X, y))
    rows = [("glassbox numpy qr (reference)", seconds, 0.0)]

    def error(coef: np.ndarray) -> float:
        return float(np.max(np.abs(coef - exact.coef_)) / np.max(np.abs(exact.coef_)))

    seconds, model = _timed(lambda: LinearRegression().fit(X, y))
    rows.append(("glassbox numpy auto", seconds, error(model.coef_)))
    with cluster(processes=False) as client:
        seconds, model = _timed(lambda: LinearRegression(backend="dask").fit(X, y))
        rows.append(("glassbox dask (NumPy input)", seconds, error(model.coef_)))
        chunks = (-(-n_samples // 8), n_features)
        lazy_X = da.from_array(X, chunks=chunks)
        lazy_y = da.from_array(y, chunks=chunks[0])
        seconds, model = _timed(lambda: LinearRegression().fit(lazy_X, lazy_y))
        rows.append(("glassbox dask (dask array)", seconds, error(model.coef_)))
        rows.extend(_peers(client, lazy_X, lazy_y, error))
    return rows


def _peers(client: Any, X: Any, y: Any, error: Any) -> list[tuple[str, float, float]]:
    rows: list[tuple[str, float, float]] = []
    try:
        from dask_glm.algorithms import admm, lbfgs, newton
        from dask_glm.families import Normal
        from dask_ml.linear_model import LinearRegression as DaskMLLinearRegression
    except ImportError as missing:
        print(f"  peers unavailable ({missing}); pass --peers PATH with dask-ml and dask-glm")
        return rows
    for solver in ("admm", "lbfgs", "newton"):
        model = DaskMLLinearRegression(solver=solver, penalty="l2", C=1e12, tol=1e-10)
        seconds, _ = _timed(lambda model=model: model.fit(X, y))
        rows.append((f"dask-ml LinearRegression({solver})", seconds, error(model.coef_)))
    import dask.array as da

    ones = da.ones((X.shape[0], 1), chunks=(X.chunks[0], 1))
    design = da.concatenate([X, ones], axis=1).rechunk({1: -1}).persist()
    for name, algorithm in (("admm", admm), ("lbfgs", lbfgs), ("newton", newton)):
        seconds, beta = _timed(
            lambda algorithm=algorithm: algorithm(design, y, family=Normal, tol=1e-10)
        )
        rows.append((f"dask-glm {name}", seconds, error(np.asarray(beta)[:-1])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scheduler", default=None, help="address of an existing scheduler")
    parser.add_argument("--peers", default=None, help="folder with dask-ml and dask-glm")
    parser.add_argument("--skip-in-memory", action="store_true")
    parser.add_argument("--skip-out-of-core", action="store_true")
    args = parser.parse_args()
    # In-memory inputs travel inside the task graph on purpose (that is the comparison).
    warnings.filterwarnings("ignore", message="Sending large graph")
    if args.peers:
        sys.path.append(args.peers)
    big = (10_000_000 if args.quick else 100_000_000, 10)
    small = (2_000_000 if args.quick else 10_000_000, 20)
    print(f"machine: {os.cpu_count()} cores")
    if not args.skip_out_of_core:
        result = out_of_core(*big, args.scheduler)
        bandwidth = memory_bandwidth()
        bytes_read = big[0] * (big[1] + 1) * 8
        print(f"\nout of core: {big[0]:,} x {big[1]} float64 ({bytes_read / 1e9:.1f} GB with y)")
        print(
            f"  fit:            {result['fit_s']:.1f} s, "
            f"{result['rows_per_s'] / 1e6:.1f} M rows/s, "
            f"{result['passes']} pass(es), max |coef - truth| {result['max_coef_error']:.1e}"
        )
        print(f"  generate only:  {result['generate_s']:.1f} s (the same chunks, summed)")
        print(f"  driver peak:    {result['driver_peak_gb']:.2f} GB (limit 1 GB)")
        print(
            f"  workers peak:   {result['workers_peak_gb']:.2f} GB "
            f"over {result['workers']} workers "
            f"(one chunk is {CHUNK_ROWS * (big[1] + 1) * 8 / 1e6:.0f} MB)"
        )
        kernel = kernel_rate(big[1])
        print(
            f"  kernel:         {kernel / 1e9:.2f} GB/s per core = {kernel / bandwidth:.0%} of one "
            "NumPy sum pass (statistics of an in-memory chunk, no generation)"
        )
        ceiling = gram_ceiling(big[1])
        print(
            f"  BLAS ceiling:   {ceiling / 1e9:.2f} GB/s per core = {ceiling / bandwidth:.0%} "
            f"(syrk alone on the chunk; the kernel reaches {kernel / ceiling:.0%} of it)"
        )
        rate = bytes_read / result["fit_s"]
        print(
            f"  bandwidth:      {rate / 1e9:.2f} GB/s of X and y = "
            f"{rate / bandwidth:.0%} of one NumPy sum pass ({bandwidth / 1e9:.1f} GB/s)"
        )
    if not args.skip_in_memory:
        print(f"\nin memory: {small[0]:,} x {small[1]}")
        rows = in_memory(*small)
        base = rows[1][1]
        print(f"  {'method':38s} {'seconds':>8s} {'vs numpy auto':>14s} {'rel. error':>11s}")
        for name, seconds, err in rows:
            print(f"  {name:38s} {seconds:8.2f} {seconds / base:13.2f}x {err:11.1e}")


if __name__ == "__main__":
    main()
