"""Logistic regression on Dask: Newton and L-BFGS in passes, against the in-memory peers.

    python benchmarks/dask_logistic.py            # 2,000,000 x 20, binary
    python benchmarks/dask_logistic.py --quick    # 200,000 x 20
    python benchmarks/dask_logistic.py --samples 600000 --batch-size 256 --epochs 20
    python benchmarks/dask_logistic.py --classes 4 --scheduler tcp://host:8786

The same in-memory data are fitted by glassbox's NumPy backend (Newton, the reference time),
glassbox's Dask backend on a Dask array of 8 chunks (Newton and L-BFGS, on a LocalCluster of
threads, or the given scheduler), scikit-learn (newton-cholesky and lbfgs), and dask-ml's
``LogisticRegression`` when it is importable (``--peers PATH`` adds a folder to sys.path).
Every exact fit runs to the same gradient tolerance; each row shows its time, its ratio to
the NumPy Newton fit, its iterations (epochs for mini-batch descent), its number of passes
over the data (Dask), and its objective gap ``(F − F*) / F*`` with F = C Σ wᵢ ℓᵢ + ½‖w‖²
(scikit-learn's) and F* the smallest reached.

Mini-batch descent (``solver="minibatch"``, ``--batch-size`` rows, at most ``--epochs``
epochs, the default plateau ``tol``) runs in memory (glassbox's NumPy backend) and on Dask
(streamed partitions), both on features standardized by weighted statistics of all rows;
its gap is its distance from Newton's minimum.
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

TOL = 1e-8


def design(n_samples: int, n_features: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian features of mixed scales; labels drawn from a softmax model (not separable)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features)) * rng.uniform(0.5, 2.0, n_features)
    W = rng.uniform(-0.5, 0.5, (n_features, n_classes))
    scores = X @ W + rng.gumbel(size=(n_samples, n_classes))
    return X, np.argmax(scores, axis=1)


def objective(coef: np.ndarray, intercept: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """scikit-learn's C Σ ℓᵢ + ½‖W‖² (C = 1), by blocks of rows."""
    from glassbox.linear.logistic import log_probabilities

    total = 0.0
    for start in range(0, len(X), 262_144):
        rows = slice(start, start + 262_144)
        scores = X[rows] @ np.atleast_2d(coef).T + intercept
        log_p = log_probabilities(scores)
        total -= float(log_p[np.arange(len(log_p)), y[rows]].sum())
    return total + 0.5 * float(np.sum(np.asarray(coef) ** 2))


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(
    n_samples: int,
    n_features: int,
    n_classes: int,
    scheduler: str | None,
    batch_size: int = 256,
    epochs: int = 20,
) -> list[Any]:
    """(name, seconds, iterations, passes or None, coef, intercept) per fit."""
    import dask.array as da
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    from glassbox.distributed import cluster
    from glassbox.linear import LogisticRegression

    X, y = design(n_samples, n_features, n_classes)
    rows: list[Any] = []

    def add(name: str, fit: Any, passes: bool = False) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # descent: --epochs may stop it
            seconds, model = _timed(fit)
        count = getattr(model, "n_passes_", None) if passes else None
        iterations = int(np.max(model.n_iter_))
        rows.append((name, seconds, iterations, count, model.coef_, np.asarray(model.intercept_)))

    options = {"tol": TOL, "max_iter": 500}
    descent = {"solver": "minibatch", "batch_size": batch_size, "max_iter": epochs}
    descent |= {"random_state": 0}
    add("glassbox numpy newton", lambda: LogisticRegression(solver="newton", **options).fit(X, y))
    add("glassbox numpy lbfgs", lambda: LogisticRegression(solver="lbfgs", **options).fit(X, y))
    add("glassbox numpy minibatch", lambda: LogisticRegression(**descent).fit(X, y))
    with cluster(scheduler, processes=False) as client:
        chunks = -(-n_samples // 8)
        lazy_X = da.from_array(X, chunks=(chunks, n_features)).persist()
        lazy_y = da.from_array(y, chunks=chunks).persist()
        for solver in ("newton", "lbfgs"):
            add(
                f"glassbox dask {solver} (8 chunks)",
                lambda solver=solver: LogisticRegression(solver=solver, **options).fit(
                    lazy_X, lazy_y
                ),
                passes=True,
            )
        add(
            "glassbox dask minibatch (8 chunks)",
            lambda: LogisticRegression(**descent).fit(lazy_X, lazy_y),
            passes=True,
        )
        rows.extend(_dask_ml(client, lazy_X, lazy_y, n_classes))
    for solver in ("newton-cholesky", "lbfgs"):
        add(
            f"scikit-learn {solver}",
            lambda solver=solver: SkLogisticRegression(solver=solver, **options).fit(X, y),
        )
    return [(*row, objective(row[4], row[5], X, y)) for row in rows]


def _dask_ml(client: Any, X: Any, y: Any, n_classes: int) -> list[Any]:
    try:
        from dask_ml.linear_model import LogisticRegression as DaskMLLogisticRegression
    except ImportError as missing:
        print(f"  dask-ml: not installed ({missing}); pass --peers PATH to compare with it")
        return []
    if n_classes > 2:
        print("  dask-ml: binary only, skipped")
        return []
    rows = []
    for solver in ("newton", "lbfgs"):
        model = DaskMLLogisticRegression(solver=solver, penalty="l2", C=1.0, tol=TOL)
        seconds, _ = _timed(lambda model=model: model.fit(X, y))
        rows.append(
            (
                f"dask-ml {solver}",
                seconds,
                int(np.max(getattr(model, "n_iter_", -1))),
                None,
                model.coef_,
                np.atleast_1d(model.intercept_),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--classes", type=int, default=2)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--scheduler", default=None, help="address of an existing scheduler")
    parser.add_argument("--peers", default=None, help="folder with dask-ml")
    parser.add_argument("--samples", type=int, default=None, help="rows (overrides --quick)")
    parser.add_argument("--batch-size", type=int, default=256, help="rows per mini-batch")
    parser.add_argument("--epochs", type=int, default=20, help="most mini-batch epochs")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Sending large graph")
    if args.peers:
        sys.path.append(args.peers)
    n_samples = args.samples or (200_000 if args.quick else 2_000_000)
    print(
        f"machine: {os.cpu_count()} cores; {n_samples:,} x {args.features}, "
        f"{args.classes} classes, tol {TOL:g}; mini-batch: {args.batch_size} rows, "
        f"at most {args.epochs} epochs"
    )
    rows = run(n_samples, args.features, args.classes, args.scheduler, args.batch_size, args.epochs)
    base = rows[0][1]
    best = min(row[-1] for row in rows)
    print(
        f"  {'method':34s} {'seconds':>8s} {'vs numpy newton':>16s} {'iters':>6s} "
        f"{'passes':>7s} {'objective gap':>14s}"
    )
    for name, seconds, iterations, passes, _, _, value in rows:
        shown = "" if passes is None else str(passes)
        print(
            f"  {name:34s} {seconds:8.2f} {seconds / base:15.2f}x {iterations:6d} {shown:>7s} "
            f"{(value - best) / best:14.1e}"
        )


if __name__ == "__main__":
    main()
