"""Datasets shared by the diagnostics tests: real ones shipped with statsmodels and
scikit-learn, and synthetic ones built to violate (or respect) one assumption each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_diabetes


def longley() -> tuple[pd.DataFrame, pd.Series]:
    data = sm.datasets.longley.load_pandas()
    return data.exog, data.endog


def stackloss() -> tuple[pd.DataFrame, pd.Series]:
    data = sm.datasets.stackloss.load_pandas()
    return data.exog, data.endog


def diabetes() -> tuple[pd.DataFrame, pd.Series]:
    data = load_diabetes(as_frame=True)
    return data.data, data.target


def _features(n_samples: int, seed: int) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n_samples, 3))


def well_behaved() -> tuple[np.ndarray, np.ndarray]:
    """Linear, homoscedastic, independent normal errors: no test should reject."""
    rng, X = _features(200, 0)
    return X, X @ [1.0, -2.0, 0.5] + 3.0 + rng.normal(size=200)


def heteroscedastic() -> tuple[np.ndarray, np.ndarray]:
    """Error standard deviation grows as exp(x₁): Breusch-Pagan and White must reject."""
    rng, X = _features(300, 1)
    return X, X @ [1.0, -2.0, 0.5] + rng.normal(size=300) * np.exp(X[:, 0])


def autocorrelated() -> tuple[np.ndarray, np.ndarray]:
    """AR(1) errors with ρ = 0.8 in row order: Durbin-Watson and Breusch-Godfrey must reject."""
    rng, X = _features(300, 2)
    shocks = rng.normal(size=300)
    errors = np.empty(300)
    errors[0] = shocks[0]
    for t in range(1, 300):
        errors[t] = 0.8 * errors[t - 1] + shocks[t]
    return X, X @ [1.0, -2.0, 0.5] + errors


def curved() -> tuple[np.ndarray, np.ndarray]:
    """A quadratic relation fitted with a line: RESET must reject."""
    rng, X = _features(300, 3)
    signal = X @ [1.0, 1.0, 0.5]
    return X, signal + 0.5 * signal**2 + rng.normal(size=300)


def skewed() -> tuple[np.ndarray, np.ndarray]:
    """Exponential (skewed) errors: Jarque-Bera, omnibus and Shapiro-Wilk must reject."""
    rng, X = _features(300, 4)
    return X, X @ [1.0, -2.0, 0.5] + rng.exponential(size=300)


DATASETS = {
    "longley": longley,
    "stackloss": stackloss,
    "diabetes": diabetes,
    "well_behaved": well_behaved,
    "heteroscedastic": heteroscedastic,
    "autocorrelated": autocorrelated,
    "curved": curved,
    "skewed": skewed,
}


@pytest.fixture(params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest) -> tuple[str, object, object]:
    name = request.param
    X, y = DATASETS[name]()
    return name, X, y
