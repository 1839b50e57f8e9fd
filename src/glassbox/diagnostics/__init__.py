"""Statistical inference and assumption diagnostics for fitted linear models.

``diagnose(model, X, y, cov_type="nonrobust")`` returns a :class:`RegressionResults` with
statsmodels' attribute names (``params``, ``bse``, ``pvalues``, ``conf_int()``, ...), the
assumption tests, influence measures, a ``summary()`` and the residual plots.
"""

from glassbox.diagnostics.assumptions import TestResult
from glassbox.diagnostics.inference import COVARIANCE_ESTIMATORS
from glassbox.diagnostics.influence import Influence
from glassbox.diagnostics.results import RegressionResults, diagnose
from glassbox.diagnostics.summary import Summary

__all__ = [
    "COVARIANCE_ESTIMATORS",
    "Influence",
    "RegressionResults",
    "Summary",
    "TestResult",
    "diagnose",
]
