"""Growing a tree one depth level at a time: every node of a level split in one pass.

The nodes of a level hold disjoint samples, so their sorted orders sit side by side in one
``(n_features, n_samples)`` array, each node a contiguous segment. Equation (1) of
:mod:`glassbox.trees.splitter` then becomes a single cumulative sum along the whole array,
minus its value at each segment's start:

    S_L(f, j) = C(f, j) − C(f, start(t) − 1),      C(f, j) = Σ_{r ≤ j} s_{order[f, r]}

and the best threshold of every node is a segmented maximum (``np.maximum.reduceat``). The
orders themselves come from one sort per candidate feature of the level's samples by
``(node, rank of x_f)``, the ranks computed once at the root. No Python loop runs over
samples or over the nodes' data.

Forests use this grower: each node searches ``max_features`` features drawn at random among
those not constant in it (a fresh random priority per node decides equal splits). Without
scikit-learn's sequential feature-visit order the trees differ from scikit-learn's in which
of two equal splits they take; single trees use :mod:`glassbox.trees.growth`, which keeps it.
"""

from __future__ import annotations

import numpy as np

from glassbox.trees.criteria import Criterion
from glassbox.trees.growth import EPSILON, GrowthParams, TreeArrays
from glassbox.trees.splitter import FEATURE_THRESHOLD

__all__ = ["grow_tree_by_level"]


