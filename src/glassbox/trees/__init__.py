"""Trees and tree ensembles; here, histogram gradient boosting (NaN-aware)."""

from glassbox.trees.hist_boosting import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]
