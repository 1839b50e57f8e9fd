"""Covariance estimators for least-squares coefficients: a table, not a chain of ``if``.

Every estimator is a sandwich around the pseudo-inverse :math:`X^{+} = (X^\\top X)^{-1}X^\\top`
(computed from the QR factorization, see :mod:`glassbox.diagnostics.design`):

.. math::

    \\widehat{V}(\\hat\\beta) = X^{+}\\, \\Omega \\, X^{+\\top}                   \\tag{1}

=============  ====================================================================
``nonrobust``  :math:`\\Omega = s^2 I` with :math:`s^2 = \\sum e_i^2/(n-k)`
``HC0``        :math:`\\Omega = \\operatorname{diag}(e_i^2)` (White 1980)
``HC1``        HC0 times :math:`n/(n-k)` (Hinkley 1977)
``HC2``        :math:`\\Omega = \\operatorname{diag}(e_i^2/(1-h_{ii}))`
``HC3``        :math:`\\Omega = \\operatorname{diag}(e_i^2/(1-h_{ii})^2)` (MacKinnon & White 1985)
``HAC``        :math:`\\Omega_{ts} = w_{|t-s|} e_t e_s` with Bartlett weights
               :math:`w_\\ell = 1 - \\ell/(L+1)` for :math:`\\ell \\le L` (Newey & West 1987)
=============  ====================================================================

For HAC, with :math:`g_t = X^{+}_{:,t}\\, e_t`, eq. (1) reads

.. math::

    \\widehat{V} = \\sum_t g_t g_t^\\top + \\sum_{\\ell=1}^{L} w_\\ell
    \\sum_{t>\\ell} (g_t g_{t-\\ell}^\\top + g_{t-\\ell} g_t^\\top),                  \\tag{2}

and the default number of lags is Newey and West's :math:`L = \\lfloor 4 (n/100)^{2/9} \\rfloor`.
These are statsmodels' definitions (its HAC without small-sample correction), so the numbers
agree with ``OLS(...).fit(cov_type=...)``.

References
----------
White (1980), Econometrica 48(4); MacKinnon and White (1985), J. Econometrics 29(3);
Newey and West (1987), Econometrica 55(3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["COVARIANCE_ESTIMATORS", "CovarianceInputs", "covariance", "default_maxlags"]


@dataclass(frozen=True)
class CovarianceInputs:
    """What the covariance estimators read: X⁺ (k, n), (XᵀX)⁻¹, residuals, leverages."""

    pseudo_inverse: np.ndarray
    normalized_cov: np.ndarray
    resid: np.ndarray
    hat: np.ndarray
    scale: float
    df_resid: int
    maxlags: int


def default_maxlags(n_samples: int) -> int:
    """Newey-West's rule of thumb L = ⌊4 (n/100)^(2/9)⌋."""
    return int(np.floor(4 * (n_samples / 100.0) ** (2.0 / 9.0)))


def _sandwich(pseudo_inverse: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """X⁺ diag(ω) X⁺ᵀ, eq. (1) with a diagonal Ω."""
    return (pseudo_inverse * weights) @ pseudo_inverse.T


def _one_minus_hat(hat: np.ndarray) -> np.ndarray:
    # A leverage of exactly 1 forces e_i = 0, so the 0/0 weight it would create is 0.
    return np.where(hat < 1.0, 1.0 - hat, np.inf)


def _nonrobust(inputs: CovarianceInputs) -> np.ndarray:
    return inputs.scale * inputs.normalized_cov


def _hc0(inputs: CovarianceInputs) -> np.ndarray:
    return _sandwich(inputs.pseudo_inverse, inputs.resid**2)


def _hc1(inputs: CovarianceInputs) -> np.ndarray:
    n_samples = inputs.resid.shape[0]
    return _hc0(inputs) * (n_samples / inputs.df_resid)


def _hc2(inputs: CovarianceInputs) -> np.ndarray:
    return _sandwich(inputs.pseudo_inverse, inputs.resid**2 / _one_minus_hat(inputs.hat))


def _hc3(inputs: CovarianceInputs) -> np.ndarray:
    return _sandwich(inputs.pseudo_inverse, (inputs.resid / _one_minus_hat(inputs.hat)) ** 2)


def _hac(inputs: CovarianceInputs) -> np.ndarray:
    scores = inputs.pseudo_inverse * inputs.resid  # (k, n): column t is g_t of eq. (2)
    cov = scores @ scores.T
    n_lags = inputs.maxlags
    for lag in range(1, n_lags + 1):
        weight = 1.0 - lag / (n_lags + 1.0)  # Bartlett kernel
        cross = scores[:, lag:] @ scores[:, :-lag].T
        cov += weight * (cross + cross.T)
    return cov


COVARIANCE_ESTIMATORS: dict[str, Callable[[CovarianceInputs], np.ndarray]] = {
    "nonrobust": _nonrobust,
    "HC0": _hc0,
    "HC1": _hc1,
    "HC2": _hc2,
    "HC3": _hc3,
    "HAC": _hac,
}

DESCRIPTIONS = {
    "nonrobust": "Standard errors assume that the errors are independent with constant variance.",
    "HC0": "Standard errors are heteroscedasticity robust (HC0, White).",
    "HC1": "Standard errors are heteroscedasticity robust (HC1, White with n/(n-k)).",
    "HC2": "Standard errors are heteroscedasticity robust (HC2, leverage-weighted).",
    "HC3": "Standard errors are heteroscedasticity robust (HC3, jackknife-like).",
    "HAC": (
        "Standard errors are heteroscedasticity and autocorrelation robust "
        "(HAC, Newey-West, Bartlett kernel, {maxlags} lag(s))."
    ),
}


def check_cov_type(cov_type: object) -> str:
    """Return the canonical name of ``cov_type`` (case-insensitive) or raise a clear error."""
    if isinstance(cov_type, str):
        for name in COVARIANCE_ESTIMATORS:
            if cov_type.lower() == name.lower():
                return name
    raise ValueError(
        f"Unknown cov_type {cov_type!r}. Choose one of {sorted(COVARIANCE_ESTIMATORS)}: "
        "'nonrobust' for classical errors, 'HC0'-'HC3' for heteroscedasticity, 'HAC' "
        "(with maxlags) for autocorrelated errors."
    )


def covariance(cov_type: str, inputs: CovarianceInputs) -> np.ndarray:
    """The covariance matrix of the coefficients under ``cov_type`` (already checked)."""
    return COVARIANCE_ESTIMATORS[cov_type](inputs)
