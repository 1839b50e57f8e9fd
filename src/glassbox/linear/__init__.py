"""Linear models: exact least squares now; descent, regularized and logistic models as they land."""

from glassbox.linear.lasso import ElasticNet, Lasso
from glassbox.linear.lasso_cv import ElasticNetCV, LassoCV
from glassbox.linear.logistic import LogisticRegression
from glassbox.linear.paths import enet_path, lasso_path

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LogisticRegression",
    "enet_path",
    "lasso_path",
]
