"""Linear models: exact least squares now; descent, regularized and logistic models as they land."""

from glassbox.linear.ols import LinearRegression

__all__ = ["LinearRegression"]
