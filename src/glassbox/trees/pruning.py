"""Minimal cost-complexity pruning (Breiman et al. 1984, ch. 3).

The cost of a subtree ``T`` at complexity ``α`` is ``R_α(T) = R(T) + α |leaves(T)|``, with
``R(t) = N_t / N · i(t)`` the weighted impurity of node ``t`` and ``R(T)`` the sum over the
leaves. Collapsing the branch ``T_t`` below an internal node ``t`` into a leaf pays off once

    α ≥ α_eff(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1)                          (1)

The weakest link (smallest ``α_eff``) is pruned, the costs of its ancestors are updated, and
so on up to the root: the sequence of effective alphas is the pruning path. ``ccp_alpha``
keeps the largest subtree whose effective alphas are all ≤ ``ccp_alpha``.
"""

from __future__ import annotations

import numpy as np

from glassbox.trees.growth import TREE_LEAF, TREE_UNDEFINED

__all__ = ["cost_complexity_path", "prune"]


def _parents(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    parent = np.full(len(left), -1, dtype=np.int64)
    inner = np.flatnonzero(left != TREE_LEAF)
    parent[left[inner]] = inner
    parent[right[inner]] = inner
    return parent


def _weakest_links(
    tree: dict[str, np.ndarray], ccp_alpha: float | None
) -> tuple[np.ndarray, list[float], list[float]]:
    """Prune weakest links while α_eff ≤ ccp_alpha (all the way when None); return the
    mask of nodes kept as leaves, and the path's alphas and total leaf impurities."""
    left, right = tree["children_left"], tree["children_right"]
    n_nodes = len(left)
    weights = tree["weighted_n_node_samples"]
    r_node = weights * tree["impurity"] / weights[0]
    parent = _parents(left, right)
    is_leaf = left == TREE_LEAF
    # R(T_t) and |leaves(T_t)|: every leaf adds itself to all its ancestors.
    r_branch = np.where(is_leaf, r_node, 0.0)
    n_leaves = np.zeros(n_nodes, dtype=np.int64)
    for leaf in np.flatnonzero(is_leaf):
        node, r = int(parent[leaf]), r_node[leaf]
        while node != -1:
            r_branch[node] += r
            n_leaves[node] += 1
            node = int(parent[node])
    candidate = ~is_leaf
    in_tree = np.ones(n_nodes, dtype=bool)
    leaves = is_leaf.copy()
    alphas, impurities = [0.0], [float(r_branch[0])]
    while candidate[0]:
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(candidate, (r_node - r_branch) / (n_leaves - 1), np.inf)  # eq. (1)
        weakest = int(np.argmin(alpha))
        effective = float(alpha[weakest])
        if ccp_alpha is not None and ccp_alpha < effective:
            break
        stack = [weakest]
        while stack:
            node = stack.pop()
            if not in_tree[node]:
                continue
            candidate[node] = leaves[node] = in_tree[node] = False
            if left[node] != TREE_LEAF:
                stack.extend((int(left[node]), int(right[node])))
        leaves[weakest] = in_tree[weakest] = True
        pruned_leaves = n_leaves[weakest] - 1
        n_leaves[weakest] = 0
        r_diff = r_node[weakest] - r_branch[weakest]
        r_branch[weakest] = r_node[weakest]
        node = int(parent[weakest])
        while node != -1:
            n_leaves[node] -= pruned_leaves
            r_branch[node] += r_diff
            node = int(parent[node])
        alphas.append(effective)
        impurities.append(float(r_branch[0]))
    return leaves, alphas, impurities


def cost_complexity_path(tree: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The effective alphas of the pruning path and the total leaf impurity at each."""
    _, alphas, impurities = _weakest_links(tree, None)
    return np.asarray(alphas), np.asarray(impurities)


def prune(tree: dict[str, np.ndarray], ccp_alpha: float) -> dict[str, np.ndarray]:
    """The subtree kept at ``ccp_alpha``, its nodes renumbered in pre-order."""
    leaves, _, _ = _weakest_links(tree, ccp_alpha)
    left, right = tree["children_left"], tree["children_right"]
    kept: list[int] = []
    stack = [0]
    while stack:  # pre-order, left child first, stopping at the new leaves
        node = stack.pop()
        kept.append(node)
        if not leaves[node] and left[node] != TREE_LEAF:
            stack.extend((int(right[node]), int(left[node])))
    kept_array = np.asarray(kept, dtype=np.int64)
    new_id = np.full(len(left), TREE_LEAF, dtype=np.int64)
    new_id[kept_array] = np.arange(len(kept_array))
    out = {name: array[kept_array].copy() for name, array in tree.items()}
    becomes_leaf = leaves[kept_array]
    out["children_left"] = np.where(becomes_leaf, TREE_LEAF, new_id[left[kept_array]])
    out["children_right"] = np.where(becomes_leaf, TREE_LEAF, new_id[right[kept_array]])
    out["feature"] = np.where(becomes_leaf, TREE_UNDEFINED, out["feature"])
    out["threshold"] = np.where(becomes_leaf, float(TREE_UNDEFINED), out["threshold"])
    return out
