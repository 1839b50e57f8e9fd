"""diagnose() on glassbox's own models: exact, rank-deficient, descent-fitted, penalized."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

import glassbox
from glassbox.cli.app import app
from glassbox.exceptions import RankDeficientWarning


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = X @ np.array([1.0, 2.0, 0.0]) + 1.0 + rng.standard_normal(200)
    return X, y


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC3"])
@pytest.mark.parametrize("solver", ["auto", "qr", "svd"])
def test_exact_fits_match_statsmodels(data, solver, cov_type):
    X, y = data
    results = glassbox.diagnose(glassbox.LinearRegression(solver=solver).fit(X, y), X, y, cov_type)
    reference = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type)
    # Both are accurate to ~1e-15 here; 1e-8 is the agreement bound.
    np.testing.assert_allclose(results.params, reference.params, rtol=1e-8)
    np.testing.assert_allclose(results.bse, reference.bse, rtol=1e-8)
    np.testing.assert_allclose(results.pvalues, reference.pvalues, rtol=1e-8, atol=1e-300)


def test_redundant_columns_reported_by_the_model_are_dropped_and_named(data):
    X, y = data
    design = np.column_stack([X, X[:, 0] + X[:, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RankDeficientWarning)
        model = glassbox.LinearRegression().fit(design, y)
    results = glassbox.diagnose(model, design, y)
    assert results.dropped == ["x4"]
    reference = sm.OLS(y, sm.add_constant(X)).fit()  # the kept columns
    np.testing.assert_allclose(results.bse, reference.bse, rtol=1e-8)
    assert np.all(np.isfinite(results.pvalues))


def test_unconverged_descent_is_flagged(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = glassbox.LinearRegression(solver="sgd", max_epochs=1, random_state=0).fit(X, y)
    assert not model.converged_
    assert "had not converged" in str(glassbox.diagnose(model, X, y).summary())


def test_ridge_gets_bootstrap_intervals_not_classical_p_values(data):
    X, y = data
    results = glassbox.diagnose(glassbox.Ridge(1.0).fit(X, y), X, y, n_bootstrap=40, random_state=0)
    assert np.all(results.bse > 0)
    with pytest.raises(ValueError, match="penalized"):
        _ = results.pvalues


def test_diagnose_command_writes_the_report(tmp_path, data):
    X, y = data
    path = tmp_path / "data.csv"
    np.savetxt(path, np.c_[X, y], delimiter=",", header="a,b,c,price", comments="")
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app, ["diagnose", str(path), "--target", "price", "--cov-type", "HC3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"summary.txt", "residuals.png", "vif.png"}
    missing = CliRunner().invoke(app, ["diagnose", str(path), "--target", "nope"])
    assert missing.exit_code != 0 and "not in data.csv" in missing.output
