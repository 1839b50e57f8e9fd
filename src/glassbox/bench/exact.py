"""A side-by-side run of the exact least-squares methods and their peers.

For each dataset: one seeded 80/20 train/test split; every method is fitted on the training
rows (a warm-up fit, then ``repeats`` fits timed with ``perf_counter`` around ``fit`` only)
and scored on the test rows; its coefficients are compared with a reference solved in
100-digit decimal arithmetic (``precision="extended"``) and scored as correct significant
digits (NIST's log relative error, worst coefficient, capped at 15).
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassbox.datasets.nist import correct_digits
from glassbox.linear import LinearRegression
from glassbox.metrics import r2_score, root_mean_squared_error

Fit = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, float]]


@dataclass
class ExactRow:
    dataset: str
    method: str
    engine: str
    seconds: list[float] | None = None
    rmse: float | None = None
    r2: float | None = None
    digits: float | None = None
    note: str = ""

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def lesson_data(seed: int = 1234) -> tuple[np.ndarray, np.ndarray]:
    """The classic lesson: x = 0..49, y = 3.5 x + uniform(-10, 20) noise."""
    rng = np.random.default_rng(seed)
    x = np.arange(50, dtype=float)
    return x[:, None], 3.5 * x + rng.uniform(-10, 20, 50)


def polynomial_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw powers x, ..., x⁸ of x on [0, 10]: where established tools lose their digits."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 10, 200))
    return np.column_stack([x**k for k in range(1, 9)]), np.sin(x) + 0.01 * rng.standard_normal(200)


def tall_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """20,000 x 10 Gaussian design with offsets: a well-conditioned everyday problem."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20_000, 10)) + rng.uniform(-5, 5, 10)
    return X, X @ rng.uniform(-2, 2, 10) + 1.5 + rng.standard_normal(20_000)


DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "lesson": lesson_data,
    "polynomial": polynomial_data,
    "tall": tall_data,
}


def _glassbox(solver: str) -> Fit:
    def fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LinearRegression(solver=solver).fit(X, y)
        return model.coef_, float(model.intercept_)

    return fit


def _sklearn(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LinearRegression as SklearnLinearRegression

    model = SklearnLinearRegression().fit(X, y)
    return model.coef_, float(model.intercept_)


def _numpy(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)[0]
    return solution[:-1], float(solution[-1])


def _torch(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    import torch

    A = torch.from_numpy(np.column_stack([X, np.ones(len(y))]))
    solution = torch.linalg.lstsq(A, torch.from_numpy(y)[:, None]).solution[:, 0].numpy()
    return solution[:-1], float(solution[-1])


def _statsmodels(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    import statsmodels.api as sm

    params = np.asarray(sm.OLS(y, np.column_stack([X, np.ones(len(y))])).fit().params)
    return params[:-1], float(params[-1])


# (method, engine) -> (fit function, module it needs or None)
METHODS: dict[tuple[str, str], tuple[Fit, str | None]] = {
    ("beta", "glassbox"): (_glassbox("beta"), None),
    ("auto", "glassbox"): (_glassbox("auto"), None),
    ("normal", "glassbox"): (_glassbox("normal"), None),
    ("qr", "glassbox"): (_glassbox("qr"), None),
    ("svd", "glassbox"): (_glassbox("svd"), None),
    ("lstsq", "sklearn"): (_sklearn, "sklearn"),
    ("lstsq", "numpy"): (_numpy, None),
    ("lstsq", "torch"): (_torch, "torch"),
    ("OLS", "statsmodels"): (_statsmodels, "statsmodels"),
}


def _installed(module: str | None) -> bool:
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def run_exact(
    datasets: list[str] | None = None,
    repeats: int = 3,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[ExactRow]:
    """Fit every exact method on every dataset; return one row per (dataset, method, engine)."""
    names = list(DATASETS) if datasets is None else datasets
    unknown = sorted(set(names) - set(DATASETS))
    if unknown:
        raise ValueError(f"Unknown dataset(s) {unknown}; built-in ones are {sorted(DATASETS)}.")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1; got {repeats}.")
    rows = []
    for name in names:
        X, y = DATASETS[name]()
        order = np.random.default_rng(seed).permutation(len(y))
        cut = int(0.8 * len(y))
        train, test = order[:cut], order[cut:]
        reference = LinearRegression(precision="extended").fit(X[train], y[train])
        for (method, engine), (fit, module) in METHODS.items():
            if progress is not None:
                progress(f"{name}: {method} ({engine})")
            row = ExactRow(name, method, engine)
            rows.append(row)
            if method == "beta" and X.shape[1] != 1:
                row.note = "1 feature only"
                continue
            if not _installed(module):
                row.note = f"{module} not installed"
                continue
            fit(X[train], y[train])  # warm-up
            seconds = []
            for _ in range(repeats):
                start = time.perf_counter()
                coef, intercept = fit(X[train], y[train])
                seconds.append(time.perf_counter() - start)
            prediction = X[test] @ coef + intercept
            row.seconds = seconds
            row.rmse = root_mean_squared_error(y[test], prediction)
            row.r2 = r2_score(y[test], prediction)
            row.digits = correct_digits(
                np.r_[intercept, coef], np.r_[reference.intercept_, reference.coef_]
            )
    return rows
