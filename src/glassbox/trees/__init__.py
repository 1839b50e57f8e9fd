"""Decision trees and their ensembles, vectorized in NumPy and matched to scikit-learn."""

from glassbox.trees.boosting import GradientBoostingClassifier, GradientBoostingRegressor
from glassbox.trees.export import export_text, plot_tree
from glassbox.trees.forest import RandomForestClassifier, RandomForestRegressor
from glassbox.trees.hist_boosting import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from glassbox.trees.tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "export_text",
    "plot_tree",
]
