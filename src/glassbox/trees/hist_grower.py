"""Growing one histogram tree, best first, and predicting with trees stored as flat arrays.

A tree is grown from the gradients ``g`` and Hessians ``h`` of the loss at the current
predictions. Every node holds its samples, its sums ``G = Σ g``, ``H = Σ h`` and its
histograms; the open node of largest gain (histogram.py, eq. 2) is split next, until
``max_leaf_nodes`` leaves exist or no split has positive gain. A leaf predicts the Newton
step of the second-order Taylor expansion of the loss, shrunk by the learning rate ``ν``
(Chen & Guestrin 2016, eq. 5)::

    value = −ν G / (H + λ)

Trees are stored as flat arrays, one entry per node (``feature``, ``threshold``,
``missing_left``, ``left``, ``right``, ``value``); a sample goes left when
``x_feature <= threshold`` (NaN: when ``missing_left``). All trees of a model sit in the same
arrays one after another, children indices absolute, and a leaf is its own child, so one
vectorized step moves every sample down every tree at once.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from glassbox.trees.binning import Bins
from glassbox.trees.histogram import HistogramBuilder, Histograms, Split, SplitFinder

__all__ = ["GrowthLimits", "Tree", "grow_tree", "predict_raw"]


@dataclass(frozen=True)
class GrowthLimits:
    """When a node stops splitting (scikit-learn's names)."""

    max_leaf_nodes: int | None
    max_depth: int | None
    min_samples_leaf: int
    l2_regularization: float
    learning_rate: float
    min_hessian: float = 1e-3


@dataclass
class Tree:
    """One grown tree: its node arrays (children indices local to the tree) and its leaves'
    samples, which update the training predictions without another pass down the tree."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: np.ndarray
    leaf_rows: list[np.ndarray] = field(default_factory=list)
    leaf_nodes: list[int] = field(default_factory=list)


@dataclass
class _Node:
    rows: np.ndarray | None  # None: every sample (the root)
    depth: int
    totals: tuple[float, float, float]  # (G, H, N) of eq. (1) summed over the node
    histograms: Histograms | None = None
    split: Split | None = None
    feature: int = 0
    threshold: float = np.inf
    missing_left: bool = False
    left: int = -1
    right: int = -1
    value: float = 0.0


def grow_tree(
    codes: np.ndarray,
    build_histograms: HistogramBuilder,
    gradient: np.ndarray,
    hessian: np.ndarray | None,
    weight: np.ndarray | None,
    bins: Bins,
    has_missing: np.ndarray,
    limits: GrowthLimits,
    find_splits: SplitFinder,
) -> Tree:
    """Grow one tree on binned data ``codes`` (n_samples, n_features) uint8, counting its
    nodes' histograms with ``build_histograms`` (made for these codes and weights).

    ``hessian=None``: the Hessian is the sample weight (squared and absolute error).
    """
    n_samples = codes.shape[0]
    l2 = limits.l2_regularization

    def can_split(node: _Node) -> bool:
        _, hessian_sum, count = node.totals
        return (
            count >= 2 * limits.min_samples_leaf
            and hessian_sum >= limits.min_hessian
            and (limits.max_depth is None or node.depth < limits.max_depth)
        )

    def push(indices: list[int], sums: np.ndarray) -> None:
        """Find the best splits of the nodes ``indices`` together, from their histograms
        ``sums`` one after another; queue those that have one."""
        found = find_splits(sums, [nodes[i].totals for i in indices])
        for i, split in zip(indices, found):
            nodes[i].split = split
            if split is None:
                build_histograms.release(nodes[i].histograms)
                nodes[i].histograms = None
            else:
                heapq.heappush(heap, (-split.gain, i))

    total_h = float(np.sum(weight) if weight is not None else n_samples)
    root_totals = (
        float(gradient.sum()),
        total_h if hessian is None else float(hessian.sum()),
        total_h,
    )
    values = build_histograms.values(gradient, hessian)
    root = _Node(rows=None, depth=0, totals=root_totals)
    nodes = [root]
    heap: list[tuple[float, int]] = []  # (−gain, node index): the best split pops first
    if can_split(root):
        root.histograms = build_histograms.root(values)
        push([0], root.histograms.sums)
    n_leaves = 1
    while heap:
        _, index = heapq.heappop(heap)
        parent = nodes[index]
        split = parent.split
        if split is None:  # pushed only with a split; narrows the type
            continue
        rows = np.arange(n_samples) if parent.rows is None else parent.rows
        column = codes[:, split.feature]  # contiguous: the codes are Fortran-ordered
        if parent.rows is not None:
            column = column.take(rows, mode="clip")  # the node's rows: in range
        goes_left = column <= split.bin
        if split.missing_left:
            goes_left |= column == bins.missing_bin
        left_rows, right_rows = np.compress(goes_left, rows), np.compress(~goes_left, rows)
        left = _Node(rows=left_rows, depth=parent.depth + 1, totals=split.left)
        right = _Node(rows=right_rows, depth=parent.depth + 1, totals=split.right)
        thresholds = bins.of(split.feature)
        parent.feature = split.feature
        parent.threshold = float(thresholds[split.bin]) if split.bin < len(thresholds) else np.inf
        # A feature without NaN in training sends NaN to the child with more samples.
        parent.missing_left = (
            split.missing_left if has_missing[split.feature] else split.left[2] > split.right[2]
        )
        parent.left, parent.right = len(nodes), len(nodes) + 1
        nodes += [left, right]
        n_leaves += 1
        parent_histograms, parent.histograms = parent.histograms, None
        if limits.max_leaf_nodes is not None and n_leaves >= limits.max_leaf_nodes:
            break
        splittable = [i for i in (parent.left, parent.right) if can_split(nodes[i])]
        if splittable and parent_histograms is not None:
            # Count the smaller child; the larger one is the parent's histograms minus it.
            # Both sit in one array, left then right, which the split search reads as is.
            small = 0 if len(left_rows) * 2 < len(rows) else 1
            both, left.histograms, right.histograms = build_histograms.siblings(
                (left_rows, right_rows)[small], values, parent_histograms, small
            )
            if len(splittable) == 2:
                push(splittable, both)
            else:  # one child to search: its half of ``both``
                half = both.shape[0] // 2
                push(splittable, both[:half] if splittable[0] == parent.left else both[half:])
            for i in (parent.left, parent.right):
                if i not in splittable:
                    build_histograms.release(nodes[i].histograms)
                    nodes[i].histograms = None
        build_histograms.release(parent_histograms)

    build_histograms.release_all()
    return _finish(nodes, limits, l2, n_samples)


def _finish(nodes: list[_Node], limits: GrowthLimits, l2: float, n_samples: int) -> Tree:
    n_nodes = len(nodes)
    feature = np.zeros(n_nodes, dtype=np.int64)
    threshold = np.full(n_nodes, np.inf)
    missing_left = np.zeros(n_nodes, dtype=np.bool_)
    left = np.arange(n_nodes, dtype=np.int64)  # a leaf is its own child
    right = np.arange(n_nodes, dtype=np.int64)
    value = np.zeros(n_nodes)
    depth = np.zeros(n_nodes, dtype=np.int64)
    tree = Tree(feature, threshold, missing_left, left, right, value, depth)
    for i, node in enumerate(nodes):
        depth[i] = node.depth
        if node.left >= 0:
            feature[i] = node.feature
            threshold[i] = node.threshold
            missing_left[i] = node.missing_left
            left[i], right[i] = node.left, node.right
            continue
        G, H, _ = node.totals
        # eq. (5); a leaf with no curvature at all (weights 0, or certain predictions) stays 0
        value[i] = -limits.learning_rate * G / (H + l2) if H + l2 > 0 else 0.0
        tree.leaf_nodes.append(i)
        tree.leaf_rows.append(node.rows if node.rows is not None else np.arange(n_samples))
    return tree


def predict_raw(
    X: np.ndarray,
    arrays: dict[str, np.ndarray],
    tree_offsets: np.ndarray,
    *,
    chunk: int = 1 << 21,
) -> np.ndarray:
    """The value of each sample's leaf in each tree: (n_samples, n_trees).

    ``arrays`` holds the flat node arrays ``feature``, ``threshold``, ``missing_left``,
    ``left``, ``right``, ``value``, ``depth`` of all trees (children indices absolute);
    tree ``t`` is rooted at ``tree_offsets[t]``.
    """
    feature, threshold = arrays["feature"], arrays["threshold"]
    missing_left, left, right = arrays["missing_left"], arrays["left"], arrays["right"]
    n_levels = int(arrays["depth"].max()) if arrays["depth"].size else 0
    roots = tree_offsets[:-1]
    n_samples, n_trees = X.shape[0], len(roots)
    out = np.empty((n_samples, n_trees))
    step = max(1, chunk // max(n_trees, 1))
    for start in range(0, n_samples, step):
        block = X[start : start + step]
        node = np.broadcast_to(roots, (len(block), n_trees)).copy()  # (m, T)
        sample = np.arange(len(block))[:, None]
        for _ in range(n_levels):
            x = block[sample, feature[node]]  # (m, T)
            goes_left = (x <= threshold[node]) | (np.isnan(x) & missing_left[node])
            node = np.where(goes_left, left[node], right[node])
        out[start : start + step] = arrays["value"][node]
    return out
