"""Many trees as one set of flat arrays: the node arrays concatenated, with offsets.

Tree ``k`` owns nodes ``offsets[k]:offsets[k+1]``; its child indices are local to it. This is
how forests and boosted ensembles are stored and saved (plain arrays, no objects), and
prediction walks every (sample, tree) pair down at once, one level per step.
"""

from __future__ import annotations

import numpy as np

from glassbox.trees.growth import TREE_LEAF

__all__ = ["apply_ensemble", "concatenate_trees", "tree_slice"]

NODE_ARRAYS = (
    "feature",
    "threshold",
    "children_left",
    "children_right",
    "value",
    "impurity",
    "n_node_samples",
    "weighted_n_node_samples",
)


def concatenate_trees(
    trees: list[dict[str, np.ndarray]],
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One array per node field over all trees, and the offsets (n_trees + 1,)."""
    sizes = [len(tree["feature"]) for tree in trees]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    nodes = {name: np.concatenate([tree[name] for tree in trees]) for name in NODE_ARRAYS}
    return nodes, offsets


def tree_slice(nodes: dict[str, np.ndarray], offsets: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """The arrays of tree ``k`` alone (views)."""
    start, stop = int(offsets[k]), int(offsets[k + 1])
    return {name: array[start:stop] for name, array in nodes.items()}


def apply_ensemble(nodes: dict[str, np.ndarray], offsets: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The global index of the leaf each sample reaches in each tree, (n_samples, n_trees)."""
    n_trees = len(offsets) - 1
    base = np.repeat(offsets[:-1], np.diff(offsets))  # each node's tree offset
    is_leaf = nodes["children_left"] == TREE_LEAF
    left = np.where(is_leaf, -1, nodes["children_left"] + base)
    right = np.where(is_leaf, -1, nodes["children_right"] + base)
    feature, threshold = nodes["feature"], nodes["threshold"]
    node = np.broadcast_to(offsets[:-1], (X.shape[0], n_trees)).ravel().copy()
    row = np.repeat(np.arange(X.shape[0]), n_trees)
    active = np.flatnonzero(~is_leaf[node])
    while active.size:
        at = node[active]
        goes_left = X[row[active], feature[at]] <= threshold[at]
        node[active] = np.where(goes_left, left[at], right[at])
        active = active[~is_leaf[node[active]]]
    return node.reshape(X.shape[0], n_trees)
