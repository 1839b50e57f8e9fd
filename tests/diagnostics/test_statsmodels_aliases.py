"""statsmodels' spellings on glassbox's results: get_influence(), het_breuschpagan, het_white.

The aliases must give statsmodels' numbers (tolerance 1e-8 relative, as in
test_assumptions.py: closed forms of float64 least-squares residuals on both sides).
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression
from statsmodels.stats import diagnostic

from glassbox.diagnostics import assumptions, diagnose

from .conftest import heteroscedastic

RTOL = 1e-8


def test_statsmodels_names_give_statsmodels_numbers() -> None:
    X, y = heteroscedastic()
    ours = diagnose(LinearRegression().fit(X, y), X, y)
    reference = sm.OLS(np.asarray(y, float), sm.add_constant(np.asarray(X, float))).fit()
    exog = reference.model.exog

    lm, lm_p, _, _ = diagnostic.het_breuschpagan(reference.resid, exog, robust=True)
    for result in (ours.het_breuschpagan(), assumptions.het_breuschpagan(ours.resid, exog)):
        np.testing.assert_allclose([result.statistic, result.pvalue], [lm, lm_p], rtol=RTOL)

    lm, lm_p, _, _ = diagnostic.het_white(reference.resid, exog)
    for result in (ours.het_white(), assumptions.het_white(ours.resid, exog)):
        np.testing.assert_allclose([result.statistic, result.pvalue], [lm, lm_p], rtol=RTOL)

    influence = ours.get_influence()
    assert influence is ours.influence
    np.testing.assert_allclose(
        influence.cooks_distance, reference.get_influence().cooks_distance[0], rtol=RTOL
    )
