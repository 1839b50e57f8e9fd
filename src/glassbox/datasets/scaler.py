"""``StandardScaler``: z = (x − x̄) / σ with x̄ and σ from the training rows only.

Fit it on the training split and apply the same x̄, σ to validation and test rows; fitting
it on all rows would leak the test rows' statistics into training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.base import BaseEstimator
from glassbox.validation import validate_data

__all__ = ["StandardScaler"]


class StandardScaler(BaseEstimator):
    """Standardize features: z = (x − x̄) / σ  (σ the population standard deviation).

    Parameters
    ----------
    with_mean : bool, default True — subtract x̄.
    with_std : bool, default True — divide by σ (a constant column keeps σ = 1).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) — x̄ (zeros when ``with_mean=False``).
    scale_ : ndarray of shape (n_features,) — σ (ones when ``with_std=False``).
    n_features_in_, n_samples_seen_ : int
    """

    def __init__(self, *, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None) -> StandardScaler:
        """Learn x̄ and σ from ``X`` (the training rows); ``y`` is ignored."""
        X = validate_data(self, X, reset=True)
        mean = X.mean(axis=0)
        scale = np.sqrt(((X - mean) ** 2).mean(axis=0))
        scale[scale == 0] = 1.0
        self.mean_ = mean if self.with_mean else np.zeros(X.shape[1])
        self.scale_ = scale if self.with_std else np.ones(X.shape[1])
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """z = (x − x̄) / σ with the fitted statistics."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False)
        return np.asarray((X - self.mean_) / self.scale_)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit on X, then return z = (x − x̄) / σ."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """x = z σ + x̄."""
        self._check_is_fitted()
        Z = validate_data(self, Z, reset=False)
        return np.asarray(Z * self.scale_ + self.mean_)
