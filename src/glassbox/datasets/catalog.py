"""One name for every dataset: built-in generators, packaged real data, or a file path."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from glassbox.datasets.dataset import Dataset
from glassbox.datasets.files import SUFFIXES, load_table
from glassbox.datasets.real import REAL_DATASETS
from glassbox.datasets.synthetic import (
    house_prices,
    make_classification,
    make_linear,
    make_polynomial,
    make_regression,
)

__all__ = ["SYNTHETIC_DATASETS", "dataset_names", "load_dataset"]


def _lesson(n_samples: int | None, n_features: int | None, noise: float | None, seed: int):
    n = 100 if n_samples is None else n_samples
    X, y = make_linear(n, noise=1.0 if noise is None else noise, random_state=seed)
    return Dataset(
        "lesson",
        X,
        y,
        "regression",
        ("x",),
        description="the lesson's line: x = 0..n-1, y = 3.5 x + U(-10, 20)"
        + (f" x {noise:g}" if noise not in (None, 1.0) else ""),
        source=f"glassbox.datasets.make_linear({n}, noise={1.0 if noise is None else noise},"
        f" random_state={seed})",
    )


def _polynomial(n_samples: int | None, n_features: int | None, noise: float | None, seed: int):
    n, degree = (200 if n_samples is None else n_samples), (n_features or 8)
    level = 0.01 if noise is None else noise
    X, y = make_polynomial(n, degree=degree, noise=level, random_state=seed)
    return Dataset(
        "polynomial",
        X,
        y,
        "regression",
        tuple(f"x^{k}" for k in range(1, degree + 1)),
        description=f"raw powers x..x^{degree} of x ~ U(0, 10), y = sin x + noise "
        "(ill-conditioned)",
        source=f"glassbox.datasets.make_polynomial({n}, degree={degree}, noise={level}, "
        f"random_state={seed})",
    )


def _regression(n_samples: int | None, n_features: int | None, noise: float | None, seed: int):
    n, p = (1000 if n_samples is None else n_samples), (n_features or 10)
    level = 1.0 if noise is None else noise
    X, y = make_regression(n, p, noise=level, random_state=seed)
    return Dataset(
        "regression",
        X,
        y,
        "regression",
        tuple(f"x{j}" for j in range(p)),
        description=f"y = X β + {level:g}·N(0, 1), X ~ N(0, I), β ~ U(-5, 5)",
        source=f"glassbox.datasets.make_regression({n}, {p}, noise={level}, random_state={seed})",
    )


def _classification(n_samples: int | None, n_features: int | None, noise: float | None, seed: int):
    n, p = (500 if n_samples is None else n_samples), (n_features or 4)
    flip = 0.01 if noise is None else noise
    X, y = make_classification(n, p, flip_y=flip, random_state=seed)
    return Dataset(
        "classification",
        X,
        y,
        "classification",
        tuple(f"x{j}" for j in range(p)),
        description=f"two Gaussian clouds in {p} dimensions, {flip:.0%} of labels flipped",
        source=f"glassbox.datasets.make_classification({n}, {p}, flip_y={flip}, "
        f"random_state={seed})",
    )


def _houses(n_samples: int | None, n_features: int | None, noise: float | None, seed: int):
    return house_prices(30 if n_samples is None else n_samples, random_state=seed)


Generator = Callable[[int | None, int | None, float | None, int], Dataset]
SYNTHETIC_DATASETS: dict[str, Generator] = {
    "lesson": _lesson,
    "polynomial": _polynomial,
    "regression": _regression,
    "classification": _classification,
    "house_prices": _houses,
}


def dataset_names() -> list[str]:
    """Every built-in dataset name (synthetic ones first, then packaged real ones)."""
    return [*SYNTHETIC_DATASETS, *REAL_DATASETS]


def real_dataset_installed(name: str) -> bool:
    """Whether the package that ships the real dataset ``name`` is installed."""
    return importlib.util.find_spec(REAL_DATASETS[name][1]) is not None


def load_dataset(
    name: str,
    *,
    target: str | None = None,
    task: str = "auto",
    n_samples: int | None = None,
    n_features: int | None = None,
    noise: float | None = None,
    random_state: int = 0,
) -> Dataset:
    """A built-in dataset by name, or a CSV / Parquet file (``name`` is its path).

    ``n_samples``, ``n_features`` and ``noise`` shape the synthetic datasets (noise is the
    scale of the lesson's uniform noise, the standard deviation for ``regression``, the
    fraction of flipped labels for ``classification``); ``random_state`` seeds them.
    """
    if name in SYNTHETIC_DATASETS:
        return SYNTHETIC_DATASETS[name](n_samples, n_features, noise, random_state)
    if name in REAL_DATASETS:
        return REAL_DATASETS[name][0]()
    looks_like_file = Path(name).suffix.lower() in SUFFIXES or Path(name).exists()
    if looks_like_file:
        return load_table(name, target, task=task)
    raise ValueError(
        f"Unknown dataset {name!r}: not a built-in name ({', '.join(dataset_names())}) and "
        f"not a file ({', '.join(SUFFIXES)})."
    )
