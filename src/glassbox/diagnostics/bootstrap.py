"""Pairs bootstrap of a model's coefficients, for fits where classical errors do not apply.

A penalized estimate (ridge, lasso) is biased towards zero and its sampling distribution is
not the t distribution behind classical standard errors. The pairs bootstrap refits a fresh
copy of the model (:func:`glassbox.base.clone`) on B resamples of the rows, drawn with
replacement, and reads the spread of the B coefficient vectors:

.. math::

    \\widehat{\\mathrm{se}}_j = \\operatorname{sd}_b(\\hat\\beta_j^{*b}), \\qquad
    \\mathrm{CI}_{1-\\alpha} =
    [q_{\\alpha/2}(\\hat\\beta_j^{*}),\\ q_{1-\\alpha/2}(\\hat\\beta_j^{*})]  \\tag{1}

(Efron and Tibshirani 1993, percentile interval). Resampling rows, not residuals, keeps the
errors' relation to X, so the interval is also valid under heteroscedasticity. It describes
the variability of the *penalized* estimate; it does not undo the penalty's bias.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassbox.base import clone

__all__ = ["BootstrapResult", "bootstrap_coefficients"]


@dataclass(frozen=True)
class BootstrapResult:
    """B resampled coefficient vectors (intercept first when the model has one)."""

    params: np.ndarray  # (n_bootstrap, n_params)
    n_warnings: int
    random_state: Any

    @property
    def n_bootstrap(self) -> int:
        """Number of bootstrap resamples B."""
        return int(self.params.shape[0])

    def bse(self) -> np.ndarray:
        """Bootstrap standard errors, eq. (1)."""
        return np.std(self.params, axis=0, ddof=1)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Percentile intervals of shape (n_params, 2), eq. (1)."""
        lower = np.quantile(self.params, alpha / 2.0, axis=0)
        upper = np.quantile(self.params, 1.0 - alpha / 2.0, axis=0)
        return np.column_stack([lower, upper])


def _take_rows(X: Any, rows: Any) -> Any:
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]


def _coefficient_vector(model: Any, fit_intercept: bool) -> np.ndarray:
    coef = np.ravel(np.asarray(model.coef_, dtype=float))
    if not fit_intercept:
        return coef
    intercept = float(np.ravel(np.asarray(model.intercept_, dtype=float))[0])
    return np.concatenate([[intercept], coef])


def bootstrap_coefficients(
    model: Any,
    X: Any,
    y: np.ndarray,
    *,
    fit_intercept: bool,
    n_bootstrap: int,
    random_state: Any = None,
) -> BootstrapResult:
    """Refit ``clone(model)`` on ``n_bootstrap`` row resamples and collect the coefficients.

    Warnings raised by the refits (for example a solver's convergence warning) are counted,
    not repeated B times.
    """
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 2:
        raise ValueError(f"n_bootstrap must be an integer >= 2; got {n_bootstrap!r}.")
    rng = np.random.default_rng(random_state)
    n_samples = y.shape[0]
    draws = []
    n_warnings = 0
    for _ in range(int(n_bootstrap)):
        rows = rng.integers(0, n_samples, size=n_samples)
        refit = clone(model)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            refit.fit(_take_rows(X, rows), y[rows])
        n_warnings += len(caught)
        draws.append(_coefficient_vector(refit, fit_intercept))
    return BootstrapResult(np.vstack(draws), n_warnings, random_state)
