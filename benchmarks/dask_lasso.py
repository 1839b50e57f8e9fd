"""Lasso on Dask from one pass of merged statistics, against in-memory and distributed peers.

    python benchmarks/dask_lasso.py                 # 10,000,000 x 20
    python benchmarks/dask_lasso.py --quick         # 200,000 x 20
    python benchmarks/dask_lasso.py --peers /tmp/peers --samples 2000000 --chunks 8

The same in-memory data are fitted by glassbox's NumPy backend (coordinate descent on the Gram
form, the reference time), glassbox's Dask backend on a Dask array of ``--chunks`` chunks on a
LocalCluster of threads (one statistics pass, then the same coordinate descent on p × p
matrices), scikit-learn's Lasso (its default ``precompute=False``, and ``precompute=True``),
and, when importable (``--peers PATH`` adds a folder to sys.path), dask-glm's
``LinearRegression(regularizer='l1')`` by ADMM, the algorithm of glassbox issue 9, and
dask-ml's ``LinearRegression(penalty='l1')`` (the same ADMM underneath).

Every fit targets scikit-learn's objective at the same α,

    F(w, b) = 1/(2n) ‖y − Xw − b‖² + α‖w‖₁,

glassbox and scikit-learn run to the duality-gap tolerance ``TOL``; dask-glm minimizes
‖y − Xw − b‖² + λ‖(w, b)‖₁, which is 2n F for λ = 2nα except that it also penalizes the
intercept (so it cannot reach F's minimum exactly), with its own ADMM stopping rule. Each row
prints its time, its ratio to the glassbox NumPy fit, its iterations, its passes over the data
(Dask) and its objective gap (F − F_glassbox) / F_glassbox.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from typing import Any

import numpy as np

from glassbox.exceptions import ConvergenceWarning

TOL = 1e-6
ALPHA = 0.05


def design(n_samples: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian features of mixed scales and offsets; half the true coefficients are zero."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    X *= rng.uniform(0.5, 2.0, n_features)
    X += rng.uniform(-1.0, 1.0, n_features)
    beta = rng.uniform(-1.0, 1.0, n_features)
    beta[n_features // 2 :] = 0.0
    y = X @ beta + 0.5 + rng.standard_normal(n_samples)
    return X, y


def objective(coef: np.ndarray, intercept: float, X: np.ndarray, y: np.ndarray) -> float:
    """F(w, b) = 1/(2n)‖y − Xw − b‖² + α‖w‖₁, by blocks of rows."""
    total = 0.0
    for start in range(0, len(X), 1_048_576):
        rows = slice(start, start + 1_048_576)
        residual = y[rows] - X[rows] @ coef - intercept
        total += float(residual @ residual)
    return total / (2 * len(X)) + ALPHA * float(np.abs(coef).sum())


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(n_samples: int, n_features: int, n_chunks: int, admm_iter: int) -> list[Any]:
    """(name, seconds, iterations, passes or None, coef, intercept) per fit."""
    import dask.array as da
    from sklearn.linear_model import Lasso as SkLasso

    from glassbox.distributed import cluster
    from glassbox.linear import Lasso

    X, y = design(n_samples, n_features)
    rows: list[Any] = []

    def add(name: str, fit: Any, passes: bool = False) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds, model = _timed(fit)
        count = getattr(model, "n_passes_", None) if passes else None
        iterations = int(np.max(getattr(model, "n_iter_", -1)))
        rows.append((name, seconds, iterations, count, model.coef_, float(model.intercept_)))

    options = {"alpha": ALPHA, "tol": TOL, "max_iter": 10_000}
    add("glassbox numpy cd", lambda: Lasso(**options).fit(X, y))
    with cluster(None, processes=False) as client:
        chunks = -(-n_samples // n_chunks)
        lazy_X = da.from_array(X, chunks=(chunks, n_features)).persist()
        lazy_y = da.from_array(y, chunks=chunks).persist()
        for solver in ("cd", "fista"):
            add(
                f"glassbox dask {solver} ({n_chunks} chunks)",
                lambda solver=solver: Lasso(solver=solver, **options).fit(lazy_X, lazy_y),
                passes=True,
            )
        rows.extend(_dask_glm(client, lazy_X, lazy_y, n_samples, admm_iter))
    add("scikit-learn Lasso", lambda: SkLasso(**options).fit(X, y))
    add(
        "scikit-learn Lasso precompute",
        lambda: SkLasso(precompute=True, **options).fit(X, y),
    )
    return [(*row, objective(row[4], row[5], X, y)) for row in rows]


def _dask_glm(client: Any, X: Any, y: Any, n_samples: int, admm_iter: int) -> list[Any]:
    """dask-glm's ADMM (and dask-ml's wrapper of it) at λ = 2nα, when importable."""
    rows = []
    lamduh = 2.0 * n_samples * ALPHA
    try:
        from dask_glm.estimators import LinearRegression as GlmLinearRegression
    except ImportError as missing:
        print(f"  dask-glm: not installed ({missing}); pass --peers PATH to compare with it")
    else:
        # Its default ρ = 1 is tiny next to the curvature of a chunk's loss (2 n / chunks):
        # the consensus z stays 0 until the dual u has grown past λ/(ρ chunks). A second row
        # takes ρ on that scale (a tuning a user would have to find).
        n_chunks = X.numblocks[0]
        for label, rho in (("", 1.0), (", rho=2n/chunks", 2.0 * n_samples / n_chunks)):
            model = GlmLinearRegression(
                regularizer="l1", lamduh=lamduh, max_iter=admm_iter, rho=rho
            )
            seconds, _ = _timed(lambda model=model: model.fit(X, y))
            coef = np.ravel(model.coef_)
            rows.append((f"dask-glm admm l1{label}", seconds, -1, None, coef, model.intercept_))
    try:
        from dask_ml.linear_model import LinearRegression as DaskMLLinearRegression
    except ImportError as missing:
        print(f"  dask-ml: not installed ({missing}); pass --peers PATH to compare with it")
    else:
        model = DaskMLLinearRegression(penalty="l1", C=1.0 / lamduh, max_iter=admm_iter)
        seconds, _ = _timed(lambda: model.fit(X, y))
        rows.append(("dask-ml admm l1", seconds, -1, None, np.ravel(model.coef_), model.intercept_))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunks", type=int, default=16, help="Dask chunks of rows")
    parser.add_argument("--peers", default=None, help="folder with dask-glm / dask-ml")
    parser.add_argument("--samples", type=int, default=None, help="rows (overrides --quick)")
    parser.add_argument("--admm-iter", type=int, default=50, help="most ADMM iterations")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Sending large graph")
    if args.peers:
        sys.path.append(args.peers)
    n_samples = args.samples or (200_000 if args.quick else 10_000_000)
    print(
        f"machine: {os.cpu_count()} cores; {n_samples:,} x {args.features}, alpha {ALPHA:g}, "
        f"tol {TOL:g}; ADMM at most {args.admm_iter} iterations"
    )
    rows = run(n_samples, args.features, args.chunks, args.admm_iter)
    base, reference = rows[0][1], rows[0][-1]
    print(
        f"  {'method':34s} {'seconds':>8s} {'vs numpy cd':>12s} {'iters':>6s} "
        f"{'passes':>7s} {'objective gap':>14s}"
    )
    for name, seconds, iterations, passes, _, _, value in rows:
        shown = "" if passes is None else str(passes)
        its = "" if iterations < 0 else str(iterations)
        print(
            f"  {name:34s} {seconds:8.2f} {seconds / base:11.2f}x {its:>6s} {shown:>7s} "
            f"{(value - reference) / reference:14.1e}"
        )


if __name__ == "__main__":
    main()
