"""Lasso (one fit and a 100-point path) and LogisticRegression (Newton, L-BFGS) against
scikit-learn, on the same data in the same run, at the same stopping rule; then
LogisticRegression on the PyTorch backend against the NumPy backend.

    python benchmarks/sparse_and_logistic.py           # 200,000 x 100 (issue 4's targets)
    python benchmarks/sparse_and_logistic.py --quick   # 20,000 x 100
    python benchmarks/sparse_and_logistic.py --quick --threads=1 --device=cuda

Each cell is the best of ``--repeats`` wall-clock runs of ``fit`` (or the path call). Next
to the time it prints what each side reached: the duality gap (Lasso) or the objective
(logistic), so the ratio compares equal accuracy.

The softmax table: a 4-class LogisticRegression by Newton on 200,000 x 20 (``--quick``:
20,000 x 20) against scikit-learn's newton-cholesky, with each side's iterations and objective.

The torch table (skipped without PyTorch): Newton and L-BFGS fit times of
``backend="torch"`` and ``backend="numpy"`` at tol 1e-4, with the objective each reached;
batch, mini-batch (256) and per-sample descent as the time per epoch of the update work
(``history_["elapsed_seconds"]``, bookkeeping excluded) over a fixed number of epochs, with
the largest relative difference between the two engines' per-epoch losses. ``--threads=N``
pins every engine (BLAS and torch) to N threads; without it each uses its default.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import warnings

if __name__ == "__main__":  # pin every engine to the same thread count before they load
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), None)
    if _threads is not None:
        for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[_var] = _threads
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from glassbox.linear import Lasso, LogisticRegression, lasso_path


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def logistic_objective(model: Any, X: np.ndarray, y: np.ndarray, C: float) -> float:
    """scikit-learn's C Σ log-loss + ½‖w‖², divided by C n to read as a mean loss."""
    logp = model.predict_log_proba(X)
    loss = -logp[np.arange(len(y)), np.searchsorted(model.classes_, y)].sum()
    return float((C * loss + 0.5 * np.sum(model.coef_**2)) / (C * len(y)))


