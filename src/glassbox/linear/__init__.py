"""Linear models: least squares (exact and by descent), ridge, lasso, elastic net, logistic."""

from glassbox.linear.lasso import ElasticNet, Lasso
from glassbox.linear.lasso_cv import ElasticNetCV, LassoCV
from glassbox.linear.logistic import LogisticRegression
from glassbox.linear.ols import LinearRegression
from glassbox.linear.paths import enet_path, lasso_path
from glassbox.linear.ridge import Ridge, RidgeCV

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "Ridge",
    "RidgeCV",
    "enet_path",
    "lasso_path",
]
