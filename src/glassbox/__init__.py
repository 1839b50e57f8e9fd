"""glassbox: machine learning written out in NumPy, one readable equation at a time.

Every algorithm is checked against scikit-learn, PyTorch and statsmodels, and benchmarked side
by side with them. Heavy engines (torch, scikit-learn, dask, pandas, matplotlib) are optional
and imported only where used, so ``import glassbox`` stays light.
"""

from glassbox.base import clone
from glassbox.exceptions import (
    ConvergenceWarning,
    DivergenceError,
    NotFittedError,
    RankDeficientWarning,
    SaveFormatError,
)
from glassbox.linear import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeCV,
    enet_path,
    lasso_path,
)
from glassbox.persistence import load, save

__version__ = "0.1.0"

# Loaded on first use: the diagnostics pull in scipy.stats (and matplotlib for plots), which
# would triple the cost of `import glassbox`; the trees are loaded when first named.
_LAZY = {
    "diagnose": ("glassbox.diagnostics", "diagnose"),
    "RegressionResults": ("glassbox.diagnostics", "RegressionResults"),
    **{
        name: ("glassbox.trees", name)
        for name in (
            "DecisionTreeClassifier",
            "DecisionTreeRegressor",
            "GradientBoostingClassifier",
            "GradientBoostingRegressor",
            "HistGradientBoostingClassifier",
            "HistGradientBoostingRegressor",
            "RandomForestClassifier",
            "RandomForestRegressor",
        )
    },
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'glassbox' has no attribute {name!r}")


__all__ = [
    "ConvergenceWarning",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "DivergenceError",
    "ElasticNet",
    "ElasticNetCV",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "NotFittedError",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "RankDeficientWarning",
    "RegressionResults",
    "Ridge",
    "RidgeCV",
    "SaveFormatError",
    "__version__",
    "clone",
    "diagnose",
    "enet_path",
    "lasso_path",
    "load",
    "save",
]
