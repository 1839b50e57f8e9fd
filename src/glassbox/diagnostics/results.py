"""Inference for a fitted linear model: :func:`diagnose` and its :class:`RegressionResults`.

For the design :math:`X` (a column of ones first when the model fits an intercept), the
model's coefficients :math:`\\hat\\beta`, residuals :math:`e = y - X\\hat\\beta`, rank k and
:math:`k_c \\in \\{0, 1\\}` constants:

.. math::

    s^2 = \\frac{e^\\top e}{n - k}, \\qquad
    \\operatorname{se}(\\hat\\beta_j) = \\sqrt{\\widehat{V}_{jj}}, \\qquad
    t_j = \\hat\\beta_j / \\operatorname{se}(\\hat\\beta_j)  \\tag{1}

    R^2 = 1 - \\frac{e^\\top e}{\\mathrm{TSS}}, \\qquad
    \\bar R^2 = 1 - \\frac{n - k_c}{n - k}(1 - R^2), \\qquad
    F = \\frac{(\\mathrm{TSS} - e^\\top e)/(k - k_c)}{s^2}  \\tag{2}

    \\ell = -\\frac n2 \\left(\\log(2\\pi e^\\top e / n) + 1\\right), \\qquad
    \\mathrm{AIC} = -2\\ell + 2k, \\qquad \\mathrm{BIC} = -2\\ell + k\\log n  \\tag{3}

with TSS centered when there is a constant and uncentered otherwise, and :math:`\\widehat V`
from :mod:`glassbox.diagnostics.inference`. With a robust covariance, F is the Wald statistic
:math:`\\hat\\beta_s^\\top \\widehat V_{ss}^{-1} \\hat\\beta_s / (k - k_c)` over the slopes s,
and p-values use the normal distribution (statsmodels' conventions).

Inference is at the model's own coefficients: for a descent-fitted model that had not
converged the residuals are those of the coefficients it returned, and the summary says so.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.linalg
import scipy.stats

from glassbox.diagnostics import assumptions
from glassbox.diagnostics.assumptions import TestResult
from glassbox.diagnostics.bootstrap import BootstrapResult, bootstrap_coefficients
from glassbox.diagnostics.design import FactorizedDesign, factorize
from glassbox.diagnostics.inference import (
    DESCRIPTIONS,
    CovarianceInputs,
    check_cov_type,
    covariance,
    default_maxlags,
)
from glassbox.diagnostics.influence import Influence, influence
from glassbox.exceptions import NotFittedError
from glassbox.validation import as_float_array, check_target, feature_names_of

__all__ = ["RegressionResults", "diagnose"]

DEFAULT_N_BOOTSTRAP = 500
VIF_WARN = 10.0
CONDITION_WARN = 1e3  # of the equilibrated design (statsmodels warns on the raw one)


@dataclass(frozen=True)
class Collinearity:
    """Rank deficiency and near-collinearity of the design, in words and numbers."""

    dropped: list[str]
    dropped_relations: dict[str, str]
    reparametrized: bool
    condition_number_scaled: float
    weakest_direction: dict[str, float] = field(default_factory=dict)


class RegressionResults:
    """Statistics of a fitted linear model, with statsmodels' attribute names.

    Create it with :func:`diagnose`. Arrays are indexed like ``param_names`` (the
    intercept, named ``const``, first when the model has one); columns that are linear
    combinations of others are not in them but listed in :attr:`dropped`.
    """

    def __init__(
        self,
        *,
        model_name: str,
        y: np.ndarray,
        y_name: str,
        design: FactorizedDesign,
        param_names: list[str],
        params: np.ndarray,
        fitted: np.ndarray,
        k_constant: int,
        cov_type: str,
        maxlags: int,
        use_t: bool,
        collinearity: Collinearity,
        regularization: str | None,
        converged: bool | None,
        bootstrap: BootstrapResult | None,
    ) -> None:
        self.model_name = model_name
        self.y = y
        self.y_name = y_name
        self.design = design
        self.param_names = param_names
        self.params = params
        self.fittedvalues = fitted
        self.resid = y - fitted
        self.k_constant = k_constant
        self.cov_type = cov_type
        self.maxlags = maxlags
        self.use_t = use_t
        self.collinearity = collinearity
        self.regularization = regularization
        self.converged = converged
        self.bootstrap = bootstrap

    # --- sizes and sums of squares ---------------------------------------------------------

    @property
    def nobs(self) -> int:
        """Number of observations n (rows of the design)."""
        return int(self.y.shape[0])

    @property
    def rank(self) -> int:
        """Rank r of the design after collinear columns are dropped (constant included)."""
        return self.design.rank

    @property
    def df_model(self) -> int:
        """Number of estimated slopes: rank minus the constant."""
        return self.rank - self.k_constant

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom, n − r."""
        return self.nobs - self.rank

    @property
    def dropped(self) -> list[str]:
        """Names of columns left out because they are linear combinations of others."""
        return list(self.collinearity.dropped)

    @cached_property
    def ssr(self) -> float:
        """Sum of squared residuals, SSR = eᵀe."""
        return float(self.resid @ self.resid)

    @cached_property
    def centered_tss(self) -> float:
        """Total sum of squares about the mean, Σ (yᵢ − ȳ)²."""
        centered = self.y - self.y.mean()
        return float(centered @ centered)

    @cached_property
    def uncentered_tss(self) -> float:
        """Total sum of squares about zero, yᵀy (the TSS of a fit without a constant)."""
        return float(self.y @ self.y)

    @property
    def tss(self) -> float:
        """Total sum of squares: centred with a constant in the model, uncentred without one."""
        return self.centered_tss if self.k_constant else self.uncentered_tss

    @property
    def ess(self) -> float:
        """Explained sum of squares, TSS - SSR."""
        return self.tss - self.ssr

    @cached_property
    def perfect_fit(self) -> bool:
        """True when the residuals vanish to rounding: s² = 0 and residual tests are undefined."""
        size = max(float(np.linalg.norm(self.y)), float(np.linalg.norm(self.fittedvalues)))
        return bool(np.sqrt(self.ssr) <= 1e4 * np.finfo(float).eps * size)

    @property
    def mse_resid(self) -> float:
        """s² = SSR/(n - k), eq. (1); exactly 0 for a perfect fit."""
        return 0.0 if self.perfect_fit else self.ssr / self.df_resid

    @property
    def scale(self) -> float:
        """Estimate of the error variance, σ̂² = SSR / (n − r) (statsmodels' name for
        ``mse_resid``).
        """
        return self.mse_resid

    @property
    def mse_model(self) -> float:
        """Mean square of the model, ESS / df_model (NaN when there are no slopes)."""
        return self.ess / self.df_model if self.df_model else float("nan")

    @property
    def mse_total(self) -> float:
        """Mean square of the total, TSS / (df_resid + df_model)."""
        return self.tss / (self.df_resid + self.df_model)

    @property
    def rsquared(self) -> float:
        """R² = 1 - SSR/TSS, eq. (2); 1 for a perfect fit."""
        if self.perfect_fit:
            return 1.0
        return 1.0 - self.ssr / self.tss

    @property
    def rsquared_adj(self) -> float:
        """Adjusted R², eq. (2)."""
        return 1.0 - (self.nobs - self.k_constant) / self.df_resid * (1.0 - self.rsquared)

    # --- likelihood ------------------------------------------------------------------------

    @property
    def llf(self) -> float:
        """Gaussian log-likelihood at the MLE of σ², eq. (3); +inf for a perfect fit."""
        if self.perfect_fit:
            return float("inf")
        n = self.nobs
        return -0.5 * n * (np.log(2.0 * np.pi * self.ssr / n) + 1.0)

    @property
    def aic(self) -> float:
        """Akaike's information criterion, AIC = −2 log L + 2r."""
        return -2.0 * self.llf + 2.0 * self.rank

    @property
    def bic(self) -> float:
        """Bayesian (Schwarz) information criterion, BIC = −2 log L + r log n."""
        return -2.0 * self.llf + np.log(self.nobs) * self.rank

    # --- coefficients ----------------------------------------------------------------------

    @cached_property
    def normalized_cov_params(self) -> np.ndarray:
        """(XᵀX)⁻¹ from the QR of the equilibrated design (never an explicit inverse of XᵀX)."""
        return self.design.normalized_cov()

    @cached_property
    def hat_matrix_diag(self) -> np.ndarray:
        """Leverages hᵢᵢ, the diagonal of the hat matrix H = X (XᵀX)⁺ Xᵀ (from the QR factor, never
        H itself).
        """
        return self.design.hat_diagonal()

    @cached_property
    def _classical_cov(self) -> np.ndarray:
        inputs = CovarianceInputs(
            pseudo_inverse=self.design.pseudo_inverse(),
            normalized_cov=self.normalized_cov_params,
            resid=np.zeros_like(self.resid) if self.perfect_fit else self.resid,
            hat=self.hat_matrix_diag,
            scale=self.scale,
            df_resid=self.df_resid,
            maxlags=self.maxlags,
        )
        return covariance(self.cov_type, inputs)

    def _refuse_if_regularized(self, what: str) -> None:
        if self.regularization is not None:
            raise ValueError(
                f"{what} is not available for a penalized fit ({self.regularization}): the "
                "estimate is biased towards zero, so classical t and F tests do not apply. "
                "Use conf_int() and bse, which come from the bootstrap."
            )

    def cov_params(self) -> np.ndarray:
        """Covariance matrix of the coefficients under ``cov_type`` (classical fits only)."""
        self._refuse_if_regularized("cov_params()")
        return self._classical_cov

    @cached_property
    def bse(self) -> np.ndarray:
        """Standard errors: √diag V̂ (bootstrap standard deviations for penalized fits)."""
        if self.regularization is not None and self.bootstrap is not None:
            return self.bootstrap.bse()[self.design.kept]
        return np.sqrt(np.maximum(np.diag(self._classical_cov), 0.0))

    @cached_property
    def tvalues(self) -> np.ndarray:
        """t_j = β̂_j / se_j, eq. (1); ±inf (0 for β̂_j = 0) for a perfect fit."""
        self._refuse_if_regularized("tvalues")
        out = np.zeros_like(self.params)
        positive = self.bse > 0
        np.divide(self.params, self.bse, out=out, where=positive)
        pinned = ~positive & (self.params != 0)
        out[pinned] = np.copysign(np.inf, self.params[pinned])
        return out

    def _distribution(self) -> Any:
        return scipy.stats.t(self.df_resid) if self.use_t else scipy.stats.norm()

    @cached_property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of t_j (t(n-k) for nonrobust, normal for robust cov types)."""
        self._refuse_if_regularized("pvalues")
        return 2.0 * self._distribution().sf(np.abs(self.tvalues))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Confidence intervals of shape (n_params, 2).

        β̂ ± q_{1-α/2} se for classical fits; bootstrap percentile intervals for penalized
        ones.
        """
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), e.g. 0.05 for 95% intervals; got {alpha}.")
        if self.regularization is not None and self.bootstrap is not None:
            return self.bootstrap.conf_int(alpha)[self.design.kept]
        quantile = self._distribution().ppf(1.0 - alpha / 2.0)
        half = quantile * self.bse
        return np.column_stack([self.params - half, self.params + half])

    def bootstrap_conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Bootstrap percentile intervals (requires ``n_bootstrap`` in :func:`diagnose`)."""
        if self.bootstrap is None:
            raise ValueError(
                "No bootstrap was run; call diagnose(..., n_bootstrap=1000, random_state=0)."
            )
        return self.bootstrap.conf_int(alpha)[self.design.kept]

    # --- overall F test --------------------------------------------------------------------

    @cached_property
    def _slopes(self) -> np.ndarray:
        indices = np.arange(self.rank)
        if self.k_constant:
            constant = self._constant_index()
            indices = indices[indices != constant]
        return indices

    def _constant_index(self) -> int:
        matrix = self.design.matrix
        is_constant = (np.ptp(matrix, axis=0) == 0) & (matrix[0] != 0)
        return int(np.flatnonzero(is_constant)[0])

    @cached_property
    def fvalue(self) -> float:
        """F statistic that every slope is zero, eq. (2) (a Wald F for robust cov types)."""
        self._refuse_if_regularized("fvalue")
        if self.df_model == 0:
            return float("nan")
        if self.cov_type == "nonrobust":
            if self.perfect_fit:
                return float("inf")
            return self.mse_model / self.mse_resid
        slopes = self._slopes
        beta = self.params[slopes]
        block = self._classical_cov[np.ix_(slopes, slopes)]
        try:
            factor = scipy.linalg.cho_factor(block)
        except np.linalg.LinAlgError:
            return float("inf")
        return float(beta @ scipy.linalg.cho_solve(factor, beta)) / self.df_model

    @cached_property
    def f_pvalue(self) -> float:
        """p-value of the overall F test, P(F(df_model, df_resid) > F); NaN without slopes."""
        self._refuse_if_regularized("f_pvalue")
        if self.df_model == 0:
            return float("nan")
        return float(scipy.stats.f.sf(self.fvalue, self.df_model, self.df_resid))

    # --- collinearity ----------------------------------------------------------------------

    @cached_property
    def condition_number(self) -> float:
        """σ_max/σ_min of the design as given (statsmodels' ``condition_number``)."""
        singular = self.design.singular_values()
        return float(singular[0] / singular[-1])

    @property
    def condition_number_scaled(self) -> float:
        """σ_max/σ_min of the design with unit-norm columns: collinearity without units."""
        return self.collinearity.condition_number_scaled

    @cached_property
    def vif(self) -> np.ndarray:
        """Variance inflation factors of the non-constant columns, 1/(1 - R_j²).

        VIF_j = [(XᵀX)⁻¹]_jj ‖x_j - x̄_j‖² with a constant in the model (‖x_j‖² without),
        the same as regressing column j on all the others.
        """
        matrix = self.design.matrix
        slopes = self._slopes
        columns = matrix[:, slopes]
        if self.k_constant:
            columns = columns - columns.mean(axis=0)
        spread = np.einsum("ij,ij->j", columns, columns)
        return np.diag(self.normalized_cov_params)[slopes] * spread

    @property
    def vif_names(self) -> list[str]:
        """Names of the slopes that ``vif`` is indexed by (the constant has no VIF)."""
        return [self.param_names[j] for j in self._slopes]

    # --- influence and assumption tests -----------------------------------------------------

    @cached_property
    def influence(self) -> Influence:
        """Leverage, studentized residuals, Cook's distance and DFFITS with cut-offs."""
        return influence(self.resid, self.hat_matrix_diag, self.scale, self.rank)

    def get_influence(self) -> Influence:
        """statsmodels' spelling (``OLSResults.get_influence()``) of :attr:`influence`."""
        return self.influence

    def _residual_test(self, name: str, compute: Any) -> TestResult:
        if self.perfect_fit:
            return TestResult(name, None, None, "Not computed: perfect fit, residuals are zero.")
        result: TestResult = compute()
        return result

    def breusch_pagan(self) -> TestResult:
        """Breusch–Pagan test of homoscedasticity: n R² of e² regressed on the design, χ²(p)."""
        return self._residual_test(
            "Breusch-Pagan", lambda: assumptions.breusch_pagan(self.resid, self.design.matrix)
        )

    def white(self) -> TestResult:
        """White's test of homoscedasticity: e² regressed on the design, its squares and cross
        products.
        """
        return self._residual_test(
            "White", lambda: assumptions.white(self.resid, self.design.matrix)
        )

    def het_breuschpagan(self) -> TestResult:
        """statsmodels' name (``het_breuschpagan``) of :meth:`breusch_pagan`."""
        return self.breusch_pagan()

    def het_white(self) -> TestResult:
        """statsmodels' name (``het_white``) of :meth:`white`."""
        return self.white()

    def jarque_bera(self) -> TestResult:
        """Jarque–Bera test of normal residuals: JB = n/6 (S² + (K − 3)²/4), χ²(2)."""
        return self._residual_test("Jarque-Bera", lambda: assumptions.jarque_bera(self.resid))

    def omnibus(self) -> TestResult:
        """D'Agostino–Pearson omnibus test of normal residuals (skewness and kurtosis), χ²(2)."""
        return self._residual_test("Omnibus (D'Agostino)", lambda: assumptions.omnibus(self.resid))

    def shapiro_wilk(self) -> TestResult:
        """Shapiro–Wilk test of normal residuals, W = (Σ aᵢ e₍ᵢ₎)² / Σ (eᵢ − ē)²."""
        return self._residual_test("Shapiro-Wilk", lambda: assumptions.shapiro_wilk(self.resid))

    def durbin_watson(self) -> TestResult:
        """Durbin–Watson statistic of first-order autocorrelation, d = Σ (eₜ − eₜ₋₁)² / Σ eₜ² (≈ 2
        when there is none).
        """
        return self._residual_test(
            "Durbin-Watson", lambda: assumptions.durbin_watson(self.resid, self.design.q)
        )

    def breusch_godfrey(self, nlags: int | None = None) -> TestResult:
        """Breusch–Godfrey LM test of autocorrelation up to ``nlags`` lags: n R² of e on X and
        lagged e.
        """
        return self._residual_test(
            "Breusch-Godfrey",
            lambda: assumptions.breusch_godfrey(self.resid, self.design.matrix, nlags),
        )

    def reset(self, power: int = 3) -> TestResult:
        """Ramsey's RESET test of the functional form: F test of ŷ², …, ŷ^power added to X."""
        return self._residual_test(
            "Ramsey RESET",
            lambda: assumptions.reset(self.resid, self.design.matrix, self.fittedvalues, power),
        )

    def vif_test(self) -> TestResult:
        """The largest VIF as a test row (no p-value: VIF > 10 is a rule of thumb)."""
        if self.df_model == 0:
            return TestResult("VIF (max)", None, None, "Not computed: the model has no slopes.")
        vif = self.vif
        worst = int(np.argmax(vif))
        high = [name for name, value in zip(self.vif_names, vif) if value > VIF_WARN]
        if high:
            reading = (
                f"Collinear columns inflate standard errors: VIF > {VIF_WARN:g} for "
                f"{', '.join(high)}."
            )
        else:
            reading = (
                f"No column's variance is inflated much by the others (all VIF <= {VIF_WARN:g})."
            )
        return TestResult("VIF (max)", float(vif[worst]), None, reading, self.vif_names[worst])

    def condition_test(self) -> TestResult:
        """The condition number of the equilibrated design as a test row (no p-value)."""
        value = self.condition_number_scaled
        if value > CONDITION_WARN:
            reading = (
                f"Nearly collinear design (scaled condition number {value:.3g} > "
                f"{CONDITION_WARN:g}): coefficients are unstable."
            )
        else:
            reading = "The design is well conditioned once columns are scaled."
        return TestResult("Condition number", value, None, reading, "scaled design")

    def assumption_tests(self) -> list[TestResult]:
        """Every assumption test, in the order of the summary's table."""
        return [
            self.breusch_pagan(),
            self.white(),
            self.jarque_bera(),
            self.omnibus(),
            self.shapiro_wilk(),
            self.durbin_watson(),
            self.breusch_godfrey(),
            self.reset(),
            self.vif_test(),
            self.condition_test(),
        ]

    # --- presentation ----------------------------------------------------------------------

    def notes(self) -> list[str]:
        """Plain-language caveats: rank, collinearity, penalty, convergence, perfect fit."""
        from glassbox.diagnostics.summary import collect_notes

        return collect_notes(self)

    def summary(self, alpha: float = 0.05) -> Any:
        """A :class:`~glassbox.diagnostics.summary.Summary`: ``str()`` is text, with
        ``as_markdown()`` and ``as_html()`` (also shown by Jupyter)."""
        from glassbox.diagnostics.summary import build_summary

        return build_summary(self, alpha)

    def plot_residuals(self, path: str | Path | None = None) -> Any:
        """The four-panel residual figure; saved as PNG when ``path`` is given."""
        from glassbox.diagnostics.plots import plot_residuals

        return plot_residuals(self, path)

    def plot_vif(self, path: str | Path | None = None) -> Any:
        """Bar chart of the variance inflation factors; saved as PNG when ``path`` is given."""
        from glassbox.diagnostics.plots import plot_vif

        return plot_vif(self, path)

    def __repr__(self) -> str:
        return (
            f"<RegressionResults {self.model_name} n={self.nobs} k={self.rank} "
            f"cov_type={self.cov_type!r}>"
        )

    @property
    def cov_description(self) -> str:
        """The covariance estimator behind ``bse`` in one sentence, as ``summary()`` prints it."""
        if self.regularization is not None:
            n_boot = self.bootstrap.n_bootstrap if self.bootstrap is not None else 0
            return f"Pairs bootstrap ({n_boot} resamples) for a penalized fit."
        return DESCRIPTIONS[self.cov_type].format(maxlags=self.maxlags)


# --- diagnose ------------------------------------------------------------------------------


def _check_fitted(model: Any) -> None:
    if isinstance(model, type):
        raise TypeError(f"diagnose needs a fitted model instance, got the class {model.__name__}.")
    if not hasattr(model, "coef_"):
        raise NotFittedError(
            f"This {type(model).__name__} instance is not fitted yet (it has no coef_). Call "
            "fit(X, y) first, then diagnose(model, X, y)."
        )


def _regularization(model: Any) -> str | None:
    alpha = getattr(model, "alpha", None)
    if alpha is None or isinstance(alpha, bool):
        return None
    values = np.ravel(np.asarray(alpha, dtype=float)) if not isinstance(alpha, str) else None
    if values is None or values.size == 0 or not np.all(values > 0):
        return None
    shown = f"{float(values[0]):g}" if values.size == 1 else "per-target"
    return f"{type(model).__name__}, alpha={shown}"


def _feature_names(model: Any, X: Any, n_features: int) -> list[str]:
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = feature_names_of(X)
    if names is None:
        return [f"x{j + 1}" for j in range(n_features)]
    return [str(name) for name in names]


def _relation(design: FactorizedDesign, column: np.ndarray, names: list[str]) -> str:
    """'x3 = 1·x1 + 2·x2': the kept columns a dropped column is a combination of."""
    coef = design.solve(column)
    size = np.abs(coef) * design.column_norms
    terms = [
        (float(coef[i]), names[j])
        for i, j in enumerate(design.kept)
        if size[i] > 1e-8 * max(float(np.linalg.norm(column)), 1e-300)
    ]
    if not terms:
        return "a column of zeros"
    text = f"{terms[0][0]:.4g}·{terms[0][1]}"
    for value, name in terms[1:]:
        text += f" {'-' if value < 0 else '+'} {abs(value):.4g}·{name}"
    return text


def _weakest_direction(design: FactorizedDesign, names: list[str]) -> dict[str, float]:
    """Loadings above 0.2 of the right singular vector of the smallest singular value."""
    _, _, vt = np.linalg.svd(design.r, full_matrices=False)
    direction = vt[-1]
    order = np.argsort(-np.abs(direction))
    return {names[design.kept[i]]: float(direction[i]) for i in order if abs(direction[i]) > 0.2}


def _one_target(values: np.ndarray, what: str) -> np.ndarray:
    if values.ndim == 2:
        if values.shape[1] == 1:
            return values[:, 0]
        raise ValueError(
            f"{what} has {values.shape[1]} targets; diagnose one target at a time "
            "(fit and diagnose a model per column of y)."
        )
    return values


_DISTRIBUTED_COV_TYPES = ("nonrobust", "HC0", "HC1")


def _diagnose_distributed(model: Any, X: Any, y: Any, cov_type: str, use_t: bool | None) -> Any:
    """Inference for Dask data from per-partition statistics (two passes, rows never gathered)."""
    if cov_type not in _DISTRIBUTED_COV_TYPES:
        raise ValueError(
            f"cov_type={cov_type!r} needs every row (leverages or lags); on Dask data glassbox "
            f"computes {list(_DISTRIBUTED_COV_TYPES)} from distributed statistics. Use one of "
            "those, or diagnose a sample that fits in memory."
        )
    _check_fitted(model)
    from glassbox.distributed import regression_inference

    return regression_inference(model, X, y, cov_type=cov_type, use_t=use_t)


def diagnose(
    model: Any,
    X: Any,
    y: Any,
    cov_type: str = "nonrobust",
    *,
    maxlags: int | None = None,
    use_t: bool | None = None,
    n_bootstrap: int | None = None,
    random_state: Any = None,
) -> RegressionResults:
    """Statistical inference and assumption checks for a fitted linear regression.

    Parameters
    ----------
    model : fitted linear model
        Anything with ``coef_`` (one target), ``intercept_`` and ``fit_intercept``: glassbox
        and scikit-learn linear regressions alike. Optional attributes used when present:
        ``feature_names_in_``, ``redundant_features_`` (columns given coefficient 0 as
        linear combinations of others), ``converged_`` and ``alpha`` (> 0 marks a penalized
        fit, whose inference comes from the bootstrap).
    X : array-like of shape (n_samples, n_features)
        The data to diagnose the model on, usually its training data.
    y : array-like of shape (n_samples,)
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC"}
        Covariance of the coefficients; see :mod:`glassbox.diagnostics.inference`.
    maxlags : int, optional
        Lags of the HAC estimator; default ⌊4 (n/100)^(2/9)⌋.
    use_t : bool, optional
        Use t and F distributions; default True for "nonrobust", False (normal) otherwise.
    n_bootstrap : int, optional
        Pairs-bootstrap resamples; default 500 for penalized fits, none otherwise.
    random_state : int or numpy Generator, optional
        Seed of the bootstrap.

    Returns
    -------
    RegressionResults
        (for Dask input: :class:`glassbox.distributed.DistributedResults`, the inference
        computed from distributed statistics without collecting the rows; assumption tests,
        influence and HC2/HC3/HAC need every row and are refused.)
    """
    if hasattr(X, "__dask_graph__") or hasattr(y, "__dask_graph__"):
        return _diagnose_distributed(model, X, y, cov_type, use_t)
    cov_type = check_cov_type(cov_type)
    _check_fitted(model)
    feature_names = feature_names_of(X)
    X_array = as_float_array(X, name="X")
    n_samples, n_features = X_array.shape
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and n_features != expected:
        raise ValueError(
            f"X has {n_features} features, but {type(model).__name__} was fitted on {expected}. "
            "Pass the same columns the model was fitted on."
        )
    target = _one_target(check_target(y, n_samples, estimator_name="diagnose"), "y")
    coef = _one_target(np.atleast_2d(np.asarray(model.coef_, dtype=float)).T, "The model")
    if coef.shape[0] != n_features:
        raise ValueError(
            f"The model has {coef.shape[0]} coefficients but X has {n_features} features."
        )
    fit_intercept = bool(getattr(model, "fit_intercept", False))
    intercept = float(np.ravel(np.asarray(getattr(model, "intercept_", 0.0), dtype=float))[0])

    names = _feature_names(model, X if feature_names is not None else None, n_features)
    if fit_intercept:
        full_design = np.column_stack([np.ones(n_samples), X_array])
        full_names = ["const", *names]
        full_params = np.concatenate([[intercept], coef])
    else:
        full_design, full_names, full_params = X_array, names, coef
    offset = 1 if fit_intercept else 0

    known = getattr(model, "redundant_features_", None)
    redundant = None if known is None else [int(j) + offset for j in known]
    design = factorize(full_design, redundant)
    if n_samples <= design.rank:
        raise ValueError(
            f"Not enough samples for inference: n_samples={n_samples} but the model has "
            f"{design.rank} free parameters, leaving {n_samples - design.rank} residual degrees "
            "of freedom. Diagnose on more rows than parameters (or use fewer features)."
        )

    fitted = full_design @ full_params
    reparametrized = bool(design.redundant) and bool(np.any(full_params[design.redundant] != 0))
    params = design.solve(fitted) if reparametrized else full_params[design.kept]
    param_names = [full_names[j] for j in design.kept]
    dropped = [full_names[j] for j in design.redundant]
    relations = {
        full_names[j]: _relation(design, full_design[:, j], full_names) for j in design.redundant
    }
    scaled = design.scaled_singular_values()
    collinearity = Collinearity(
        dropped=dropped,
        dropped_relations=relations,
        reparametrized=reparametrized,
        condition_number_scaled=float(scaled[0] / scaled[-1]),
        weakest_direction=_weakest_direction(design, full_names),
    )
    matrix = design.matrix
    k_constant = int(np.any((np.ptp(matrix, axis=0) == 0) & (matrix[0] != 0)))

    regularization = _regularization(model)
    bootstrap = None
    if regularization is not None or n_bootstrap is not None:
        bootstrap = bootstrap_coefficients(
            model,
            X,
            target,
            fit_intercept=fit_intercept,
            n_bootstrap=DEFAULT_N_BOOTSTRAP if n_bootstrap is None else n_bootstrap,
            random_state=random_state,
        )
    if maxlags is None:
        maxlags = default_maxlags(n_samples)
    elif not isinstance(maxlags, numbers.Integral) or maxlags < 0:
        raise ValueError(f"maxlags must be a non-negative integer; got {maxlags!r}.")
    converged = getattr(model, "converged_", None)
    return RegressionResults(
        model_name=type(model).__name__,
        y=target,
        y_name=str(getattr(y, "name", None) or "y"),
        design=design,
        param_names=param_names,
        params=params,
        fitted=fitted,
        k_constant=k_constant,
        cov_type=cov_type,
        maxlags=int(maxlags),
        use_t=(cov_type == "nonrobust") if use_t is None else bool(use_t),
        collinearity=collinearity,
        regularization=regularization,
        converged=None if converged is None else bool(converged),
        bootstrap=bootstrap,
    )
