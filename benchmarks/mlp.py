"""glassbox.nn's MLP against scikit-learn and PyTorch: digits accuracy and the 784-256-10 epoch.

Usage: ``python benchmarks/mlp.py [--quick] [--seeds N] [--repeats N] [--threads N]``

1. **Accuracy on scikit-learn's digits** (8x8 images scaled to [0, 1], a stratified 70/30
   split with seed 0): glassbox's ``MLPClassifier`` and scikit-learn's with the same
   architecture (one hidden layer of 100 ReLU units), the same optimizer (Adam, η = 10⁻³,
   batch 200, α = 10⁻⁴) and exactly the same number of epochs (plateau stopping switched off
   on both, so neither stops early), for each of ``--seeds`` seeds; test accuracy side by
   side, and the mean. (The two draw their initial weights with different generators, so a
   single seed compares two random networks; the mean over seeds compares the methods.)
2. **One epoch of the 784-256-10 MLP** on 60,000 x 784 float32 rows (``--quick``: 10,000)
   with Adam at batch 64, the data, weights and engines of ``benchmarks/autograd.py``:
   PyTorch (``torch.set_num_threads(threads)``), glassbox's Keras-style ``Model``
   (``Dense(256, input_dim=784), ReLU(), Dense(10), Softmax()`` with ``CrossEntropy``, in
   float32 like the others, trained by ``Model.fit`` on the one descent loop) and
   scikit-learn's ``MLPClassifier(max_iter=1)`` on the same float32 rows. Best of
   ``--repeats`` epochs each, and the ratios to PyTorch, in the same run.

Timings depend on the machine and on what else runs on it: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import warnings
from pathlib import Path

if __name__ == "__main__":  # pin every engine to the same thread count before they load
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--threads=")), "2")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np


def _autograd_benchmark():
    """benchmarks/autograd.py, whose data, weights and PyTorch epoch are reused here."""
    path = Path(__file__).with_name("autograd.py")
    spec = importlib.util.spec_from_file_location("_glassbox_autograd_benchmark", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is beside this one
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- 1. digits --------------------------------------------------------------------------------


def digits_split(seed: int = 0):
    from sklearn.model_selection import train_test_split

    from glassbox.datasets import load_digits

    data = load_digits()
    X = data.X / 16.0  # grey levels 0..16 -> [0, 1]
    return train_test_split(X, data.y, test_size=0.3, random_state=seed, stratify=data.y)


def digits_accuracy(n_seeds: int, epochs: int) -> None:
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from glassbox.nn.estimators import MLPClassifier

    X_train, X_test, y_train, y_test = digits_split()
    print(
        f"digits: {len(X_train)} training / {len(X_test)} test rows (stratified 70/30, seed 0); "
        f"64-100-10 ReLU MLP, Adam lr 1e-3, batch 200, alpha 1e-4, {epochs} epochs"
    )
    print(f"{'seed':>6}{'glassbox':>11}{'sklearn':>10}{'epochs':>9}{'gb s':>8}{'sk s':>8}")
    rows = []
    for seed in range(n_seeds):
        params = dict(
            hidden_layer_sizes=(100,),
            max_iter=epochs,
            random_state=seed,
            tol=0.0,
            n_iter_no_change=epochs + 1,  # no plateau stopping: exactly `epochs` epochs
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "max_iter reached": asked for on purpose
            start = time.perf_counter()
            ours = MLPClassifier(**params).fit(X_train, y_train)
            ours_seconds = time.perf_counter() - start
            start = time.perf_counter()
            theirs = SklearnMLP(**params).fit(X_train, y_train)
            theirs_seconds = time.perf_counter() - start
        if ours.n_iter_ != theirs.n_iter_:
            raise RuntimeError(f"epochs differ: {ours.n_iter_} vs {theirs.n_iter_}")
        accuracy = (ours.score(X_test, y_test), theirs.score(X_test, y_test))
        rows.append(accuracy)
        print(
            f"{seed:>6}{accuracy[0]:>11.4f}{accuracy[1]:>10.4f}{ours.n_iter_:>9}"
            f"{ours_seconds:>8.2f}{theirs_seconds:>8.2f}"
        )
    mean = np.mean(rows, axis=0)
    print(
        f"{'mean':>6}{mean[0]:>11.4f}{mean[1]:>10.4f}   glassbox - sklearn = "
        f"{mean[0] - mean[1]:+.4f} (target: glassbox >= 0.97 and >= sklearn)"
    )


# --- 2. one epoch of 784-256-10 ---------------------------------------------------------------


def glassbox_model_epoch(bench, X, y, weights) -> tuple[float, float]:
    """One epoch of Model.fit from the shared initial weights (in (in, out) layout)."""
    from glassbox.nn import Dense, Model, ReLU, Softmax
    from glassbox.nn.losses import CrossEntropy
    from glassbox.optim import Adam

    model = Model(seed=0, dtype="float32")
    model.add(Dense(bench.HIDDEN, input_dim=784, dtype="float32"))
    model.add(ReLU())
    model.add(Dense(bench.CLASSES, dtype="float32"))
    model.add(Softmax())
    first, second = model.layers[0], model.layers[2]
    first.weight.data, first.bias.data = weights[0].T.copy(), weights[1].copy()
    second.weight.data, second.bias.data = weights[2].T.copy(), weights[3].copy()
    model.compile(optimizer=Adam(learning_rate=bench.LEARNING_RATE), loss=CrossEntropy())
    start = time.perf_counter()
    history = model.fit(X, y, epochs=1, batch_size=bench.BATCH, verbose=0)
    return time.perf_counter() - start, float(history.history["loss"][-1])


def sklearn_epoch(bench, X, y) -> tuple[float, float]:
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    model = SklearnMLP(
        hidden_layer_sizes=(bench.HIDDEN,),
        batch_size=bench.BATCH,
        learning_rate_init=bench.LEARNING_RATE,
        alpha=0.0,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: "max_iter reached" on purpose
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start, float(model.loss_)


def epoch_times(n_samples: int, repeats: int, threads: int) -> None:
    bench = _autograd_benchmark()
    X, y = bench.make_data(n_samples)
    weights, order = bench.initial_weights(), bench.epoch_order(n_samples)
    print(
        f"\nMLP 784-{bench.HIDDEN}-{bench.CLASSES}, Adam lr {bench.LEARNING_RATE:g}, batch "
        f"{bench.BATCH}, one epoch of {n_samples:,} x 784 float32, {threads} threads, best of "
        f"{repeats}"
    )
    engines = {
        "PyTorch": lambda: bench.torch_epoch(X, y, weights, order, threads),
        "glassbox Model": lambda: glassbox_model_epoch(bench, X, y, weights),
        "scikit-learn": lambda: sklearn_epoch(bench, X, y),
    }
    results = {}
    for name, run in engines.items():
        timings = [run() for _ in range(repeats)]
        results[name] = (min(t for t, _ in timings), timings[-1][1])
    reference = results["PyTorch"][0]
    print(f"{'engine':<18}{'epoch (s)':>11}{'x PyTorch':>11}{'mean loss':>12}")
    for name, (seconds, loss) in results.items():
        print(f"{name:<18}{seconds:>11.3f}{seconds / reference:>11.2f}{loss:>12.5f}")
    ratio = results["glassbox Model"][0] / reference
    verdict = "within" if ratio <= 1.5 else "NOT within"
    print(f"glassbox / PyTorch = {ratio:.2f}: {verdict} the 1.5x target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds, epochs and rows")
    parser.add_argument("--seeds", type=int, default=None, help="digits seeds (default 5)")
    parser.add_argument("--repeats", type=int, default=2, help="epochs timed per engine (best)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", 2)))
    args = parser.parse_args()
    n_seeds = args.seeds or (2 if args.quick else 5)
    digits_accuracy(n_seeds, epochs=50 if args.quick else 200)
    epoch_times(10_000 if args.quick else 60_000, args.repeats, args.threads)


if __name__ == "__main__":
    main()
