"""Synthetic data with a known truth: the lesson's line, regression, classification, houses.

Every generator takes ``random_state`` (an int, a ``numpy.random.Generator`` or None); the
same seed gives the same numbers on every machine (NumPy's PCG64 stream).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.datasets.dataset import Dataset

__all__ = [
    "house_prices",
    "make_classification",
    "make_linear",
    "make_polynomial",
    "make_regression",
]


def _check_count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def _check_noise(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"noise must be a number >= 0; got {value!r}.")
    return float(value)


def make_linear(
    n_samples: int = 50,
    *,
    slope: float = 3.5,
    intercept: float = 0.0,
    low: float = -10.0,
    high: float = 20.0,
    noise: float = 1.0,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The lesson's data: x = 0, 1, ..., n-1 and y = slope·x + intercept + ε.

    ε ~ noise · Uniform(low, high): with the defaults, y = 3.5 x + U(-10, 20). The noise has
    mean 5·noise, so the best-fitting line has intercept ≈ 5 (not 0): a point the lesson makes.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = _check_noise(noise)
    if not low <= high:
        raise ValueError(f"low must be <= high; got low={low}, high={high}.")
    rng = np.random.default_rng(random_state)
    x = np.arange(n_samples, dtype=np.float64)
    y = slope * x + intercept + noise * rng.uniform(low, high, n_samples)
    return x[:, None], y


def make_polynomial(
    n_samples: int = 200, *, degree: int = 8, noise: float = 0.01, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Raw powers x, x², ..., x^degree of x ~ U(0, 10), and y = sin(x) + noise·N(0, 1).

    The columns are nearly collinear (cond ≈ 1e9 at degree 8 once scaled): the design where
    solvers that square the condition number (normal equations) lose their digits.
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    degree = _check_count(degree, "degree")
    noise = _check_noise(noise)
    rng = np.random.default_rng(random_state)
    x = np.sort(rng.uniform(0.0, 10.0, n_samples))
    X = np.column_stack([x**k for k in range(1, degree + 1)])
    return X, np.sin(x) + noise * rng.standard_normal(n_samples)


def make_regression(
    n_samples: int = 100,
    n_features: int = 5,
    *,
    noise: float = 1.0,
    bias: float = 0.0,
    return_coef: bool = False,
    random_state: Any = None,
) -> Any:
    """y = X β + bias + noise·N(0, 1), with X ~ N(0, I) and β ~ U(-5, 5).

    Returns ``(X, y)``, or ``(X, y, β)`` with ``return_coef=True``.
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    n_features = _check_count(n_features, "n_features")
    noise = _check_noise(noise)
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_samples, n_features))
    coef = rng.uniform(-5.0, 5.0, n_features)
    y = X @ coef + bias + noise * rng.standard_normal(n_samples)
    return (X, y, coef) if return_coef else (X, y)


def make_classification(
    n_samples: int = 200,
    n_features: int = 4,
    *,
    n_classes: int = 2,
    class_sep: float = 1.0,
    flip_y: float = 0.01,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds N(μ_k, I) around distinct hypercube vertices μ_k ∈ {±class_sep}^p.

    Classes are balanced (as nearly as ``n_samples`` allows); a fraction ``flip_y`` of the
    labels is then redrawn at random, so no classifier reaches 100% accuracy by construction.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int labels 0 .. n_classes-1, shape (n_samples,)
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    n_features = _check_count(n_features, "n_features")
    n_classes = _check_count(n_classes, "n_classes", 2)
    if n_features < 31 and 2**n_features < n_classes:
        raise ValueError(
            f"n_classes={n_classes} needs at least {int(np.ceil(np.log2(n_classes)))} features "
            f"(distinct hypercube vertices); got n_features={n_features}."
        )
    if not 0 <= flip_y <= 1:
        raise ValueError(f"flip_y must be between 0 and 1; got {flip_y!r}.")
    rng = np.random.default_rng(random_state)
    bits = min(n_features, 30)
    vertices = rng.choice(2**bits, size=n_classes, replace=False)
    signs = ((vertices[:, None] >> np.arange(bits)) & 1) * 2.0 - 1.0  # (K, bits) of ±1
    centres = np.zeros((n_classes, n_features))
    centres[:, :bits] = class_sep * signs
    y = rng.permutation(np.arange(n_samples) % n_classes)
    X = centres[y] + rng.standard_normal((n_samples, n_features))
    flip = rng.random(n_samples) < flip_y
    y[flip] = rng.integers(0, n_classes, int(flip.sum()))
    return X, y


def house_prices(n_samples: int = 30, *, random_state: Any = 0) -> Dataset:
    """A tiny three-feature example: floor area, distance to transport, rooms → price.

    price (thousands) = 50 + 2.5·area − 12·distance + 8·rooms + N(0, 20²), with area in m²
    (U(40, 200)), distance in km to the nearest station (U(0.2, 10)) and rooms ≈ area / 25.
    Rooms and area are correlated on purpose: their coefficients are less certain than the
    distance's, which the diagnostics show.
    """
    n_samples = _check_count(n_samples, "n_samples", 4)
    rng = np.random.default_rng(random_state)
    area = np.round(rng.uniform(40.0, 200.0, n_samples))
    distance = np.round(rng.uniform(0.2, 10.0, n_samples), 1)
    rooms = np.clip(np.round(area / 25.0) + rng.integers(-1, 2, n_samples), 1, None)
    price = 50.0 + 2.5 * area - 12.0 * distance + 8.0 * rooms + rng.normal(0.0, 20.0, n_samples)
    return Dataset(
        name="house_prices",
        X=np.column_stack([area, distance, rooms]),
        y=np.round(price, 1),
        task="regression",
        feature_names=("floor_area", "distance_to_transport", "rooms"),
        target_name="price",
        description="tiny example: floor area (m²), distance to transport (km), rooms -> "
        "price (thousands)",
        source=f"glassbox.datasets.house_prices(n_samples={n_samples}, random_state="
        f"{random_state!r})",
    )
