"""The same estimators on two engines: the NumPy backend against the PyTorch backend.

    python benchmarks/backends.py                  # 200,000 x 100 exact, 20,000 x 100 descent
    python benchmarks/backends.py --quick          # 20,000 x 50 exact, 5,000 x 20 descent
    python benchmarks/backends.py --device cuda    # the torch rows on the GPU (if there is one)

Exact solvers (LinearRegression auto/normal/qr/svd, Ridge cholesky/qr/svd): median fit time
of ``--repeats`` runs for ``backend="numpy"`` and ``backend="torch"``, the ratio torch/numpy
(the issue's target on the CPU: at most 1.5, since both call LAPACK), and the relative
difference of the coefficients. Descent (bgd, minibatch(256), sgd): the per-epoch time of the
update work (``history_["elapsed_seconds"]``, bookkeeping excluded) for both, with the ratio
and the largest relative difference of the per-epoch training losses.

Both engines run with the same thread count (``--threads=N``, default 1: BLAS through
OPENBLAS/OMP/MKL_NUM_THREADS, torch through ``set_num_threads``); every table says which
device ran the torch rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

if __name__ == "__main__":  # pin every engine to the same thread count before they load
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "1")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np

from glassbox import LinearRegression, Ridge

EXACT = [
    ("LinearRegression", "auto"),
    ("LinearRegression", "normal"),
    ("LinearRegression", "qr"),
    ("LinearRegression", "svd"),
    ("Ridge", "cholesky"),
    ("Ridge", "qr"),
    ("Ridge", "svd"),
]
DESCENT = {
    "bgd": {"solver": "bgd"},
    "minibatch(256)": {"solver": "minibatch", "batch_size": 256},
    "sgd": {"solver": "sgd"},
}


def make_data(n_samples: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) + rng.uniform(-5, 5, n_features)
    y = X @ rng.uniform(-2, 2, n_features) + 1.5 + rng.standard_normal(n_samples)
    return X, y


def estimator(model: str, solver: str, **engine):
    if model == "Ridge":
        return Ridge(1.0, solver=solver, **engine)
    return LinearRegression(solver=solver, **engine)


def timed_fit(model, X, y, repeats: int):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def relative(a, b) -> float:
    va = np.r_[np.ravel(a.coef_), np.ravel(a.intercept_)]
    vb = np.r_[np.ravel(b.coef_), np.ravel(b.intercept_)]
    return float(np.linalg.norm(va - vb) / np.linalg.norm(vb))


def exact_rows(X, y, device: str, repeats: int) -> None:
    n, p = X.shape
    print(f"\nExact solvers, {n:,} x {p}, float64 (median of {repeats}); torch on {device}")
    print(f"{'estimator':<18}{'solver':<10}{'numpy s':>10}{'torch s':>10}{'torch/numpy':>13}")
    print(f"{'':<18}{'':<10}{'':>10}{'':>10}{'':>13}{'rel. diff':>11}{'  torch solver_'}")
    for model_name, solver in EXACT:
        numpy_time, reference = timed_fit(estimator(model_name, solver), X, y, repeats)
        torch_model = estimator(model_name, solver, backend="torch", device=device)
        timed_fit(torch_model, X[:2000], y[:2000], 1)  # warm-up: the first call loads kernels
        torch_time, model = timed_fit(torch_model, X, y, repeats)
        print(
            f"{model_name:<18}{solver:<10}{numpy_time:>10.3f}{torch_time:>10.3f}"
            f"{torch_time / numpy_time:>13.2f}{relative(model, reference):>11.1e}"
            f"  {model.solver_} ({model.device_})"
        )


def descent_rows(X, y, device: str, epochs: int) -> None:
    n, p = X.shape
    print(f"\nDescent, {n:,} x {p}, float64, {epochs} epochs; torch on {device}")
    print(f"{'method':<16}{'numpy s/epoch':>14}{'torch s/epoch':>14}{'torch/numpy':>13}")
    print(f"{'':<16}{'':>14}{'':>14}{'':>13}{'max rel. diff of epoch losses':>31}")
    for name, params in DESCENT.items():
        n_epochs = epochs if name != "sgd" else max(1, epochs // 5)
        settings = params | {"max_epochs": n_epochs, "tol": 0.0, "random_state": 0}
        _, reference = timed_fit(LinearRegression(**settings), X, y, 1)
        torch_model = LinearRegression(backend="torch", device=device, **settings)
        _, model = timed_fit(torch_model, X, y, 1)
        numpy_epoch = reference.history_["elapsed_seconds"][-1] / reference.n_iter_
        torch_epoch = model.history_["elapsed_seconds"][-1] / model.n_iter_
        m = min(model.n_iter_, reference.n_iter_)
        ours = np.array(model.history_["train_loss"][:m])
        theirs = np.array(reference.history_["train_loss"][:m])
        difference = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
        print(
            f"{name:<16}{numpy_epoch:>14.4f}{torch_epoch:>14.4f}"
            f"{torch_epoch / numpy_epoch:>13.2f}{difference:>31.1e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small designs (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10, help="epochs of bgd/minibatch runs")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--threads", default="1", help="threads for every engine (default 1)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(int(args.threads))
    from glassbox.backends.torch_backend import resolve_device

    device, reason = resolve_device(args.device)
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads={args.threads}")
    print(f"torch device: {device} ({reason})")
    if device.type == "cuda":
        print(f"GPU: {torch.cuda.get_device_name(device)}")

    exact_shape = (20_000, 50) if args.quick else (200_000, 100)
    descent_shape = (5_000, 20) if args.quick else (20_000, 100)
    exact_rows(*make_data(*exact_shape), args.device, args.repeats)
    descent_rows(*make_data(*descent_shape, seed=1), args.device, args.epochs)


if __name__ == "__main__":
    main()