def _segment_starts(sizes: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def grow_tree_by_level(
    X_by_feature: np.ndarray,
    stats: np.ndarray,
    criterion: Criterion,
    params: GrowthParams,
    random_state: np.random.RandomState,
) -> dict[str, np.ndarray]:
    """Grow one tree breadth first (see the module docstring); return its flat arrays."""
    n_features, n_samples = X_by_feature.shape
    X_flat = X_by_feature.ravel()
    # rank[f, i]: the place of sample i in the order of feature f (order[f, r]: the sample
    # at place r); sorting a node's samples by (node, rank) gives every node's order at once.
    order = np.argsort(X_by_feature, axis=1, kind="stable")
    rank = np.empty((n_features, n_samples), dtype=np.int64)
    np.put_along_axis(rank, order, np.arange(n_samples)[None, :], 1)
    total_weight = float(criterion.weight(stats.sum(axis=1)))
    tree = TreeArrays()
    members = np.arange(n_samples)  # the active samples, grouped by node
    node_stats = stats.sum(axis=1)[:, None]  # (channels, n_active)
    sizes = np.array([n_samples])
    weight = criterion.weight(node_stats)
    impurity = criterion.impurity(node_stats)
    root_value = criterion.value(node_stats[:, 0])
    ids = np.array(
        [tree.add(-1, False, root_value, float(impurity[0]), n_samples, float(weight[0]))]
    )
    depth = 0
    n_candidates = params.max_features
    while len(ids):
        weight = criterion.weight(node_stats)
        splittable = (
            (depth < params.max_depth)
            & (sizes >= params.min_samples_split)
            & (sizes >= 2 * params.min_samples_leaf)
            & (weight >= 2 * params.min_weight_leaf)
            & (impurity > EPSILON)
        )
        if not splittable.any():
            break
        if not splittable.all():  # leaves leave the level: keep only the nodes to split
            members = members[np.repeat(splittable, sizes)]
            node_stats, sizes, ids = node_stats[:, splittable], sizes[splittable], ids[splittable]
            impurity = impurity[splittable]
        starts = _segment_starts(sizes)
        n_active, n_kept = len(ids), len(members)
        node_of = np.repeat(np.arange(n_active), sizes)  # (M,) the node of each position
        position = np.arange(n_kept)

        # Candidate features: max_features of the non-constant ones, in a random order.
        member_values = X_by_feature[:, members]  # (n_features, M)
        low = np.minimum.reduceat(member_values, starts, axis=1)
        high = np.maximum.reduceat(member_values, starts, axis=1)
        constant = (high <= low + FEATURE_THRESHOLD).T  # (n_active, n_features)
        keys = random_state.random_sample((n_active, n_features))
        keys[constant] = np.inf
        ranked = np.argsort(keys, axis=1)[:, :n_candidates]  # (n_active, q)
        usable = np.take_along_axis(keys, ranked, axis=1) < np.inf
        feature_at = ranked[node_of].T  # (q, M): the candidate feature of each slot
        sort_key = node_of * n_samples + rank[feature_at, members]
        # Sorting the keys themselves (not an argsort) keeps each node's segment in place, and
        # a key's rank part names its sample: (q, M), each node's samples in feature order.
        sort_key.sort(axis=1)
        samples = order[feature_at, sort_key % n_samples]
        values = X_flat.take(feature_at * n_samples + samples)

        cumulative = np.cumsum(stats[:, samples], axis=2)  # (channels, q, M)
        before = np.zeros((stats.shape[0], feature_at.shape[0], n_active))
        before[:, :, 1:] = cumulative[:, :, starts[1:] - 1]
        left = cumulative - before[:, :, node_of]
        right = node_stats[:, None, node_of] - left
        n_left = position - starts[node_of] + 1
        n_right = sizes[node_of] - n_left
        next_values = np.empty_like(values)
        next_values[:, :-1] = values[:, 1:]
        next_values[:, -1] = np.inf
        admissible = (n_right >= 1) & (next_values > values + FEATURE_THRESHOLD)
        admissible &= (n_left >= params.min_samples_leaf) & (n_right >= params.min_samples_leaf)
        admissible &= usable[node_of].T
        if params.min_weight_leaf > 0.0:
            admissible &= criterion.weight(left) >= params.min_weight_leaf
            admissible &= criterion.weight(right) >= params.min_weight_leaf
        proxy = criterion.proxy(left, right)
        proxy[~admissible] = -np.inf

        best_per_candidate = np.maximum.reduceat(proxy, starts, axis=1)  # (q, n_active)
        best = best_per_candidate.max(axis=0)
        chosen = np.argmax(best_per_candidate == best, axis=0)  # first in the random order
        reaches = proxy[chosen[node_of], position] == best[node_of]
        at = np.minimum.reduceat(np.where(reaches, position, n_kept), starts)
        at = np.minimum(at, n_kept - 2)  # nodes without a split point anywhere valid
        left_stats = left[:, chosen, at]  # (channels, n_active)
        right_stats = node_stats - left_stats
        impurity_left = criterion.impurity(left_stats)
        impurity_right = criterion.impurity(right_stats)
        w_left, w_right = criterion.weight(left_stats), criterion.weight(right_stats)
        with np.errstate(divide="ignore", invalid="ignore"):
            improvement = criterion.improvements(node_stats, left_stats, right_stats, total_weight)
        split = (best > -np.inf) & (improvement + EPSILON >= params.min_impurity_decrease)
        if not split.any():
            break
        feature = ranked[np.arange(n_active), chosen]
        threshold = values[chosen, at] / 2.0 + values[chosen, at + 1] / 2.0
        n_left_node = at - starts + 1

        # Record the splits and their children (left then right, node by node).
        child_ids = np.full((n_active, 2), -1, dtype=np.int64)
        for t in np.flatnonzero(split):
            node = int(ids[t])
            tree.feature[node] = int(feature[t])
            tree.threshold[node] = float(threshold[t])
            for side, (s, imp, n, w) in enumerate(
                (
                    (left_stats[:, t], impurity_left[t], n_left_node[t], w_left[t]),
                    (right_stats[:, t], impurity_right[t], sizes[t] - n_left_node[t], w_right[t]),
                )
            ):
                child_ids[t, side] = tree.add(
                    node, side == 0, criterion.value(s), float(imp), int(n), float(w)
                )

        # The split nodes' samples, regrouped by child: left child 2t, right child 2t + 1.
        keep = split
        sizes_kept = sizes[keep]
        members = members[np.repeat(keep, sizes)]
        node_of = np.repeat(np.arange(len(sizes_kept)), sizes_kept)
        goes_right = (
            X_flat.take(feature[keep][node_of] * n_samples + members) > threshold[keep][node_of]
        )
        child = 2 * node_of + goes_right
        if 2 * len(sizes_kept) <= np.iinfo(np.int16).max:
            child = child.astype(np.int16)  # NumPy's stable sort of int16 is a radix sort
        members = members[np.argsort(child, kind="stable")]
        n_left_kept = n_left_node[keep]
        sizes = np.column_stack([n_left_kept, sizes_kept - n_left_kept]).ravel()
        node_stats = np.stack([left_stats[:, keep], right_stats[:, keep]], axis=2).reshape(
            stats.shape[0], -1
        )
        impurity = np.column_stack([impurity_left[keep], impurity_right[keep]]).ravel()
        ids = child_ids[keep].ravel()
        depth += 1
    return tree.arrays()
