"""Decision trees and their ensembles, vectorized in NumPy and matched to scikit-learn."""

from glassbox.trees.tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor"]
