"""Regression metrics, written out.

Each takes ``y_true`` and ``y_pred`` of shape (n_samples,) or (n_samples, n_targets) and an
optional ``sample_weight``; several targets are averaged uniformly, as in scikit-learn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.validation import as_float_array, check_sample_weight

__all__ = [
    "mean_absolute_error",
    "mean_squared_error",
    "median_absolute_error",
    "r2_score",
    "root_mean_squared_error",
]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array(y_true, name="y_true", ensure_2d=False)
    y_pred = as_float_array(y_pred, name="y_pred", ensure_2d=False)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true and y_pred have different numbers of samples: {y_true.shape[0]} and "
            f"{y_pred.shape[0]}."
        )
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different numbers of targets: shapes {y_true.shape} and "
            f"{y_pred.shape}."
        )
    return y_true, y_pred


def _weights(sample_weight: Any, n_samples: int) -> np.ndarray:
    weights = check_sample_weight(sample_weight, n_samples)
    return np.ones(n_samples) if weights is None else weights


def mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """MSE = Σ w (y - ŷ)² / Σ w."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(weights @ (y_true - y_pred) ** 2 / weights.sum()))


def root_mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """RMSE = √MSE per target (the square root of a mean, never of a sum), then averaged."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(np.sqrt(weights @ (y_true - y_pred) ** 2 / weights.sum())))


def mean_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """MAE = Σ w |y - ŷ| / Σ w."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(weights @ np.abs(y_true - y_pred) / weights.sum()))


def median_absolute_error(y_true: Any, y_pred: Any) -> float:
    """median |y - ŷ| per target, averaged over targets."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.median(np.abs(y_true - y_pred), axis=0)))


def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ_w)², per target, averaged uniformly.

    A constant target has no variance to explain: R² is 1 for a perfect prediction and 0
    otherwise (scikit-learn's convention), never NaN.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if len(y_true) < 2:
        raise ValueError("R² is not defined for fewer than 2 samples; pass more samples.")
    weights = _weights(sample_weight, len(y_true))
    mean = weights @ y_true / weights.sum()
    residual = weights @ (y_true - y_pred) ** 2
    total = weights @ (y_true - mean) ** 2
    scores = np.where(
        total > 0,
        1.0 - residual / np.where(total > 0, total, 1.0),
        np.where(residual == 0, 1.0, 0.0),
    )
    return float(np.mean(scores))
