"""Linear models: exact least squares now; descent, regularized and logistic models as they land."""

from glassbox.linear.ols import LinearRegression
from glassbox.linear.ridge import Ridge, RidgeCV

__all__ = ["LinearRegression", "Ridge", "RidgeCV"]
