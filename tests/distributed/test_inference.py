"""Inference from distributed statistics against statsmodels' OLS and WLS."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest
import statsmodels.api as sm

from glassbox.distributed import regression_inference
from glassbox.linear import LinearRegression

pytestmark = pytest.mark.usefixtures("client")

NAMES = [
    "params", "bse", "tvalues", "pvalues", "rsquared", "rsquared_adj", "fvalue", "f_pvalue",
    "llf", "aic", "bic", "df_model", "df_resid",
]  # fmt: skip


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3)) * [1.0, 10.0, 0.1] + [5.0, -3.0, 100.0]
    noise = rng.normal(size=300) * (1.0 + np.abs(X[:, 0] - 5.0))  # heteroscedastic
    y = 2.0 + X @ [1.0, 0.5, -3.0] + noise
    return X, y, rng.uniform(0.5, 2.0, size=300)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_statsmodels(cov_type: str, weighted: bool, fit_intercept: bool) -> None:
    X, y, w = _data()
    chunks = (70, 1, 100, 129)
    lazy_X = da.from_array(X, chunks=(chunks, 3))
    lazy_y = da.from_array(y, chunks=(chunks,))
    lazy_w = da.from_array(w, chunks=(chunks,)) if weighted else None
    model = LinearRegression(fit_intercept=fit_intercept).fit(lazy_X, lazy_y, lazy_w)
    design = sm.add_constant(X) if fit_intercept else X
    reference_model = sm.WLS(y, design, weights=w) if weighted else sm.OLS(y, design)
    reference = reference_model.fit(cov_type=cov_type)
    result = regression_inference(model, lazy_X, lazy_y, lazy_w, cov_type=cov_type)
    for name in NAMES:
        # Both sides are exact to ~1e-12 on this cond ≈ 1e3 design; 1e-8 is the stated bar.
        np.testing.assert_allclose(
            getattr(result, name), getattr(reference, name), rtol=1e-8, err_msg=name
        )
    np.testing.assert_allclose(result.cov_params(), reference.cov_params(), rtol=1e-8)
    np.testing.assert_allclose(result.conf_int(), reference.conf_int(), rtol=1e-8)


def test_one_target_only() -> None:
    X, y, _ = _data()
    model = LinearRegression().fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="one target"):
        regression_inference(model, da.from_array(X, chunks=(100, 3)), np.column_stack([y, y]))


def test_unknown_cov_type() -> None:
    X, y, _ = _data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="cov_type must be one of"):
        regression_inference(model, X, y, cov_type="HC9")


def test_diagnose_on_dask_data_uses_the_distributed_statistics(client):
    """glassbox.diagnose dispatches Dask input to the two-pass inference (same numbers as
    in memory) and refuses what needs every row."""
    import dask.array as da
    import pytest

    import glassbox

    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 1.0 + rng.standard_normal(400)
    model = glassbox.LinearRegression().fit(X, y)
    in_memory = glassbox.diagnose(model, X, y, cov_type="HC1")
    distributed = glassbox.diagnose(
        model, da.from_array(X, chunks=(97, 3)), da.from_array(y, chunks=97), cov_type="HC1"
    )
    np.testing.assert_allclose(distributed.bse, in_memory.bse, rtol=1e-10)
    np.testing.assert_allclose(distributed.pvalues, in_memory.pvalues, rtol=1e-8)
    with pytest.raises(ValueError, match="needs every row"):
        glassbox.diagnose(model, da.from_array(X, chunks=100), da.from_array(y, chunks=100), "HC3")
