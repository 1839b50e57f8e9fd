"""Exact least squares: glassbox's solvers against scikit-learn, NumPy, PyTorch and statsmodels.

    python benchmarks/exact_solvers.py            # the issue's three designs (a few minutes)
    python benchmarks/exact_solvers.py --quick    # small designs, seconds

For each float64 design it prints the fit time (median of --repeats runs, perf_counter around
the fit only), the speed ratio of glassbox "auto" over each peer, the largest coefficient
difference from a high-accuracy reference, and the peak extra memory of the fit as a fraction
of the size of X (tracemalloc sees NumPy's allocations).

The reference is independent of glassbox's solvers: NumPy's lstsq on the centred design,
followed by iterative refinement with residuals accumulated in long double.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np

DESIGNS = [(1_000_000, 100), (100_000, 1_000), (200_000, 10)]
QUICK_DESIGNS = [(100_000, 50), (20_000, 200), (50_000, 10)]


def make_design(n_samples: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X += rng.uniform(-5, 5, n_features)  # non-zero means, so centring matters
    beta = rng.uniform(-2, 2, n_features)
    y = X @ beta + 1.5 + rng.standard_normal(n_samples)
    return X, y


def reference_solution(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    mean_x, mean_y = X.mean(axis=0), y.mean()
    centred = X - mean_x
    coef = np.linalg.lstsq(centred, y - mean_y, rcond=None)[0]
    for _ in range(2):
        residual = y.astype(np.longdouble) - np.einsum("ij,j->i", X, coef.astype(np.longdouble))
        residual -= residual.mean()
        coef = coef + np.linalg.lstsq(centred, np.asarray(residual, dtype=float), rcond=None)[0]
    intercept = float(
        np.mean(y.astype(np.longdouble) - np.einsum("ij,j->i", X, coef.astype(np.longdouble)))
    )
    return coef, intercept


def glassbox_fit(solver: str, backend: str = "numpy") -> Callable:
    def fit(X, y, Xa):
        from glassbox import LinearRegression

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LinearRegression(solver=solver, backend=backend).fit(X, y)
        return model.coef_

    return fit


def sklearn_linear(X, y, Xa):
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(X, y).coef_


def sklearn_ridge(X, y, Xa):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1e-10, solver="cholesky").fit(X, y).coef_


def numpy_lstsq(X, y, Xa):
    return np.linalg.lstsq(Xa, y, rcond=None)[0][:-1]


def torch_lstsq(X, y, Xa):
    import torch

    A = torch.from_numpy(Xa)
    b = torch.from_numpy(y)[:, None]
    return torch.linalg.lstsq(A, b).solution[:-1, 0].numpy()


def statsmodels_ols(X, y, Xa):
    import statsmodels.api as sm

    return np.asarray(sm.OLS(y, Xa).fit().params)[:-1]


METHODS: dict[str, Callable] = {
    "glassbox auto": glassbox_fit("auto"),
    "glassbox normal": glassbox_fit("normal"),
    "glassbox qr": glassbox_fit("qr"),
    "glassbox svd": glassbox_fit("svd"),
    "glassbox auto (torch)": glassbox_fit("auto", "torch"),
    "sklearn LinearRegression": sklearn_linear,
    "sklearn Ridge(cholesky)": sklearn_ridge,
    "numpy lstsq": numpy_lstsq,
    "torch lstsq": torch_lstsq,
    "statsmodels OLS": statsmodels_ols,
}


def available(name: str) -> bool:
    engine = "torch" if name.endswith("(torch)") else name.split()[0]
    module = {"sklearn": "sklearn", "torch": "torch", "statsmodels": "statsmodels"}.get(engine)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def measure(method: Callable, X, y, Xa, repeats: int) -> tuple[list[float], float, np.ndarray]:
    method(X[:1000], y[:1000], Xa[:1000])  # warm-up: imports, BLAS threads
    tracemalloc.start()
    coef = method(X, y, Xa)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        coef = method(X, y, Xa)
        times.append(time.perf_counter() - start)
    return times, peak, coef


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small designs (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--methods", nargs="*", default=list(METHODS), help="subset of rows")
    parser.add_argument(
        "--design", action="append", help="run only this design, e.g. 200000x10 (repeatable)"
    )
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_info

        threads = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
    except ImportError:
        threads = {}
    print(f"NumPy {np.__version__}; BLAS threads: {threads or 'unknown'}")
    designs = QUICK_DESIGNS if args.quick else DESIGNS
    if args.design:
        designs = [tuple(int(v) for v in d.lower().split("x")) for d in args.design]
    for n_samples, n_features in designs:
        X, y = make_design(n_samples, n_features)
        Xa = np.column_stack([X, np.ones(n_samples)])  # peers that need an intercept column
        reference, _ = reference_solution(X, y)
        rows = []
        for name in args.methods:
            if not available(name):
                rows.append((name, None, None, None))
                continue
            times, peak, coef = measure(METHODS[name], X, y, Xa, args.repeats)
            error = float(np.max(np.abs(np.asarray(coef) - reference)))
            rows.append((name, times, error, peak / X.nbytes))
        print(f"\n{n_samples:,} x {n_features:,} float64 ({X.nbytes / 2**20:,.0f} MiB)")
        auto = statistics.median(rows[0][1]) if rows and rows[0][1] else None
        print(
            f"{'method':<26}{'median s':>10}{'min s':>9}{'max s':>9}{'auto speed-up':>15}"
            f"{'max |Δcoef|':>13}{'peak mem/X':>12}"
        )
        for name, times, error, memory in rows:
            if times is None:
                print(f"{name:<26}  (not installed)")
                continue
            median = statistics.median(times)
            ratio = f"{median / auto:.2f}x" if auto else "-"
            print(
                f"{name:<26}{median:>10.3f}{min(times):>9.3f}{max(times):>9.3f}{ratio:>15}"
                f"{error:>13.1e}{memory:>12.2f}"
            )


if __name__ == "__main__":
    main()
