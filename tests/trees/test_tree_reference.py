"""Decision trees against scikit-learn: the same tree, node for node.

glassbox reproduces scikit-learn's split search (midpoint thresholds between distinct
float32 values, the first best threshold, features visited in the order its xorshift
generator draws them), so with the same ``random_state`` the flat arrays are *equal*:
features, thresholds, children and sample counts exactly; impurities, values and weights to
1e-12 (sums of the same numbers, possibly added in another order).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn import tree as sk_tree

from glassbox.trees import DecisionTreeClassifier, DecisionTreeRegressor, export_text

CLASSIFICATION = ("breast_cancer", "wine", "digits")


def load(name: str):
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def assert_same_tree(mine, theirs) -> None:
    a, b = mine.tree_, theirs.tree_
    assert a.node_count == b.node_count
    np.testing.assert_array_equal(a.feature, b.feature)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.children_left, b.children_left)
    np.testing.assert_array_equal(a.children_right, b.children_right)
    np.testing.assert_array_equal(a.n_node_samples, b.n_node_samples)
    np.testing.assert_allclose(a.weighted_n_node_samples, b.weighted_n_node_samples, rtol=1e-12)
    np.testing.assert_allclose(a.impurity, b.impurity, rtol=1e-12, atol=1e-12)
    value = b.value[:, 0, :]
    if hasattr(theirs, "classes_"):
        value = value / value.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(a.value, value, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_classification_tree_equals_sklearn(name, criterion):
    X, y = load(name)
    mine = DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y)
    assert_same_tree(mine, theirs)
    X_new = X + np.random.default_rng(0).normal(scale=0.5, size=X.shape)  # unseen points
    np.testing.assert_array_equal(mine.predict(X_new), theirs.predict(X_new))
    np.testing.assert_allclose(mine.predict_proba(X_new), theirs.predict_proba(X_new))
    np.testing.assert_array_equal(mine.apply(X_new), theirs.apply(X_new))
    np.testing.assert_allclose(mine.feature_importances_, theirs.feature_importances_, atol=1e-12)


@pytest.mark.parametrize("criterion", ["squared_error", "friedman_mse"])
def test_regression_tree_equals_sklearn_on_diabetes(criterion):
    X, y = load("diabetes")
    mine = DecisionTreeRegressor(criterion=criterion, random_state=1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # friedman_mse is deprecated there
        theirs = sk_tree.DecisionTreeRegressor(criterion=criterion, random_state=1).fit(X, y)
    assert_same_tree(mine, theirs)
    X_new = X * 1.1
    np.testing.assert_array_equal(mine.predict(X_new), theirs.predict(X_new))
    np.testing.assert_allclose(mine.feature_importances_, theirs.feature_importances_, atol=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        {"max_depth": 4},
        {"min_samples_leaf": 5},
        {"min_samples_split": 0.05},
        {"min_impurity_decrease": 0.002},
        {"max_features": "sqrt"},  # random feature subsets: the same draws as scikit-learn
        {"max_features": 0.3, "random_state": 7},
        {"min_weight_fraction_leaf": 0.02},
        {"max_leaf_nodes": 12},  # best-first growth
        {"ccp_alpha": 0.01},
    ],
    ids=str,
)
def test_stopping_rules_and_pruning_match_sklearn(params):
    X, y = load("breast_cancer")
    params = {"random_state": 0, **params}
    mine = DecisionTreeClassifier(**params).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(**params).fit(X, y)
    assert_same_tree(mine, theirs)


def test_max_leaf_nodes_regression_matches_sklearn():
    X, y = load("diabetes")
    mine = DecisionTreeRegressor(max_leaf_nodes=20, random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeRegressor(max_leaf_nodes=20, random_state=0).fit(X, y)
    assert mine.get_n_leaves() == theirs.get_n_leaves() == 20
    assert_same_tree(mine, theirs)


def test_cost_complexity_pruning_path_matches_sklearn():
    X, y = load("wine")
    mine = DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(X, y)
    theirs = sk_tree.DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(mine.ccp_alphas, theirs.ccp_alphas, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(mine.impurities, theirs.impurities, rtol=1e-10, atol=1e-15)
    for alpha in mine.ccp_alphas[1:-1:3]:
        pruned = DecisionTreeClassifier(random_state=0, ccp_alpha=alpha).fit(X, y)
        reference = sk_tree.DecisionTreeClassifier(random_state=0, ccp_alpha=alpha).fit(X, y)
        assert_same_tree(pruned, reference)


def test_sample_weight_and_class_weight_match_sklearn():
    # Whole-number weights (zeros included: they drop the sample) make every sum exact, so the
    # trees are equal; with fractional weights both libraries round differently and may break
    # near-ties differently, so those are checked against their meaning instead (below).
    X, y = load("breast_cancer")
    weights = np.random.default_rng(0).integers(0, 4, size=len(y)).astype(float)
    for class_weight in (None, {0: 3, 1: 1}):
        mine = DecisionTreeClassifier(random_state=0, class_weight=class_weight)
        theirs = sk_tree.DecisionTreeClassifier(random_state=0, class_weight=class_weight)
        assert_same_tree(
            mine.fit(X, y, sample_weight=weights), theirs.fit(X, y, sample_weight=weights)
        )
    X_d, y_d = load("diabetes")
    w_d = np.random.default_rng(1).integers(1, 4, size=len(y_d)).astype(float)
    assert_same_tree(
        DecisionTreeRegressor(random_state=0, max_depth=6).fit(X_d, y_d, sample_weight=w_d),
        sk_tree.DecisionTreeRegressor(random_state=0, max_depth=6).fit(X_d, y_d, sample_weight=w_d),
    )


def test_balanced_class_weight_is_the_weight_n_over_k_n_k():
    X, y = load("wine")
    counts = np.bincount(y)
    explicit = (len(y) / (len(counts) * counts))[y]
    balanced = DecisionTreeClassifier(random_state=0, class_weight="balanced").fit(X, y)
    weighted = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=explicit)
    np.testing.assert_array_equal(balanced.tree_.threshold, weighted.tree_.threshold)
    reference = sk_tree.DecisionTreeClassifier(random_state=0, class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(
        balanced.tree_.weighted_n_node_samples[0], reference.tree_.weighted_n_node_samples[0]
    )
    np.testing.assert_array_equal(balanced.predict(X), reference.predict(X))


def test_decision_path_and_text_export_match_sklearn():
    X, y = load("wine")
    mine = DecisionTreeClassifier(random_state=0, max_depth=3).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(random_state=0, max_depth=3).fit(X, y)
    np.testing.assert_array_equal(
        mine.decision_path(X).toarray(), theirs.decision_path(X).toarray()
    )
    assert mine.get_depth() == theirs.get_depth() == 3
    assert export_text(mine) == sk_tree.export_text(theirs)
    assert export_text(mine, show_weights=True, decimals=3) == sk_tree.export_text(
        theirs, show_weights=True, decimals=3
    )
    X_d, y_d = load("diabetes")
    regressor = DecisionTreeRegressor(random_state=0, max_depth=2).fit(X_d, y_d)
    reference = sk_tree.DecisionTreeRegressor(random_state=0, max_depth=2).fit(X_d, y_d)
    assert export_text(regressor) == sk_tree.export_text(reference)


def test_sklearn_backend_gives_the_reference_tree():
    X, y = load("wine")
    mine = DecisionTreeClassifier(random_state=3).fit(X, y)
    backend = DecisionTreeClassifier(random_state=3, backend="sklearn").fit(X, y)
    assert_same_tree(mine, sk_tree.DecisionTreeClassifier(random_state=3).fit(X, y))
    np.testing.assert_array_equal(mine.tree_.threshold, backend.tree_.threshold)
    np.testing.assert_array_equal(mine.predict(X), backend.predict(X))


def test_plot_tree_draws_every_node(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from glassbox.trees import plot_tree

    X, y = load("wine")
    model = DecisionTreeClassifier(random_state=0, max_depth=2).fit(X, y)
    ax = plot_tree(model)
    assert len(ax.texts) == model.tree_.node_count
    assert ax.texts[0].get_text().startswith("feature_")
    ax.figure.savefig(tmp_path / "tree.png")
