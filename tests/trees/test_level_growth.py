"""The pieces of the forests' level-by-level grower against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.trees.criteria import CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA
from glassbox.trees.growth import TreeArrays
from glassbox.trees.level_growth import _candidate_features, restrict_order
from glassbox.trees.splitter import FEATURE_THRESHOLD


@pytest.mark.parametrize("seed", range(3))
def test_restrict_order_is_the_stable_argsort_of_the_kept_rows(seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 5, size=(6, 300)).astype(float)  # many ties
    keep = rng.random(300) < 0.6
    order = np.argsort(X, axis=1, kind="stable")
    expected = np.argsort(X[:, keep], axis=1, kind="stable")
    np.testing.assert_array_equal(restrict_order(order, keep), expected)
    assert restrict_order(order, np.ones(300, dtype=bool)) is order


def test_candidate_features_are_the_first_non_constant_ones_in_each_nodes_order():
    rng = np.random.default_rng(0)
    n_features, n_candidates = 11, 3
    sizes = rng.integers(2, 9, size=40)
    n = int(sizes.sum())
    X = rng.standard_normal((n_features, n))
    node_of = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # make features constant in nodes at random, some nodes in all but one or two features
    for t in range(len(sizes)):
        segment = node_of == t
        for f in np.flatnonzero(rng.random(n_features) < (0.9 if t % 4 == 0 else 0.3)):
            X[f, segment] = X[f, segment][0]
    members = rng.permutation(n)  # the position → sample map the grower carries
    X_by_feature = np.empty_like(X)
    X_by_feature[:, members] = X  # the sample at position i is members[i]
    by_key = np.argsort(rng.random((len(sizes), n_features)), axis=1)
    chosen, usable = _candidate_features(
        X_by_feature.ravel(), members, starts, node_of, by_key, n_candidates
    )
    for t in range(len(sizes)):
        segment = X[:, node_of == t]
        varies = [f for f in by_key[t] if segment[f].max() > segment[f].min() + FEATURE_THRESHOLD][
            :n_candidates
        ]
        assert chosen[t, usable[t]].tolist() == varies
        assert usable[t].sum() == len(varies)


@pytest.mark.parametrize(
    "criterion", [CLASSIFICATION_CRITERIA["gini"], REGRESSION_CRITERIA["squared_error"]]
)
def test_add_children_matches_adding_leaves_one_by_one(criterion):
    rng = np.random.default_rng(1)
    channels = 3
    one, many = TreeArrays(), TreeArrays()
    stats = rng.uniform(1.0, 5.0, size=(channels, 6))  # children: left, right per parent
    for tree in (one, many):
        for _ in range(4):
            tree.add(-1, False, criterion.value(stats[:, 0]), 0.1, 10, 10.0)
    parents = np.array([0, 2, 3])
    impurity, n, w = rng.random(6), rng.integers(1, 9, 6), rng.random(6)
    features, thresholds = np.array([4, 0, 7]), rng.random(3)
    for k, parent in enumerate(parents):
        one.feature[parent], one.threshold[parent] = int(features[k]), float(thresholds[k])
        for side in (0, 1):
            j = 2 * k + side
            one.add(
                int(parent),
                side == 0,
                criterion.value(stats[:, j]),
                float(impurity[j]),
                int(n[j]),
                float(w[j]),
            )
    ids = many.add_children(parents, features, thresholds, criterion.values(stats), impurity, n, w)
    np.testing.assert_array_equal(ids, [[4, 5], [6, 7], [8, 9]])
    for name, array in one.arrays().items():
        np.testing.assert_array_equal(many.arrays()[name], array, err_msg=name)
