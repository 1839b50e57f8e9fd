"""Gradient descent for least squares: glassbox vs scikit-learn SGDRegressor vs PyTorch.

Usage: ``python benchmarks/descent.py [--quick] [--epochs N] [--only whole-fit|noise|epochs]``

On a well-conditioned float64 design (200,000 x 100; ``--quick``: 20,000 x 50) it reports

* whole-fit time (``--only whole-fit``): ``LinearRegression(solver="sgd", learning_rate=1e-3,
  standardize=False, tol=None)`` against ``SGDRegressor(tol=None)``, one and ten epochs, the
  whole ``fit`` (validation, setup, bookkeeping) of both, best of interleaved repeats;
* the defaults against noise (``--only noise``): 5,000 x 8 standardized columns with noise
  0.01, 1 and 10 times the signal's scale, 100 epochs (the bench's budget): the relative
  error of default ``bgd`` / ``minibatch`` / ``sgd`` (conjugate gradient, SVRG), of plain
  steps (``optimizer="sgd"``, the defaults before) and of ``SGDRegressor()``;

* per-epoch time: glassbox's own record of the update work (``history["elapsed_seconds"]``,
  without the per-epoch loss/gradient bookkeeping) and the wall time of the whole fit divided by
  its epochs (bookkeeping included); SGDRegressor's wall time per ``max_iter=1`` fit; an
  idiomatic PyTorch loop (``nn.Linear``, ``MSELoss``, ``torch.optim.SGD``, batch 256, a fresh
  permutation per epoch) timed per epoch;
* time to accuracy: wall time until the relative coefficient error against
  ``numpy.linalg.lstsq`` is at most 1e-4 (error checks excluded from the clock);
* Ridge full-batch descent on both glassbox engines (``backend="numpy"`` and ``"torch"``,
  float64 and float32): per-epoch update time of the same iterates.

Every peer runs in the same process on the same data, with the same number of threads
(``--threads=N``, default 1: BLAS via OPENBLAS/OMP/MKL_NUM_THREADS, torch via
``set_num_threads``); ratios are printed against them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

if __name__ == "__main__":  # pin every engine to the same thread count before they load
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "1")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np

from glassbox.linear.descent import fit_descent

TARGET = 1e-4


def make_data(n_samples: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    w = rng.standard_normal(n_features)
    y = X @ w + 0.5 + 0.1 * rng.standard_normal(n_samples)
    A = np.hstack([X, np.ones((n_samples, 1))])
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    return X, y, solution


def relative_error(coef, intercept, solution):
    estimate = np.r_[np.ravel(coef), intercept]
    return float(np.linalg.norm(estimate - solution) / np.linalg.norm(solution))


GLASSBOX = {
    "glassbox sgd (plain)": {"method": "sgd", "optimizer": "sgd"},
    "glassbox sgd (default: svrg)": {"method": "sgd"},
    "glassbox minibatch(256) (plain)": {
        "method": "minibatch",
        "batch_size": 256,
        "optimizer": "sgd",
    },
    "glassbox minibatch(256) (svrg)": {"method": "minibatch", "batch_size": 256},
    "glassbox bgd (plain 1/L)": {"method": "bgd", "optimizer": "sgd"},
    "glassbox bgd+nesterov": {"method": "bgd", "optimizer": "nesterov"},
    "glassbox bgd (default: cg)": {"method": "bgd"},
}


def whole_fit_rows(X, y, repeats=5):
    """(epochs, glassbox seconds, SGDRegressor seconds): best of ``repeats`` interleaved."""
    from sklearn.linear_model import SGDRegressor

    from glassbox.linear import LinearRegression

    rows = []
    for epochs in (1, 10):
        ours, theirs = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            SGDRegressor(max_iter=epochs, tol=None, random_state=0).fit(X, y)
            theirs.append(time.perf_counter() - start)
            start = time.perf_counter()
            LinearRegression(
                solver="sgd",
                max_epochs=epochs,
                learning_rate=1e-3,
                standardize=False,
                tol=None,
                random_state=0,
            ).fit(X, y)
            ours.append(time.perf_counter() - start)
        rows.append((epochs, min(ours), min(theirs)))
    return rows


def print_whole_fit(X, y):
    print("\nwhole fit, best of 5 interleaved: LinearRegression(solver='sgd', learning_rate=1e-3,")
    print("standardize=False, tol=None) vs SGDRegressor(tol=None), same max_iter / max_epochs")
    print(f"{'epochs':>6s} {'glassbox (s)':>13s} {'sklearn (s)':>12s} {'ratio':>6s}")
    for epochs, ours, theirs in whole_fit_rows(X, y):
        print(f"{epochs:6d} {ours:13.4f} {theirs:12.4f} {ours / theirs:6.2f}")


def noise_rows(n_samples=5000, n_features=8, epochs=100):
    """Relative error and converged flag of each default, plain steps and SGDRegressor."""
    from sklearn.linear_model import SGDRegressor

    from glassbox.linear import LinearRegression

    rows = []
    for noise in (0.01, 1.0, 10.0):
        rng = np.random.default_rng(0)
        X = rng.standard_normal((n_samples, n_features))
        signal = X @ rng.standard_normal(n_features)
        y = signal + 1.0 + noise * signal.std() * rng.standard_normal(n_samples)
        solution = np.linalg.lstsq(np.hstack([X, np.ones((n_samples, 1))]), y, rcond=None)[0]
        fits = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for method in ("bgd", "minibatch", "sgd"):
                for label, extra in (("default", {}), ("plain", {"optimizer": "sgd"})):
                    fits[f"{method} {label}"] = LinearRegression(
                        solver=method, max_epochs=epochs, random_state=0, **extra
                    ).fit(X, y)
            reference = SGDRegressor(random_state=0, max_iter=epochs).fit(X, y)
        for name, model in fits.items():
            error = relative_error(model.coef_, model.intercept_, solution)
            rows.append((noise, f"glassbox {name}", error, model.converged_, model.n_iter_))
        error = relative_error(reference.coef_, reference.intercept_[0], solution)
        rows.append((noise, "sklearn SGDRegressor()", error, None, reference.n_iter_))
    return rows


def print_noise():
    print("\ndefaults against noise: 5,000 x 8 standardized columns, 100-epoch budget")
    print(f"{'noise':>6s} {'fit':34s} {'rel. error':>10s} {'converged':>9s} {'epochs':>6s}")
    for noise, name, error, converged, n_iter in noise_rows():
        flag = "" if converged is None else ("yes" if converged else "no")
        print(f"{noise:6g} {name:34s} {error:10.1e} {flag:>9s} {n_iter:6d}")


def glassbox_runs(X, y, solution, epochs):
    rows = {}
    for name, kwargs in GLASSBOX.items():
        # Per-epoch time: a fixed number of epochs, no early exit.
        n_epochs = epochs if kwargs["method"] != "bgd" else 5 * epochs
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit_descent(
                X, y, random_state=0, max_epochs=n_epochs, tol=0.0, stopping="gradient", **kwargs
            )
        wall = time.perf_counter() - start
        update = result.history["elapsed_seconds"][-1] / result.n_iter

        # Time to accuracy: stop as soon as the error reaches the target.
        excluded = 0.0
        reached: list[float] = []

        def check(epoch, coef, intercept, reached=reached):
            nonlocal excluded
            tick = time.perf_counter()
            done = relative_error(coef, intercept, solution) <= TARGET
            if done:
                reached.append(tick)
            excluded += time.perf_counter() - tick
            return done

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit_descent(
                X, y, random_state=0, max_epochs=n_epochs, callback=check, **kwargs
            )
        tta = (reached[0] - start - excluded) if reached else float("nan")
        final = relative_error(result.coef, result.intercept, solution)
        rows[name] = (update, wall / n_epochs, tta, result.n_iter if reached else None, final)
    return rows


def sklearn_runs(X, y, solution, epochs):
    from sklearn.linear_model import SGDRegressor

    rows = {}
    for name, kwargs in {
        "sklearn SGDRegressor": {},
        "sklearn SGDRegressor(average)": {"average": True},
    }.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = []
            for _ in range(3):
                start = time.perf_counter()
                SGDRegressor(max_iter=1, tol=None, random_state=0, **kwargs).fit(X, y)
                times.append(time.perf_counter() - start)
            per_epoch = min(times)
            model = SGDRegressor(random_state=0, **kwargs)
            clock, tta, reached_epoch, error = 0.0, float("nan"), None, float("nan")
            for epoch in range(1, epochs + 1):
                start = time.perf_counter()
                model.partial_fit(X, y)
                clock += time.perf_counter() - start
                error = relative_error(model.coef_, model.intercept_[0], solution)
                if error <= TARGET:
                    tta, reached_epoch = clock, epoch
                    break
        rows[name] = (per_epoch, per_epoch, tta, reached_epoch, error)
    return rows


def torch_runs(X, y, solution, epochs, batch_size=256, lr=0.05):
    import torch

    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y).unsqueeze(1)
    torch.manual_seed(0)
    model = torch.nn.Linear(X.shape[1], 1).double()
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    clock, per_epoch, tta, reached_epoch, error = 0.0, [], float("nan"), None, float("nan")
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        permutation = torch.randperm(n)
        for first in range(0, n, batch_size):
            index = permutation[first : first + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(Xt[index]), yt[index])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        clock += seconds
        per_epoch.append(seconds)
        with torch.no_grad():
            error = relative_error(
                model.weight.numpy().ravel(), float(model.bias.numpy()[0]), solution
            )
        if error <= TARGET and reached_epoch is None:
            tta, reached_epoch = clock, epoch
            break
    best = float(np.median(per_epoch))
    return {f"torch loop (batch {batch_size}, lr {lr})": (best, best, tta, reached_epoch, error)}


def ridge_engine_runs(X, y, epochs, alpha=1.0):
    """Ridge full-batch descent, one model on two engines: per-epoch update time.

    The same estimator, hyperparameters and iterates (they agree per epoch to 1e-10 in
    float64); ``history_["elapsed_seconds"]`` times the update work of each engine alike.
    """
    from glassbox import Ridge

    rows = {}
    for name, engine in {
        "numpy": {},
        "torch float64": {"backend": "torch"},
        "torch float32": {"backend": "torch", "dtype": "float32"},
    }.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model = Ridge(alpha, solver="bgd", max_epochs=epochs, tol=0.0, **engine).fit(X, y)
            wall = time.perf_counter() - start
        update = model.history_["elapsed_seconds"][-1] / model.n_iter_
        rows[name] = (update, wall / model.n_iter_, model.history_["train_loss"][-1])
    return rows


def print_ridge_rows(rows, epochs):
    reference = rows["numpy"]
    print(f"\nRidge(alpha=1) solver='bgd', {epochs} epochs, numpy vs torch (same iterates)")
    header = f"{'engine':16s} {'epoch(s)':>10s} {'wall/ep':>10s} {'/numpy':>8s} {'final loss':>22s}"
    print(header)
    print("-" * len(header))
    for name, (update, wall, loss) in rows.items():
        print(f"{name:16s} {update:10.5f} {wall:10.5f} {update / reference[0]:8.2f} {loss:22.15e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 x 50 instead of 200,000 x 100")
    parser.add_argument("--epochs", type=int, default=None, help="epoch budget per run")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads for every engine (BLAS, torch); use =N"
    )
    parser.add_argument(
        "--only", choices=["whole-fit", "noise", "epochs"], default=None, help="one section"
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    n_samples, n_features = (20_000, 50) if args.quick else (200_000, 100)
    epochs = args.epochs or (20 if args.quick else 15)
    X, y, solution = make_data(n_samples, n_features)
    print(
        f"least squares, {n_samples} x {n_features} float64, target coef error {TARGET:g}, "
        f"{args.threads} thread(s) per engine"
    )
    if args.only in (None, "whole-fit"):
        print_whole_fit(X, y)
    if args.only in (None, "noise"):
        print_noise()
    if args.only is not None and args.only != "epochs":
        return

    rows = {}
    rows.update(sklearn_runs(X, y, solution, epochs))
    rows.update(torch_runs(X, y, solution, epochs))
    rows.update(glassbox_runs(X, y, solution, epochs))

    sk_epoch = rows["sklearn SGDRegressor"][0]
    torch_epoch = next(v[0] for k, v in rows.items() if k.startswith("torch"))
    sk_tta = rows["sklearn SGDRegressor"][2]
    header = (
        f"{'solver':32s} {'epoch(s)':>9s} {'wall/ep':>9s} {'/sklearn':>9s} {'/torch':>8s} "
        f"{'to 1e-4 (s)':>12s} {'epochs':>7s} {'final err':>10s}"
    )
    print(header)
    print("-" * len(header))
    for name, (epoch, wall, tta, reached, final) in rows.items():
        print(
            f"{name:32s} {epoch:9.4f} {wall:9.4f} {epoch / sk_epoch:9.2f} "
            f"{epoch / torch_epoch:8.2f} {tta:12.3f} {reached if reached else '-':>7} {final:10.2e}"
        )
    best = min((v[2], k) for k, v in rows.items() if k.startswith("glassbox") and np.isfinite(v[2]))
    print(
        f"\nbest glassbox time to {TARGET:g}: {best[1]} {best[0]:.3f} s; "
        f"SGDRegressor: {sk_tta:.3f} s"
        + ("" if np.isfinite(sk_tta) else f" (not reached in {epochs} epochs)")
    )
    print(
        "epoch(s): update work only for glassbox (history['elapsed_seconds']), whole fit for "
        "sklearn (max_iter=1), the loop body for torch; wall/ep: whole fit / epochs."
    )
    ridge_epochs = 5 * epochs
    print_ridge_rows(ridge_engine_runs(X, y, ridge_epochs), ridge_epochs)


if __name__ == "__main__":
    main()
