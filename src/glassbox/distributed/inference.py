"""Inference for least squares from distributed statistics, never collecting the data.

Two passes give everything statsmodels' ``RegressionResults`` reports. Pass 1 merges the
sufficient statistics (W = Σw, μ, the centred cross-products Sₓₓ, Sₓᵧ, Sᵧᵧ); pass 2 sums,
for the fitted (b, β) and residuals eᵢ = yᵢ - b - xᵢᵀβ,

    RSS = Σ wᵢ eᵢ²,     M = Σ wᵢ² eᵢ² x̃ᵢ x̃ᵢᵀ,     x̃ᵢ = (1, xᵢ - μ)                     (1)

With an intercept the design D = [1, X] equals D̃ T, where D̃ = [1, X - 1μᵀ] and
T = [[1, μᵀ], [0, I]]. Because Σ w (x - μ) = 0, D̃ᵀWD̃ = diag(W, Sₓₓ) is block diagonal, so
with T⁻¹ = [[1, -μᵀ], [0, I]] the covariances of θ = (b, β) are

    nonrobust:  Σ = σ² T⁻¹ diag(1/W, Sₓₓ⁻¹) T⁻ᵀ,            σ² = RSS / (n - p - 1)       (2)
    HC0:        Σ = T⁻¹ B M B T⁻ᵀ,   B = diag(1/W, Sₓₓ⁻¹);   HC1 = HC0 · n / (n - p - 1)  (3)

(Sₓₓ⁻¹ applied by Cholesky of the equilibrated Gram matrix, never an explicit inverse of the
raw one). Without an intercept D = X and the uncentred products are used. Then, as in
statsmodels (``WLS`` when weighted),

    R² = 1 - RSS / TSS,  R̄² = 1 - (n - k_c)/(n - p - k_c) (1 - R²),
    F = (ESS / p) / (RSS / (n - p - k_c))   (a Wald test with the HC covariance),
    ℓ = -n/2 log RSS - n/2 (1 + log(2π/n)) + ½ Σ log wᵢ,
    AIC = -2ℓ + 2(p + k_c),  BIC = -2ℓ + log(n)(p + k_c)                                 (4)

with k_c = 1 when there is an intercept; TSS is centred (Sᵧᵧ) with one, Σ w y² without.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.linalg import cho_factor, cho_solve

from glassbox.distributed.statistics import SufficientStatistics

COV_TYPES = ("nonrobust", "HC0", "HC1")


def partition_residual_sums(
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    partition: int,
    coef: np.ndarray,
    intercept: float,
    x_offset: np.ndarray,
) -> np.ndarray:
    """Eq. (1) for one partition, packed as one (q + 1, q) array: [M; RSS, 0, ...].

    ``x_offset`` is μ with an intercept and 0 without (then x̃ = (1, x)).
    """
    residual = Y[:, 0] - intercept - X @ coef
    centred = X - x_offset
    design = np.hstack([np.ones((len(X), 1)), centred])  # x̃ = (1, x - μ)
    w = np.ones(len(X)) if weights is None else weights
    scaled = design * (w * residual)[:, None]  # wᵢ eᵢ x̃ᵢ
    out = np.zeros((design.shape[1] + 1, design.shape[1]))
    out[:-1] = scaled.T @ scaled
    out[-1, 0] = float((w * residual) @ residual)
    return out


def _sum(parts: list[np.ndarray]) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


@dataclass
class DistributedResults:
    """statsmodels' ``RegressionResults`` names, computed from distributed statistics.

    ``params`` is (const, x1, ..., xp) with an intercept, as ``sm.add_constant`` orders it.
    """

    params: np.ndarray
    normalized_cov: np.ndarray
    cov: np.ndarray
    cov_type: str
    use_t: bool
    nobs: float
    df_model: float
    df_resid: float
    ssr: float
    centered_tss: float
    uncentered_tss: float
    k_constant: int
    log_weight_sum: float
    param_names: list[str] = field(default_factory=list)

    def cov_params(self) -> np.ndarray:
        """Covariance matrix of the parameters (intercept first when fitted)."""
        return self.cov

    @property
    def bse(self) -> np.ndarray:
        """Standard errors, the square roots of the diagonal of ``cov_params()``."""
        return np.sqrt(np.diag(self.cov))

    @property
    def tvalues(self) -> np.ndarray:
        """t statistics, params / bse."""
        return self.params / self.bse

    @property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of the t statistics (Student's t with df_resid, or normal when
        ``use_t`` is false).
        """
        if self.use_t:
            return 2 * stats.t.sf(np.abs(self.tvalues), self.df_resid)
        return 2 * stats.norm.sf(np.abs(self.tvalues))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """(p, 2) lower and upper bounds at level 1 - alpha."""
        q = stats.t.isf(alpha / 2, self.df_resid) if self.use_t else stats.norm.isf(alpha / 2)
        return np.column_stack([self.params - q * self.bse, self.params + q * self.bse])

    @property
    def scale(self) -> float:
        """Estimate of the error variance, σ̂² = SSR / df_resid."""
        return self.ssr / self.df_resid

    @property
    def mse_resid(self) -> float:
        """Mean squared residual, the same as ``scale``."""
        return self.scale

    @property
    def tss(self) -> float:
        """Total sum of squares: centred with an intercept, uncentred without one."""
        return self.centered_tss if self.k_constant else self.uncentered_tss

    @property
    def ess(self) -> float:
        """Explained sum of squares, TSS − SSR."""
        return self.tss - self.ssr

    @property
    def rsquared(self) -> float:
        """R² = 1 − SSR / TSS."""
        return 1.0 - self.ssr / self.tss

    @property
    def rsquared_adj(self) -> float:
        """Adjusted R² = 1 − (n − k₀) / df_resid · (1 − R²), k₀ = 1 with an intercept."""
        return 1.0 - (self.nobs - self.k_constant) / self.df_resid * (1.0 - self.rsquared)

    @property
    def fvalue(self) -> float:
        """F statistic of all slopes being zero (a Wald test with the robust covariance when one is
        used).
        """
        if self.df_model == 0:
            return np.nan
        if self.cov_type == "nonrobust":
            return (self.ess / self.df_model) / (self.ssr / self.df_resid)
        slopes = slice(self.k_constant, None)
        beta = self.params[slopes]
        V = self.cov[slopes, slopes]
        return float(beta @ np.linalg.solve(V, beta)) / beta.size  # Wald test, eq. (4)

    @property
    def f_pvalue(self) -> float:
        """p-value of the F statistic, P(F(df_model, df_resid) > F)."""
        if self.df_model == 0:
            return np.nan
        return float(stats.f.sf(self.fvalue, self.df_model, self.df_resid))

    @property
    def llf(self) -> float:
        """Gaussian log-likelihood at the estimate, −n/2 (log(2π SSR / n) + 1) (+ ½ Σ log wᵢ when
        weighted).
        """
        n2 = self.nobs / 2.0
        value = -np.log(self.ssr) * n2 - (1 + np.log(np.pi / n2)) * n2
        return float(value + 0.5 * self.log_weight_sum)

    @property
    def aic(self) -> float:
        """Akaike's information criterion, −2 log L + 2k."""
        return -2 * self.llf + 2 * (self.df_model + self.k_constant)

    @property
    def bic(self) -> float:
        """Bayesian information criterion, −2 log L + k log n."""
        return -2 * self.llf + np.log(self.nobs) * (self.df_model + self.k_constant)


