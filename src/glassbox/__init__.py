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
from glassbox.linear import LinearRegression, Ridge, RidgeCV
from glassbox.persistence import load, save

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DivergenceError",
    "LinearRegression",
    "NotFittedError",
    "RankDeficientWarning",
    "Ridge",
    "RidgeCV",
    "SaveFormatError",
    "__version__",
    "clone",
    "load",
    "save",
]