def torch_rows(
    X: np.ndarray, labels: np.ndarray, C: float, repeats: int, device: str, epochs: int
) -> list[tuple[str, float, float, str]]:
    """(case, torch seconds, numpy seconds, what each reached) for LogisticRegression."""
    rows: list[tuple[str, float, float, str]] = []
    minimum = np.inf  # F*, the smallest objective the exact solvers reach
    for solver in ("newton", "lbfgs"):
        times, fitted = {}, {}
        for backend in ("torch", "numpy"):
            engine = {"backend": backend, "device": device if backend == "torch" else "cpu"}
            times[backend], fitted[backend] = best_time(
                lambda e=engine, s=solver: LogisticRegression(C=C, solver=s, **e).fit(X, labels),
                repeats,
            )
        for model in fitted.values():
            minimum = min(minimum, logistic_objective(model, X, labels, C))
        rows.append(
            (
                f"Logistic {solver} (tol 1e-4), fit",
                times["torch"],
                times["numpy"],
                f"objective {logistic_objective(fitted['torch'], X, labels, C):.10f} vs "
                f"{logistic_objective(fitted['numpy'], X, labels, C):.10f}",
            )
        )
    # Fixed epochs (tol=0): per-sample SGD pays torch's per-step overhead on every row.
    for method, n_epochs in (("bgd", 10 * epochs), ("minibatch", epochs), ("sgd", 1)):
        params = {"C": C, "solver": method, "max_iter": n_epochs, "tol": 0.0}
        params |= {"batch_size": 256, "random_state": 0}
        per_epoch, history, gap = {}, {}, {}
        for backend in ("torch", "numpy"):
            engine = {"backend": backend, "device": device if backend == "torch" else "cpu"}
            best = np.inf
            for _ in range(repeats if method != "sgd" else 1):
                model = LogisticRegression(**params, **engine).fit(X, labels)
                seconds = model.history_["elapsed_seconds"]
                best = min(best, seconds[-1] / len(seconds))
            per_epoch[backend], history[backend] = best, np.array(model.history_["train_loss"])
            gap[backend] = (logistic_objective(model, X, labels, C) - minimum) / minimum
        difference = np.max(np.abs(history["torch"] - history["numpy"]) / history["numpy"])
        label = f"{method}(256)" if method == "minibatch" else method
        rows.append(
            (
                f"Logistic {label}, per epoch ({n_epochs} epochs)",
                per_epoch["torch"],
                per_epoch["numpy"],
                f"loss history max rel diff {difference:.1e}; (F - F*)/F* "
                f"{gap['torch']:.1e} vs {gap['numpy']:.1e}",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 200,000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--epochs", type=int, default=3, help="mini-batch epochs (bgd: 10x)")
    parser.add_argument("--threads", default=None, help="threads for every engine")
    args = parser.parse_args()

    from sklearn import linear_model as sk

    n_samples = 20_000 if args.quick else 200_000
    n_features = 100
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    w = np.zeros(n_features)
    w[:10] = rng.standard_normal(10)
    y = X @ w + 0.5 * rng.standard_normal(n_samples)
    labels = X @ (0.3 * rng.standard_normal(n_features)) + rng.logistic(size=n_samples) > 0
    labels = labels.astype(int)

    rows: list[tuple[str, float, float, str]] = []

    alpha = 0.01
    t_sk, ref = best_time(lambda: sk.Lasso(alpha=alpha).fit(X, y), args.repeats)
    t_gb, ours = best_time(lambda: Lasso(alpha=alpha).fit(X, y), args.repeats)
    rows.append(
        (f"Lasso cd, alpha={alpha}", t_gb, t_sk, f"gap {ours.dual_gap_:.2e} vs {ref.dual_gap_:.2e}")
    )

    t_sk, (_, _, ref_gaps) = best_time(lambda: sk.lasso_path(X, y, alphas=100), args.repeats)
    t_gb, (_, _, gaps) = best_time(lambda: lasso_path(X, y, n_alphas=100), args.repeats)
    rows.append(
        ("lasso_path, 100 alphas", t_gb, t_sk, f"max gap {gaps.max():.2e} vs {ref_gaps.max():.2e}")
    )

    C = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the last row tightens our tol 10x: both L-BFGS runs stop at max|∇f| ≤ tol, but
        # from different paths; at 1e-5 ours reaches an objective at least as low as theirs
        cases = [
            ("newton", "newton-cholesky", 1e-4),
            ("lbfgs", "lbfgs", 1e-4),
            ("lbfgs", "lbfgs", 1e-5),
        ]
        for ours_name, theirs_name, our_tol in cases:
            t_sk, ref = best_time(
                lambda s=theirs_name: sk.LogisticRegression(C=C, solver=s).fit(X, labels),
                args.repeats,
            )
            t_gb, ours = best_time(
                lambda s=ours_name, t=our_tol: LogisticRegression(C=C, solver=s, tol=t).fit(
                    X, labels
                ),
                args.repeats,
            )
            rows.append(
                (
                    f"Logistic {ours_name} (tol {our_tol:g}) vs {theirs_name}",
                    t_gb,
                    t_sk,
                    f"objective {logistic_objective(ours, X, labels, C):.10f} vs "
                    f"{logistic_objective(ref, X, labels, C):.10f}",
                )
            )

    print(f"\n{n_samples:,} x {n_features}, best of {args.repeats}\n")
    header = f"{'case':50s} {'glassbox s':>11s} {'sklearn s':>10s} {'ratio':>6s}  reached"
    print(header)
    print("-" * len(header))
    for name, ours_s, theirs_s, note in rows:
        print(f"{name:50s} {ours_s:11.3f} {theirs_s:10.3f} {ours_s / theirs_s:6.2f}  {note}")

    multinomial_newton(n_samples, args.repeats)

    if importlib.util.find_spec("torch") is None:
        print("\nPyTorch is not installed: no torch rows.")
        return
    import torch

    lasso_fista_engines(X, y, args.repeats)
    if args.threads is not None:
        torch.set_num_threads(int(args.threads))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch_table = torch_rows(X, labels, C, args.repeats, args.device, args.epochs)
    print(
        f"\nLogisticRegression, backend='torch' (device={args.device}) vs backend='numpy', "
        f"torch {torch.__version__}, threads={args.threads or 'engine defaults'}\n"
    )
    header = f"{'case':50s} {'torch s':>11s} {'numpy s':>10s} {'ratio':>6s}  reached"
    print(header)
    print("-" * len(header))
    for name, torch_s, numpy_s, note in torch_table:
        print(f"{name:50s} {torch_s:11.4f} {numpy_s:10.4f} {torch_s / numpy_s:6.2f}  {note}")


def multinomial_newton(n_samples: int, repeats: int, n_features: int = 20, K: int = 4) -> None:
    """Softmax LogisticRegression by Newton: glassbox against scikit-learn's newton-cholesky
    (multinomial), K classes, n_samples x n_features, tol 1e-4 on both sides, C = 1."""
    from sklearn import linear_model as sk

    rng = np.random.default_rng(1)
    X = rng.standard_normal((n_samples, n_features))
    scores = X @ (0.5 * rng.standard_normal((n_features, K))) + rng.gumbel(size=(n_samples, K))
    labels = np.argmax(scores, axis=1)  # softmax-distributed classes
    t_sk, ref = best_time(
        lambda: sk.LogisticRegression(solver="newton-cholesky", tol=1e-4).fit(X, labels), repeats
    )
    t_gb, ours = best_time(
        lambda: LogisticRegression(solver="newton", tol=1e-4).fit(X, labels), repeats
    )
    print(f"\nSoftmax Newton, {K} classes, {n_samples:,} x {n_features}, best of {repeats}")
    header = f"{'engine':10s} {'seconds':>8s} {'iters':>6s}  objective"
    print(header)
    print("-" * len(header))
    for name, seconds, model in (("glassbox", t_gb, ours), ("sklearn", t_sk, ref)):
        objective = logistic_objective(model, X, labels, 1.0)
        print(f"{name:10s} {seconds:8.3f} {int(np.max(model.n_iter_)):6d}  {objective:.12f}")
    print(f"ratio glassbox / sklearn: {t_gb / t_sk:.2f}")


def lasso_fista_engines(X: np.ndarray, y: np.ndarray, repeats: int, alpha: float = 0.01) -> None:
    """Lasso by FISTA, one model on two engines (NumPy, torch on the CPU): same steps, same stop."""
    engines = {
        "numpy": {},
        "torch float64": {"backend": "torch"},
        "torch float32": {"backend": "torch", "dtype": "float32"},
    }
    times = {}
    print(f"\nLasso solver='fista', alpha={alpha}, tol 1e-4, numpy vs torch (best of {repeats})")
    header = f"{'engine':16s} {'seconds':>9s} {'/numpy':>7s} {'steps':>6s} {'dual gap':>10s}"
    print(header)
    print("-" * len(header))
    for name, engine in engines.items():
        seconds, model = best_time(
            lambda e=engine: Lasso(alpha=alpha, solver="fista", **e).fit(X, y), repeats
        )
        times[name] = seconds
        print(
            f"{name:16s} {seconds:9.3f} {seconds / times['numpy']:7.2f} {model.n_iter_:6d} "
            f"{model.dual_gap_:10.2e}"
        )


if __name__ == "__main__":
    main()
