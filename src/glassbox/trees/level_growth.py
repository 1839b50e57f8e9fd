"""Growing a tree one depth level at a time: every node of a level split in one pass.

The nodes of a level hold disjoint samples, so their sorted orders sit side by side in one
``(n_features, n_samples)`` array, each node a contiguous segment. Equation (1) of
:mod:`glassbox.trees.splitter` then becomes a single cumulative sum along the whole array,
minus its value at each segment's start:

    S_L(f, j) = C(f, j) − C(f, start(t) − 1),      C(f, j) = Σ_{r ≤ j} s_{order[f, r]}

and the best threshold of every node is a segmented maximum (``np.maximum.reduceat``). The
orders themselves come from one sort per candidate feature of the level's samples by
``(node, rank of x_f)``, the ranks computed once at the root from an order a forest sorts
once for all its trees (:func:`restrict_order`). No Python loop runs over samples or over
the nodes' data; a level's children are recorded in one call.

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


def restrict_order(order: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The stable sort order of the kept samples, read off the stable order of all of them.

    ``order[f]`` sorts every sample by feature f, ties by index. Dropping the samples not kept
    and renumbering the rest (new index = how many kept samples come before) leaves each row
    sorted, and ties still by index: a forest sorts its data once, not once per tree.
    """
    if keep.all():
        return order
    new_index = np.cumsum(keep) - 1
    return new_index[order[keep[order]]].reshape(order.shape[0], -1)


def _sides(left: np.ndarray, right: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The left and right children's entries of ``nodes`` (last axis), interleaved: left then
    right, node by node."""
    both = np.stack([left[..., nodes], right[..., nodes]], axis=-1)
    return both.reshape(*left.shape[:-1], -1)


def _candidate_features(
    X_flat: np.ndarray,
    members: np.ndarray,
    starts: np.ndarray,
    node_of: np.ndarray,
    by_key: np.ndarray,
    n_candidates: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each node's first ``n_candidates`` features, in its random order ``by_key``, that are
    not constant in it, and which of those slots hold one (a node may have fewer).

    Whether a feature is constant in a node is checked ``n_candidates`` features at a time,
    further down each node's order only for the nodes that still lack candidates: usually
    one round, rather than a minimum and a maximum of every feature in every node.
    """
    n_active, n_features = by_key.shape
    n_samples = X_flat.size // n_features
    chosen = np.zeros((n_active, n_candidates), dtype=np.int64)
    found = np.zeros(n_active, dtype=np.int64)
    for first in range(0, n_features, n_candidates):
        need = found < n_candidates
        if not need.any():
            break
        block = by_key[:, first : first + n_candidates]  # the next features of each node
        nodes = np.flatnonzero(need)
        if len(nodes) == n_active:
            slot_node, slot_starts, slot_members = node_of, starts, members
        else:  # only the nodes still short of candidates, their segments side by side
            node_sizes = np.diff(np.append(starts, len(members)))
            slot_node = np.repeat(np.arange(len(nodes)), node_sizes[nodes])
            slot_starts = _segment_starts(node_sizes[nodes])
            slot_members = members[np.repeat(need, node_sizes)]
        features = block[nodes].T.take(slot_node, axis=1)  # (width, M')
        values = X_flat.take(features * n_samples + slot_members)
        low = np.minimum.reduceat(values, slot_starts, axis=1)
        high = np.maximum.reduceat(values, slot_starts, axis=1)
        varies = (high > low + FEATURE_THRESHOLD).T  # (len(nodes), width)
        slot = found[nodes, None] + np.cumsum(varies, axis=1) - 1
        varies &= slot < n_candidates
        row, column = np.nonzero(varies)
        chosen[nodes[row], slot[row, column]] = block[nodes[row], column]
        found[nodes] += varies.sum(axis=1)
    usable = np.arange(n_candidates)[None, :] < found[:, None]
    return chosen, usable


def grow_tree_by_level(
    X_by_feature: np.ndarray,
    stats: np.ndarray,
    criterion: Criterion,
    params: GrowthParams,
    random_state: np.random.RandomState,
    order: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Grow one tree breadth first (see the module docstring); return its flat arrays.

    ``order``: ``np.argsort(X_by_feature, axis=1, kind="stable")`` if the caller has it
    (a forest computes it once, :func:`restrict_order`).
    """
    n_features, n_samples = X_by_feature.shape
    X_flat = X_by_feature.ravel()
    # rank[f, i]: the place of sample i in the order of feature f (order[f, r]: the sample
    # at place r); sorting a node's samples by (node, rank) gives every node's order at once.
    if order is None:
        order = np.argsort(X_by_feature, axis=1, kind="stable")
    rank = np.empty((n_features, n_samples), dtype=np.int64)
    np.put_along_axis(rank, order, np.arange(n_samples)[None, :], 1)
    order_flat, rank_flat = order.ravel(), rank.ravel()
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
        keys = random_state.random_sample((n_active, n_features))
        ranked, usable = _candidate_features(
            X_flat, members, starts, node_of, np.argsort(keys, axis=1), n_candidates
        )
        feature_at = ranked.T.take(node_of, axis=1)  # (q, M): the feature of each slot
        base = feature_at * n_samples  # where feature f's row starts in the flat arrays
        node_offset = node_of * (n_features * n_samples)
        # key = (node, f, rank of the sample in f): sorting the keys themselves (not an
        # argsort) keeps each node's segment in place, and a key minus its node part is the
        # flat index f·n + rank into ``order``: (q, M), each node's samples in feature order.
        sort_key = rank_flat.take(base + members)
        sort_key += base
        sort_key += node_offset
        sort_key.sort(axis=1)
        sort_key -= node_offset
        samples = order_flat.take(sort_key)
        values = X_flat.take(base + samples)

        # S_L of eq. (1), channel by channel: a flat take and a cumulative sum each
        left = np.empty((stats.shape[0], *samples.shape))  # (channels, q, M)
        for row, out in zip(stats, left):
            np.cumsum(row.take(samples), axis=1, out=out)
        before = np.zeros((stats.shape[0], feature_at.shape[0], n_active))
        before[:, :, 1:] = left[:, :, starts[1:] - 1]
        left -= before.take(node_of, axis=2)
        right = node_stats.take(node_of, axis=1)[:, None, :] - left
        n_left = position - starts[node_of] + 1
        n_right = sizes[node_of] - n_left
        next_values = np.empty_like(values)
        next_values[:, :-1] = values[:, 1:]
        next_values[:, -1] = np.inf
        admissible = (n_right >= 1) & (next_values > values + FEATURE_THRESHOLD)
        admissible &= (n_left >= params.min_samples_leaf) & (n_right >= params.min_samples_leaf)
        admissible &= usable.T.take(node_of, axis=1)
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
        t = np.flatnonzero(split)
        child_ids[t] = tree.add_children(
            ids[t],
            feature[t],
            threshold[t],
            criterion.values(_sides(left_stats, right_stats, t)),
            _sides(impurity_left, impurity_right, t),
            _sides(n_left_node, sizes - n_left_node, t),
            _sides(w_left, w_right, t),
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
