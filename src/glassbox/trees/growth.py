"""Growing a tree: depth first (the default) or best first (when ``max_leaf_nodes`` is set).

A node becomes a leaf when it is at ``max_depth``, holds fewer than ``min_samples_split``
samples (or fewer than ``2 · min_samples_leaf``, or less than ``2 · min_weight_leaf``
weight), is pure (impurity ≤ machine epsilon), has no admissible split, or its best split
decreases the impurity (eq. (4) of :mod:`glassbox.trees.criteria`) by less than
``min_impurity_decrease``.

Depth first pops the left child before the right, so node ids are in pre-order, as in
scikit-learn. Best first keeps the frontier in a heap keyed by each node's impurity
decrease and splits the best node until ``max_leaf_nodes`` leaves exist.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassbox.trees.criteria import Criterion
from glassbox.trees.splitter import (
    FeatureSampler,
    NodeSplit,
    best_split,
    constant_features,
    partition,
)

__all__ = ["TREE_LEAF", "TREE_UNDEFINED", "GrowthParams", "TreeArrays", "grow_tree"]

TREE_LEAF = -1
TREE_UNDEFINED = -2
EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class GrowthParams:
    """The stopping rules, already resolved to numbers."""

    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    min_weight_leaf: float
    min_impurity_decrease: float
    max_features: int
    max_leaf_nodes: int | None
    tie_tolerance: float = 0.0


@dataclass
class TreeArrays:
    """A fitted tree as flat arrays, one entry per node (scikit-learn's layout).

    ``children_left[t] == children_right[t] == -1`` marks a leaf, whose ``feature`` is -2 and
    ``threshold`` -2.0; a sample goes left when ``x[feature] <= threshold``. ``value[t]`` is
    the node's class proportions (classification) or mean (regression).
    """

    feature: list[int] = field(default_factory=list)
    threshold: list[float] = field(default_factory=list)
    children_left: list[int] = field(default_factory=list)
    children_right: list[int] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    impurity: list[float] = field(default_factory=list)
    n_node_samples: list[int] = field(default_factory=list)
    weighted_n_node_samples: list[float] = field(default_factory=list)

    def add(
        self, parent: int, is_left: bool, value: np.ndarray, impurity: float, n: int, w: float
    ) -> int:
        """Append a leaf under ``parent`` (-1 for the root) and return its index.

        ``value``, ``impurity``, ``n`` and ``w`` are the node's prediction, impurity i(t),
        sample count and weight N_t; it stays a leaf until a split sets its feature and
        children.
        """
        node = len(self.feature)
        self.feature.append(TREE_UNDEFINED)
        self.threshold.append(float(TREE_UNDEFINED))
        self.children_left.append(TREE_LEAF)
        self.children_right.append(TREE_LEAF)
        self.value.append(value)
        self.impurity.append(impurity)
        self.n_node_samples.append(n)
        self.weighted_n_node_samples.append(w)
        if parent >= 0:
            (self.children_left if is_left else self.children_right)[parent] = node
        return node

    def add_children(
        self,
        parents: np.ndarray,
        features: np.ndarray,
        thresholds: np.ndarray,
        values: np.ndarray,
        impurity: np.ndarray,
        n: np.ndarray,
        w: np.ndarray,
    ) -> np.ndarray:
        """Split each of ``parents`` on ``features`` at ``thresholds`` and append its two
        leaves, left then right, parent by parent (the order :meth:`add` would give them);
        ``values`` (2k, outputs), ``impurity``, ``n`` and ``w`` (2k,) describe the children
        in that order. Returns the children's indices, (k, 2)."""
        first, k = len(self.feature), len(parents)
        ids = np.arange(first, first + 2 * k).reshape(k, 2)
        self.feature.extend([TREE_UNDEFINED] * (2 * k))
        self.threshold.extend([float(TREE_UNDEFINED)] * (2 * k))
        self.children_left.extend([TREE_LEAF] * (2 * k))
        self.children_right.extend([TREE_LEAF] * (2 * k))
        self.value.extend(values)
        self.impurity.extend(impurity.tolist())
        self.n_node_samples.extend(n.tolist())
        self.weighted_n_node_samples.extend(w.tolist())
        for parent, feature, threshold, (left, right) in zip(
            parents.tolist(), features.tolist(), thresholds.tolist(), ids.tolist()
        ):
            self.feature[parent] = feature
            self.threshold[parent] = threshold
            self.children_left[parent] = left
            self.children_right[parent] = right
        return ids

    def arrays(self) -> dict[str, np.ndarray]:
        """The nodes as NumPy arrays, keyed like scikit-learn's ``tree_`` attributes."""
        return {
            "feature": np.asarray(self.feature, dtype=np.int64),
            "threshold": np.asarray(self.threshold, dtype=np.float64),
            "children_left": np.asarray(self.children_left, dtype=np.int64),
            "children_right": np.asarray(self.children_right, dtype=np.int64),
            "value": np.asarray(self.value, dtype=np.float64),
            "impurity": np.asarray(self.impurity, dtype=np.float64),
            "n_node_samples": np.asarray(self.n_node_samples, dtype=np.int64),
            "weighted_n_node_samples": np.asarray(self.weighted_n_node_samples, dtype=np.float64),
        }


@dataclass
class _Node:
    order: np.ndarray  # (n_features, m): the node's samples sorted by each feature
    stats: np.ndarray  # (channels,)
    impurity: float
    depth: int
    parent: int
    is_left: bool
    n_constant: int
    split: NodeSplit | None = None
    improvement: float = 0.0
    node_id: int = -1


class _Grower:
    def __init__(
        self,
        X_by_feature: np.ndarray,
        stats: np.ndarray,
        criterion: Criterion,
        params: GrowthParams,
        sampler: FeatureSampler,
    ) -> None:
        self.X = X_by_feature
        self.stats = stats
        self.criterion = criterion
        self.params = params
        self.sampler = sampler
        self.total_weight = float(criterion.weight(stats.sum(axis=1)))
        self.goes_left = np.zeros(stats.shape[1], dtype=bool)
        self.tree = TreeArrays()

    def root(self) -> _Node:
        order = np.argsort(self.X, axis=1, kind="stable")
        node_stats = self.stats.sum(axis=1)
        impurity = float(self.criterion.impurity(node_stats))
        return _Node(order, node_stats, impurity, 0, -1, False, 0)

    def evaluate(self, node: _Node) -> bool:
        """Find the node's split (consuming the feature sampler); True if it is a leaf."""
        p, m = self.params, node.order.shape[1]
        weight = float(self.criterion.weight(node.stats))
        is_leaf = (
            node.depth >= p.max_depth
            or m < p.min_samples_split
            or m < 2 * p.min_samples_leaf
            or weight < 2 * p.min_weight_leaf
            or node.impurity <= EPSILON
        )
        if is_leaf:
            return True
        is_constant = constant_features(node.order, self.X)
        candidates, node.n_constant = self.sampler.draw(
            is_constant, node.n_constant, p.max_features
        )
        split = best_split(
            node.order,
            candidates,
            self.X,
            self.stats,
            node.stats,
            self.criterion,
            p.min_samples_leaf,
            p.min_weight_leaf,
            p.tie_tolerance,
        )
        if split is None:
            return True
        node.improvement = self.criterion.improvement(
            node.stats, split.left_stats, split.right_stats, self.total_weight
        )
        if node.improvement + EPSILON < p.min_impurity_decrease:
            return True
        node.split = split
        return False

    def add(self, node: _Node) -> int:
        node.node_id = self.tree.add(
            node.parent,
            node.is_left,
            self.criterion.value(node.stats),
            node.impurity,
            node.order.shape[1],
            float(self.criterion.weight(node.stats)),
        )
        return node.node_id

    def children(self, node: _Node) -> tuple[_Node, _Node]:
        split = node.split
        if split is None:  # only called on split nodes
            raise RuntimeError("children() of a leaf")
        self.tree.feature[node.node_id] = split.feature
        self.tree.threshold[node.node_id] = split.threshold
        left_order, right_order = partition(node.order, split, self.goes_left)
        node.order = left_order[:0]  # release the parent's copy
        pieces = []
        for order, stats, is_left in (
            (left_order, split.left_stats, True),
            (right_order, split.right_stats, False),
        ):
            impurity = float(self.criterion.impurity(stats))
            pieces.append(
                _Node(
                    order, stats, impurity, node.depth + 1, node.node_id, is_left, node.n_constant
                )
            )
        return pieces[0], pieces[1]

    def depth_first(self) -> None:
        stack = [self.root()]
        while stack:
            node = stack.pop()
            is_leaf = self.evaluate(node)
            self.add(node)
            if not is_leaf:
                left, right = self.children(node)
                stack.append(right)
                stack.append(left)

    def best_first(self, max_leaf_nodes: int) -> None:
        frontier: list[tuple[float, int, _Node, bool]] = []
        counter = 0

        def push(node: _Node) -> None:
            nonlocal counter
            is_leaf = self.evaluate(node)
            self.add(node)
            heapq.heappush(
                frontier, (-node.improvement if not is_leaf else 0.0, counter, node, is_leaf)
            )
            counter += 1

        push(self.root())
        n_splits_left = max_leaf_nodes - 1
        while frontier:
            _, _, node, is_leaf = heapq.heappop(frontier)
            if is_leaf or n_splits_left <= 0:
                node.order = node.order[:, :0]
                continue
            n_splits_left -= 1
            left, right = self.children(node)
            push(left)
            push(right)


def grow_tree(
    X_by_feature: np.ndarray,
    stats: np.ndarray,
    criterion: Criterion,
    params: GrowthParams,
    sampler: FeatureSampler,
) -> dict[str, Any]:
    """Grow one tree; return its flat arrays (see :class:`TreeArrays`).

    ``X_by_feature`` (n_features, n_samples) holds the feature values (float32-rounded, as
    scikit-learn sees them) of the samples with non-zero weight, ``stats`` (channels,
    n_samples) their weighted statistics.
    """
    grower = _Grower(X_by_feature, stats, criterion, params, sampler)
    if params.max_leaf_nodes is None:
        grower.depth_first()
    else:
        grower.best_first(params.max_leaf_nodes)
    return grower.tree.arrays()