def _bread(statistics: SufficientStatistics, fit_intercept: bool) -> np.ndarray:
    """B = (D̃ᵀWD̃)⁻¹: diag(1/W, Sₓₓ⁻¹) with an intercept, (XᵀWX)⁻¹ without, by Cholesky of
    the equilibrated Gram matrix."""
    XtX, _, _ = statistics.cross_products(fit_intercept)
    d = np.sqrt(np.diag(XtX))
    if np.any(d == 0):
        raise ValueError("A column of X is constant (zero after centring); drop it for inference.")
    try:
        factor = cho_factor(XtX / np.outer(d, d))
    except np.linalg.LinAlgError as error:
        raise ValueError(
            "X is rank deficient: the coefficients have no finite standard errors. Drop the "
            "redundant columns (LinearRegression reports them in redundant_features_)."
        ) from error
    inverse = cho_solve(factor, np.eye(d.size)) / np.outer(d, d)
    if not fit_intercept:
        return inverse
    p = d.size
    B = np.zeros((p + 1, p + 1))
    B[0, 0] = 1.0 / statistics.weight_sum
    B[1:, 1:] = inverse
    return B


def results_from_sums(
    statistics: SufficientStatistics,
    sums: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    fit_intercept: bool,
    cov_type: str = "nonrobust",
    use_t: bool | None = None,
    names: list[str] | None = None,
) -> DistributedResults:
    """Eq. (2)-(4) from the statistics of pass 1 and the sums of pass 2 (no data needed)."""
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {list(COV_TYPES)}; got {cov_type!r}.")
    p = statistics.n_features
    k_constant = int(fit_intercept)
    n = float(statistics.count)
    df_model = float(p)
    df_resid = n - p - k_constant
    if df_resid <= 0:
        raise ValueError(
            f"Inference needs more rows than parameters: {int(n)} rows, {p + k_constant} "
            "parameters."
        )
    ssr = float(sums[-1, 0])
    meat = sums[:-1]
    B = _bread(statistics, fit_intercept)
    if fit_intercept:
        T_inverse = np.eye(p + 1)
        T_inverse[0, 1:] = -statistics.x_mean  # θ = T⁻¹ θ̃
        params = np.r_[intercept, coef]
    else:
        T_inverse = np.eye(p)
        meat = meat[1:, 1:]  # pass 2 used x̃ = (1, x) here: drop the constant's row and column
        params = np.asarray(coef, dtype=float)
    normalized = T_inverse @ B @ T_inverse.T  # (D ᵀ W D)⁻¹, eq. (2)
    if cov_type == "nonrobust":
        cov = normalized * (ssr / df_resid)
    else:
        cov = T_inverse @ (B @ meat @ B) @ T_inverse.T  # eq. (3)
        if cov_type == "HC1":
            cov = cov * n / df_resid
    _, _, Syy = statistics.cross_products(True)
    centered_tss = float(Syy[0, 0])
    uncentered_tss = centered_tss + statistics.weight_sum * float(statistics.y_mean[0]) ** 2
    features = names if names is not None else [f"x{j + 1}" for j in range(p)]
    return DistributedResults(
        params=params,
        normalized_cov=normalized,
        cov=cov,
        cov_type=cov_type,
        use_t=(cov_type == "nonrobust") if use_t is None else bool(use_t),
        nobs=n,
        df_model=df_model,
        df_resid=df_resid,
        ssr=ssr,
        centered_tss=centered_tss,
        uncentered_tss=uncentered_tss,
        k_constant=k_constant,
        log_weight_sum=float(statistics.log_weight_sum),
        param_names=(["const"] if fit_intercept else []) + list(features),
    )


