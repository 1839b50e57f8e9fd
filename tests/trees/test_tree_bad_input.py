"""The issue's bad input, for every tree and ensemble: each a ValueError that says what is
wrong and how to fix it (scikit-learn raises ValueError for all of them too)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets

import glassbox.trees as trees
from glassbox.exceptions import TargetTypeError

ESTIMATORS = [name for name in trees.__all__ if name[0].isupper()]
REGRESSORS = [name for name in ESTIMATORS if name.endswith("Regressor")]
CLASSIFIERS = [name for name in ESTIMATORS if name.endswith("Classifier")]
NAN_BLIND = [name for name in ESTIMATORS if not name.startswith("Hist")]
X, y = datasets.load_iris(return_X_y=True)


@pytest.mark.parametrize("name", REGRESSORS)
def test_regressor_labels_that_are_not_numbers(name):
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    with pytest.raises(ValueError, match=f"{name} predicts numbers.*Classifier") as error:
        getattr(trees, name)().fit(X, labels)
    assert isinstance(error.value, TargetTypeError) and isinstance(error.value, TypeError)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_with_one_class(name):
    with pytest.raises(ValueError, match=r"at least 2 classes.*only one class"):
        getattr(trees, name)().fit(X, np.zeros(len(y)))


@pytest.mark.parametrize("name", NAN_BLIND)
def test_nan_names_the_estimators_that_take_it(name):
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match=f"NaN.*or use HistGradient.*{name} needs complete data"):
        getattr(trees, name)().fit(X_nan, y)


@pytest.mark.parametrize("name", ["HistGradientBoostingClassifier"])
def test_the_nan_aware_estimator_fits_nan(name):
    X_nan = X.copy()
    X_nan[::7, 1] = np.nan
    model = getattr(trees, name)(max_iter=5).fit(X_nan, y)
    assert np.all(np.isfinite(model.predict_proba(X_nan)))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_max_depth_zero(name):
    with pytest.raises(ValueError, match=r"max_depth must be .*int >= 1.*got 0"):
        getattr(trees, name)(max_depth=0).fit(X, y)


@pytest.mark.parametrize("name", NAN_BLIND)
@pytest.mark.parametrize("min_samples_leaf", [76, 0.6])
def test_min_samples_leaf_over_half_the_data(name, min_samples_leaf):
    # 150 samples: a leaf of 76 (or 60 % = 90) leaves no room for a sibling.
    with pytest.raises(ValueError, match=f"{name}: min_samples_leaf.*more than half of the 150"):
        getattr(trees, name)(min_samples_leaf=min_samples_leaf).fit(X, y)