def regression_inference(
    model: Any,
    X: Any,
    y: Any,
    sample_weight: Any = None,
    *,
    cov_type: str = "nonrobust",
    use_t: bool | None = None,
    scheduler: Any = None,
) -> DistributedResults:
    """Inference for a fitted linear regression on Dask (or in-memory) data, in two passes.

    Parameters
    ----------
    model : fitted model with ``coef_`` (one target), ``intercept_`` and ``fit_intercept``.
    X, y, sample_weight : as for ``LinearRegression(backend="dask").fit``.
    cov_type : {"nonrobust", "HC0", "HC1"}
    use_t : t and F distributions (default for "nonrobust") or normal (default for HC).
    scheduler : where to run, see :func:`glassbox.distributed.cluster`.

    Returns
    -------
    DistributedResults with ``params``, ``bse``, ``tvalues``, ``pvalues``, ``rsquared``,
    ``rsquared_adj``, ``fvalue``, ``f_pvalue``, ``llf``, ``aic``, ``bic``, ``df_model``,
    ``df_resid``, ``cov_params()``, ``conf_int()``, as statsmodels names them.
    """
    from glassbox.distributed._dask import is_dask_collection
    from glassbox.distributed.cluster import cluster
    from glassbox.distributed.data import as_partitions
    from glassbox.distributed.engine import Engine
    from glassbox.distributed.lstsq import statistics_pass

    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {list(COV_TYPES)}; got {cov_type!r}.")
    coef = np.asarray(getattr(model, "coef_", None), dtype=float)
    if coef.ndim != 1:
        raise ValueError(
            "regression_inference needs a model fitted to one target (coef_ of shape "
            f"(n_features,)); got coef_ of shape {coef.shape}."
        )
    fit_intercept = bool(getattr(model, "fit_intercept", True))
    intercept = float(getattr(model, "intercept_", 0.0)) if fit_intercept else 0.0
    partitions = as_partitions(X, y, sample_weight)
    if partitions.n_targets != 1:
        raise ValueError("regression_inference takes one target; pass a 1-D y.")
    if partitions.n_features != coef.size:
        raise ValueError(
            f"X has {partitions.n_features} features but the model has {coef.size} coefficients."
        )
    with cluster(scheduler, processes=is_dask_collection(X)) as client:
        engine = Engine(partitions, client)
        statistics = statistics_pass(engine)
        x_offset = statistics.x_mean if fit_intercept else np.zeros(coef.size)
        sums = engine.reduce(partition_residual_sums, _sum, coef, intercept, x_offset)
    names = None if partitions.feature_names is None else [str(n) for n in partitions.feature_names]
    return results_from_sums(
        statistics, sums, coef, intercept, fit_intercept, cov_type, use_t, names
    )
